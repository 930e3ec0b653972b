"""How each language sets words on screen, read from the language registry
(`[typography]` and `[weak_words]` of `highlights/languages/<code>.toml`).

- `apostrophes`: characters written inside a word (`c'est`, `dell'anno`, `п'ять` / `пʼять`).
- `elision`: a word that ends in an apostrophe (`l'`, `dell'`, `qu'`) is joined to the next
  one even when Whisper put a space between them (fr, it, pt; not English `dogs' bowls`).
- `clitics`: hyphenated forms (`-ce`, `-là`, `-lo`, `-то`) joined to the word before even
  when Whisper spaced them.
- `space_before`: what is set before `? ! : ;` (French: a no-break space, U+00A0 — the
  space the French subtitle guides put there, and one every font and player has; the
  narrow U+202F of print typography is missing from many player fonts and TV decoders).
- `abbreviations`: a full stop after these does not end a sentence (`Mr. Quilter`).
- `units`: words kept with the number before them, besides currencies and symbols.
- `weak_words`: articles, prepositions, conjunctions and determiners; a subtitle line or
  cue does not end on one (it belongs with the words after it).

A language without a file (or an unknown code) gets neutral rules: Whisper's spacing only."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from . import languages

# Symbols and codes that follow or precede a number in any language.
UNIT_SYMBOLS = frozenset("""
% ‰
mm cm m km mg g kg ml l mah wh kwh w kw v hz khz mhz ghz kb mb gb tb h min s ms mp px fps k °c °f ° " x
""".split())


@dataclass(frozen=True)
class Typography:
    code: str
    apostrophes: frozenset[str] = frozenset({"'", "’"})
    elision: bool = False
    clitics: frozenset[str] = frozenset()
    space_before: str = ""
    abbreviations: frozenset[str] = frozenset()
    units: tuple[str, ...] = ()  # folded; a trailing `*` matches any ending
    weak_words: frozenset[str] = frozenset()

    def is_weak(self, word: str) -> bool:
        """`word` (as displayed, punctuation and all) is a weak word with nothing after it that
        would make a break natural (`de` is weak, `de,` and `pour ?` are not)."""
        if not word or not (word[-1].isalnum() or word[-1] in self.apostrophes):
            return False
        return _fold(word) in self.weak_words

    def is_unit(self, word: str) -> bool:
        """`word` names a unit, a currency or a measure when it follows a number."""
        folded = _fold(word)
        if not folded:
            return False
        bare = word.strip(".,!?;:").casefold()
        if {folded, bare} & UNIT_SYMBOLS or {folded, bare.rstrip(".")} & languages.currency_forms():
            return True  # a currency of any language: "49 zł" in an English sentence too
        for unit in self.units:
            if unit.endswith("*") and folded.startswith(unit[:-1]) or folded == unit:
                return True
        return False

    def is_abbreviation(self, word: str) -> bool:
        return word.strip("\"'«»“”()") in self.abbreviations


def _fold(word: str) -> str:
    return _EDGES.sub("", word.casefold())


# Punctuation around a word, but not the signs that name what a number counts.
_KEEP = re.escape("".join(sorted(languages.currency_signs())) + "%°")
_EDGES = re.compile(rf"^[^\w{_KEEP}]+|[^\w{_KEEP}]+$")
_LEAD = re.compile(rf"^[^\w{_KEEP}]+")
_TRAIL = re.compile(rf"[^\w{_KEEP}]+$")


def word_edges(word: str) -> tuple[str, str, str]:
    """A displayed word as (punctuation before it, the word, punctuation after it):
    `«Aurora,` -> ("«", "Aurora", ","), French `vrai\u00a0?` -> ("", "vrai", "\u00a0?"), `49%`
    keeps its `%`.  Only punctuation: ("", "", word)."""
    lead = _LEAD.match(word)
    before = lead.group(0) if lead else ""
    if len(before) == len(word):
        return "", "", word
    trail = _TRAIL.search(word)
    after = trail.group(0) if trail else ""
    return before, word[len(before):len(word) - len(after)], after


@functools.lru_cache(maxsize=32)
def typography(code: str | None) -> Typography:
    """The typography of language `code`.  None or an unknown code: Whisper's spacing only,
    with the weak words and units of every language (text of an unknown language still
    should not break after "the" or "de", nor between "49" and "dollars")."""
    if not code or code not in languages.registry():
        known = [typography(c) for c in languages.codes()]
        return Typography(code or "", weak_words=frozenset().union(*(t.weak_words for t in known)),
                          units=tuple(dict.fromkeys(u for t in known for u in t.units)))
    language = languages.get(code)
    table = language.table("typography")
    # A unit of several words ("pour cent", "per cent") is recognised by its first word.
    units: list[str] = [str(u).casefold().split()[0] for u in table.get("units", []) if str(u).strip()]
    # Spoken currency names ("dollar*", "euro*", "złot*") come from the lexicon's [currencies].
    for words in language.table("currencies").values():
        for phrase in words:
            if str(phrase).split() and not str(phrase).split()[0].isdigit():
                units.append(str(phrase).split()[0].casefold())
    return Typography(
        code=code,
        apostrophes=frozenset(str(a) for a in table.get("apostrophes", ["'", "’"])),
        elision=bool(table.get("elision", False)),
        clitics=frozenset(str(c).casefold() for c in table.get("clitics", [])),
        space_before=str(table.get("space_before", "")),
        abbreviations=frozenset(str(a) for a in table.get("abbreviations", [])),
        units=tuple(dict.fromkeys(units)),
        weak_words=frozenset(str(w).casefold() for w in language.table("weak_words").get("words", [])),
    )


__all__ = ["UNIT_SYMBOLS", "Typography", "typography", "word_edges"]
