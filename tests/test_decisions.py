"""decisions.json: the strict parser, the atomic writer and `apply_decisions`."""

from __future__ import annotations

import json
import os

import pytest

from highlights.decisions import (
    APPROVED,
    REJECTED,
    ClipDecision,
    Decisions,
    DecisionsError,
    apply_decisions,
    load_decisions,
    parse_decisions,
    read_decisions,
    rejected_files,
    snap_to_gap,
    update_decision,
    write_decisions,
)
from highlights.records import CaptionFix, Clip, Highlight, Manifest, MediaInfo, SubtitleFiles, Word

# "one two three", then a pause of 2 s, then "four five"
WORDS = [Word(1.0, 1.4, " one"), Word(1.5, 2.0, " two"), Word(2.1, 2.6, " three"),
         Word(4.6, 5.0, " four"), Word(5.1, 5.8, " five")]


def _plans() -> list[tuple[str, Highlight]]:
    return [("clip-01-a", Highlight(0.85, 2.75, ["a"], 3.0)), ("clip-02-b", Highlight(4.45, 5.95, ["b"], 2.0)),
            ("clip-03-c", Highlight(10.0, 20.0, ["c"], 1.5))]


def test_a_hand_written_file_parses():
    text = json.dumps({"clips": {"clip-01-a": {"status": "approved"},
                                 "clip-02-b": {"start": 4, "end": 5.5, "title": "  Lamp,\n 29 USD "}}})
    decisions = parse_decisions(text)
    assert decisions.clips["clip-01-a"] == ClipDecision(status=APPROVED)
    assert decisions.clips["clip-02-b"] == ClipDecision(None, 4.0, 5.5, "Lamp, 29 USD")
    assert decisions.status("clip-01-a") == APPROVED and decisions.status("nope") is None


def test_caption_corrections_parse_and_are_written_back_as_written():
    text = json.dumps({"clips": {"clip-01-a": {"captions": [
        {"from": " Aurora  Pro ", "to": "Aurora Pro X"},
        {"from": "rêve", "to": "sommeil", "language": "fr"},
        {"from": "um,", "to": ""}]}}}, ensure_ascii=False)
    decision = parse_decisions(text).clips["clip-01-a"]
    assert decision.captions == (CaptionFix("Aurora Pro", "Aurora Pro X"), CaptionFix("rêve", "sommeil", "fr"),
                                 CaptionFix("um,", ""))
    assert not decision.empty
    from highlights.decisions import to_json

    assert to_json(parse_decisions(text)) == {"clips": {"clip-01-a": {"captions": [
        {"from": "Aurora Pro", "to": "Aurora Pro X"}, {"from": "rêve", "to": "sommeil", "language": "fr"},
        {"from": "um,", "to": ""}]}}}
    # An empty list is no corrections: the entry is left out when written.
    assert to_json(parse_decisions('{"clips": {"c1": {"captions": []}}}')) == {"clips": {}}


@pytest.mark.parametrize("captions, place", [
    ({"from": "a", "to": "b"}, 'clips.c1.captions: must be a list'),
    (["a -> b"], 'clips.c1.captions[0]: must be an object with "from" and "to"'),
    ([{"from": "", "to": "b"}], "clips.c1.captions[0].from: must name at least one word"),
    ([{"from": " ?! ", "to": "b"}], "clips.c1.captions[0].from: must name at least one word"),
    ([{"to": "b"}], "clips.c1.captions[0].from: must be text, not nothing"),
    ([{"from": "a", "to": 7}], "clips.c1.captions[0].to: must be text, not int"),
    ([{"from": "a", "to": "b", "lang": "fr"}], "clips.c1.captions[0]: unknown key 'lang'"),
    ([{"from": "a", "to": "b", "language": "de"}], "clips.c1.captions[0].language: must be one of en, ru"),
    ([{"from": "a" * 201, "to": "b"}], "clips.c1.captions[0].from: longer than 200 characters"),
    ([{"from": "a", "to": "b" * 201}], "clips.c1.captions[0].to: longer than 200 characters"),
    ([{"from": "a\u0007", "to": "b"}], "clips.c1.captions[0].from: control characters"),
    ([{"from": "Aurora", "to": "Aurora"}], 'clips.c1.captions[0]: "to" is the same as "from"'),
    ([{"from": "Aurora pro", "to": "X"}, {"from": "aurora  Pro,", "to": "Y"}],
     "clips.c1.captions[1].from: the same words as captions[0]"),
    ([{"from": f"w{i}", "to": "x"} for i in range(51)], "clips.c1.captions: more than 50 corrections"),
])
def test_malformed_caption_corrections_are_refused_naming_the_place(captions, place):
    text = json.dumps({"clips": {"c1": {"captions": captions}}})
    with pytest.raises(DecisionsError) as caught:
        parse_decisions(text)
    message = str(caught.value)
    assert message.startswith(f"decisions.json: {place}"), message
    assert "\n" not in message


