"""Checking subtitle cues against the rules the cue builder follows, for our own files and
for any SRT/VTT/ASS a translator hands back (`highlights lint-subs`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import SubtitleSettings
from .records import Cue
from .subfiles import read_cues

TOLERANCE = 1e-3  # files store milliseconds


@dataclass
class Violation:
    cue: int  # 1-based, as numbered in an SRT file
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"cue {self.cue}: {self.rule}: {self.detail}"


def lint_cues(cues: list[Cue], settings: SubtitleSettings) -> list[Violation]:
    found: list[Violation] = []
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
            found.append(Violation(number, "reading speed", f"{chars / duration:.1f} cps > {settings.max_cps:g}"))
        if number < len(cues):
            following = cues[number]
            if following.start < cue.end - TOLERANCE:
                found.append(Violation(number, "overlap",
                                       f"ends {cue.end:.3f} after next starts {following.start:.3f}"))
            elif following.start - cue.end < gap - TOLERANCE:
                found.append(Violation(number, "gap too small",
                                       f"{following.start - cue.end:.3f}s < {settings.min_gap_frames} frames"))
    return found


def lint_file(path: Path, settings: SubtitleSettings) -> tuple[int, list[Violation]]:
    """Number of cues in a subtitle file and what breaks the rules in it; raises
    `SubtitleFileError` when the file cannot be read as subtitles."""
    cues = read_cues(Path(path), settings.frame_rate)
    return len(cues), lint_cues(cues, settings)
