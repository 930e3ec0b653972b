"""Clips stage: cutting each highlight out of the replay, plus its thumbnail.

- `copy`: stream copy, no re-encode; the start moves back to the keyframe at or before the
  planned start so the whole highlight is kept, and the shift is reported.  Keyframes are
  found by seeking in the container's index, so this stays near-instant on long replays.
- `exact`: H.264/AAC MP4, frame-exact edges, `+faststart` for the web.  With `smart_cut`
  (the default) only the pictures up to the first keyframe and from the last keyframe are
  re-encoded and the rest is copied (`splice.py`): a live stream's 2 s keyframes make that
  about 2 s of encoding per clip instead of all of it.  Sources that cannot be spliced are
  re-encoded whole.
- the social formats (`formats.py`): `vertical` 1080x1920, `square` 1080x1080, `portrait`
  1080x1350.  A crop of the full height in the format's aspect follows the host's face
  (`reframe.py`, faces looked for once for all formats); without a face, the whole frame sits
  on a blurred, scaled copy of itself.  Word-by-word captions and an optional product card are
  burned in (`captions.py`).  All social formats of a clip come from one ffmpeg command: one
  decode of the span, `split` into one crop-scale-burn-encode chain per format.

Optionally the audio is normalised to a loudness target (EBU R128, two-pass `loudnorm`).
Everything is composed in one ffmpeg filtergraph per clip: ffmpeg expresses all of it
directly, and a single decode-filter-encode pass is the fastest way to make the file.

Every output is probed afterwards; a clip whose streams, dimensions or duration are not what
was planned is an error, never a silently broken file."""

from __future__ import annotations

import json
import math
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import av

from .captions import (
    Overlay,
    ass_filter,
    build_script,
    build_word_script,
    caption_cues,
    style_for,
    word_groups,
)
from .config import CLIP_MODES, ClipSettings
from .damage import decode_skipping
from .edits import is_human_edited, write_generated
from .ffmpeg import ffmpeg_exe, run_ffmpeg
from .files import atomic_path
from .formats import ClipFormat, get_format
from .logs import log_tool_output
from .probe import container_origin, probe
from .records import MediaInfo
from .reframe import HostTrack, ReframeError, crop_filter, crop_path, crop_width_share, sample_frames, track_host
from .splice import SpliceError, plan_splice, write_spliced_clip

VERTICAL_SIZE = (1080, 1920)
MP4_VIDEO = {"h264", "hevc", "av1", "mpeg4"}
MP4_AUDIO = {"aac", "mp3", "opus", "ac3", "eac3", "alac", "flac", None}
WEBM_VIDEO = {"vp8", "vp9", "av1"}
WEBM_AUDIO = {"vorbis", "opus", None}
SOCIAL_SAMPLE_RATE = 48000
# ffmpeg's AAC encoder with its fast coder: a third of the default (twoloop) coder's time, the
# difference inaudible at 128 kbit/s in clips the apps re-encode anyway
SOCIAL_AAC = ("-aac_coder", "fast")
LOUDNESS_TRUE_PEAK = -1.5  # dBTP, what the platforms ask for
LOUDNESS_RANGE = 11.0  # LU, loudnorm's default


class ClipError(RuntimeError):
    pass


@dataclass
class CutResult:
    start: float  # where the clip really starts in the replay
    end: float
    duration: float  # as probed
    shift: float = 0.0  # seconds the start moved back from the plan (copy mode: to a keyframe)
    framing: str | None = None  # vertical: "face" (the crop follows the host) or "fit" (whole frame)
    captions: Path | None = None  # vertical: the ASS script burned in
    loudness_target: float | None = None  # LUFS the audio was normalised to (None: left as it was)
    reencoded: float | None = None  # exact: seconds of picture re-encoded when the rest was copied


def clip_extension(media: MediaInfo, mode: str) -> str:
    if mode != "copy":
        return ".mp4"
    if media.video_codec in MP4_VIDEO and media.audio_codec in MP4_AUDIO:
        return ".mp4"
    if media.video_codec in WEBM_VIDEO and media.audio_codec in WEBM_AUDIO:
        return ".webm"
    return ".mkv"


