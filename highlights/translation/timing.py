"""Time for translated text: the transcript cut into sentences to translate (with the
text splitter every module shares, `highlights.text.sentences`), and each translated
sentence spread over the time its original took."""

from __future__ import annotations

from ..records import Sentence, Transcript, Word
from ..subtitles import timed_words
from ..text import SENTENCE_END, join_words
from ..text import sentences as split_sentences

MAX_UNIT_WORDS = 50  # longer "sentences" (a speaker who never stops) are cut at a clause


def translation_units(transcript: Transcript | list[Word]) -> list[Sentence]:
    """Sentences to translate one by one, each with the words (and times) it covers."""
    units: list[Sentence] = []
    for sentence in split_sentences(transcript):
        units += _cut(sentence.words)
    return units


def _cut(words: list[Word]) -> list[Sentence]:
    if len(words) <= MAX_UNIT_WORDS:
        return [Sentence(words[0].start, words[-1].end, join_words(words), list(words))]
    middle = len(words) / 2

    def score(index: int) -> float:  # clause punctuation or a pause near the middle
        text = words[index].text.strip()
        pause = words[index + 1].start - words[index].end
        good = (3 if SENTENCE_END.search(text) else 2 if text[-1:] in ",;:" else 0) + min(2.0, pause * 4)
        return good - abs(index + 1 - middle) / len(words) * 4

    cut = max(range(len(words) - 1), key=score) + 1
    return _cut(words[:cut]) + _cut(words[cut:])


def timed_translation(units: list[Sentence], texts: list[str], duration: float, target_cps: float = 17.0
                      ) -> list[Word]:
    """The translated sentences as timed words, each over the time its original took.

    Translations run about a fifth longer than what was said.  A translation that needs more
    time to be read (at `target_cps`) than its original took also takes the silence after
    it, and then, up to `BORROWED_TIME` seconds, time the next sentence's translation can
    spare: it is shown a little late rather than too fast.  Never more, so subtitles stay
    with the speech."""
    spans = []
    for index, unit in enumerate(units):
        following = units[index + 1].start if index + 1 < len(units) else duration
        spans.append([unit.start, max(unit.end, following - NEXT_SENTENCE_CLEARANCE)])
    for index in range(len(units) - 1):
        need = len(texts[index]) / target_cps
        lacking = need - (spans[index][1] - spans[index][0])
        spare = (spans[index + 1][1] - spans[index + 1][0]) - len(texts[index + 1]) / target_cps
        shift = min(lacking, spare, BORROWED_TIME)
        if shift > 0:
            spans[index][1] += shift
            spans[index + 1][0] += shift
    words: list[Word] = []
    for unit, text, (begin, end) in zip(units, texts, spans):
        # Not over the silence unless the text needs it: subtitles follow the voice.
        end = min(end, max(unit.end + (begin - unit.start), begin + len(text) / target_cps))
        words += timed_words(text, unit.words, span=(begin, max(end, begin)))
    return words


BORROWED_TIME = 1.5
NEXT_SENTENCE_CLEARANCE = 0.2
