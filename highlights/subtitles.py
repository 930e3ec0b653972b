"""Subtitles stage: cues built from word timestamps to broadcast rules (the files are
written by `subfiles`, with pysubs2).

The units placed are display words (`text.display_words`): Whisper's words joined where it
put no space (`C'est`, `celui-là`, `3.061.`) and the language's typography (French no-break
space before `? ! : ;`); a number and its unit or currency are then one unit too.  Lines and
cues break only between units, so nothing Whisper joined is ever split.

Rules (all in `SubtitleSettings`): at most `max_chars_per_line` characters per line and
`max_lines` lines, a cue lasts `min_duration`..`max_duration` seconds, reading speed aims
at `target_cps` and stays under `max_cps`, cues are `min_gap_frames` apart and never of
zero length.  Where a cue or a line breaks is chosen over the whole run of words (dynamic
programming, not first-fit): sentence ends and clause punctuation are good places, pauses
are better, a sentence end inside a cue of more than a line (or a one-line caption) is
costly, after a weak word of the language (its `[weak_words]` in the registry: articles,
prepositions, conjunctions) only when nothing else fits, and inside a product name is
avoided unless nothing else fits."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .config import SubtitleSettings
from .languages import currency_forms, currency_signs
from .records import Cue, Word

# Writing and reading subtitle files lives in `subfiles`; these names stay importable from here.
from .subfiles import FONT_FAMILY, to_ssafile, write_subtitles
from .text import SENTENCE_END, display_words
from .typography import Typography, typography

CLAUSE_END = re.compile(r"([,;:]|[–—-]{1,2})[\"')\]»”]*$")
_SIGN = "[" + re.escape("".join(sorted(currency_signs()))) + "]"
NUMBER = re.compile(rf"^[-+]?{_SIGN}?\d+(?:[.,\u00a0]\d+)*%?{_SIGN}?$")
THOUSANDS = re.compile(rf"^\d{{3}}(?:[.,]\d+)?{_SIGN}?[.,!?]?$")


def is_currency(word: str) -> bool:
    """A sign, code or written abbreviation of a currency in any language (`49 zł`, `USD 49`),
    from the registry's [currencies] tables."""
    return word.rstrip(".").casefold() in currency_forms()
# Words that open a new clause: breaking just before them reads naturally.  (The words a
# line must not END on are per language, in the registry: `typography.Typography.weak_words`.)
CLAUSE_OPENERS = frozenset("""
and but or so because which who when while then
и а но или что потому который когда пока тогда
і та але або що бо який коли поки тоді
y pero o porque que cuando mientras
e mas ou porque quando enquanto
et mais ou parce qui quand pendant
e ma o perché che quando mentre
i ale lub bo który kiedy gdy
""".split())

PAUSE_HARD = 1.5  # seconds of silence that always end a cue
LEAD_IN = 0.4  # a cue may appear this much before its first word when it needs the time to be read
MAX_DELAY = 0.5  # ... and this much after it, to give the cue before it time to be read
PAUSE_MATCHED = 0.25  # a pause this long in the original is kept in a translation's timing
GLUE = 100.0  # cost of breaking inside a protected name
WEAK = 200.0  # cost of ending a line or a cue on a weak word ("the", "de", "и"): only when nothing else fits


@dataclass
class CueWord:
    """A display word (`text.DisplayWord`: Whisper's words that join, a number with its unit)
    as the cue builder places it: lines and cues break only between these."""

    text: str
    start: float
    end: float
    glued_to_next: bool = False
    name: bool = False  # starts a catalog name: its capital says nothing about sentences
    after: float = 0.0  # what a cue or line break after this word costs
    ends: bool = False  # ends a sentence
    weak: bool = False  # a word of the language no line or cue ends on


def build_cues(words: list[Word], settings: SubtitleSettings, offset: float = 0.0, duration: float | None = None,
               keep_together: Iterable[str] = (), language: str | None = None) -> list[Cue]:
    """Cues for `words`, with times shifted by `-offset` (a clip's start); no cue outlasts
    `duration` (the clip's or the replay's length).  `keep_together` names phrases (product
    names, brands) that are not split across lines or cues when they fit.  `language` gives
    the typography and the weak words (`highlights/typography.py`)."""
    tokens = _prepare([CueWord(w.text, w.start - offset, w.end - offset) for w in display_words(words, language)],
                      keep_together, typography(language))
    cues = []
    runs = _runs(tokens)
    for index, run in enumerate(runs):
        following = runs[index + 1][0].start if index + 1 < len(runs) else (
            duration if duration is not None else float("inf"))
        for first, last in _segment(run, settings, following):
            part = run[first:last]
            cues.append(Cue(part[0].start, max(part[-1].end, part[0].start), _break_lines(part, settings)))
    return _retime(cues, settings, duration)


