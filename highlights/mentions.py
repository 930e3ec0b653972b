"""Mentions stage: where the host names a catalog product.

Spoken words and catalog names are both normalised (case, accents, punctuation) and
compared window by window with rapidfuzz, which forgives Whisper's small spelling slips
("Lumo Best Lamp" ~ "Lumo desk lamp")."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from .config import MentionSettings
from .records import Mention, Product, Transcript, Word
from .text import join_words, normalize


@dataclass
class _Token:
    text: str
    word: int  # index into the transcript's words


def find_mentions(transcript: Transcript, products: list[Product], settings: MentionSettings) -> list[Mention]:
    words = transcript.words
    tokens = [_Token(piece, index) for index, word in enumerate(words) for piece in normalize(word.text).split()]
    candidates: list[tuple[float, int, int, int, Product, str]] = []
    for product in products:
        for name in product.names:
            target = normalize(name)
            size = len(target.split())
            if not target or (size == 1 and len(target) < 3):
                continue  # two-letter aliases match half the language
            # One or two edits in a short name make another word ("aura" for "aurora").
            threshold = settings.min_similarity if len(target) >= 10 else max(settings.min_similarity, 90.0)
            squashed = target.replace(" ", "")
            # Whisper joins or splits compounds ("smartwatch" for "smart watch"), so windows
            # one token shorter or longer are compared too, with and without spaces.
            for width in {max(1, size - 1), size, size + 1}:
                for i in range(len(tokens) - width + 1):
                    window = " ".join(t.text for t in tokens[i:i + width])
                    similarity = max(fuzz.ratio(window, target), fuzz.ratio(window.replace(" ", ""), squashed))
                    if similarity >= threshold:
                        candidates.append((similarity, width, tokens[i].word, tokens[i + width - 1].word, product, name))
    # Best and longest first; a word belongs to one mention only.
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    used: set[int] = set()
    mentions = []
    for similarity, _size, first, last, product, name in candidates:
        span = set(range(first, last + 1))
        if span & used:
            continue
        used |= span
        mentions.append(_mention(words[first:last + 1], product, name, similarity))
    return sorted(mentions, key=lambda m: m.start)


def _mention(words: list[Word], product: Product, name: str, similarity: float) -> Mention:
    return Mention(product=product.id, start=words[0].start, end=words[-1].end, text=join_words(words),
                   matched=name, similarity=round(similarity, 1))
