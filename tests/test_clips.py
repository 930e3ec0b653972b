"""Clips cut by the real ffmpeg, checked with Debian's ffprobe (not our own probe code)."""

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import make_video
from test_reframe import frame_at

from highlights.captions import Overlay
from highlights.clips import (
    ClipError,
    clip_extension,
    cut_clip,
    keyframe_at_or_before,
    keyframe_times,
    make_thumbnail,
    thumbnail_time,
    validate_clip,
)
from highlights.config import ClipSettings, Settings
from highlights.probe import probe
from highlights.records import Highlight, Mention, Product, Segment, Transcript, Word
from highlights.replay import cut_clips
from highlights.typography import typography

# For tests about streams, edges and sizes rather than picture quality.
FAST = ClipSettings(preset="ultrafast")


def streams(info, kind):
    return [s for s in info["streams"] if s["codec_type"] == kind]


def duration(info) -> float:
    """Where the last stream ends. (ffprobe 5.1's format duration counts a copied clip's
    B-frame start delay twice, so it is not used where the streams know their own; Matroska's
    do not.)"""
    ends = [float(s.get("start_time", 0)) + float(s["duration"]) for s in info["streams"] if "duration" in s]
    return max(ends) if ends else float(info["format"]["duration"])


def check_clip(ffprobe, path: Path, media, mode: str, planned: float, audio: bool) -> dict:
    """What every clip must be, by mode, seen by ffprobe."""
    info = ffprobe(path)
    (video,) = streams(info, "video")
    frame = 1 / (media.fps or 25)
    if mode == "copy":
        assert video["codec_name"] == media.video_codec
        assert -2 * frame <= duration(info) - planned <= 0.5
    else:
        assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
        assert all(s["codec_name"] == "aac" for s in streams(info, "audio"))
        assert abs(duration(info) - planned) <= 2 * frame + 0.05
        width, height = media.display_size
        expected = (1080, 1920) if mode == "vertical" else (width // 2 * 2, height // 2 * 2)
        assert (video["width"], video["height"]) == expected
    assert bool(streams(info, "audio")) == audio
    return info


def test_exact_clip_is_frame_exact_h264_aac(samples, tmp_path, ffprobe):
    """Re-encoded whole (smart cut off; test_splice.py has the spliced kind)."""
    source = samples / "demo_replay.mp4"
    media = probe(source)
    result = cut_clip(source, media, 12.34, 19.5, tmp_path / "exact.mp4", ClipSettings(smart_cut=False))
    check_clip(ffprobe, tmp_path / "exact.mp4", media, "exact", 7.16, audio=True)
    assert result.start == 12.34 and result.shift == 0
    # +faststart: the index (moov) comes before the media data.
    head = (tmp_path / "exact.mp4").read_bytes()[:200_000]
    assert head.index(b"moov") < head.index(b"mdat")


def test_copy_clip_starts_on_a_keyframe_and_reports_the_shift(samples, tmp_path, ffprobe):
    source = samples / "demo_replay.mp4"
    media = probe(source)
    keyframes = keyframe_times(source)
    result = cut_clip(source, media, 13.1, 20.0, tmp_path / "copy.mp4", ClipSettings(), mode="copy")
    assert result.start == max(k for k in keyframes if k <= 13.1)
    assert result.shift == pytest.approx(13.1 - result.start, abs=1e-3) and result.shift > 0
    info = check_clip(ffprobe, tmp_path / "copy.mp4", media, "copy", 20.0 - result.start, audio=True)
    assert result.end == pytest.approx(result.start + duration(info), abs=0.01)
    on_keyframe = cut_clip(source, media, result.start, 20.0, tmp_path / "copy2.mp4", ClipSettings(), mode="copy")
    assert on_keyframe.start == result.start and on_keyframe.shift == 0


@pytest.mark.parametrize("name", ["scenes/testvideo.mp4", "video/big_buck_bunny_0_30.webm",
                                  "video/auto_editor_example.mp4"])
def test_keyframe_seek_agrees_with_a_full_scan(media, name):
    source = media / name
    keyframes = keyframe_times(source)
    for time in np.linspace(0.0, probe(source).duration - 0.5, 9):
        assert keyframe_at_or_before(source, float(time)) == max([k for k in keyframes if k <= time + 1e-3], default=0)


def test_vertical_sample_without_a_face_fits_the_frame_and_burns_captions(samples, ffmpeg, ffprobe, output_dir):
    source = samples / "demo_replay.mp4"
    media = probe(source)
    truth = json.loads((samples / "demo_replay.truth.json").read_text())
    words = words_from_truth(truth)
    product = Product("aurora-watch", "Aurora smart watch", price=49, currency="USD")
    script = output_dir / "vertical.captions.ass"
    result = cut_clip(source, media, 10.5, 14.5, output_dir / "vertical.mp4", ClipSettings(), mode="vertical",
                      overlay=Overlay(words=words, product=product, script=script))
    check_clip(ffprobe, output_dir / "vertical.mp4", media, "vertical", 4.0, audio=True)
    assert result.framing == "fit"  # the sample's presenter is a drawn silhouette: no face
    assert result.captions == script and "Aurora smart watch" in script.read_text(encoding="utf-8")
    spoken = [line for line in script.read_text(encoding="utf-8").splitlines() if ",Caption," in line]
    # One line each, none ending on a weak word ("Let's start with" / "the ..." would).
    assert spoken and spoken[0].endswith(",Let's start")
    assert not any(typography("en").is_weak(line.split(",")[-1].split()[-1]) for line in spoken)
    image = frame_at(ffmpeg, output_dir / "vertical.mp4", 2.0, output_dir / "vertical-2s.png")  # "Aurora smart watch."
    caption_band = image[1920 - 440 - 130:1920 - 440]
    assert (caption_band > 235).all(axis=2).sum() > 2000  # white caption letters


def words_from_truth(truth: dict) -> list[Word]:
    """The sample's own script, spread evenly over each sentence's time (real text, real times)."""
    words = []
    for part in truth["parts"]:
        for sentence in part["sentences"]:
            tokens = sentence["text"].split()
            step = (sentence["end"] - sentence["start"]) / len(tokens)
            words += [Word(round(sentence["start"] + i * step, 3), round(sentence["start"] + (i + 0.9) * step, 3),
                           " " + token) for i, token in enumerate(tokens)]
    return words


@pytest.mark.parametrize("name, start, end", [("video/auto_editor_example.mp4", 1.0, 3.5),
                                               ("scenes/testvideo.mp4", 1.001, 3.5),
                                               ("scenes/counter.mp4", 0.5, 2.5), ("scenes/fades.mp4", 3.0, 5.0)])
def test_real_video_and_scene_test_videos_in_every_mode(media, tmp_path, ffprobe, name, start, end):
    source = media / name
    info = probe(source)
    for mode in ("copy", "exact", "vertical"):
        target = tmp_path / f"{Path(name).stem}-{mode}{clip_extension(info, mode)}"
        result = cut_clip(source, info, start, end, target, FAST, mode=mode)
        check_clip(ffprobe, target, info, mode, end - result.start, audio=info.has_audio)


def test_webm_copy_keeps_a_webm_and_exact_makes_mp4(media, tmp_path, ffprobe):
    webm = media / "video" / "big_buck_bunny_0_30.webm"
    info = probe(webm)
    assert clip_extension(info, "copy") == ".webm" and clip_extension(info, "exact") == ".mp4"
    cut_clip(webm, info, 5.0, 9.0, tmp_path / "bunny.webm", ClipSettings(), mode="copy")
    assert streams(ffprobe(tmp_path / "bunny.webm"), "video")[0]["codec_name"] == "vp8"
    cut_clip(webm, info, 5.0, 9.0, tmp_path / "bunny.mp4", FAST)
    assert streams(ffprobe(tmp_path / "bunny.mp4"), "video")[0]["codec_name"] == "h264"


def odd_source(ffmpeg, folder: Path, kind: str) -> Path:
    """A small real file of a kind replays come in besides plain MP4."""
    run = lambda *args: subprocess.run([ffmpeg, "-v", "error", "-y", *args], check=True)  # noqa: E731
    picture = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3"]
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=3"]
    target = folder / {"odd": "odd.mkv", "vp9": "vp9.webm", "two-audio": "two-audio.mkv"}.get(kind, f"{kind}.mp4")
    if kind == "odd":
        make_video(ffmpeg, target, size="321x241", extra=["-c:v", "mpeg4"])
    elif kind == "rotated":
        plain = make_video(ffmpeg, folder / "plain.mp4", size="320x240")
        run("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(target))
    elif kind == "vfr":  # frames dropped irregularly, timestamps kept
        run(*picture, *tone, "-vf", "select='not(between(mod(n\\,17)\\,3\\,8))'", "-fps_mode", "vfr",
            "-c:v", "libx264", "-preset", "ultrafast", "-shortest", str(target))
    elif kind == "vp9":
        run(*picture, *tone, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
            "-c:a", "libopus", "-shortest", str(target))
    elif kind == "two-audio":
        run(*picture, *tone, "-f", "lavfi", "-i", "sine=frequency=660:duration=3", "-map", "0", "-map", "1",
            "-map", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", str(target))
    return target


@pytest.mark.parametrize("kind", ["odd", "rotated", "vfr", "vp9", "two-audio"])
def test_odd_sources_in_every_mode(ffmpeg, tmp_path, ffprobe, kind):
    source = odd_source(ffmpeg, tmp_path, kind)
    info = probe(source)
    for mode in ("copy", "exact", "vertical"):
        target = tmp_path / f"out-{kind}-{mode}{clip_extension(info, mode)}"
        result = cut_clip(source, info, 0.5, 2.5, target, FAST, mode=mode)
        probed = check_clip(ffprobe, target, info, mode, 2.5 - result.start, audio=True)
        if kind == "two-audio":
            assert len(streams(probed, "audio")) == (2 if mode == "copy" else 1)
        if kind == "rotated" and mode == "copy":
            side = streams(probed, "video")[0].get("side_data_list", [])
            assert any(abs(abs(d.get("rotation", 0)) - 90) < 1 for d in side)  # still shown upright
        if kind == "rotated" and mode == "exact":
            assert (probe(target).width, probe(target).height) == (240, 320)  # turned as the viewer saw it
        if kind == "vp9" and mode == "copy":
            assert target.suffix == ".webm" and streams(probed, "audio")[0]["codec_name"] == "opus"


def integrated_loudness(ffmpeg, path: Path, track: int = 0) -> float:
    result = subprocess.run([ffmpeg, "-hide_banner", "-nostats", "-i", str(path), "-map", f"0:a:{track}",
                             "-af", "ebur128", "-f", "null", "-"], capture_output=True, text=True)
    summary = result.stderr[result.stderr.rindex("Summary:"):]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))


def test_loudness_is_normalised_to_the_target(ffmpeg, tmp_path, ffprobe):
    quiet = tmp_path / "quiet.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=6",
                    "-f", "lavfi", "-i", "sine=frequency=300:duration=6", "-af", "volume=-28dB",
                    "-c:v", "libx264", "-preset", "ultrafast", "-shortest", str(quiet)], check=True)
    assert integrated_loudness(ffmpeg, quiet) < -30
    media = probe(quiet)
    settings = ClipSettings(loudnorm=True)
    exact = cut_clip(quiet, media, 1.0, 5.0, tmp_path / "exact.mp4", settings)
    assert exact.loudness_target == -14.0
    assert integrated_loudness(ffmpeg, tmp_path / "exact.mp4") == pytest.approx(-14.0, abs=1.0)
    copied = cut_clip(quiet, media, 1.0, 5.0, tmp_path / "copy.mp4", settings, mode="copy")
    info = check_clip(ffprobe, tmp_path / "copy.mp4", media, "copy", 5.0 - copied.start, audio=True)
    assert streams(info, "video")[0]["codec_name"] == "h264"  # the picture is still a copy
    assert integrated_loudness(ffmpeg, tmp_path / "copy.mp4") == pytest.approx(-14.0, abs=1.0)
    # Two tracks (a host and, say, a translator): the first is normalised, the other copied as it was.
    subprocess.run([ffmpeg, "-v", "error", "-y", "-i", str(quiet), "-f", "lavfi", "-i", "sine=frequency=500:duration=6",
                    "-map", "0", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-filter:a:1", "volume=-30dB",
                    "-shortest", str(tmp_path / "two.mkv")], check=True)
    two = probe(tmp_path / "two.mkv")
    cut_clip(tmp_path / "two.mkv", two, 1.0, 5.0, tmp_path / "two-copy.mkv", settings, mode="copy")
    assert len(streams(ffprobe(tmp_path / "two-copy.mkv"), "audio")) == 2
    assert integrated_loudness(ffmpeg, tmp_path / "two-copy.mkv", 0) == pytest.approx(-14.0, abs=1.0)
    assert integrated_loudness(ffmpeg, tmp_path / "two-copy.mkv", 1) < -30
    silent = make_video(ffmpeg, tmp_path / "silent.mp4", extra=["-af", "volume=0"])
    assert cut_clip(silent, probe(silent), 0.5, 2.5, tmp_path / "s.mp4", settings).loudness_target is None


