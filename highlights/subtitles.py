"""Subtitles stage: cues built from word timestamps to broadcast rules, written as SRT and
WebVTT by pysubs2.

Rules (all in `SubtitleSettings`): at most `max_chars_per_line` characters per line and
`max_lines` lines, a cue lasts `min_duration`..`max_duration` seconds, reading speed aims
at `target_cps` and never needs more than `max_cps` unless the speaker is faster than
that, cues are `min_gap_frames` apart, breaks fall at punctuation and pauses rather than
mid-phrase, and a number stays with the unit or currency after it."""

from __future__ import annotations

import re
from pathlib import Path

import pysubs2

from .config import SubtitleSettings
from .edits import write_generated
from .records import Cue, Word

CLAUSE_END = re.compile(r"[,;:–—]$")
SENTENCE_END = re.compile(r"[.!?…]+[\"')\]»”]*$")
NUMBER = re.compile(r"^[$€£₽₴]?\d[\d.,]*%?$")
PAUSE = 0.7  # a silence this long is a natural place for a new cue


def build_cues(words: list[Word], settings: SubtitleSettings, offset: float = 0.0,
               duration: float | None = None) -> list[Cue]:
    """Cues for `words`, with times shifted by `-offset` (a clip's start); no cue outlasts
    `duration` (the clip's or the replay's length)."""
    words = [Word(w.start - offset, w.end - offset, w.text, w.probability) for w in words if w.text.strip()]
    groups = _group(words, settings)
    cues = [Cue(g[0].start, g[-1].end, break_lines(_text(g), settings)) for g in groups]
    cues = _retime(cues, settings)
    if duration is not None and cues:
        cues[-1].end = round(max(min(cues[-1].end, duration), cues[-1].start + 0.001), 3)
    return cues


def _text(words: list[Word]) -> str:
    return " ".join(w.text.strip() for w in words)


def _group(words: list[Word], s: SubtitleSettings) -> list[list[Word]]:
    capacity = s.max_chars_per_line * s.max_lines
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current:
            previous = current[-1]
            candidate = _text(current + [word])
            too_long = len(candidate) > capacity or not _fits_lines(candidate, s)
            too_slow = word.end - current[0].start > s.max_duration
            pause = word.start - previous.end >= PAUSE
            said = _text(current)
            full_enough = len(said) >= capacity * 0.5
            natural = SENTENCE_END.search(previous.text.strip()) or (
                CLAUSE_END.search(previous.text.strip()) and full_enough)
            if too_long or too_slow or pause or natural:
                if (too_long or too_slow) and len(current) > 1 and _keep_together(current[-1], word):
                    # Never strand "49" on one cue and "dollars" on the next.
                    groups.append(current[:-1])
                    current = [current[-1]]
                else:
                    groups.append(current)
                    current = []
        current.append(word)
    if current:
        groups.append(current)
    return groups


def _keep_together(previous: Word, word: Word) -> bool:
    return bool(NUMBER.match(previous.text.strip())) and word.text.strip()[:1].isalpha()


def _fits_lines(text: str, s: SubtitleSettings) -> bool:
    return all(len(line) <= s.max_chars_per_line for line in break_lines(text, s))


def break_lines(text: str, settings: SubtitleSettings) -> list[str]:
    """Split a cue's text into at most `max_lines` lines, balanced, preferring a break
    after punctuation, never inside a number+unit pair."""
    text = " ".join(text.split())
    if len(text) <= settings.max_chars_per_line or settings.max_lines == 1:
        return [text]
    tokens = text.split(" ")
    best, best_cost = [text], float("inf")
    for cut in range(1, len(tokens)):
        first, second = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        overflow = max(0, len(first) - settings.max_chars_per_line) + max(0, len(second) - settings.max_chars_per_line)
        cost = overflow * 100 + abs(len(first) - len(second))
        if CLAUSE_END.search(tokens[cut - 1]) or SENTENCE_END.search(tokens[cut - 1]):
            cost -= 12
        if NUMBER.match(tokens[cut - 1]) and tokens[cut][:1].isalpha():
            cost += 50
        if len(tokens[cut - 1]) <= 3 and tokens[cut - 1].isalpha() and tokens[cut - 1].islower():
            cost += 6  # avoid ending a line on "a", "the", "de", "и"
        if cost < best_cost:
            best, best_cost = [first, second], cost
    if settings.max_lines > 2 and len(best[1]) > settings.max_chars_per_line:
        return [best[0], *break_lines(best[1], _with_lines(settings, settings.max_lines - 1))]
    return best


def _with_lines(settings: SubtitleSettings, lines: int) -> SubtitleSettings:
    from dataclasses import replace

    return replace(settings, max_lines=lines)


def _retime(cues: list[Cue], s: SubtitleSettings) -> list[Cue]:
    """Give each cue time to be read: lengthen to the reading-speed target and the minimum
    duration, into the silence after it, but keep the gap before the next cue."""
    gap = s.min_gap_frames / s.frame_rate
    for index, cue in enumerate(cues):
        limit = cues[index + 1].start - gap if index + 1 < len(cues) else float("inf")
        chars = len(cue.text.replace("\n", " "))
        wanted = max(s.min_duration, chars / s.target_cps)
        cue.end = min(max(cue.end, cue.start + wanted), cue.start + s.max_duration, max(limit, cue.end))
        if cue.end > limit:
            # Speech ran right up to the next cue: make room for the gap.
            cue.end = max(limit, cue.start + 0.001)
        cue.start, cue.end = round(max(cue.start, 0.0), 3), round(cue.end, 3)
        if cue.end - cue.start < s.min_duration and index + 1 < len(cues):
            # Push the next cue a little rather than flash this one.
            shift = cue.start + s.min_duration + gap - cues[index + 1].start
            if shift > 0 and cues[index + 1].end - shift > cues[index + 1].start:
                cues[index + 1].start = round(cues[index + 1].start + shift, 3)
                cue.end = round(cue.start + s.min_duration, 3)
    return cues


def to_ssafile(cues: list[Cue]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000),
                                     text=r"\N".join(cue.lines)))
    return subs


def write_subtitles(cues: list[Cue], base: Path) -> dict[str, Path]:
    """Write `<base>.srt` and `<base>.vtt` (a file a person edited is kept as it is);
    returns the paths by format."""
    subs = to_ssafile(cues)
    paths = {}
    for fmt in ("srt", "vtt"):
        path = base.with_name(base.name + f".{fmt}")
        write_generated(path, subs.to_string(fmt))
        paths[fmt] = path
    return paths


def read_cues(path: Path) -> list[Cue]:
    subs = pysubs2.load(str(path), encoding="utf-8")
    return [Cue(e.start / 1000, e.end / 1000, e.plaintext.split("\n")) for e in subs if not e.is_comment]
