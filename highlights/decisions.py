"""A reviewer's decisions about the clips of one replay: `OUT/<slug>/decisions.json`.

    {"clips": {"clip-01-aurora-watch": {"status": "approved"},
               "clip-02-lumo-lamp": {"status": "rejected"},
               "clip-03-breeze-fan": {"start": 61.2, "end": 88.0, "title": "Breeze fan, 19 USD",
                                      "captions": [{"from": "Breeze mini fun", "to": "Breeze mini fan"}]}}}

Times are seconds of the replay; `captions` are corrections of the clip's caption text
(`caption_fixes.py`: `from` the words said, `to` what to show, optionally only in one
`language`).  The review desk (`highlights serve`) writes this file, and a
person or a script may write it by hand, so it is read strictly: anything we do not
understand makes the whole file count as absent, reported in one line naming the file and
the place, and the file is then never overwritten (someone's work is in it).

`apply_decisions` is what a run does with the file: rejected clips are dropped and moved
edges are placed between words.  It is pure, so the pipeline decides when to call it."""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import languages
from .caption_fixes import MAX_FIX_TEXT, MAX_FIXES, fix_tokens
from .files import write_json
from .records import CaptionFix, Highlight, Manifest, Word, to_dict
from .text import squeeze

DECISIONS_FILE = "decisions.json"
APPROVED = "approved"
REJECTED = "rejected"
STATUSES = (APPROVED, REJECTED)
_KEYS = ("status", "start", "end", "title", "captions")
_FIX_KEYS = ("from", "to", "language")
MAX_TITLE = 200  # characters; a title is a line on a card, not an essay
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class DecisionsError(ValueError):
    """A decisions file (or a change to it) that cannot be used; the message is one line
    naming the file and the place."""


@dataclass(frozen=True)
class ClipDecision:
    status: str | None = None  # APPROVED, REJECTED or None (not decided yet)
    start: float | None = None  # seconds of the replay; None keeps the clip's own edge
    end: float | None = None
    title: str | None = None
    captions: tuple[CaptionFix, ...] = ()  # corrections of the caption text, in order

    @property
    def empty(self) -> bool:
        return self == ClipDecision()


@dataclass(frozen=True)
class Decisions:
    clips: dict[str, ClipDecision] = field(default_factory=dict)

    def status(self, clip_id: str) -> str | None:
        decision = self.clips.get(clip_id)
        return decision.status if decision else None


def decisions_path(folder: str | Path) -> Path:
    return Path(folder) / DECISIONS_FILE


# --- reading ---------------------------------------------------------------------------------


