"""Translator review: XLIFF 1.2 export, import of the corrections as human edits, the edit
record, and the review page.

The replay folder is built from the sample's ground truth with the pipeline's own writers
(cues, SRT/VTT/ASS, ledger), plus a Russian translation written the way the translation
stage writes one, so these tests run in well under a second; test_recap_browser.py does the
round trip on real `highlights run` output."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from highlights.cli import main
from highlights.config import SubtitleSettings
from highlights.edits import EDITED_DIRECTLY, GENERATED, REVIEWED, edit_state, read_edits
from highlights.files import write_json
from highlights.recap import write_replay_pages
from highlights.records import Clip, Cue, Manifest, MediaInfo, Product, Segment, SubtitleFiles, Transcript, Word
from highlights.review import ReviewError, read_cues, review_docs
from highlights.review_apply import import_xliff
from highlights.subtitles import break_lines, build_cues, write_subtitles
from highlights.xliff import HL_NS, XLIFF_NS, export_xliff

SETTINGS = SubtitleSettings()
NS = {"x": XLIFF_NS}
RUSSIAN = [
    "Всем привет, и добро пожаловать снова на наш прямой эфир!",
    "Так здорово видеть вас всех здесь сегодня вечером.",
    "Устраивайтесь поудобнее и поздоровайтесь в чате.",
    "Начнём с умных часов Aurora.",
    "Часы Aurora считают шаги, пульс и следят за сном.",
    "Батарея держит целую неделю.",
    "Сегодня умные часы Aurora стоят всего сорок девять долларов.",
    "Введите код AURORA ten и добавьте их в корзину. Ссылка ниже.",
]
CLIP = (10.24, 30.2)


def _sentences(samples: Path) -> list[dict]:
    truth = json.loads((samples / "demo_replay.truth.json").read_text(encoding="utf-8"))
    return [s for part in truth["parts"] for s in part["sentences"]][:len(RUSSIAN)]


def _words(sentence: dict) -> list[Word]:
    tokens = sentence["text"].split()
    step = (sentence["end"] - sentence["start"]) / len(tokens)
    return [Word(round(sentence["start"] + i * step, 3), round(sentence["start"] + (i + 1) * step - 0.05, 3), " " + t)
            for i, t in enumerate(tokens)]


def _write(cues: list[Cue], base: Path) -> SubtitleFiles:
    paths = write_subtitles(cues, base)
    folder = base.parent.parent
    return SubtitleFiles(paths["srt"].relative_to(folder).as_posix(), paths["vtt"].relative_to(folder).as_posix())


@pytest.fixture
def replay(built_replay, tmp_path) -> Path:
    """A fresh copy of the replay folder (ledgers included) for each test to change."""
    folder = tmp_path / "demo-replay"
    shutil.copytree(built_replay, folder)
    return folder


@pytest.fixture(scope="module")
def built_replay(tmp_path_factory, samples) -> Path:
    """OUT/demo-replay as the pipeline leaves it: manifest, transcript, English and Russian
    subtitles for the whole replay and for the Aurora clip."""
    folder = tmp_path_factory.mktemp("built") / "demo-replay"
    sentences = _sentences(samples)
    segments = [Segment(s["start"], s["end"], " " + s["text"], _words(s)) for s in sentences]
    transcript = Transcript("en", 0.99, 88.0, "base", segments)
    write_json(folder / "transcript.json", transcript)
    words = transcript.words
    clip_words = [w for w in words if CLIP[0] <= w.start and w.end <= CLIP[1]]
    russian = [Cue(s["start"], s["end"], break_lines(text, SETTINGS)) for s, text in zip(sentences, RUSSIAN)]
    russian_clip = [Cue(round(c.start - CLIP[0], 3), round(c.end - CLIP[0], 3), c.lines)
                    for c in russian if CLIP[0] <= c.start < CLIP[1]]
    clip = Clip("clip-01-aurora-watch", CLIP[0], CLIP[1], "clips/clip-01-aurora-watch.mp4", ["aurora-watch"], 8.5,
                ["names Aurora smart watch 4 times"], "clips/clip-01-aurora-watch.jpg")
    clip.subtitles = {
        "en": _write(build_cues(clip_words, SETTINGS, offset=CLIP[0], duration=CLIP[1] - CLIP[0]),
                     folder / "clips" / f"{clip.id}.en"),
        "ru": _write(russian_clip, folder / "clips" / f"{clip.id}.ru"),
    }
    video = samples / "demo_replay.mp4"
    manifest = Manifest(
        input=str(video), slug="demo-replay", duration=88.0, language="en",
        media=MediaInfo(str(video), "mov,mp4,m4a,3gp,3g2,mj2", 88.0, video.stat().st_size, True, True, "h264",
                        640, 360, 25.0, audio_codec="aac", audio_streams=1, sample_rate=44100),
        products=[Product("aurora-watch", "Aurora smart watch", ["Aurora"], 49.0, "USD")],
        clips=[clip],
        subtitles={
            "en": _write(build_cues(words, SETTINGS, duration=88.0), folder / "subtitles" / "demo-replay.en"),
            "ru": _write(russian, folder / "subtitles" / "demo-replay.ru"),
        },
    )
    write_json(folder / "manifest.json", manifest)
    return folder


def _units(xlf: Path, original: str) -> dict[str, ET.Element]:
    root = ET.parse(xlf).getroot()
    file_el = next(f for f in root.findall("x:file", NS) if f.get("original") == original)
    return {u.get("id"): u for u in file_el.iter(f"{{{XLIFF_NS}}}trans-unit")}


def _translate(xlf: Path, edits: dict[tuple[str, str], str], drop_our_attributes: bool = False) -> None:
    """What a translation tool does: change <target> texts and save the file."""
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(xlf)
    for file_el in tree.getroot().findall("x:file", NS):
        for unit in file_el.iter(f"{{{XLIFF_NS}}}trans-unit"):
            if drop_our_attributes:
                for key in [k for k in unit.attrib if k.startswith(f"{{{HL_NS}}}")]:
                    del unit.attrib[key]
            text = edits.get((file_el.get("original"), unit.get("id")))
            if text is not None:
                target = unit.find("x:target", NS)
                target.text, target.attrib["state"] = text, "translated"
                for child in list(target):
                    target.remove(child)
    tree.write(xlf, encoding="utf-8", xml_declaration=True)


def _texts(path: Path) -> list[str]:
    return [" ".join(c.lines) for c in read_cues(path)]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


WHOLE, CLIP_FILE = "subtitles/demo-replay.ru.srt", "clips/clip-01-aurora-watch.ru.srt"


def test_export_is_one_xliff_file_per_language_with_every_subtitle_beside_its_source(replay):
    xlf = export_xliff(replay, "ru", SETTINGS)
    assert xlf == replay / "review" / "demo-replay.ru.xlf"
    root = ET.parse(xlf).getroot()
    assert root.tag == f"{{{XLIFF_NS}}}xliff" and root.get("version") == "1.2"
    files = root.findall("x:file", NS)
    assert [f.get("original") for f in files] == [WHOLE, CLIP_FILE]
    assert {(f.get("source-language"), f.get("target-language")) for f in files} == {("en", "ru")}
    units = _units(xlf, WHOLE)
    assert len(units) == len(read_cues(replay / WHOLE)) == len(RUSSIAN)
    aurora = units["4"]
    assert aurora.find("x:source", NS).text == "Let's start with the Aurora smart watch."
    assert aurora.find("x:target", NS).text == "Начнём с умных часов Aurora."
    assert aurora.find("x:target", NS).get("state") == "needs-review-translation"
    assert aurora.find("x:target", NS).get("state-qualifier") == "mt-suggestion"
    assert float(aurora.get(f"{{{HL_NS}}}start")) == pytest.approx(10.74)
    notes = [n.text for n in aurora.findall("x:note", NS)]
    assert any("0:00:10.740 → 0:00:13.084" in n for n in notes)
    # Clip files are in the clip's own time, their notes in the replay's.
    clip_aurora = _units(xlf, CLIP_FILE)["1"]
    assert float(clip_aurora.get(f"{{{HL_NS}}}start")) == pytest.approx(0.5)
    assert any("0:00:10.740" in n.text for n in clip_aurora.findall("x:note", NS))
    # The English review is against what was heard.
    heard = _units(export_xliff(replay, "en", SETTINGS), "subtitles/demo-replay.en.srt")
    assert heard["1"].find("x:source", NS).text.startswith("Hi everyone,")


def test_import_writes_corrections_as_human_edits_and_records_them(replay, samples):
    xlf = export_xliff(replay, "ru", SETTINGS)
    _translate(xlf, {(WHOLE, "4"): "Начнём с умных часов «Aurora»!"})
    result = import_xliff(replay, xlf, SETTINGS, by="Anna")

    assert _texts(replay / WHOLE)[3] == "Начнём с умных часов «Aurora»!"
    assert _texts(replay / "subtitles/demo-replay.ru.vtt")[3] == "Начнём с умных часов «Aurora»!"
    assert "«Aurora»!" in (replay / "subtitles/demo-replay.ru.ass").read_text(encoding="utf-8")
    # The same words in the clip's file got the same correction, in the clip's time.
    assert _texts(replay / CLIP_FILE)[0] == "Начнём с умных часов «Aurora»!"
    assert read_cues(replay / CLIP_FILE)[0].start == pytest.approx(0.5)
    assert result.files == [WHOLE, CLIP_FILE] and result.clips == ["clip-01-aurora-watch"]
    assert (len(result.edits), result.carried_over, result.conflicts) == (2, 1, 0)

    for rel in (WHOLE, "subtitles/demo-replay.ru.vtt", CLIP_FILE, "clips/clip-01-aurora-watch.ru.vtt"):
        state = edit_state(replay / rel)
        assert (state.state, state.by, state.via) == (REVIEWED, "Anna", "review import of demo-replay.ru.xlf")
    assert edit_state(replay / "subtitles/demo-replay.en.srt").state == GENERATED
    # Other cues are untouched, byte for byte in their timing.
    assert [c.start for c in read_cues(replay / WHOLE)] == [s["start"] for s in _sentences(samples)]

    records = read_edits(replay)
    assert [(r.file, r.cue, r.old, r.new, r.by) for r in records] == [
        (WHOLE, 4, "Начнём с умных часов Aurora.", "Начнём с умных часов «Aurora»!", "Anna"),
        (CLIP_FILE, 1, "Начнём с умных часов Aurora.", "Начнём с умных часов «Aurora»!", "Anna")]
    assert records[1].clip == "clip-01-aurora-watch" and "same words as" in records[1].source

    # The review page shows the new text and the history (importing writes no page: the
    # `review import` command renders them after applying, as here).
    write_replay_pages(replay, json_manifest(replay), SETTINGS)
    page = (replay / "review" / "ru.html").read_text(encoding="utf-8")
    assert "Начнём с умных часов «Aurora»!" in page and "Reviewed by Anna" in page
    assert "<del><span class=\"vh\">was: </span>Начнём с умных часов Aurora.</del>" in page

    # Importing the same file again changes nothing.
    before = _snapshot(replay)
    assert import_xliff(replay, xlf, SETTINGS, by="Anna").edits == []
    assert _snapshot(replay) == before


def test_a_rerun_never_overwrites_reviewed_or_directly_edited_subtitles(replay):
    xlf = export_xliff(replay, "ru", SETTINGS)
    _translate(xlf, {(WHOLE, "6"): "Аккумулятора хватает на целую неделю."})
    import_xliff(replay, xlf, SETTINGS, by="Anna")
    vtt = replay / "clips/clip-01-aurora-watch.en.vtt"
    vtt.write_text(vtt.read_text(encoding="utf-8").replace("Aurora smart watch", "Aurora Smartwatch"), encoding="utf-8")
    kept = _snapshot(replay)

    # What the pipeline's subtitle stage does on a re-run: write its machine cues again.
    machine = [Cue(c.start, c.end, ["machine"]) for c in read_cues(replay / WHOLE)]
    write_subtitles(machine, replay / "subtitles" / "demo-replay.ru")
    write_subtitles([Cue(0.5, 2.0, ["machine"])], replay / "clips" / "clip-01-aurora-watch.en")
    after = _snapshot(replay)
    for rel in (WHOLE, "subtitles/demo-replay.ru.vtt", "subtitles/demo-replay.ru.ass",
                "clips/clip-01-aurora-watch.en.vtt"):
        assert after[rel] == kept[rel], rel
    # The clip's English SRT was nobody's edit: the re-run rewrote it.
    assert _texts(replay / "clips/clip-01-aurora-watch.en.srt") == ["machine"]
    assert edit_state(vtt).state == EDITED_DIRECTLY

    # The export reads the edited format (the VTT) rather than the stale SRT.
    units = _units(export_xliff(replay, "en", SETTINGS), "clips/clip-01-aurora-watch.en.srt")
    assert "Aurora Smartwatch" in units["1"].find("x:target", NS).text
    assert units["1"].find("x:target", NS).get("state") == "translated"


def test_cues_untouched_in_review_keep_direct_edits_and_conflicts_are_recorded(replay):
    xlf = export_xliff(replay, "ru", SETTINGS)
    srt = replay / WHOLE
    # After the export, someone fixes cues 2 and 3 in the SRT file itself.
    text = srt.read_text(encoding="utf-8")
    text = text.replace("Так здорово", "Как здорово")
    text = text.replace("Устраивайтесь поудобнее", "Располагайтесь поудобнее")
    srt.write_text(text, encoding="utf-8")
    # The translator changed cue 3 too (differently) and cue 5, not cue 2.
    _translate(xlf, {(WHOLE, "3"): "Устраивайтесь удобнее и напишите нам в чат.",
                     (WHOLE, "5"): "Часы Aurora считают шаги, пульс и сон."})
    result = import_xliff(replay, xlf, SETTINGS, by="Anna")
    texts = _texts(srt)
    assert texts[1].startswith("Как здорово")  # the direct edit survives
    assert texts[2] == "Устраивайтесь удобнее и напишите нам в чат."  # the review wins...
    assert texts[4] == "Часы Aurora считают шаги, пульс и сон."
    conflict = next(r for r in result.edits if r.cue == 3)
    assert conflict.conflict and conflict.old.startswith("Располагайтесь")  # ...and the edit it replaced is kept
    assert result.conflicts == 1


def test_long_translation_is_broken_into_lines_and_given_time_to_be_read(replay):
    xlf = export_xliff(replay, "ru", SETTINGS)
    longer = "Батарея держит целую неделю, так что заряжать часы почти не придётся."
    too_long = "Введите код AURORA ten, добавьте часы в корзину и оформите заказ. Ссылка на товар ниже, под видео."
    _translate(xlf, {(WHOLE, "6"): longer, (WHOLE, "8"): too_long})
    result = import_xliff(replay, xlf, SETTINGS)
    cues = read_cues(replay / WHOLE)
    cue, following = cues[5], cues[6]
    assert " ".join(cue.lines) == longer
    assert len(cue.lines) <= SETTINGS.max_lines
    assert all(len(line) <= SETTINGS.max_chars_per_line for line in cue.lines)
    assert cue.start == pytest.approx(18.245)  # a start never moves
    assert cue.end > 19.981  # it got more of the silence after it...
    assert following.start - cue.end >= SETTINGS.min_gap_frames / SETTINGS.frame_rate - 1e-3  # ...never the next cue's
    assert result.edits[0].new_end == pytest.approx(cue.end)
    # Words that cannot fit are never cut: they are kept and reported.
    assert " ".join(cues[7].lines) == too_long
    assert any(w.startswith(f"{WHOLE} cue 8: line too long") for w in result.warnings)
    # Cue 6 took all the silence there was; still too fast to read, which is said, not hidden.
    assert cue.end == pytest.approx(following.start - SETTINGS.min_gap_frames / SETTINGS.frame_rate, abs=2e-3)
    assert [w.split(": ")[1] for w in result.warnings if w.startswith(f"{WHOLE} cue 6:")] == ["reading speed"]


def test_translator_line_breaks_are_kept_when_they_fit(replay):
    xlf = export_xliff(replay, "ru", SETTINGS)
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(xlf)
    unit = next(u for f in tree.getroot().findall("x:file", NS) if f.get("original") == WHOLE
                for u in f.iter(f"{{{XLIFF_NS}}}trans-unit") if u.get("id") == "7")
    target = unit.find("x:target", NS)
    target.text = "Сегодня часы Aurora —"
    ET.SubElement(target, f"{{{XLIFF_NS}}}x", {"id": "1", "ctype": "lb"}).tail = "всего 49 долларов!"
    tree.write(xlf, encoding="utf-8", xml_declaration=True)
    import_xliff(replay, xlf, SETTINGS)
    assert read_cues(replay / WHOLE)[6].lines == ["Сегодня часы Aurora —", "всего 49 долларов!"]


def test_a_tool_that_drops_our_attributes_still_round_trips(replay):
    xlf = export_xliff(replay, "ru", SETTINGS)
    _translate(xlf, {(WHOLE, "2"): "Как здорово видеть вас всех сегодня!"}, drop_our_attributes=True)
    result = import_xliff(replay, xlf, SETTINGS)
    assert _texts(replay / WHOLE)[1] == "Как здорово видеть вас всех сегодня!"
    assert [r.cue for r in result.edits] == [2]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="subtitles/demo-replay.ru.srt"
 source-language="en" target-language="ru" datatype="plaintext"><body><trans-unit id="1"><source>x</source>
 <target>&b;</target></trans-unit></body></file></xliff>"""


