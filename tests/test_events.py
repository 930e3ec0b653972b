"""Live-room events: the strict reader, spikes against a rolling baseline, the lag estimated
from the data, buying intent per language with each viewer counted once, and the effect of
each fixture (tests/data/events/, written by make_events.py there) on the presentations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highlights.events import (
    EventsError,
    comment_intents,
    estimate_lag,
    find_events_file,
    find_spikes,
    live_signals,
    load_events,
    parse_time,
    read_events,
)
from highlights.records import Highlight, Mention

DATA = Path(__file__).resolve().parent / "data" / "events"


def named(times: list[float], product: str) -> list[Mention]:
    return [Mention(product=product, start=t, end=t + 0.8, text=product, matched=product, similarity=100.0)
            for t in times]


# The demo replay as the pipeline selected it (samples/demo_replay.mp4, Whisper base).
DEMO_MENTIONS = (named([11.82, 13.7, 21.3, 25.4], "aurora-watch") + named([31.56, 33.28, 41.18, 45.88], "lumo-lamp")
                 + named([62.94, 64.64, 72.98, 76.6], "breeze-fan"))


def demo_highlights() -> list[Highlight]:
    return [Highlight(10.24, 30.232, ["aurora-watch"], 7.0), Highlight(30.2, 50.665, ["lumo-lamp"], 7.4),
            Highlight(60.84, 81.595, ["breeze-fan"], 7.0)]


@pytest.mark.parametrize("text, seconds", [("252", 252.0), ("4.5", 4.5), ("4:12", 252.0), ("00:04:12", 252.0),
                                           ("1:02:03.5", 3723.5), (7, 7.0)])
def test_times_in_seconds_or_clock_form(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-3", "4:75", "1:2:3:4", "nan", ""])
def test_bad_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize("name, row, what", [
    ("bad_kind.events.csv", 4, "kind 'buy_now' is not one of comment, like, add_to_cart"),
    ("bad_time.events.csv", 3, "time 'soon' is not a number of seconds or HH:MM:SS"),
    ("bad_row.events.json", 3, "time is missing"),
])
def test_malformed_file_is_one_line_naming_file_and_row(name, row, what):
    path = DATA / name
    with pytest.raises(EventsError) as error:
        read_events(path)
    message = str(error.value)
    assert message == f"{path}: row {row}: {what}" or message.startswith(f"{path}: row {row}: {what}")
    assert "\n" not in message
    # The replay goes on without events; the outcome carries the line for the manifest.
    outcome = load_events(Path("live.mp4"), path)
    assert outcome.events == [] and outcome.error == f"events not used: {message}"
    assert outcome.summary() == {"source": str(path), "events": 0, "error": outcome.error}


def test_more_problems_named_by_row(tmp_path):
    cases = {
        "extra.events.csv": ("time,kind,text,user\n1,comment,a,b,c\n", "row 2: more cells than the header has"),
        "header.events.csv": ("when,what\n1,comment\n", "row 1: the header must name the columns"),
        "list.events.json": ('{"rows": []}', "expected a list of events"),
        "broken.events.json": ('[{"time": 1,', "not valid JSON (line 1)"),
        "field.events.json": ('[{"time": 1, "kind": "like", "colour": "red"}]', "row 1: unknown field(s) colour"),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(EventsError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            read_events(tmp_path / name)


def test_events_file_beside_the_replay_is_found(tmp_path):
    replay = tmp_path / "live-2024.mp4"
    replay.write_bytes(b"")
    assert find_events_file(replay) is None and load_events(replay).source is None
    shutil.copy(DATA / "thin_pitch.events.json", tmp_path / "live-2024.events.json")
    outcome = load_events(replay)
    assert outcome.error is None and outcome.source.endswith("live-2024.events.json") and len(outcome.events) > 100
    shutil.copy(DATA / "lag_12s.events.csv", tmp_path / "live-2024.events.csv")
    assert find_events_file(replay) == tmp_path / "live-2024.events.csv"  # CSV first


@pytest.mark.parametrize("comment, language, kind", [
    ("link?", "*", "link"), ("price?", "en", "price"), ("сколько стоит?", "ru", "price"),
    ("ile kosztuje?", "pl", "price"), ("¿Cuánto cuesta?", "es", "price"), ("quanto costa", "it", "price"),
    ("combien ?", "fr", "price"), ("скільки коштує", "uk", "price"), ("дайте ссылку", "ru", "link"),
    ("je le veux, je prends!", "fr", "buy"),
])
def test_buying_intent_in_every_language(comment, language, kind):
    found = comment_intents(comment)
    if language == "*":
        assert len({code for code, _ in found}) > 1 and all(k == kind for _, k in found)
    else:
        assert (language, kind) in found


def test_chatter_is_not_buying_intent():
    for comment in ("hi", "love it", "привет", "what colour is it", "great show", "bonjour"):
        assert comment_intents(comment) == set()


def test_demo_replay_events_boost_the_presentations_that_sold():
    events = read_events(DATA / "demo_replay.events.csv")
    signals = live_signals(demo_highlights(), DEMO_MENTIONS, events, 88.0)
    # The room answers each name 6 s later (make_events.DEMO_LAG); the estimate sees it.
    assert signals.lag_from == "data" and 5.0 <= signals.lag <= 8.0
    boosts = {b.index: b for b in signals.boosts}
    assert set(boosts) == {0, 1}  # the Breeze fan sold as usual: no boost
    assert boosts[0].reasons == ["12 viewers asked for the link"] and boosts[0].amount == 1.0
    (reason,) = boosts[1].reasons  # 30 "link?" from one spammer count as one viewer: no intent boost
    assert reason.startswith("add-to-cart spike x") and reason.endswith(" at 0:51")  # the first of the 15 carts
    assert boosts[1].amount == 1.5
    # 15 buyers, plus one who clicked 10 times: counted once.
    (spike,) = [s for s in signals.spikes if s.kind == "add_to_cart"]
    assert spike.count <= 16
    assert signals.proposals == []
    assert signals.curve[0][0] == 0.0 and len(signals.curve) == 18


def test_spam_from_one_user_is_one_viewer():
    events = read_events(DATA / "demo_replay.events.csv")
    spammer = [e for e in events if e.user == "spammer"]
    assert len(spammer) == 30
    only_spam = live_signals(demo_highlights(), DEMO_MENTIONS, spammer, 88.0)
    assert only_spam.boosts == [] and only_spam.spikes == []


def test_thin_presentation_that_sold_gets_a_proposed_highlight():
    events = read_events(DATA / "thin_pitch.events.json")
    # The host pitched product a at length (a clip) and named the Pebble speaker once at 100 s.
    highlights = [Highlight(20.0, 50.0, ["a"], 5.0)]
    mentions = named([25.0, 30.0, 40.0], "a") + named([100.0], "pebble")
    signals = live_signals(highlights, mentions, events, 180.0, {"pebble": "Pebble bluetooth speaker"})
    (proposal,) = signals.proposals
    assert proposal.products == ["pebble"]
    assert proposal.start <= 100.0 < proposal.end and 15.0 <= proposal.end - proposal.start <= 60.0
    assert proposal.reasons[0] == "names Pebble bluetooth speaker 1x"
    assert any(r.startswith("add-to-cart spike x") for r in proposal.reasons)
    assert any(r.startswith("purchase spike x") for r in proposal.reasons)
    assert proposal.score >= 1.5  # over the selection's min_score: it becomes a clip
    # Without the events the same words give nothing: one name said once scores 1.
    assert live_signals(highlights, mentions, [], 180.0).proposals == []


def test_sales_with_no_product_named_before_are_not_turned_into_a_clip():
    events = read_events(DATA / "thin_pitch.events.json")
    signals = live_signals([], named([10.0], "a"), events, 180.0)
    assert signals.proposals == [] and any("no product named" in note for note in signals.notes)


def test_steady_noise_changes_nothing():
    events = read_events(DATA / "steady_noise.events.csv")
    assert len(events) > 500
    highlights = [Highlight(20.0, 50.0, ["a"], 5.0), Highlight(100.0, 140.0, ["b"], 5.0)]
    signals = live_signals(highlights, named([25.0, 30.0, 40.0], "a") + named([105.0, 120.0], "b"), events, 300.0)
    assert signals.spikes == [] and signals.boosts == [] and signals.proposals == []


def test_lag_is_estimated_from_the_data():
    events = read_events(DATA / "lag_12s.events.csv")
    mentions = named([20.0, 47.0, 71.0, 98.0, 130.0, 151.0, 177.0, 204.0], "p")
    lag, correlation, source = estimate_lag(mentions, events, 240.0)
    assert source == "data" and abs(lag - 12.0) <= 1.0 and correlation > 0.5
    # Too few mentions to tell: the default, said as such.
    assert estimate_lag(mentions[:2], events, 240.0)[2] == "default"
    # The steady room does not echo the host: no lag is made up from it.
    steady = read_events(DATA / "steady_noise.events.csv")
    assert estimate_lag(mentions, steady, 300.0)[2] == "default"


def test_a_burst_is_a_spike_and_its_baseline_is_the_rolling_median():
    events = read_events(DATA / "lag_12s.events.csv")
    spikes = find_spikes(events, 240.0)
    assert spikes and all(s.kind == "comment" for s in spikes)
    # Every spike is one of the bursts 12 s after a name, none in the quiet stretches.
    bursts = [m + 12.0 for m in (20.0, 47.0, 71.0, 98.0, 130.0, 151.0, 177.0, 204.0)]
    assert all(any(s.start - 1.0 <= b <= s.end + 1.0 for b in bursts) for s in spikes)
    assert all(s.ratio >= 2.5 and s.z >= 4.0 for s in spikes)


def test_apply_signals_adds_boosts_and_proposals_in_time_order():
    from highlights.events import apply_signals

    events = read_events(DATA / "thin_pitch.events.json")
    highlights = [Highlight(20.0, 50.0, ["a"], 5.0, ["names A 3x"])]
    mentions = named([25.0, 30.0, 40.0], "a") + named([100.0], "pebble")
    signals = live_signals(highlights, mentions, events, 180.0)
    ranked = apply_signals(highlights, signals)
    assert [h.products for h in ranked] == [["a"], ["pebble"]]
    assert highlights[0].reasons == ["names A 3x"]  # the selection's own records are not changed
    demo = demo_highlights()
    boosted = apply_signals(demo, live_signals(demo, DEMO_MENTIONS, read_events(DATA / "demo_replay.events.csv"), 88.0))
    assert [h.score for h in boosted] == [8.0, 8.9, 7.0]
    assert boosted[0].reasons[-1] == "12 viewers asked for the link"


def test_events_after_the_replay_are_left_out_and_said():
    events = read_events(DATA / "thin_pitch.events.json")
    signals = live_signals([], named([100.0], "pebble"), events, 90.0)
    assert signals.proposals == [] and signals.notes[0].endswith("after the replay's end (1:30) left out")
