"""Protecting what translation must not touch: product names and aliases, brands, promo
codes, numbers, prices and URLs are swapped for placeholders (XQ1, XQ2, ...) before any
engine sees a sentence and put back afterwards.  Engines garble proper nouns and, now and
then, drop or repeat a placeholder (Apertium marks it as an unknown word, `*XQ1`): a dropped
one is put back where it stood in the sentence, a repeated one is kept once, so whatever
the engine does every name comes out exactly as it went in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..languages import currency_forms, currency_signs

PLACEHOLDER = "XQ{}"
# What a model makes of a placeholder: case changed, a space slipped in, X written in Cyrillic.
PLACEHOLDER_FOUND = re.compile(r"[XxХх]\s?[Qq]\s?(\d{1,3})")
URL = re.compile(r"(?:https?://|www\.)[^\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                 r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|shop|store|io|co|ru|ua|pl|es|pt|fr|it|eu|uk|de)(?:/[^\s]*)?",
                 re.IGNORECASE)
PROMO_CODE = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]*[A-Z0-9](?![\w-])")
# An amount with its currency, as the registry's [currencies] tables write it: a sign or a
# written form (code, "zł", "грн") before or after the number.
_SIGNS = re.escape("".join(sorted(currency_signs())))
_WORDS = "|".join(sorted((re.escape(f) for f in currency_forms() if len(f) > 1), key=len, reverse=True))
AMOUNT = re.compile(rf"(?:(?:[{_SIGNS}]|\b(?:{_WORDS})\b)\s?)?(?<![\w.,])\d+(?:[.,\u00a0\u202f]\d{{3}})*"
                    rf"(?:[.,]\d+)?(?:\s?(?:[{_SIGNS}%]|(?:{_WORDS})(?!\w)))?", re.IGNORECASE)
TRAILING = ".,!?;:)»”'\""


@dataclass
class Protected:
    """A sentence with its names swapped for placeholders XQ1, XQ2, ... ."""

    text: str
    originals: list[str] = field(default_factory=list)
    positions: list[float] = field(default_factory=list)  # where each placeholder stood, 0..1

    @property
    def needs_model(self) -> bool:
        """False when nothing is left to translate ("XQ1!", "49.")."""
        return bool(re.search(r"[^\W\d_]", PLACEHOLDER_FOUND.sub("", self.text)))


def names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern matching any of `names` as whole words, longest first, any case."""
    unique = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    parts = [r"\s+".join(re.escape(word) for word in name.split()) for name in unique]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def protect(text: str, names: re.Pattern | None, numbers: bool = True) -> Protected:
    spans: list[tuple[int, int]] = []
    for pattern in (URL, names, PROMO_CODE, AMOUNT if numbers else None):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if pattern is URL:
                while end > start and text[end - 1] in TRAILING:
                    end -= 1
            if end > start and text[start:end].strip() and not any(start < b and a < end for a, b in spans):
                spans.append((start, end))
    spans.sort()
    pieces, originals, last = [], [], 0
    for number, (start, end) in enumerate(spans, start=1):
        pieces += [text[last:start], PLACEHOLDER.format(number)]
        originals.append(text[start:end])
        last = end
    pieces.append(text[last:])
    masked = "".join(pieces)
    positions = [masked.index(PLACEHOLDER.format(n)) / max(1, len(masked)) for n in range(1, len(originals) + 1)]
    return Protected(masked, originals, positions)


def settle(translated: str, protected: Protected, final: bool = True) -> str:
    """Put the protected text back into a translation (`final`), or only mend the
    placeholders for a next translation step: each comes out exactly once; a dropped one
    goes where it stood in the source sentence, after the ones that came before it there."""
    seen: list[int] = []

    def mark(match: re.Match) -> str:
        number = int(match.group(1))
        if 1 <= number <= len(protected.originals) and number not in seen:
            seen.append(number)
            return f" \0{number}\0 "
        return " "  # a repeated or invented placeholder

    words = PLACEHOLDER_FOUND.sub(mark, tidy(translated)).split()
    for number in range(1, len(protected.originals) + 1):
        if number in seen:
            continue
        marks = {int(w.strip("\0")): i for i, w in enumerate(words) if w.startswith("\0")}
        low = max((i + 1 for n, i in marks.items() if n < number), default=0)
        high = min((i for n, i in marks.items() if n > number), default=len(words))
        ideal = round(protected.positions[number - 1] * len(words))
        words.insert(min(max(ideal, low), max(low, high)), f"\0{number}\0")
        seen.append(number)

    def value(word: str) -> str:
        if not word.startswith("\0"):
            return word
        number = int(word.strip("\0"))
        return protected.originals[number - 1] if final else PLACEHOLDER.format(number)

    text = " ".join(value(w) for w in words)
    return re.sub(r"\s+([,.!?;:)»”%])", r"\1", text)


def tidy(text: str) -> str:
    """Undo what models do when they go wrong: music notes for speech (argos-translate #299)
    and words or syllables repeated in a loop (LibreTranslate #183)."""
    text = re.sub(r"[♪♫♬]+", " ", text)
    text = re.sub(r"(?i)\b(\w+)(?:\W+\1\b){2,}", r"\1", text)
    text = re.sub(r"(\w{2,4}?)\1{2,}", r"\1", text)
    text = re.sub(r"(\w)\1{3,}", r"\1", text)
    return " ".join(text.split())
