"""Damaged recordings: bytes overwritten at the start, in the middle and at the end of MP4, MKV
and MPEG-TS files (made here from a generated video and from the demo sample, damaged with a
seeded generator) are processed around the damage, which the manifest, batch.json and the
warnings report; clips never span it; only an unreadable file fails."""

from __future__ import annotations

import json
import random
import struct
import subprocess
from pathlib import Path

import pytest

from highlights.config import load_settings
from highlights.damage import avoid_damage, describe, merge_ranges
from highlights.pipeline import run_batch
from highlights.records import Highlight

SECONDS = 6.0
CATALOG = "id,name,aliases,price,currency\naurora-watch,Aurora smart watch,Aurora|Aurora watch,49,USD\n"
PLACES = {"start": 0.08, "middle": 0.5, "end": 0.9}  # share of the media payload
CONTAINERS = ("mp4", "mkv", "ts")


def _ff(ffmpeg: str, *args: str) -> None:
    subprocess.run([ffmpeg, "-v", "error", "-y", *args], check=True)


def payload(data: bytes, container: str) -> tuple[int, int]:
    """Where the audio and video bytes are: an MP4's `mdat` box (its index, `moov`, is what
    makes the file readable at all: damage there is an unreadable file, tested elsewhere);
    for MKV and MPEG-TS the file after its first kilobytes of headers."""
    if container != "mp4":
        return 4096, len(data)
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"mdat":
            return at + 8, at + size
        at += size
    raise AssertionError("no mdat box")


def damage(source: Path, target: Path, container: str, share: float, length: int = 6000, seed: int = 19) -> float:
    """A copy of `source` with `length` bytes overwritten by seeded random bytes at `share`
    of its payload; returns the approximate time of the damage (bytes are spread evenly
    over the time in a constant-bitrate test video)."""
    data = bytearray(source.read_bytes())
    first, last = payload(bytes(data), container)
    at = first + int((last - first - length) * share)
    data[at:at + length] = random.Random(seed).randbytes(length)
    target.write_bytes(bytes(data))
    return share * SECONDS


