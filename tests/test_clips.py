"""Clips cut by the real ffmpeg, checked with Debian's ffprobe (not our own probe code)."""

import subprocess

import pytest

from conftest import make_video
from highlights.clips import ClipError, clip_extension, cut_clip, keyframe_times, make_thumbnail
from highlights.config import ClipSettings
from highlights.probe import probe


def streams(info, kind):
    return [s for s in info["streams"] if s["codec_type"] == kind]


def duration(info) -> float:
    """Where the last stream ends. (ffprobe 5.1's format duration counts a copied clip's
    B-frame start delay twice, so it is not used.)"""
    return max(float(s.get("start_time", 0)) + float(s["duration"]) for s in info["streams"])


def test_exact_clip_is_frame_exact_h264_aac(samples, tmp_path, ffprobe):
    source = samples / "demo_replay.mp4"
    media = probe(source)
    result = cut_clip(source, media, 12.34, 19.5, tmp_path / "exact.mp4", ClipSettings())
    info = ffprobe(tmp_path / "exact.mp4")
    assert [s["codec_name"] for s in streams(info, "video")] == ["h264"]
    assert [s["codec_name"] for s in streams(info, "audio")] == ["aac"]
    assert abs(duration(info) - 7.16) <= 2 / media.fps + 0.05
    assert result.start == 12.34
    # +faststart: the index (moov) comes before the media data.
    head = (tmp_path / "exact.mp4").read_bytes()[:200_000]
    assert head.index(b"moov") < head.index(b"mdat")


def test_copy_clip_starts_on_a_keyframe_and_keeps_the_whole_range(samples, tmp_path, ffprobe):
    source = samples / "demo_replay.mp4"
    media = probe(source)
    result = cut_clip(source, media, 13.1, 20.0, tmp_path / "copy.mp4", ClipSettings(), mode="copy")
    assert result.start in keyframe_times(source) and result.start <= 13.1
    info = ffprobe(tmp_path / "copy.mp4")
    assert streams(info, "video")[0]["codec_name"] == media.video_codec
    # Stream copy can only stop on a whole packet: never short, at most half a second long.
    assert -2 / media.fps <= duration(info) - (20.0 - result.start) <= 0.5
    assert result.end == pytest.approx(result.start + duration(info), abs=0.01)


def test_vertical_clip_is_1080x1920(samples, tmp_path, ffprobe):
    source = samples / "demo_replay.mp4"
    cut_clip(source, probe(source), 30.0, 33.0, tmp_path / "vertical.mp4", ClipSettings(), mode="vertical")
    video = streams(ffprobe(tmp_path / "vertical.mp4"), "video")[0]
    assert (video["width"], video["height"]) == (1080, 1920)


def test_clip_from_real_video_and_scene_test_video(media, tmp_path, ffprobe):
    real = media / "video" / "auto_editor_example.mp4"
    cut_clip(real, probe(real), 1.0, 4.0, tmp_path / "real.mp4", ClipSettings())
    assert abs(duration(ffprobe(tmp_path / "real.mp4")) - 3.0) < 0.1
    silent_video = media / "scenes" / "testvideo.mp4"  # no audio track at all
    cut_clip(silent_video, probe(silent_video), 1.001, 6.006, tmp_path / "scene.mp4", ClipSettings())
    info = ffprobe(tmp_path / "scene.mp4")
    assert not streams(info, "audio") and abs(duration(info) - 5.005) <= 2 / 29.97


def test_webm_copy_keeps_a_webm_and_exact_makes_mp4(media, tmp_path, ffprobe):
    webm = media / "video" / "big_buck_bunny_0_30.webm"
    info = probe(webm)
    assert clip_extension(info, "copy") == ".webm" and clip_extension(info, "exact") == ".mp4"
    cut_clip(webm, info, 5.0, 9.0, tmp_path / "bunny.webm", ClipSettings(), mode="copy")
    assert streams(ffprobe(tmp_path / "bunny.webm"), "video")[0]["codec_name"] == "vp8"
    cut_clip(webm, info, 5.0, 9.0, tmp_path / "bunny.mp4", ClipSettings())
    assert streams(ffprobe(tmp_path / "bunny.mp4"), "video")[0]["codec_name"] == "h264"


def test_odd_dimensions_and_rotation(ffmpeg, tmp_path, ffprobe):
    odd = make_video(ffmpeg, tmp_path / "odd.mkv", seconds=3, size="321x241", extra=["-c:v", "mpeg4"])
    cut_clip(odd, probe(odd), 0.5, 2.5, tmp_path / "odd.mp4", ClipSettings())
    video = streams(ffprobe(tmp_path / "odd.mp4"), "video")[0]
    assert (video["width"], video["height"]) == (320, 240)
    plain = make_video(ffmpeg, tmp_path / "plain.mp4", seconds=3, size="320x240")
    rotated = tmp_path / "rotated.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-display_rotation", "90", "-i", str(plain), "-c", "copy", str(rotated)],
                   check=True)
    cut_clip(rotated, probe(rotated), 0.5, 2.5, tmp_path / "upright.mp4", ClipSettings())
    video = streams(ffprobe(tmp_path / "upright.mp4"), "video")[0]
    assert (video["width"], video["height"]) == (240, 320)  # turned as the viewer saw it


def test_thumbnail_is_a_jpeg(samples, tmp_path):
    make_thumbnail(samples / "demo_replay.mp4", 14.0, tmp_path / "t.jpg", 320)
    assert (tmp_path / "t.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_audio_only_and_empty_ranges_are_refused(media, samples, tmp_path):
    audio = media / "speech" / "en" / "jfk.flac"
    with pytest.raises(ClipError, match="no video stream"):
        cut_clip(audio, probe(audio), 0, 5, tmp_path / "a.mp4", ClipSettings())
    source = samples / "demo_replay.mp4"
    with pytest.raises(ClipError, match="empty time range"):
        cut_clip(source, probe(source), 5, 5, tmp_path / "e.mp4", ClipSettings())
    assert not list(tmp_path.glob("*.mp4"))
