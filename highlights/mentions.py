"""Mentions stage: where the host names a product.

With a catalog, every name and alias, and every part of one that belongs to a single
product ("the Aurora" for "Aurora smart watch", "X200" for "Nova X200 Pro headphones"), is
looked for in the transcript window by window.  Words are compared as `stemming` folds
them (case, accents, spoken numbers and letters, inflection, other scripts) with
rapidfuzz, which forgives Whisper's spelling slips ("Lumo Best Lamp" ~ "Lumo desk lamp").
Each mention says how sure it is: a whole name is sure; one common word, or a part of a
name that Whisper wrote in lower case ("we watched", "a lovely breeze"), is not, and counts
only near a sure mention of the same product.  A catalog `link` number said with a link
phrase of the language ("link 12", "No. 12", "номер двенадцать"; lexicon `[links]`) is a sure
mention of that product.  A brand two products share ("Aria" for the Aria serum and the Aria
cream) is credited to the one being presented: the owner named last before it (or, at the
start of a presentation, first after it) within `support_window`, never to both.

Without a catalog, `find_candidates` names the products itself: the item behind a link
number ("link 12, the vitamin C serum": every later "number twelve" is that item), and the
names the host repeats (words Whisper capitalises mid-sentence, model codes, a noun phrase
after "our", "this", "these" and their equivalents, or a rare noun said again and again) close
to sales cues, each with the words that go with it ("Aurora smart watch").  A common noun
must be rare in the language (wordfreq, looked up by its simplemma lemma): "week", "layers"
and "skin" are said in every stream and sell nothing."""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from . import languages
from .config import MentionSettings
from .cues import find_cues
from .files import unique_slug
from .lexicon import find_phrases, load_lexicon
from .records import Mention, Product, Transcript, Word
from .stemming import Token, script, skeleton, stemmer, tokenize, tokenize_text, word_zipf
from .text import SENTENCE_END, join_words
from .units import speech_units

SURE = 0.75  # a mention at least this confident can stand alone and marks a product's presence
# Without a catalog, a name counts when a sales cue comes this close before or after it; a
# common word must come up again within GENERIC_SPAN seconds.
SALE_BEFORE, SALE_AFTER = 10.0, 25.0
# A candidate named less than this share of the most named one's times is dropped, unless it
# is named SALIENT_ENOUGH times (a minor item beside one presented for ten minutes).
# Measured on the live_* fixtures: products 7-23 mentions, slips and passing words 2-4.
SALIENT_SHARE, SALIENT_ENOUGH = 0.25, 5
GENERIC_SPAN = 15.0
CANDIDATE_PREFIX = "candidate-"
# wordfreq's Zipf scale (log10 of uses per billion words): a lower-case noun more frequent than
# GENERIC_ZIPF ("week" 5.6, "layers" 4.2) is everyday talk, not a product; products and their
# nouns sit lower ("serum" 3.7, "freidora" 2.4, "teiera" 2.8). A capitalised name may be as
# frequent as NAME_ZIPF (brands are often words: "Snap" 4.2); above it, it is a weekday or a
# greeting.
GENERIC_ZIPF, NAME_ZIPF = 4.4, 4.6
NP_WORDS = 5  # at most this many words make the noun phrase after a link number or "our"
_KIND_RANK = {"name": 0, "alias": 0, "partial": 1, "brand": 1}
SHARED_CONFIDENCE = 0.5  # a shared brand supports a presentation, it never starts one


@dataclass
class _Forms:
    """Folded texts, stems and skeletons of a run of tokens."""

    texts: list[str]
    stems: list[str]
    skels: list[str]
    scripts: list[str]
    numbers: list[bool]

    @classmethod
    def of(cls, tokens: list[Token], language: str) -> _Forms:
        stem = stemmer(language)
        texts = [t.text for t in tokens]
        numbers = [t.kind == "number" for t in tokens]
        return cls(texts, [t if n else stem(t) for t, n in zip(texts, numbers)],
                   [t if n else skeleton(t) for t, n in zip(texts, numbers)],
                   [script(t) for t in texts], numbers)