def _runs(tokens: list[CueWord]) -> list[list[CueWord]]:
    """Stretches of speech between long silences; no cue spans such a silence."""
    runs: list[list[CueWord]] = []
    for token in tokens:
        if runs and token.start - runs[-1][-1].end < PAUSE_HARD:
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


def _prepare(tokens: list[CueWord], keep_together: Iterable[str], rules: Typography) -> list[CueWord]:
    tokens = _with_units(tokens, rules)
    _glue(tokens, keep_together)
    for token in tokens:
        token.ends = bool(SENTENCE_END.search(token.text)) and not rules.is_abbreviation(token.text)
        token.weak = rules.is_weak(token.text)
    for left, right in zip(tokens, tokens[1:]):
        left.after = _break_cost(left, right)
    return tokens


def _with_units(tokens: list[CueWord], rules: Typography) -> list[CueWord]:
    """A number and its unit or currency made one word: no line or cue ever separates them
    ("49 dollars", "10 heures", "49 €", "$ 49", "1 299")."""
    result: list[CueWord] = []
    for token in tokens:
        if result and _number_and_unit(result[-1].text, token.text, rules):
            last = result[-1]
            last.text, last.end = f"{last.text} {token.text}", max(last.end, token.end)
        else:
            result.append(token)
    return result


def _number_and_unit(left: str, right: str, rules: Typography) -> bool:
    bare_right = right.rstrip(".,!?;:…\u00a0")
    if not left or SENTENCE_END.search(left) or CLAUSE_END.search(left):
        return False
    number = NUMBER.match(left.split()[-1])  # "49 dollars" may already hold a number and a unit
    if number and len(left.split()) == 1 and (is_currency(bare_right) or rules.is_unit(right)):
        return True  # "49 dollars", "10 hours", "49 €"
    if is_currency(left) and NUMBER.match(bare_right):
        return True  # "$ 49", "USD 49"
    return bool(number) and len(left.split()) == 1 and bool(THOUSANDS.match(right))  # "1 299"


def _glue(tokens: list[CueWord], keep_together: Iterable[str]) -> None:
    phrases: dict[str, list[list[str]]] = {}
    for phrase in keep_together:
        parts = [_bare(p) for p in phrase.split()]
        if parts and all(parts):
            phrases.setdefault(parts[0], []).append(parts)
    if not phrases:
        return
    bare = [_bare(t.text) for t in tokens]
    for index, first in enumerate(bare):
        for parts in phrases.get(first, ()):
            inside = tokens[index:index + len(parts) - 1]
            if bare[index:index + len(parts)] == parts and not any(SENTENCE_END.search(t.text) for t in inside):
                tokens[index].name = True
                for token in inside:
                    token.glued_to_next = True


def _bare(text: str) -> str:
    return re.sub(r"[^\w]+", "", text.casefold())


def _break_cost(left: CueWord, right: CueWord) -> float:
    """How bad it is to end a cue or a line between `left` and `right` (0 is ideal)."""
    if left.glued_to_next:
        return GLUE
    pause = max(0.0, right.start - left.end)
    bonus = min(4.0, pause * 8)
    if left.ends:
        return 0.0
    if CLAUSE_END.search(left.text):
        return max(0.0, 1.0 - bonus)
    if left.weak:
        return WEAK
    word = _bare(left.text)
    if len(word) <= 2 and word.isalpha() and left.text.islower():
        return max(2.0, 12.0 - bonus)
    if _bare(right.text) in CLAUSE_OPENERS or right.text[:1] in "–—-(«“\"":
        return max(0.5, 3.0 - bonus)
    # A capital after a lower-case word: most likely a sentence Whisper left unpunctuated.
    if (right.text[:1].isupper() and not right.name and not left.text[:1].isupper()
            and _bare(right.text) not in ("i", "im", "ill", "ive", "id")):
        return max(0.5, 2.0 - bonus)
    return max(1.0, 6.0 - bonus)


