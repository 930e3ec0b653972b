"""What the recap page shows, worked out in Python from the manifest: `recap.html.j2` only
renders these records (no counting, no dict building, no product lookups in the template).

Everything here is pure: no file is read, so a view can be built and checked in a test from
records alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from .caption_fixes import fix_words
from .decisions import ClipDecision, Decisions
from .formats import FORMATS
from .records import CaptionFix, Clip, Manifest, SocialCopy, Transcript, Word
from .text import join_words


@dataclass(frozen=True)
class ProductRow:
    """A product named in the replay, for the "Products found" table."""

    id: str
    name: str
    url: str | None  # as in the catalog: the template's web_url filter drops anything but http(s)
    price: str | None  # "49 USD", "29.90 EUR"; None when the catalog has no price
    mentions: int
    clips: int


@dataclass(frozen=True)
class MentionMark:
    """A mention on the timeline."""

    start: float
    text: str
    product_name: str


@dataclass(frozen=True)
class FormatLink:
    mode: str
    file: str
    thumbnail: str | None
    label: str  # "vertical 9:16 · 1080x1920"


def _format_label(mode: str) -> str:
    size = FORMATS[mode].size if mode in FORMATS else None
    if size is None:
        return mode
    ratio = Fraction(*size)
    return f"{mode} {ratio.numerator}:{ratio.denominator} · {size[0]}x{size[1]}"


def social_text(copy: SocialCopy) -> str:
    """Title, description and hashtags as one post, the way the apps' caption field takes them."""
    return "\n\n".join(part for part in (copy.title, copy.description, " ".join(copy.hashtags)) if part)


@dataclass(frozen=True)
class ClipCard:
    """A clip, numbered as on the page (1-based), with its products' names."""

    number: int
    clip: Clip
    product_names: list[str]
    # the reviewer's decisions from decisions.json, if any: status ("approved", "rejected"),
    # a title, and edges that the next run will cut the clip at
    status: str | None = None
    title: str | None = None
    decided_start: float | None = None
    decided_end: float | None = None
    # the reviewer's caption corrections (decisions.json), and the clip's text in the spoken
    # language as its captions and subtitles show it now (the corrections it was made with)
    fixes: tuple[CaptionFix, ...] = ()
    caption_text: str = ""

    @property
    def trimmed(self) -> bool:
        return self.decided_start is not None or self.decided_end is not None

    @property
    def fixes_pending(self) -> bool:
        """The corrections in decisions.json are not the ones the clip was made with: the
        next run applies them."""
        return list(self.fixes) != list(self.clip.caption_fixes)

    @property
    def formats(self) -> list[FormatLink]:
        """Every format the clip was written in, first the one the card plays."""
        files = self.clip.files or {self.clip.mode: self.clip.file}
        return [FormatLink(mode, path, self.clip.thumbnails.get(mode), _format_label(mode))
                for mode, path in files.items()]

    @property
    def social(self) -> list[tuple[str, SocialCopy, str]]:
        """(language, copy, the text the copy button puts on the clipboard) per language."""
        return [(code, copy, social_text(copy)) for code, copy in self.clip.social.items()]

    @property
    def edges(self) -> tuple[float, float]:
        """Where the clip is to start and end: the reviewer's edges, else the cut's."""
        start = self.decided_start if self.decided_start is not None else self.clip.start
        end = self.decided_end if self.decided_end is not None else self.clip.end
        return start, end


@dataclass(frozen=True)
class RecapView:
    duration: float
    source_language: str
    # CSS aspect-ratio of the picture as shown (a rotated phone video is upright), e.g. "1080 / 1920"
    aspect: str | None
    # the replay section is there when there is something to show in it
    show_replay: bool
    products: list[ProductRow]
    mentions: list[MentionMark]
    clips: list[ClipCard]
    # every subtitle language of the replay or of a clip, in first-seen order: the page's chooser
    subtitle_languages: list[str] = field(default_factory=list)
    # why decisions.json was ignored, in one line (None: no file, or a good one)
    decisions_problem: str | None = None
    # the live room's activity as SVG polyline points in a 0-100 x 0-20 box (None: no events)
    activity_points: str | None = None
    activity_peak: int = 0  # viewers active in the busiest bin


def price_text(price: float | None, currency: str | None) -> str | None:
    """A catalog price as the page shows it: whole amounts without decimals."""
    if price is None:
        return None
    amount = f"{price:.0f}" if price == round(price) else f"{price:.2f}"
    return f"{amount} {currency}" if currency else amount


def aspect_ratio(manifest: Manifest) -> str | None:
    media = manifest.media
    if not media or not media.width or not media.height:
        return None
    if (media.rotation or 0) % 180:
        return f"{media.height} / {media.width}"
    return f"{media.width} / {media.height}"


def recap_view(manifest: Manifest, transcript: Transcript, video_src: str | None,
               decisions: Decisions | None = None, decisions_problem: str | None = None) -> RecapView:
    """The recap page's data, with the reviewer's `decisions` on the clips."""
    names = {p.id: p.name for p in manifest.products}
    mention_counts = Counter(m.product for m in manifest.mentions)
    # a clip counts once for each product it shows, however often the product is listed
    clip_counts = Counter(pid for clip in manifest.clips for pid in dict.fromkeys(clip.products))
    products = [ProductRow(p.id, p.name, p.url, price_text(p.price, p.currency), mention_counts[p.id],
                           clip_counts[p.id])
                for p in manifest.products if mention_counts[p.id] or clip_counts[p.id]]
    languages = list(dict.fromkeys([*manifest.subtitles, *(code for c in manifest.clips for code in c.subtitles)]))
    duration = manifest.duration or transcript.duration or 0
    decided = decisions.clips if decisions else {}
    words = transcript.words
    return RecapView(
        duration=duration,
        source_language=manifest.language or transcript.language or "",
        aspect=aspect_ratio(manifest),
        show_replay=bool(video_src or duration > 0 or manifest.subtitles),
        products=products,
        mentions=[MentionMark(m.start, m.text, names.get(m.product, m.product)) for m in manifest.mentions],
        clips=[_card(number, clip, names, decided, words, transcript.language)
               for number, clip in enumerate(manifest.clips, start=1)],
        subtitle_languages=languages,
        decisions_problem=decisions_problem,
        activity_points=activity_points(manifest.activity, duration),
        activity_peak=int(max((n for _t, n in manifest.activity), default=0)),
    )


def activity_points(activity: list[list[float]], duration: float) -> str | None:
    """The live room's activity per bin as polyline points: x in percent of the replay, y
    from 20 (nobody) up to 2 (the busiest bin)."""
    if not activity or duration <= 0:
        return None
    peak = max(n for _t, n in activity) or 1
    points = [(min(100.0, t / duration * 100), 20 - 18 * n / peak) for t, n in activity]
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def clip_text(clip: Clip, words: list[Word], language: str | None) -> str:
    """What is said in `clip`, with the caption corrections it was made with, as its
    subtitles in `language` (the spoken one) set it."""
    fixed = fix_words(words, clip.caption_fixes, language, clip.start, clip.end)
    return join_words([w for w in fixed if w.start >= clip.start and w.end <= clip.end], language)


def _card(number: int, clip: Clip, names: dict[str, str], decided: dict[str, ClipDecision], words: list[Word],
          language: str | None) -> ClipCard:
    decision = decided.get(clip.id) or ClipDecision()
    product_names = [names.get(pid, pid) for pid in clip.products]
    return ClipCard(number, clip, product_names, decision.status, decision.title, decision.start, decision.end,
                    decision.captions, clip_text(clip, words, language))
