"""Apply a translator's XLIFF to a replay: changed cues are written to the subtitle files
as human edits (`edits.write_human`, so a later run leaves them alone), the same correction
is carried to the same words in the other files of the language, and every change is
appended to the edit ledger (`edits.record_edits`).

The pages are not rendered here: whoever imports (the `highlights review import` command)
renders them afterwards with `recap.write_replay_pages`, so this module and `recap.py` do
not depend on each other."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from pathlib import Path

import pysubs2

from .captions import CaptionStyle, build_script, caption_cues
from .config import SubtitleSettings
from .edits import EditRecord, now_iso, record_edits, write_human
from .lint import lint_cues
from .records import Cue, Manifest, Word
from .review import ReviewDoc, ReviewError, load_replay, one_line, review_docs, subtitle_text
from .subtitles import break_lines, to_ssafile
from .text import breakable_split
from .xliff import Unit, clock, parse_xliff, text_hash

_TIME_SLACK = 0.002  # SRT keeps milliseconds; a cue found within 2 ms is the same cue


@dataclass
class ImportResult:
    language: str
    edits: list[EditRecord] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # SRT files rewritten (their VTT and ASS with them)
    carried_over: int = 0  # of the edits, how many were the same correction in another file
    conflicts: int = 0
    clips: list[str] = field(default_factory=list)  # clips whose subtitles changed
    # clips whose burned-in captions got the corrected words: the next `highlights run` burns
    # them into the clip again (its caption script changed, so the clips stage is redone)
    captions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # lint of the files written


@dataclass
class _Change:
    doc: ReviewDoc
    index: int  # into doc.cues
    old: str
    new_lines: list[str]
    conflict: bool
    source: str
    carried: bool = False


def import_xliff(folder: Path, xliff: Path, settings: SubtitleSettings, by: str | None = None) -> ImportResult:
    """Apply a translator's XLIFF to the replay in `folder`: changed cues are written to the
    SRT and VTT as human edits (a later run of the pipeline leaves them alone), every change
    is appended to `edits.jsonl`.  The caller renders the pages again (`result.edits` says
    whether anything changed).

    Nothing is written unless the whole file can be applied."""
    folder, xliff = Path(folder), Path(xliff)
    manifest = load_replay(folder)
    by = by or _user()
    language, files = parse_xliff(xliff)
    docs = {doc.files.srt: doc for doc in review_docs(folder, manifest, language, settings)}
    changes: list[_Change] = []
    for original, units in files.items():
        doc = docs.get(original)
        if doc is None:
            raise ReviewError(f"{xliff}: file {original!r} is not a {language} subtitle file of {folder}")
        changes += _changes_for(xliff, doc, units)
    changes += _propagate(changes, list(docs.values()), xliff)

    result = ImportResult(language)
    when = now_iso()
    writes: list[tuple[Path, str]] = []  # everything is worked out before the first file is touched
    by_doc: dict[str, list[_Change]] = {}
    for change in changes:
        by_doc.setdefault(change.doc.files.srt, []).append(change)
    for srt, doc_changes in by_doc.items():
        doc = doc_changes[0].doc
        cues = [Cue(c.start, c.end, list(c.lines)) for c in doc.cues]
        file_duration = _file_duration(manifest, doc)
        for change in doc_changes:
            cues[change.index].lines = change.new_lines
            _give_reading_time(cues, change.index, doc.rules, file_duration)
        writes += [(folder / doc.files.srt, subtitle_text(cues, "srt")),
                   (folder / doc.files.vtt, subtitle_text(cues, "vtt"))]
        ass = (folder / doc.files.srt).with_suffix(".ass")
        if ass.exists():  # the styled copy of the same subtitles gets the words too
            writes.append((ass, _restyled_ass(ass, cues)))
        result.files.append(srt)
        clip = next((c for c in manifest.clips if c.id == doc.clip), None)
        script = folder / clip.captions if clip is not None and clip.captions else None
        if clip is not None and script is not None and clip.caption_language == language and script.is_file():
            writes.append((script, recaptioned_script(script, cues, doc.rules, clip.end - clip.start)))
            result.captions.append(clip.id)
        for violation in lint_cues(cues, doc.rules):
            result.warnings.append(f"{srt} {violation}")
        if doc.clip and doc.clip not in result.clips:
            result.clips.append(doc.clip)
        for change in doc_changes:
            cue, written = doc.cues[change.index], cues[change.index]
            result.edits.append(EditRecord(
                at=when, file=srt, language=language, cue=cue.number, start=cue.start, end=cue.end,
                old=cue.text, new="\n".join(change.new_lines), source=change.source, by=by, clip=doc.clip,
                conflict=change.conflict, new_end=written.end if written.end != cue.end else None))
    via = f"review import of {xliff.name}"
    for path, text in writes:
        write_human(path, text, by, via)
    result.conflicts = sum(1 for edit in result.edits if edit.conflict)
    result.carried_over = sum(1 for change in changes if change.carried)
    record_edits(folder, result.edits)
    return result


def recaptioned_script(script: Path, cues: list[Cue], rules: SubtitleSettings, duration: float) -> str:
    """The burned-in caption script of a clip with the words of `cues` (its corrected
    subtitles): one-line captions made the way the clip was captioned (`captions.py`), in the
    script's own caption size; the product card and the styles are kept as they are."""
    try:
        subs = pysubs2.load(str(script), encoding="utf-8")
    except (OSError, ValueError, pysubs2.Pysubs2Error) as exc:
        raise ReviewError(f"{script}: unreadable caption script: {exc}") from None
    caption = subs.styles.get("Caption")
    style = CaptionStyle(font_size=round(caption.fontsize)) if caption else CaptionStyle()
    words = [word for cue in cues for word in _spread(cue)]
    fresh = build_script(caption_cues(words, 0.0, duration, rules, style), style, duration)
    subs.events = [e for e in subs.events if e.style != "Caption"] + [e for e in fresh.events if e.style == "Caption"]
    for name, fresh_style in fresh.styles.items():
        subs.styles.setdefault(name, fresh_style)
    return subs.to_string("ass")