def cut_clip(source: Path, media: MediaInfo, start: float, end: float, target: Path,
             settings: ClipSettings, mode: str | None = None, threads: int = 0,
             overlay: Overlay | None = None) -> CutResult:
    """Cut [start, end] of `source` into `target`; `overlay` gives a vertical clip its captions
    and product card."""
    mode = mode or settings.mode
    if mode not in CLIP_MODES:
        raise ClipError(f"clip {target.name}: unknown clip mode {mode!r}; choose {', '.join(CLIP_MODES)}")
    if not media.has_video:
        raise ClipError(f"{source}: no video stream to cut clips from")
    if start >= media.duration:
        raise ClipError(f"clip {target.name}: starts at {start:.3f}s, after the end of {source} "
                        f"({media.duration:.3f}s)")
    end = min(end, media.duration)  # a plan rounded past the last frame
    if get_format(mode).social:
        return cut_social(source, media, start, end, {mode: target}, settings, threads,
                          {mode: overlay} if overlay is not None else {})[mode]
    planned = start
    if mode == "copy":
        start = keyframe_at_or_before(source, start)
    duration = end - start
    if duration <= 0:
        raise ClipError(f"clip {target.name}: empty time range {start:.3f}-{end:.3f}")
    audio_filter = None
    if settings.loudnorm and media.has_audio:
        audio_filter = loudness_filter(source, start, duration, settings.loudness_target, target.name)
    if mode == "exact" and settings.smart_cut:
        spliced = _spliced_cut(source, media, start, end, target, settings, threads, audio_filter)
        if spliced is not None:
            return spliced
    # Stream copy starts at the keyframe itself; a hair later keeps ffmpeg's backward seek
    # from landing on the keyframe before it through rounding.
    seek = start + 0.0005 if mode == "copy" else start
    inputs = ["-ss", f"{seek:.6f}", "-i", str(source), "-t", f"{duration:.6f}", "-sn", "-dn", "-map_metadata", "-1"]
    framing, script = None, None
    with tempfile.TemporaryDirectory(prefix="highlights-clip-"):
        if mode == "copy":
            output = _copy_args(target, audio_filter)
        else:
            # libx264 with yuv420p needs even dimensions; odd-sized sources lose one pixel.
            output = ["-map", "0:V:0", "-map", "0:a:0?", "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1",
                      *_encode_args(settings, audio_filter)]
        movflags = ["-movflags", "+faststart"] if target.suffix == ".mp4" else []
        with atomic_path(target) as tmp:
            run_ffmpeg([*inputs, *output, *movflags, str(tmp)], f"clip {target.name}", threads)
            # A stream that changes picture size (adaptive bitrate) is encoded at the size it
            # has where the clip starts, not the one its header declares.
            size_here = (lambda: _picture_size_at(source, media, start)) if mode == "exact" else None
            probed = validate_clip(tmp, media, duration, mode, target.name, size_here)
    kept_script = script if script is not None and overlay is not None and overlay.script == script else None
    return CutResult(round(start, 3), round(start + probed, 3), round(probed, 3), round(planned - start, 3),
                     framing, kept_script, settings.loudness_target if audio_filter else None)


def _spliced_cut(source: Path, media: MediaInfo, start: float, end: float, target: Path, settings: ClipSettings,
                 threads: int, audio_filter: str | None) -> CutResult | None:
    """An exact clip with only its edges re-encoded, or None where that cannot be done (the
    caller then re-encodes all of it)."""
    try:
        plan = plan_splice(source, media, start, end)
        if plan is None:
            return None
        with atomic_path(target) as tmp:
            write_spliced_clip(source, plan, tmp, settings.preset, settings.crf, threads, audio_filter,
                               _bits_per_second(settings.audio_bitrate), SOCIAL_SAMPLE_RATE)
            probed = validate_clip(tmp, media, plan.end - plan.first_frame, "exact", target.name)
    except (SpliceError, ClipError, av.error.FFmpegError, ValueError):
        return None  # an unusual stream: re-encoding it whole still gives the clip
    first = round(plan.first_frame, 3)
    return CutResult(first, round(first + probed, 3), round(probed, 3), 0.0,
                     loudness_target=settings.loudness_target if audio_filter else None,
                     reencoded=round(plan.reencoded, 3))


