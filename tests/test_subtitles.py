import json
import re
import subprocess
import sys
from pathlib import Path

import pysubs2
import pytest
from click.testing import CliRunner

from highlights.cli import main
from highlights.config import SubtitleSettings
from highlights.lint import lint_cues, speech_spans
from highlights.records import Cue, Transcript, Word, from_dict
from highlights.subfiles import read_cues
from highlights.subtitles import LEAD_IN, MAX_DELAY, break_lines, build_cues, timed_words, vertical, write_subtitles

RULES = SubtitleSettings()
ROOT = Path(__file__).resolve().parent.parent


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


def cue_texts(cues: list[Cue]) -> list[str]:
    return [" ".join(c.lines) for c in cues]


def test_cues_follow_the_rules_on_a_long_monologue():
    cues = build_cues(speak(STREAM, pause_after={30: 1.2, 61: 0.8}), RULES)
    assert len(cues) > 20
    assert lint_cues(cues, RULES) == []
    assert " ".join(cue_texts(cues)).split() == STREAM.split()
    # Cues end at sentence or clause ends, not mid-phrase.
    assert sum(t.endswith((".", "!", ",")) for t in cue_texts(cues)) >= 0.9 * len(cues)


def test_numbers_stay_with_their_unit():
    text = "and the price today is only 49 dollars for everyone watching this evening right now, friends"
    for line_limit in (20, 26, 30, 42):
        settings = SubtitleSettings(max_chars_per_line=line_limit, max_lines=1)
        for cue in build_cues(speak(text), settings):
            assert not cue.text.endswith(" 49") and not cue.text.startswith("dollars")
    assert break_lines("The price is $ 49 today, so grab it before the stream ends", RULES)[0].endswith("today,")


def test_product_names_are_not_split_across_lines_or_cues():
    text = "Right now you can get the fabulous Aurora smart watch with a strap for a very good price today"
    split_somewhere = False
    for line_limit in range(18, 43, 2):
        settings = SubtitleSettings(max_chars_per_line=line_limit)
        kept = build_cues(speak(text), settings, keep_together=["Aurora smart watch"])
        assert lint_cues(kept, settings) == []
        assert any("Aurora smart watch" in line for cue in kept for line in cue.lines), line_limit
        plain = build_cues(speak(text), settings)
        split_somewhere |= not any("Aurora smart watch" in line for cue in plain for line in cue.lines)
    assert split_somewhere  # without the name, some widths do split it: the test can fail


def test_lines_break_at_punctuation_and_balance():
    lines = break_lines("The battery lasts a full week, and it is water resistant too.", RULES)
    assert lines == ["The battery lasts a full week,", "and it is water resistant too."]
    assert break_lines("Short one.", RULES) == ["Short one."]
    # Not after an article or a preposition, even when that would balance better.
    for line in break_lines("We ship the parcel to the customer in a box with a little gift card inside", RULES)[:-1]:
        assert line.split()[-1] not in ("the", "to", "in", "a", "with")


def test_each_sentence_gets_its_own_cue_when_they_are_long_enough():
    cues = build_cues(speak("The battery lasts a full week. Today the watch is only 49 dollars."), RULES)
    assert cue_texts(cues) == ["The battery lasts a full week.", "Today the watch is only 49 dollars."]
    cues = build_cues(speak("Yes. Okay."), RULES)  # two tiny ones share a cue rather than flash by
    assert len(cues) == 1 and lint_cues(cues, RULES) == []


def test_single_line_mode_for_vertical_clips():
    settings = vertical(SubtitleSettings())
    assert settings.max_lines == 1
    cues = build_cues(speak(STREAM), settings)
    assert all(len(c.lines) == 1 for c in cues)
    assert lint_cues(cues, settings) == []


def test_fast_tiny_words_never_make_zero_length_cues():
    words = [Word(1.0, 1.0, " Hi."), Word(1.0, 1.01, " Yes."), Word(1.01, 1.02, " Go!"), Word(5.0, 5.2, " Ok.")]
    cues = build_cues(words, RULES)
    assert all(c.end > c.start for c in cues)
    assert lint_cues(cues, RULES) == []