CUE_COST = 5.0  # each extra cue: keeps cues from being split for no reason
JOIN_COST = 40.0  # two sentences in a cue of more than a line: a sentence end ends a cue
SHORT_JOIN_COST = 3.0  # ... that fit on one line together
SILENCE_COST = 6.0  # per second of silence inside a cue (its words show up early)
ORPHAN_COST = 4.0  # a cue of a word or two that is not a sentence of its own
SPEED_COST = 1.0  # per character a second over the reading-speed target


def _segment(tokens: list[CueWord], s: SubtitleSettings, following: float = float("inf")) -> list[tuple[int, int]]:
    """Best cue boundaries for a run of tokens: (first, last) index pairs, last exclusive.
    `following` is when the next run of speech starts."""
    n = len(tokens)
    gap = s.min_gap_frames / s.frame_rate
    capacity = s.max_chars_per_line * s.max_lines
    best = [0.0] + [float("inf")] * n
    choice = [0] * (n + 1)
    for last in range(1, n + 1):
        chars, silence, joins = -1, 0.0, 0
        for first in range(last - 1, -1, -1):
            chars += len(tokens[first].text) + 1
            if first < last - 1:
                silence += max(0.0, tokens[first + 1].start - tokens[first].end - 0.3)
                joins += tokens[first].ends
            single = first == last - 1
            if not single and (chars > capacity or tokens[last - 1].end - tokens[first].start > s.max_duration):
                break
            cost = best[first] + CUE_COST + SILENCE_COST * silence
            # Text is shared out by time: a cue that would have to be read faster than the
            # target while another could take some of its words costs more.
            until = tokens[last].start if last < n else min(following, tokens[n - 1].end + s.max_duration)
            available = min(s.max_duration, until - gap - tokens[first].start)
            speed = chars / max(0.05, available)
            cost += SPEED_COST * max(0.0, speed - s.target_cps) + 10 * SPEED_COST * max(0.0, speed - s.max_cps)
            # Shorter than the minimum, it would push the next cue late.
            cost += 10 * max(0.0, s.min_duration - available)
            if not single and chars > s.max_chars_per_line:
                layout = _split_lines(tokens[first:last], s, text=False)[0]
                if layout >= OVERFLOW:
                    break  # more lines than allowed; more words will not fit either
                cost += layout
            # Short sentences may share a line ("Thank you. See you next week."); longer ones
            # each get a cue.
            # A one-line caption (vertical clips) is too narrow for that: its sentences end it.
            short = chars <= s.max_chars_per_line and s.max_lines > 1
            cost += joins * (SHORT_JOIN_COST if short else JOIN_COST)
            if last < n:
                cost += tokens[last - 1].after
            if chars < 12 and not (tokens[last - 1].ends and (first == 0 or tokens[first - 1].ends)):
                cost += ORPHAN_COST
            if cost < best[last]:
                best[last], choice[last] = cost, first
    bounds = []
    last = n
    while last > 0:
        bounds.append((choice[last], last))
        last = choice[last]
    return bounds[::-1]


def break_lines(text: str, settings: SubtitleSettings, language: str | None = None) -> list[str]:
    """Split a cue's text into at most `max_lines` balanced lines, breaking after punctuation
    where it can and never inside a number with its unit when it fits otherwise."""
    # Split at ordinary spaces only: a no-break space (French "prix\u00a0?") holds its words together.
    tokens = [CueWord(t, 0.0, 0.0) for t in re.split(r"[ \t\r\n]+", text.strip()) if t]
    return _break_lines(_prepare(tokens, (), typography(language)), settings)


def _break_lines(tokens: list[CueWord], s: SubtitleSettings) -> list[str]:
    return _split_lines(tokens, s)[1]


OVERFLOW = 1000.0  # per character over the line limit: only when nothing else fits


