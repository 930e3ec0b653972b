"""Never overwrite what a person edited.

Every file the pipeline generates for people to touch (subtitles, above all) is written
through `write_generated`, which records the SHA-256 of what it wrote in a ledger beside
the file (`.generated.json` in the same folder).  On a re-run a file whose content no
longer matches the ledger, or that is not in the ledger at all, was put there or changed by
someone else and is left alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .files import write_text

LEDGER = ".generated.json"


def _ledger_path(target: Path) -> Path:
    return target.parent / LEDGER


def _load(ledger: Path) -> dict[str, str]:
    try:
        data = json.loads(ledger.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_human_edited(target: Path) -> bool:
    """True when `target` exists and is not exactly what the pipeline last wrote there."""
    target = Path(target)
    if not target.exists():
        return False
    recorded = _load(_ledger_path(target)).get(target.name)
    return recorded is None or recorded != _digest(target.read_bytes())


def write_generated(target: Path, text: str) -> bool:
    """Write `text` unless a person edited the file; returns whether it was written."""
    target = Path(target)
    if is_human_edited(target):
        return False
    write_text(target, text)
    ledger_path = _ledger_path(target)
    ledger = _load(ledger_path)
    ledger[target.name] = _digest(text.encode("utf-8"))
    write_text(ledger_path, json.dumps(ledger, indent=1, sort_keys=True) + "\n")
    return True