def test_a_speaker_faster_than_the_limit_keeps_sync():
    # About 26 characters a second without a pause for 40 seconds: no layout can stay under
    # 20 cps and in sync. Timing rules still hold; only reading speed is reported, as fast
    # speech with its rate (from the cues alone, and from the words), and no cue drifts from
    # its words by more than the allowed slack.
    text = " ".join(["the extraordinary waterproof smartwatch measures everything continuously,"] * 40)
    words = speak(text, wps=5)
    cues = build_cues(words, RULES)
    for problems in (lint_cues(cues, RULES), lint_cues(cues, RULES, "en", speech_spans(words))):
        assert problems and {v.rule for v in problems} == {"fast speech"}
        rates = [float(re.search(r"speech rate (\d+) cps", v.detail).group(1)) for v in problems]
        assert min(rates) > RULES.max_cps
    starts = [w.start for w in words]
    position = 0
    for cue in cues:
        first = starts[position]
        assert first - LEAD_IN - 0.01 <= cue.start <= first + MAX_DELAY + 0.01
        position += len(" ".join(cue.lines).split())


def test_timed_words_follow_the_speech():
    spoken = speak("one two three four", pause_after={1: 2.0})  # a pause half-way
    timed = timed_words("uno dos tres cuatro cinco", spoken)
    assert [w.text.strip() for w in timed] == ["uno", "dos", "tres", "cuatro", "cinco"]
    assert timed[0].start == spoken[0].start and timed[-1].end == spoken[-1].end
    assert all(a.end <= b.start + 1e-6 for a, b in zip(timed, timed[1:]))
    pause = max(b.start - a.end for a, b in zip(timed, timed[1:]))
    assert pause > 1.0  # the pause is still there, between the halves
    assert timed_words("", spoken) == [] and timed_words("hola", []) == []


def test_three_formats_written_and_read_back(tmp_path):
    cues = build_cues(speak("Hello there. This is the clip.", start=30.0), RULES, offset=30.0)
    assert cues[0].start == pytest.approx(0.0, abs=0.01)
    paths = write_subtitles(cues, tmp_path / "clip.en", frame=(1080, 1920))
    assert sorted(p.name for p in paths.values()) == ["clip.en.ass", "clip.en.srt", "clip.en.vtt"]
    assert paths["vtt"].read_text().startswith("WEBVTT")
    ass = pysubs2.load(str(paths["ass"]))
    assert ass.info["PlayResX"] == "1080" and ass.info["PlayResY"] == "1920"
    for path in paths.values():
        parsed = pysubs2.load(str(path))
        assert len(parsed) == len(cues)
        assert [c.lines for c in read_cues(path)] == [c.lines for c in cues]
        assert [(c.start, c.end) for c in read_cues(path)] == [(c.start, c.end) for c in cues]
    without_ass = write_subtitles(cues, tmp_path / "x.en", ass=False)
    assert sorted(p.name for p in without_ass.values()) == ["x.en.srt", "x.en.vtt"]


def test_lint_reports_each_violation_with_its_cue_number():
    cues = [Cue(0.0, 0.5, ["short"]), Cue(0.5, 9.0, ["x" * 50]), Cue(8.0, 8.0, ["zero"]),
            Cue(9.0, 9.9, ["a very long line of text read far too quickly"]), Cue(11.0, 12.0, [""])]
    found = {(v.cue, v.rule) for v in lint_cues(cues, RULES)}
    assert {(1, "too short"), (1, "gap too small"), (2, "too long"), (2, "line too long"), (2, "overlap"),
            (3, "non-positive duration"), (4, "reading speed"), (5, "empty")} <= found


