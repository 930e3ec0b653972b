"""Editor exports: the clips of a replay as one timeline that Premiere, Resolve, Final Cut and
Avid-style tools open, written by OpenTimelineIO and its adapter plugins (no XML of our own).

Every clip becomes a range of the *source replay* (not of the cut clip file), so an editor can
trim it wider than we did.  Ranges are whole frames at the source's exact rational rate
(30000/1001, not 29.97): a clip edge at `t` seconds is frame `round(t * rate)`, the same
rounding the clips stage's frame-exact cut lands on.  Product mentions and sales cues inside
a clip are markers on it; the clip's id, products, score and reasons are its metadata.

A variable-frame-rate source has no exact rate: the timeline uses the standard editing rate
nearest its average rate, every edge lands on the nearest frame of it, and the result (and
the log) says so, because an editor will conform the file to a constant rate the same way."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from .files import read_json, write_text
from .records import Manifest, Transcript, from_dict

log = logging.getLogger(__name__)

# format name -> (file extension, OpenTimelineIO adapter)
FORMATS: dict[str, tuple[str, str]] = {
    "otio": (".otio", "otio_json"),
    "fcp7": (".xml", "fcp_xml"),
    "fcpx": (".fcpxml", "fcpx_xml"),
    "edl": (".edl", "cmx_3600"),
}
# Rates editors (and SMPTE timecode, which EDLs are written in) know; a VFR source is
# conformed to the nearest one.
EDITING_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                 Fraction(50), Fraction(60000, 1001), Fraction(60))
# Marker colours by what they mark, so a product name and a price stand apart on the timeline.
_CUE_COLOURS = {"price": otio.schema.MarkerColor.RED, "promo_code": otio.schema.MarkerColor.ORANGE,
                "call_to_action": otio.schema.MarkerColor.YELLOW, "discount": otio.schema.MarkerColor.PURPLE,
                "urgency": otio.schema.MarkerColor.MAGENTA}
_VFR_PACKETS = 3000  # video packets read to tell a variable rate (about two minutes at 25 fps)


class ExportError(ValueError):
    """An export that cannot be written; the message is one line a user understands."""


@dataclass
class SourceTiming:
    rate: Fraction  # frames per second the timeline uses
    variable: bool  # the source has no constant rate; edges were moved to the nearest frame
    note: str = ""  # said in the log, the timeline's metadata and the result


@dataclass
class ExportResult:
    slug: str
    files: dict[str, str] = field(default_factory=dict)  # format -> path written
    rate: str = ""  # "30000/1001"
    variable_frame_rate: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the whole export of this replay


def parse_formats(text: str | Sequence[str]) -> list[str]:
    """`"otio,fcp7"` or a list -> checked format names, in the order given."""
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise ExportError(f"unknown export format(s) {', '.join(unknown) or '(none)'}; choose from {','.join(FORMATS)}")
    return list(dict.fromkeys(names))


def frame(seconds: float, rate: Fraction) -> int:
    """The frame a time falls on.  `Fraction(str(...))` reads the manifest's decimal as
    written (10.24, not 10.2399999...), so a time exactly between frames rounds the same way
    every run."""
    return round(Fraction(str(seconds)) * rate)


def source_timing(manifest: Manifest, source: Path | None) -> SourceTiming:
    """The rate of the source's video: the probe's rational `frame_rate` when the manifest
    has it, else read from the file; checked for a variable rate when the file is here."""
    media = manifest.media
    rate: Fraction | None = Fraction(media.frame_rate) if media.frame_rate else None
    variable = bool(media.variable_frame_rate)
    if source is not None and source.is_file():
        measured, variable = _read_timing(source)
        rate = rate or measured
    if rate is None and media.fps:
        rate = _nearest_rate(Fraction(str(media.fps)), exact_only=True) or Fraction(str(media.fps))
    if not rate:
        raise ExportError(f"{manifest.input}: no video frame rate known; an editor timeline needs one")
    if variable:
        conformed = _nearest_rate(rate)
        assert conformed is not None
        note = (f"variable frame rate (average {float(rate):.3f} fps): timeline at {_rate_text(conformed)} fps, "
                "every edge on the nearest frame")
        return SourceTiming(conformed, True, note)
    return SourceTiming(rate, False)


def _read_timing(path: Path) -> tuple[Fraction | None, bool]:
    """Average rate and whether it varies, from the container's packet timestamps (demuxing
    only, no decoding; the first few thousand packets, so a long replay costs no more)."""
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.video:
            return None, False
        stream = container.streams.video[0]
        average = stream.average_rate or stream.guessed_rate or stream.base_rate
        stamps = []
        for packet in container.demux(stream):
            if packet.pts is not None:
                stamps.append(packet.pts)
            if len(stamps) >= _VFR_PACKETS:
                break
    stamps.sort()  # presentation order: B-frames arrive out of it
    steps = [b - a for a, b in zip(stamps, stamps[1:]) if b > a]
    variable = False
    if len(steps) > 2:
        # Constant-rate files step by one frame duration (rounding in the time base may add a
        # tick); a variable-rate one has steps of several different lengths.
        usual = sorted(steps)[len(steps) // 2]
        odd = sum(1 for s in steps if abs(s - usual) > max(1, usual * 0.05))
        variable = odd > len(steps) * 0.02
    return (Fraction(average) if average else None), variable


def _nearest_rate(rate: Fraction, exact_only: bool = False) -> Fraction | None:
    best = min(EDITING_RATES, key=lambda r: abs(r - rate))
    if exact_only and abs(best - rate) > Fraction(1, 200):  # a float fps that is not 29.97 & co
        return None
    return best


def _rate_text(rate: Fraction) -> str:
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def resolve_source(manifest: Manifest, replay_dir: Path, root: Path | None = None) -> Path:
    """The replay's file as an absolute path: the manifest's `input` is as the user typed it,
    relative to where `highlights run` ran (`root` when given), which is usually where `export`
    runs too; else relative to the folder above OUT."""
    given = Path(manifest.input)
    if given.is_absolute():
        return given
    bases = [root] if root is not None else [Path.cwd(), replay_dir.resolve().parent.parent]
    for base in bases:
        if (base / given).is_file():
            return (base / given).resolve()
    return (Path.cwd() / given).resolve()


def build_timeline(manifest: Manifest, source: Path, timing: SourceTiming,
                   transcript: Transcript | None = None) -> otio.schema.Timeline:
    """One video track (and its audio) of the clips back to back, each a range of `source`."""
    rate = float(timing.rate)  # OpenTimelineIO keeps rates as doubles; frames stay integers
    rt = lambda frames: otio.opentime.RationalTime(frames, rate)
    names = {p.id: p.name for p in manifest.products}
    total = frame(manifest.duration, timing.rate)
    cues = _cues(transcript) if transcript is not None else []

    timeline = otio.schema.Timeline(name=manifest.slug, global_start_time=rt(0))
    timeline.metadata["highlights"] = {"input": manifest.input, "frame_rate": _rate_text(timing.rate),
                                       "variable_frame_rate": timing.variable, "note": timing.note,
                                       "version": manifest.highlights_version}
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    for clip in sorted(manifest.clips, key=lambda c: c.start):
        first, last = frame(clip.start, timing.rate), frame(clip.end, timing.rate)
        if last <= first:
            continue
        metadata = {"id": clip.id, "products": list(clip.products),
                    "product_names": [names.get(p, p) for p in clip.products],
                    "score": clip.score, "reasons": list(clip.reasons), "mode": clip.mode, "file": clip.file}
        for track in (video, audio):
            # Each track gets its own reference: OpenTimelineIO objects have one parent.
            reference = otio.schema.ExternalReference(target_url=source.as_uri(),
                                                      available_range=otio.opentime.TimeRange(rt(0), rt(total)))
            reference.name = source.name
            item = otio.schema.Clip(name=_clip_name(clip.id, clip.products, names), media_reference=reference,
                                    source_range=otio.opentime.TimeRange(rt(first), rt(last - first)),
                                    metadata={"highlights": dict(metadata)})
            if track is video:
                for marker in _markers(manifest, cues, names, first, last, timing.rate):
                    item.markers.append(marker)
            track.append(item)
    timeline.tracks.append(video)
    timeline.tracks.append(audio)
    return timeline


def _clip_name(clip_id: str, products: list[str], names: dict[str, str]) -> str:
    number = clip_id.split("-")[1] if clip_id.count("-") >= 1 else clip_id
    return f"{number} {' + '.join(names.get(p, p) for p in products)}".strip()


def _cues(transcript: Transcript) -> list[Any]:
    from .cues import find_cues

    return find_cues(transcript.words, transcript.language)


def _markers(manifest: Manifest, cues: list[Any], names: dict[str, str], first: int, last: int,
             rate: Fraction) -> list[otio.schema.Marker]:
    """Markers inside one clip, in the source's time (OpenTimelineIO's clip markers live in
    the clip's media time, as editors' clip markers do)."""
    rt = lambda frames: otio.opentime.RationalTime(frames, float(rate))
    found = []
    for mention in manifest.mentions:
        at = frame(mention.start, rate)
        if first <= at < last:
            found.append(otio.schema.Marker(
                name=names.get(mention.product, mention.product), color=otio.schema.MarkerColor.GREEN,
                marked_range=otio.opentime.TimeRange(rt(at), rt(0)),
                metadata={"highlights": {"kind": "mention", "product": mention.product, "said": mention.text.strip(),
                                         "confidence": mention.confidence}}))
    for cue in cues:
        at = frame(cue.start, rate)
        if first <= at < last:
            found.append(otio.schema.Marker(
                name=cue.reason, color=_CUE_COLOURS.get(cue.kind, otio.schema.MarkerColor.BLUE),
                marked_range=otio.opentime.TimeRange(rt(at), rt(0)),
                metadata={"highlights": {"kind": cue.kind, "value": cue.value, "said": cue.text.strip()}}))
    return sorted(found, key=lambda m: m.marked_range.start_time.value)


def _write(timeline: otio.schema.Timeline, fmt: str, target: Path, timing: SourceTiming) -> None:
    extension, adapter = FORMATS[fmt]
    kwargs: dict[str, Any] = {}
    if fmt == "fcpx":
        _teach_fcpx_rate(timing.rate)
        # A Final Cut clip of an asset with sound plays its sound; the adapter's audio lanes
        # would be placed at whole-number rates (an adapter bug) and land off the frame grid.
        timeline = timeline.deepcopy()
        del timeline.tracks[1:]
    if fmt == "edl":
        if timing.rate not in EDITING_RATES:
            raise ExportError(f"an EDL is written in SMPTE timecode, which has no {float(timing.rate):.3f} fps")
        # CMX 3600 holds one video track (and up to two audio); the audio follows the video.
        timeline = timeline.deepcopy()
        del timeline.tracks[1:]
        kwargs["rate"] = float(timing.rate)
    text = otio.adapters.write_to_string(timeline, adapter_name=adapter, **kwargs)
    write_text(target, text)


def _teach_fcpx_rate(rate: Fraction) -> None:
    """The FCPXML adapter looks frame durations up in a table keyed by `int(rate)` or a
    rounded float (29.97), so an exact 30000/1001 finds none and writes an empty
    `frameDuration` that nothing can read.  Adding the exact rate to its table is the
    adapter's own mechanism with one more row.  The table is patched in the module object
    OpenTimelineIO's plugin loader runs (`.module()`), which is not the one `import` gives."""
    table = otio.adapters.from_name("fcpx_xml").module().FRAMERATE_FRAMEDURATION
    if not table.get(int(rate)):
        table[float(rate)] = f"{rate.denominator}/{rate.numerator}s"


