"""Sales cues: what a host says when selling, in the eight languages.

Prices (written `$49`, `49,99 zł`, `49 €` or spoken `forty-nine dollars`, `сорок девять
долларов`, `quarante-neuf euros`), discounts, promo codes, calls to action (`add to cart`,
`link below`, `dodaj do koszyka`) and stock or time pressure.  The words of each language
are data (`languages/<lang>.toml`); this module only reads the transcript with them.  A cue
raises the score of the presentation it falls in and is named in its reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon, find_phrases, load_lexicon, match_phrase
from .records import Word
from .stemming import Token, tokenize
from .text import join_words

CUE_KINDS = ("price", "discount", "promo_code", "call_to_action", "urgency")
SYMBOL_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₴": "UAH"}  # "R$" reads as "$"
# How much each kind of cue says "this is a sales pitch"; a kind counts once per presentation.
WEIGHTS = {"price": 1.0, "promo_code": 1.0, "call_to_action": 1.0, "discount": 0.75, "urgency": 0.5}


@dataclass
class SalesCue:
    kind: str  # one of CUE_KINDS
    start: float
    end: float
    text: str  # the words as transcribed
    value: str = ""  # "49 USD", "AURORA10", "20%"; empty when the cue has no value

    @property
    def reason(self) -> str:
        if self.kind == "price":
            return f"states price {self.value}"
        if self.kind == "promo_code":
            return f"promo code {self.value}" if self.value else "mentions a promo code"
        if self.kind == "discount":
            return f"discount {self.value}" if self.value else f"discount ({self.text.strip(' ,.!?')})"
        if self.kind == "call_to_action":
            return f"call to action ({self.text.strip(' ,.!?')})"
        return f"urgency ({self.text.strip(' ,.!?')})"


def find_cues(words: list[Word], language: str, tokens: list[Token] | None = None) -> list[SalesCue]:
    """Every sales cue in `words`, in time order."""
    lexicon = load_lexicon(language)
    tokens = tokens if tokens is not None else tokenize(words, language)
    texts = [t.text for t in tokens]
    kinds = [t.kind for t in tokens]
    cues: list[SalesCue] = []
    used: set[int] = set()  # tokens already read as a price or a percentage
    for index, token in enumerate(tokens):
        if token.kind != "number":
            continue
        unit = _unit(texts, kinds, index, lexicon)
        if unit:
            first, end, code = unit
            if code == "%":
                cues.append(_cue("discount", tokens, first, end, words, f"{_number(token.text)}%"))
            else:
                cues.append(_cue("price", tokens, first, end, words, f"{_number(token.text)} {code}"))
            used.update(range(first, end))
    for kind in ("discount", "promo_code", "call_to_action", "urgency"):
        for start, end, _phrase in find_phrases(texts, kinds, lexicon.cues.get(kind, ())):
            if used & set(range(start, end)):
                continue
            if kind == "promo_code":
                code = _promo_code(tokens, end, words, lexicon)
                if code is None:
                    continue  # "code" with no code after it is another kind of code
                _first, end, value = code
                cues.append(_cue(kind, tokens, start, end, words, value))
                continue
            cues.append(_cue(kind, tokens, start, end, words))
    return sorted(cues, key=lambda c: (c.start, CUE_KINDS.index(c.kind)))


def _cue(kind: str, tokens: list[Token], start: int, end: int, words: list[Word], value: str = "") -> SalesCue:
    first, last = tokens[start].first, tokens[end - 1].last
    return SalesCue(kind, words[first].start, words[last].end, join_words(words[first:last + 1]), value)


def _number(text: str) -> str:
    return text[:-3] if text.endswith(".00") else text


def _unit(texts, kinds, index: int, lexicon: Lexicon) -> tuple[int, int, str] | None:
    """(first token, end token, ISO currency or "%") when the number at `index` is a price
    or a percentage."""
    after = index + 1
    if after < len(texts):
        if texts[after] in SYMBOL_CURRENCY:
            return index, after + 1, SYMBOL_CURRENCY[texts[after]]
        if texts[after] == "%":
            return index, after + 1, "%"
        for code, words in lexicon.currencies.items():
            for phrase in words:
                end = match_phrase(texts, kinds, after, phrase)
                if end is not None:
                    return index, end, code
    before = index - 1
    if before >= 0 and texts[before] in SYMBOL_CURRENCY:
        return before, index + 1, SYMBOL_CURRENCY[texts[before]]
    return None


def _promo_code(tokens: list[Token], at: int, words: list[Word], lexicon: Lexicon) -> tuple[int, int, str] | None:
    """The code said after a promo-code phrase: a capitalised word or a word and a number
    ("AURORA10", "Breeze 5", "НОВА пять"), or a number; after at most two filler words."""
    skipped = 0
    while at < len(tokens) and tokens[at].kind == "word" and tokens[at].text in lexicon.stopwords and skipped < 2 \
            and not tokens[at].capital:
        at += 1
        skipped += 1
    if at >= len(tokens):
        return None
    token = tokens[at]
    if token.kind == "number":
        return at, at + 1, token.text
    if token.kind != "word" or len(token.text) < 2:
        return None
    follows_number = at + 1 < len(tokens) and tokens[at + 1].kind == "number" \
        and tokens[at + 1].first - token.last <= 1
    if not (token.capital or follows_number):
        return None
    end = at + 2 if follows_number else at + 1
    raw = join_words(words[token.first:token.last + 1])
    if follows_number and tokens[at + 1].first != token.last:
        raw += tokens[at + 1].text  # "Breeze 5", "НОВА пять"; "AURORA10" is one word already
    value = re.sub(r"[\W_]+", "", raw).upper()
    return (at, end, value) if value else None
