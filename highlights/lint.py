"""Checking subtitle cues against the rules the cue builder follows, for our own files and
for any SRT/VTT/ASS a translator hands back (`highlights lint-subs`).

Reading speed is judged against the speech around a cue: a cue over `max_cps` where the
speech within `RATE_WINDOW` seconds of it is slower could have been shared out better
(`reading speed`); where the speaker is faster than `max_cps` no timing can help and the
lint says so (`fast speech`, with the speech rate).  The speech rate comes from the words'
timestamps when they are known, else from the cues themselves."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import SubtitleSettings
from .records import Cue, Word
from .subfiles import read_cues
from .typography import typography

TOLERANCE = 1e-3  # files store milliseconds
RATE_WINDOW = 6.0  # seconds of speech around a cue whose rate decides whether its speed was avoidable
# A word split where it should join: an elision ("C 'est", "l' écran", "п 'ять") or a
# hyphenated form ("Est -ce", "celui -là"); a dash between spaces (" - ") is punctuation.
SPLIT_WORD = re.compile(r"\w ['’ʼ]\w|\w['’ʼ] \w|\w -\w")
# A sentence end inside a cue (not at its end), and not after an abbreviation (checked apart).
_SENTENCE_INSIDE = re.compile(r"(\S+[.!?…][\"')\]»”]*)\s+(?=[\"'(«“¿¡]?[A-ZА-ЯЁІЇЄҐ])")

Span = tuple[float, float, int]  # start, end, characters


def speech_spans(words: Sequence[Word]) -> list[Span]:
    """Each word's time and its characters on screen (and the space after it)."""
    return [(w.start, max(w.end, w.start), len(w.text.strip()) + 1) for w in words if w.text.strip()]


def cue_spans(cues: Sequence[Cue]) -> list[Span]:
    return [(c.start, c.end, sum(len(line) for line in c.lines) + 1) for c in cues]


def speech_rate(spans: Sequence[Span], start: float, end: float, window: float = RATE_WINDOW,
                limit: float | None = None) -> float:
    """Characters a second spoken in a window of at least `window` seconds centred on
    [start, end] (inside 0..`limit`, the media's length): each span counts in proportion to
    its overlap with the window."""
    if not spans:
        return 0.0
    half = max(window, end - start) / 2
    middle = (start + end) / 2
    end_of_media = limit if limit is not None else max(span[1] for span in spans)
    lower, upper = max(0.0, middle - half), min(end_of_media, middle + half)
    if upper - lower < 1e-6:
        return 0.0
    chars = 0.0
    for begin, finish, size in spans:
        if finish <= lower or begin >= upper:
            continue
        length = finish - begin
        chars += size if length <= 0 else size * (min(finish, upper) - max(begin, lower)) / length
    return chars / (upper - lower)


@dataclass
class Violation:
    cue: int  # 1-based, as numbered in an SRT file
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"cue {self.cue}: {self.rule}: {self.detail}"


def lint_cues(cues: list[Cue], settings: SubtitleSettings, language: str | None = None,
              speech: Sequence[Span] | None = None, media_duration: float | None = None) -> list[Violation]:
    """What in `cues` breaks the rules.  With `language`, also lines that end on one of its
    weak words and words split where they should join; `speech` (`speech_spans(words)`) and
    `media_duration` make the speech rate of a too-fast cue exact."""
    found: list[Violation] = []
    rules = typography(language) if language else None
    spans = list(speech) if speech is not None else cue_spans(cues)
    limit = duration_limit(media_duration, cues)
    gap = settings.min_gap_frames / settings.frame_rate
    for number, cue in enumerate(cues, start=1):
        duration = cue.end - cue.start
        if not "".join(cue.lines).strip():
            found.append(Violation(number, "empty", "the cue has no text"))
        if duration <= 0:
            found.append(Violation(number, "non-positive duration", f"{cue.start:.3f} → {cue.end:.3f}"))
            continue
        if duration < settings.min_duration - TOLERANCE:
            found.append(Violation(number, "too short", f"{duration:.3f}s < {settings.min_duration:.3f}s"))
        if duration > settings.max_duration + TOLERANCE:
            found.append(Violation(number, "too long", f"{duration:.2f}s > {settings.max_duration:.2f}s"))
        if len(cue.lines) > settings.max_lines:
            found.append(Violation(number, "too many lines", f"{len(cue.lines)} > {settings.max_lines}"))
        for line in cue.lines:
            if len(line) > settings.max_chars_per_line:
                found.append(Violation(number, "line too long",
                                       f"{len(line)} > {settings.max_chars_per_line} characters: {line!r}"))
        chars = sum(len(line) for line in cue.lines)
        if chars / duration > settings.max_cps + 1e-6:
            rate = speech_rate(spans, cue.start, cue.end, limit=limit)
            speed = f"{chars / duration:.1f} cps > {settings.max_cps:g}"
            if rate > settings.max_cps:
                found.append(Violation(number, "fast speech", f"{speed}: speech rate {rate:.0f} cps"))
            else:
                found.append(Violation(number, "reading speed", f"{speed} (speech rate {rate:.0f} cps)"))
        if rules is not None:
            for line in cue.lines:
                last = line.split()[-1] if line.split() else ""
                if rules.is_weak(last):
                    found.append(Violation(number, "weak line end", f"line ends on {last!r}: {line!r}"))
            text = " ".join(cue.lines)
            for match in SPLIT_WORD.finditer(text):
                found.append(Violation(number, "split word", f"{text[max(0, match.start() - 8):match.end() + 8]!r}"))
            if len(text) > settings.max_chars_per_line:
                inside = [m.group(1) for m in _SENTENCE_INSIDE.finditer(text) if not rules.is_abbreviation(m.group(1))]
                if inside:
                    found.append(Violation(number, "sentence inside cue",
                                           f"a sentence ends after {inside[0]!r} inside a cue of more than a line"))
        if number < len(cues):
            following = cues[number]
            if following.start < cue.end - TOLERANCE:
                found.append(Violation(number, "overlap",
                                       f"ends {cue.end:.3f} after next starts {following.start:.3f}"))
            elif following.start - cue.end < gap - TOLERANCE:
                found.append(Violation(number, "gap too small",
                                       f"{following.start - cue.end:.3f}s < {settings.min_gap_frames} frames"))
    return found


def duration_limit(duration: float | None, cues: Sequence[Cue]) -> float | None:
    return duration if duration is not None else (max(c.end for c in cues) if cues else None)


def lint_file(path: Path, settings: SubtitleSettings, language: str | None = None) -> tuple[int, list[Violation]]:
    """Number of cues in a subtitle file and what breaks the rules in it (with `language`,
    its weak words and joins too); raises `SubtitleFileError` when the file cannot be read
    as subtitles."""
    cues = read_cues(Path(path), settings.frame_rate)
    return len(cues), lint_cues(cues, settings, language)
