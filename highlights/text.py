"""Words to sentences, and the text normalisation the matchers share."""

from __future__ import annotations

import re
import unicodedata

from .records import Sentence, Transcript, Word

SENTENCE_END = re.compile(r"[.!?…。？！]+[\"')\]»”]*$")
# A pause this long ends a sentence even without punctuation (Whisper sometimes omits it).
PAUSE_BREAK = 1.5


def sentences(transcript: Transcript | list[Word]) -> list[Sentence]:
    words = transcript.words if isinstance(transcript, Transcript) else transcript
    result: list[Sentence] = []
    current: list[Word] = []
    for index, word in enumerate(words):
        current.append(word)
        following = words[index + 1] if index + 1 < len(words) else None
        if following is None or SENTENCE_END.search(word.text.strip()) or following.start - word.end >= PAUSE_BREAK:
            result.append(_sentence(current))
            current = []
    return result


def _sentence(words: list[Word]) -> Sentence:
    return Sentence(start=words[0].start, end=words[-1].end, text=join_words(words), words=list(words))


def join_words(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


def normalize(text: str) -> str:
    """Case-folded, accents removed (but not Cyrillic й/ї, which are letters of their own;
    ё becomes е as Russian writers do), punctuation to spaces."""
    text = unicodedata.normalize("NFD", text.casefold())
    kept = []
    for char in text:
        if unicodedata.category(char) == "Mn" and not (kept and kept[-1] in "иі" and char in "\u0306\u0308"):
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join(re.findall(r"\w+", text))