def test_thumbnail_is_the_sharpest_moment(ffmpeg, tmp_path):
    # Blurred all through except between 1.5 s and 1.9 s.
    video = make_video(ffmpeg, tmp_path / "blur.mp4", seconds=4, size="640x360",
                       extra=["-vf", "boxblur=12:2:enable='not(between(t,1.5,1.9))'"])
    moment = thumbnail_time(video, 0.5, 4.0, window=2.5)
    assert 1.45 <= moment <= 1.95
    make_thumbnail(video, moment, tmp_path / "t.jpg", 320)
    assert (tmp_path / "t.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_wrong_clip_is_refused_with_a_clear_reason(samples, tmp_path):
    source = samples / "demo_replay.mp4"
    media = probe(source)
    cut_clip(source, media, 20.0, 22.0, tmp_path / "c.mp4", ClipSettings())
    with pytest.raises(ClipError, match=r"c.mp4: duration 2.0\d+s, planned 5.000s"):
        validate_clip(tmp_path / "c.mp4", media, 5.0, "exact", "c.mp4")
    with pytest.raises(ClipError, match=r"picture is 640x360, expected 1080x1920"):
        validate_clip(tmp_path / "c.mp4", media, 2.0, "vertical", "c.mp4")
    (tmp_path / "broken.mp4").write_bytes(b"\x00" * 1000)
    with pytest.raises(ClipError, match="unreadable"):
        validate_clip(tmp_path / "broken.mp4", media, 2.0, "exact", "broken.mp4")


def test_audio_only_and_empty_ranges_are_refused(media, samples, tmp_path):
    audio = media / "speech" / "en" / "jfk.flac"
    with pytest.raises(ClipError, match="no video stream"):
        cut_clip(audio, probe(audio), 0, 5, tmp_path / "a.mp4", ClipSettings())
    source = samples / "demo_replay.mp4"
    with pytest.raises(ClipError, match="empty time range"):
        cut_clip(source, probe(source), 5, 5, tmp_path / "e.mp4", ClipSettings())
    assert not list(tmp_path.glob("*.mp4"))


def sample_stage_inputs(samples: Path):
    """The sample, its probe, a transcript of its own script, and one catalog product."""
    source = samples / "demo_replay.mp4"
    words = words_from_truth(json.loads((samples / "demo_replay.truth.json").read_text()))
    transcript = Transcript("en", 1.0, 88.0, "truth", [Segment(words[0].start, words[-1].end, "", words)])
    return source, probe(source), transcript, [Product("lumo-lamp", "Lumo desk lamp", price=29, currency="USD")]


def test_clip_stage_records_shift_framing_captions_and_thumbnail(samples, tmp_path):
    source, media, transcript, products = sample_stage_inputs(samples)
    highlights = [Highlight(31.1, 35.0, ["lumo-lamp"], 1.0, ["named"])]
    mentions = [Mention("lumo-lamp", 31.5, 32.2, "Lumo desk lamp", "Lumo desk lamp", 100.0)]
    for mode in ("copy", "vertical"):
        settings = Settings(clips=ClipSettings(mode=mode, preset="ultrafast"))
        (clip,) = cut_clips(source, media, tmp_path / mode, highlights, mentions, settings, transcript, products)
        assert (tmp_path / mode / clip.file).is_file() and (tmp_path / mode / clip.thumbnail).is_file()
        assert clip.shift == pytest.approx(31.1 - clip.start, abs=1e-3)
        if mode == "copy":
            assert clip.shift > 0 and clip.captions is None and clip.framing is None
        else:
            assert clip.shift == 0 and clip.framing == "fit" and clip.caption_language == "en"
            script = (tmp_path / mode / clip.captions).read_text(encoding="utf-8")
            assert "Lumo desk lamp" in script and "29 USD" in script
            # A person's fix to the captions is what the next run burns.
            edited = script.replace("Lumo desk lamp", "Lumo lamp (edited)")
            (tmp_path / mode / clip.captions).write_text(edited, encoding="utf-8")
            cut_clips(source, media, tmp_path / mode, highlights, mentions, settings, transcript, products)
            assert (tmp_path / mode / clip.captions).read_text(encoding="utf-8") == edited


def test_clips_cut_side_by_side_come_out_in_order(samples, tmp_path):
    """The clip stage cuts one clip per core at once; vertical clips each track faces with
    OpenCV (a face model per thread: a shared one is not thread-safe) and the clips come back
    in the order of the highlights."""
    source, media, transcript, products = sample_stage_inputs(samples)
    highlights = [Highlight(float(start), float(start) + 3.0, ["lumo-lamp"], 1.0) for start in (5, 20, 40, 60)]
    settings = Settings(clips=ClipSettings(mode="vertical", preset="ultrafast"), transcribe=replace(
        Settings().transcribe, cpu_threads=2))
    clips = cut_clips(source, media, tmp_path, highlights, [], settings, transcript, products)
    assert [c.start for c in clips] == [5.0, 20.0, 40.0, 60.0]
    assert [c.id for c in clips] == [f"clip-0{n}-lumo-lamp" for n in range(1, 5)]
    assert all((tmp_path / c.file).is_file() and c.framing == "fit" for c in clips)
