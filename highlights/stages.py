"""Resumable stages: each stage's result is stored with a key made of everything it
depends on, and reused on a re-run only when the key matches and every file it wrote is
still there, byte for byte.

The record of what is done (`.stages/state.json` in the replay folder) is written after the
stage's files, so a crash at any moment leaves either a finished stage or one that runs
again; never one that looks finished and is not."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .files import read_json, sha256_file, write_text
from .records import to_dict

T = TypeVar("T")

STATE_DIR = ".stages"
STAGES = ("probe", "transcribe", "scenes", "mentions", "selection", "clips", "subtitles", "recap")


def fingerprint(*parts: Any) -> str:
    """A stable hash of JSON-able values, dataclasses included."""
    text = json.dumps(to_dict(list(parts)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_identity(path: Path) -> dict:
    """Identity of an input file without reading all of it: a multi-hour replay is
    gigabytes. Size, modification time and a hash of its first and last megabyte."""
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(1 << 20))
        if stat.st_size > 2 << 20:
            handle.seek(-(1 << 20), 2)
            digest.update(handle.read())
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sample_sha256": digest.hexdigest()}


class StageStore:
    """Keeps track of which stages of one replay are done."""

    def __init__(self, folder: Path, force: Iterable[str] = ()):
        self.folder = folder
        self.force = set(force)
        self.state_path = folder / STATE_DIR / "state.json"
        try:
            self.state: dict[str, dict] = read_json(self.state_path)
        except (OSError, ValueError):
            self.state = {}
        self.reused: list[str] = []

    def path(self, name: str) -> Path:
        """Where a stage keeps its own JSON result."""
        return self.folder / STATE_DIR / f"{name}.json"

    def run(self, name: str, key: str, compute: Callable[[], T], save: Callable[[T], list[Path]],
            load: Callable[[], T]) -> T:
        """`load()` the stored result when it is valid for `key`, else `compute()` and `save()` it
        (`save` returns the files it wrote, which must be unchanged for the result to be reused)."""
        if name not in self.force and self._valid(name, key):
            try:
                result = load()
                self.reused.append(name)
                return result
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable: compute it again
        previous = self.state.get(name, {}).get("files", {})
        self.forget(name)
        result = compute()
        files = {self._rel(f): sha256_file(f) for f in save(result)}
        self.state[name] = {"key": key, "files": files}
        self._write()
        self._remove_stale(previous, files)
        return result

    def will_reuse(self, name: str, key: str) -> bool:
        """Whether `run(name, key, ...)` would load the stored result instead of computing."""
        return name not in self.force and self._valid(name, key)

    def _remove_stale(self, previous: dict[str, str], current: dict[str, str]) -> None:
        """Files the last run of a stage wrote and this one did not (a clip that is no longer
        chosen) go, unless someone changed them since."""
        for rel, digest in previous.items():
            path = self.folder / rel
            if rel not in current and path.is_file() and sha256_file(path) == digest:
                path.unlink()

    def forget(self, name: str) -> None:
        if self.state.pop(name, None) is not None:
            self._write()

    def _valid(self, name: str, key: str) -> bool:
        entry = self.state.get(name)
        if not entry or entry.get("key") != key:
            return False
        for rel, digest in entry.get("files", {}).items():
            path = self.folder / rel
            if not path.is_file() or sha256_file(path) != digest:
                return False
        return True

    def _rel(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.folder.resolve()).as_posix()

    def _write(self) -> None:
        write_text(self.state_path, json.dumps(self.state, indent=1, sort_keys=True) + "\n")