def test_lint_subs_command(tmp_path):
    good = write_subtitles(build_cues(speak(STREAM), RULES), tmp_path / "good.en")
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:01,200\nThis line is much longer than forty-two characters, really\n\n"
                   "2\n00:00:01,210 --> 00:00:03,000\nOk\n")
    broken = tmp_path / "broken.srt"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    runner = CliRunner()
    result = runner.invoke(main, ["lint-subs", str(good["srt"]), str(good["vtt"]), str(good["ass"])])
    assert result.exit_code == 0, result.output
    assert result.output.count(" ok\n") == 3
    result = runner.invoke(main, ["lint-subs", str(good["srt"]), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: cue 1: too short" in result.output and f"{bad}: cue 1: line too long" in result.output
    assert f"{bad}: cue 1: gap too small" in result.output and f"{bad}: 2 cues, " in result.output
    # The vertical limits (one line) flag what two lines allow.
    result = runner.invoke(main, ["lint-subs", "--vertical", str(good["srt"])])
    assert result.exit_code == 1 and "too many lines" in result.output
    result = runner.invoke(main, ["lint-subs", str(broken)])
    assert result.exit_code == 1 and str(broken) in result.output and "Traceback" not in result.output


def test_rewrite_keeps_a_file_a_person_edited(tmp_path):
    cues = build_cues(speak("Hello there. This is the clip."), RULES)
    paths = write_subtitles(cues, tmp_path / "replay.en")
    edited = paths["srt"].read_text().replace("Hello there.", "Hello, there!")
    paths["srt"].write_text(edited)
    write_subtitles(build_cues(speak("Something else entirely."), RULES), tmp_path / "replay.en")
    assert paths["srt"].read_text() == edited  # the person's edit survives
    assert "Something else" in paths["vtt"].read_text()  # the untouched file is regenerated


def test_sample_script_passes_lint(samples):
    """The sample's own script, spread over its sentence times, in both layouts."""
    truth = json.loads((samples / "demo_replay.truth.json").read_text())
    words = []
    for part in truth["parts"]:
        for sentence in part["sentences"]:
            frame = [Word(sentence["start"], sentence["end"], " x")]
            words += timed_words(sentence["text"], frame)
    names = ["Aurora smart watch", "Lumo desk lamp", "Breeze mini fan"]
    for rules in (RULES, vertical(RULES)):
        cues = build_cues(words, rules, duration=truth["duration"], keep_together=names)
        assert lint_cues(cues, rules) == []
        assert " ".join(cue_texts(cues)).split() == [w.text.strip() for w in words]


@pytest.mark.slow
def test_real_video_subtitles_pass_lint(tmp_path, media):
    """Whisper's words for a real video, through `highlights run`, then `lint-subs` on every
    file, and the vertical layout built from the same transcript."""
    out = tmp_path / "out"
    video = media / "video" / "auto_editor_example.mp4"
    catalog = tmp_path / "catalog.csv"  # the host says "banana": that makes a clip
    catalog.write_text("id,name,aliases\nbanana,Banana,bananas\nexample,Example video,\n")
    run = subprocess.run([sys.executable, "-m", "highlights", "run", str(video), "-o", str(out), "--languages", "en",
                          "--language", "en", "--catalog", str(catalog)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    files = sorted(str(p) for p in out.rglob("*.en.*") if p.suffix in (".srt", ".vtt", ".ass"))
    assert len(files) >= 3  # the replay's three, and each clip's if there are clips
    result = CliRunner().invoke(main, ["lint-subs", *files])
    assert result.exit_code == 0, result.output
    transcript = from_dict(Transcript, json.loads((out / "auto-editor-example" / "transcript.json").read_text()))
    cues = build_cues(transcript.words, vertical(RULES), duration=transcript.duration)
    assert cues and lint_cues(cues, vertical(RULES)) == []


def test_clip_cues_start_at_the_clip_and_end_inside_it():
    words = speak("Hello there. This is the clip and it ends soon.", start=30.0)
    end = words[-1].end - 30.0 + 0.3
    cues = build_cues(words, RULES, offset=30.0, duration=end)
    assert cue_texts(cues) == ["Hello there.", "This is the clip and it ends soon."]
    assert cues[0].start == pytest.approx(0.0, abs=0.01) and cues[-1].end <= end
    assert lint_cues(cues, RULES) == []
    short = build_cues(words[:2], vertical(RULES), offset=30.0, duration=5.0)
    assert cue_texts(short) == ["Hello there."]