def _split_lines(tokens: list[CueWord], s: SubtitleSettings, text: bool = True) -> tuple[float, list[str]]:
    """The best way to lay `tokens` out in at most `max_lines` lines, and what it costs
    (`OVERFLOW` or more when they do not fit); without `text`, only the cost."""
    sizes = [len(t.text) for t in tokens]
    width = sum(sizes) + len(tokens) - 1
    if width <= s.max_chars_per_line or s.max_lines == 1 or len(tokens) == 1:
        return OVERFLOW * max(0, width - s.max_chars_per_line), [" ".join(t.text for t in tokens)] if text else []
    limit = s.max_chars_per_line
    best_cut, best_cost, best_lower = 0, float("inf"), None
    top, ends_top, ends_all = -1, 0, sum(t.ends for t in tokens[:-1])
    for cut in range(1, len(tokens)):
        top += sizes[cut - 1] + 1
        bottom = width - top - 1
        if top > limit and best_cut:
            break
        lower_cost, lower = 0.0, None
        if bottom > limit and s.max_lines > 2:
            lower_cost, lower = _split_lines(tokens[cut:], replace(s, max_lines=s.max_lines - 1))
            bottom = len(lower[0])
        overflow = max(0, top - limit) + (max(0, bottom - limit) if lower is None else 0)
        # A clean linguistic break first, then balanced lines (a very short line looks
        # stranded), the longer one at the bottom: what Netflix and the BBC ask for.  Two
        # sentences in one cue read best one per line.
        ends_top += tokens[cut - 1].ends
        mixed = ends_top - tokens[cut - 1].ends + (ends_all - ends_top if lower is None else 0)
        imbalance = abs(top - bottom)
        cost = (OVERFLOW * overflow + lower_cost + 8 * mixed + tokens[cut - 1].after + 0.1 * imbalance
                + 0.005 * imbalance ** 2 + 0.05 * max(0, top - bottom))
        if cost < best_cost:
            best_cut, best_cost, best_lower = cut, cost, lower
    if not text:
        return best_cost, []
    first = " ".join(t.text for t in tokens[:best_cut])
    return best_cost, [first, *(best_lower or [" ".join(t.text for t in tokens[best_cut:])])]


def _retime(cues: list[Cue], s: SubtitleSettings, duration: float | None) -> list[Cue]:
    """Give each cue time to be read: lengthen it towards the reading-speed target into the
    silence after it; when it needs more, start it a little early or let it push the next
    cue back a little, and keep the gap between cues; then pull the tail inside `duration`.

    A speaker faster than `max_cps` for longer than that slack can absorb keeps cues that
    read too fast (lint reports them): the alternative, pushing every later cue further and
    further from its words, would be worse."""
    # ASS keeps centiseconds: times are rounded to them, with this much to spare on every limit.
    margin = 0.012
    gap = s.min_gap_frames / s.frame_rate + margin
    spoken = [cue.start for cue in cues]

    def need(cue: Cue, hard: bool = False) -> float:
        shortest = s.min_duration + margin
        return min(s.max_duration, shortest if hard else max(shortest, _chars(cue) / s.max_cps + margin))

    for index, cue in enumerate(cues):
        previous_end = cues[index - 1].end if index else None
        following = cues[index + 1] if index + 1 < len(cues) else None
        earliest = 0.0 if previous_end is None else previous_end + gap
        start = max(cue.start, earliest)
        wanted = min(s.max_duration, max(s.min_duration, _chars(cue) / s.target_cps) + margin)
        upper = min(start + s.max_duration, following.start - gap if following else float("inf"))
        end = min(max(cue.end, start + wanted), upper)
        if end - start < need(cue):
            start = max(earliest, spoken[index] - LEAD_IN, min(start, end - need(cue)))
        if end - start < need(cue):
            if following is None:
                end = start + need(cue)
            else:
                # The next cue may start up to MAX_DELAY after its words for reading time,
                # and as late as it takes for the shortest duration.
                room = max(following.start, spoken[index + 1] + MAX_DELAY) - gap
                end = max(end, min(start + need(cue), room), start + need(cue, hard=True))
                if following.start < end + gap:
                    following.start = end + gap
                    following.end = max(following.end, following.start)
        cue.start, cue.end = start, end
    if duration is not None:
        limit = duration
        for cue in reversed(cues):
            if cue.end > limit:
                cue.end = limit
                cue.start = min(cue.start, max(0.0, cue.end - need(cue)))
            limit = cue.start - gap
        _share_tail(cues, spoken, s, duration, gap)
    for cue in cues:
        cue.start, cue.end = round(cue.start, 2), round(cue.end, 2)
        if cue.end <= cue.start:
            cue.end = round(cue.start + 0.01, 2)  # never a zero or negative duration
    return cues


