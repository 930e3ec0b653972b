"""Sales cues: what a host says when selling, in the eight languages.

Prices (written `$49`, `49,99 zł`, `49 €` or spoken `forty-nine dollars`, `сорок девять
долларов`, `quarante-neuf euros`), discounts and coupons, promo codes, bundles ("buy two, the
second free"), gifts with purchase, calls to action (`add to cart`, `link below`, `dodaj do
koszyka`) and stock or time pressure.  A promo code must look like one: letters with digits
("AURORA10", "Breeze 5", "НОВА пять") or a word the caller knows as a code or a catalog
name; never a stop word or a lone number ("the code is in the chat", "code in two minutes").  The words of each language
are data (`languages/<lang>.toml`); this module only reads the transcript with them.  A cue
raises the score of the presentation it falls in and is named in its reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon, currency_symbols, find_phrases, load_lexicon, match_phrase
from .records import Word
from .stemming import Token, tokenize
from .text import join_words

CUE_KINDS = ("price", "discount", "promo_code", "bundle", "gift", "call_to_action", "urgency")
# How much each kind of cue says "this is a sales pitch"; a kind counts once per presentation.
WEIGHTS = {"price": 1.0, "promo_code": 1.0, "call_to_action": 1.0, "discount": 0.75, "bundle": 0.75, "gift": 0.75,
           "urgency": 0.5}
PHRASE_KINDS = ("discount", "promo_code", "bundle", "gift", "call_to_action", "urgency")


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
        if self.kind == "bundle":
            return f"bundle ({self.text.strip(' ,.!?')})"
        if self.kind == "gift":
            return f"gift with purchase ({self.text.strip(' ,.!?')})"
        if self.kind == "call_to_action":
            return f"call to action ({self.text.strip(' ,.!?')})"
        return f"urgency ({self.text.strip(' ,.!?')})"


def find_cues(words: list[Word], language: str, tokens: list[Token] | None = None,
              codes: frozenset[str] = frozenset()) -> list[SalesCue]:
    """Every sales cue in `words`, in time order.  `codes`: folded words that are codes
    without a digit (catalog names, "aurora"), accepted after a promo-code phrase."""
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
    for kind in PHRASE_KINDS:
        for start, end, _phrase in find_phrases(texts, kinds, lexicon.cues.get(kind, ())):
            if used & set(range(start, end)):
                continue
            if kind == "promo_code":
                promo = _promo_code(tokens, end, words, lexicon, codes)
                if promo is None:
                    continue  # "code" with no code after it is another kind of code
                _first, end, value = promo
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
    symbols = currency_symbols()
    if after < len(texts):
        if texts[after] in symbols:
            return index, after + 1, symbols[texts[after]]
        if texts[after] == "%":
            return index, after + 1, "%"
        for code, words in lexicon.currencies.items():
            for phrase in words:
                end = match_phrase(texts, kinds, after, phrase)
                if end is not None:
                    return index, end, code
    before = index - 1
    if before >= 0 and texts[before] in symbols:
        return before, index + 1, symbols[texts[before]]
    return None


def _promo_code(tokens: list[Token], at: int, words: list[Word], lexicon: Lexicon,
                codes: frozenset[str]) -> tuple[int, int, str] | None:
    """The code said after a promo-code phrase, after at most two filler words: letters with
    digits in one word ("AURORA10", "SERUM5"), a word and a number said together ("Breeze 5",
    "НОВА пять"), or a word in `codes`.  A stop word or a lone number is not a code: "the code
    is in the chat", "the code in two minutes"."""
    skipped = 0
    while at < len(tokens) and tokens[at].kind == "word" and tokens[at].text in lexicon.stopwords and skipped < 2 \
            and not tokens[at].capital:
        at += 1
        skipped += 1
    if at >= len(tokens):
        return None
    token = tokens[at]
    if token.kind != "word" or len(token.text) < 2 or (token.text in lexicon.stopwords and token.text not in codes):
        return None
    glued = at + 1 < len(tokens) and tokens[at + 1].kind == "number" and tokens[at + 1].first == token.last
    said_after = at + 1 < len(tokens) and tokens[at + 1].kind == "number" and tokens[at + 1].first == token.last + 1 \
        and (token.capital or token.text in codes)
    if not (glued or said_after or token.text in codes):
        return None
    end = at + 2 if glued or said_after else at + 1
    raw = join_words(words[token.first:token.last + 1])
    if said_after:
        raw += tokens[at + 1].text  # "Breeze 5", "НОВА пять"; "AURORA10" is one word already
    value = re.sub(r"[\W_]+", "", raw).upper()
    return (at, end, value) if value else None
