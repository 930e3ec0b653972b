"""Smart-cut exact clips: the pictures between the edge keyframes are the source's own
(bit-identical once decoded), the edges are close re-encodes, every source frame in the span
is there exactly once at its own time, and Debian's ffmpeg decodes the result without a
complaint.  Sources come from ../shared/media, the sample, and ffmpeg-made files for the
container and GOP kinds live streams are recorded in."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import make_video

from highlights.clips import cut_clip
from highlights.config import ClipSettings
from highlights.probe import probe
from highlights.splice import (
    SplicePlan,
    build_avcc,
    parameter_set_id,
    parse_avcc,
    plan_splice,
    split_nal_units,
    write_spliced_clip,
)


def decoded(path: Path, start: float | None = None, end: float | None = None) -> list[tuple[float, np.ndarray]]:
    """(time from the file's origin, grey picture) of each frame, optionally within [start, end)."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        origin = (container.start_time or 0) / av.time_base
        frames = []
        for frame in container.decode(video):
            at = float(frame.pts * video.time_base) - origin
            if start is not None and at < start - 1e-3:
                continue
            if end is not None and at >= end - 1e-3:
                break
            frames.append((at, frame.to_ndarray(format="gray")))
        return frames


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def check_spliced(source: Path, clip: Path, plan: SplicePlan) -> None:
    want = decoded(source, plan.first_frame, plan.end)
    got = decoded(clip)
    assert len(got) == len(want), "every frame of the span, once"
    for (t_src, src), (t_clip, out) in zip(want, got):
        assert t_clip == pytest.approx(t_src - plan.first_frame, abs=1e-3)
        quality = psnr(src, out)
        if plan.head_end - 1e-3 <= t_src < plan.tail_start - 1e-3:
            assert quality == float("inf"), f"copied frame at {t_src:.3f}s differs from the source"
        else:
            assert quality > 30, f"re-encoded frame at {t_src:.3f}s: PSNR {quality:.1f} dB"


def strict_decode(ffmpeg: str, path: Path) -> None:
    """The whole file through ffmpeg with error detection on: no message at all."""
    result = subprocess.run([ffmpeg, "-v", "error", "-err_detect", "explode", "-i", str(path), "-f", "null", "-"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("name,start,end", [("video/auto_editor_example.mp4", 3.31, 21.5),
                                            ("scenes/testvideo.mp4", 0.4, 17.2)])
def test_real_videos_splice_frame_exact(media, ffmpeg, ffprobe, tmp_path, name, start, end):
    source = media / name
    plan = plan_splice(source, probe(source), start, end)
    assert plan is not None and plan.copied > plan.reencoded
    clip = tmp_path / "clip.mp4"
    frames = write_spliced_clip(source, plan, clip)
    check_spliced(source, clip, plan)
    strict_decode(ffmpeg, clip)
    info = ffprobe(clip)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert int(video["nb_frames"]) == frames and float(video["start_time"]) == 0
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    if probe(source).has_audio:
        (track,) = audio
        assert track["codec_name"] == "aac"
        assert float(track["duration"]) == pytest.approx(plan.end - plan.first_frame, abs=0.07)


def test_exact_clip_of_the_sample_is_spliced(samples, ffmpeg, ffprobe, tmp_path):
    """Through clips.cut_clip, as the pipeline calls it: the default exact clip."""
    source = samples / "demo_replay.mp4"
    media = probe(source)
    target = tmp_path / "exact.mp4"
    result = cut_clip(source, media, 12.34, 27.5, target, ClipSettings())
    plan = plan_splice(source, media, 12.34, 27.5)
    assert result.reencoded == pytest.approx(plan.reencoded, abs=1e-3) and result.reencoded < 4
    assert result.start == pytest.approx(12.36, abs=1e-3)  # the first frame at or after 12.34 (25 fps)
    check_spliced(source, target, plan)
    strict_decode(ffmpeg, target)
    head = target.read_bytes()[:200_000]
    assert head.index(b"moov") < head.index(b"mdat")  # +faststart


def test_mpegts_recording_with_b_frames_splices(ffmpeg, tmp_path):
    """HLS recordings are MPEG-TS: Annex B packets, no index to seek with, a start offset."""
    source = make_video(ffmpeg, tmp_path / "live.ts", seconds=10, size="320x240",
                        extra=["-c:v", "libx264", "-g", "25", "-bf", "3", "-c:a", "aac", "-f", "mpegts"])
    assert probe(source).container == "mpegts"
    plan = plan_splice(source, probe(source), 2.3, 8.5)
    assert plan is not None and plan.head_end == pytest.approx(plan.first_frame + 0.72, abs=0.05)
    clip = tmp_path / "clip.mp4"
    write_spliced_clip(source, plan, clip)
    check_spliced(source, clip, plan)
    strict_decode(ffmpeg, clip)


def test_open_gop_and_other_codecs_are_not_spliced(ffmpeg, media, tmp_path):
    open_gop = make_video(ffmpeg, tmp_path / "open.mp4", seconds=6,
                          extra=["-c:v", "libx264", "-x264-params", "keyint=25:open-gop=1"])
    assert plan_splice(open_gop, probe(open_gop), 1.3, 5.0) is None
    vp9 = media / "video" / "big_buck_bunny_0_30.webm"
    assert plan_splice(vp9, probe(vp9), 1.0, 20.0) is None
    # A span without two keyframes in it has nothing to copy.
    closed = make_video(ffmpeg, tmp_path / "closed.mp4", seconds=6, extra=["-c:v", "libx264", "-g", "100"])
    assert plan_splice(closed, probe(closed), 0.5, 3.5) is None


def test_exact_clip_falls_back_to_a_full_encode(ffmpeg, ffprobe, tmp_path):
    source = make_video(ffmpeg, tmp_path / "open.mp4", seconds=6,
                        extra=["-c:v", "libx264", "-x264-params", "keyint=25:open-gop=1"])
    result = cut_clip(source, probe(source), 1.3, 5.0, tmp_path / "exact.mp4", ClipSettings(preset="ultrafast"))
    assert result.reencoded is None and result.start == 1.3
    assert len(decoded(tmp_path / "exact.mp4")) == round((5.0 - 1.3) * 25)


def test_parameter_sets_get_their_own_ids(media, tmp_path):
    """The edges' SPS/PPS sit beside the source's in one avcC, under ids the source does not use."""
    source = media / "video" / "auto_editor_example.mp4"
    plan = plan_splice(source, probe(source), 3.31, 21.5)
    clip = tmp_path / "clip.mp4"
    write_spliced_clip(source, plan, clip)
    with av.open(str(source)) as original, av.open(str(clip)) as spliced:
        _, source_sps, source_pps = parse_avcc(bytes(original.streams.video[0].codec_context.extradata))
        length, sps, pps = parse_avcc(bytes(spliced.streams.video[0].codec_context.extradata))
    assert length == 4 and sps[:len(source_sps)] == source_sps and pps[:len(source_pps)] == source_pps
    ids = [parameter_set_id(unit) for unit in sps]
    assert len(sps) == len(source_sps) + 2 and len(set(ids)) == len(ids)
    assert sorted(parameter_set_id(unit) for unit in pps) == sorted(ids)
    assert parse_avcc(build_avcc(sps, pps)) == (4, sps, pps)


def test_nal_unit_splitting_both_framings():
    units = [b"\x67\x64\x00\x1f", b"\x68\xee", b"\x65\x88\x84\x00\x00\x03\x01"]
    length_prefixed = b"".join(len(u).to_bytes(4, "big") + u for u in units)
    annex_b = b"\x00\x00\x00\x01" + b"\x00\x00\x01".join(units)
    assert split_nal_units(length_prefixed, 4) == units
    assert split_nal_units(annex_b, None) == units


def test_a_stream_that_changes_size_is_spliced_only_where_it_does_not(ffmpeg, tmp_path):
    """Adaptive-bitrate recordings switch picture size mid-stream (a new SPS under the same
    id): a clip across or after the switch is re-encoded whole, at the size the picture has
    where the clip starts; one before it is still spliced."""
    parts = []
    for name, size in (("small", "320x240"), ("large", "640x360")):
        parts.append(make_video(ffmpeg, tmp_path / f"{name}.ts", seconds=6, size=size,
                                extra=["-c:v", "libx264", "-g", "25", "-c:a", "aac", "-f", "mpegts"]))
    source = tmp_path / "switch.ts"
    subprocess.run([ffmpeg, "-v", "error", "-i", "concat:" + "|".join(map(str, parts)), "-c", "copy", str(source)],
                   check=True)
    media = probe(source)
    assert plan_splice(source, media, 1.3, 5.5) is not None
    assert plan_splice(source, media, 1.3, 10.5) is None and plan_splice(source, media, 6.3, 11.5) is None
    result = cut_clip(source, media, 6.3, 11.5, tmp_path / "after.mp4", ClipSettings(preset="ultrafast"))
    assert result.reencoded is None
    assert {frame.shape for _, frame in decoded(tmp_path / "after.mp4")} == {(360, 640)}
    strict_decode(ffmpeg, tmp_path / "after.mp4")
    result = cut_clip(source, media, 1.3, 10.5, tmp_path / "across.mp4", ClipSettings(preset="ultrafast"))
    assert result.reencoded is None
    assert {frame.shape for _, frame in decoded(tmp_path / "across.mp4")} == {(240, 320)}
