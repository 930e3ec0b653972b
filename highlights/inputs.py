"""Turning the command line's INPUT arguments (files, folders, globs) into replay files."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

MEDIA_EXTENSIONS = {
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".flv", ".ts", ".mts", ".m2ts", ".wmv", ".mpg", ".mpeg",
    # audio-only replays still get a transcript and subtitles
    ".m4a", ".mp3", ".wav", ".flac", ".ogg", ".opus", ".aac",
}


@dataclass
class InputProblem:
    """An argument that yields no replay; reported as a failed entry of the batch."""

    input: str
    error: str


def expand_inputs(arguments: list[str]) -> tuple[list[Path], list[InputProblem]]:
    """Files as given, media files found in folders (recursively, sorted), glob matches.

    Duplicates (the same file reached twice) are kept once, in first-seen order."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            media = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_EXTENSIONS
                           and not p.name.startswith("."))
            if not media:
                problems.append(InputProblem(argument, f"{argument}: folder contains no video or audio files"))
            for item in media:
                add(item)
        elif path.is_file():
            add(path)
        elif glob.has_magic(argument):
            matches = sorted(Path(m) for m in glob.glob(argument, recursive=True) if Path(m).is_file())
            if not matches:
                problems.append(InputProblem(argument, f"{argument}: no files match this pattern"))
            for item in matches:
                add(item)
        else:
            problems.append(InputProblem(argument, f"{argument}: no such file or folder"))
    return found, problems
