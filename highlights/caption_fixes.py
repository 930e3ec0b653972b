"""A reviewer's corrections of a clip's caption text (`captions` in decisions.json), applied
to the words said in that clip.

    "captions": [{"from": "Aurora Pro", "to": "Aurora Pro X"},
                 {"from": "tracks", "to": "counts", "language": "en"}]

A correction is matched on display words (`text.display_spans`: Whisper's pieces joined as
the captions show them, the language's typography applied), whole words only, ignoring case
and the punctuation around words: `from: "aurora pro"` finds "Aurora Pro," at a sentence's
start.  The words matched are replaced by the words of `to` (none: the words go); the
punctuation around the matched words stays unless `to` brings its own, a capital the
sentence gave the first word is kept, and the time the matched words took is spread over
the new words by their length.  A correction without `language` applies to every language
of the clip where its words appear (a misheard product name usually survives translation);
with one, only to that language's words.

Everything here is pure: the clips, subtitles and social stages call `fix_words` on the words
they derive a clip's text from; the replay's own transcript is never changed."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from .records import CaptionFix, Word
from .text import breakable_split, display_spans, display_words, squeeze
from .typography import word_edges

MAX_FIXES = 50  # per clip
MAX_FIX_TEXT = 200  # characters of `from` or `to`
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


def fold(text: str) -> str:
    """A word as corrections compare it: NFC, case-folded, one apostrophe."""
    return unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)


def fix_tokens(text: str, language: str | None = None) -> list[str]:
    """The display words of `text` (as the captions would set it in `language`), folded and
    without the punctuation around them; words that are only punctuation are left out."""
    plain = squeeze(text.replace("\u00a0", " ").replace("\u202f", " "))
    shown = display_words([Word(0.0, 0.0, " " + piece) for piece in plain.split(" ") if piece], language)
    return [folded for folded in (fold(word_edges(d.text)[1]) for d in shown) if folded]


def applies(fix: CaptionFix, language: str | None) -> bool:
    return fix.language is None or fix.language == language


def fix_words(words: Sequence[Word], fixes: Sequence[CaptionFix], language: str | None, start: float,
              end: float) -> list[Word]:
    """`words` (one language's, in time order) with the `fixes` for `language` applied to the
    words said in [start, end] (every word that overlaps it), in order, each to every place
    its words appear; words outside, and words when no fix applies, are the same objects."""
    chosen = [fix for fix in fixes if applies(fix, language)]
    inside = [i for i, w in enumerate(words) if w.end > start and w.start < end] if chosen else []
    if not inside:
        return list(words)
    first, last = inside[0], inside[-1] + 1
    span = list(words[first:last])
    for fix in chosen:
        span = _apply(span, fix, language)
    return [*words[:first], *span, *words[last:]]


def _apply(words: list[Word], fix: CaptionFix, language: str | None) -> list[Word]:
    target = fix_tokens(fix.from_, language)
    if not target:
        return words
    spans = display_spans(words, language)
    cores = [fold(word_edges(shown.text)[1]) for shown, _, _ in spans]
    result: list[Word] = []
    position = group = 0
    count = len(target)
    while group + count <= len(spans):
        if cores[group:group + count] != target:
            group += 1
            continue
        begin, stop = spans[group][1], spans[group + count - 1][2]
        result.extend(words[position:begin])
        new = _replacement(words[begin:stop], spans[group][0].text, spans[group + count - 1][0].text, fix)
        result.extend(new)
        position, group = stop, group + count
        if not new and position < len(words) and not words[position].text[:1].isspace():
            # The words went: the next one must not join the word before them.
            words = list(words)
            words[position] = replace(words[position], text=" " + words[position].text)
    result.extend(words[position:])
    return result


def _replacement(said: list[Word], first_shown: str, last_shown: str, fix: CaptionFix) -> list[Word]:
    """The words of `fix.to` in place of `said` (whose first and last display words are
    `first_shown` and `last_shown`), over the time `said` took."""
    tokens = breakable_split(squeeze(fix.to))
    if not tokens:
        return []
    before, first_core, _ = word_edges(first_shown)
    after = word_edges(last_shown)[2]
    written = next((core for core in (word_edges(piece)[1] for piece in breakable_split(fix.from_)) if core), "")
    head = word_edges(tokens[0])
    # "aurora pro" written, "Aurora Pro" said at a sentence's start: the capital stays.
    if first_core[:1].isupper() and written[:1].islower() and head[1][:1].islower():
        tokens[0] = head[0] + head[1][:1].upper() + head[1][1:] + head[2]
    if before and not word_edges(tokens[0])[0]:
        tokens[0] = before + tokens[0]
    if after and not word_edges(tokens[-1])[2]:
        tokens[-1] += after
    begin, finish = said[0].start, max(w.end for w in said)
    weights = [max(len(word_edges(t)[1]), 1) for t in tokens]
    total, spent = sum(weights), 0
    probability = min(w.probability for w in said)
    lead = " " if said[0].text[:1].isspace() else ""
    new = []
    for index, (token, weight) in enumerate(zip(tokens, weights, strict=True)):
        at = begin + (finish - begin) * spent / total
        spent += weight
        until = begin + (finish - begin) * spent / total
        new.append(Word(round(at, 3), round(until, 3), (lead if index == 0 else " ") + token, probability))
    return new
