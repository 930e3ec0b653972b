"""Highlight selection: from product mentions to the clips worth cutting.

A presentation is the run of sentences around the mentions of one product; its edges sit
on sentence boundaries (never inside a word) and move onto a nearby scene cut when one is
close enough.  Presentations are ranked by score; the best that do not overlap are kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .config import SelectionSettings
from .records import Highlight, Mention, Product, Sentence, Transcript
from .text import sentences as split_sentences

PRICE = re.compile(r"[$€£₽₴]\s?\d|\d\s?(?:[$€£₽₴]|zł|pln|usd|eur|uah|rub)\b"
                   r"|\b(?:dollars?|euros?|pounds?|bucks|złot\w*|рубл\w*|доллар\w*|гривн\w*|dólares|dolares)\b",
                   re.IGNORECASE)

# Hosts pause when they change the subject; a shorter pause is breath within a topic.
TOPIC_PAUSE = 0.75


@dataclass
class _Presentation:
    product: str
    mentions: list[Mention]
    first: int  # sentence indices, inclusive
    last: int
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def select_highlights(
    transcript: Transcript,
    mentions: list[Mention],
    products: list[Product],
    scene_cuts: list[float],
    settings: SelectionSettings,
) -> list[Highlight]:
    sents = split_sentences(transcript)
    if not sents or not mentions or settings.max_clips == 0:
        return []
    names = {p.id: p.name for p in products}
    owner = _sentence_owners(sents, mentions)
    presentations = _presentations(sents, mentions, owner, settings)
    for presentation in presentations:
        _fit_length(presentation, sents, owner, settings)
        _score(presentation, sents)
    chosen: list[Highlight] = []
    for presentation in sorted(presentations, key=lambda p: (-p.score, sents[p.first].start)):
        start, end = _edges(presentation, sents, scene_cuts, transcript.duration, settings)
        if any(start < h.end and h.start < end for h in chosen):
            continue
        count = len(presentation.mentions)
        reasons = [f"names {names.get(presentation.product, presentation.product)} {count}x"]
        reasons += presentation.reasons
        chosen.append(Highlight(start=round(start, 3), end=round(end, 3), products=[presentation.product],
                                score=round(presentation.score, 2), reasons=reasons))
        if len(chosen) == settings.max_clips:
            break
    return sorted(chosen, key=lambda h: h.start)


def _sentence_owners(sents: list[Sentence], mentions: list[Mention]) -> list[set[str]]:
    """The products each sentence names."""
    owners: list[set[str]] = [set() for _ in sents]
    for mention in mentions:
        owners[_sentence_at(sents, mention.start)].add(mention.product)
    return owners


def _sentence_at(sents: list[Sentence], time: float) -> int:
    for index, sentence in enumerate(sents):
        if time < sentence.end or index == len(sents) - 1:
            return index
    return len(sents) - 1


def _presentations(sents, mentions, owner, settings) -> list[_Presentation]:
    groups: list[_Presentation] = []
    open_groups: dict[str, _Presentation] = {}
    for mention in mentions:
        index = _sentence_at(sents, mention.start)
        group = open_groups.get(mention.product)
        if group and mention.start - group.mentions[-1].end <= settings.merge_gap and not _other_product_between(
            owner, group.last, index, mention.product
        ):
            group.mentions.append(mention)
            group.last = max(group.last, index)
            continue
        group = _Presentation(mention.product, [mention], index, index)
        open_groups[mention.product] = group
        groups.append(group)
    return groups


def _score(p: _Presentation, sents: list[Sentence]) -> None:
    text = " ".join(s.text for s in sents[p.first:p.last + 1])
    p.score = len(p.mentions) + 0.5 * len({m.matched for m in p.mentions})
    if PRICE.search(text):
        p.score += 1.0
        p.reasons.append("states a price")


def _other_product_between(owner, first: int, last: int, product: str) -> bool:
    return any(owner[i] - {product} for i in range(first, last + 1))


def _fit_length(p: _Presentation, sents: list[Sentence], owner, settings: SelectionSettings) -> None:
    """Grow to the sentences after the last name that still talk about the product (until
    another product is named, a long pause, or `trail` seconds), then to the minimum
    length; shrink to the maximum."""

    def span() -> float:
        return sents[p.last].end - sents[p.first].start

    def free(index: int) -> bool:
        return 0 <= index < len(sents) and not (owner[index] - {p.product})

    last_named = sents[p.last].end
    while free(p.last + 1) and sents[p.last + 1].start - sents[p.last].end < TOPIC_PAUSE \
            and sents[p.last + 1].end - last_named <= settings.trail \
            and sents[p.last + 1].end - sents[p.first].start <= settings.max_clip:
        p.last += 1
    while span() < settings.min_clip:
        after = sents[p.last + 1].start - sents[p.last].end if free(p.last + 1) else None
        before = sents[p.first].start - sents[p.first - 1].end if free(p.first - 1) else None
        if after is None and before is None:
            break
        # Prefer what follows the name: hosts name the product, then describe it.
        if after is not None and (before is None or after <= before + 1.0):
            if sents[p.last + 1].end - sents[p.first].start > settings.max_clip:
                break
            p.last += 1
        else:
            if sents[p.last].end - sents[p.first - 1].start > settings.max_clip:
                break
            p.first -= 1
    while span() > settings.max_clip and p.last > p.first:
        # Drop whichever end sentence carries no mention; the tail first.
        tail_named = p.product in owner[p.last]
        head_named = p.product in owner[p.first]
        if not tail_named or head_named:
            p.last -= 1
        else:
            p.first += 1


def _edges(p: _Presentation, sents, scene_cuts, duration: float, settings: SelectionSettings) -> tuple[float, float]:
    first_word, last_word = sents[p.first].words[0], sents[p.last].words[-1]
    previous_end = sents[p.first - 1].end if p.first > 0 else 0.0
    next_start = sents[p.last + 1].start if p.last + 1 < len(sents) else duration
    start = max(previous_end, first_word.start - settings.pad, 0.0)
    end = min(next_start, last_word.end + settings.pad, duration)
    # A cut in the silence around the edge is a cleaner place to begin or end.
    start = _nearest_cut(scene_cuts, start, previous_end, first_word.start, settings.snap_tolerance)
    end = _nearest_cut(scene_cuts, end, last_word.end, next_start, settings.snap_tolerance)
    return start, end


def _nearest_cut(cuts: list[float], edge: float, low: float, high: float, tolerance: float) -> float:
    usable = [cut for cut in cuts if low <= cut <= high and abs(cut - edge) <= tolerance]
    return min(usable, key=lambda cut: abs(cut - edge)) if usable else edge
