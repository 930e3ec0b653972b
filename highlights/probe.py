"""Probe stage: what is in an input file, and whether we can process it.

PyAV reads the container with the same libavformat that ffprobe uses, without a
separate binary."""

from __future__ import annotations

import logging
from pathlib import Path

import av

from .damage import DECODE_ERRORS, scan_container
from .records import MediaInfo

log = logging.getLogger("highlights")


class MediaError(ValueError):
    """An input that cannot be processed; the message is one line a user understands."""


def probe(path: str | Path) -> MediaInfo:
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise MediaError(f"{path}: file is empty (0 bytes)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise MediaError(f"{path}: not a video or audio file (unrecognised or damaged data)") from None
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"{path}: cannot open media: {_reason(exc)}") from None
    with container:
        video = next((s for s in container.streams.video if not _is_cover_art(s)), None)
        audios = list(container.streams.audio)
        if video is None and not audios:
            raise MediaError(f"{path}: no video or audio stream")
        duration = _duration(container, video, audios)
        if duration <= 0:
            raise MediaError(f"{path}: media has no duration (truncated or empty)")
        info = MediaInfo(
            path=str(path),
            container=container.format.name,
            duration=round(duration, 3),
            size_bytes=size,
            has_video=video is not None,
            has_audio=bool(audios),
            audio_streams=len(audios),
        )
        if audios:
            audio = audios[0]
            info.audio_codec = audio.codec_context.name
            info.sample_rate = audio.codec_context.sample_rate
        if video is not None:
            info.video_codec = video.codec_context.name
            info.width, info.height = video.codec_context.width, video.codec_context.height
            rate = video.average_rate or video.guessed_rate or video.base_rate
            info.fps = round(float(rate), 3) if rate else None
            info.frame_rate = f"{rate.numerator}/{rate.denominator}" if rate else None
            info.rotation = _first_frame_rotation(container, video, path)
            if not info.width or not info.height:
                raise MediaError(f"{path}: video stream has no picture size")
    info.damaged, info.damaged_packets = _container_damage(path)
    return info


def _container_damage(path: Path) -> tuple[list[list[float]], int]:
    """Damage the demuxer sees (corrupt packets, holes in the timestamps), by reading every
    packet once without decoding: about as costly as copying the file, so a long replay's
    probe stays in seconds."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            # Cover art is one picture at 0 s: it would look like a video stream that stopped.
            video = [s for s in container.streams.video if not _is_cover_art(s)][:1]
            damage = scan_container(container, [*video, *container.streams.audio[:1]], container_origin(container))
    except (av.error.FFmpegError, OSError) as exc:  # it opened a moment ago: report, don't fail
        log.debug("%s: damage scan stopped: %s", path, exc)
        return [], 0
    if damage.packets:
        log.debug("%s: %d damaged packets or holes in the container", path, damage.packets)
    return damage.merged(), damage.packets


def container_origin(container) -> float:
    """Where ffmpeg's `-ss 0` is: the container's start time, in seconds (an MPEG-TS file
    starts wherever the broadcast clock was)."""
    return container.start_time / av.time_base if container.start_time is not None else 0.0


def _duration(container, video, audios) -> float:
    if container.duration:
        return container.duration / av.time_base
    best = 0.0
    for stream in [video, *audios]:
        if stream is not None and stream.duration and stream.time_base:
            best = max(best, float(stream.duration * stream.time_base))
    return best


def _first_frame_rotation(container, video, path: Path) -> int:
    """Rotation is display-matrix side data that PyAV exposes on decoded frames; decoding
    the first frame also proves the video stream is readable at all.  Packets that do not
    decode (damage at the start) are skipped, up to `FIRST_FRAME_TRIES` of them."""
    failures: list[Exception] = []
    try:
        for packet in container.demux(video):
            try:
                frames = packet.decode()
            except DECODE_ERRORS as exc:
                failures.append(exc)
                if len(failures) >= FIRST_FRAME_TRIES:
                    break
                continue
            for frame in frames:
                return int(round(frame.rotation or 0)) % 360
    except av.error.FFmpegError as exc:
        failures.append(exc)
    if failures:
        raise MediaError(f"{path}: video stream cannot be decoded: {_reason(failures[-1])}")
    raise MediaError(f"{path}: video stream has no decodable frames")


# Packets tried before a video stream counts as undecodable: a damaged start (a lost second
# at 60 fps, with B-frames) is skipped; a stream that is garbage throughout is refused.
FIRST_FRAME_TRIES = 300


def _is_cover_art(stream) -> bool:
    disposition = getattr(stream, "disposition", None)
    return bool(disposition is not None and disposition & av.stream.Disposition.attached_pic)


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)
