"""Never overwrite what a person edited, and keep a record of every edit we apply.

Every file the pipeline generates for people to touch (subtitles, above all) is written
through `write_generated`, which records the SHA-256 of what it wrote in a ledger beside
the file (`.generated.json` in the same folder).  On a re-run a file whose content no
longer matches the ledger, or that is not in the ledger at all, was put there or changed by
someone else and is left alone.

A correction that reaches us through the review round trip is written with `write_human`:
the ledger then says who made it, when and how, and the file stays protected from re-runs
even though its content is what we wrote.  What changed, cue by cue, is appended to
`edits.jsonl` in the replay folder (`record_edits`), which is never rewritten."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .faults import checkpoint
from .files import write_text
from .records import to_dict

LEDGER = ".generated.json"
EDIT_LOG = "edits.jsonl"

# Edit states of a file, as `edit_state` reports them.
GENERATED = "generated"  # exactly what the pipeline last wrote
EDITED_DIRECTLY = "edited"  # changed (or put there) by someone outside highlights
REVIEWED = "reviewed"  # written by `highlights review import` from a person's corrections
MISSING = "missing"


@dataclass
class EditState:
    state: str
    by: str | None = None
    at: str | None = None  # ISO 8601, UTC
    via: str | None = None  # what carried the edit in, e.g. "review import of shop.ru.xlf"

    @property
    def human(self) -> bool:
        return self.state in (EDITED_DIRECTLY, REVIEWED)


@dataclass
class EditRecord:
    """One cue changed by a person: a line of `edits.jsonl`."""

    at: str
    file: str  # relative to the replay folder
    language: str
    cue: int  # 1-based, as numbered in the SRT file
    start: float  # seconds, in the file's own time (a clip's files start at 0)
    end: float
    old: str
    new: str
    source: str  # how the edit came in
    by: str | None = None
    clip: str | None = None  # clip id when the file belongs to a clip
    conflict: bool = False  # the file had also been edited directly since the export; `old` is that edit
    new_end: float | None = None  # the cue was given more time to be read (its start never moves)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ledger_path(target: Path) -> Path:
    return target.parent / LEDGER


def _load(ledger: Path) -> dict[str, object]:
    try:
        data = json.loads(ledger.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(ledger_path: Path, ledger: dict[str, object]) -> None:
    write_text(ledger_path, json.dumps(ledger, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _recorded_digest(entry: object) -> str | None:
    # Ledgers written before human edits were recorded hold the bare digest string.
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    return None


def edit_state(target: Path) -> EditState:
    """Whether `target` is ours as generated, reviewed by a person through highlights,
    edited by someone directly, or missing."""
    target = Path(target)
    if not target.exists():
        return EditState(MISSING)
    entry = _load(_ledger_path(target)).get(target.name)
    recorded = _recorded_digest(entry)
    if recorded is None or recorded != _digest(target.read_bytes()):
        return EditState(EDITED_DIRECTLY, at=_mtime_iso(target))
    if isinstance(entry, dict) and entry.get("human"):
        return EditState(REVIEWED, by=entry.get("by"), at=entry.get("at"), via=entry.get("via"))
    return EditState(GENERATED)


def _mtime_iso(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def is_human_edited(target: Path) -> bool:
    """True when `target` exists and is not exactly what the pipeline last generated there
    (a person changed it, put it there, or it came back from a review)."""
    return edit_state(target).human


def write_generated(target: Path, text: str) -> bool:
    """Write `text` unless a person edited the file; returns whether it was written."""
    target = Path(target)
    digest = _digest(text.encode("utf-8"))
    if is_human_edited(target):
        # A run killed between writing the file and recording it left exactly this text, in
        # no ledger: it is ours (no one's edit can be lost by saying so).
        if _load(_ledger_path(target)).get(target.name) is None and _digest(target.read_bytes()) == digest:
            _set_entry(target, digest)
            return True
        return False
    write_text(target, text)
    checkpoint(f"ledger:{target.name}")  # a kill here leaves the file written and not recorded
    _set_entry(target, digest)
    return True


def write_human(target: Path, text: str, by: str | None, via: str) -> None:
    """Write a person's version of `target` and mark it human-edited, so no re-run of the
    pipeline replaces it.  The caller has made sure this is what the person wants."""
    target = Path(target)
    write_text(target, text)
    _set_entry(target, {"sha256": _digest(text.encode("utf-8")), "human": True, "by": by, "at": now_iso(),
                        "via": via})


def _set_entry(target: Path, entry: object) -> None:
    ledger_path = _ledger_path(target)
    ledger = _load(ledger_path)
    ledger[target.name] = entry
    _save(ledger_path, ledger)


def record_edits(folder: Path, records: list[EditRecord]) -> None:
    """Append `records` to `folder/edits.jsonl`.  The log is only ever appended to, one JSON
    object per line written in one call, so an interrupted write can cost at most its own
    last line and never an earlier record."""
    if not records:
        return
    payload = "".join(json.dumps(to_dict(r), ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    path = Path(folder) / EDIT_LOG
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.fstat(fd).st_size and not _ends_with_newline(path):
            payload = b"\n" + payload  # a torn last line must not swallow the next record
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read_edits(folder: Path) -> list[EditRecord]:
    """Every record of `folder/edits.jsonl`, oldest first; a torn line is skipped."""
    path = Path(folder) / EDIT_LOG
    if not path.exists():
        return []
    fields = {f.name for f in dataclasses.fields(EditRecord)}
    required = {f.name for f in dataclasses.fields(EditRecord)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and required <= data.keys():
            records.append(EditRecord(**{k: v for k, v in data.items() if k in fields}))
    return records
