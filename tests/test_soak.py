"""A night of faults, in about a minute: a batch of 20+ mixed inputs (speech, generated picture
and tone in five containers, damaged, audio-only, no audio, hostile names, broken files)

- killed with SIGKILL at five seeded random moments and resumed: the final outputs equal an
  uninterrupted run's, by content (clip streams by their packets, subtitles by text, manifests
  without timings), and one more run does no work;
- written to a small disk that fills up mid-batch: a clear one-line error, no partial file
  left, and once there is room again the same command finishes the batch, equal to the
  uninterrupted run.

Runs in CI (`-m soak` selects it alone)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_video, output_tree

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "id,name,aliases,price,currency\naurora-watch,Aurora smart watch,Aurora|Aurora watch,49,USD\n"
SEED = 19
STORED = ("transcribe", "scenes", "mentions", "selection", "clips", "subtitles")  # stages kept in .stages/

pytestmark = pytest.mark.soak


def ff(ffmpeg: str, *args: str) -> None:
    subprocess.run([ffmpeg, "-v", "error", "-y", *args], check=True)


def _damaged(source: Path, target: Path, share: float, seed: int) -> None:
    data = bytearray(source.read_bytes())
    at = int(len(data) * share)
    data[at:at + 5000] = random.Random(seed).randbytes(5000)
    target.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def night(tmp_path_factory, ffmpeg, samples) -> Path:
    folder = tmp_path_factory.mktemp("soak") / "in"
    folder.mkdir()
    demo = str(samples / "demo_replay.mp4")
    # Speech that sells: a clip's worth (the Aurora presentation); its damaged copy below
    # makes a second clip, cut clear of the damage near its end.
    ff(ffmpeg, "-ss", "10.24", "-i", demo, "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
       "-c:a", "aac", str(folder / "aurora.mp4"))
    # Picture and tone, a few seconds each, in every container we take.
    for name in ("plain.mp4", "plain.mkv", "plain.ts", "plain.mov", "plain.flv"):
        extra = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac"]
        make_video(ffmpeg, folder / name, seconds=4, extra=extra)
    make_video(ffmpeg, folder / "odd size.mp4", seconds=3, size="321x241",
               extra=["-vf", "scale=321:241", "-c:v", "libx264", "-pix_fmt", "yuv444p", "-preset", "ultrafast"])
    make_video(ffmpeg, folder / "no-audio.mp4", seconds=3, audio=False)
    # Damaged at the start, in the middle, at the end.
    for index, (name, share) in enumerate([("plain.mp4", 0.5), ("plain.mkv", 0.1), ("plain.ts", 0.5),
                                           ("plain.mkv", 0.9), ("aurora.mp4", 0.92)]):
        source = folder / name
        _damaged(source, folder / f"damaged-{index}{source.suffix}", share, SEED + index)
    # Audio only.
    for name in ("tone.m4a", "tone.wav", "tone.mp3"):
        ff(ffmpeg, "-f", "lavfi", "-i", "sine=frequency=330:duration=3", str(folder / name))
    # Hostile names: other scripts, quotes, shell characters, reserved names, a very long one.
    plain = (folder / "plain.mp4").read_bytes()
    for name in ('Распродажа "Aurora" \'часы\' №1.mp4', "CON.mp4", "$(rm -rf ~) ; `x`.mp4", "-dash.mp4",
                 "x" * 200 + ".mp4", "tab\tand space .mp4"):
        (folder / name).write_bytes(plain)
    # Broken beyond use: fail alone, in one line.
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "text.mkv").write_text("not a video\n" * 100)
    (folder / "catalog.csv").write_text(CATALOG)
    assert len([p for p in folder.iterdir() if p.suffix != ".csv"]) >= 20
    return folder


def _command(inputs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "highlights", "run", str(inputs), "-o", str(out), "--languages", "en",
            "--language", "en", "--log-format", "plain"]


def _run(inputs: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_command(inputs, out), cwd=ROOT, capture_output=True, text=True, timeout=600)


def _no_partial_files(out: Path) -> None:
    assert not [p for p in out.rglob("*") if ".part" in p.name], "a temporary file was left behind"
    for manifest in out.glob("*/manifest.json"):
        data = json.loads(manifest.read_text())  # whole
        for clip in data["clips"]:
            assert (manifest.parent / clip["file"]).is_file(), clip


@pytest.fixture(scope="module")
def reference(night, tmp_path_factory) -> tuple[Path, int, int]:
    """An uninterrupted run: its output folder, how many replays it finished, its exit status."""
    out = tmp_path_factory.mktemp("soak-reference") / "out"
    result = _run(night, out)
    assert result.returncode == 1, result.stderr  # the two broken inputs
    batch = {Path(e["input"]).name: e for e in json.loads((out / "batch.json").read_text())}
    assert {n for n, e in batch.items() if e["status"] == "failed"} == {"empty.mp4", "text.mkv"}, batch
    clips = {name: len(json.loads((out / e["dir"] / "manifest.json").read_text())["clips"])
             for name, e in batch.items() if e["status"] == "ok"}
    assert clips["aurora.mp4"] == 1 and clips["damaged-4.mp4"] == 1, clips
    assert any(w.startswith("damaged ") for w in batch["damaged-4.mp4"]["warnings"])
    # The terminal summary says why a replay that succeeded made nothing.
    summary = {line.split()[1]: line for line in result.stderr.splitlines() if line.startswith(("ok ", "failed "))}
    assert summary[str(night / "no-audio.mp4")].endswith("- no audio track"), summary
    assert "no speech found" in summary[str(night / "tone.wav")]
    assert "damaged between" in summary[str(night / "damaged-4.mp4")] or \
        "damaged at" in summary[str(night / "damaged-4.mp4")]
    return out, len(list(out.glob("*/manifest.json"))), result.returncode


def test_killed_five_times_and_resumed_equals_an_uninterrupted_run(night, reference, tmp_path):
    expected, finished, status = reference
    out = tmp_path / "out"
    rng = random.Random(SEED)
    # A moment is a point in the batch's progress, not on the clock (so a fast or a loaded
    # machine kills at the same places): once k replays are finished, plus up to 0.3 s into
    # the next one.  The last few replays are left for the final run.
    moments = sorted(zip(rng.sample(range(0, finished - 4), 5), (round(rng.uniform(0, 0.3), 2) for _ in range(5))))
    killed = []  # replays finished when each kill landed
    for target, delay in moments:  # each run reuses what the one before finished, then dies
        process = subprocess.Popen(_command(night, out), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        while process.poll() is None and len(list(out.glob("*/manifest.json"))) < target:
            time.sleep(0.02)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed.append(len(list(out.glob("*/manifest.json"))))
        process.wait()
    print(f"SIGKILL after (replays finished, seconds more): {moments}; replays done when killed: {killed}")
    assert len(killed) == 5, (moments, killed)
    final = _run(night, out)
    assert final.returncode == status, final.stderr
    assert "Traceback" not in final.stderr
    _no_partial_files(out)
    got, want = output_tree(out), output_tree(expected)
    differing = sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))
    assert not differing, f"{differing[:8]} differ after kills at {moments} ({killed} replays done by then)"

    # One more run does no work: every stored stage of every replay is reused, nothing rewritten.
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.suffix in (".mp4", ".srt", ".jpg")}
    again = _run(night, out)
    assert again.returncode == status
    for entry in json.loads((out / "batch.json").read_text()):
        if entry["status"] == "ok":
            reused = json.loads((out / entry["dir"] / "manifest.json").read_text())["reused_stages"]
            assert set(STORED) <= set(reused), (entry["input"], reused)
    assert {p: p.stat().st_mtime_ns for p in before} == before


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    if os.geteuid() != 0:
        pytest.fail("mounting a small tmpfs needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)


def test_disk_fills_up_mid_batch_then_the_batch_resumes(night, reference, tmp_path):
    expected, _, status = reference
    needed = sum(p.stat().st_size for p in expected.rglob("*") if p.is_file())
    out = tmp_path / "small-disk"
    _mount_tmpfs(out, f"{max(needed // 3, 64 * 1024)}")  # a third of what the batch writes
    try:
        full = _run(night, out)
        assert full.returncode == 1
        assert "No space left on device" in full.stderr, full.stderr[-2000:]
        assert "Traceback" not in full.stderr + full.stdout
        _no_partial_files(out)
        batch = out / "batch.json"
        if batch.is_file():  # written when there was room: every entry says what happened, in one line
            for entry in json.loads(batch.read_text()):
                assert entry["status"] in ("ok", "failed") and "\n" not in (entry["error"] or "")
        # Room again: the same command finishes the batch.
        subprocess.run(["mount", "-o", f"remount,size={needed * 4}", str(out)], check=True)
        resumed = _run(night, out)
        assert resumed.returncode == status, resumed.stderr[-2000:]
        _no_partial_files(out)
        assert output_tree(out) == output_tree(expected)
    finally:
        subprocess.run(["umount", str(out)], check=True)
