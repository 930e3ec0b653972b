"""Text rebuilt from Whisper's words (text.join_words / display_words), per language, with
word lists as Whisper emits them: a leading space where a word begins, none where a piece
continues the word before (`' C'`, `"'est"`; `' celui'`, `'-là,'`; `' 3'`, `'.061.'`).
The lists marked "real" are what faster-whisper `base` wrote for recordings in
../shared/media (benchmarks/subtitles_real.py prints them); the others follow the same
tokenisation (an apostrophe or a hyphen starts a new Whisper word, glued to the one before)."""

from __future__ import annotations

import pytest

from highlights import languages
from highlights.config import SubtitleSettings
from highlights.lint import SPLIT_WORD, lint_cues
from highlights.records import Cue, Word
from highlights.subfiles import read_cues
from highlights.subtitles import break_lines, build_cues, write_subtitles
from highlights.text import display_words, join_words
from highlights.typography import typography

NBSP = "\u00a0"


def whisper(*pieces: str, step: float = 0.3) -> list[Word]:
    return [Word(round(i * step, 3), round(i * step + step * 0.8, 3), piece) for i, piece in enumerate(pieces)]


CASES = {
    "fr": [
        ((" C", "'est", " évident", " ce", " que", " d", "'un", " celui", "-là,", " Est", "-ce", " qu", "'il", " dit",
          " ?"), f"C'est évident ce que d'un celui-là, Est-ce qu'il dit{NBSP}?"),
        ((" Mon", " chiffre", " préféré", " est", " 3", ".061."), "Mon chiffre préféré est 3.061."),  # real
        # Spaced by Whisper but one word in French: an elided article, a hyphenated clitic.
        ((" l'", " écran", " est", " -ce", " vrai?", " Oui", " !", " Attention:", " 12:30"),
         f"l'écran est-ce vrai{NBSP}? Oui{NBSP}! Attention{NBSP}: 12:30"),
        ((" aujourd", "'hui", " l", "’", "offre"), "aujourd'hui l’offre"),
    ],
    "it": [
        ((" dell", "'anno", " l", "'ultimo", " c", "'è", " un", "'offerta"), "dell'anno l'ultimo c'è un'offerta"),
        ((" dell'", " anno", " 49", " euro"), "dell'anno 49 euro"),
        ((" Il", " mio", " numero", " preferito", " è", " 26."), "Il mio numero preferito è 26."),  # real
    ],
    "uk": [
        ((" п", "'ять", " м", "ʼякий", " кока", "-колі."), "п'ять мʼякий кока-колі."),  # кока -колі: real
        ((" хтось", " -таки", " прийшов"), "хтось-таки прийшов"),
    ],
    "ru": [
        ((" из", "-за", " кто", "-то", " что", " -то", " 49", " руб."), "из-за кто-то что-то 49 руб."),
    ],
    "pt": [
        ((" dá", "-lo", " fazê", " -lo", " d'", " água"), "dá-lo fazê-lo d'água"),
        ((" O", " que", " tal,", " seus", " cindos", " e", " sétis?"), "O que tal, seus cindos e sétis?"),  # real
    ],
    "es": [
        ((" 49", ",99", " €", " ¿Qué", " tal", "?", " Mi", " número", " favorito", " es", " 268."),
         "49,99 € ¿Qué tal? Mi número favorito es 268."),
    ],
    "en": [
        ((" He", " was", " not", " an", " ill", "-disposed", " young", " man."),
         "He was not an ill-disposed young man."),
        ((" not", " 600", ",000.", " That", " gives", " us", " a", " 12", "%", " chance."),
         "not 600,000. That gives us a 12% chance."),  # real
        # English has no elision join: a possessive plural stays its own word.
        ((" It", "'s", " the", " dogs'", " bowls", " -", " and", " more"), "It's the dogs' bowls - and more"),
    ],
    "pl": [
        ((" 49", ",99", " zł", " biało", "-czerwony", " Neon,", " jak", " się", " masz?"),
         "49,99 zł biało-czerwony Neon, jak się masz?"),
    ],
}


