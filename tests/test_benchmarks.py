"""The benchmarks run (a smoke run on the sample: not timed, just proven to work)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pipeline_benchmark_smoke_run():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pipeline.py"), "--smoke"],
                            capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "(a) plain faster-whisper transcription" in result.stdout
    assert "b/a = " in result.stdout and "transcribe" in result.stdout


def test_gpu_benchmark_says_when_there_is_no_gpu():
    import ctranslate2

    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu.py")], capture_output=True, text=True,
                            cwd=ROOT / "benchmarks", timeout=60)
    assert result.returncode == 0, result.stderr
    if not ctranslate2.get_cuda_device_count():
        assert "no CUDA GPU" in result.stdout
