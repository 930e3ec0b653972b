"""Translator review, the model: what a reviewer sees for one replay and language.

A `ReviewDoc` is one subtitle file (its SRT and VTT) of the whole replay or of a clip, each
cue beside the source-language words said meanwhile and the subtitle rules it breaks.  The
XLIFF round trip is in `xliff.py` (the file format) and `review_apply.py` (writing a
translator's corrections back); the pages are rendered by `recap.py`.  This module reads
only: it never writes a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pysubs2

from . import subfiles
from .config import SubtitleSettings
from .edits import EDITED_DIRECTLY, EditState, edit_state
from .files import read_json
from .formats import get_format
from .lint import lint_cues
from .records import Cue, Manifest, SubtitleFiles, Transcript, Word, from_dict
from .subtitles import to_ssafile, vertical
from .text import join_words, squeeze

REVIEW_DIR = "review"


class ReviewError(ValueError):
    """A replay folder or review file that cannot be used; the message names it."""


@dataclass
class ReviewCue:
    number: int  # 1-based, as in the SRT file
    start: float  # in the file's own time (a clip's files start at 0)
    end: float
    lines: list[str]  # the subtitle as it is now
    source: str  # what was said meanwhile, in the replay's language
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return one_line(self.lines)


@dataclass
class ReviewDoc:
    """One subtitle file (SRT and VTT of the same cues) to review."""

    label: str
    language: str
    source_language: str
    files: SubtitleFiles
    read_from: str  # which of the two the cues were read from (the one a person edited, if any)
    state: EditState
    rules: SubtitleSettings
    clip: str | None = None
    offset: float = 0.0  # where the file's time 0 is in the replay
    cues: list[ReviewCue] = field(default_factory=list)


def one_line(lines: list[str] | str) -> str:
    return squeeze(" ".join(lines) if isinstance(lines, list) else lines)


# --- reading what is there ------------------------------------------------------------------


def load_replay(folder: Path) -> Manifest:
    path = Path(folder) / "manifest.json"
    try:
        return from_dict(Manifest, read_json(path))
    except FileNotFoundError:
        raise ReviewError(f"{folder}: not a replay folder of highlights (no manifest.json)") from None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ReviewError(f"{path}: unreadable manifest: {exc}") from None


def current_version(folder: Path, files: SubtitleFiles) -> str:
    """Which of a subtitle file's two formats holds its latest words: the one someone edited
    directly (the later one if both were), else the SRT (a review import writes both)."""
    folder = Path(folder)
    direct = [rel for rel in (files.srt, files.vtt) if edit_state(folder / rel).state == EDITED_DIRECTLY]
    if direct:
        return max(direct, key=lambda rel: (folder / rel).stat().st_mtime)
    return files.srt


def read_cues(path: Path) -> list[Cue]:
    try:
        cues = subfiles.read_cues(path)
    except FileNotFoundError:
        raise ReviewError(f"{path}: subtitle file is missing") from None
    except (OSError, ValueError, pysubs2.Pysubs2Error) as exc:  # ValueError: a wrong encoding, too
        message = " ".join(str(exc).split())
        raise ReviewError(message if str(path) in message else f"{path}: unreadable subtitles: {message}") from None
    for cue in cues:
        cue.lines = [line.strip() for line in cue.lines if line.strip()]
    return cues


def subtitle_text(cues: list[Cue], fmt: str) -> str:
    return to_ssafile(cues).to_string(fmt)


def review_docs(folder: Path, manifest: Manifest, language: str, settings: SubtitleSettings) -> list[ReviewDoc]:
    """The whole replay's subtitles in `language` and every clip's, each cue beside the
    source-language words said meanwhile and the rules it breaks."""
    folder = Path(folder)
    source_language = manifest.language
    pairs: list[tuple[str, str | None, float, SubtitleSettings, SubtitleFiles, SubtitleFiles | None]] = []
    if language in manifest.subtitles:
        pairs.append(("Whole replay", None, 0.0, settings, manifest.subtitles[language],
                      manifest.subtitles.get(source_language)))
    names = {p.id: p.name for p in manifest.products}
    for number, clip in enumerate(manifest.clips, start=1):
        if language in clip.subtitles:
            products = ", ".join(names.get(pid, pid) for pid in clip.products)
            label = f"Clip {number}" + (f" · {products}" if products else "")
            # the rules its subtitles were made to: one line for a phone format (replay._subtitles)
            rules = vertical(settings) if get_format(clip.mode).social else settings
            pairs.append((label, clip.id, clip.start, rules, clip.subtitles[language],
                          clip.subtitles.get(source_language)))
    if not pairs:
        why = manifest.missing_languages.get(language)
        have = ", ".join(sorted(manifest.subtitles)) or "none"
        raise ReviewError(f"{folder}: no {language} subtitles in this replay"
                          + (f" ({why})" if why else f" (languages there: {have})"))
    words = _transcript_words(folder) if language == source_language else []
    docs = []
    for label, clip_id, offset, rules, files, source_files in pairs:
        for rel in (files.srt, files.vtt):
            # The manifest is data: never read or write outside the replay folder for it.
            if not (folder / rel).resolve().is_relative_to(folder.resolve()):
                raise ReviewError(f"{folder / 'manifest.json'}: subtitle path {rel!r} leads outside the replay folder")
        read_from = current_version(folder, files)
        cues = read_cues(folder / read_from)
        if language == source_language:
            sources = [_heard(words, c.start + offset, c.end + offset) or c.text for c in cues]
        elif source_files is None:
            sources = [""] * len(cues)
        else:
            sources = align_sources(cues, read_cues(folder / current_version(folder, source_files)))
        warnings = _warnings_by_cue(cues, rules)
        review_cues = [ReviewCue(n, c.start, c.end, c.lines, one_line(src), warnings.get(n, []))
                       for n, (c, src) in enumerate(zip(cues, sources), start=1)]
        docs.append(ReviewDoc(label, language, source_language, files, read_from, edit_state(folder / read_from),
                              rules, clip_id, offset, review_cues))
    return docs


def _transcript_words(folder: Path) -> list[Word]:
    """The words as recognised; a subtitle in the replay's own language is reviewed against
    them (the subtitle may have been corrected since, the transcript never is)."""
    try:
        return from_dict(Transcript, read_json(folder / "transcript.json")).words
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def _heard(words: list[Word], start: float, end: float) -> str:
    return join_words([w for w in words if start <= (w.start + w.end) / 2 < end])


def align_sources(targets: list[Cue], sources: list[Cue]) -> list[str]:
    """For each target cue, the source cues said while it is on screen.  Translations are
    re-split to their own length, so cues need not correspond one to one; a target cue that
    overlaps no source cue gets the nearest one."""
    aligned = []
    for cue in targets:
        inside = [s.text for s in sources if min(s.end, cue.end) - max(s.start, cue.start) > 0.01]
        if not inside and sources:
            nearest = min(sources, key=lambda s: max(s.start - cue.end, cue.start - s.end, 0.0))
            inside = [nearest.text]
        aligned.append(" ".join(one_line(text.split("\n")) for text in inside))
    return aligned


def _warnings_by_cue(cues: list[Cue], settings: SubtitleSettings) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for violation in lint_cues(cues, settings):
        found.setdefault(violation.cue, []).append(f"{violation.rule}: {violation.detail}")
    return found


def review_languages(manifest: Manifest) -> list[str]:
    """Languages there is something to review in, the replay's own first."""
    present = set(manifest.subtitles) | {lang for clip in manifest.clips for lang in clip.subtitles}
    return sorted(present, key=lambda code: (code != manifest.language, code))


def review_page_path(folder: Path, language: str) -> Path:
    return Path(folder) / REVIEW_DIR / f"{language}.html"