@pytest.mark.parametrize("language", languages.codes())
def test_every_language_has_joining_cases_and_its_typography(language):
    assert language in CASES
    rules = typography(language)
    assert rules.weak_words and rules.apostrophes
    for pieces, expected in CASES[language]:
        assert join_words(whisper(*pieces), language) == expected


def test_french_spacing_is_a_no_break_space_only_in_french():
    words = whisper(" Vraiment", " ?", " Oui", "!")
    assert join_words(words, "fr") == f"Vraiment{NBSP}? Oui{NBSP}!"
    assert join_words(words, "en") == "Vraiment? Oui!"
    assert join_words(words) == "Vraiment? Oui!"  # no language: Whisper's spacing only


def test_a_new_segment_without_a_space_is_still_a_new_word():
    assert join_words(whisper(" Très", " bien.", "Merci"), "fr") == "Très bien. Merci"
    assert join_words(whisper(" Mr.", "Quilter"), "en") == "Mr.Quilter"  # an abbreviation: Whisper joined it


def test_display_words_span_the_time_of_their_pieces():
    shown = display_words(whisper(" C", "'est", " vrai"), "fr")
    assert [w.text for w in shown] == ["C'est", "vrai"]
    assert shown[0].start == 0.0 and shown[0].end == pytest.approx(0.54)


RULES = SubtitleSettings()


def test_cues_never_split_what_whisper_joined():
    pieces = []
    for _ in range(12):
        pieces += [" C", "'est", " vrai", " qu", "'il", " faut", " celui", "-là", " et", " pas", " l", "'autre,",
                   " est", "-ce", " clair", " ?"]
    words = whisper(*pieces, step=0.22)
    expected = join_words(words, "fr")
    for settings in (RULES, SubtitleSettings(max_chars_per_line=18, max_lines=1)):
        cues = build_cues(words, settings, language="fr")
        text = " ".join(line for cue in cues for line in cue.lines)
        assert text == expected
        assert not SPLIT_WORD.search(text)
        assert all(not line.startswith("?") for cue in cues for line in cue.lines)


def test_no_line_or_cue_ends_on_a_weak_word_of_the_language():
    # The example: "il faudrait ajouter les / interfaces".
    text = ("Alors il faudrait ajouter les interfaces de la montre pour que les gens puissent la régler "
            "depuis le téléphone et avec la voix quand ils sont dans la voiture ou dans la cuisine ") * 4
    words = whisper(*(" " + t for t in text.split()), step=0.28)
    for settings in (RULES, SubtitleSettings(max_chars_per_line=22, max_lines=1)):
        cues = build_cues(words, settings, language="fr")
        ends = [line.split()[-1] for cue in cues for line in cue.lines]
        weak = [end for end in ends if typography("fr").is_weak(end)]
        assert weak == [], weak
        assert [v for v in lint_cues(cues, settings, "fr") if v.rule in ("weak line end", "split word")] == []


def test_weak_words_come_from_the_registry_of_each_language():
    # "und" is no weak word of ours; "the" is English, not Polish.
    assert typography("en").is_weak("the") and not typography("pl").is_weak("the")
    assert typography("pl").is_weak("w") and typography("uk").is_weak("і") and typography("it").is_weak("della")
    assert not typography("fr").is_weak("de,")  # punctuation after it: a natural break
    assert set(languages.get("fr").table("weak_words")["words"]) == set(typography("fr").weak_words)


def test_a_number_never_leaves_its_unit():
    for language, pieces in (("fr", (" 49", " euros")), ("ru", (" 49", " долларов")), ("pl", (" 49,99", " zł")),
                             ("en", (" 10", " hours")), ("uk", (" 20", " відсотків"))):
        words = whisper(" Aujourd", "'hui", " seulement", " pour", " vous", *pieces, " et", " la", " livraison")
        for width in (12, 16, 20, 26):
            cues = build_cues(words, SubtitleSettings(max_chars_per_line=width, max_lines=2), language=language)
            lines = [line for cue in cues for line in cue.lines]
            number, unit = pieces[0].strip(), pieces[1].strip()
            assert any(f"{number} {unit}" in line for line in lines), (language, width, lines)