@pytest.mark.parametrize("case, expected", [
    ("truncated", "not well-formed XML"),
    ("entities", "refused"),
    ("not xliff", "not an XLIFF 1.2 file"),
    ("unknown file", "is not a ru subtitle file"),
    ("re-split", "is no longer in that file"),
    ("emptied", "is empty"),
])
def test_a_file_that_cannot_be_applied_changes_nothing(replay, case, expected):
    xlf = export_xliff(replay, "ru", SETTINGS)
    _translate(xlf, {(WHOLE, "1"): "Всем привет!"})  # a good edit that must not land either
    text = xlf.read_text(encoding="utf-8")
    if case == "truncated":
        text = text[: len(text) // 2]
    elif case == "entities":
        text = BILLION_LAUGHS
    elif case == "not xliff":
        text = '<?xml version="1.0"?><tmx version="1.4"><body/></tmx>'
    elif case == "unknown file":
        text = text.replace(f'original="{CLIP_FILE}"', 'original="../../etc/passwd"')
    elif case == "re-split":
        # The pipeline made the file again with other cues since the export.
        write_subtitles([Cue(0.5, 3.0, ["Всем привет"]), Cue(3.2, 9.0, ["и добро пожаловать"])],
                        replay / "clips" / "clip-01-aurora-watch.ru")
    elif case == "emptied":
        _translate(xlf, {(WHOLE, "2"): "  "})
        text = xlf.read_text(encoding="utf-8")
    xlf.write_text(text, encoding="utf-8")
    before = _snapshot(replay)
    with pytest.raises(ReviewError) as caught:
        import_xliff(replay, xlf, SETTINGS, by="Anna")
    message = str(caught.value)
    assert expected in message and str(xlf) in message and "\n" not in message
    assert _snapshot(replay) == before
    assert read_edits(replay) == []


def test_missing_language_is_a_clear_error(replay):
    manifest = json.loads((replay / "manifest.json").read_text(encoding="utf-8"))
    manifest["missing_languages"] = {"pl": "no translation model for en→pl is installed"}
    (replay / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReviewError, match="no pl subtitles in this replay \\(no translation model"):
        export_xliff(replay, "pl", SETTINGS)
    with pytest.raises(ReviewError, match="not a replay folder"):
        export_xliff(replay / "clips", "ru", SETTINGS)


def test_review_lists_rule_warnings_and_escapes_what_it_shows(replay):
    srt = replay / WHOLE
    srt.write_text(srt.read_text(encoding="utf-8").replace(
        "Батарея держит целую неделю.", "Батарея держит целую неделю, и даже дольше, правда-правда."), encoding="utf-8")
    manifest = json_manifest(replay)
    manifest.products[0].name = "<img src=x onerror=alert(1)>"
    docs = review_docs(replay, manifest, "ru", SETTINGS)
    sixth = docs[0].cues[5]
    assert [w.split(":")[0] for w in sixth.warnings] == ["line too long", "reading speed"]
    assert docs[0].state.state == EDITED_DIRECTLY
    assert docs[1].label == "Clip 1 · <img src=x onerror=alert(1)>"
    write_replay_pages(replay, manifest, SETTINGS)
    page = (replay / "review" / "ru.html").read_text(encoding="utf-8")
    assert "<img" not in page
    assert "Clip 1 · &lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<script>") == 1  # the page's own
    assert 'class="cue has-warnings"' in page and "Edited by hand" in page
    assert "line too long: 58 &gt; 42 characters" in page