def _bits_per_second(rate: str) -> int:
    text = rate.strip().lower()
    scale = {"k": 1000, "m": 1000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def _encode_args(settings: ClipSettings, audio_filter: str | None) -> list[str]:
    audio = ["-af", audio_filter] if audio_filter else []
    return ["-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf), "-pix_fmt", "yuv420p",
            *audio, "-c:a", "aac", "-b:a", settings.audio_bitrate, "-ac", "2", "-ar", str(SOCIAL_SAMPLE_RATE)]


def _copy_args(target: Path, audio_filter: str | None) -> list[str]:
    # Every audio track is kept: a copy is the lossless archive of the moment.
    streams = ["-map", "0:V:0", "-map", "0:a?", "-avoid_negative_ts", "make_zero"]
    if audio_filter is None:
        return [*streams, "-c", "copy"]
    # Normalising loudness needs new audio for the first track (the one measured); the
    # picture and any other track are still copied untouched.
    codec = "libopus" if target.suffix == ".webm" else "aac"
    return [*streams, "-c", "copy", "-filter:a:0", audio_filter, "-c:a:0", codec, "-b:a:0", "160k",
            "-ar:a:0", str(SOCIAL_SAMPLE_RATE)]


def cut_formats(source: Path, media: MediaInfo, start: float, end: float, targets: Mapping[str, Path],
                settings: ClipSettings, threads: int = 0,
                overlays: Mapping[str, Overlay] | None = None) -> dict[str, CutResult]:
    """[start, end] of `source` in every format of `targets` (mode -> file): `copy` and `exact`
    each on their own, the social formats together from one decode (`cut_social`)."""
    social = {mode: path for mode, path in targets.items() if get_format(mode).social}
    results = {mode: cut_clip(source, media, start, end, path, settings, mode, threads)
               for mode, path in targets.items() if mode not in social}
    if social:
        results.update(cut_social(source, media, start, end, social, settings, threads, overlays or {}))
    return {mode: results[mode] for mode in targets}


def cut_social(source: Path, media: MediaInfo, start: float, end: float, targets: Mapping[str, Path],
               settings: ClipSettings, threads: int = 0,
               overlays: Mapping[str, Overlay] | None = None) -> dict[str, CutResult]:
    """The social formats of one clip in one ffmpeg command: the span is decoded once and
    `split` into one chain per format (crop following the host or the blurred layout, scale,
    captions, encoder).  Decoding and the face search are paid once however many formats."""
    overlays = overlays or {}
    label = ", ".join(path.name for path in targets.values())
    formats = [get_format(mode) for mode in targets]
    if not media.has_video:
        raise ClipError(f"{source}: no video stream to cut clips from")
    if start >= media.duration:
        raise ClipError(f"clip {label}: starts at {start:.3f}s, after the end of {source} ({media.duration:.3f}s)")
    end = min(end, media.duration)
    duration = end - start
    if duration <= 0:
        raise ClipError(f"clip {label}: empty time range {start:.3f}-{end:.3f}")
    audio_filter = None
    if settings.loudnorm and media.has_audio:
        audio_filter = loudness_filter(source, start, duration, settings.loudness_target, label)
    track = _host_track(source, media, start, duration, settings, formats, threads)
    size = media.display_size or (media.width or 0, media.height or 0)
    chains, framings, scripts = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="highlights-clip-") as work:
        sources = [f"[s{i}]" for i in range(len(formats))] if len(formats) > 1 else ["[0:V:0]"]
        if len(formats) > 1:
            chains.append(f"[0:V:0]split={len(formats)}{''.join(sources)}")
        for index, fmt in enumerate(formats):
            path = crop_path(track, size, float(fmt.aspect)) if track is not None else None
            framings[fmt.name] = "face" if path is not None else "fit"
            chain = _framed(sources[index], fmt, path, f"framed{index}")
            overlay = overlays.get(fmt.name)
            script = (_caption_script(overlay, settings, fmt, start, duration, Path(work) / fmt.name)
                      if overlay is not None else None)
            scripts[fmt.name] = script
            burn = f";[framed{index}]{ass_filter(script)}[v{index}]" if script else ""
            chains.append(chain + burn if script else chain.replace(f"[framed{index}]", f"[v{index}]"))
        # -t before -i: every output stops with the input, not just the first one.
        command = ["-ss", f"{start:.6f}", "-t", f"{duration:.6f}", "-i", str(source),
                   *(["-filter_complex_threads", str(threads)] if threads else []), "-filter_complex", ";".join(chains)]
        with ExitStack() as stack:
            temporaries = {mode: stack.enter_context(atomic_path(path)) for mode, path in targets.items()}
            for index, tmp in enumerate(temporaries.values()):
                command += ["-map", f"[v{index}]", "-map", "0:a:0?", "-map_metadata", "-1",
                            *_social_encode_args(settings, audio_filter, threads), "-movflags", "+faststart", str(tmp)]
            run_ffmpeg(command, f"clip {label}", threads)
            probed = {mode: validate_clip(tmp, media, duration, mode, targets[mode].name)
                      for mode, tmp in temporaries.items()}
    results = {}
    for mode, length in probed.items():
        overlay = overlays.get(mode)
        script = scripts[mode]
        kept = script if script is not None and overlay is not None and overlay.script == script else None
        results[mode] = CutResult(round(start, 3), round(start + length, 3), round(length, 3), 0.0, framings[mode],
                                  kept, settings.loudness_target if audio_filter else None)
    return results


