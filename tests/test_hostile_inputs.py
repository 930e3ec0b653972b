"""Files from outside, parsed safely: property-based tests (hypothesis) of every parser that
reads a file a user, a seller or a translation tool hands us - the catalog (CSV and JSON),
XLIFF files given to `review import`, and subtitle files given to `lint-subs` and read by
`review import`.  Whatever the bytes, the answer is a result or one line that names the file
(and, where there is one, the place in it): never a traceback."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from highlights.catalog import CatalogError, load_catalog
from highlights.cli import main
from highlights.config import load_settings
from highlights.lint import lint_file
from highlights.pipeline import run_batch
from highlights.review import ReviewError
from highlights.review_apply import import_xliff
from highlights.subfiles import SubtitleFileError
from highlights.xliff import export_xliff

# Seeded and bounded: the same examples in CI every time, and a few seconds per parser.
FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RULES = load_settings("default").subtitles
CATALOG = "id,name,aliases,price,currency\naurora-watch,Aurora smart watch,Aurora|Aurora watch,49,USD\n"


def one_line_naming(message: str, *paths: Path) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert any(str(path) in message for path in paths), (message, paths)


# --- hostile text ------------------------------------------------------------------------

# Characters that break parsers: NUL and other controls, a BOM, quotes and separators,
# surrogates' neighbours, right-to-left marks, Cyrillic, very long runs.
awkward = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40) | st.sampled_from(
    ["", "\x00", "\ufeff", '"', '""', ",", "|", "\r", "\n", "\r\n", "nan", "inf", "-inf", "1e400", "-0", "1,5",
     "NaN", "\u202e", "Аврора", "a" * 5000, "-->", "00:00:01,000 --> 00:00:00,000", "{\\an8}", "<b>", "&amp;"])


def _csv_line(cells: list[str]) -> str:
    return ",".join(cells)


csv_texts = st.one_of(
    st.text(max_size=300),
    st.builds(lambda rows: "id,name,aliases,price,currency,url,image\n" + "\n".join(_csv_line(r) for r in rows),
              st.lists(st.lists(awkward, max_size=9), max_size=6)),
    st.builds(lambda header, rows: _csv_line(header) + "\n" + "\n".join(_csv_line(r) for r in rows),
              st.lists(awkward | st.sampled_from(["id", "name", "aliases", "price"]), max_size=8),
              st.lists(st.lists(awkward, max_size=8), max_size=4)),
)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | awkward,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(awkward, inner, max_size=4),
                           max_leaves=20)
json_products = st.lists(st.fixed_dictionaries(
    {}, optional={key: json_values for key in ("id", "name", "aliases", "price", "currency", "url", "image")}),
    max_size=5)


def _check_catalog(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    try:
        products = load_catalog(path)
    except CatalogError as exc:
        one_line_naming(str(exc), path)
        return
    assert products
    for product in products:
        # What is accepted must be usable downstream: JSON (no NaN), names as text.
        assert product.price is None or (math.isfinite(product.price) and product.price >= 0), product
        assert isinstance(product.id, str) and isinstance(product.name, str)
        json.dumps([product.id, product.name, product.aliases, product.price], allow_nan=False)


@FAST
@given(text=csv_texts, bom=st.booleans())
def test_catalog_csv_never_crashes(text, bom):
    with tempfile.TemporaryDirectory() as folder:
        data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
        _check_catalog(Path(folder), "catalog.csv", data)


@FAST
@given(data=json_products | json_values)
def test_catalog_json_never_crashes(data):
    with tempfile.TemporaryDirectory() as folder:
        _check_catalog(Path(folder), "catalog.json", json.dumps(data).encode())


@FAST
@given(data=st.binary(max_size=400), name=st.sampled_from(["catalog.csv", "catalog.json"]))
def test_catalog_random_bytes_never_crash(data, name):
    with tempfile.TemporaryDirectory() as folder:
        _check_catalog(Path(folder), name, data)


# --- subtitle files (lint-subs) ------------------------------------------------------------

def _srt(cues: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"{n}\n{a} --> {b}\n{text}\n" for n, (a, b, text) in enumerate(cues, start=1))


times = st.sampled_from(["00:00:01,000", "00:00:00,000", "99:99:99,999", "-00:00:01,000", "00:00:01.5", "1",
                         "", "00:00:01,000000000000", "00:60:00,000"]) | awkward
subtitle_texts = st.one_of(
    st.text(max_size=400),
    st.builds(_srt, st.lists(st.tuples(times, times, awkward), max_size=5)),
    st.builds(lambda body: "WEBVTT\n\n" + body,
              st.builds(_srt, st.lists(st.tuples(times, times, awkward), max_size=4))),
    st.builds(lambda lines: "[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, "
              "Name, MarginL, MarginR, MarginV, Effect, Text\n" + "\n".join(lines),
              st.lists(st.builds(lambda a, b, t: f"Dialogue: 0,{a},{b},Default,,0,0,0,,{t}", awkward, awkward, awkward),
                       max_size=4)),
)


def _check_subtitles(path: Path) -> None:
    try:
        count, violations = lint_file(path, RULES)
    except SubtitleFileError as exc:
        one_line_naming(str(exc), path)
        return
    assert count >= 0 and all("\n" not in str(v) for v in violations)


@FAST
@given(text=subtitle_texts, suffix=st.sampled_from([".srt", ".vtt", ".ass", ".sub", ".txt"]))
def test_lint_subs_never_crashes_on_text(text, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hostile{suffix}"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        _check_subtitles(path)


@FAST
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".srt", ".vtt", ".ass"]))
def test_lint_subs_never_crashes_on_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hostile{suffix}"
        path.write_bytes(data)
        _check_subtitles(path)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(text=subtitle_texts)
def test_lint_subs_command_prints_lines_naming_the_file(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.srt"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        result = CliRunner().invoke(main, ["lint-subs", str(path)])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert all(line.startswith(str(path)) for line in result.output.splitlines() if line), result.output


# --- XLIFF and subtitle files in review import ---------------------------------------------

@pytest.fixture(scope="module")
def replay(tmp_path_factory, ffmpeg, samples) -> tuple[Path, str]:
    """A real replay folder (the sample's Aurora presentation, English subtitles) and the
    XLIFF its export writes."""
    base = tmp_path_factory.mktemp("hostile-replay")
    source = base / "presentation.mp4"
    subprocess.run([ffmpeg, "-v", "error", "-y", "-ss", "10.24", "-i", str(samples / "demo_replay.mp4"), "-t", "20",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(source)], check=True)
    (base / "catalog.csv").write_text(CATALOG)
    out = base / "out"
    run_batch([str(source)], out, load_settings("default", languages=["en"], transcribe__language="en",
                                               clips__mode="copy"), catalog_path=base / "catalog.csv")
    folder = out / json.loads((out / "batch.json").read_text())[0]["dir"]
    xliff = export_xliff(folder, "en", RULES, base / "export.xlf")
    return folder, xliff.read_text(encoding="utf-8")


def _import(replay_folder: Path, xliff: bytes, subtitle: bytes | None = None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "replay"
        shutil.copytree(replay_folder, folder, ignore=shutil.ignore_patterns("*.mp4", "*.jpg", "*.html"))
        path = Path(scratch) / "from-translator.xlf"
        path.write_bytes(xliff)
        touched = []
        if subtitle is not None:  # someone's own version of the replay's subtitles
            for srt in (folder / "subtitles").glob("*.srt"):
                srt.write_bytes(subtitle)
                touched.append(srt)
        try:
            import_xliff(folder, path, RULES, by="hypothesis")
        except ReviewError as exc:
            one_line_naming(str(exc), path, folder, *touched)


def _mutate(text: str, edits: list[tuple[int, bytes]]) -> bytes:
    data = bytearray(text.encode())
    for where, insert in edits:
        at = where % (len(data) + 1)
        data[at:at + len(insert)] = insert  # overwrite (and grow at the end)
    return bytes(data)


@FAST
@given(data=st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_review_import_never_crashes_on_random_files(replay, data):
    _import(replay[0], data)


@FAST
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=6)), min_size=1, max_size=4))
def test_review_import_never_crashes_on_damaged_xliff(replay, edits):
    _import(replay[0], _mutate(replay[1], edits))


@FAST
@given(target=awkward, attribute=st.sampled_from(["id", "hl:start", "hl:end", "target-language", "original",
                                                  "hl:text-sha256", "version"]), value=awkward)
def test_review_import_never_crashes_on_odd_targets_and_attributes(replay, target, attribute, value):
    from xml.sax.saxutils import escape, quoteattr

    text = replay[1]
    # A translator's target (escaped as a tool would, control characters and all)...
    start = text.find("<target")
    end = text.find("</target>", start)
    if start >= 0 and end >= 0:
        text = text[:text.index(">", start) + 1] + escape(target) + text[end:]
    # ...and one attribute with a value of the tool's making.
    marker = f' {attribute}="'
    at = text.find(marker)
    if at >= 0:
        close = text.index('"', at + len(marker))
        text = text[:at] + f" {attribute}=" + quoteattr(value) + text[close + 1:]
    _import(replay[0], text.encode("utf-8", "surrogatepass"))


@FAST
@given(subtitle=subtitle_texts.map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary(max_size=300))
def test_review_import_never_crashes_on_hostile_subtitle_files(replay, subtitle):
    _import(replay[0], replay[1].encode(), subtitle)


def test_review_import_command_reports_one_line(replay, tmp_path):
    bad = tmp_path / "bad.xlf"
    bad.write_bytes(b"<xliff version='1.2'><file original='x' target-language='en'><trans-unit id='\x00'/>")
    result = CliRunner().invoke(main, ["review", "import", str(replay[0]), str(bad)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0], result.output


# --- live-room events and review decisions -------------------------------------------------

event_rows = st.lists(st.lists(awkward | st.sampled_from(["comment", "add_to_cart", "like", "00:01:02", "12.5", "-3"]),
                               max_size=6), max_size=6)
events_csv = st.one_of(st.text(max_size=300), st.builds(
    lambda rows: "time,kind,text,user\n" + "\n".join(_csv_line(r) for r in rows), event_rows))
json_events = st.lists(st.fixed_dictionaries({}, optional={k: json_values for k in ("time", "kind", "text", "user")}),
                       max_size=5) | json_values


@FAST
@given(text=events_csv, as_json=json_events)
def test_events_files_are_read_or_refused_in_one_line(text, as_json):
    from highlights.events import EventsError, load_events, read_events

    with tempfile.TemporaryDirectory() as folder:
        for path, data in ((Path(folder) / "live.events.csv", text.encode("utf-8", "surrogatepass")),
                           (Path(folder) / "live.events.json", json.dumps(as_json).encode())):
            path.write_bytes(data)
            try:
                events = read_events(path)
            except EventsError as exc:
                one_line_naming(str(exc), path)
                outcome = load_events(Path(folder) / "live.mp4", path)  # the replay goes on without them
                assert outcome.events == [] and outcome.error and "\n" not in outcome.error
                continue
            assert all(math.isfinite(e.time) and e.time >= 0 for e in events)
            assert [e.time for e in events] == sorted(e.time for e in events)


decision_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | awkward | st.sampled_from(["approved", "rejected"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        awkward | st.sampled_from(["status", "start", "end", "title"]), inner, max_size=4), max_leaves=12)


@FAST
@given(clips=st.dictionaries(awkward, decision_values, max_size=4), raw=st.text(max_size=200))
def test_decisions_files_are_read_or_refused_in_one_line_and_never_rewritten(clips, raw):
    from highlights.decisions import decisions_path, read_decisions

    with tempfile.TemporaryDirectory() as folder:
        for text in (json.dumps({"clips": clips}), raw):
            path = decisions_path(folder)
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
            decisions, problem = read_decisions(folder)
            if problem:
                one_line_naming(problem, path)
                assert decisions.clips == {}
            else:
                for decision in decisions.clips.values():
                    assert decision.status in (None, "approved", "rejected")
                    assert all(t is None or math.isfinite(t) for t in (decision.start, decision.end))
            assert path.read_bytes() == text.encode("utf-8", "surrogatepass")  # reading never rewrites it