@dataclass
class _Variant:
    product: Product
    name: str  # the catalog name or alias it comes from
    kind: str  # name | alias | partial
    forms: _Forms
    numbers: frozenset[str] = frozenset()  # the numbers of the whole name (model codes)
    owners: tuple[str, ...] = ()  # kind "brand": every product whose name holds it

    @property
    def size(self) -> int:
        return len(self.forms.texts)


@dataclass
class _Match:
    variant: _Variant
    similarity: float
    missed: int  # words of the name not said
    start: int  # token window
    width: int
    first: int  # word span
    last: int

    @property
    def rank(self) -> int:
        return _KIND_RANK[self.variant.kind]


def find_mentions(transcript: Transcript, products: list[Product], settings: MentionSettings) -> list[Mention]:
    words = transcript.words
    language = transcript.language
    if not words or not products:
        return []
    tokens = [t for t in tokenize(words, language) if t.kind != "symbol"]
    forms = _Forms.of(tokens, language)
    stopwords = load_lexicon(language).stopwords
    proper = _spoken_as_names(words, tokens)
    found: list[_Match] = []
    shared: dict[int, tuple[str, ...]] = {}  # id of a brand mention -> the products sharing it
    for start, width, variant in _windows(forms, _variants(products, language)):
        window = slice(start, start + width)
        if all(t in stopwords for t in forms.texts[window]):
            continue
        if variant.kind == "partial" and _another_model_follows(tokens, start + width, variant.numbers):
            continue  # "Nova" in "the Nova X400" is not the Nova X200
        similarity, missed = _similarity(forms, window, variant.forms)
        target = " ".join(variant.forms.texts)
        threshold = settings.min_similarity if len(target) >= 10 else max(settings.min_similarity, 90.0)
        if similarity >= threshold:
            found.append(_Match(variant, similarity, missed, start, width, tokens[start].first,
                                tokens[start + width - 1].last))
    # Spans of words: whole names before parts of names, then the most of a name said, the
    # closest, the tightest; each span then reads as the variant it is closest to.
    closest: dict[tuple[int, int], _Match] = {}
    for match in found:
        span = (match.first, match.last)
        if span not in closest or (match.rank, -match.similarity) < (closest[span].rank, -closest[span].similarity):
            closest[span] = match
    found.sort(key=lambda m: (m.rank, -m.variant.size, -m.similarity, m.width, m.first))
    used: set[int] = set()
    mentions = []
    for match in (closest[(m.first, m.last)] for m in found):
        covered = set(range(match.first, match.last + 1))
        if covered & used:
            continue
        used |= covered
        variant = match.variant
        mentions.append(Mention(product=variant.product.id, start=words[match.first].start,
                                end=words[match.last].end, text=join_words(words[match.first:match.last + 1]),
                                matched=variant.name, similarity=round(match.similarity, 1), kind=variant.kind,
                                confidence=_confidence(match, tokens, proper)))
        if variant.owners:
            shared[id(mentions[-1])] = variant.owners
    mentions += _link_mentions(tokens, words, products, language, used)
    mentions.sort(key=lambda m: m.start)
    mentions = _credit_shared(mentions, shared, settings.support_window)
    return _supported(mentions, settings.support_window)


def _link_mentions(tokens: list[Token], words: list[Word], products: list[Product], language: str,
                   used: set[int]) -> list[Mention]:
    """"link 12", "item number five", "номер двенадцать": the product with that catalog link."""
    by_link = {p.link: p for p in products if p.link}
    phrases = load_lexicon(language).links
    if not by_link or not phrases:
        return []
    found = []
    for start, end, _phrase in find_phrases([t.text for t in tokens], [t.kind for t in tokens], phrases):
        number = tokens[end - 1]
        product = by_link.get(_whole(number.text)) if number.kind == "number" else None
        first, last = tokens[start].first, tokens[end - 1].last
        if product is None or used & set(range(first, last + 1)):
            continue
        used |= set(range(first, last + 1))
        found.append(Mention(product=product.id, start=words[first].start, end=words[last].end,
                             text=join_words(words[first:last + 1]), matched=f"link {product.link}",
                             similarity=100.0, kind="link", confidence=1.0))
    return found


def _whole(number: str) -> str:
    return number[:-2] if number.endswith(".0") else number


