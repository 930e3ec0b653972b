"""Highlight selection: from product mentions to the clips worth cutting.

A presentation is the run of sentences about one product.  It starts from the sentences
that name it (mentions of the product close together, with no other product named between)
and grows over the sentences around them that still talk about it.  In a live stream the
host rarely pauses between topics and the camera does not cut at them, so the end of a
presentation is found from the words (lexical cohesion, as in TextTiling): a following
sentence still belongs to it when it shares content words with what was said about the
product, carries a sales cue (price, code, call to action), or starts by referring back to
it ("it", "они", "ta"); it ends where another product is named or called by its link number,
where chatter begins (greetings, weather, thanks), or after a few sentences that do none of
this.  Only words rare in the language tie sentences together (wordfreq), and the words said
about a product in any of its presentations, and about no other, count in all of them: hosts
repeat a pitch in other words and describe an item again without naming it.  Presentations of
one product that grow to meet are one, and a long one keeps its best `max_clip` stretch.

Clip edges sit on sentence boundaries (never inside a word), may stretch into a stretch
where nothing was transcribed to reach the minimum length, and move onto a scene cut when
one is close enough; they never take in talk about something else to reach `min_clip`.
Presentations are scored by how surely they name the product and by their sales cues, and
ranked by that and by how much they describe it.  Coverage comes before depth: every
product's best presentation that does not overlap a chosen clip is kept before any product
gets a second clip, and a second clip of a product is kept only when it shows something else
(its words are not a near copy of a kept clip's and add enough of their own: hosts repeat the
same pitch for viewers who just arrived).  A presentation squeezed between two others keeps
its short clip, with the reason."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .config import SelectionSettings
from .cues import CUE_KINDS, WEIGHTS, SalesCue, find_cues
from .lexicon import Lexicon, find_phrases, load_lexicon
from .mentions import SURE
from .records import Highlight, Mention, Product, Transcript, Word
from .stemming import Token, stemmer, tokenize, tokenize_text, word_zipf
from .units import speech_units

EDGE_MARGIN = 0.05  # seconds kept clear of a neighbouring word when an edge stretches
COMMON_SHARE = 0.2  # a word in more than this share of sentences carries no topic
# Nor does a word this common in the language (wordfreq's Zipf scale, by its lemma: "week"
# 5.6, "principio" 5.1, "acabar" 4.6), unless a product's name holds it; "sunscreen" 3.3,
# "montura" 3.1 and "bottle" 4.6 do tie sentences to a product.
TOPIC_ZIPF = 4.6
# Two clips of one product whose content words overlap this much (rapidfuzz token set ratio,
# 0-100) show the same thing: the repeated pitch. Measured on the live_* fixtures: a pitch
# repeated with its sentences reordered, misheard differently and with chat around it scores
# 45-95 against its first time.
NEAR_COPY = 50.0
NEW_WORDS = 6  # content words a second clip of a product must add to be worth a clip
# Naming counts up to this much of a score: a product called by its link number eight times
# is not a better pitch than one named three times with a price and a code.
NAMES_CAP = 3.0
# Sentences in a row that share no words with a presentation and still belong to it, when
# one about the product follows: a description runs on without naming anything.
GAP_SENTENCES = 2
TAIL_SENTENCE = 3.5  # seconds: a remark that closes a pitch, not a new topic
TAIL_GAP = 0.6  # seconds of pause before it, at most
STRETCH_WORD = 0.05  # what a distinct content word adds to a stretch (20 say as much as a price)


@dataclass
class _Unit:
    """A sentence (refined: see `speech_units`) and what it says."""

    first: int  # word indices, inclusive
    last: int
    start: float
    end: float
    stems: set[str] = field(default_factory=set)  # content words
    all_stems: set[str] = field(default_factory=set)  # every content word, common ones too
    cues: list[SalesCue] = field(default_factory=list)
    chatter: bool = False
    intro: bool = False
    refers: bool = False
    calls_link: bool = False  # "link numero ..." : a product called by its number (which, heard or not)
    named: dict[str, float] = field(default_factory=dict)  # product -> surest mention in it


@dataclass
class _Presentation:
    product: str
    first: int  # unit indices, inclusive
    last: int
    named_last: int  # the last unit that names the product surely
    vocabulary: set[str] = field(default_factory=set)  # the content words that tie sentences to it
    evidence: float = 0.0  # naming and sales cues, against `min_score`
    score: float = 0.0  # evidence and what it describes: the better of two presentations
    reasons: list[str] = field(default_factory=list)


def select_highlights(
    transcript: Transcript,
    mentions: list[Mention],
    products: list[Product],
    scene_cuts: list[float],
    settings: SelectionSettings,
) -> list[Highlight]:
    words = transcript.words
    if not words or not mentions or settings.max_clips == 0:
        return []
    language = transcript.language
    lexicon = load_lexicon(language)
    tokens = tokenize(words, language)
    codes = _code_words(products, language, lexicon)
    names = {p.id: p.name for p in products}
    name_stems = set().union(*(_product_words(name, language) for name in names.values()))
    units = _units(words, tokens, find_cues(words, language, tokens, codes), mentions, lexicon, language, name_stems)
    presentations = _presentations(units, mentions, settings)
    owner: list[int | None] = [None] * len(units)
    for number, p in enumerate(presentations):
        for index in range(p.first, p.last + 1):
            owner[index] = number if owner[index] is None else owner[index]
        p.vocabulary = _product_words(names.get(p.product, ""), language) | _topic_words(units, p.first, p.last)
    for number, p in enumerate(presentations):
        _extend_forward(p, number, units, owner, settings)
    for number, p in enumerate(presentations):
        _extend_backward(p, number, units, owner, settings)
    # Hosts repeat a pitch in other words, and describe an item again without naming it: the
    # words said about a product anywhere in the replay (and about no other) tie sentences to
    # each of its presentations, in a second pass.
    for p, words_of in zip(presentations, _own_words(presentations, units)):
        p.vocabulary |= words_of
    for number, p in enumerate(presentations):
        _extend_forward(p, number, units, owner, settings)
        _extend_backward(p, number, units, owner, settings)
    presentations, owner = _joined(presentations, units, owner, settings)
    duration = max(transcript.duration, words[-1].end)
    for number, p in enumerate(presentations):
        _fit_length(p, number, units, owner, duration, settings)
    for p in presentations:
        _score(p, units, words, mentions, names)
    ranked = [p for p in sorted(presentations, key=lambda p: (-p.score, units[p.first].start))
              if p.evidence >= settings.min_score]
    chosen: list[Highlight] = []
    kept: list[tuple[_Presentation, Highlight, str]] = []  # with the clip's content words
    covered: set[str] = set()
    # Coverage before depth: each product's best clip first, then second clips.
    for second in (False, True):
        for p in ranked:
            if len(chosen) == settings.max_clips or any(p is q for q, _h, _w in kept) \
                    or (p.product in covered) != second:
                continue
            start, end = _edges(p, units, words, scene_cuts, duration, settings)
            start, end = _clear_of(start, end, units[p.first].start, units[p.last].end, chosen)
            if any(start < h.end and h.start < end for h in chosen):
                continue
            said = _content(units, p)
            if second and _same_pitch(said, [other for q, _h, other in kept if q.product == p.product]):
                continue  # the same pitch again
            reasons = list(p.reasons)
            if end - start < settings.min_clip - 0.01:
                reasons.append(_short_reason(p, units, presentations))
            highlight = Highlight(start=round(start, 3), end=round(end, 3), products=[p.product],
                                  score=round(p.score, 2), reasons=reasons)
            chosen.append(highlight)
            kept.append((p, highlight, said))
            covered.add(p.product)
    return sorted(chosen, key=lambda h: h.start)


def _same_pitch(said: str, kept: list[str]) -> bool:
    """A second clip of a product shows the same thing as one kept when their content words
    overlap (NEAR_COPY), or when it adds fewer than NEW_WORDS words to theirs: a short
    stretch compares badly, and a clip that says nothing new is a copy however it scores."""
    new = set(said.split()) - set().union(*(set(other.split()) for other in kept))
    return len(new) < NEW_WORDS or any(fuzz.token_set_ratio(said, other) >= NEAR_COPY for other in kept)


def _clear_of(start: float, end: float, first_word: float, last_word: float,
              chosen: list[Highlight]) -> tuple[float, float]:
    """Edges moved off a chosen clip when only the air around the words overlaps it (in a fast
    sequence the padding of two neighbours meets); a clip whose words overlap stays as it is."""
    for h in chosen:
        if start < h.end and h.start < end and not (first_word < h.end and h.start < last_word):
            if h.end <= first_word:
                start = max(start, h.end)
            else:
                end = min(end, h.start)
    return start, end


def _code_words(products: list[Product], language: str, lexicon: Lexicon) -> frozenset[str]:
    """Words of the catalog's names that may be a promo code said alone ("code AURORA")."""
    return frozenset(t.text for p in products for name in p.names for t in tokenize_text(name, language)
                     if t.kind == "word" and len(t.text) >= 3 and t.text not in lexicon.stopwords)


