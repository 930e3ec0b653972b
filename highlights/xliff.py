"""XLIFF 1.2 for translator review: the writer (`export_xliff`) and the parser (`parse_xliff`).

Why XLIFF 1.2 and not CSV: it is the exchange format every translation tool reads and
writes (OmegaT, memoQ, Trados, Phrase, Crowdin, Weblate, Poedit, Virtaal), it carries the
source and target languages, a state per segment (`needs-review-translation`,
`translated`...) and notes that those tools show beside each segment (our timings and lint
warnings), and as XML in UTF-8 it survives Cyrillic and Polish text unharmed.  A CSV opened
in a spreadsheet is re-encoded to the local code page, split on `;` or `,` by locale, and
loses the line structure; that is how translations get corrupted.

One XLIFF document holds one `<file>` per subtitle file of the language (the whole replay
and every clip), one `<trans-unit>` per cue.  Units carry, in our own namespace, the cue's
times and a hash of the text as exported (`text_hash`), so the import (`review_apply.py`)
can tell the cues the translator changed from those someone changed in the subtitle file
directly since."""

from __future__ import annotations

import hashlib
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pysubs2

from . import __version__
from .config import SubtitleSettings
from .files import write_text
from .records import Manifest
from .review import REVIEW_DIR, ReviewError, load_replay, one_line, review_docs
from .text import squeeze

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
HL_NS = "urn:highlights:review:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ET.register_namespace("", XLIFF_NS)
ET.register_namespace("hl", HL_NS)


@dataclass
class Unit:
    """One <trans-unit> as read back from a translator's file."""

    number: int
    start: float | None
    end: float | None
    exported: str | None  # hash of the text as exported
    lines: list[str]  # the translator's text, lines as given
    explicit_breaks: bool


def text_hash(text: str) -> str:
    return hashlib.sha256(one_line(text).encode("utf-8")).hexdigest()


def clock(seconds: float) -> str:
    """Seconds as a subtitle clock ("0:00:10.740"), for notes and messages."""
    return pysubs2.time.ms_to_str(round(seconds * 1000), fractions=True)


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
                f"{{{HL_NS}}}text-sha256": text_hash(cue.text),
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
                f"{clock(cue.start + doc.offset)} → {clock(cue.end + doc.offset)} in the replay · {seconds:.1f} s on "
                f"screen · {chars} characters, at most {int(doc.rules.max_cps * seconds)} at {doc.rules.max_cps:g}/s")
            for warning in cue.warnings:
                ET.SubElement(unit, f"{{{XLIFF_NS}}}note", {"from": "highlights", "priority": "2"}).text = warning
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    path = Path(target) if target else default_export_path(folder, manifest, language)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    write_text(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")
    return path


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xliff(path: Path) -> tuple[str, dict[str, list[Unit]]]:
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
    files: dict[str, list[Unit]] = {}
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


def _read_unit(path: Path, original: str, unit: Any) -> Unit:
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
        lines = [squeeze(line) for line in raw if line]
        explicit = len(lines) > 1
    return Unit(number, _float(unit.get(f"{{{HL_NS}}}start")), _float(unit.get(f"{{{HL_NS}}}end")),
                 unit.get(f"{{{HL_NS}}}text-sha256"), lines, explicit)


def _inline_text(element: Any) -> str:
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

