"""A reviewer's caption corrections (`caption_fixes.py`): matched on display words, whole
words, ignoring case and the punctuation around words, in each language's typography;
replacements of another length get the matched words' time; nothing outside the clip moves."""

from __future__ import annotations

from highlights.caption_fixes import fix_tokens, fix_words
from highlights.records import CaptionFix, Word
from highlights.text import join_words


def _words(*pieces: tuple[float, float, str]) -> list[Word]:
    return [Word(start, end, text) for start, end, text in pieces]


EN = _words((0.0, 0.3, " Let"), (0.3, 0.5, "'s"), (0.5, 0.9, " meet"), (0.9, 1.1, " the"), (1.1, 1.6, " Aurora"),
            (1.6, 2.0, " Pro."), (2.2, 2.7, " Aurora"), (2.7, 3.0, " pro"), (3.0, 3.3, " tracks"),
            (3.3, 3.8, " steps,"), (3.9, 4.2, " um,"), (4.2, 4.5, " sleep"), (4.5, 4.9, " too!"),
            # after the clip (ends at 5.0):
            (6.0, 6.4, " Aurora"), (6.4, 6.8, " Pro."))


def test_every_place_in_the_clip_case_and_punctuation_kept():
    fixed = fix_words(EN, [CaptionFix("aurora pro", "Aurora Pro X")], "en", 0.0, 5.0)
    assert join_words(fixed[:-2]) == "Let's meet the Aurora Pro X. Aurora Pro X tracks steps, um, sleep too!"
    # Three words where two were said: the two words' time, spread by length, in order.
    new = fixed[4:7]
    assert [w.text for w in new] == [" Aurora", " Pro", " X."]
    assert new[0].start == 1.1 and new[-1].end == 2.0
    assert all(a.end == b.start and a.start < a.end for a, b in zip(new, new[1:]))
    assert new[0].end - new[0].start > new[2].end - new[2].start  # "Aurora" is longer than "X"
    # The words after the clip are the same objects, uncorrected.
    assert fixed[-2:] == EN[-2:] and fixed[-2] is EN[-2]


def test_a_capital_the_sentence_gave_stays_and_words_can_go():
    fixed = fix_words(EN, [CaptionFix("let's meet", "here is"), CaptionFix("um", "")], "en", 0.0, 5.0)
    assert join_words(fixed[:-2]) == "Here is the Aurora Pro. Aurora pro tracks steps, sleep too!"
    assert fixed[0].start == 0.0 and fixed[1].end == 0.9


def test_whole_words_only_and_nothing_to_do_is_the_same_words():
    assert fix_words(EN, [CaptionFix("Auror", "Aurora")], "en", 0.0, 5.0) == EN
    assert fix_words(EN, [CaptionFix("steps sleep", "x")], "en", 0.0, 5.0) == EN  # "um," between them
    assert fix_words(EN, [], "en", 0.0, 5.0) == EN


def test_the_language_of_a_correction():
    fix = CaptionFix("tracks", "counts", "en")
    assert "counts" in join_words(fix_words(EN, [fix], "en", 0.0, 5.0))
    assert fix_words(EN, [fix], "fr", 0.0, 5.0) == EN  # another language's words: untouched


def test_french_typography_and_elision():
    said = _words((0.0, 0.2, " C"), (0.2, 0.4, "'est"), (0.4, 0.8, " vrai"), (0.8, 0.9, " ?"),
                  (1.0, 1.2, " L"), (1.2, 1.5, "'écran"), (1.5, 1.9, " lumo"), (1.9, 2.0, " !"))
    assert join_words(said, "fr") == "C'est vrai\u00a0? L'écran lumo\u00a0!"
    fixed = fix_words(said, [CaptionFix("c’est vrai", "c'est faux"), CaptionFix("LUMO", "Lumo Pro")], "fr", 0.0, 3.0)
    # the typographic apostrophe matches the straight one; the no-break spaces stay
    assert join_words(fixed, "fr") == "C'est faux\u00a0? L'écran Lumo Pro\u00a0!"
    assert fix_tokens("vrai ?", "fr") == fix_tokens("Vrai\u00a0?", "fr") == ["vrai"]


def test_cyrillic_and_polish_case():
    ru = _words((0.0, 0.5, " Часы"), (0.5, 1.0, " Аврора"), (1.0, 1.5, " стоят"), (1.5, 2.0, " 49 долларов."))
    fixed = fix_words(ru, [CaptionFix("часы аврора", "Часы Aurora")], "ru", 0.0, 3.0)
    assert join_words(fixed, "ru") == "Часы Aurora стоят 49 долларов."
    pl = _words((0.0, 0.5, " Łódź"), (0.5, 1.0, " żółta."))
    assert join_words(fix_words(pl, [CaptionFix("ŻÓŁTA", "zielona")], "pl", 0.0, 1.0), "pl") == "Łódź zielona."