def _credit_shared(mentions: list[Mention], shared: dict[int, tuple[str, ...]], window: float) -> list[Mention]:
    """A brand two products share goes to the presentation it is said in: of the owners named
    surely last before it and first after it (the brand said before the full name), the one
    named nearer in time. Otherwise it is dropped."""
    if not shared:
        return mentions
    sure = [m for m in mentions if m.confidence >= SURE and id(m) not in shared]
    kept = []
    for mention in mentions:
        owners = shared.get(id(mention))
        if owners is None:
            kept.append(mention)
            continue
        before = [m for m in sure if m.start <= mention.start and mention.start - m.start <= window]
        after = [m for m in sure if m.start > mention.start and m.start - mention.start <= window]
        # The nearer of the two: a host back from a digression says the brand of the item she
        # is about to name, not of the one she named before it.
        near = before[-1:] + after[:1]
        active = min(near, key=lambda m: abs(m.start - mention.start)) if near else None
        if active is not None and active.product in owners:
            mention.product = active.product
            mention.confidence = SHARED_CONFIDENCE
            kept.append(mention)
    return kept


def _variants(products: list[Product], language: str) -> list[_Variant]:
    """Names and aliases, and the parts of them that belong to one product only."""
    variants: list[_Variant] = []
    partial_owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    partials: list[tuple[Product, str, list[Token], frozenset[str]]] = []
    stopwords = load_lexicon(language).stopwords
    stem = stemmer(language)
    for product in products:
        for number, name in enumerate(dict.fromkeys(n for n in product.names if n.strip())):
            tokens = [t for t in tokenize_text(name, language) if t.kind != "symbol"]
            if not tokens or (len(tokens) == 1 and len(tokens[0].text) < 3 and tokens[0].kind == "word"):
                continue  # two-letter aliases match half the language
            numbers = frozenset(t.text for t in tokens if t.kind == "number")
            variants.append(_Variant(product, name, "name" if number == 0 else "alias", _Forms.of(tokens, language),
                                     numbers))
            # A model code ("X200") is one piece of the name: never cut between its letters and number.
            code = {i for i in range(len(tokens) - 1) if tokens[i].kind == "word"
                    and tokens[i + 1].kind == "number" and tokens[i].first == tokens[i + 1].first}
            for i in range(len(tokens)):
                for j in range(i + 1, len(tokens) + 1):
                    part = tokens[i:j]
                    if len(part) == len(tokens) or i - 1 in code or j - 1 in code \
                            or not _can_stand_for_product(part, stopwords, {k - i for k in code}):
                        continue
                    partial_owners[tuple(stem(t.text) for t in part)].add(product.id)
                    partials.append((product, name, part, numbers))
    whole = {tuple(stem(t) for t in v.forms.texts) for v in variants}
    # Stems of words several products share: a part made only of them ("sol Solara", both
    # stemmed "sol") tells no product apart.
    shared_stems = {s for key, owners in partial_owners.items() if len(owners) > 1 and len(key) == 1 for s in key}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for product, name, part, numbers in partials:
        key = tuple(stem(t.text) for t in part)
        if key in whole or (product.id, key) in seen:
            continue  # already a name of its own
        owners = partial_owners[key]
        if len(owners) > 1:
            # A brand several products share ("Aria"): one variant, credited later to the
            # product being presented. Only capitalised words: the catalog writes brands so.
            if ("", key) in seen or not all(t.capital or t.kind == "number" for t in part):
                continue
            seen.add(("", key))
            brand = " ".join(name.split()[part[0].first:part[-1].last + 1])
            variants.append(_Variant(product, brand, "brand", _Forms.of(part, language), numbers,
                                     tuple(sorted(owners))))
            continue
        if set(key) <= shared_stems:
            continue
        seen.add((product.id, key))
        variants.append(_Variant(product, name, "partial", _Forms.of(part, language), numbers))
    return variants


def _can_stand_for_product(part: list[Token], stopwords: frozenset[str], code: set[int]) -> bool:
    """Can these words of a name, said alone, name the product?  Not function words ("de
    escritorio"; a capitalised "Pro" or "One" in a name is a name), not a bare number."""
    def filler(index: int) -> bool:
        token = part[index]
        return token.kind == "word" and index not in code and token.text in stopwords and not token.capital

    if all(t.kind == "number" for t in part) or all(filler(i) or part[i].kind != "word" for i in range(len(part))):
        return False
    if filler(0) or filler(len(part) - 1):
        return False
    if len(part) == 1:  # one word alone: not "Pro", not "One"
        return len(part[0].text) >= 3 and part[0].text not in stopwords
    return True