def _content(units: list[_Unit], p: _Presentation) -> str:
    """The presentation's content words (stems), to compare two clips of one product."""
    return " ".join(sorted(_said(units, p)))


def _short_reason(p: _Presentation, units: list[_Unit], presentations: list[_Presentation]) -> str:
    """Why a clip is shorter than `min_clip`: the product next to it."""
    after = [q for q in presentations if q is not p and q.first > p.last]
    before = [q for q in presentations if q is not p and q.last < p.first]
    if p.last + 1 < len(units) and units[p.last + 1].chatter:
        return f"short: chatter starts at {_clock(units[p.last + 1].start)}"
    if after:
        return f"short: the next product starts at {_clock(units[min(q.first for q in after)].start)}"
    if before:
        return f"short: the previous product ends at {_clock(units[max(q.last for q in before)].end)}"
    return "short: nothing more is said about it"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- what each sentence says ----------------------------------------------------------------


def _units(words, tokens: list[Token], cues: list[SalesCue], mentions: list[Mention], lexicon: Lexicon,
           language: str, name_stems: set[str]) -> list[_Unit]:
    stem = stemmer(language)
    units = [_Unit(first, last, words[first].start, words[last].end)
             for first, last in speech_units(words, language, tokens)]
    starts = [u.start for u in units]

    def unit_at(time: float) -> int:
        return max(0, bisect.bisect_right(starts, time + 1e-6) - 1)

    by_unit: list[list[Token]] = [[] for _ in units]
    word_unit = [0] * len(words)
    for number, unit in enumerate(units):
        for index in range(unit.first, unit.last + 1):
            word_unit[index] = number
    for token in tokens:
        by_unit[word_unit[token.first]].append(token)
    for unit, own in zip(units, by_unit):
        texts, kinds = [t.text for t in own], [t.kind for t in own]
        content = [(t.text, stem(t.text)) for t in own
                   if t.kind == "word" and len(t.text) >= 3 and t.text not in lexicon.stopwords]
        unit.all_stems = {stemmed for _text, stemmed in content}
        unit.stems = {stemmed for text, stemmed in content
                      if word_zipf(text, language) <= TOPIC_ZIPF or stemmed in name_stems}
        unit.chatter = bool(find_phrases(texts, kinds, lexicon.chatter))
        unit.intro = any(start <= 1 for start, _end, _p in find_phrases(texts, kinds, lexicon.intro))
        unit.refers = bool(own) and (texts[0] in lexicon.refer or " ".join(texts[:2]) in lexicon.refer)
        unit.calls_link = bool(find_phrases(texts, kinds, lexicon.link_calls))
    for cue in cues:
        units[unit_at(cue.start)].cues.append(cue)
    for mention in mentions:
        unit = units[unit_at(mention.start)]
        unit.named[mention.product] = max(unit.named.get(mention.product, 0.0), mention.confidence)
    # Words said all through the replay ("today", the host's pet words) tie nothing together.
    counts: dict[str, int] = {}
    for unit in units:
        for s in unit.stems:
            counts[s] = counts.get(s, 0) + 1
    common = {s for s, c in counts.items() if c > max(2, COMMON_SHARE * len(units))}
    for unit in units:
        unit.stems -= common
    return units