def json_manifest(folder: Path) -> Manifest:
    from highlights.review import load_replay

    return load_replay(folder)


def test_cli_round_trip(replay):
    runner = CliRunner()
    exported = runner.invoke(main, ["review", "export", str(replay), "--language", "ru"])
    assert exported.exit_code == 0, exported.output
    xlf = replay / "review" / "demo-replay.ru.xlf"
    assert f"ru: {xlf}" in exported.output
    _translate(xlf, {(WHOLE, "8"): "Введите код AURORA10 и добавьте их в корзину. Ссылка ниже."})
    imported = runner.invoke(main, ["review", "import", str(replay), str(xlf), "--by", "Anna"])
    assert imported.exit_code == 0, imported.output
    assert "1 subtitles corrected, 1 more carried over" in imported.output
    assert "AURORA10" in _texts(replay / CLIP_FILE)[-1]

    xlf.write_text("<xliff", encoding="utf-8")
    broken = runner.invoke(main, ["review", "import", str(replay), str(xlf)])
    assert broken.exit_code == 1
    assert broken.output.startswith(f"Error: {xlf}: not well-formed XML") and broken.output.count("\n") == 1
    both = runner.invoke(main, ["review", "export", str(replay), "-o", str(replay / "x.xlf")])
    assert both.exit_code == 2 and "exactly one --language" in both.output