@pytest.fixture(scope="module")
def sources(tmp_path_factory, ffmpeg) -> dict[str, Path]:
    """6 s of test picture and tone, keyframe every second, in each container."""
    folder = tmp_path_factory.mktemp("damage-src")
    mp4 = folder / "good.mp4"
    _ff(ffmpeg, "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={SECONDS}", "-f", "lavfi",
        "-i", f"sine=frequency=440:duration={SECONDS}", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-shortest", str(mp4))
    out = {"mp4": mp4}
    for container in ("mkv", "ts"):
        out[container] = folder / f"good.{container}"
        _ff(ffmpeg, "-i", str(mp4), "-c", "copy", str(out[container]))
    return out


def settings():
    return load_settings("default", languages=["en"], transcribe__language="en")


def test_damage_at_start_middle_and_end_of_mp4_mkv_ts_is_skipped_and_reported(tmp_path, sources):
    inputs = tmp_path / "in"
    inputs.mkdir()
    expected = {}
    for container in CONTAINERS:
        for place, share in PLACES.items():
            name = f"{place}.{container}"
            expected[name] = damage(sources[container], inputs / name, container, share)
    out = tmp_path / "out"
    result = run_batch([str(inputs)], out, settings())
    batch = {Path(e["input"]).name: e for e in json.loads((out / "batch.json").read_text())}
    assert result.ok, {k: v["error"] for k, v in batch.items() if v["error"]}
    for name, when in expected.items():
        entry = batch[name]
        manifest = json.loads((out / entry["dir"] / "manifest.json").read_text())
        ranges = manifest["damaged"]
        assert ranges, f"{name}: damage not found"
        assert manifest["damaged_packets"] >= 1, name
        # Found where the bytes were overwritten (give or take the container's interleaving).
        assert any(start - 1.5 <= when <= end + 1.5 for start, end in ranges), (name, when, ranges)
        assert any(w.startswith("damaged ") for w in entry["warnings"]), (name, entry["warnings"])
        assert entry["warnings"] == manifest["warnings"], name
        transcript = json.loads((out / entry["dir"] / "transcript.json").read_text())
        # Silence stands in for audio that did not decode: the sound keeps its length.
        assert transcript["duration"] == pytest.approx(SECONDS, abs=0.15), name
    index = (out / "index.html").read_text()
    assert "damaged between" in index or "damaged at" in index
    # The undamaged originals report nothing.
    clean = tmp_path / "clean"
    run_batch([str(p) for p in sources.values()], clean, settings())
    for entry in json.loads((clean / "batch.json").read_text()):
        assert entry["status"] == "ok" and not any("damaged" in w for w in entry["warnings"]), entry


def test_damage_inside_a_presentation_keeps_word_times_and_no_clip_spans_it(tmp_path, ffmpeg, samples):
    """The demo sample's Aurora presentation, damaged near its start in an MPEG-TS (what an
    HLS capture is): the words after the damage keep their times, and the clip is cut back to
    start after it."""
    source = tmp_path / "presentation.ts"
    _ff(ffmpeg, "-ss", "10.24", "-i", str(samples / "demo_replay.mp4"), "-t", "20", "-c:v", "libx264",
        "-preset", "ultrafast", "-g", "25", "-c:a", "aac", str(source))
    data = bytearray(source.read_bytes())
    at = int(len(data) * 0.1)
    data[at:at + 20000] = random.Random(3).randbytes(20000)
    damaged = tmp_path / "damaged.ts"
    damaged.write_bytes(bytes(data))
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(CATALOG)
    out = tmp_path / "out"
    run_batch([str(source), str(damaged)], out, settings(), catalog_path=catalog)
    batch = {Path(e["input"]).name: e for e in json.loads((out / "batch.json").read_text())}
    assert batch["damaged.ts"]["status"] == "ok", batch["damaged.ts"]["error"]
    manifest = json.loads((out / batch["damaged.ts"]["dir"] / "manifest.json").read_text())
    ranges = manifest["damaged"]
    assert ranges and all(end - start < 5 for start, end in ranges), ranges
    assert manifest["clips"], "the clean part is long enough for a clip"
    for clip in manifest["clips"]:
        assert not any(clip["start"] < end and start < clip["end"] for start, end in ranges), (clip, ranges)
    words = {}
    for name in ("presentation.ts", "damaged.ts"):
        transcript = json.loads((out / batch[name]["dir"] / "transcript.json").read_text())
        words[name] = [w for s in transcript["segments"] for w in s["words"]]
    assert words["damaged.ts"], "no speech survived the damage"
    # The last word is past the damage: where it was said, not shifted by the lost audio.
    assert words["damaged.ts"][-1]["end"] == pytest.approx(words["presentation.ts"][-1]["end"], abs=0.3)


def test_garbage_throughout_fails_in_one_line(tmp_path, sources):
    data = bytearray(sources["mkv"].read_bytes())
    data[4096:] = random.Random(5).randbytes(len(data) - 4096)  # headers intact, every packet garbage
    broken = tmp_path / "garbage.mkv"
    broken.write_bytes(bytes(data))
    out = tmp_path / "out"
    run_batch([str(broken)], out, settings())
    (entry,) = json.loads((out / "batch.json").read_text())
    if entry["status"] == "failed":  # what libav makes of it decides which; neither may crash
        assert entry["error"].startswith(str(broken)) and "\n" not in entry["error"]
        assert "Traceback" not in entry["error"] and "internal error" not in entry["error"]
    else:
        assert any("damaged" in w for w in entry["warnings"]), entry


def test_merge_and_describe_ranges():
    assert merge_ranges([[5, 6], [1, 2], [2.5, 3], [10, 10]]) == [[1.0, 3.0], [5.0, 6.0], [10.0, 10.0]]
    assert merge_ranges([[1, 2], [2.5, 3]], join=0) == [[1.0, 2.0], [2.5, 3.0]]
    assert describe([[62.2, 64.6]]) == "damaged between 1:02 and 1:05"
    assert describe([[62.0, 62.0], [3700, 3702.5]]) == "damaged at 1:02, between 1:01:40 and 1:01:43"


def test_avoid_damage_trims_or_drops_highlights():
    keep = Highlight(0, 20, ["a"], 3.0, ["names A"])
    cut = Highlight(30, 60, ["b"], 3.0, ["names B"])
    gone = Highlight(70, 80, ["c"], 3.0)
    result = avoid_damage([keep, cut, gone], [[55, 56], [72, 73]], min_clip=15, margin=0.5)
    assert result[0] is keep  # untouched
    assert (result[1].start, result[1].end) == (30, 54.5) and "trimmed around damaged data" in result[1].reasons
    assert len(result) == 2  # 70-80 keeps at most 7.5 s clear: shorter than a clip may be
    assert avoid_damage([cut], []) == [cut]
