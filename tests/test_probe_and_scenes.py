import json
import os
from fractions import Fraction

import pytest
from conftest import make_video

from highlights.config import SceneSettings
from highlights.probe import MediaError, probe
from highlights.scenes import detect_cuts


def test_probe_real_video(media):
    info = probe(media / "video" / "auto_editor_example.mp4")
    assert (info.video_codec, info.width, info.height, info.fps, info.audio_codec) == ("h264", 1280, 720, 30.0, "aac")
    assert info.duration == pytest.approx(42.4, abs=0.1) and info.rotation == 0


def test_probe_webm_and_audio_only(media):
    webm = probe(media / "video" / "big_buck_bunny_0_30.webm")
    assert webm.video_codec == "vp8" and webm.has_audio
    audio = probe(media / "speech" / "en" / "jfk.flac")
    assert not audio.has_video and audio.has_audio and audio.duration == pytest.approx(11.0, abs=0.05)


def test_probe_rotation(tmp_path, ffmpeg, media):
    import subprocess

    rotated = tmp_path / "rotated.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-display_rotation", "90", "-i", str(media / "scenes" / "counter.mp4"),
                    "-c", "copy", str(rotated)], check=True)
    info = probe(rotated)
    assert info.rotation == 90 and info.display_size == (info.height, info.width)


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"just some text, not a video\n" * 20, "not a video or audio file"),
    (os.urandom(50_000), "not a video or audio file"),
])
def test_probe_rejects_what_is_not_media(tmp_path, content, message):
    path = tmp_path / "replay.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError) as error:
        probe(path)
    assert str(path) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)


def test_probe_truncated_mp4(tmp_path, ffmpeg):
    whole = make_video(ffmpeg, tmp_path / "whole.mp4", seconds=4)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    with pytest.raises(MediaError, match="truncated.mp4"):
        probe(truncated)


def test_probe_missing_file(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        probe(tmp_path / "nope.mp4")


@pytest.mark.parametrize("method", ["keyframes", "full"])
@pytest.mark.parametrize("name, key", [
    ("testvideo", "cuts_frames_ContentDetector_default"),
    ("counter", "cuts_frames"),
])
def test_scene_cuts_match_pyscenedetect_goldens(media, name, key, method):
    path = media / "scenes" / f"{name}.mp4"
    truth = json.loads((media / "scenes" / f"{name}.scenes.json").read_text())
    fps = float(Fraction(str(truth["fps"])))  # "30000/1001" or a number
    expected = [frame / fps for frame in truth[key]]
    cuts = detect_cuts(path, probe(path), SceneSettings(method=method))
    assert len(cuts) == len(expected)
    for cut, frame_time in zip(cuts, expected):
        assert abs(cut - frame_time) <= 1.5 / fps


@pytest.mark.parametrize("method", ["keyframes", "full"])
def test_fades_have_no_content_cuts(media, method):
    path = media / "scenes" / "fades.mp4"
    assert detect_cuts(path, probe(path), SceneSettings(method=method)) == []


def test_keyframe_scan_finds_the_same_cuts_as_a_full_scan(samples, media):
    """Our own sample (cuts between keyframes too) and a cartoon full of motion."""
    for path in (samples / "demo_replay.mp4", media / "video" / "big_buck_bunny_0_30.webm"):
        info = probe(path)
        assert detect_cuts(path, info, SceneSettings(method="keyframes")) == \
            detect_cuts(path, info, SceneSettings(method="full"))


def test_scenes_disabled_or_audio_only(media):
    path = media / "speech" / "en" / "jfk.flac"
    assert detect_cuts(path, probe(path), SceneSettings()) == []
    video = media / "scenes" / "testvideo.mp4"
    assert detect_cuts(video, probe(video), SceneSettings(enabled=False)) == []


def test_busy_video_leaves_stretches_for_the_clip_edges(media):
    """A cartoon cuts every few seconds and never keeps still: checking every stretch would be a
    full decode, so the scan leaves them unchecked. No cut is lost by that (each full-scan cut
    lies in an unchecked stretch), and checking only the stretches in one region finds exactly
    the full scan's cuts there."""
    from highlights.scenes import check_stretches, scan_scenes

    video = media / "video" / "big_buck_bunny_0_30.webm"
    info = probe(video)
    scan = scan_scenes(video, info, SceneSettings())
    full = detect_cuts(video, info, SceneSettings(method="full"))
    assert scan.cuts == [] and len(scan.unchecked) >= 3 and len(full) >= 3
    frame = 1 / info.fps
    assert all(any(t0 < cut <= t1 + frame for t0, t1 in scan.unchecked) for cut in full)
    low, high = 10.0, 14.0
    near = [[max(t0, low), min(t1, high)] for t0, t1 in scan.unchecked if t0 < high and low < t1]
    found = check_stretches(video, info, SceneSettings(), near)
    assert found == pytest.approx([c for c in full if low < c <= high], abs=frame)
    assert check_stretches(video, info, SceneSettings(), scan.unchecked) == pytest.approx(full, abs=frame)


def test_edge_regions_are_the_word_gaps_around_each_edge():
    from highlights.config import SelectionSettings
    from highlights.records import Highlight, Word
    from highlights.selection import edge_regions

    words = [Word(0.0, 0.5, "a"), Word(0.6, 1.0, "b"), Word(4.0, 4.4, "c"), Word(4.5, 9.0, "d"), Word(12.0, 12.5, "e")]
    settings = SelectionSettings(snap_tolerance=1.0)
    regions = edge_regions([Highlight(3.85, 9.15, ["p"], 2.0)], words, 20.0, settings)
    assert regions == [(0.0, 5.0), (8.0, 13.0)]  # the gaps 1.0-4.0 and 9.0-12.0, one second wider
    assert edge_regions([Highlight(12.4, 19.0, ["p"], 2.0)], words, 20.0, settings)[1] == (11.5, 20.0)