def test_corrected_words_reach_the_burned_in_captions_of_a_vertical_clip(replay):
    from highlights.captions import CaptionStyle, build_script, caption_cues
    from highlights.edits import write_generated
    from highlights.files import read_json
    from highlights.records import from_dict

    # A vertical clip as the pipeline leaves one: its caption script made from the words.
    manifest = json_manifest(replay)
    clip = manifest.clips[0]
    transcript = from_dict(Transcript, read_json(replay / "transcript.json"))
    style = CaptionStyle()
    script = replay / "clips" / f"{clip.id}.captions.ass"
    captions = caption_cues(transcript.words, clip.start, clip.end, SETTINGS, style)
    write_generated(script, build_script(captions, style, clip.end - clip.start, manifest.products[0]).to_string("ass"))
    clip.mode, clip.captions, clip.caption_language = "vertical", script.relative_to(replay).as_posix(), "en"
    write_json(replay / "manifest.json", manifest)

    xlf = export_xliff(replay, "en", SETTINGS)
    unit = next(u for u in _units(xlf, "clips/clip-01-aurora-watch.en.srt").values()
                if "battery" in u.find("x:target", NS).text)
    _translate(xlf, {("clips/clip-01-aurora-watch.en.srt", unit.get("id")): "The battery lasts a whole week."})
    result = import_xliff(replay, xlf, SETTINGS, by="Anna")
    assert result.captions == ["clip-01-aurora-watch"]

    import pysubs2

    subs = pysubs2.load(str(script))
    said = " ".join(e.plaintext for e in subs if e.style == "Caption")
    assert "The battery lasts a whole week." in said and "a full week" not in said
    assert [e.plaintext for e in subs if e.style == "Card"] == [e.plaintext for e in pysubs2.SSAFile.from_string(
        build_script([], style, clip.end - clip.start, manifest.products[0]).to_string("ass")) if e.style == "Card"]
    # Marked as a person's: the clip stage burns such a script as it is, and its changed
    # bytes make the next run redo the clips stage.
    assert edit_state(script).state == REVIEWED
    assert all(e.end <= round((clip.end - clip.start) * 1000) for e in subs)


def test_a_page_rendered_again_keeps_its_player_without_reading_the_old_page(replay, samples, tmp_path, monkeypatch):
    from highlights.recap import relurl, replay_video_src

    video = samples / "demo_replay.mp4"
    manifest = json_manifest(replay)
    write_replay_pages(replay, manifest, SETTINGS, source=video)  # what the pipeline does
    expected = Path(os.path.relpath(video.resolve(), replay.resolve())).as_posix()
    # A review import run from another folder, with the input as given on the command line.
    manifest.input = "demo_replay.mp4"
    monkeypatch.chdir(tmp_path)
    (replay / "recap.html").write_text('<video id="player" src="elsewhere.mp4"></video>', encoding="utf-8")
    assert replay_video_src(manifest, replay) == expected
    write_replay_pages(replay, manifest, SETTINGS)
    page = (replay / "recap.html").read_text(encoding="utf-8")
    assert f'<video id="player" controls preload="metadata" playsinline src="{relurl(expected)}"' in page
    # Without the record the page has no player, whatever the old page said.
    (replay / "player.json").unlink()
    (replay / "recap.html").write_text('<video id="player" src="../x.mp4"></video>', encoding="utf-8")
    assert replay_video_src(manifest, replay) is None