def _host_track(source: Path, media: MediaInfo, start: float, duration: float, settings: ClipSettings,
                formats: list[ClipFormat], threads: int) -> HostTrack | None:
    size = media.display_size
    if not settings.face_tracking or size is None:
        return None
    if all(crop_width_share(size, float(fmt.aspect)) > 0.95 for fmt in formats):
        return None  # the source already has the formats' shape: nothing to follow
    try:
        return track_host(source, media, start, duration, threads)
    except ReframeError as exc:
        raise ClipError(f"{source}: {exc}") from None


def _framed(source: str, fmt: ClipFormat, path, out: str) -> str:
    """The filter chain from the decoded picture to the format's frame, labelled `out`."""
    assert fmt.size is not None
    width, height = fmt.size
    if path is not None:
        aspect = f"{fmt.aspect.numerator}/{fmt.aspect.denominator}"
        # The crop comes first: scaling and everything after it never touch the pixels cut away.
        return f"{source}{crop_filter(path, aspect)},scale={width}:{height},setsar=1[{out}]"
    # The background is blurred at a quarter of the size: it looks the same and costs a
    # sixteenth of a full-size blur.
    small_w, small_h = width // 4 // 2 * 2, height // 4 // 2 * 2
    return (f"{source}split=2[{out}bgsrc][{out}fgsrc];"
            f"[{out}bgsrc]scale={small_w}:{small_h}:force_original_aspect_ratio=increase,crop={small_w}:{small_h},"
            f"boxblur=10:2,scale={width}:{height},setsar=1[{out}bg];"
            f"[{out}fgsrc]scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
            f"setsar=1[{out}fg];"
            f"[{out}bg][{out}fg]overlay=(W-w)/2:(H-h)/2[{out}]")


def _social_encode_args(settings: ClipSettings, audio_filter: str | None, threads: int = 0) -> list[str]:
    params = ["-x264-params", settings.social_x264_params] if settings.social_x264_params else []
    audio = ["-af", audio_filter] if audio_filter else []
    # Clips cut side by side get one thread each (`threads`): x264's own threads would only add
    # their overhead on cores the other clips already fill.
    own = ["-threads", str(threads)] if threads else []
    # A keyframe every 2 s (at 30 fps): the thumbnail, taken from the finished clip, then
    # decodes at most that much of a 1080-wide picture; the apps re-encode on upload anyway.
    return ["-c:v", "libx264", "-preset", settings.social_preset, "-crf", str(settings.social_crf), *params,
            "-g", "60", *own, "-pix_fmt", "yuv420p", *audio, "-c:a", "aac", *SOCIAL_AAC, "-b:a",
            settings.audio_bitrate, "-ac", "2", "-ar", str(SOCIAL_SAMPLE_RATE)]


