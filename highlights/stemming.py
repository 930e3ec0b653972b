"""Word forms the matchers compare, in the eight languages.

- Tokens: a transcript's words cut into letters and digits ("X200" -> "x 200", so "X-200",
  "X 200" and "икс двести" all become "x 200"), case and accents folded, spoken numbers
  turned into digits ("forty-nine", "сорок девять", "quarante-neuf" -> 49; num2words spells
  every number up to 999 in each language and we read its table backwards), and spoken
  letter names ("икс", "equis") into letters.  Each token remembers the words it came from.
- Stems: Snowball (snowballstemmer) for en ru es pt fr it pl; Ukrainian has no Snowball
  stemmer, so its common endings (listed in `languages/uk.toml`) are stripped.
- Skeletons: a brand written in another script ("Аврора" for "Aurora", "Лумо" for "Lumo")
  is compared through anyascii's transliteration, folded so that the usual spellings of one
  sound meet ("avrora" ~ "aurora").
- Frequency: how common a word is in the language (wordfreq), looked up by its simplemma
  lemma so that inflected forms count as one ("acabáis" as "acabar")."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import simplemma
from wordfreq import zipf_frequency

from . import languages
from .lexicon import load_lexicon
from .records import Word
from .text import normalize

SYMBOLS = "".join(sorted(languages.currency_signs())) + "%"
_PIECE = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)*|[" + re.escape(SYMBOLS) + "]")


@dataclass
class Token:
    text: str  # folded form; numbers as digits ("49", "49.99")
    first: int  # index of the first and last transcript word it comes from
    last: int
    kind: str = "word"  # word | number | symbol
    capital: bool = False  # written with a capital letter


def tokenize(words: list[Word], language: str) -> list[Token]:
    """The words as tokens, with spoken numbers and letter names read."""
    raw: list[Token] = []
    for index, word in enumerate(words):
        for piece in _PIECE.findall(word.text):
            if piece[0].isdigit():
                raw.append(Token(piece.replace(",", "."), index, index, "number"))
            elif piece in SYMBOLS:
                raw.append(Token(piece, index, index, "symbol"))
            else:
                for part in normalize(piece).split():
                    raw.append(Token(part, index, index, "word", capital=piece[0].isupper()))
    return _read_spoken(raw, language)


def tokenize_text(text: str, language: str) -> list[Token]:
    """A name or phrase as tokens (word indices are positions in `text.split()`)."""
    return tokenize([Word(0.0, 0.0, " " + piece) for piece in text.split()], language)


def _read_spoken(tokens: list[Token], language: str) -> list[Token]:
    table, longest = spoken_numbers(language)
    letters = load_lexicon(language).letters
    result: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "word":
            value, size = _longest_number(tokens, i, table, longest)
            if size:
                result.append(Token(str(value), token.first, tokens[i + size - 1].last, "number"))
                i += size
                continue
            if token.text in letters:
                result.append(Token(letters[token.text], token.first, token.last, "word", token.capital))
                i += 1
                continue
        result.append(token)
        i += 1
    return _join_thousands(result, table)


def _longest_number(tokens: list[Token], i: int, table: dict[tuple[str, ...], int], longest: int):
    for size in range(min(longest, len(tokens) - i), 0, -1):
        run = tokens[i:i + size]
        if any(t.kind != "word" for t in run):
            continue
        value = table.get(tuple(t.text for t in run))
        if value is not None:
            return value, size
    return None, 0


def _join_thousands(tokens: list[Token], table) -> list[Token]:
    """"одна тысяча" + "двести" -> 1200: a round thousand followed by a smaller number."""
    result: list[Token] = []
    for token in tokens:
        previous = result[-1] if result else None
        if (previous and previous.kind == token.kind == "number" and "." not in previous.text + token.text
                and previous.first != token.first and int(previous.text) % 1000 == 0
                and int(token.text) < 1000 and previous.text != "0"):
            previous.text = str(int(previous.text) + int(token.text))
            previous.last = token.last
            continue
        result.append(token)
    return result


@functools.lru_cache(maxsize=16)
def spoken_numbers(language: str) -> tuple[dict[tuple[str, ...], int], int]:
    """Folded spellings of 0..999 and of round thousands -> value; and the longest spelling
    in tokens."""
    from num2words import num2words

    table: dict[tuple[str, ...], int] = {}
    try:
        values = [*range(1000), *range(1000, 10000, 1000), *range(10000, 100000, 10000)]
        for value in values:
            key = tuple(normalize(num2words(value, lang=language)).split())
            table.setdefault(key, value)
    except NotImplementedError:
        return {}, 0
    for value, key in list((v, k) for k, v in table.items()):
        if value >= 1000 and value % 1000 == 0 and len(key) > 1 and value < 2000:
            table.setdefault(key[1:], value)  # "тысяча" as well as "одна тысяча"
    for spelling, value in load_lexicon(language).numbers.items():
        table[tuple(normalize(spelling).split())] = value
    return table, max(len(key) for key in table)


# --- stems ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def stemmer(language: str) -> Callable[[str], str]:
    """A function from a folded word to its stem (the word itself when we have no stemmer)."""
    algorithm_name = languages.get(language).snowball if language in languages.registry() else None
    if algorithm_name:
        import snowballstemmer

        algorithm = snowballstemmer.stemmer(algorithm_name)
        return functools.lru_cache(maxsize=65536)(algorithm.stemWord)
    endings = sorted(load_lexicon(language).endings, key=len, reverse=True)
    if endings:
        def strip(word: str) -> str:
            for ending in endings:
                if word.endswith(ending) and len(word) - len(ending) >= 3:
                    return word[: -len(ending)]
            return word

        return functools.lru_cache(maxsize=65536)(strip)
    return lambda word: word


# --- scripts and skeletons ------------------------------------------------------------------


def script(text: str) -> str:
    """"latin", "cyrillic" or "other", by the first letter."""
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            return "cyrillic" if name.startswith("CYRILLIC") else "latin" if name.startswith("LATIN") else "other"
    return "other"


_FOLDS = [(re.compile(p), r) for p, r in (
    (r"shch|sch", "s"), (r"kh", "h"), (r"zh", "z"), (r"ch", "c"), (r"sh", "s"), (r"ts|tz", "c"),
    (r"ph", "f"), (r"th", "t"), (r"ck|q", "k"), (r"x", "ks"), (r"w", "v"), (r"[yj]", "i"),
    (r"c(?=[aou]|$)", "k"),
    # Russian and Ukrainian write a Latin "au" before a consonant as "ав" (Aurora: Аврора).
    (r"(?<=[aeo])v(?=[^aeiou]|$)", "u"),
    (r"(.)\1+", r"\1"),
)]


@functools.lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """A Latin spelling of a folded word, reduced to what survives transliteration both
    ways; one final vowel is dropped, for the endings a Slavic host adds to a brand."""
    from anyascii import anyascii

    text = re.sub(r"[^a-z0-9]", "", anyascii(word).lower())
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    return text[:-1] if len(text) > 3 and text[-1] in "aeiou" else text


@functools.lru_cache(maxsize=65536)
def word_zipf(text: str, language: str) -> float:
    """How common a word is in the language (wordfreq's Zipf scale: log10 of uses per billion
    words), as its lemma or as said, whichever is commoner."""
    lemma = simplemma.lemmatize(text, lang=language)
    return max(zipf_frequency(text, language), zipf_frequency(lemma.casefold(), language))
