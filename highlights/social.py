"""Copy to post with each clip, per subtitle language, without a language model.

For each clip: a title (at most 100 characters: the product and the strongest hook the host
gave, an offer ("20% off", "free shipping", found with the registry's `[cues]`), else a
question the host answers in the clip, else the price), a description (product, price and
offer, the catalog URL, where the clip is in the replay) and 3-8 hashtags (product, brand and
category from the catalog, the clip's most used words, the language's own tags).

The templates are data, in each language's registry file (`[social]` of
`highlights/languages/<code>.toml`).  What the host said (the offer, the question, the
keywords) is in the spoken language; for every other language it goes through the
translation package (`translation/tracks.Translator`, product names protected, the same
engines, routes and cache as the subtitles), and a language no engine reaches gets the hooks
that need no translation (the price).  `write_posting_sheet` writes `OUT/posting.csv`, the
sheet bulk schedulers import."""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import languages
from .caption_fixes import fix_words
from .captions import format_price
from .config import Settings
from .files import read_json, write_text
from .lexicon import find_phrases, load_lexicon
from .records import Clip, Product, SocialCopy, Word
from .stemming import tokenize
from .text import join_words, sentences
from .typography import typography

if TYPE_CHECKING:
    from .translation.tracks import Translator

log = logging.getLogger("highlights")

TITLE_LIMIT = 100  # characters: what YouTube allows, and more than TikTok shows
MIN_TAGS, MAX_TAGS = 3, 8
MAX_TAG_LENGTH = 30
KEYWORDS = 2  # of the clip's own words become hashtags
POSTING_COLUMNS = ("replay", "clip", "format", "language", "file", "title", "description", "hashtags", "product",
                   "url", "duration")


# --- what the host said ------------------------------------------------------------------


def clip_words(words: Sequence[Word], clip: Clip) -> list[Word]:
    return [w for w in words if w.start >= clip.start - 0.05 and w.end <= clip.end + 0.05]


def find_offer(words: Sequence[Word], language: str) -> str | None:
    """The first offer said in `words` ("20% off", "free shipping", "promo code LIVE20"), as
    said, or None."""
    lexicon = load_lexicon(language)
    tokens = tokenize(list(words), language)
    texts, kinds = [t.text for t in tokens], [t.kind for t in tokens]
    offers = []
    for start, end, _ in find_phrases(texts, kinds, lexicon.cues.get("discount", ())):
        first, last = tokens[start].first, tokens[end - 1].last
        if first > 0 and re.search(r"\d", words[first - 1].text):  # "20" before "% off"
            first -= 1
        offers.append((first, last))
    for start, end, _ in find_phrases(texts, kinds, lexicon.cues.get("promo_code", ())):
        first, last = tokens[start].first, tokens[end - 1].last
        # "code" is an offer only with the code itself after it ("promo code LIVE20").
        if last + 1 < len(words) and re.fullmatch(r"[A-Z0-9]{3,}", words[last + 1].text.strip(" .,!?")):
            offers.append((first, last + 1))
    if not offers:
        return None
    first, last = min(offers)
    return _tidy(join_words(list(words[first:last + 1]), language)) or None


def find_question(words: Sequence[Word], language: str) -> str | None:
    """A question the host asks (and, selling, answers) in the clip: the shortest sentence that
    ends with a question mark and has at least three words."""
    asked = [s.text for s in sentences(list(words)) if s.text.rstrip().endswith("?") and len(s.words) >= 3]
    return min(asked, key=len).strip() if asked else None


def keywords(words: Sequence[Word], language: str, names: Iterable[str], count: int = KEYWORDS) -> list[str]:
    """The clip's most used content words (not stopwords, weak words or the product's names)."""
    lexicon = load_lexicon(language)
    rules = typography(language)
    named = {part for name in names for part in _letters(name).casefold().split()}
    counts: Counter[str] = Counter()
    for token in tokenize(list(words), language):
        text = token.text
        if (token.kind == "word" and len(text) >= 4 and text not in lexicon.stopwords and not rules.is_weak(text)
                and text not in named):
            counts[text] += 1
    return [word for word, seen in counts.most_common() if seen >= 1][:count]


# --- the copy ----------------------------------------------------------------------------


