"""Editor exports: every file re-read by OpenTimelineIO's own adapters, its ranges compared
frame by frame with the manifest's clips, at 25 fps (the demo replay, through the CLI),
at NTSC 30000/1001 and on a variable-frame-rate source."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from conftest import ROOT, make_video

from highlights import files
from highlights.export import FORMATS, export_replay, frame
from highlights.probe import probe
from highlights.records import Clip, Manifest, Mention, Product, from_dict

READ_ARGS = {"edl": "rate"}  # CMX 3600 does not say its rate; the reader must be told


def read_back(path: Path, fmt: str, rate: Fraction) -> otio.schema.Timeline:
    kwargs = {"rate": float(rate)} if fmt in READ_ARGS else {}
    return otio.adapters.read_from_file(str(path), adapter_name=FORMATS[fmt][1], **kwargs)


def video_clips(timeline: otio.schema.Timeline) -> list[otio.schema.Clip]:
    track = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    return [item for item in track if isinstance(item, otio.schema.Clip)]


def frames_of(clip: otio.schema.Clip, rate: Fraction) -> tuple[int, int]:
    """A read-back range in frames of the source's exact rate: readers keep rates as doubles
    (FCPXML's reader even as whole numbers), seconds are what they all agree on."""
    start = clip.source_range.start_time.to_seconds()
    end = start + clip.source_range.duration.to_seconds()
    return round(Fraction(start) * rate), round(Fraction(end) * rate)


def fcpx_spine_frames(path: Path, rate: Fraction) -> list[tuple[int, int]]:
    """The spine's clips as the FCPXML file states them (rational seconds, `1001/1000s`)."""
    seconds = lambda text: Fraction(text.removesuffix("s"))
    spine = ET.parse(path).getroot().find("./project/sequence/spine")
    found = []
    for clip in spine:
        start, duration = seconds(clip.get("start", "0s")) * rate, seconds(clip.get("duration")) * rate
        assert start.denominator == 1 and duration.denominator == 1, "not on the frame grid"
        found.append((int(start), int(start + duration)))
    return found


def assert_ranges_match(manifest: Manifest, folder: Path, rate: Fraction, formats=tuple(FORMATS)) -> None:
    expected = [(frame(c.start, rate), frame(c.end, rate)) for c in sorted(manifest.clips, key=lambda c: c.start)]
    assert expected
    for fmt in formats:
        path = folder / "export" / f"{manifest.slug}{FORMATS[fmt][0]}"
        clips = video_clips(read_back(path, fmt, rate))
        got = [frames_of(c, rate) for c in clips]
        if fmt == "fcpx" and rate.denominator != 1:
            # The FCPXML reader turns 1001/30000s into a whole 29 fps (int() in the adapter), so its
            # read-back may be a frame off; the file itself must hold the exact frames.
            assert fcpx_spine_frames(path, rate) == expected
            assert len(got) == len(expected)
            assert all(abs(a - b) <= 1 for g, e in zip(got, expected) for a, b in zip(g, e))
        else:
            assert got == expected, fmt
        for clip in clips:
            assert clip.media_reference.target_url.startswith("file:///"), fmt


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    """One real run of the demo replay (about 20 s), then `highlights export` on its output."""
    out = tmp_path_factory.mktemp("export") / "out"
    run = subprocess.run([sys.executable, "-m", "highlights", "run", "samples/demo_replay.mp4", "-o", str(out),
                          "--languages", "en"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def demo_export(demo_run: Path) -> tuple[Path, subprocess.CompletedProcess]:
    done = subprocess.run([sys.executable, "-m", "highlights", "export", str(demo_run)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return demo_run / "demo-replay", done


def test_cli_writes_four_files_whose_ranges_equal_the_manifests_clips(demo_export):
    folder, done = demo_export
    manifest = from_dict(Manifest, files.read_json(folder / "manifest.json"))
    assert manifest.media.frame_rate == "25/1"
    assert sorted(p.name for p in (folder / "export").iterdir()) == [
        "demo-replay.edl", "demo-replay.fcpxml", "demo-replay.otio", "demo-replay.xml"]
    assert_ranges_match(manifest, folder, Fraction(25))
    assert "at 25 fps" in done.stdout


def test_media_reference_is_the_source_replay_as_an_absolute_url(demo_export):
    folder, _ = demo_export
    source = (ROOT / "samples" / "demo_replay.mp4").resolve().as_uri()
    for fmt in ("otio", "fcp7", "fcpx"):
        timeline = read_back(folder / "export" / f"demo-replay{FORMATS[fmt][0]}", fmt, Fraction(25))
        assert {c.media_reference.target_url for c in video_clips(timeline)} == {source}, fmt
    assert f"* FROM CLIP: {source}" in (folder / "export" / "demo-replay.edl").read_text()


def test_markers_and_metadata_name_products_and_sales_cues(demo_export):
    folder, _ = demo_export
    manifest = from_dict(Manifest, files.read_json(folder / "manifest.json"))
    timeline = read_back(folder / "export" / "demo-replay.otio", "otio", Fraction(25))
    names = {p.id: p.name for p in manifest.products}
    for clip, record in zip(video_clips(timeline), sorted(manifest.clips, key=lambda c: c.start)):
        meta = clip.metadata["highlights"]
        assert meta["id"] == record.id and list(meta["products"]) == record.products
        assert list(meta["reasons"]) == record.reasons
        assert names[record.products[0]] in clip.name
        kinds = {m.metadata["highlights"]["kind"] for m in clip.markers}
        # Every demo clip names its product and states a price (its reasons say so).
        assert {"mention", "price"} <= kinds
        first, last = frame(record.start, Fraction(25)), frame(record.end, Fraction(25))
        assert all(first <= m.marked_range.start_time.value < last for m in clip.markers)
    # The FCP 7 reader gives the markers back too, by name.
    fcp7 = video_clips(read_back(folder / "export" / "demo-replay.xml", "fcp7", Fraction(25)))
    assert any(m.name.startswith("states price") for m in fcp7[0].markers)


def synthetic_manifest(video: Path, clips: list[tuple[float, float]]) -> Manifest:
    media = probe(video)
    products = [Product(id=f"p{i}", name=f"Product {i}") for i in range(len(clips))]
    return Manifest(
        input=str(video), slug=video.stem, duration=media.duration, language="en", media=media,
        mentions=[Mention(product=f"p{i}", start=s + 0.5, end=s + 1.0, text="Product", matched="Product",
                          similarity=100.0) for i, (s, _e) in enumerate(clips)],
        clips=[Clip(id=f"clip-{i + 1:02d}-p{i}", start=s, end=e, file=f"clips/{i}.mp4", products=[f"p{i}"],
                    score=3.0, reasons=["names Product"], thumbnail="") for i, (s, e) in enumerate(clips)],
        products=products)


def test_ntsc_rate_is_kept_exactly(tmp_path, ffmpeg):
    video = make_video(ffmpeg, tmp_path / "ntsc.mp4", seconds=12.0, rate="30000/1001")  # type: ignore[arg-type]
    manifest = synthetic_manifest(video, [(1.0, 4.321), (5.5, 11.2)])
    assert manifest.media.frame_rate == "30000/1001"
    folder = tmp_path / manifest.slug
    result = export_replay(manifest, folder, list(FORMATS))
    assert set(result.files) == set(FORMATS) and result.rate == "30000/1001" and not result.variable_frame_rate
    rate = Fraction(30000, 1001)
    assert_ranges_match(manifest, folder, rate)
    # The OTIO file itself holds the exact rate (a double of 30000/1001, not 29.97).
    timeline = otio.adapters.read_from_file(result.files["otio"])
    assert video_clips(timeline)[0].source_range.start_time.rate == float(rate)
    assert 'frameDuration="1001/30000s"' in Path(result.files["fcpx"]).read_text()


def test_variable_frame_rate_source_is_conformed_to_nearest_frame_and_said(tmp_path, ffmpeg, caplog):
    # Every fifth frame dropped and timestamps kept: steps of one and two frames, a VFR file.
    video = make_video(ffmpeg, tmp_path / "vfr.mp4", seconds=10.0, rate=30,
                       extra=["-vf", "select='not(eq(mod(n\\,5)\\,0))'", "-fps_mode", "vfr"])
    manifest = synthetic_manifest(video, [(0.5, 3.03), (4.0, 9.01)])
    folder = tmp_path / manifest.slug
    result = export_replay(manifest, folder, ["otio", "fcp7", "edl"])
    assert result.variable_frame_rate
    assert any("variable frame rate" in note and "nearest frame" in note for note in result.notes)
    assert "variable frame rate" in caplog.text
    rate = Fraction(result.rate)
    assert rate in (Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30))
    assert_ranges_match(manifest, folder, rate, formats=("otio", "fcp7", "edl"))
    timeline = otio.adapters.read_from_file(result.files["otio"])
    assert timeline.metadata["highlights"]["variable_frame_rate"] is True


def test_constant_rate_source_is_not_called_variable(tmp_path, ffmpeg):
    video = make_video(ffmpeg, tmp_path / "cfr.mp4", seconds=4.0, rate=25)
    manifest = synthetic_manifest(video, [(0.2, 3.0)])
    result = export_replay(manifest, tmp_path / manifest.slug, ["otio"])
    assert not result.variable_frame_rate and result.rate == "25" and result.notes == []
    assert export_replay(manifest, tmp_path / "none", []).files == {} and not (tmp_path / "none").exists()


def test_export_formats_setting_is_checked(tmp_path):
    from highlights.config import ConfigError, load_settings

    assert load_settings("default").export.formats == []
    assert load_settings("default", export__formats=["otio", "edl"]).export.formats == ["otio", "edl"]
    with pytest.raises(ConfigError, match="unknown format"):
        load_settings("default", export__formats=["avid"])


def test_unknown_cli_format_is_a_usage_error(demo_run):
    done = subprocess.run([sys.executable, "-m", "highlights", "export", str(demo_run), "--format", "otio,aaf"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "unknown export format(s) aaf" in done.stderr
    assert json.loads((demo_run / "batch.json").read_text())  # the run's output is untouched


def test_chapters_of_the_demo_run_name_every_clipped_product(demo_run):
    from highlights.chapters import write_chapters

    folder = demo_run / "demo-replay"
    manifest = from_dict(Manifest, files.read_json(folder / "manifest.json"))
    result = write_chapters(manifest, folder)
    text = (folder / "chapters.txt").read_text()
    assert text.startswith("0:00 Intro\n") and result.youtube_ready
    names = {p.id: p.name for p in manifest.products}
    for clip in manifest.clips:
        assert all(names[p] in text for p in clip.products)
    assert (folder / "chapters.vtt").read_text().startswith("WEBVTT")


def test_demo_run_with_its_events_file_boosts_the_lamp_for_its_cart_spike(demo_run):
    """The real run's mentions and clips, with the room of tests/data/events/demo_replay.events.csv."""
    from highlights.events import live_signals, read_events
    from highlights.records import Highlight

    manifest = from_dict(Manifest, files.read_json(demo_run / "demo-replay" / "manifest.json"))
    clips = sorted(manifest.clips, key=lambda c: c.start)
    highlights = [Highlight(c.start, c.end, c.products, c.score, c.reasons) for c in clips]
    events = read_events(Path(__file__).parent / "data" / "events" / "demo_replay.events.csv")
    signals = live_signals(highlights, manifest.mentions, events, manifest.duration)
    boosted = {clips[b.index].products[0]: b.reasons for b in signals.boosts}
    assert boosted["aurora-watch"] == ["12 viewers asked for the link"]
    assert boosted["lumo-lamp"][0].startswith("add-to-cart spike x")
    assert "breeze-fan" not in boosted


def test_manifest_without_rational_rate_and_without_its_source(tmp_path, ffmpeg):
    """A manifest from before `frame_rate` (only the rounded fps) whose replay has moved: the
    rate 29.97 is read as 30000/1001, and the missing file is said, not hidden."""
    video = make_video(ffmpeg, tmp_path / "moved.mp4", seconds=6.0, rate="30000/1001")  # type: ignore[arg-type]
    manifest = synthetic_manifest(video, [(1.0, 5.0)])
    manifest.media.frame_rate = None
    video.unlink()
    result = export_replay(manifest, tmp_path / "moved", ["otio", "fcp7"])
    assert result.rate == "30000/1001"
    assert any("not found: editors will ask to relink it" in note for note in result.notes)
    assert_ranges_match(manifest, tmp_path / "moved", Fraction(30000, 1001), formats=("otio", "fcp7"))


def test_edl_at_a_rate_timecode_lacks_is_skipped_with_a_note(tmp_path, ffmpeg):
    video = make_video(ffmpeg, tmp_path / "slow.mp4", seconds=6.0, rate=15)
    manifest = synthetic_manifest(video, [(1.0, 5.0)])
    result = export_replay(manifest, tmp_path / "slow", list(FORMATS))
    # FCP 7 XML carries SMPTE timecode too: at 15 fps its adapter refuses, and says so.
    assert set(result.files) == {"otio", "fcpx"}
    assert any(note.startswith("edl: not written: an EDL is written in SMPTE timecode") for note in result.notes)
    assert any(note.startswith("fcp7: not written: SMPTE timecode does not support") for note in result.notes)
    assert_ranges_match(manifest, tmp_path / "slow", Fraction(15), formats=("otio", "fcpx"))
