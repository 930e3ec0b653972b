"""Resuming: a run killed at any stage boundary or inside any file write is finished by the
next run with the same outputs (compared by content), and changing only how the work is
spread (--jobs, threads) reuses every stage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import output_tree

from highlights.config import load_settings
from highlights.pipeline import run_batch
from highlights.replay import STAGE_NAMES

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "id,name,aliases,price,currency\naurora-watch,Aurora smart watch,Aurora|Aurora watch,49,USD\n"
SEGMENT = (10.24, 30.2)  # the Aurora presentation in the sample: one clip's worth of speech


@pytest.fixture(scope="module")
def presentation(tmp_path_factory, ffmpeg, samples) -> Path:
    path = tmp_path_factory.mktemp("src") / "presentation.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-y", "-ss", str(SEGMENT[0]), "-i", str(samples / "demo_replay.mp4"),
                    "-t", str(SEGMENT[1] - SEGMENT[0]), "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                    str(path)], check=True)
    return path


# Where the runs below are killed, in the order a run reaches them: every stage boundary and
# the writes of each kind of file (the temporary is whole there, the target not yet renamed).
KILL_POINTS = [point for name in STAGE_NAMES for point in (f"stage:{name}:start", f"stage:{name}:done")]
KILL_POINTS[KILL_POINTS.index("stage:transcribe:done"):KILL_POINTS.index("stage:transcribe:done")] = [
    "write:transcript.json"]
KILL_POINTS[KILL_POINTS.index("stage:clips:done"):KILL_POINTS.index("stage:clips:done")] = [
    "write:clip-01-*.mp4", "write:clip-01-*.jpg"]
KILL_POINTS[KILL_POINTS.index("stage:subtitles:done"):KILL_POINTS.index("stage:subtitles:done")] = [
    "write:*.en.srt@2", "write:*.en.ass"]
KILL_POINTS += ["write:recap.html", "write:manifest.json", "write:batch.json@2"]


def test_killed_at_every_stage_boundary_and_inside_writes_then_resumed(tmp_path, presentation):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(presentation, inputs / "one.mp4")
    (inputs / "catalog.csv").write_text(CATALOG)
    command = [sys.executable, "-m", "highlights", "run", str(inputs), "--languages", "en", "--language", "en", "-q"]
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    subprocess.run(command + ["-o", str(reference)], check=True, cwd=ROOT, capture_output=True)

    for point in KILL_POINTS:
        environ = {**os.environ, "HIGHLIGHTS_KILL_AT": point}
        killed = subprocess.run(command + ["-o", str(resumed)], cwd=ROOT, capture_output=True, env=environ)
        assert killed.returncode == -9, f"the run was not killed at {point}: {killed.stderr.decode()[-500:]}"
        # Nothing half-written ever carries a final name.
        for path in resumed.rglob("*.json"):
            json.loads(path.read_text())
    finished = subprocess.run(command + ["-o", str(resumed)], cwd=ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert output_tree(resumed) == output_tree(reference)
    assert not [p for p in resumed.rglob("*") if ".part" in p.name]
    again = subprocess.run(command + ["-o", str(resumed)], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0
    manifest = json.loads(next(resumed.glob("*/manifest.json")).read_text())
    assert manifest["reused_stages"] == list(STAGE_NAMES)


def test_changing_jobs_reuses_every_stage(tmp_path, presentation):
    """--jobs 2 gives each job a share of the cores (a thread count); a resumed run with
    --jobs 1 must not transcribe again because of it."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(presentation, inputs / "one.mp4")
    shutil.copy(presentation, inputs / "two.mp4")
    settings = load_settings("default", languages=["en"], transcribe__language="en")
    out = tmp_path / "out"
    first = run_batch([str(inputs)], out, settings, jobs=2)
    assert first.ok and len(first.manifests) == 2
    second = run_batch([str(inputs)], out, settings, jobs=1)
    assert [m.reused_stages for m in second.manifests] == [list(STAGE_NAMES)] * 2
    threads = load_settings("default", languages=["en"], transcribe__language="en", transcribe__cpu_threads=1,
                            translation__cpu_threads=1)
    third = run_batch([str(inputs)], out, threads, jobs=1)
    assert [m.reused_stages for m in third.manifests] == [list(STAGE_NAMES)] * 2