def replay_time(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def compose(language: str, product: Product | None, offer: str | None, question: str | None, start: float,
            tags: Sequence[str]) -> SocialCopy:
    """Title, description and hashtags from `language`'s templates."""
    table = languages.get(language).table("social")
    name = product.name if product else ""
    price = format_price(product) if product else ""
    fields = {"product": name, "price": price, "offer": offer or "", "question": question or "",
              "url": (product.url or "") if product else "", "time": replay_time(start)}
    if not name:
        titles = [question or offer or table["title_plain"].format(**{**fields, "product": ""}).strip(" ,:")]
    else:
        # The strongest hook first; one that leaves no room for the whole product name gives
        # way to the next (the price, then the name alone).
        titles = [table[key].format(**fields) for key, wanted in (("title_offer", offer), ("title_question", question),
                                                                  ("title_price", price)) if wanted]
        titles.append(table["title_plain"].format(**fields))
    fitting = [t for t in titles if len(" ".join(t.split())) <= TITLE_LIMIT and (not name or name in t)]
    title = " ".join(fitting[0].split()) if fitting else shorten(name or titles[0], TITLE_LIMIT)
    head = [table["description"].format(**fields)] if name else []
    if price:
        head.append(table["description_price"].format(**fields))
    if offer:
        head.append(table["description_offer"].format(**fields))
    lines = [" — ".join(part for part in head if part)]
    if fields["url"]:
        lines.append(table["description_link"].format(**fields))
    lines.append(table["description_time"].format(**fields))
    return SocialCopy(title=title, description="\n".join(line for line in lines if line),
                      hashtags=hashtags(language, product, tags, table.get("tags", [])))


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, an ellipsis marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-—") + "…"


def hashtag(text: str, language: str, camel: bool = True) -> str | None:
    """`#LumoDeskLamp` for a name, `#brightness` for a word: letters and digits of any script
    (Cyrillic, Polish ł ż stay), apostrophes and hyphens dropped (`c'est` -> `cest`), names
    in CamelCase so the words stay readable, other words in the language's lower case."""
    words = _letters(text).split()
    if not words:
        return None
    if camel:
        body = "".join(w[:1].upper() + w[1:] for w in words)
    else:
        body = "".join(words).lower()
    return "#" + body if any(c.isalpha() for c in body) else None


def hashtags(language: str, product: Product | None, words: Sequence[str], own: Sequence[str]) -> list[str]:
    """3-8 tags, each once (compared case-folded): product, brand, category, the clip's words,
    then the language's own tags to reach at least three."""
    candidates: list[str | None] = []
    if product is not None:
        parts = product.name.split()
        candidates.append(hashtag(product.name, language))
        if len(parts) > 1:
            candidates.append(hashtag(parts[0], language))  # the brand comes first in a catalog name
            candidates.append(hashtag(" ".join(parts[1:]), language, camel=False))  # what it is: the category
    candidates += [hashtag(w, language, camel=False) for w in words]
    candidates += [hashtag(t, language, camel=False) for t in own]
    seen: set[str] = set()
    tags = []
    for tag in candidates:
        # Longer tags are unreadable and the apps cut them: a long product name is tagged by
        # its brand and category instead.
        if tag and 2 < len(tag) <= MAX_TAG_LENGTH and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags[:MAX_TAGS]


def _letters(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"['’ʼ\-‐]", "", text)
    return " ".join(re.findall(r"[^\W_]+", text))


def _tidy(text: str) -> str:
    return text.strip().strip(",;:").rstrip(".!")


# --- per clip, per language --------------------------------------------------------------


class Fragments:
    """Translates what the host said into the other languages, through the subtitles' engines;
    None where no text route reaches a language."""

    def __init__(self, settings: Settings, source: str, products: Sequence[Product]):
        self.settings, self.source = settings, source
        self.names = [name for product in products for name in product.names] + list(settings.translation.keep)
        self._translator: Translator | None = None
        self._engines: list = []

    def translate(self, texts: list[str], target: str) -> list[str] | None:
        if target == self.source or not texts:
            return list(texts)
        if not self.settings.translation.enabled:
            return None
        from .translation.engines import load_engines
        from .translation.routes import candidate_routes
        from .translation.tracks import Translator  # noqa: F811  (loaded only when a language needs it)

        translator = self._translator
        if translator is None:
            translator = self._translator = Translator(self.settings.translation, self.names)
            try:
                self._engines = load_engines(self.settings.translation, self.source, self.settings.transcribe)
            except Exception as exc:  # an engine that fails to load: no translated hooks, the copy still made
                log.warning("social copy: translation engines unavailable: %s", exc)
                self._engines = []
        for route in candidate_routes(self.source, target, self._engines):
            try:
                return translator.translate(texts, route)
            except Exception as exc:  # a broken route: the next one, as the subtitles do
                log.debug("social copy: %s failed: %s", route.label, exc)
        return None

    def close(self) -> None:
        if self._translator is not None:
            self._translator.close()


def social_copy(clips: Sequence[Clip], words: Sequence[Word], spoken: str, targets: Sequence[str],
                products: Sequence[Product], settings: Settings) -> dict[str, dict[str, SocialCopy]]:
    """clip id -> language -> copy, for the spoken language and every language of `targets`."""
    catalog = {p.id: p for p in products}
    order = list(dict.fromkeys([spoken, *[t for t in targets if t in languages.codes()]]))
    fragments = Fragments(settings, spoken, products)
    found = []
    for clip in clips:
        # The reviewer's caption corrections (decisions.json) are what the host said, for the copy.
        inside = clip_words(fix_words(words, clip.caption_fixes, spoken, clip.start, clip.end), clip)
        product = next((catalog[p] for p in clip.products if p in catalog), None)
        offer, question = find_offer(inside, spoken), find_question(inside, spoken)
        if product is not None and question is not None and len(question) + len(product.name) + 1 > TITLE_LIMIT:
            question = None  # a long question would crowd the product out of the title
        found.append((clip, product, offer, question, keywords(inside, spoken, product.names if product else ())))
    # Only whole phrases are translated: single words out of context come back in another sense
    # ("tracks" -> "pistas"), so the clip's own words tag the spoken language only.  All clips'
    # phrases go to the engines at once, one batch per language.
    said = list(dict.fromkeys(text for _, _, offer, question, _ in found for text in (offer, question) if text))
    result: dict[str, dict[str, SocialCopy]] = {clip.id: {} for clip in clips}
    try:
        for language in order:
            translated = fragments.translate(said, language)
            into = dict(zip(said, translated)) if translated is not None else None
            for clip, product, offer, question, tags in found:
                if into is None:  # nothing reaches this language: only what needs no words
                    result[clip.id][language] = compose(language, product, None, None, clip.start, [])
                    continue
                result[clip.id][language] = compose(
                    language, product, _tidy(into[offer]) or None if offer else None,
                    into[question].strip() or None if question else None, clip.start,
                    tags if language == spoken else [])
    finally:
        fragments.close()
    return result


# --- the batch posting sheet ---------------------------------------------------------------


def posting_rows(out: Path, replay_dirs: Iterable[Path]) -> list[dict[str, str]]:
    """One row per clip, format and language of every replay's manifest under `out`."""
    rows = []
    for folder in replay_dirs:
        try:
            manifest = read_json(folder / "manifest.json")
        except (OSError, ValueError):
            continue  # a failed replay has no manifest: nothing to post
        products = {p["id"]: p for p in manifest.get("products", [])}
        for clip in manifest.get("clips", []):
            product: dict[str, Any] = next((products[p] for p in clip.get("products", []) if p in products), {})
            files: Mapping[str, str] = clip.get("files") or {clip.get("mode", "exact"): clip["file"]}
            for mode, file in files.items():
                for language, copy in (clip.get("social") or {}).items():
                    rows.append({
                        "replay": manifest.get("slug", folder.name), "clip": clip["id"], "format": mode,
                        "language": language, "file": (folder / file).relative_to(out).as_posix(),
                        "title": copy["title"], "description": copy["description"],
                        "hashtags": " ".join(copy["hashtags"]), "product": product.get("name", ""),
                        "url": product.get("url") or "", "duration": f"{clip['end'] - clip['start']:.2f}"})
    return rows


def write_posting_sheet(out: Path, replay_dirs: Iterable[Path]) -> Path:
    """`out/posting.csv`: every clip in every format and language with its copy (UTF-8 with a
    byte-order mark, which spreadsheet programs need to read Cyrillic and Polish right)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=POSTING_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(posting_rows(out, replay_dirs))
    target = out / "posting.csv"
    write_text(target, "\ufeff" + buffer.getvalue())
    return target