def export_replay(manifest: Manifest, replay_dir: Path, formats: Sequence[str],
                  source: Path | None = None) -> ExportResult:
    """Write `replay_dir/export/<slug>.<ext>` for each format (`otio`, `fcp7`, `fcpx`, `edl`).
    The pipeline calls it after the clips stage when a preset sets `[export] formats`.
    A format that cannot hold this replay (an EDL at a rate timecode lacks) is skipped with a
    note; the others are still written."""
    began = time.perf_counter()
    if not formats:  # `[export] formats = []`, the default: nothing asked, nothing written
        return ExportResult(slug=manifest.slug)
    formats = parse_formats(list(formats))
    source = (source or resolve_source(manifest, replay_dir)).resolve()
    result = ExportResult(slug=manifest.slug)
    if not manifest.media.has_video:
        result.notes.append("audio only: no clips, nothing to export")
        return result
    timing = source_timing(manifest, source)
    result.rate, result.variable_frame_rate = _rate_text(timing.rate), timing.variable
    if timing.note:
        result.notes.append(timing.note)
        log.warning("%s: %s", manifest.slug, timing.note)
    if not source.is_file():
        note = f"source {source} not found: editors will ask to relink it"
        result.notes.append(note)
        log.warning("%s: %s", manifest.slug, note)
    transcript = _transcript(replay_dir)
    timeline = build_timeline(manifest, source, timing, transcript)
    for fmt in formats:
        target = replay_dir / "export" / f"{manifest.slug}{FORMATS[fmt][0]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            _write(timeline, fmt, target, timing)
        except (ExportError, otio.exceptions.OTIOError, ValueError) as exc:  # ValueError: no timecode at this rate
            result.notes.append(f"{fmt}: not written: {exc}")
            log.warning("%s: %s: not written: %s", manifest.slug, fmt, exc)
            continue
        result.files[fmt] = str(target)
    result.seconds = round(time.perf_counter() - began, 3)
    return result


def _transcript(replay_dir: Path) -> Transcript | None:
    path = replay_dir / "transcript.json"
    if not path.is_file():
        return None  # no cue markers, the rest of the export still stands
    return from_dict(Transcript, read_json(path))


def export_batch(out: Path, formats: Sequence[str], source_root: Path | None = None) -> list[ExportResult]:
    """Export every replay folder under `out` that has a manifest (the CLI's `export`);
    `source_root`: where relative input paths start (default: here, then above OUT)."""
    results = []
    for path in sorted(out.glob("*/manifest.json")):
        manifest = from_dict(Manifest, read_json(path))
        source = resolve_source(manifest, path.parent, source_root)
        results.append(export_replay(manifest, path.parent, formats, source))
    if not results:
        raise ExportError(f"{out}: no replay folders (*/manifest.json) to export")
    return results


__all__ = ["FORMATS", "ExportError", "ExportResult", "SourceTiming", "build_timeline", "export_batch",
           "export_replay", "frame", "parse_formats", "resolve_source", "source_timing"]