def _share_tail(cues: list[Cue], spoken: list[float], s: SubtitleSettings, duration: float, gap: float) -> None:
    """Speech fast up to the very end of the media: pulling the cues inside `duration` one
    after another squeezes the earliest of them below the shortest duration (down to a 10 ms
    cue).  Then the cues that touch each other up to the end share that stretch instead: each
    keeps the time it had or needs (its length at `max_cps`, at least `min_duration`), what
    does not fit taken from the time beyond the need, and only when even the needs do not fit
    are they all scaled down alike; so every cue stays readable, in order."""
    shortest = s.min_duration + 0.012  # times are rounded to centiseconds later (ASS)
    if not cues or all(c.end - c.start >= shortest - 0.006 for c in cues):
        return
    first = len(cues) - 1
    while first > 0 and cues[first].start - cues[first - 1].end <= gap + 1e-3:
        first -= 1
    chain = cues[first:]
    begin = max(cues[first - 1].end + gap if first else 0.0, min(chain[0].start, spoken[first] - LEAD_IN), 0.0)
    room = duration - begin - gap * (len(chain) - 1)
    needs = [min(s.max_duration, max(shortest, _chars(c) / s.max_cps + 0.012)) for c in chain]
    if room <= 0:
        return
    shares = [max(c.end - c.start, need) for c, need in zip(chain, needs)]
    if sum(shares) > room:
        if sum(needs) >= room:
            shares = [need * room / sum(needs) for need in needs]
        else:
            spare = (room - sum(needs)) / sum(share - need for share, need in zip(shares, needs))
            shares = [need + (share - need) * spare for share, need in zip(shares, needs)]
    time = begin
    for cue, share in zip(chain, shares):
        cue.start, cue.end = time, time + share
        time = cue.end + gap


def _chars(cue: Cue) -> int:
    return sum(len(line) for line in cue.lines)


def vertical(settings: SubtitleSettings) -> SubtitleSettings:
    """The rules for a vertical (9:16) clip."""
    return replace(settings, max_lines=settings.vertical_max_lines,
                   max_chars_per_line=settings.vertical_max_chars_per_line)


def timed_words(text: str, spoken: list[Word], span: tuple[float, float] | None = None) -> list[Word]:
    """`text` (a translation of the words `spoken`) as words timed along the original speech:
    a word a third of the way into the translation is shown a third of the way into what was
    said, with the original's pauses kept in place.  `span` (start, end) moves and stretches
    it all to another stretch of time: a translation that runs longer than its original may
    take some of the silence after it."""
    pieces = [p for p in re.split(r"[ \t\r\n]+", text.strip()) if p]  # a no-break space holds
    if not pieces or not spoken:
        return []
    # The original as a line of text: each word's characters span its time, each space the
    # silence after it.  A translated word is placed at the same relative position, except
    # that each pause of the original is matched to the nearest space of the translation, so
    # the translation pauses where the speaker did instead of stretching a word over it.
    knots_x, knots_t, pauses, x = [], [], [], 0.0
    first, last = spoken[0].start, max(spoken[-1].end, spoken[0].start)
    begin, finish = span or (first, last)
    stretch = (finish - begin) / (last - first) if last > first else 0.0
    for index, word in enumerate(spoken):
        size = len(word.text.strip()) or 1
        knots_x += [x, x + size]
        knots_t += [begin + (word.start - first) * stretch, begin + (max(word.end, word.start) - first) * stretch]
        if index + 1 < len(spoken) and spoken[index + 1].start - word.end >= PAUSE_MATCHED:
            pauses.append(x + size)
        x += size + 1
    source_length = knots_x[-1]
    target_length = sum(len(p) for p in pieces) + len(pieces) - 1
    spaces, position = [], 0
    for piece in pieces[:-1]:
        position += len(piece)
        spaces.append(position)
        position += 1
    anchors = [(0.0, 0.0)]
    for pause in pauses:
        ideal = pause / source_length * target_length
        later = [space for space in spaces if space > anchors[-1][0]]
        if not later:
            break
        space = min(later, key=lambda candidate: abs(candidate - ideal))
        anchors += [(space, pause), (space + 1, pause + 1)]
    anchors.append((target_length, source_length))
    anchor_t, anchor_x = [a for a, _ in anchors], [b for _, b in anchors]

    def interpolate(point: float, xs: list[float], ys: list[float]) -> float:
        index = min(max(bisect.bisect_right(xs, point), 1), len(xs) - 1)
        x0, x1, y0, y1 = xs[index - 1], xs[index], ys[index - 1], ys[index]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (point - x0) / (x1 - x0)

    def time_at(position: float) -> float:
        return interpolate(interpolate(position, anchor_t, anchor_x), knots_x, knots_t)

    result, position = [], 0
    for piece in pieces:
        start, end = time_at(position), time_at(position + len(piece))
        result.append(Word(round(start, 3), round(max(end, start), 3), " " + piece))
        position += len(piece) + 1
    return result


__all__ = ["FONT_FAMILY", "CueWord", "break_lines", "build_cues", "timed_words", "to_ssafile", "vertical",
           "write_subtitles"]