def test_force_offers_exactly_the_real_stages():
    from click.testing import CliRunner

    from highlights.cli import main

    result = CliRunner().invoke(main, ["run", "x.mp4", "-o", "out", "--force", "recap"])
    assert result.exit_code == 2 and "'recap' is not one of" in result.output
    for name in STAGE_NAMES:
        assert f"'{name}'" in result.output


def test_a_review_re_cuts_only_the_clips_it_changed(tmp_path, samples):
    """decisions.json (written by the review desk or by hand): a rejected clip's files go, a
    moved edge re-cuts that clip on a gap between words, a new title re-cuts nothing; every
    other clip is the same file as before."""
    from highlights.decisions import parse_decisions, write_decisions

    settings = load_settings("default", languages=["en"], transcribe__language="en")
    out = tmp_path / "out"
    first = run_batch([str(samples / "demo_replay.mp4")], out, settings, catalog_path=samples / "catalog.csv")
    (manifest,) = first.manifests
    assert len(manifest.clips) >= 3
    folder = out / manifest.slug
    rejected, moved, retitled = manifest.clips[:3]
    before = {c.id: (folder / c.file).stat().st_mtime_ns for c in manifest.clips}
    new_end = moved.end - 2.0
    write_decisions(folder, parse_decisions(json.dumps({"clips": {
        rejected.id: {"status": "rejected"},
        moved.id: {"end": new_end},
        retitled.id: {"status": "approved", "title": "The lamp, in one minute"},
    }})))
    second = run_batch([str(samples / "demo_replay.mp4")], out, settings, catalog_path=samples / "catalog.csv")
    (after,) = second.manifests
    clips = {c.id: c for c in after.clips}
    assert rejected.id not in clips and not (folder / rejected.file).exists()
    assert not (folder / rejected.thumbnail).exists()
    assert clips[moved.id].end < moved.end and abs(clips[moved.id].end - new_end) < 1.0
    words = [w for s in json.loads((folder / "transcript.json").read_text())["segments"] for w in s["words"]]
    # On a gap between words (the sample's voice leaves none, so: on a word boundary, give
    # or take the frame the exact cut rounds to).
    assert not any(w["start"] + 0.05 < clips[moved.id].end < w["end"] - 0.05 for w in words)
    assert (folder / clips[moved.id].file).stat().st_mtime_ns != before[moved.id]
    assert clips[retitled.id].title == "The lamp, in one minute" and clips[retitled.id].status == "approved"
    untouched = [c.id for c in manifest.clips[2:]]
    assert all((folder / clips[i].file).stat().st_mtime_ns == before[i] for i in untouched)
    assert "transcribe" in after.reused_stages and "clips" not in after.reused_stages
    assert json.loads((folder / "decisions.json").read_text())["clips"][rejected.id] == {"status": "rejected"}


def captions_said(script: Path) -> str:
    """The text a burned caption script shows, each group once (a word-by-word style repeats
    a group for every word it highlights): its Caption events without their tags."""
    import pysubs2

    groups = dict.fromkeys(" ".join(e.plaintext.split()) for e in pysubs2.load(str(script)) if e.style == "Caption")
    return " ".join(groups)


