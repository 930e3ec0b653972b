"""The content team's extras through `highlights run`: live-room events raise the clips
that sold, a malformed events file is one warning and the replay goes on, chapters name
every clipped product, and a preset's `[export] formats` writes editor timelines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "data" / "events"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "highlights", "run", *args], cwd=ROOT, capture_output=True,
                          text=True)


@pytest.fixture(scope="module")
def with_events(tmp_path_factory, samples) -> Path:
    out = tmp_path_factory.mktemp("live") / "out"
    preset = out.parent / "export.toml"
    preset.write_text('languages = ["en"]\n[transcribe]\nlanguage = "en"\n[export]\nformats = ["otio", "edl"]\n')
    result = run(str(samples / "demo_replay.mp4"), "-o", str(out), "--catalog", str(samples / "catalog.csv"),
                 "--events", str(EVENTS / "demo_replay.events.csv"), "--pipeline", str(preset), "-q")
    assert result.returncode == 0, result.stderr
    return out


def manifest_of(out: Path) -> dict:
    (path,) = out.glob("*/manifest.json")
    return json.loads(path.read_text())


def test_an_add_to_cart_spike_raises_its_clip_with_the_reason(with_events):
    manifest = manifest_of(with_events)
    assert manifest["events"]["events"] > 100 and manifest["events"]["error"] is None
    reasons = {clip["products"][0]: clip["reasons"] for clip in manifest["clips"]}
    assert any(r.startswith("add-to-cart spike x") for r in reasons["lumo-lamp"])
    assert "12 viewers asked for the link" in reasons["aurora-watch"]
    assert not any("spike" in r or "viewers asked" in r for r in reasons["breeze-fan"])


def test_chapters_name_every_clipped_product(with_events):
    manifest = manifest_of(with_events)
    folder = next(with_events.glob("*/manifest.json")).parent
    text = (folder / manifest["chapters"]["txt"]).read_text()
    assert text.splitlines()[0].startswith("0:00 ")
    names = {p["id"]: p["name"] for p in manifest["products"]}
    for clip in manifest["clips"]:
        assert names[clip["products"][0]] in text
    assert (folder / manifest["chapters"]["vtt"]).read_text().startswith("WEBVTT")


def test_exports_written_by_the_run_hold_the_clips(with_events):
    manifest = manifest_of(with_events)
    folder = next(with_events.glob("*/manifest.json")).parent
    assert set(manifest["exports"]) == {"otio", "edl"}
    timeline = otio.adapters.read_from_file(str(folder / manifest["exports"]["otio"]))
    clips = [c for c in timeline.find_clips()]
    assert len(clips) >= len(manifest["clips"])
    starts = sorted(round(c.source_range.start_time.to_seconds(), 2) for c in clips)
    for clip in manifest["clips"]:
        assert any(abs(clip["start"] - s) <= 0.04 for s in starts)


def test_a_malformed_events_file_is_one_warning_and_the_replay_goes_on(with_events, tmp_path, samples):
    out = tmp_path / "out"
    shutil.copytree(with_events, out)
    result = run(str(samples / "demo_replay.mp4"), "-o", str(out), "--catalog", str(samples / "catalog.csv"),
                 "--events", str(EVENTS / "bad_row.events.json"), "--languages", "en", "--language", "en", "-q")
    assert result.returncode == 0, result.stderr
    manifest = manifest_of(out)
    (warning,) = [w for w in manifest["warnings"] if "bad_row.events.json" in w]
    assert "processed without live-room events" in warning and "\n" not in warning
    assert not any("spike" in r for clip in manifest["clips"] for r in clip["reasons"])
    assert "transcribe" in manifest["reused_stages"] and "selection" not in manifest["reused_stages"]