def _windows(forms: _Forms, variants: list[_Variant]):
    """(start, width, variant) worth comparing: windows that hold a token close to one of
    the variant's tokens (rapidfuzz's cdist does the all-pairs work in C)."""
    vocabulary = sorted({t for v in variants for t in (*v.forms.texts, *v.forms.stems, *v.forms.skels)})
    spoken = sorted(set(forms.texts) | set(forms.stems) | set(forms.skels))
    if not vocabulary or not spoken:
        return
    scores = process.cdist(spoken, vocabulary, scorer=fuzz.ratio, score_cutoff=70, workers=1)
    column = {text: index for index, text in enumerate(vocabulary)}
    close_rows: dict[int, set[int]] = defaultdict(set)  # vocabulary column -> spoken rows close to it
    for r, c in zip(*scores.nonzero()):
        close_rows[int(c)].add(int(r))
    row = {text: index for index, text in enumerate(spoken)}
    positions_of: dict[int, list[int]] = defaultdict(list)  # spoken row -> token positions
    for position in range(len(forms.texts)):
        for r in {row[forms.texts[position]], row[forms.stems[position]], row[forms.skels[position]]}:
            positions_of[r].append(position)
    seen: set[tuple[int, int, int]] = set()
    for number, variant in enumerate(variants):
        columns = {column[t] for t in (*variant.forms.texts, *variant.forms.stems, *variant.forms.skels)}
        widths = sorted({max(1, variant.size - 1), variant.size, variant.size + 1})
        rows = set().union(*(close_rows[c] for c in columns))
        for position in sorted({p for r in rows for p in positions_of[r]}):
            for width in widths:
                for start in range(max(0, position - width + 1), min(position, len(forms.texts) - width) + 1):
                    if (start, width, number) not in seen:
                        seen.add((start, width, number))
                        yield start, width, variant


def _another_model_follows(tokens: list[Token], at: int, numbers: frozenset[str]) -> bool:
    """Is the word after a name part a model code or number the product does not have?"""
    if not numbers or at >= len(tokens):
        return False
    if tokens[at].kind == "word" and len(tokens[at].text) <= 3 and at + 1 < len(tokens) \
            and tokens[at + 1].kind == "number" and tokens[at + 1].first == tokens[at].first:
        at += 1  # "X400": the letters of a code
    return tokens[at].kind == "number" and tokens[at].text not in numbers


def _similarity(forms: _Forms, window: slice, target: _Forms) -> tuple[float, int]:
    """rapidfuzz ratio (0-100) of the spoken words to a name, and how many of the name's
    words were not said."""
    spoken_numbers = sorted(t for t, n in zip(forms.texts[window], forms.numbers[window]) if n)
    target_numbers = sorted(t for t, n in zip(target.texts, target.numbers) if n)
    if spoken_numbers != target_numbers:
        return 0.0, 0  # "X200" is not "X300", and "nove" (nine) is not "Nova"
    pairs = [(forms.texts[window], target.texts), (forms.stems[window], target.stems)]
    scripts = {s for s in forms.scripts[window] if s != "other"} | {s for s in target.scripts if s != "other"}
    if len(scripts) > 1:  # a brand said in another script: compare how it sounds
        pairs.append((forms.skels[window], target.skels))
    best = squashed = 0.0
    for spoken, wanted in pairs:
        a, b = " ".join(spoken), " ".join(wanted)
        squashed = max(squashed, fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))
        best = max(best, fuzz.ratio(a, b), squashed)
    missed = _words_missed(pairs) if len(target.texts) > 1 and squashed < 90 else 0
    if missed > (1 if len(target.texts) >= 3 else 0):
        return 0.0, missed  # a long word close enough made up for a short one that is wrong ("escritorio la")
    return best, missed


def _words_missed(pairs) -> int:
    """How many words of the name no spoken word comes close to (one slip in a name of
    three words is forgiven: "Lumo Best Lamp")."""
    missed = 0
    for position in range(len(pairs[0][1])):
        if not any(fuzz.ratio(said, wanted[position]) >= 70 for spoken, wanted in pairs for said in spoken):
            missed += 1
    return missed