def _product_words(name: str, language: str) -> set[str]:
    stem = stemmer(language)
    return {stem(t.text) for t in tokenize_text(name, language) if t.kind == "word"}


def _topic_words(units: list[_Unit], first: int, last: int) -> set[str]:
    return set().union(*(units[i].stems for i in range(first, last + 1)))


def _names_other(unit: _Unit, product: str) -> bool:
    return any(p != product and c >= SURE for p, c in unit.named.items())


# --- presentations --------------------------------------------------------------------------


def _presentations(units: list[_Unit], mentions: list[Mention], settings: SelectionSettings) -> list[_Presentation]:
    """Sure mentions of one product, close together with no other product named between,
    and the sentences from the first to the last of them."""
    starts = [u.start for u in units]
    groups: list[_Presentation] = []
    open_groups: dict[str, tuple[_Presentation, float]] = {}
    for mention in sorted((m for m in mentions if m.confidence >= SURE), key=lambda m: m.start):
        index = max(0, bisect.bisect_right(starts, mention.start + 1e-6) - 1)
        current = open_groups.get(mention.product)
        if current:
            group, last_time = current
            between = range(group.named_last + 1, index)
            if mention.start - last_time <= settings.merge_gap and \
                    not any(_names_other(units[i], mention.product) for i in between):
                group.last = group.named_last = max(group.named_last, index)
                open_groups[mention.product] = (group, mention.end)
                continue
        group = _Presentation(mention.product, index, index, index)
        groups.append(group)
        open_groups[mention.product] = (group, mention.end)
    groups.sort(key=lambda g: g.first)
    # Two presentations of one product with nothing else presented between them, close
    # enough to fit in one clip, are one presentation with a digression; not across chatter
    # (greetings, the host's family): a clip is not half small talk.
    merged: list[_Presentation] = []
    for group in groups:
        previous = merged[-1] if merged else None
        if previous and previous.product == group.product \
                and units[group.last].end - units[previous.first].start <= settings.max_clip \
                and not any(units[i].chatter for i in range(previous.last + 1, group.first)):
            previous.last = previous.named_last = group.last
            continue
        merged.append(group)
    return merged


