"""Per-language word lists the detectors read: sales cues (currencies, discounts, promo
codes, calls to action, urgency), chatter, introductions, words that refer back to a
product, link-number phrases, the determiners before a product, spoken letter names, and
(for a language without a Snowball stemmer) endings.

The lists live in each language's file of the registry (`highlights/languages/<lang>.toml`),
meant to be extended by hand: tables
`[currencies]` (ISO code -> words and symbols), `[cues]` (kind -> phrases), `[links]`
(`phrases` with `#` for the link number), `[products]` (`determiners`), `[talk]` (`chatter`,
`intro`, `refer`, extra `stopwords` besides the stop-words package's), `[letters]`,
`[numbers]` (spelling -> value) and `[stemming]` (`endings`).  A phrase is
matched on folded words (case and accents ignored): `word*` matches any ending, `#` a
number (digits or spoken), `?` any one word and `..` up to four words."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from . import languages as registry
from .text import normalize

GAP = 4  # words a `..` may skip


class LexiconError(ValueError):
    pass


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    language: str
    currencies: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)  # ISO code -> words
    cues: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)  # cue kind -> phrases
    chatter: tuple[Phrase, ...] = ()
    intro: tuple[Phrase, ...] = ()
    refer: frozenset[str] = frozenset()
    letters: dict[str, str] = field(default_factory=dict)  # spoken letter name -> letter
    numbers: dict[str, int] = field(default_factory=dict)  # spellings num2words does not make
    endings: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    links: tuple[Phrase, ...] = ()  # "link #", "номер #": a product called by its link number
    determiners: frozenset[str] = frozenset()  # "our", "this": a noun phrase after them is a product

    @functools.cached_property
    def link_calls(self) -> tuple[Phrase, ...]:
        """The words of a link phrase before its number ("link numero", "enlace número"), then
        any word: the number may be misheard ("il link numero nome"), the call is still a new
        item.  One-word heads ("link", "no") say too little on their own."""
        return tuple((*phrase[:-1], "?") for phrase in self.links if phrase[-1] == "#" and len(phrase) >= 3)


# Currency signs the tokenizer keeps as tokens of their own: those the languages'
# [currencies] tables list (which currency each one is: `currency_symbols`).
SYMBOLS = registry.currency_signs()


def languages() -> list[str]:
    return sorted(registry.codes())


@functools.lru_cache(maxsize=16)
def load_lexicon(language: str) -> Lexicon:
    """The lexicon of `language`; English for a language we have none for."""
    if language not in registry.registry():
        return load_lexicon("en") if language != "en" else Lexicon("en")
    path = registry.HERE / f"{language}.toml"
    try:
        data = registry.get(language).tables
        talk = data.get("talk", {})
        lexicon = Lexicon(
            language=language,
            currencies={code: _phrases(words) for code, words in data.get("currencies", {}).items()},
            cues={kind: _phrases(phrases) for kind, phrases in data.get("cues", {}).items()},
            chatter=_phrases(talk.get("chatter", [])),
            intro=_phrases(talk.get("intro", [])),
            refer=frozenset(" ".join(normalize(w).split()) for w in talk.get("refer", [])),
            letters={normalize(name): letter.lower() for letter, names in data.get("letters", {}).items()
                     for name in names},
            numbers={str(k): int(v) for k, v in data.get("numbers", {}).items()},
            endings=tuple(normalize(e) for e in data.get("stemming", {}).get("endings", [])),
            stopwords=_stopwords(language, talk.get("stopwords", [])),
            links=_phrases(data.get("links", {}).get("phrases", [])),
            determiners=frozenset(normalize(w) for w in data.get("products", {}).get("determiners", [])),
        )
    except (AttributeError, TypeError, ValueError) as exc:
        raise LexiconError(f"{path}: not a valid lexicon: {exc}") from None
    return lexicon


@functools.lru_cache(maxsize=1)
def currency_symbols() -> dict[str, str]:
    """Currency sign -> ISO code, from every language's `[currencies]` (a "$" in a Russian
    transcript is still dollars). The one list of signs: a sign two languages give different
    codes is an error."""
    found: dict[str, tuple[str, str]] = {}
    for language in languages():
        for code, phrases in load_lexicon(language).currencies.items():
            for phrase in phrases:
                if len(phrase) == 1 and phrase[0] in SYMBOLS:
                    if found.get(phrase[0], (code, ""))[0] != code:
                        raise LexiconError(f"{phrase[0]} is {found[phrase[0]][0]} in {found[phrase[0]][1]}.toml "
                                           f"and {code} in {language}.toml")
                    found[phrase[0]] = (code, language)
    return {symbol: code for symbol, (code, _language) in found.items()}


def currency_codes() -> frozenset[str]:
    """Every ISO code some language's `[currencies]` names (not "%")."""
    return frozenset(code for language in languages() for code in load_lexicon(language).currencies if code != "%")


def _phrases(items) -> tuple[Phrase, ...]:
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise TypeError("phrases must be a list of strings")
    return tuple(tuple(_pattern_word(w) for w in item.split()) for item in items if item.strip())


def _pattern_word(word: str) -> str:
    if word in ("#", "?", "..", "%") or word in SYMBOLS:
        return word
    star = word.endswith("*")
    folded = "".join(normalize(word.rstrip("*")).split())
    return folded + ("*" if star else "")


def _stopwords(language: str, extra: list[str]) -> frozenset[str]:
    from stop_words import StopWordError, get_stop_words

    try:
        words = get_stop_words(language)
    except StopWordError:
        words = []
    return frozenset(part for w in [*words, *extra] for part in normalize(w).split())


def match_phrase(texts: list[str], kinds: list[str], at: int, phrase: Phrase) -> int | None:
    """Where `phrase` ends (exclusive) if it matches the tokens from `at`, else None.
    `texts` and `kinds` are the tokens' folded texts and kinds (word|number|symbol)."""
    if not phrase:
        return at
    head, rest = phrase[0], phrase[1:]
    if head == "..":
        for skip in range(GAP + 1):
            end = match_phrase(texts, kinds, at + skip, rest) if at + skip <= len(texts) else None
            if end is not None:
                return end
        return None
    if at >= len(texts):
        return None
    text, kind = texts[at], kinds[at]
    if head == "#":
        ok = kind == "number"
    elif head == "?":
        ok = True
    elif head.endswith("*"):
        ok = kind == "word" and text.startswith(head[:-1])
    else:
        ok = text == head
    return match_phrase(texts, kinds, at + 1, rest) if ok else None


def find_phrases(texts: list[str], kinds: list[str], phrases: tuple[Phrase, ...]) -> list[tuple[int, int, Phrase]]:
    """Every (start, end, phrase) match, longest first at each start, not overlapping."""
    found = []
    at = 0
    while at < len(texts):
        best = None
        for phrase in phrases:
            end = match_phrase(texts, kinds, at, phrase)
            if end is not None and end > at and (best is None or end > best[1]):
                best = (at, end, phrase)
        if best:
            found.append(best)
            at = best[1]
        else:
            at += 1
    return found