def _caption_script(overlay: Overlay, settings: ClipSettings, fmt: ClipFormat, start: float, duration: float,
                    work: Path) -> Path | None:
    """Write the clip's ASS script for one format (where the overlay asks to keep it, else in
    `work`); a script a person edited is burned as they left it."""
    target = overlay.script or work / "captions.ass"
    if overlay.script is not None and is_human_edited(overlay.script):
        return overlay.script
    look = overlay.look
    style = style_for(fmt, settings.caption_size, look)
    names = overlay.product.names if overlay.product else ()
    product = overlay.product if settings.product_card else None
    if look is not None and look.words:
        groups = (word_groups(overlay.words, start, start + duration, look, style, overlay.language, names)
                  if settings.captions else [])
        if not groups and product is None:
            return None
        script = build_word_script(groups, style, look, duration, product)
    else:
        cues = (caption_cues(overlay.words, start, start + duration, overlay.subtitles, style, overlay.language,
                             names) if settings.captions else [])
        if not cues and product is None:
            return None
        script = build_script(cues, style, duration, product)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_generated(target, script.to_string("ass"))
    return target


def loudness_filter(source: Path, start: float, duration: float, target: float, label: str) -> str | None:
    """Second-pass `loudnorm` settings from a measuring first pass over the clip's first
    audio track; None for (near) silence, which has no loudness to correct."""
    if not -70 < target < 0:
        raise ClipError(f"clip {label}: loudness target {target} LUFS is out of range (-70..0)")
    base = f"loudnorm=I={target}:TP={LOUDNESS_TRUE_PEAK}:LRA={LOUDNESS_RANGE}"
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-ss", f"{start:.6f}", "-t", f"{duration:.6f}",
         "-i", str(source), "-map", "0:a:0", "-af", f"{base}:print_format=json", "-f", "null", "-"],
        capture_output=True, text=True, errors="replace")
    log_tool_output(f"clip {label}: loudness", result.stderr)  # the measurement is printed at info level
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", result.stderr)
    if result.returncode != 0 or not found:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise ClipError(f"clip {label}: measuring loudness failed: {lines[-1] if lines else result.returncode}")
    measured = json.loads(found.group(0))
    loudness = float(measured["input_i"])
    if not math.isfinite(loudness) or loudness < -70:
        return None
    return (f"{base}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
            f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
            f":offset={measured['target_offset']}:linear=true,aresample={SOCIAL_SAMPLE_RATE}")