def _joined(presentations: list[_Presentation], units: list[_Unit], owner: list[int | None],
            settings: SelectionSettings) -> tuple[list[_Presentation], list[int | None]]:
    """Presentations of one product that have grown to meet, or that only talk nobody else's
    (no chatter, no other product named or called) shorter than `trail` keeps apart, are
    one: a product described for minutes in words said once, named now and then (its best
    `max_clip` stretch is cut later)."""
    def between(p: _Presentation, q: _Presentation) -> bool:
        gap = range(p.last + 1, q.first)
        return (not gap or units[q.first].start - units[p.last].end <= settings.trail) and all(
            owner[i] is None and not units[i].chatter and not units[i].calls_link
            and not _names_other(units[i], p.product) for i in gap)

    joined: list[_Presentation] = []
    for p in sorted(presentations, key=lambda p: p.first):
        previous = joined[-1] if joined else None
        if previous and previous.product == p.product and between(previous, p):
            previous.last, previous.named_last = max(previous.last, p.last), max(previous.named_last, p.named_last)
            previous.vocabulary |= p.vocabulary
            continue
        joined.append(p)
    owner = [None] * len(units)
    for number, p in enumerate(joined):
        for index in range(p.first, p.last + 1):
            owner[index] = number if owner[index] is None else owner[index]
    return joined, owner


