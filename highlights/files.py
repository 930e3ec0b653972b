"""Writing into the output folder without ever leaving a half-written file behind,
and naming things in it safely."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .faults import checkpoint
from .records import to_dict

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: Path, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside `target` that replaces it only if the block succeeds.

    The temporary file keeps the target's extension so tools that look at it
    (ffmpeg picks the muxer by extension) treat it the same way."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.stem[:40]}.", suffix=".part" + (suffix or target.suffix), dir=target.parent
        )
    except OSError as exc:  # name the file the user knows, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for sharing
    try:
        yield tmp
        checkpoint(f"write:{target.name}")  # a kill here leaves the whole temporary, never the target
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


# What atomic_path names its temporaries: ".<stem>.<mkstemp's 8 characters>.part<ext>".
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.part(\.[^.]+)?$")


def remove_stale_temporaries(folder: Path, recursive: bool = True) -> list[Path]:
    """Delete the temporaries of writes that never finished (a killed run leaves them; no
    handler runs on SIGKILL or a power cut).  Only names atomic_path makes are touched."""
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.rglob(".*.part*") if recursive else folder.glob(".*.part*"):
        if path.is_file() and _TEMPORARY.match(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())


def write_json(target: Path, record: Any) -> None:
    write_text(target, json.dumps(to_dict(record), ensure_ascii=False, indent=2) + "\n")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(16 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


_UNSAFE = re.compile(r"[^a-z0-9]+")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str, fallback: str = "item", max_length: int = 60) -> str:
    """A file-name-safe ASCII slug: no separators, no dots, never a reserved name.

    Cyrillic and other scripts are transliterated where Unicode decomposition allows;
    what is left is dropped, so a name made only of such letters falls back."""
    text = unicodedata.normalize("NFKD", _transliterate(text)).encode("ascii", "ignore").decode()
    slug = _UNSAFE.sub("-", text.lower()).strip("-")[:max_length].strip("-")
    if not slug or slug in _WINDOWS_RESERVED:
        slug = f"{fallback}-{slug}" if slug else fallback
    return slug


def unique_slug(text: str, taken: set[str], fallback: str = "item") -> str:
    base = slugify(text, fallback)
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


# Ukrainian and Russian letters to Latin (a simple scholarly-style table): file names of
# replays are often Cyrillic, and a slug of only a fallback word would tell the user nothing.
_CYRILLIC = dict(
    zip(
        "абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя",
        "a b v g g d e ye yo zh z y i yi y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split(),
    )
)


def _transliterate(text: str) -> str:
    out = []
    for char in text:
        lower = char.lower()
        if lower in _CYRILLIC:
            latin = _CYRILLIC[lower].replace("-", "")
            out.append(latin.capitalize() if char != lower else latin)
        else:
            out.append(char)
    return "".join(out)