def _spoken_as_names(words: list[Word], tokens: list[Token]) -> set[int]:
    """Tokens Whisper writes as names: capitalised where a sentence does not begin, or
    capitalised at a sentence start and elsewhere too, and never in lower case."""
    initial = {0} | {i + 1 for i, w in enumerate(words) if SENTENCE_END.search(w.text.strip())}
    capital_inside: Counter[str] = Counter()
    lower_inside: Counter[str] = Counter()
    for token in tokens:
        if token.kind != "word" or token.first in initial:
            continue
        (capital_inside if token.capital else lower_inside)[token.text] += 1
    return {index for index, token in enumerate(tokens) if token.kind == "word" and token.capital
            and capital_inside[token.text] > 0 and capital_inside[token.text] >= lower_inside[token.text]}


def _confidence(match: _Match, tokens: list[Token], proper: set[int]) -> float:
    """1 for a whole name or alias; a one-word one written in lower case is less sure (the
    catalog's own one-word name still counts, "Breeze" for the Breeze mini fan does not
    alone). A part of a name (or a name with a word not said) is sure when Whisper wrote it
    as a name (capitalised) or it holds a model number."""
    window = range(match.start, match.start + match.width)
    marked = any(i in proper or tokens[i].kind == "number" for i in window)
    if match.variant.kind in ("name", "alias") and not match.missed:
        if match.variant.size > 1 or marked:
            return 1.0
        return SURE if match.variant.kind == "name" else 0.5
    return SURE if marked else 0.4


def _supported(mentions: list[Mention], window: float) -> list[Mention]:
    """Unsure mentions stay only within `window` seconds of a sure one of the same product."""
    sure = defaultdict(list)
    for mention in mentions:
        if mention.confidence >= SURE:
            sure[mention.product].append(mention.start)
    return [m for m in mentions if m.confidence >= SURE or any(abs(m.start - t) <= window for t in sure[m.product])]


# --- without a catalog ----------------------------------------------------------------------


@dataclass
class _Occurrence:
    token: int
    sentence: int