def _own_words(presentations: list[_Presentation], units: list[_Unit]) -> list[set[str]]:
    """For each presentation, the content words said in its product's presentations and in no
    other product's."""
    said: dict[str, set[str]] = {}
    for p in presentations:
        said.setdefault(p.product, set()).update(_topic_words(units, p.first, p.last))
    counts: dict[str, int] = {}
    for stems in said.values():
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
    return [{s for s in said[p.product] if counts[s] == 1} for p in presentations]


def _said(units: list[_Unit], p: _Presentation) -> set[str]:
    """Every content word of the presentation (common ones too)."""
    return set().union(*(units[i].all_stems for i in range(p.first, p.last + 1)))


def _calls_another(unit: _Unit, product: str) -> bool:
    """The sentence calls an item by its link number, and not this one: the next item."""
    return unit.calls_link and product not in unit.named


def _free(index: int, units, owner, product: str) -> bool:
    return 0 <= index < len(units) and owner[index] is None and not _names_other(units[index], product)


def _about(p: _Presentation, unit: _Unit, refers: bool = True, cues: bool = True) -> bool:
    """Does this sentence still talk about the product? (`refers`: may a sentence that starts
    by referring back ("it", "они") count, as it does right after one about the product;
    `cues`: may a price or a call to action alone.)"""
    return (cues and bool(unit.cues)) or (refers and unit.refers) or p.product in unit.named \
        or bool(unit.stems & p.vocabulary)


def _extend_forward(p: _Presentation, number: int, units, owner, settings: SelectionSettings) -> None:
    # `trail` counts from the last sentence that names the product or shares its words: a
    # product described for minutes is not named in every sentence.
    named_end = units[p.named_last].end

    def fits(index: int) -> bool:
        unit = units[index]
        return (_free(index, units, owner, p.product) and not (unit.chatter and not unit.cues)
                and not _calls_another(unit, p.product)
                and unit.end - named_end <= settings.trail)

    def take(index: int) -> None:
        nonlocal named_end
        if _about(p, units[index], refers=False, cues=False):
            named_end = units[index].end
        _take(p, number, owner, units, index)

    index = p.last + 1
    while index < len(units) and fits(index):
        if _about(p, units[index]):
            take(index)
            index += 1
            continue
        # Up to GAP_SENTENCES that share no words ("pulse and sleep", "the battery lasts a
        # week"), when a sentence about the product follows them.
        # ("It" after a sentence about something else refers to that, not to the product.)
        ahead = next((j for j in range(index + 1, min(index + 1 + GAP_SENTENCES, len(units)))
                      if not fits(j) or _about(p, units[j], refers=False)), None)
        if ahead is None or not fits(ahead):
            # A pitch often ends on a short remark the ASR garbles ("add them to the cart"):
            # one short sentence right after it goes with it.
            unit = units[index]
            if unit.end - unit.start <= TAIL_SENTENCE and unit.start - units[p.last].end <= TAIL_GAP:
                _take(p, number, owner, units, index, learn=False)
            break
        for j in range(index, ahead):
            _take(p, number, owner, units, j, learn=False)
        take(ahead)
        index = ahead + 1


def _extend_backward(p: _Presentation, number: int, units, owner, settings: SelectionSettings) -> None:
    """An introduction just before the first name ("Next up, something for your desk."), and
    what is said about the product before it is named again ("It burns for forty hours" after
    "let me show you everything again"): sentences sharing its words reach further back than
    `lead`, and one sentence that shares nothing is crossed when the one before it does."""
    anchor = units[p.first].start  # the lead counts from the earliest sentence surely about it

    def about(index: int) -> bool:
        return _about(p, units[index], refers=False, cues=False)

    def usable(index: int) -> bool:
        return index >= 0 and _free(index, units, owner, p.product) and not units[index].chatter

    index = p.first - 1
    while usable(index):
        unit = units[index]
        if about(index):
            _take(p, number, owner, units, index)
            anchor = unit.start
            index -= 1
        elif anchor - unit.start <= settings.lead and (unit.intro or unit.cues or unit.calls_link):
            _take(p, number, owner, units, index)
            index -= 1
        elif usable(index - 1) and about(index - 1) and anchor - units[index - 1].start <= settings.trail:
            _take(p, number, owner, units, index, learn=False)
            _take(p, number, owner, units, index - 1)
            anchor = units[index - 1].start
            index -= 2
        else:
            break


