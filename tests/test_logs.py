"""Only our own lines: a batch that decodes damaged data, scans scenes frame by frame (the
PySceneDetect backend that used to hand libav the terminal) and encodes with libx264 prints
nothing that is not ours, every `--log-format json` line is JSON, and `--debug` shows
libav's messages as our debug lines."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from highlights.progress import STEPS

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "id,name,aliases,price,currency\naurora-watch,Aurora smart watch,Aurora|Aurora watch,49,USD\n"

OURS = [
    r"\[\d+/\d+\] .+",  # a replay starts
    rf"  ({'|'.join(STEPS)})",  # a stage (or the pages) starts
    r"  ok( in [\d.]+s)?",
    r"FAILED .+",
    r"interrupted: .+",
    r"(ok|failed)\s+.+",  # the summary
    r"(WARNING|ERROR) .+",  # our logger
    r"",
    r"\d+ ok, \d+ failed\. Open .+index\.html",  # the last line (stdout)
    r"jobs: \d+ × \d+ threads? \(.+\)",  # how the batch is spread (--jobs auto)
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory, ffmpeg, samples, media) -> Path:
    folder = tmp_path_factory.mktemp("logs") / "in"
    folder.mkdir()
    # Speech that names the product: an exact clip, its edges encoded by libx264 in PyAV.
    subprocess.run([ffmpeg, "-v", "error", "-y", "-ss", "10.24", "-i", str(samples / "demo_replay.mp4"), "-t", "20",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(folder / "presentation.mp4")],
                   check=True)
    # A hard cut between keyframes: checked frame by frame with PySceneDetect's PyAV backend.
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=25:duration=5[a];smptebars=size=320x240:rate=25:duration=5[b];"
                    "[a][b]concat", "-f", "lavfi", "-i", "sine=duration=10", "-c:v", "libx264", "-preset",
                    "ultrafast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    str(folder / "cuts.mp4")], check=True)
    # Damaged packets: libav's decoders complain about every one.
    data = bytearray((folder / "presentation.mp4").read_bytes())
    at = len(data) // 3
    data[at:at + 8000] = random.Random(11).randbytes(8000)
    (folder / "damaged.mp4").write_bytes(bytes(data))
    (folder / "catalog.csv").write_text(CATALOG)
    return folder


def _run(batch: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "highlights", "run", str(batch), str(batch / "missing.mp4"),
                           "-o", str(out), "--languages", "en,ru", "--language", "en", *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_a_batch_prints_only_our_lines(batch, tmp_path):
    result = _run(batch, tmp_path / "out", "--log-format", "plain")
    assert result.returncode == 1  # the missing input
    lines = result.stderr.splitlines() + result.stdout.splitlines()
    strangers = [line for line in lines if not any(re.fullmatch(p, line) for p in OURS)]
    assert not strangers, strangers
    assert any(line.startswith("[3/3]") for line in lines) and any("damaged" in line for line in lines)
    assert not re.search(r"@ 0x[0-9a-f]+\]", result.stderr)  # libav's "[libx264 @ 0x...]"


def test_json_log_lines_all_parse(batch, tmp_path):
    result = _run(batch, tmp_path / "out", "--log-format", "json")
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stderr.splitlines() + result.stdout.splitlines()]
    events = {r["event"] for r in records}
    assert {"start", "stage", "ok", "failed", "summary", "done"} <= events
    logged = [r for r in records if r["event"] == "log"]
    assert logged and all(r["logger"].startswith("highlights") for r in logged)  # the missing ru model, ours
    summary = next(r for r in records if r["event"] == "summary")["replays"]
    damaged = next(r for r in summary if r["input"].endswith("damaged.mp4"))
    assert any(w.startswith("damaged ") for w in damaged["warnings"]), damaged


def test_debug_shows_libav_as_our_debug_lines(batch, tmp_path):
    result = _run(batch, tmp_path / "out", "--log-format", "plain", "--debug")
    libav = [line for line in result.stderr.splitlines() if "[libav." in line]
    assert libav and not [line for line in libav if not line.startswith("DEBUG [libav.")], \
        [line for line in libav if not line.startswith("DEBUG [libav.")][:5]
