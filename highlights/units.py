"""Speech units: the sentences the topic detectors (mentions without a catalog, selection)
work on, as word index spans.

They start from `text.sentences`, the one sentence splitter (sentence punctuation, a pause of
PAUSE_BREAK), and refine it where live speech needs it: Whisper sometimes leaves the full stop
out but capitalises the next sentence's first word ("... warm and bright Now let me show you
..."), and sometimes runs half a minute of talk into one sentence, which is then cut at its
commas; and a host going through items fast runs the call of the next one into the last
words about this one ("... add it to the cart link number five"), which is cut before the
call.  Both `mentions` and `selection` read this module, so neither imports the other for it."""

from __future__ import annotations

from .lexicon import find_phrases, load_lexicon
from .records import Word
from .stemming import Token, tokenize
from .text import sentences

LONG_SENTENCE = 8.0  # seconds; a longer "sentence" is cut into its clauses
MIN_CLAUSE_WORDS = 3
MIN_BEFORE_CALL = 2  # words before a link call that make a sentence of their own


def speech_units(words: list[Word], language: str, tokens: list[Token] | None = None) -> list[tuple[int, int]]:
    """Sentences as (first word, last word), inclusive.  `tokens`: the words' tokens
    (`stemming.tokenize`), when the caller has them already."""
    stopwords = load_lexicon(language).stopwords
    units: list[tuple[int, int]] = []
    first = 0
    for sentence in sentences(words):
        last = first + len(sentence.words) - 1
        begin = first
        for index in range(first, last):
            if _starts_sentence(words[index + 1], words[index], stopwords):
                units += _clauses(words, begin, index)
                begin = index + 1
        units += _clauses(words, begin, last)
        first = last + 1
    return _cut_before_link_calls(words, units, language, tokens)


def _cut_before_link_calls(words: list[Word], units: list[tuple[int, int]], language: str,
                           tokens: list[Token] | None) -> list[tuple[int, int]]:
    calls = load_lexicon(language).link_calls
    if not calls or not units:
        return units
    tokens = tokens if tokens is not None else tokenize(words, language)
    starts = {tokens[at].first for at, _end, _phrase in find_phrases([t.text for t in tokens], [t.kind for t in tokens],
                                                                     calls)}
    cut: list[tuple[int, int]] = []
    for first, last in units:
        for start in sorted(s for s in starts if first + MIN_BEFORE_CALL <= s <= last):
            cut.append((first, start - 1))
            first = start
        cut.append((first, last))
    return cut


def _clauses(words: list[Word], first: int, last: int) -> list[tuple[int, int]]:
    if words[last].end - words[first].start <= LONG_SENTENCE:
        return [(first, last)]
    clauses, begin = [], first
    for index in range(first, last):
        if words[index].text.rstrip()[-1:] in ",;:" and index - begin + 1 >= MIN_CLAUSE_WORDS \
                and last - index >= MIN_CLAUSE_WORDS:
            clauses.append((begin, index))
            begin = index + 1
    return clauses + [(begin, last)]


def _starts_sentence(word: Word, previous: Word, stopwords: frozenset[str]) -> bool:
    """A capitalised function word ("Now", "The") after a word without a comma or dash: the
    next sentence, its full stop left out."""
    text = word.text.strip()
    if len(text) < 2 or not text[0].isupper() or text.isupper() or previous.text.rstrip()[-1:] in ",;:-–":
        return False
    first = "".join(ch for ch in text.split("'")[0].split("’")[0] if ch.isalpha()).casefold()
    return first in stopwords