def _take(p: _Presentation, number: int, owner, units, index: int, learn: bool = True) -> None:
    owner[index] = number
    p.first, p.last = min(p.first, index), max(p.last, index)
    if learn:
        p.vocabulary |= units[index].stems


def _fit_length(p: _Presentation, number: int, units, owner, duration: float, settings: SelectionSettings) -> None:
    """Reach the minimum length (first through untranscribed time around the edges, then
    through neighbouring sentences that belong to no presentation and are not chatter); a
    longer one keeps its best `max_clip` stretch (`_best_stretch`)."""
    while _room(p, units, duration) < settings.min_clip:
        options = []
        for index, after in ((p.last + 1, True), (p.first - 1, False)):
            # Only talk about the product: one said in ten seconds keeps a short clip rather
            # than one that is half another topic (the reason says why it is short).
            if _free(index, units, owner, p.product) and not units[index].chatter and _about(p, units[index]) \
                    and not _calls_another(units[index], p.product):
                span = max(units[p.last].end, units[index].end) - min(units[p.first].start, units[index].start)
                if span <= settings.max_clip:
                    options.append((not after, index))
        if not options:
            break
        _take(p, number, owner, units, min(options)[1], learn=False)
    if units[p.last].end - units[p.first].start > settings.max_clip and p.last > p.first:
        first, last = _best_stretch(p, units, settings.max_clip)
        for index in (*range(p.first, first), *range(last + 1, p.last + 1)):
            owner[index] = None
        p.first, p.last = first, last


def _best_stretch(p: _Presentation, units, max_clip: float) -> tuple[int, int]:
    """The `max_clip`-long run of sentences of a long presentation that says the most: its
    introduction (the sentence that first names it), what it is (distinct content words),
    price, offer and call to action (each kind once), and the name said surely (up to
    NAMES_CAP); not simply its first minute. The earliest of equals."""
    best, chosen = -1.0, (p.first, p.first)
    introduced = next((i for i in range(p.first, p.last + 1) if units[i].named.get(p.product, 0.0) >= SURE), p.first)
    for first in range(p.first, p.last + 1):
        last = first
        while last + 1 <= p.last and units[last + 1].end - units[first].start <= max_clip:
            last += 1
        run = units[first:last + 1]
        kinds = {cue.kind for unit in run for cue in unit.cues}
        naming = min(NAMES_CAP, sum(unit.named.get(p.product, 0.0) for unit in run))
        intro = 1.0 if first <= introduced <= last else 0.0
        points = STRETCH_WORD * len(set().union(*(unit.stems for unit in run)))
        value = naming + intro + sum(WEIGHTS[kind] for kind in kinds) + points
        if value > best + 1e-9:
            best, chosen = value, (first, last)
        if last == p.last:
            break
    return chosen


def _room(p: _Presentation, units, duration: float) -> float:
    """The longest the clip can be without taking in another sentence."""
    before = units[p.first - 1].end + EDGE_MARGIN if p.first > 0 else 0.0
    after = units[p.last + 1].start - EDGE_MARGIN if p.last + 1 < len(units) else duration
    return after - before


# --- score, reasons and edges ---------------------------------------------------------------


