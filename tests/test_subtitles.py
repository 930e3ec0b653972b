import pysubs2
import pytest

from highlights.config import SubtitleSettings
from highlights.lint import lint_cues
from highlights.records import Cue, Word
from highlights.subtitles import break_lines, build_cues, read_cues, write_subtitles

RULES = SubtitleSettings()


def speak(text: str, start: float = 0.0, wps: float = 2.5, pause_after: dict[int, float] | None = None) -> list[Word]:
    """Words spoken at `wps` words per second, with optional pauses after word indices."""
    words, time = [], start
    for index, token in enumerate(text.split()):
        duration = max(0.12, len(token) / (wps * 5.5))
        words.append(Word(round(time, 3), round(time + duration, 3), " " + token))
        time += duration + 0.05 + (pause_after or {}).get(index, 0.0)
    return words


STREAM = ("Hi everyone, and welcome back to the live show! Today we have something special for you. "
          "Let's start with the Aurora smart watch, which tracks your steps, your heart rate and your sleep. "
          "The battery lasts a full week and it is water resistant. Today it costs only 49 dollars, "
          "so use code AURORA10 and add it to your cart, the link is below. " * 4)


def test_cues_follow_the_rules_on_a_long_monologue():
    cues = build_cues(speak(STREAM, pause_after={30: 1.2, 61: 0.8}), RULES)
    assert len(cues) > 20
    assert lint_cues(cues, RULES) == []
    assert " ".join(" ".join(c.lines) for c in cues).split() == STREAM.split()


def test_numbers_stay_with_their_unit():
    text = "and the price today is only 49 dollars for everyone watching this evening right now, friends"
    for line_limit in (20, 26, 30, 42):
        settings = SubtitleSettings(max_chars_per_line=line_limit, max_lines=1)
        for cue in build_cues(speak(text), settings):
            assert not cue.text.endswith(" 49") and not cue.text.startswith("dollars")


def test_lines_break_at_punctuation_and_balance():
    lines = break_lines("The battery lasts a full week, and it is water resistant too.", RULES)
    assert lines == ["The battery lasts a full week,", "and it is water resistant too."]
    assert break_lines("Short one.", RULES) == ["Short one."]


def test_single_line_mode_for_vertical_clips():
    settings = SubtitleSettings(max_lines=1)
    cues = build_cues(speak(STREAM), settings)
    assert all(len(c.lines) == 1 for c in cues)
    assert lint_cues(cues, settings) == []


def test_fast_tiny_words_never_make_zero_length_cues():
    words = [Word(1.0, 1.0, " Hi."), Word(1.0, 1.01, " Yes."), Word(1.01, 1.02, " Go!"), Word(5.0, 5.2, " Ok.")]
    cues = build_cues(words, RULES)
    assert all(c.end > c.start for c in cues)
    assert not [v for v in lint_cues(cues, RULES) if v.rule in ("non-positive duration", "overlap")]


def test_clip_offset_and_files_parse(tmp_path):
    cues = build_cues(speak("Hello there. This is the clip.", start=30.0), RULES, offset=30.0)
    assert cues[0].start == pytest.approx(0.0, abs=0.01)
    paths = write_subtitles(cues, tmp_path / "clip.en")
    assert sorted(p.name for p in paths.values()) == ["clip.en.srt", "clip.en.vtt"]
    assert paths["vtt"].read_text().startswith("WEBVTT")
    for path in paths.values():
        parsed = pysubs2.load(str(path))
        assert len(parsed) == len(cues)
        assert [c.lines for c in read_cues(path)] == [c.lines for c in cues]


def test_lint_reports_each_violation_with_its_cue_number():
    cues = [Cue(0.0, 0.5, ["short"]), Cue(0.5, 9.0, ["x" * 50]), Cue(8.0, 8.0, ["zero"]),
            Cue(9.0, 9.9, ["a very long line of text read far too quickly"])]
    found = {(v.cue, v.rule) for v in lint_cues(cues, RULES)}
    assert {(1, "too short"), (1, "gap too small"), (2, "too long"), (2, "line too long"), (2, "overlap"),
            (3, "non-positive duration"), (4, "reading speed")} <= found


def test_rewrite_keeps_a_file_a_person_edited(tmp_path):
    cues = build_cues(speak("Hello there. This is the clip."), RULES)
    paths = write_subtitles(cues, tmp_path / "replay.en")
    edited = paths["srt"].read_text().replace("Hello there.", "Hello, there!")
    paths["srt"].write_text(edited)
    write_subtitles(build_cues(speak("Something else entirely."), RULES), tmp_path / "replay.en")
    assert paths["srt"].read_text() == edited  # the person's edit survives
    assert "Something else" in paths["vtt"].read_text()  # the untouched file is regenerated