def find_candidates(transcript: Transcript, settings: MentionSettings) -> tuple[list[Product], list[Mention]]:
    """Products the host presents, found without a catalog: (candidate products, their
    mentions).  Candidate ids are `candidate-<words>`."""
    words = transcript.words
    language = transcript.language
    if not words or not settings.candidates:
        return [], []
    lexicon = load_lexicon(language)
    stem = stemmer(language)
    all_tokens = tokenize(words, language)
    tokens = _codes_joined([t for t in all_tokens if t.kind != "symbol"])
    sentence_of_word = [0] * len(words)
    units = speech_units(words, language, all_tokens)
    for number, (first, last) in enumerate(units):
        sentence_of_word[first:last + 1] = [number] * (last - first + 1)
    sentence = [sentence_of_word[t.first] for t in tokens]
    cues = [c for c in find_cues(words, language, all_tokens)
            if c.kind in ("price", "promo_code", "call_to_action", "discount")]
    starts = [w.start for w in words]
    selling_sentences = {sentence_of_word[max(0, bisect.bisect_right(starts, c.start + 1e-6) - 1)] for c in cues}
    proper = _spoken_as_names(words, tokens)
    ignored = lexicon.stopwords | _lexicon_words(language)
    # a Latin word in Cyrillic speech is a brand
    foreign = "latin" if language in languages.by_script("cyrillic") else None

    # A promo code ("MAX20") is said again and again beside the product, and is not one.
    codes = {c.value.casefold() for c in cues if c.kind == "promo_code" and c.value}
    ignored = ignored | frozenset(codes)

    def content(i: int) -> bool:
        t = tokens[i]
        return t.kind == "word" and len(t.text) >= 3 and t.text not in ignored and stem(t.text) not in ignored

    per_sentence: dict[int, list[Token]] = defaultdict(list)
    for i, token in enumerate(tokens):
        per_sentence[sentence[i]].append(token)
    chatter = {n for n, own in per_sentence.items()
               if find_phrases([t.text for t in own], [t.kind for t in own], lexicon.chatter)}
    heads: dict[str, list[_Occurrence]] = defaultdict(list)
    named: dict[str, bool] = {}
    for i, token in enumerate(tokens):
        if content(i) and sentence[i] not in chatter:  # "my sister Anna" is no product
            key = stem(token.text)
            heads[key].append(_Occurrence(i, sentence[i]))
            named[key] = named.get(key, False) or i in proper or any(ch.isdigit() for ch in token.text) \
                or script(token.text) == foreign
    introduced = _introduced(tokens, words, lexicon, content, stem)
    items = _link_items(tokens, words, lexicon, content, sentence, selling_sentences, stem, language)
    in_item = {k: item for item in items for k in item["keys"]}
    ranked = []
    for key, occurrences in heads.items():
        if key in in_item:  # a word of a link item's name: that item
            in_item[key]["occurrences"] += occurrences
            continue
        zipf = word_zipf(tokens[occurrences[0].token].text, language)
        if zipf > (NAME_ZIPF if named[key] or introduced[key] >= 2 else GENERIC_ZIPF):
            continue
        if named[key] or introduced[key] >= 2:
            # A name may come twice in one sentence ("the Lumo desk lamp, the Lumo lamp").
            near_sale = any(words[tokens[o.token].first].start - SALE_BEFORE <= c.start
                            <= words[tokens[o.token].last].end + SALE_AFTER for o in occurrences for c in cues)
            kept = occurrences if len(occurrences) >= settings.candidate_repeats and near_sale else []
        else:
            kept = _presented(occurrences, tokens, words, selling_sentences, settings.candidate_repeats)
        if kept:
            heads[key] = kept
            ranked.append((not named[key], -len(kept), kept[0].token, key))
    ranked.sort()
    chosen: list[dict] = []
    for _generic, _count, _first, key in ranked:
        occurrences = heads[key]
        home = next((c for c in chosen if key in c["keys"]), None)
        if home is None:
            together = [c for c in chosen
                        if sum(o.sentence in c["sentences"] for o in occurrences) * 2 >= len(occurrences)]
            home = together[0] if together else None
        if home is None:
            span_keys = _name_around(occurrences, tokens, content, stem)
            home = {"keys": set(span_keys), "order": span_keys, "occurrences": [], "sentences": set()}
            chosen.append(home)
        home["keys"].add(key)
        home["occurrences"] += occurrences
        home["sentences"] |= {o.sentence for o in occurrences}
    # What the host keeps naming: a word said a few times in a replay where the products are
    # named dozens of times is a passing word or a slip of the ASR ("Mirabuela" for "mi
    # abuela"), not an item.  Link items are sure already.
    most = max([len(c["occurrences"]) for c in chosen] + [len(i["spans"]) + len(i["occurrences"]) for i in items],
               default=0)
    salient = min(SALIENT_SHARE * most, SALIENT_ENOUGH)
    chosen = [c for c in chosen if len(c["occurrences"]) >= salient]
    products, mentions = [], []
    taken: set[str] = set()
    for item in items:
        product_id = CANDIDATE_PREFIX + unique_slug(item["name"], taken, fallback="product")
        products.append(Product(id=product_id, name=item["name"]))
        for first, last in item["spans"] + [(tokens[o.token].first, tokens[o.token].last) for o in item["occurrences"]]:
            mentions.append(Mention(product=product_id, start=words[first].start, end=words[last].end,
                                    text=join_words(words[first:last + 1]), matched=item["name"], similarity=100.0,
                                    kind="candidate", confidence=_candidate_confidence(first, last, item["name"])))
    for candidate in chosen:
        name, spans = _candidate_name(candidate, tokens, words, stem)
        product_id = CANDIDATE_PREFIX + unique_slug(name, taken, fallback="product")
        products.append(Product(id=product_id, name=name))
        for first, last in spans:
            mentions.append(Mention(product=product_id, start=words[first].start, end=words[last].end,
                                    text=join_words(words[first:last + 1]), matched=name, similarity=100.0,
                                    kind="candidate", confidence=_candidate_confidence(first, last, name)))
    return products, sorted(mentions, key=lambda m: m.start)


def _candidate_confidence(first: int, last: int, name: str) -> float:
    """One word of a name of several ("Vega" of "Vega earbuds") may be another item's too (a
    brand two items share): it supports a presentation and never starts one."""
    return SHARED_CONFIDENCE if first == last and len(name.split()) > 1 else SURE