def test_a_caption_correction_re_cuts_only_its_clip(tmp_path, samples):
    """A clip's caption corrections (decisions.json `captions`) are burned into that clip,
    which is cut again, and reach its subtitles in every language and its social copy; the
    other clips are reused as they were, and the replay's own transcript and subtitles keep
    the words as said."""
    from conftest import stream_digests

    from highlights.decisions import parse_decisions, write_decisions

    settings = load_settings("default", languages=["en", "fr"], transcribe__language="en", clips__mode="vertical")
    out = tmp_path / "out"

    def run():
        (manifest,) = run_batch([str(samples / "demo_replay.mp4")], out, settings,
                                catalog_path=samples / "catalog.csv").manifests
        return manifest, out / manifest.slug

    first, folder = run()
    fixed, *others = first.clips
    assert fixed.captions and len(others) >= 2

    def text(path: str) -> str:
        return (folder / path).read_text(encoding="utf-8")

    def files(clip) -> dict[str, bytes]:
        paths = [clip.captions, clip.thumbnail, *(p for f in clip.subtitles.values() for p in (f.srt, f.vtt, f.ass))]
        return {p: (folder / p).read_bytes() for p in paths if p}

    # What the first run made: the words as Whisper heard them, in the clip and the replay.
    assert "tracks" in captions_said(folder / fixed.captions) and "tracks" in text(fixed.subtitles["en"].srt)
    assert "rêve" in text(fixed.subtitles["fr"].srt) and "Aurora smart watch" in text(fixed.subtitles["fr"].srt)
    assert "#tracks" in fixed.social["en"].hashtags and "Aurora 10" in text(fixed.subtitles["en"].srt)
    before_video = stream_digests(folder / fixed.file)
    before_others = {c.id: (files(c), stream_digests(folder / c.file), (folder / c.file).stat().st_mtime_ns)
                     for c in others}
    replay_subtitles = {p: (folder / p).read_bytes() for p in
                        (first.subtitles["en"].srt, first.subtitles["fr"].srt)}
    transcript = (folder / "transcript.json").read_bytes()

    write_decisions(folder, parse_decisions(json.dumps({"clips": {fixed.id: {"captions": [
        {"from": "Aurora smart watch", "to": "Aurora Smartwatch Pro"},  # every language where it is said
        {"from": "tracks", "to": "counts", "language": "en"},
        {"from": "Aurora 10", "to": "AURORA10", "language": "en"},  # a promo code, as the seller writes it
        {"from": "rêve", "to": "sommeil", "language": "fr"},  # a translation put right
    ]}}}, ensure_ascii=False)))
    second, _ = run()
    clips = {c.id: c for c in second.clips}
    again = clips[fixed.id]

    # The corrected clip: cut again with the new words burned in, the old ones gone (the
    # product card keeps the catalog's name).
    burned = captions_said(folder / again.captions)
    assert "Aurora Smartwatch Pro" in burned and "counts" in burned, burned
    assert "tracks" not in burned and "smart watch" not in burned
    assert stream_digests(folder / again.file) != before_video
    assert again.plan != fixed.plan and [f.to for f in again.caption_fixes][1] == "counts"
    english, french = text(again.subtitles["en"].srt), text(again.subtitles["fr"].srt)
    assert "Aurora Smartwatch Pro" in english and "counts" in english and "tracks" not in english
    assert "Aurora Smartwatch Pro" in french and "sommeil" in french and "rêve" not in french
    assert "counts" not in french  # the English-only correction stays in English
    # The social copy is made from the corrected words: the code is now an offer, in its title.
    assert "AURORA10" not in fixed.social["en"].title
    assert "AURORA10" in again.social["en"].title and "AURORA10" in again.social["en"].description
    assert "#tracks" not in again.social["en"].hashtags

    # Every other clip: reused, its files the same bytes and streams.
    for clip in others:
        same = clips[clip.id]
        assert same.plan == clip.plan and same.social == clip.social
        assert (files(same), stream_digests(folder / same.file), (folder / same.file).stat().st_mtime_ns) == \
            before_others[clip.id], clip.id
    # The replay's transcript and subtitles keep what was said.
    assert (folder / "transcript.json").read_bytes() == transcript
    assert {p: (folder / p).read_bytes() for p in replay_subtitles} == replay_subtitles
    assert "transcribe" in second.reused_stages and "clips" not in second.reused_stages
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["clips"][0]["caption_fixes"][0] == {"from": "Aurora smart watch", "to": "Aurora Smartwatch Pro",
                                                         "language": None}
