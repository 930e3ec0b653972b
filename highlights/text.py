"""Words to sentences, text rebuilt from Whisper's words, and the text normalisation the
matchers share.

Whisper marks where a word begins with a leading space (`' C'`, `"'est"`, `' -là,'`
without one: `'-là,'`; `' 3'`, `'.061.'`; `' 12'`, `'%'`).  Text is rebuilt from words
only here (`join_words`, `display_words`): words join where Whisper put no space, plus the
joins the language's typography asks for (`highlights/typography.py`: an elided `l'`
before a spaced word, a spaced hyphenated clitic, French no-break spaces before `? ! : ;`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .records import Sentence, Transcript, Word
from .typography import Typography, typography

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


@dataclass
class DisplayWord:
    """What is displayed as one unit: Whisper's words that join (`C` + `'est`, `est` + `-ce`,
    `3` + `.061.`) with the time they span.  Lines and cues break only between display words."""

    text: str
    start: float
    end: float
    space_before: bool = True  # False only for a first word that continues text before it


# A closing mark after which a word starting with a letter, without Whisper's space, is a new
# segment rather than a continuation ("...bien." + "Merci" from two segments).
_SEGMENT_END = re.compile(r"[.!?…]$")
# French and the like: where `space_before` goes: before a run of ? ! : ; that follows a word
# (not 12:30 or a URL: the run must end the word).
_DOUBLE_PUNCTUATION = re.compile(r"(?<=[\w»”)\]%€$£'’])[ \u00a0\u202f]?([?!:;]+)(?=$|[\s\"»”)\]])")


def display_words(words: Sequence[Word], language: str | None = None) -> list[DisplayWord]:
    """`words` as displayed: Whisper's words joined where it put no space between them (and
    where the language's typography joins them), French spacing applied."""
    return [shown for shown, _, _ in display_spans(words, language)]


def display_spans(words: Sequence[Word], language: str | None = None) -> list[tuple[DisplayWord, int, int]]:
    """`display_words` with where each came from: (display word, index of its first word in
    `words`, index after its last), for whoever replaces the words behind a display word."""
    rules = typography(language)
    result: list[tuple[DisplayWord, int, int]] = []
    for index, word in enumerate(words):
        raw = word.text
        text = raw.strip()
        if not text:
            continue
        spaced = raw[:1].isspace()
        if result and _joins(result[-1][0].text, text, spaced, rules):
            previous, first, _ = result[-1]
            # A spaced "?" keeps its space in French (made a no-break one), loses it elsewhere.
            glue = " " if spaced and rules.space_before and text[0] in "?!:;" else ""
            previous.text = _french(previous.text + glue + text, rules)
            previous.end = max(previous.end, word.end)
            result[-1] = (previous, first, index + 1)
        else:
            result.append((DisplayWord(_french(text, rules), word.start, word.end, True), index, index + 1))
    return result


def _joins(before: str, text: str, spaced: bool, rules: Typography) -> bool:
    if not spaced:
        # No space from Whisper: the same word, unless a sentence ended and a new one begins.
        return not (_SEGMENT_END.search(before) and text[:1].isalpha() and not rules.is_abbreviation(before))
    if text[0] in rules.apostrophes and before[-1:].isalpha():
        return True  # " 'est" after "C"
    if rules.elision and before[-1:] in rules.apostrophes and len(before) > 1 and before[-2].isalpha() \
            and text[:1].isalpha():
        return True  # "l'" + " écran", "dell'" + " anno"
    if rules.clitics and text[:1] == "-" and before[-1:].isalpha() \
            and re.sub(r"[^\w-]+$", "", text.casefold()) in rules.clitics:
        return True  # "est" + " -ce"
    return _spaced_punctuation(text, rules)


def _spaced_punctuation(text: str, rules: Typography) -> bool:
    """A word that is only closing punctuation (" ?", " !", " ,", " %") belongs to the word
    before it (in French with a no-break space before ? ! : ;)."""
    return bool(re.fullmatch(r"[?!:;,.…%)\]»”]+[\"»”)\]]*", text))


def _french(text: str, rules: Typography) -> str:
    if not rules.space_before:
        return text
    return _DOUBLE_PUNCTUATION.sub(lambda m: rules.space_before + m.group(1), text)


def join_display(words: Sequence[DisplayWord]) -> str:
    return " ".join(w.text for w in words)


def join_words(words: Sequence[Word], language: str | None = None) -> str:
    """The text of `words` as Whisper wrote it (its spacing decides where words join); with
    `language`, set to that language's typography (French no-break spaces).  Every module
    that rebuilds text from word timestamps calls this."""
    return join_display(display_words(words, language))


_BREAKABLE = re.compile(r"[ \t\r\n\f\v]+")


def squeeze(text: str) -> str:
    """Runs of ordinary white space as one space, ends trimmed; no-break spaces (French
    `vrai\u00a0?`, `49\u00a0€`) are kept, where `" ".join(text.split())` would break them."""
    return _BREAKABLE.sub(" ", text).strip(" \t\r\n\f\v")


def breakable_split(text: str) -> list[str]:
    """`text.split()`, but only at ordinary white space (a no-break space joins)."""
    return [piece for piece in _BREAKABLE.split(text) if piece]


def normalize(text: str) -> str:
    """Case-folded, accents removed (but not Cyrillic й/ї, which are letters of their own;
    ё becomes е as Russian writers do), punctuation to spaces."""
    text = unicodedata.normalize("NFD", text.casefold())
    kept: list[str] = []
    for char in text:
        if unicodedata.category(char) == "Mn" and not (kept and kept[-1] in "иі" and char in "\u0306\u0308"):
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join(re.findall(r"\w+", text))
