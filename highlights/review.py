"""Translator review: what a reviewer sees for one replay and language, and the round trip
through XLIFF 1.2 (`export_xliff` / `import_xliff`).

Why XLIFF 1.2 and not CSV: it is the exchange format every translation tool reads and
writes (OmegaT, memoQ, Trados, Phrase, Crowdin, Weblate, Poedit, Virtaal), it carries the
source and target languages, a state per segment (`needs-review-translation`,
`translated`...) and notes that those tools show beside each segment (our timings and lint
warnings), and as XML in UTF-8 it survives Cyrillic and Polish text unharmed.  A CSV opened
in a spreadsheet is re-encoded to the local code page, split on `;` or `,` by locale, and
loses the line structure; that is how translations get corrupted.

One XLIFF document holds one `<file>` per subtitle file of the language (the whole replay
and every clip), one `<trans-unit>` per cue.  Units carry, in our own namespace, the cue's
times and a hash of the text as exported, so the import can tell the cues the translator
changed from those someone changed in the subtitle file directly since (both are kept: the
translator's version wins and the other is written to the edit record)."""

from __future__ import annotations

import getpass
import hashlib
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pysubs2

from . import __version__, subtitles
from .captions import CaptionStyle, build_script, caption_cues
from .config import SubtitleSettings
from .edits import EDITED_DIRECTLY, EditRecord, EditState, edit_state, now_iso, record_edits, write_human
from .files import read_json, write_text
from .lint import lint_cues
from .records import Cue, Manifest, SubtitleFiles, Transcript, Word, from_dict
from .subtitles import break_lines, to_ssafile, vertical

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
HL_NS = "urn:highlights:review:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REVIEW_DIR = "review"
_TIME_SLACK = 0.002  # SRT keeps milliseconds; a cue found within 2 ms is the same cue

ET.register_namespace("", XLIFF_NS)
ET.register_namespace("hl", HL_NS)


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


def one_line(lines: list[str] | str) -> str:
    text = " ".join(lines) if isinstance(lines, list) else lines
    return " ".join(text.split())


def _text_hash(text: str) -> str:
    return hashlib.sha256(one_line(text).encode("utf-8")).hexdigest()


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
        cues = subtitles.read_cues(path)
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
            rules = vertical(settings) if clip.mode == "vertical" else settings
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
    return one_line([w.text for w in words if start <= (w.start + w.end) / 2 < end])


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


# --- export -------------------------------------------------------------------------------


def default_export_path(folder: Path, manifest: Manifest, language: str) -> Path:
    return Path(folder) / REVIEW_DIR / f"{manifest.slug}.{language}.xlf"


