"""Clips stage: cutting each highlight out of the replay, plus its thumbnail.

- `copy`: stream copy, no re-encode; the start moves back to the keyframe at or before
  the planned start so the whole highlight is kept (the shift is recorded).
- `exact`: re-encoded H.264/AAC MP4, frame-exact edges, `+faststart` for the web.
- `vertical`: 1080x1920 for social media: the full frame centred on a blurred,
  scaled copy of itself.

Every output is probed afterwards; a clip whose streams or duration are not what was
planned is an error, never a silently broken file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from .config import ClipSettings
from .ffmpeg import run_ffmpeg
from .files import atomic_path
from .records import MediaInfo

VERTICAL_SIZE = (1080, 1920)
MP4_VIDEO = {"h264", "hevc", "av1", "mpeg4"}
MP4_AUDIO = {"aac", "mp3", "opus", "ac3", "eac3", "alac", "flac", None}
WEBM_VIDEO = {"vp8", "vp9", "av1"}
WEBM_AUDIO = {"vorbis", "opus", None}


class ClipError(RuntimeError):
    pass


@dataclass
class CutResult:
    start: float  # where the clip really starts in the replay
    end: float
    duration: float  # as probed


def clip_extension(media: MediaInfo, mode: str) -> str:
    if mode != "copy":
        return ".mp4"
    if media.video_codec in MP4_VIDEO and media.audio_codec in MP4_AUDIO:
        return ".mp4"
    if media.video_codec in WEBM_VIDEO and media.audio_codec in WEBM_AUDIO:
        return ".webm"
    return ".mkv"


def cut_clip(source: Path, media: MediaInfo, start: float, end: float, target: Path,
             settings: ClipSettings, mode: str | None = None, threads: int = 0) -> CutResult:
    mode = mode or settings.mode
    if not media.has_video:
        raise ClipError(f"{source}: no video stream to cut clips from")
    if mode == "copy":
        start = keyframe_at_or_before(source, start)
    duration = end - start
    if duration <= 0:
        raise ClipError(f"clip {target.name}: empty time range {start:.3f}-{end:.3f}")
    inputs = ["-ss", f"{start:.3f}", "-i", str(source), "-t", f"{duration:.3f}", "-sn", "-dn", "-map_metadata", "-1"]
    streams = ["-map", "0:v:0", "-map", "0:a:0?"]
    encode = ["-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf), "-pix_fmt", "yuv420p",
              "-c:a", "aac", "-b:a", settings.audio_bitrate, "-ac", "2"]
    if mode == "copy":
        output = [*streams, "-c", "copy", "-avoid_negative_ts", "make_zero"]
    elif mode == "vertical":
        output = ["-filter_complex", _vertical_filter(), "-map", "[v]", "-map", "0:a:0?", *encode]
    else:
        # libx264 with yuv420p needs even dimensions; odd-sized sources lose one pixel.
        output = [*streams, "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1", *encode]
    movflags = ["-movflags", "+faststart"] if target.suffix == ".mp4" else []
    with atomic_path(target) as tmp:
        run_ffmpeg([*inputs, *output, *movflags, str(tmp)], f"clip {target.name}", threads)
        probed = validate_clip(tmp, media, duration, mode, target.name)
    return CutResult(round(start, 3), round(start + probed, 3), round(probed, 3))


def _vertical_filter() -> str:
    width, height = VERTICAL_SIZE
    return (f"[0:v:0]split=2[bgsrc][fgsrc];"
            f"[bgsrc]scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
            f"boxblur=20:2[bg];"
            f"[fgsrc]scale={width}:{height}:force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2[fg];"
            f"[bg][fg]overlay=(W-w)/2:(H-h)/2,setsar=1[v]")


def validate_clip(path: Path, media: MediaInfo, planned: float, mode: str, label: str) -> float:
    """Probe a finished clip; return its duration or raise ClipError."""
    try:
        with av.open(str(path)) as container:
            videos, audios = container.streams.video, container.streams.audio
            if not videos:
                raise ClipError(f"clip {label}: output has no video stream")
            if media.has_audio and not audios:
                raise ClipError(f"clip {label}: output lost the audio stream")
            video = videos[0]
            if mode != "copy":
                if video.codec_context.name != "h264" or (audios and audios[0].codec_context.name != "aac"):
                    raise ClipError(f"clip {label}: expected H.264/AAC")
                if mode == "vertical" and (video.codec_context.width, video.codec_context.height) != VERTICAL_SIZE:
                    raise ClipError(f"clip {label}: expected {VERTICAL_SIZE[0]}x{VERTICAL_SIZE[1]}")
            duration = container.duration / av.time_base if container.duration else 0.0
    except av.error.FFmpegError as exc:
        raise ClipError(f"clip {label}: output unreadable: {exc}") from None
    frame = 1.0 / (media.fps or 25.0)
    # Two frames of slack, plus one AAC frame: audio is cut on its own 1024-sample grid.
    slack = 2 * frame + 0.05
    # Stream copy ends on whole packets; reordered B-frames can carry it a few frames on.
    late = 0.5 if mode == "copy" else slack
    if not -slack <= duration - planned <= late:
        raise ClipError(f"clip {label}: duration {duration:.3f}s, planned {planned:.3f}s")
    return duration


def keyframe_times(source: Path) -> list[float]:
    """Presentation times of the video keyframes (demuxing only, no decoding)."""
    times = []
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        for packet in container.demux(video):
            if packet.is_keyframe and packet.pts is not None:
                times.append(float(packet.pts * video.time_base) - float((video.start_time or 0) * video.time_base))
    return sorted(times)


def keyframe_at_or_before(source: Path, time: float) -> float:
    earlier = [t for t in keyframe_times(source) if t <= time + 1e-3]
    return max(earlier) if earlier else 0.0


def make_thumbnail(source: Path, time: float, target: Path, width: int) -> None:
    with atomic_path(target) as tmp:
        run_ffmpeg(["-ss", f"{max(time, 0):.3f}", "-i", str(source), "-frames:v", "1",
                    "-vf", f"scale={width}:-2", "-q:v", "3", "-update", "1", str(tmp)], f"thumbnail {target.name}")