def validate_clip(path: Path, media: MediaInfo, planned: float, mode: str, label: str,
                  size_at_start: Callable[[], tuple[int, int] | None] | None = None) -> float:
    """Probe a finished clip; return its duration or raise ClipError.  `size_at_start` finds
    the source's picture size (rotation applied) where an exact clip starts; it is asked only
    when the clip's size is not the one the source declares."""
    try:
        with av.open(str(path)) as container:
            videos, audios = container.streams.video, container.streams.audio
            if not videos:
                raise ClipError(f"clip {label}: output has no video stream")
            if media.has_audio and not audios:
                raise ClipError(f"clip {label}: output lost the audio stream")
            video = videos[0]
            size = (video.codec_context.width, video.codec_context.height)
            if mode == "copy":
                if video.codec_context.name != media.video_codec:
                    raise ClipError(f"clip {label}: video codec changed to {video.codec_context.name}")
                expected = (media.width, media.height)
            else:
                if video.codec_context.name != "h264" or (audios and audios[0].codec_context.name != "aac"):
                    raise ClipError(f"clip {label}: expected H.264/AAC")
                display = media.display_size or size
                social = get_format(mode).size
                expected = social if social is not None else (display[0] // 2 * 2, display[1] // 2 * 2)
                if size != expected and mode == "exact" and size_at_start and (here := size_at_start()):
                    expected = (here[0] // 2 * 2, here[1] // 2 * 2)
            if size != expected:
                raise ClipError(f"clip {label}: picture is {size[0]}x{size[1]}, expected {expected[0]}x{expected[1]}")
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


def _picture_size_at(source: Path, media: MediaInfo, time: float) -> tuple[int, int] | None:
    """Width and height of the first picture at or after `time`, as shown (rotation applied)."""
    try:
        with av.open(str(source)) as container:
            video, origin = _video_stream(container), container_origin(container)
            container.seek(max(0, int((time + origin - 1.0) / video.time_base)), stream=video, backward=True)
            for frame in decode_skipping(container, video):
                if frame.time is not None and frame.time - origin >= time - 0.05:
                    size = (frame.width, frame.height)
                    return size[::-1] if media.rotation % 180 else size
    except (av.error.FFmpegError, ClipError):
        pass
    return None


def _video_stream(container):
    streams = [s for s in container.streams.video
               if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not streams:
        raise ClipError(f"{container.name}: no video stream")
    return streams[0]


def keyframe_times(source: Path) -> list[float]:
    """Presentation times of all video keyframes (demuxing the whole file, no decoding)."""
    times = []
    with av.open(str(source)) as container:
        video, origin = _video_stream(container), container_origin(container)
        for packet in container.demux(video):
            if packet.is_keyframe and packet.pts is not None:
                times.append(round(float(packet.pts * video.time_base) - origin, 6))
    return sorted(times)


def keyframe_at_or_before(source: Path, time: float) -> float:
    """The last keyframe at or before `time`.  A seek through the container's index lands
    on or before it, and at most one group of pictures is read from there."""
    with av.open(str(source)) as container:
        video, origin = _video_stream(container), container_origin(container)
        base = video.time_base
        try:
            for back in (0.0, 10.0, 60.0):
                container.seek(max(0, int((time + origin - back) / base)), stream=video, backward=True)
                best = None
                for packet in container.demux(video):
                    if packet.pts is None or not packet.is_keyframe:
                        continue
                    at = round(float(packet.pts * base) - origin, 6)
                    if at > time + 1e-3:
                        break  # keyframes come in presentation order: none later can qualify
                    best = at
                if best is not None:
                    return best
            return 0.0
        except av.error.FFmpegError:
            pass  # a file without a usable index: read all of it instead
    return max([t for t in keyframe_times(source) if t <= time + 1e-3], default=0.0)


def thumbnail_time(clip: Path, around: float, duration: float, window: float = 2.0) -> float:
    """The sharpest moment in [around, around + window] of a clip (seconds from its start):
    variance of the Laplacian of small grey frames, a standard focus measure, so a frame
    caught mid-motion or mid-transition loses to a steady one."""
    import cv2

    begin = min(max(around, 0.0), max(duration - 0.1, 0.0))
    length = max(min(window, duration - begin - 0.05), 0.05)
    rate = 6
    size = probe(clip).display_size
    if size is None:  # no picture to judge: the moment asked for
        return round(begin, 3)
    scores = [(cv2.Laplacian(frame, cv2.CV_64F).var(), time)
              for time, frame in sample_frames(clip, size, begin, length, fps=rate, width=160, deblock=True)]
    return round(begin + max(scores)[1], 3) if scores else round(begin, 3)


def make_thumbnail(source: Path, time: float, target: Path, width: int) -> None:
    with atomic_path(target) as tmp:
        run_ffmpeg(["-ss", f"{max(time, 0):.3f}", "-i", str(source), "-map", "0:V:0", "-frames:v", "1",
                    "-vf", f"scale={width}:-2", "-q:v", "3", "-update", "1", str(tmp)], f"thumbnail {target.name}")
        try:
            with av.open(str(tmp)) as image:
                frame = next(image.decode(video=0))
        except (av.error.FFmpegError, StopIteration):
            raise ClipError(f"thumbnail {target.name}: not a readable image") from None
        if frame.width != width:
            raise ClipError(f"thumbnail {target.name}: {frame.width} pixels wide, expected {width}")
