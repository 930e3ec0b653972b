"""Chapters of a replay: a YouTube chapter list (`chapters.txt`, pasted into the video's
description) and a WebVTT chapters track (`chapters.vtt`, `<track kind="chapters">`).

`0:00 Intro`, then one chapter per product presentation (each clip), named by its products.
YouTube shows chapters only when the list starts at 0:00, has at least three entries and
each lasts at least ten seconds.  Boundaries are whole seconds (YouTube's resolution; the
WebVTT track uses the same ones, so both agree).  A chapter that would be too short lends
its start to the one before or is merged with it under both names, so every clipped product
stays named; with too few presentations for three chapters the list is still written (the
timestamps link in a description) and the result says YouTube will not show it as chapters
rather than inventing entries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .files import write_text
from .records import Manifest

MIN_LENGTH = 10  # seconds: YouTube's shortest chapter
MIN_ENTRIES = 3  # YouTube's fewest chapters
INTRO = "Intro"


@dataclass
class Chapter:
    start: int  # whole seconds from the start of the replay
    end: int
    title: str
    products: list[str] = field(default_factory=list)  # catalog ids; empty for the intro


@dataclass
class ChapterResult:
    chapters: list[Chapter]
    files: dict[str, str] = field(default_factory=dict)  # "txt" / "vtt" -> path
    youtube_ready: bool = True  # the list meets YouTube's rules as written
    warnings: list[str] = field(default_factory=list)


def chapters(manifest: Manifest) -> tuple[list[Chapter], list[str]]:
    """The chapters of a replay and what the user should know about them (pure)."""
    duration = int(math.floor(manifest.duration))
    names = {p.id: p.name for p in manifest.products}
    warnings: list[str] = []
    found: list[Chapter] = [Chapter(0, duration, INTRO)]
    for clip in sorted(manifest.clips, key=lambda c: c.start):
        title = " & ".join(names.get(p, p) for p in clip.products) or clip.id
        start = int(math.floor(clip.start))
        if start <= found[-1].start:  # overlapping or same second: one chapter for both
            _merge(found[-1], title, clip.products)
            continue
        found.append(Chapter(start, duration, title, list(clip.products)))
    for before, after in zip(found, found[1:]):
        before.end = after.start
    _lengthen(found, duration, warnings)
    if len(found) < MIN_ENTRIES:
        warnings.append(f"{len(found)} chapter(s): YouTube shows chapters only from {MIN_ENTRIES} on; "
                        "the timestamps still link from the description")
    return found, warnings


def _merge(into: Chapter, title: str, products: list[str]) -> None:
    if into.title == INTRO and not into.products:
        into.title, into.products = title, list(products)  # the intro is lost, the product is not
        return
    if title not in into.title.split(" / "):
        into.title = f"{into.title} / {title}"
    into.products += [p for p in products if p not in into.products]


def _lengthen(found: list[Chapter], duration: int, warnings: list[str]) -> None:
    """Make every chapter at least MIN_LENGTH long: first by starting it earlier where the
    chapter before can spare the time, else by merging it into that chapter."""
    i = 0
    while i < len(found):
        chapter = found[i]
        short = MIN_LENGTH - (chapter.end - chapter.start)
        if short <= 0:
            i += 1
            continue
        if i == 0:
            # The intro (or the first chapter) is too short: the next chapter starts at 0:00.
            if len(found) > 1:
                follower = found.pop(1)
                if chapter.title == INTRO and not chapter.products:
                    chapter.title, chapter.products = follower.title, follower.products
                else:
                    _merge(chapter, follower.title, follower.products)
                chapter.end = follower.end
                continue
            warnings.append(f"the replay is shorter than {MIN_LENGTH} s: one chapter")
            return
        previous = found[i - 1]
        spare = (previous.end - previous.start) - MIN_LENGTH
        if spare >= short:
            previous.end -= short
            chapter.start -= short
            i += 1
            continue
        _merge(previous, chapter.title, chapter.products)
        previous.end = chapter.end
        found.pop(i)
        warnings.append(f"{chapter.title} was under {MIN_LENGTH} s: its chapter is merged with the one before")


def timestamp(seconds: int) -> str:
    """YouTube's form: 0:00, 4:12, 1:02:03."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def youtube_text(found: list[Chapter]) -> str:
    return "".join(f"{timestamp(c.start)} {c.title}\n" for c in found)


def webvtt_text(found: list[Chapter]) -> str:
    def stamp(seconds: int) -> str:
        hours, rest = divmod(seconds, 3600)
        return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000"

    cues = [f"{n}\n{stamp(c.start)} --> {stamp(c.end)}\n{c.title}\n" for n, c in enumerate(found, 1)]
    return "WEBVTT\n\n" + "\n".join(cues)


def youtube_ready(found: list[Chapter]) -> bool:
    return (len(found) >= MIN_ENTRIES and found[0].start == 0
            and all(c.end - c.start >= MIN_LENGTH for c in found))


def write_chapters(manifest: Manifest, replay_dir: Path) -> ChapterResult:
    """Write `replay_dir/chapters.txt` and `replay_dir/chapters.vtt` for a finished replay
    (the pipeline calls it after the clips stage; an audio-only replay gets its intro only)."""
    found, warnings = chapters(manifest)
    result = ChapterResult(found, youtube_ready=youtube_ready(found), warnings=warnings)
    for kind, text in (("txt", youtube_text(found)), ("vtt", webvtt_text(found))):
        target = replay_dir / f"chapters.{kind}"
        write_text(target, text)
        result.files[kind] = target.name
    return result


__all__ = ["Chapter", "ChapterResult", "chapters", "timestamp", "webvtt_text", "write_chapters", "youtube_ready",
           "youtube_text"]