def test_caption_corrections_through_updates(tmp_path):
    update_decision(tmp_path, "c1", {"status": APPROVED})
    update_decision(tmp_path, "c1", {"captions": [{"from": "Aurora Pro", "to": "Aurora Pro X"}]})
    update_decision(tmp_path, "c1", {"title": "Watch"})  # the corrections stay
    assert json.loads((tmp_path / "decisions.json").read_text(encoding="utf-8")) == {"clips": {"c1": {
        "status": "approved", "title": "Watch", "captions": [{"from": "Aurora Pro", "to": "Aurora Pro X"}]}}}
    with pytest.raises(DecisionsError, match=r"^change to c1\.captions\[0\]\.from: must name"):
        update_decision(tmp_path, "c1", {"captions": [{"from": "", "to": "x"}]})
    update_decision(tmp_path, "c1", {"captions": []})
    assert load_decisions(tmp_path).clips["c1"] == ClipDecision(APPROVED, title="Watch")
    update_decision(tmp_path, "c2", {"captions": [{"from": "um", "to": ""}]})
    update_decision(tmp_path, "c2", {"captions": None})  # unset: the entry goes
    assert set(load_decisions(tmp_path).clips) == {"c1"}


@pytest.mark.parametrize("text, place", [
    ('{"clips": {"c1": {"status": "approved"},}}', "decisions.json:1:41: not JSON"),
    ('[1, 2]', "decisions.json: the top level must be an object"),
    ('{"clip": {}}', "decisions.json: unknown key 'clip' at the top level"),
    ('{"clips": []}', 'decisions.json: "clips" must be an object'),
    ('{"clips": {"c1": "approved"}}', "decisions.json: clips.c1: must be an object"),
    ('{"clips": {"c1": {"status": "ok"}}}', 'decisions.json: clips.c1.status: must be "approved" or "rejected"'),
    ('{"clips": {"c1": {"stat": "approved"}}}', "decisions.json: clips.c1: unknown key 'stat'"),
    ('{"clips": {"c1": {"start": "12"}}}', "decisions.json: clips.c1.start: must be a number"),
    ('{"clips": {"c1": {"end": true}}}', "decisions.json: clips.c1.end: must be a number"),
    ('{"clips": {"c1": {"start": -1}}}', "decisions.json: clips.c1.start: must be a number"),
    ('{"clips": {"c1": {"start": 5, "end": 4}}}', "decisions.json: clips.c1: start 5 is not before end 4"),
    ('{"clips": {"c1": {"title": 7}}}', "decisions.json: clips.c1.title: must be text"),
])
def test_a_malformed_file_is_refused_naming_the_place(text, place):
    with pytest.raises(DecisionsError) as caught:
        parse_decisions(text)
    message = str(caught.value)
    assert message.startswith(place), message
    assert "\n" not in message


def test_a_malformed_file_is_reported_in_one_line_ignored_and_never_overwritten(tmp_path):
    path = tmp_path / "decisions.json"
    path.write_text('{"clips": {"c1": {"status": "maybe"}}}', encoding="utf-8")
    decisions, problem = read_decisions(tmp_path)
    assert decisions == Decisions()
    assert problem == f'{path}: clips.c1.status: must be "approved" or "rejected", not \'maybe\'; decisions ignored'
    with pytest.raises(DecisionsError):
        update_decision(tmp_path, "c2", {"status": REJECTED})
    assert path.read_text(encoding="utf-8") == '{"clips": {"c1": {"status": "maybe"}}}'
    path.write_bytes(b'{"clips": {"c1": {"title": "\xff"}}}')
    assert read_decisions(tmp_path)[1].startswith(f"{path}: byte 29: not UTF-8 text")