def parse_decisions(text: str, where: str = DECISIONS_FILE) -> Decisions:
    """The decisions in `text`; raises DecisionsError naming `where` and the place."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DecisionsError(f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise DecisionsError(f"{where}: the top level must be an object with \"clips\"")
    unknown = sorted(set(data) - {"clips"})
    if unknown:
        raise DecisionsError(f"{where}: unknown key {unknown[0]!r} at the top level (only \"clips\")")
    clips = data.get("clips", {})
    if not isinstance(clips, dict):
        raise DecisionsError(f"{where}: \"clips\" must be an object of clip id -> decision")
    return Decisions({str(clip_id): parse_decision(entry, f"{where}: clips.{_shown(clip_id)}")
                      for clip_id, entry in clips.items()})


def _shown(clip_id: str) -> str:
    """A clip id as an error message shows it: as written, or quoted (escapes and all) when it
    holds anything but letters, digits and dashes, so the message stays one line."""
    return clip_id if clip_id and all(c.isalnum() or c in "-_." for c in clip_id) else json.dumps(clip_id)


def parse_decision(entry: Any, place: str) -> ClipDecision:
    """One clip's decision from its JSON form; `place` prefixes the error."""
    if not isinstance(entry, dict):
        raise DecisionsError(f"{place}: must be an object with status, start, end, title or captions")
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise DecisionsError(f"{place}: unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    status = entry.get("status")
    if status is not None and status not in STATUSES:
        raise DecisionsError(f"{place}.status: must be \"approved\" or \"rejected\", not {status!r}")
    start, end = _seconds(entry.get("start"), f"{place}.start"), _seconds(entry.get("end"), f"{place}.end")
    if start is not None and end is not None and start >= end:
        raise DecisionsError(f"{place}: start {start:g} is not before end {end:g}")
    title = entry.get("title")
    if title is not None:
        if not isinstance(title, str):
            raise DecisionsError(f"{place}.title: must be text, not {type(title).__name__}")
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            raise DecisionsError(f"{place}.title: longer than {MAX_TITLE} characters")
        title = title or None
    return ClipDecision(status, start, end, title, parse_fixes(entry.get("captions"), f"{place}.captions"))


def parse_fixes(value: Any, place: str) -> tuple[CaptionFix, ...]:
    """A clip's caption corrections from their JSON form (a list of {"from", "to",
    "language"}); `place` prefixes the error."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DecisionsError(f"{place}: must be a list of {{\"from\": ..., \"to\": ...}}")
    if len(value) > MAX_FIXES:
        raise DecisionsError(f"{place}: more than {MAX_FIXES} corrections")
    fixes: list[CaptionFix] = []
    seen: dict[tuple[tuple[str, ...], str | None], int] = {}
    for index, item in enumerate(value):
        where = f"{place}[{index}]"
        if not isinstance(item, dict):
            raise DecisionsError(f"{where}: must be an object with \"from\" and \"to\"")
        unknown = sorted(set(item) - set(_FIX_KEYS))
        if unknown:
            raise DecisionsError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_FIX_KEYS)})")
        texts = []
        for key in ("from", "to"):
            text = item.get(key)
            if not isinstance(text, str):
                raise DecisionsError(f"{where}.{key}: must be text, not "
                                     f"{'nothing' if text is None else type(text).__name__}")
            text = squeeze(text)
            if len(text) > MAX_FIX_TEXT:
                raise DecisionsError(f"{where}.{key}: longer than {MAX_FIX_TEXT} characters")
            if _CONTROL.search(text):
                raise DecisionsError(f"{where}.{key}: control characters are not caption text")
            texts.append(text)
        said, shown = texts
        language = item.get("language")
        if language is not None and language not in languages.codes():
            raise DecisionsError(f"{where}.language: must be one of {', '.join(languages.codes())}, not {language!r}")
        words = tuple(fix_tokens(said, language))
        if not words:
            raise DecisionsError(f"{where}.from: must name at least one word")
        if said == shown:
            raise DecisionsError(f"{where}: \"to\" is the same as \"from\"")
        if (words, language) in seen:
            raise DecisionsError(f"{where}.from: the same words as captions[{seen[words, language]}]")
        seen[words, language] = index
        fixes.append(CaptionFix(said, shown, language))
    return tuple(fixes)


def _seconds(value: Any, place: str) -> float | None:
    if value is None:
        return None
    # bool is an int in Python, and `true` is not a time
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise DecisionsError(f"{place}: must be a number of seconds (0 or more), not {value!r}")
    return float(value)


def load_decisions(folder: str | Path) -> Decisions:
    """The replay's decisions, none if there is no file; raises DecisionsError for a file
    that cannot be used."""
    path = decisions_path(folder)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Decisions()
    except OSError as exc:
        raise DecisionsError(f"{path}: unreadable: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecisionsError(f"{path}: byte {exc.start + 1}: not UTF-8 text") from None
    return parse_decisions(text, str(path))


def read_decisions(folder: str | Path) -> tuple[Decisions, str | None]:
    """The replay's decisions and, for a file that cannot be used, the one line saying why
    (the decisions are then none: a run or a page goes on as if there were no file)."""
    try:
        return load_decisions(folder), None
    except DecisionsError as exc:
        return Decisions(), f"{exc}; decisions ignored"


# --- writing ---------------------------------------------------------------------------------


def to_json(decisions: Decisions) -> dict[str, Any]:
    """The file's JSON form; keys left unset are left out, as a person would write it."""
    clips = {}
    for clip_id, decision in decisions.clips.items():
        entry = {key: _json_value(getattr(decision, key)) for key in _KEYS if getattr(decision, key) not in (None, ())}
        if entry:
            clips[clip_id] = entry
    return {"clips": clips}


def _json_value(value: Any) -> Any:
    """A decision's field as the file holds it: corrections as {"from", "to"[, "language"]}."""
    if isinstance(value, tuple):
        return [{k: v for k, v in to_dict(fix).items() if v is not None} for fix in value]
    return value


def write_decisions(folder: str | Path, decisions: Decisions) -> Path:
    """Write the file atomically (a reader never sees half of it)."""
    path = decisions_path(folder)
    write_json(path, to_json(decisions))
    return path


# Requests of the review desk run in threads; a read-change-write must not interleave with
# another one on the same file.
_UPDATE_LOCK = threading.Lock()


def update_decision(folder: str | Path, clip_id: str, change: dict[str, Any]) -> ClipDecision:
    """Apply `change` (keys of a decision; a null value unsets the key) to one clip's
    decision and write the file.  An existing file that cannot be read is never
    overwritten: DecisionsError is raised and nothing is written."""
    with _UPDATE_LOCK:
        decisions = load_decisions(folder)
        current = decisions.clips.get(clip_id, ClipDecision())
        merged = {key: _json_value(getattr(current, key)) for key in _KEYS}
        merged.update(change)
        decision = parse_decision({k: v for k, v in merged.items() if v is not None}, f"change to {_shown(clip_id)}")
        clips = dict(decisions.clips)
        if decision.empty:
            clips.pop(clip_id, None)
        else:
            clips[clip_id] = decision
        write_decisions(folder, Decisions(clips))
        return decision


# --- what a run does with them -------------------------------------------------------------


@dataclass(frozen=True)
class PlannedClip:
    """A clip to cut after the decisions: its id, its highlight (edges possibly moved),
    the reviewer's title, status and caption corrections, and whether its edges differ from
    the selection's."""

    id: str
    highlight: Highlight
    title: str | None = None
    status: str | None = None
    moved: bool = False
    captions: tuple[CaptionFix, ...] = ()


def apply_decisions(plans: Sequence[tuple[str, Highlight]], decisions: Decisions, words: Sequence[Word],
                    pad: float = 0.15) -> list[PlannedClip]:
    """The clips to cut: `plans` are (clip id, highlight) in the selection's order, with the
    ids the clips stage gives them; rejected clips are left out, a moved edge is placed in the
    nearest gap between `words` (`snap_to_gap`, keeping up to `pad` seconds of air beside a
    word).  An edit that would leave the clip empty is ignored (the selection's edges stay).
    Decisions for clip ids not in `plans` are ignored.  Nothing is read or written."""
    ordered = sorted(words, key=lambda w: (w.start, w.end))
    planned = []
    for clip_id, highlight in plans:
        decision = decisions.clips.get(clip_id, ClipDecision())
        if decision.status == REJECTED:
            continue
        start = snap_to_gap(decision.start, ordered, pad) if decision.start is not None else highlight.start
        end = snap_to_gap(decision.end, ordered, pad) if decision.end is not None else highlight.end
        if end <= start:
            start, end = highlight.start, highlight.end
        moved = (start, end) != (highlight.start, highlight.end)
        planned.append(PlannedClip(clip_id, replace(highlight, start=start, end=end) if moved else highlight,
                                   decision.title, decision.status, moved, decision.captions))
    return planned


def snap_to_gap(t: float, words: Sequence[Word], pad: float = 0.15) -> float:
    """`t` if no word is being said then, else the nearer edge of the word said at `t`,
    moved into the gap beside it by `pad` (at most half the gap, never into the next word).
    `words` in time order."""
    for index, word in enumerate(words):
        if word.start >= t:
            break
        if word.start < t < word.end:
            before = word.start - (words[index - 1].end if index > 0 else 0.0)
            after = (words[index + 1].start - word.end) if index + 1 < len(words) else math.inf
            if t - word.start <= word.end - t:
                return round(max(word.start - min(pad, max(before, 0.0) / 2), 0.0), 3)
            return round(word.end + min(pad, after / 2), 3)
    return t


def rejected_files(manifest: Manifest, decisions: Decisions) -> list[str]:
    """Files (relative to the replay folder) of the clips in `manifest` that `decisions`
    rejects: the clip, its thumbnail, caption script and subtitles, for a run to remove."""
    found: list[str] = []
    for clip in manifest.clips:
        if decisions.status(clip.id) != REJECTED:
            continue
        found += [path for path in (clip.file, clip.thumbnail, clip.captions) if path]
        found += [path for files in clip.subtitles.values() for path in (files.srt, files.vtt, files.ass) if path]
    return found
