from highlights.config import MentionSettings, SelectionSettings
from highlights.mentions import find_mentions
from highlights.records import Product, Segment, Transcript, Word
from highlights.selection import select_highlights

CATALOG = [
    Product("aurora", "Aurora smart watch", ["Aurora", "Aurora watch"], 49, "USD"),
    Product("lumo", "Lumo desk lamp", ["Lumo lamp"]),
    Product("never", "Pebble speaker", ["Pebble"]),
]


def transcript_of(*sentences: tuple[float, str]) -> Transcript:
    """Sentences at given start times, spoken at three words a second."""
    segments = []
    for start, text in sentences:
        words, time = [], start
        for token in text.split():
            words.append(Word(round(time, 3), round(time + 0.28, 3), " " + token))
            time += 0.33
        segments.append(Segment(words[0].start, words[-1].end, text, words))
    return Transcript("en", 1.0, sentences[-1][0] + 30, "test", segments)


def test_names_match_despite_case_punctuation_and_slips():
    transcript = transcript_of((0, "Here is the AURORA smart-watch."), (5, "And the Lumo Best Lamp, lovely."),
                               (10, "Nothing else today."))
    mentions = find_mentions(transcript, CATALOG, MentionSettings())
    assert [(m.product, m.text) for m in mentions] == [("aurora", "AURORA smart-watch."),
                                                        ("lumo", "Lumo Best Lamp,")]
    assert mentions[0].start == 0.99 and mentions[1].similarity < 100


def test_short_aliases_and_unrelated_words_do_not_match():
    transcript = transcript_of((0, "We love the aura of the beach and the lumen of the north, tv fans."))
    assert find_mentions(transcript, [Product("x", "TV", ["ab"]), *CATALOG], MentionSettings()) == []


def test_inflected_single_word_names_match():
    transcript = transcript_of((0, "Two Pebbles for you."))
    assert [m.text for m in find_mentions(transcript, CATALOG, MentionSettings())] == ["Pebbles"]


def presentation():
    return transcript_of(
        (0.0, "Hello friends, welcome to the stream tonight."),
        (3.0, "The weather is lovely here today, isn't it."),
        (6.5, "Let's start with the Aurora smart watch."),
        (9.0, "The Aurora watch tracks steps and sleep all week long."),
        (13.0, "It is only 49 dollars today."),
        (15.0, "Use code AURORA10 and add it to your cart."),
        (18.0, "The link is below, do not miss it."),
        (22.0, "Next up is the Lumo desk lamp."),
        (24.5, "The Lumo lamp has three warm colours and a timer."),
        (28.0, "It folds flat for travel and charges by cable."),
        (31.0, "That is all for the lamp, friends."),
        (36.0, "Thanks for watching, see you next week everyone."),
    )


def test_each_presented_product_gets_one_clip_on_sentence_edges():
    transcript = presentation()
    mentions = find_mentions(transcript, CATALOG, MentionSettings())
    settings = SelectionSettings(min_clip=8.0, max_clip=60.0)
    chosen = select_highlights(transcript, mentions, CATALOG, [], settings)
    assert [h.products for h in chosen] == [["aurora"], ["lumo"]]
    aurora, lumo = chosen
    for h in chosen:  # never inside a word
        assert not [w for w in transcript.words if w.start < h.start < w.end or w.start < h.end < w.end]
    assert aurora.start < 6.5 <= aurora.end and aurora.end >= 18.0  # keeps price, code and link
    assert aurora.end <= 22.0  # stops before the next product
    assert "states a price" in aurora.reasons and aurora.reasons[0] == "names Aurora smart watch 2x"
    assert lumo.start >= 22.0 - settings.pad and lumo.end < 36.0  # no goodbye chatter
    assert not (aurora.start < lumo.end and lumo.start < aurora.end)


def test_min_length_snapping_and_max_clips():
    transcript = presentation()
    mentions = find_mentions(transcript, CATALOG, MentionSettings())
    chosen = select_highlights(transcript, mentions, CATALOG, [2.7, 21.6], SelectionSettings(min_clip=15.0))
    aurora = chosen[0]
    # 15 s needs the sentence before the presentation too; the start then moves onto the
    # scene cut in the pause before that sentence, the end onto the cut before the lamp.
    assert (aurora.start, aurora.end) == (2.7, 21.6)
    assert all(h.end - h.start >= 15.0 - 1e-6 for h in chosen)
    only_one = select_highlights(transcript, mentions, CATALOG, [], SelectionSettings(max_clips=1))
    assert len(only_one) == 1


def test_no_mentions_no_clips():
    transcript = transcript_of((0, "Just chatting with you all tonight."), (4, "The weather is great."))
    assert select_highlights(transcript, [], CATALOG, [], SelectionSettings()) == []