def test_no_file_is_no_decisions(tmp_path):
    assert read_decisions(tmp_path) == (Decisions(), None)


def test_updates_merge_unset_and_write_atomically(tmp_path):
    update_decision(tmp_path, "c1", {"status": APPROVED})
    update_decision(tmp_path, "c1", {"start": 3.5, "title": "Watch"})
    update_decision(tmp_path, "c2", {"status": REJECTED})
    assert json.loads((tmp_path / "decisions.json").read_text(encoding="utf-8")) == {
        "clips": {"c1": {"status": "approved", "start": 3.5, "title": "Watch"}, "c2": {"status": "rejected"}}}
    update_decision(tmp_path, "c2", {"status": None})  # undecided again: the entry goes
    assert load_decisions(tmp_path).clips == {"c1": ClipDecision(APPROVED, 3.5, None, "Watch")}
    with pytest.raises(DecisionsError):
        update_decision(tmp_path, "c1", {"end": 2.0})  # before its start
    assert load_decisions(tmp_path).clips["c1"].end is None
    assert os.listdir(tmp_path) == ["decisions.json"]  # no temporary left beside it
    write_decisions(tmp_path, Decisions())
    assert load_decisions(tmp_path) == Decisions()


def test_snap_to_gap_moves_an_edge_out_of_a_word():
    assert snap_to_gap(3.5, WORDS) == 3.5  # in the pause: stays
    assert snap_to_gap(1.1, WORDS) == 0.85  # early in "one": before it, with 0.15 s of air
    assert snap_to_gap(1.9, WORDS) == 2.05  # late in "two": after it, half the 0.1 s gap
    assert snap_to_gap(5.7, WORDS) == 5.95  # late in the last word
    assert snap_to_gap(0.5, WORDS) == 0.5 and snap_to_gap(9.0, WORDS) == 9.0


def test_apply_decisions_drops_rejected_moves_edges_and_keeps_ids():
    decisions = Decisions({"clip-01-a": ClipDecision(status=REJECTED),
                           "clip-02-b": ClipDecision(APPROVED, start=2.2, title="Four, five"),
                           "clip-03-c": ClipDecision(end=9.0),  # before its start: ignored
                           "clip-09-gone": ClipDecision(status=APPROVED)})
    planned = apply_decisions(_plans(), decisions, list(reversed(WORDS)))
    assert [p.id for p in planned] == ["clip-02-b", "clip-03-c"]  # ids as planned, not renumbered
    moved = planned[0]
    assert (moved.highlight.start, moved.highlight.end) == (2.05, 5.95)  # 2.2 is inside "three"
    assert moved.highlight.products == ["b"] and moved.highlight.score == 2.0
    assert (moved.title, moved.status, moved.moved) == ("Four, five", APPROVED, True)
    assert planned[1].highlight == _plans()[2][1] and not planned[1].moved
    # Without decisions every clip is planned as selected.
    assert [(p.id, p.highlight, p.moved) for p in apply_decisions(_plans(), Decisions(), WORDS)] == [
        (clip_id, h, False) for clip_id, h in _plans()]


def test_rejected_files_are_every_file_of_the_rejected_clips():
    clips = [Clip("clip-01-a", 0.0, 10.0, "clips/clip-01-a.mp4", ["a"], 2.0, [], "clips/clip-01-a.jpg",
                  subtitles={"en": SubtitleFiles("clips/clip-01-a.en.srt", "clips/clip-01-a.en.vtt",
                                                 "clips/clip-01-a.en.ass")},
                  captions="clips/clip-01-a.captions.ass"),
             Clip("clip-02-b", 20.0, 30.0, "clips/clip-02-b.mp4", ["b"], 2.0, [], "clips/clip-02-b.jpg")]
    manifest = Manifest("in.mp4", "in", 30.0, "en", MediaInfo("in.mp4", "mp4", 30.0, 1, True, True), clips=clips)
    decisions = Decisions({"clip-01-a": ClipDecision(REJECTED), "clip-02-b": ClipDecision(APPROVED)})
    assert rejected_files(manifest, decisions) == [
        "clips/clip-01-a.mp4", "clips/clip-01-a.jpg", "clips/clip-01-a.captions.ass",
        "clips/clip-01-a.en.srt", "clips/clip-01-a.en.vtt", "clips/clip-01-a.en.ass"]
    assert rejected_files(manifest, Decisions()) == []
