"""The pipeline benchmark on a CUDA GPU: a plain faster-whisper transcription on the GPU
against `highlights run --device cuda` on the same replay, each in its own process (model
loading included), and their ratio.

On a machine where CTranslate2 sees no CUDA device it says so and exits 0: the numbers
only mean something on a GPU.  Run from this folder: `python gpu.py [--replay FILE]`."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    import ctranslate2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replay", type=Path, help="a replay (default: the 10-minute benchmark replay)")
    args = parser.parse_args()
    if ctranslate2.get_cuda_device_count() == 0:
        print("no CUDA GPU visible to CTranslate2 here: nothing to measure (run this on a GPU machine)")
        return 0
    if args.replay:
        replay = args.replay
    else:
        from media import long_replay

        replay = long_replay(10.0)
    plain = ("from faster_whisper import WhisperModel; from highlights.models import resolve_model; "
             f"m = WhisperModel(resolve_model('base').path, device='cuda', compute_type='float16'); "
             f"s, _ = m.transcribe({str(replay)!r}, beam_size=5); print(sum(1 for _ in s))")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", plain], check=True, capture_output=True, cwd=HERE.parent)
    plain_seconds = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "highlights", "run", str(replay), "-o", out, "--device", "cuda",
                        "-q"], check=True, cwd=HERE.parent)
        run_seconds = time.perf_counter() - began
    print(f"plain faster-whisper on the GPU: {plain_seconds:.1f} s")
    print(f"highlights run --device cuda:    {run_seconds:.1f} s  ({run_seconds / plain_seconds:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