def test_a_sentence_end_ends_a_cue_of_more_than_a_line():
    # Two sentences would fit one two-line cue together; each still gets its own.
    text = ("Regardez bien cette montre. Elle suit votre sommeil toute la nuit. "
            "Et sa batterie tient une semaine. ") * 3
    words = whisper(*(" " + t for t in text.split()), step=0.3)
    cues = build_cues(words, RULES, language="fr")
    assert [v for v in lint_cues(cues, RULES, "fr") if v.rule == "sentence inside cue"] == []
    assert all(cue.text.endswith(".") for cue in cues if len(cue.text) > RULES.max_chars_per_line)


def test_lint_finds_split_words_weak_ends_and_sentences_inside_a_cue():
    cues = [Cue(0.0, 2.0, ["C 'est évident ce que"]), Cue(2.1, 4.0, ["Est -ce qu 'il dit les"]),
            Cue(4.1, 8.0, ["Il faut en parler avec lui. Mais", "pas ce soir devant tout le monde"])]
    rules = {v.rule for v in lint_cues(cues, RULES, "fr")}
    assert {"split word", "weak line end", "sentence inside cue"} <= rules
    assert lint_cues([Cue(0.0, 2.0, ["C'est évident, Est-ce clair ?"])], RULES, "fr") == []


def test_no_break_space_survives_line_breaking_and_every_file_format(tmp_path):
    text = f"Vous voulez la montre{NBSP}? Elle coûte 49 euros aujourd'hui{NBSP}!"
    lines = break_lines(text, SubtitleSettings(max_chars_per_line=24), "fr")
    assert all(not line.startswith(("?", "!")) for line in lines)
    paths = write_subtitles([Cue(0.0, 3.0, lines)], tmp_path / "x.fr")
    for path in paths.values():
        assert [c.lines for c in read_cues(path)] == [lines], path.suffix


def test_fast_speech_to_the_end_of_the_media_leaves_every_cue_readable():
    # What Whisper wrote for a real 3.7 s Polish recording (neongecko_male, "Neon, jaka jest
    # odległość między Seattle a Krakowem?"): four one-line captions fit exactly; pulling them
    # inside the media's end one after another used to leave the first too short.
    words = [Word(0.0, 0.4, " Neon,"), Word(0.54, 0.82, " jaka"), Word(0.82, 1.06, " jest"),
             Word(1.06, 1.64, " odległość"), Word(1.64, 2.0, " między"), Word(2.0, 2.56, " siatel"),
             Word(2.56, 3.3, " akrakowym?")]
    one_line = SubtitleSettings(max_chars_per_line=20, max_lines=1)
    cues = build_cues(words, one_line, duration=3.7366, language="pl")
    assert len(cues) == 4 and lint_cues(cues, one_line, "pl") == []
    # Twice the words in the same time: the needs cannot fit; each cue still gets its share.
    fast = [Word(round(w.start / 2, 3), round(w.end / 2, 3), w.text) for w in words]
    fast += [Word(round(w.start / 2 + 1.85, 3), round(w.end / 2 + 1.85, 3), w.text) for w in words]
    cues = build_cues(fast, one_line, duration=3.7366, language="pl")
    assert min(c.end - c.start for c in cues) > 0.4
    assert all(b.start > a.end for a, b in zip(cues, cues[1:]))


def test_french_no_break_spaces_survive_review_text():
    """Review pages, XLIFF and corrections squeeze white space; a French no-break space before
    `?` or inside `49 €` is not white space to them."""
    from highlights.review import one_line
    from highlights.text import breakable_split, squeeze

    assert squeeze("  C'est\n vrai\u00a0?  ") == "C'est vrai\u00a0?"
    assert one_line(["Il coûte 49\u00a0€", "  seulement\u00a0!"]) == "Il coûte 49\u00a0€ seulement\u00a0!"
    assert breakable_split("vrai\u00a0? oui") == ["vrai\u00a0?", "oui"]