def _score(p: _Presentation, units, words, mentions: list[Mention], names: dict[str, str]) -> None:
    start, end = units[p.first].start, units[p.last].end
    own = [m for m in mentions if m.product == p.product and start <= m.start <= end]
    if not any(m.confidence >= SURE for m in own):
        p.evidence = p.score = 0.0
        return
    best: dict[str, SalesCue] = {}
    for index in range(p.first, p.last + 1):
        for cue in units[index].cues:
            if cue.kind not in best or (cue.value and not best[cue.kind].value):
                best[cue.kind] = cue
    p.evidence = min(NAMES_CAP, sum(m.confidence for m in own)) + sum(WEIGHTS[kind] for kind in best)
    # What it says ranks it too: of two presentations of one product with the same cues, the
    # one that describes it (more distinct content words) is the better clip.  That is no
    # evidence that a product is presented at all (`min_score` is against `evidence`).
    p.score = p.evidence + STRETCH_WORD * len(_said(units, p))
    p.reasons = [f"names {names.get(p.product, p.product)} {len(own)}x"]
    p.reasons += [best[kind].reason for kind in CUE_KINDS if kind in best]


def _edges(p: _Presentation, units, words: list[Word], scene_cuts: list[float], duration: float,
           settings: SelectionSettings) -> tuple[float, float]:
    first_word, last_word = words[units[p.first].first], words[units[p.last].last]
    previous_end = units[p.first - 1].end if p.first > 0 else 0.0
    next_start = units[p.last + 1].start if p.last + 1 < len(units) else duration
    start = max(previous_end, first_word.start - settings.pad, 0.0)
    end = min(next_start, last_word.end + settings.pad, duration)
    short = settings.min_clip - (end - start)
    if short > 0:  # stretch into time nobody was heard in, after the end first
        later = max(0.0, min(short, next_start - EDGE_MARGIN - end if p.last + 1 < len(units) else duration - end))
        end += later
        start -= max(0.0, min(short - later, start - (previous_end + EDGE_MARGIN if p.first > 0 else 0.0)))
    if end - start > settings.max_clip:
        end = max(last_word.end, start + settings.max_clip) if last_word.end - start <= settings.max_clip else end
    # A long stretch with no words (music, or speech the ASR missed) runs, as far as we can
    # tell, until the picture changes: both edges beside it go to the last cut inside it.
    cuts_after = [c for c in scene_cuts if last_word.end < c < next_start and c - start <= settings.max_clip]
    if next_start - last_word.end > settings.snap_tolerance and cuts_after:
        end = max(end, max(cuts_after))
    cuts_before = [c for c in scene_cuts if previous_end < c < first_word.start and end - c <= settings.max_clip]
    if first_word.start - previous_end > settings.snap_tolerance and cuts_before:
        start = max(cuts_before)
    # A cut in the silence around the edge is a cleaner place to begin or end, unless it
    # would make the clip shorter than the minimum.
    floor = min(settings.min_clip, end - start)
    start = _nearest_cut([c for c in scene_cuts if end - c >= floor], start, previous_end, first_word.start,
                         settings.snap_tolerance)
    end = _nearest_cut([c for c in scene_cuts if c - start >= floor], end, last_word.end, next_start,
                       settings.snap_tolerance)
    return start, end


def _nearest_cut(cuts: list[float], edge: float, low: float, high: float, tolerance: float) -> float:
    usable = [cut for cut in cuts if low <= cut <= high and abs(cut - edge) <= tolerance]
    return min(usable, key=lambda cut: abs(cut - edge)) if usable else edge


def edge_regions(highlights: list[Highlight], words: list[Word], duration: float,
                 settings: SelectionSettings) -> list[tuple[float, float]]:
    """Where the scene cuts that can move each highlight's edges lie: the word-free gap the
    edge sits in (an edge only ever moves within it), widened by the snap tolerance."""
    starts = [w.start for w in words]
    regions = []
    for highlight in highlights:
        for edge in (highlight.start, highlight.end):
            before = bisect.bisect_right(starts, edge)
            low = min(words[before - 1].end, edge) if before > 0 else 0.0
            high = starts[before] if before < len(starts) else duration
            reach = settings.snap_tolerance
            regions.append((max(0.0, low - reach), min(duration, max(high, edge) + reach)))
    return regions