def _noun_phrase(tokens: list[Token], words: list[Word], at: int, content, ignored: frozenset[str]) -> list[int]:
    """The content words from `at` on (after an article), within one clause: "the Zip phone
    stand, it folds" -> Zip phone stand; "gafas de sol Solara" keeps its inner "de"."""
    while at < len(tokens) and tokens[at].kind == "word" and not content(at) and at + 1 < len(tokens) \
            and len(tokens[at].text) <= 4 and tokens[at].text in ignored:
        at += 1  # "the", "las", "il"
    phrase: list[int] = []
    index = at
    while index < len(tokens) and len(phrase) < NP_WORDS:
        if content(index):
            phrase.append(index)
        elif not (phrase and tokens[index].kind == "word" and tokens[index].text in ignored
                  and index + 1 < len(tokens) and content(index + 1) and len(tokens[index].text) <= 3):
            break
        last = words[tokens[index].last].text
        if SENTENCE_END.search(last.strip()) or last.rstrip()[-1:] in ",;:":
            break
        if index + 1 < len(tokens) and tokens[index + 1].first - tokens[index].last > 1:
            break
        index += 1
    return phrase


def _link_items(tokens: list[Token], words: list[Word], lexicon, content, sentence: list[int], selling: set[int],
                stem, language: str) -> list[dict]:
    """Items called by a link number, each named by the noun phrase said after its number
    most often ("link 12, the vitamin C serum"); every "link 12" or "number twelve" is a
    mention of it. An item needs its number said twice, or once with a sales cue close by."""
    if not lexicon.links:
        return []
    ignored = lexicon.stopwords
    said: dict[str, dict] = {}
    for start, end, _phrase in find_phrases([t.text for t in tokens], [t.kind for t in tokens], lexicon.links):
        number = tokens[end - 1]
        if number.kind != "number":
            continue
        entry = said.setdefault(number.text, {"spans": [], "names": Counter(), "sentences": set(), "keys": Counter()})
        phrase = _noun_phrase(tokens, words, end, content, ignored)
        if phrase and not tokens[phrase[0]].capital and word_zipf(tokens[phrase[0]].text, language) > GENERIC_ZIPF:
            phrase = []  # "number five is left", "haya mirado": talk, not the item's name
        last = tokens[phrase[-1]].last if phrase else tokens[end - 1].last
        entry["spans"].append((tokens[start].first, last))
        entry["sentences"].add(sentence[start])
        if phrase:
            entry["names"][_surface(words, tokens[phrase[0]].first, tokens[phrase[-1]].last)] += 1
            entry["keys"].update({stem(tokens[i].text) for i in phrase})
    items = []
    for number_text, entry in said.items():
        sells = bool(selling & {n + d for n in entry["sentences"] for d in (0, 1)})
        if not entry["names"] or not (len(entry["spans"]) >= 2 or sells):
            continue
        name = entry["names"].most_common(1)[0][0]
        # Every word said as its name after the number is its own (Whisper spells a name
        # differently each time: "Пуэрбан Говига", "по-эрбанковика").
        keys = set(entry["keys"])
        items.append({"number": number_text, "name": name, "spans": entry["spans"], "keys": keys, "occurrences": []})
    return items


def _introduced(tokens: list[Token], words: list[Word], lexicon, content, stem) -> Counter:
    """How often each word heads a noun phrase after "our", "this", "these" (lexicon
    `[products] determiners`): "our robot vacuum", "questa candela"."""
    counts: Counter[str] = Counter()
    for index, token in enumerate(tokens[:-1]):
        if token.kind == "word" and token.text in lexicon.determiners and content(index + 1):
            counts.update({stem(tokens[i].text) for i in _noun_phrase(tokens, words, index + 1, content,
                                                                     lexicon.stopwords)})
    return counts


def _presented(occurrences: list[_Occurrence], tokens: list[Token], words: list[Word], selling: set[int],
               repeats: int) -> list[_Occurrence]:
    """The occurrences of a common word that look like a product being presented: said in
    `repeats` sentences within GENERIC_SPAN seconds, with a sales cue in them or in the two
    sentences after (hosts name a product, then sell it). The first such run, or none."""
    def when(o: _Occurrence) -> float:
        return words[tokens[o.token].first].start

    for index, first in enumerate(occurrences):
        run = [o for o in occurrences[index:] if when(o) - when(first) <= GENERIC_SPAN]
        sentences = sorted({o.sentence for o in run})
        if len(sentences) >= repeats and selling & set(range(sentences[0], sentences[-1] + 3)):
            return run
    return []