def _spread(cue: Cue) -> list[Word]:
    """A cue's words, timed evenly over it by their length (a subtitle file keeps no word times)."""
    tokens = breakable_split(" ".join(cue.lines))
    total = sum(len(t) + 1 for t in tokens) or 1
    words, position = [], 0
    for token in tokens:
        begin = cue.start + (cue.end - cue.start) * position / total
        position += len(token) + 1
        words.append(Word(round(begin, 3), round(cue.start + (cue.end - cue.start) * (position - 1) / total, 3),
                          " " + token))
    return words


def _restyled_ass(path: Path, cues: list[Cue]) -> str:
    """`cues` in the styles and frame of the ASS file at `path` (as the caption burner made
    it); the file is made anew from our defaults if it cannot be read."""
    try:
        subs = pysubs2.load(str(path), encoding="utf-8")
    except (OSError, ValueError, pysubs2.Pysubs2Error):
        return to_ssafile(cues).to_string("ass")
    style = next((e.style for e in subs if not e.is_comment), "Default")
    subs.events = [pysubs2.SSAEvent(start=round(c.start * 1000), end=round(c.end * 1000), style=style,
                                    text=r"\N".join(line.replace("{", "(").replace("}", ")") for line in c.lines))
                   for c in cues]
    return subs.to_string("ass")


def _file_duration(manifest: Manifest, doc: ReviewDoc) -> float | None:
    if doc.clip is None:
        return manifest.duration or None
    clip = next((c for c in manifest.clips if c.id == doc.clip), None)
    return clip.end - clip.start if clip else None


