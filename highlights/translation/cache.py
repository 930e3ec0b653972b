"""The translation cache: every hop's output by (hop identity, text), in one SQLite file
shared by every run and every parallel job.  A hop's identity names the engine, its version
(the model's files, the installed mode's files) and the hop's route (`apertium es→pt`), so a
new model, an upgraded Apertium or another route never gets a stale translation; the
count of words the engine did not know is kept with each output, so a re-run reports the
same untranslated-word rate without translating anything."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from ..config import TranslationSettings
from ..files import sha256_file
from ..models import cache_dir

log = logging.getLogger("highlights")

Unknown = tuple[str, ...] | None  # the words an engine marked as not translated; None: it cannot tell


class TranslationCache:
    """Hop outputs by (identity, text), and file digests by (path, size, mtime)."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS hop_outputs (
        identity TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, unknown TEXT,
        PRIMARY KEY (identity, source)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS file_digests (
        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL);
    """

    def __init__(self, path: Path):
        self.path = path
        self.db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(self.SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            # Only speed is lost without it: translate anyway, and say why it will be slower.
            log.warning("%s: translation cache unusable (%s); translating without it", path, exc)
            self.db = None

    def lookup(self, identity: str, texts: list[str]) -> dict[str, tuple[str, Unknown]]:
        """The stored (output, unknown words) of each of `texts` that has one."""
        found: dict[str, tuple[str, Unknown]] = {}
        if self.db is None:
            return found
        for begin in range(0, len(texts), 500):
            chunk = texts[begin:begin + 500]
            rows = self.db.execute(
                f"SELECT source, target, unknown FROM hop_outputs WHERE identity = ? AND source IN "
                f"({','.join('?' * len(chunk))})", [identity, *chunk])
            found.update((source, (target, None if unknown is None else tuple(json.loads(unknown))))
                         for source, target, unknown in rows)
        return found

    def store(self, identity: str, outputs: dict[str, tuple[str, Unknown]]) -> None:
        if self.db is None or not outputs:
            return
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO hop_outputs VALUES (?, ?, ?, ?)",
                                [(identity, source, target, None if unknown is None else json.dumps(unknown))
                                 for source, (target, unknown) in outputs.items()])

    def digest(self, path: Path) -> str:
        """SHA-256 of a file, hashed again only when its size or modification time changed."""
        st = path.stat()
        if self.db is not None:
            row = self.db.execute("SELECT size, mtime_ns, sha256 FROM file_digests WHERE path = ?",
                                  [str(path)]).fetchone()
            if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
                return str(row[2])
        digest = sha256_file(path)
        if self.db is not None:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO file_digests VALUES (?, ?, ?, ?)",
                                [str(path), st.st_size, st.st_mtime_ns, digest])
        return digest

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def cache_path(settings: TranslationSettings) -> Path:
    return Path(settings.cache_file).expanduser() if settings.cache_file else cache_dir() / "translations.sqlite3"