def candidate_products(mentions: list[Mention]) -> list[Product]:
    """The candidate products that `find_candidates` mentions name, rebuilt from the mentions."""
    return list({m.product: Product(id=m.product, name=m.matched) for m in mentions if m.kind == "candidate"}.values())


def _codes_joined(tokens: list[Token]) -> list[Token]:
    """Model codes as one token: "X200" (or "X-200", "X 200") is "x200", not a letter and a
    number."""
    joined: list[Token] = []
    for token in tokens:
        previous = joined[-1] if joined else None
        if previous and previous.kind == "word" and token.kind == "number" and len(previous.text) <= 3 and (
                previous.first == token.first
                or (len(previous.text) == 1 and previous.capital and token.first == previous.last + 1)):
            joined[-1] = Token(previous.text + token.text, previous.first, token.last, "word", previous.capital)
            continue
        joined.append(token)
    return joined


def _lexicon_words(language: str) -> frozenset[str]:
    """Words of the lexicon's phrases (prices, calls to action, link numbers, chatter): never
    a product."""
    lexicon = load_lexicon(language)
    phrases = [p for group in lexicon.cues.values() for p in group] + list(lexicon.chatter) + list(lexicon.intro)
    phrases += [p for group in lexicon.currencies.values() for p in group] + list(lexicon.links)
    return frozenset(w.rstrip("*") for p in phrases for w in p if w not in ("#", "?", "..") and len(w) > 2) \
        | lexicon.refer


def _name_around(occurrences: list[_Occurrence], tokens: list[Token], content, stem) -> list[str]:
    """The head word with the content words that stand next to it in most of its
    occurrences ("Aurora" -> "Aurora smart watch"), as stems in spoken order."""
    keys = [stem(tokens[occurrences[0].token].text)]
    for direction in (1, -1):
        offset = 1
        while len(keys) < 4:
            neighbours: Counter[str] = Counter()
            for o in occurrences:
                i = o.token + offset * direction
                if 0 <= i < len(tokens) and (content(i) or tokens[i].kind == "number") \
                        and _adjacent(tokens, i, o.token):
                    neighbours[stem(tokens[i].text)] += 1
            if not neighbours:
                break
            key, count = neighbours.most_common(1)[0]
            if count < 2 or count * 2 < len(occurrences):
                break
            keys = keys + [key] if direction == 1 else [key] + keys
            offset += 1
    return keys


def _adjacent(tokens: list[Token], i: int, j: int) -> bool:
    low, high = sorted((i, j))
    return all(tokens[k + 1].first - tokens[k].last <= 1 for k in range(low, high))


def _candidate_name(candidate: dict, tokens: list[Token], words: list[Word], stem) -> tuple[str, list[tuple[int, int]]]:
    """The name as the host says it most often, and the word span of each occurrence."""
    order = candidate["order"]
    spans: list[tuple[int, int]] = []
    surfaces: Counter[str] = Counter()
    for occurrence in sorted(candidate["occurrences"], key=lambda o: o.token):
        i = occurrence.token
        first = last = i
        key = stem(tokens[i].text)
        if key in order:  # widen to the neighbours that are part of the name here
            at = order.index(key)
            lo, hi = i - at, i + len(order) - 1 - at
            if 0 <= lo and hi < len(tokens) and [stem(tokens[k].text) for k in range(lo, hi + 1)] == order:
                first, last = lo, hi
        span = (tokens[first].first, tokens[last].last)
        if spans and span[0] <= spans[-1][1]:
            continue
        spans.append(span)
        if last > first:
            surfaces[_surface(words, *span)] += 1
    name = surfaces.most_common(1)[0][0] if surfaces else _surface(words, *spans[0])
    return name, spans


def _surface(words: list[Word], first: int, last: int) -> str:
    return re.sub(r"^[\W_]+|[\W_]+$", "", join_words(words[first:last + 1]))