def _give_reading_time(cues: list[Cue], index: int, settings: SubtitleSettings, duration: float | None) -> None:
    """A corrected subtitle that got longer may stay up longer, into the silence after it,
    never past the gap before the next one nor the end of the file; its start never moves."""
    cue = cues[index]
    chars = sum(len(line) for line in cue.lines)
    wanted = cue.start + min(max(chars / settings.target_cps, settings.min_duration), settings.max_duration)
    limit = cues[index + 1].start - settings.min_gap_frames / settings.frame_rate if index + 1 < len(cues) else duration
    if limit is not None:
        wanted = min(wanted, limit)
    if wanted > cue.end:
        cue.end = round(wanted, 3)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None



def _changes_for(xliff: Path, doc: ReviewDoc, units: list[Unit]) -> list[_Change]:
    changes = []
    seen: set[int] = set()
    for unit in units:
        index = _find_cue(doc, unit)
        if index is None:
            where = ""
            if unit.start is not None and unit.end is not None:
                where = f" ({clock(unit.start)}–{clock(unit.end)})"
            raise ReviewError(f"{xliff}: subtitle {unit.number}{where} of {doc.files.srt} is no longer in that file "
                              "(it was made again since the export); export again and redo this file")
        if index in seen:
            raise ReviewError(f"{xliff}: subtitle {unit.number} of {doc.files.srt} appears twice")
        seen.add(index)
        if not unit.lines and unit.exported is None:
            continue  # an untranslated unit from a tool that drops empty targets
        new_text = one_line(unit.lines)
        if not new_text:
            raise ReviewError(f"{xliff}: subtitle {unit.number} of {doc.files.srt} is empty; "
                              "a subtitle needs text (to drop one, edit the SRT file)")
        current = doc.cues[index].text
        if unit.exported is not None:
            if text_hash(new_text) == unit.exported or new_text == current:
                continue  # not touched in review, or already in the file
            conflict = text_hash(current) != unit.exported
        else:
            if new_text == current:
                continue
            conflict = False
        changes.append(_Change(doc, index, current, _lines_for(unit, new_text, doc.rules), conflict,
                               f"review import of {xliff.name}"))
    return changes


def _find_cue(doc: ReviewDoc, unit: Unit) -> int | None:
    if unit.start is None or unit.end is None:
        # A tool dropped our attributes: the cue number is all there is.
        return unit.number - 1 if 1 <= unit.number <= len(doc.cues) else None
    for i, cue in enumerate(doc.cues):
        if abs(cue.start - unit.start) > _TIME_SLACK:
            continue
        # Only the pipeline re-splits cues, and it never rewrites a file a person edited:
        # in such a file a cue that starts at the same moment is the same cue, even if an
        # earlier import gave it more time.
        if abs(cue.end - unit.end) <= _TIME_SLACK or doc.state.human:
            return i
    return None


def _lines_for(unit: Unit, text: str, settings: SubtitleSettings) -> list[str]:
    """The translator's own line breaks when they fit the rules, else ours."""
    if unit.explicit_breaks and len(unit.lines) <= settings.max_lines and all(
            len(line) <= settings.max_chars_per_line for line in unit.lines):
        return unit.lines
    return break_lines(text, settings)


def _propagate(changes: list[_Change], docs: list[ReviewDoc], xliff: Path) -> list[_Change]:
    """The same words are in the whole replay's file and in a clip's; a correction made in
    one applies to the other where that cue was not touched in this review and still reads
    exactly as the corrected one did, at the same moment of the replay."""
    touched = {(c.doc.files.srt, c.index) for c in changes}
    extra: list[_Change] = []
    for change in changes:
        source_cue = change.doc.cues[change.index]
        begin, finish = source_cue.start + change.doc.offset, source_cue.end + change.doc.offset
        for doc in docs:
            if doc is change.doc:
                continue
            for index, cue in enumerate(doc.cues):
                key = (doc.files.srt, index)
                if key in touched or cue.text != change.old:
                    continue
                if min(cue.end + doc.offset, finish) - max(cue.start + doc.offset, begin) <= 0:
                    continue
                touched.add(key)
                extra.append(_Change(doc, index, cue.text, list(change.new_lines), False,
                                     f"review import of {xliff.name} (same words as {change.doc.files.srt} "
                                     f"subtitle {source_cue.number})", carried=True))
    return extra


