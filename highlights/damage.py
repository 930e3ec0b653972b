"""Damaged stretches of a recording: found while reading it, skipped, reported, kept out of clips.

A live capture that lost its connection for a moment holds packets that do not decode, or a
jump in its timestamps where the demuxer resynchronised past garbage.  Every stage that reads
the media skips such packets one by one (a damaged packet never fails a replay; only a file
that cannot be opened at all does) and notes where the damage is, as [start, end] seconds:

- `scan_container` (probe): demuxes every packet without decoding (cheap: it reads the file
  once, no decoder runs) and finds packets the demuxer flags as corrupt and holes in a
  stream's timestamps;
- `audio.audio_windows` (transcription) and `scenes` (keyframes) note the packets their
  decoders refuse;
- `avoid_damage` (selection) trims or drops highlights so no clip spans a damaged range.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import av

if TYPE_CHECKING:
    from .records import Highlight

log = logging.getLogger("highlights")

# Errors a damaged packet raises from a decoder.  EOF and "try again" are not damage; a
# decoder in a state it refuses further input from (EPERM after a bad packet) is.
DECODE_ERRORS: tuple[type[Exception], ...] = (av.error.InvalidDataError, av.error.PermissionError,
                                                  av.error.UndefinedError, av.error.UnknownError)
# A hole in one stream's timestamps longer than this (beyond the packet's own duration) is
# data the demuxer skipped.  Audio packets are 20-60 ms apart and a capture never pauses its
# sound, so a quarter second is a dropout.  Video frames can legitimately be further apart
# (a variable-frame-rate capture of a still picture), so only two seconds count there; lost
# data takes the sound with it anyway.
GAP = 2.0
AUDIO_GAP = 0.25
# A stream ending this much before the container does has lost its tail (a few frames short
# is ordinary muxing).
TAIL = 0.5
# Ranges closer than this merge into one: a report of one dropout, not of its every packet.
JOIN = 1.0


@dataclass
class DamageLog:
    """What a reader skipped: how many packets, and where (seconds, unmerged)."""

    packets: int = 0
    ranges: list[list[float]] = field(default_factory=list)

    def add(self, start: float | None, end: float | None, what: str = "") -> None:
        """One skipped packet (or hole) from `start` to `end`; an unknown time is skipped quietly
        in the count only."""
        self.packets += 1
        if start is None:
            return
        end = start if end is None else max(start, end)
        self.ranges.append([round(start, 3), round(end, 3)])
        log.debug("damaged data %s between %.3f and %.3f s skipped", what, start, end)

    def merged(self) -> list[list[float]]:
        return merge_ranges(self.ranges)


def merge_ranges(ranges: Iterable[Sequence[float]], join: float = JOIN) -> list[list[float]]:
    """Sorted, non-overlapping [start, end] ranges; ranges within `join` seconds become one."""
    merged: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in ranges):
        if merged and start <= merged[-1][1] + join:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(a, 3), round(b, 3)] for a, b in merged]


def clock(seconds: float) -> str:
    """1:02, 1:02:03: how a player shows a time."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(ranges: Sequence[Sequence[float]]) -> str:
    """'damaged between 1:02 and 1:05, at 7:10' (the manifest's and the summary's warning)."""
    shown = []
    for start, end in ranges:
        a, b = clock(math.floor(start)), clock(math.ceil(end))  # whole seconds that hold the damage
        shown.append(f"at {a}" if a == b else f"between {a} and {b}")
    return "damaged " + ", ".join(shown)


def scan_container(container: av.container.InputContainer, streams: Sequence[av.stream.Stream] | None = None,
                   origin: float = 0.0) -> DamageLog:
    """Demux every packet of `streams` (default: the first audio and the first video stream;
    the probe passes its own choice, which leaves out cover art) without decoding them:
    corrupt-flagged packets, holes in a stream's timestamps, a stream that stops well before
    the container's end.  Times are from the container's start, `origin` (`probe.container_origin`)."""
    damage = DamageLog()
    streams = list(streams) if streams is not None else \
        [s for s in (*container.streams.video[:1], *container.streams.audio[:1])]
    if not streams:
        return damage
    gaps = {s.index: AUDIO_GAP if s.type == "audio" else GAP for s in streams}
    expected: dict[int, float] = {}
    try:
        for packet in container.demux(streams):
            stamp = packet.dts if packet.dts is not None else packet.pts
            if stamp is None:
                continue  # the flush packet at the end of each stream
            base = packet.time_base
            time = float(stamp * base) - origin
            length = float(packet.duration * base) if packet.duration else 0.0
            index = packet.stream.index
            if index in expected and time - expected[index] > gaps[index]:
                damage.add(expected[index], time, f"(stream {index} skips)")
            if packet.is_corrupt:
                damage.add(time, time + length, f"(stream {index} packet flagged corrupt)")
            expected[index] = max(expected.get(index, time), time + length)
    except DECODE_ERRORS as exc:  # the container itself breaks off: what was read stands
        log.debug("demuxing stopped early: %s", exc)
        damage.add(max(expected.values(), default=0.0), None, "(the rest could not be read)")
    duration = container.duration / av.time_base if container.duration else None
    if duration:
        for index, end in expected.items():
            if duration - end > max(TAIL, gaps[index]):  # the stream's tail was lost
                damage.add(end, duration, f"(stream {index} ends early)")
    return damage


def decode_skipping(container: av.container.InputContainer, stream: av.stream.Stream,
                    damage: DamageLog | None = None) -> Iterator:
    """`container.decode(stream)`, except that a packet that does not decode is skipped (and
    noted in `damage`) instead of ending the decode: libav's own decoders conceal a lost
    packet in the pictures after it, as a player would."""
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except DECODE_ERRORS:
            if damage is not None:
                at = float(packet.pts * packet.time_base) if packet.pts is not None else None
                damage.add(at, at, f"({stream.type} packet does not decode)")
            else:
                log.debug("a damaged %s packet was skipped", stream.type)
            continue
        yield from frames


def avoid_damage(highlights: Sequence[Highlight], damaged: Sequence[Sequence[float]],
                 min_clip: float = 0.0, margin: float = 0.5) -> list[Highlight]:
    """Highlights kept clear of every damaged range (plus `margin` seconds each side, since
    a decoder needs a moment to recover after bad data).  A highlight that overlaps one is
    cut back to its longest clean part; that part is kept if it is at least `min_clip`
    seconds long, else the highlight is dropped.  Untouched highlights are returned as they were.
    The selection calls this so that no clip ever spans a damaged range."""
    bad = merge_ranges(damaged, join=0.0)
    kept: list[Highlight] = []
    for highlight in highlights:
        pieces = [(highlight.start, highlight.end)]
        for start, end in bad:
            start, end = start - margin, end + margin
            pieces = [part for a, b in pieces
                      for part in ((a, min(b, start)), (max(a, end), b)) if part[1] - part[0] > 1e-6]
        if pieces == [(highlight.start, highlight.end)]:
            kept.append(highlight)
            continue
        if not pieces:
            log.debug("highlight %.2f-%.2f dropped: damaged", highlight.start, highlight.end)
            continue
        start, end = max(pieces, key=lambda part: part[1] - part[0])
        if end - start >= min_clip:
            kept.append(replace(highlight, start=round(start, 3), end=round(end, 3),
                                reasons=[*highlight.reasons, "trimmed around damaged data"]))
        else:
            log.debug("highlight %.2f-%.2f dropped: too short once clear of damage", highlight.start, highlight.end)
    return kept