def export_xliff(folder: Path, language: str, settings: SubtitleSettings, target: Path | None = None) -> Path:
    """Write the XLIFF 1.2 file a translator reviews `language` in; returns its path."""
    folder = Path(folder)
    manifest = load_replay(folder)
    docs = review_docs(folder, manifest, language, settings)
    root = ET.Element(f"{{{XLIFF_NS}}}xliff", {"version": "1.2"})
    for doc in docs:
        machine = doc.language != doc.source_language
        file_el = ET.SubElement(root, f"{{{XLIFF_NS}}}file", {
            "original": doc.files.srt,
            "source-language": doc.source_language,
            "target-language": doc.language,
            "datatype": "plaintext",
            "product-name": "highlights",
            "product-version": __version__,
            f"{{{HL_NS}}}replay": manifest.slug,
            f"{{{HL_NS}}}vtt": doc.files.vtt,
            **({f"{{{HL_NS}}}clip": doc.clip} if doc.clip else {}),
        })
        header = ET.SubElement(file_el, f"{{{XLIFF_NS}}}header")
        ET.SubElement(header, f"{{{XLIFF_NS}}}tool", {"tool-id": "highlights", "tool-name": "highlights",
                                                      "tool-version": __version__})
        ET.SubElement(header, f"{{{XLIFF_NS}}}note").text = (
            f"{manifest.slug} · {doc.label} · {len(doc.cues)} subtitles. At most {doc.rules.max_lines} lines of "
            f"{doc.rules.max_chars_per_line} characters and {doc.rules.max_cps:g} characters per second: "
            "line breaks are made for you; times cannot be changed here.")
        body = ET.SubElement(file_el, f"{{{XLIFF_NS}}}body")
        for cue in doc.cues:
            unit = ET.SubElement(body, f"{{{XLIFF_NS}}}trans-unit", {
                "id": str(cue.number),
                "resname": f"{doc.files.srt}#{cue.number}",
                f"{{{HL_NS}}}start": f"{cue.start:.3f}",
                f"{{{HL_NS}}}end": f"{cue.end:.3f}",
                f"{{{HL_NS}}}text-sha256": _text_hash(cue.text),
            })
            source = ET.SubElement(unit, f"{{{XLIFF_NS}}}source", {XML_LANG: doc.source_language})
            source.text = cue.source or cue.text
            reviewed = doc.state.human
            target_attrs = {XML_LANG: doc.language,
                            "state": "translated" if reviewed else "needs-review-translation"}
            if machine and not reviewed:
                target_attrs["state-qualifier"] = "mt-suggestion"
            ET.SubElement(unit, f"{{{XLIFF_NS}}}target", target_attrs).text = cue.text
            seconds = cue.end - cue.start
            chars = len(cue.text)
            ET.SubElement(unit, f"{{{XLIFF_NS}}}note", {"from": "highlights"}).text = (
                f"{_clock(cue.start + doc.offset)} → {_clock(cue.end + doc.offset)} in the replay · {seconds:.1f} s on "
                f"screen · {chars} characters, at most {int(doc.rules.max_cps * seconds)} at {doc.rules.max_cps:g}/s")
            for warning in cue.warnings:
                ET.SubElement(unit, f"{{{XLIFF_NS}}}note", {"from": "highlights", "priority": "2"}).text = warning
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    path = Path(target) if target else default_export_path(folder, manifest, language)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    write_text(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")
    return path


def _clock(seconds: float) -> str:
    return pysubs2.time.ms_to_str(round(seconds * 1000), fractions=True)


# --- import -------------------------------------------------------------------------------


@dataclass
class _Unit:
    number: int
    start: float | None
    end: float | None
    exported: str | None  # hash of the text as exported
    lines: list[str]  # the translator's text, lines as given
    explicit_breaks: bool


@dataclass
class _Change:
    doc: ReviewDoc
    index: int  # into doc.cues
    old: str
    new_lines: list[str]
    conflict: bool
    source: str
    carried: bool = False


def import_xliff(folder: Path, xliff: Path, settings: SubtitleSettings, by: str | None = None,
                 refresh_pages: bool = True) -> ImportResult:
    """Apply a translator's XLIFF to the replay in `folder`: changed cues are written to the
    SRT and VTT as human edits (a later run of the pipeline leaves them alone), every change
    is appended to `edits.jsonl`, and the recap and review pages are rendered again.

    Nothing is written unless the whole file can be applied."""
    folder, xliff = Path(folder), Path(xliff)
    manifest = load_replay(folder)
    by = by or _user()
    language, files = _parse_xliff(xliff)
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
        if script is not None and clip.caption_language == language and script.is_file():
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
    if refresh_pages and result.edits:
        # recap.py renders the review pages from this module's records, hence the late import.
        from .recap import write_replay_pages

        try:
            write_replay_pages(folder, manifest, settings)
        except (OSError, ValueError) as exc:  # the edits are in; a page that cannot be redone is no reason to fail
            result.warnings.append(f"{folder}: recap and review pages not redone: {exc}")
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
    tokens = " ".join(cue.lines).split()
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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse_xliff(path: Path) -> tuple[str, dict[str, list[_Unit]]]:
    """Target language and, per `original` file, its units.  Parsed with defusedxml: the
    file comes from outside and must not expand entities or reach for other files."""
    try:
        root = SafeET.parse(str(path)).getroot()
    except FileNotFoundError:
        raise ReviewError(f"{path}: no such file") from None
    except SafeET.ParseError as exc:
        raise ReviewError(f"{path}: not well-formed XML: {exc}") from None
    except (ValueError, OSError) as exc:  # defusedxml's refusals (entities, DTDs) are ValueErrors
        raise ReviewError(f"{path}: refused: {exc}") from None
    if _local(root.tag) != "xliff" or not str(root.get("version", "")).startswith("1."):
        raise ReviewError(f"{path}: not an XLIFF 1.2 file (root <{_local(root.tag)}> version {root.get('version')})")
    languages: set[str] = set()
    files: dict[str, list[_Unit]] = {}
    for file_el in (el for el in root if _local(el.tag) == "file"):
        original = file_el.get("original")
        language = (file_el.get("target-language") or "").split("-")[0].lower()
        if not original or not language:
            raise ReviewError(f"{path}: a <file> lacks its original or target-language attribute")
        languages.add(language)
        units = []
        for unit in file_el.iter():
            if _local(unit.tag) != "trans-unit":
                continue
            units.append(_read_unit(path, original, unit))
        files[original] = units
    if not files:
        raise ReviewError(f"{path}: no <file> element, nothing to import")
    if len(languages) != 1:
        raise ReviewError(f"{path}: mixes target languages {', '.join(sorted(languages))}; "
                          "import one language per file")
    return languages.pop(), files


def _read_unit(path: Path, original: str, unit) -> _Unit:
    try:
        number = int(unit.get("id", ""))
    except ValueError:
        raise ReviewError(f"{path}: {original}: trans-unit id {unit.get('id')!r} is not a cue number") from None
    target = next((child for child in unit if _local(child.tag) == "target"), None)
    text = _inline_text(target) if target is not None else None
    if text is None:
        lines, explicit = [], False
    else:
        raw = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
        lines = [" ".join(line.split()) for line in raw if line]
        explicit = len(lines) > 1
    return _Unit(number, _float(unit.get(f"{{{HL_NS}}}start")), _float(unit.get(f"{{{HL_NS}}}end")),
                 unit.get(f"{{{HL_NS}}}text-sha256"), lines, explicit)


def _inline_text(element) -> str:
    """Text of a <target>, with XLIFF 1.2 line-break placeholders (<x ctype="lb"/>,
    <ph ctype="lb">) as new lines, and the words inside <g> and <mrk> kept."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name in ("x", "ph", "bx", "ex", "it") and child.get("ctype") == "lb":
            parts.append("\n")
        elif name in ("g", "mrk"):
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is None or math.isfinite(number) else None  # "NaN", "inf": no time


def _changes_for(xliff: Path, doc: ReviewDoc, units: list[_Unit]) -> list[_Change]:
    changes = []
    seen: set[int] = set()
    for unit in units:
        index = _find_cue(doc, unit)
        if index is None:
            timed = unit.start is not None and unit.end is not None
            where = f" ({_clock(unit.start)}–{_clock(unit.end)})" if timed else ""
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
            if _text_hash(new_text) == unit.exported or new_text == current:
                continue  # not touched in review, or already in the file
            conflict = _text_hash(current) != unit.exported
        else:
            if new_text == current:
                continue
            conflict = False
        changes.append(_Change(doc, index, current, _lines_for(unit, new_text, doc.rules), conflict,
                               f"review import of {xliff.name}"))
    return changes


def _find_cue(doc: ReviewDoc, unit: _Unit) -> int | None:
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


def _lines_for(unit: _Unit, text: str, settings: SubtitleSettings) -> list[str]:
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


def edited_clip_subtitles(folder: Path, manifest: Manifest) -> dict[str, list[str]]:
    """Clip id -> languages whose subtitle files for that clip a person edited (through a
    review or directly): captions burned into those clips must be made from these files."""
    folder = Path(folder)
    found: dict[str, list[str]] = {}
    for clip in manifest.clips:
        for language, files in clip.subtitles.items():
            if any(edit_state(folder / rel).human for rel in (files.srt, files.vtt)):
                found.setdefault(clip.id, []).append(language)
    return found


def review_page_path(folder: Path, language: str) -> Path:
    return Path(folder) / REVIEW_DIR / f"{language}.html"

