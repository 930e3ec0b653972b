"""Burned-in captions and the product card of the social formats (vertical, square, portrait).

An ASS script (written by pysubs2) styled for a 1080x1920 phone screen, rendered by libass
inside ffmpeg with the font this package ships (`fonts/ttf/NotoSans-Bold.ttf`, SIL OFL): a
fresh machine has no fonts at all, and Cyrillic and Polish letters must never fall back to
boxes.  Text widths are measured with fontTools on that same font, so a caption is one line
that stays inside the safe margins the apps leave free (their buttons sit on the right
edge, the account name and description at the bottom, tabs at the top).

Captions are word by word in the styles of `highlights/styles/` (2-5 word groups broken on
phrase boundaries, the word being spoken in the highlight colour with a small scale pop) or,
in the `line` style, one static line per phrase."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pysubs2

from .config import SubtitleSettings
from .formats import ClipFormat
from .records import Cue, Product, Word
from .styles import CaptionLook, rgba
from .subtitles import FONT_FAMILY, build_cues
from .text import DisplayWord, display_words
from .typography import typography

FONTS_DIR = Path(__file__).resolve().parent / "fonts" / "ttf"  # only font files: libass loads all of them
FONT_FILE = FONTS_DIR / "NotoSans-Bold.ttf"

# One sentence per spoken language, to learn how wide an average character of the
# shipped font is in each script; the widest decides how many characters fit a line.
SAMPLE_TEXT = (
    "The quick brown fox jumps over the lazy dog",
    "Съешь же ещё этих мягких французских булок, да выпей чаю",
    "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів!",
    "Pchnąć w tę łódź jeża lub ośm skrzyń fig",
    "El veloz murciélago hindú comía feliz cardillo y kiwi",
    "Luís argüia à Júlia que brações, fé, chá, óxido, pôr e zângão eram palavras",
    "Portez ce vieux whisky au juge blond qui fume",
    "Quel vituperabile xenofobo zelante assaggia il whisky ed esclama: alleluja!",
)
MIN_SCALE = 0.75  # a line that does not fit is shrunk at most this far, then wrapped


@dataclass(frozen=True)
class CaptionStyle:
    """Sizes in pixels of the vertical frame.  ASS font sizes are line heights
    (ascent + descent), as libass and VSFilter read them."""

    width: int = 1080
    height: int = 1920
    font_size: int = 84
    margin_x: int = 120  # both sides: the apps' like/share buttons cover the right edge
    margin_bottom: int = 440  # above the account name and description block
    outline: float = 6.0
    shadow: float = 2.0
    card_font_size: int = 64
    card_top: int = 230  # below the apps' top tabs
    card_padding: float = 16.0
    position: str = "bottom"  # bottom | middle (a style's choice)

    @property
    def line_width(self) -> float:
        """Room for one line of caption text, outline included."""
        return self.width - 2 * self.margin_x - 2 * self.outline


@dataclass
class Overlay:
    """What a vertical clip shows on top of the picture."""

    words: list[Word] = field(default_factory=list)  # the replay's words; those inside the clip are captioned
    subtitles: SubtitleSettings = field(default_factory=SubtitleSettings)  # timing rules for the captions
    language: str | None = None  # of the words: typography and the words a caption does not end on
    product: Product | None = None  # shown as a card: name and price
    script: Path | None = None  # keep the ASS script here; a person's edit of it is burned instead
    look: CaptionLook | None = None  # the caption style (styles/); None: the static line


class FontMetrics:
    """Advance widths of the shipped font, read with fontTools."""

    def __init__(self, path: Path):
        from fontTools.ttLib import TTFont

        font = TTFont(str(path), lazy=True)
        self.cmap = font.getBestCmap()
        self.advances = {name: advance for name, (advance, _) in font["hmtx"].metrics.items()}
        self.units_per_em = font["head"].unitsPerEm
        os2 = font["OS/2"]
        # libass sizes a font by its Windows ascent + descent (as VSFilter does).
        self.line_units = os2.usWinAscent + os2.usWinDescent
        self.missing_advance = self.advances.get(".notdef", self.units_per_em // 2)

    def width(self, text: str, size: float) -> float:
        """Pixel width of `text` set in ASS font size `size` (kerning ignored: it only narrows)."""
        units = sum(self.advances.get(self.cmap.get(ord(char), ".notdef"), self.missing_advance) for char in text)
        return units * size / self.line_units

    def covers(self, text: str) -> bool:
        return all(ord(char) in self.cmap for char in text if not char.isspace())


@functools.cache
def font_metrics() -> FontMetrics:
    return FontMetrics(FONT_FILE)


def chars_per_line(style: CaptionStyle) -> int:
    """How many characters of ordinary text in any of the eight languages fit one line."""
    metrics = font_metrics()
    widest = max(metrics.width(text, style.font_size) / len(text) for text in SAMPLE_TEXT)
    return max(8, math.floor(style.line_width / widest))


def caption_cues(words: list[Word], start: float, end: float, subtitles: SubtitleSettings,
                 style: CaptionStyle, language: str | None = None, keep_together: Iterable[str] = ()) -> list[Cue]:
    """One-line cues for the words spoken inside [start, end], timed from the clip's start:
    the subtitles' phrase rules (Whisper's joins, numbers with their unit, no caption ending
    on a weak word of `language`, sentence ends end a caption, `keep_together` names kept
    on one caption) with one line of the width the font allows."""
    inside = [w for w in words if w.start >= start and w.end <= end]
    one_line = replace(subtitles, max_lines=1, max_chars_per_line=chars_per_line(style))
    return build_cues(inside, one_line, offset=start, duration=end - start, language=language,
                      keep_together=keep_together)


def build_script(cues: list[Cue], style: CaptionStyle, duration: float,
                 product: Product | None = None) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    subs.styles.clear()  # pysubs2's own "Default" names Arial, which a fresh machine does not have
    subs.info.update({"PlayResX": str(style.width), "PlayResY": str(style.height),
                      "WrapStyle": "2", "ScaledBorderAndShadow": "yes"})
    white, black = pysubs2.Color(255, 255, 255), pysubs2.Color(0, 0, 0)
    subs.styles["Caption"] = pysubs2.SSAStyle(
        fontname=FONT_FAMILY, fontsize=style.font_size, bold=True, primarycolor=white, outlinecolor=black,
        backcolor=pysubs2.Color(0, 0, 0, 96), outline=style.outline, shadow=style.shadow,
        alignment=pysubs2.Alignment.BOTTOM_CENTER, marginl=style.margin_x, marginr=style.margin_x,
        marginv=style.margin_bottom)
    # BorderStyle 4 (libass): one box in the back colour behind all lines of the event, the
    # outline width as its padding; the outline itself is transparent.
    subs.styles["Card"] = pysubs2.SSAStyle(
        fontname=FONT_FAMILY, fontsize=style.card_font_size, bold=True, primarycolor=white,
        outlinecolor=pysubs2.Color(0, 0, 0, 255), backcolor=pysubs2.Color(16, 16, 16, 64), borderstyle=4,
        outline=style.card_padding, shadow=0, alignment=pysubs2.Alignment.TOP_CENTER,
        marginl=style.margin_x, marginr=style.margin_x, marginv=style.card_top)
    if product is not None:
        subs.append(pysubs2.SSAEvent(start=0, end=_ms(duration), style="Card",
                                     text=_card_text(product, style)))
    for cue in cues:
        text = " ".join(cue.lines)
        subs.append(pysubs2.SSAEvent(start=_ms(cue.start), end=_ms(cue.end), style="Caption",
                                     text=_fitted(text, style.font_size, style.line_width)))
    return subs


def _card_text(product: Product, style: CaptionStyle) -> str:
    room = style.line_width - 2 * style.card_padding
    text = _fitted(product.name, style.card_font_size, room)
    price = format_price(product)
    if price:
        # The price on its own line, in yellow (ASS colours are &HBBGGRR&); \r drops a
        # size the name may have been shrunk to.
        text += r"\N{\r\c&H00D7FF&}" + _fitted(price, style.card_font_size, room)
    return text


def format_price(product: Product) -> str:
    if product.price is None:
        return ""
    amount = f"{product.price:.0f}" if float(product.price).is_integer() else f"{product.price:.2f}"
    return f"{amount} {product.currency}" if product.currency else amount


def _fitted(text: str, size: float, room: float) -> str:
    """ASS text for one line: shrunk to fit `room` when it is too wide, and allowed to
    wrap (smart wrapping, `\\q0`) only if shrinking to MIN_SCALE is still not enough."""
    text = _escape(text)
    width = font_metrics().width(text, size)
    if width <= room:
        return text
    scale = room / width
    if scale >= MIN_SCALE:
        return rf"{{\fs{size * scale:.1f}}}{text}"
    return rf"{{\fs{size * MIN_SCALE:.1f}\q0}}{text}"


def _escape(text: str) -> str:
    # Braces open ASS override blocks and a backslash starts a tag; spoken text has
    # neither on purpose, so they become look-alike characters.  Runs of ordinary spaces are
    # collapsed; a no-break space (French "prix\u00a0?") is kept, so libass never wraps there.
    text = text.replace("\\", "\u2216").replace("{", "(").replace("}", ")")
    return " ".join(part for part in re.split(r"[ \t\r\n]+", text) if part)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def ass_filter(script: Path) -> str:
    """The ffmpeg `ass` filter that burns `script` with the shipped fonts."""
    return f"ass=filename={filter_value(str(script))}:fontsdir={filter_value(str(FONTS_DIR))}"


def filter_value(value: str) -> str:
    """Escape a string for use as a filter option inside a filtergraph: once for the option
    parser (\\ ' :) and once for the graph parser (\\ ' [ ] , ;), as ffmpeg-filters(1) says."""
    for char in "\\':":
        value = value.replace(char, "\\" + char)
    return "".join("\\" + char if char in "\\'[],;" else char for char in value)



def style_for(fmt: ClipFormat, font_size: int, look: CaptionLook | None = None) -> CaptionStyle:
    """The caption layout of a social format: its picture, its safe margins, the style's size."""
    if fmt.size is None:
        raise ValueError(f"{fmt.name} clips have no burned-in captions")
    width, height = fmt.size
    scale = look.size if look else 1.0
    # A 1:1 or 4:5 frame is shorter: the card keeps to the same share of the height.
    card = round(64 * min(1.0, height / 1920 * 1.4))
    outline = look.outline if look else 6.0
    return CaptionStyle(width=width, height=height, font_size=round(font_size * scale), margin_x=fmt.margin_x,
                        margin_bottom=fmt.margin_bottom, card_top=fmt.margin_top, card_font_size=card,
                        outline=outline, shadow=look.shadow if look else 2.0,
                        position=look.position if look else "bottom")


@dataclass
class WordGroup:
    """Two to five words shown together, timed from the clip's start."""

    words: list[DisplayWord]
    start: float
    end: float

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


CLAUSE_END = re.compile(r"[.!?…,;:)\]»”\"]$")
SENTENCE_END = re.compile(r"[.!?…]([\"»”)\]]*)$")
GROUP_GAP = 0.6  # seconds of silence that end a group
LINGER = 0.3  # a group stays this long after its last word when silence follows
HARD_MAX = 5


def word_groups(words: list[Word], start: float, end: float, look: CaptionLook, style: CaptionStyle,
                language: str | None = None, keep_together: Iterable[str] = ()) -> list[WordGroup]:
    """The words spoken inside [start, end] as groups of at most `look.max_words` (never more
    than 5): a group ends at a clause or sentence end or a pause, never on a weak word of
    `language` ("the", "de"), between a number and its unit, inside a `keep_together` name,
    nor wider than the line."""
    shown = display_words([w for w in words if w.start >= start and w.end <= end], language)
    if not shown:
        return []
    rules = typography(language)
    bound = _bound_to_next(shown, keep_together, rules)
    room = style.line_width
    metrics = font_metrics()
    def held(i: int) -> bool:
        return bound[i] or rules.is_weak(shown[i].text)

    def text_of(indices: list[int]) -> str:
        return _cased(" ".join(shown[i].text for i in indices), look)

    groups: list[list[int]] = [[]]
    for index, word in enumerate(shown):
        group = groups[-1]
        group.append(index)
        following = shown[index + 1] if index + 1 < len(shown) else None
        if following is None:
            break
        natural = (SENTENCE_END.search(word.text) is not None
                   or (CLAUSE_END.search(word.text) is not None and len(group) >= 2)
                   or following.start - word.end > GROUP_GAP)
        if natural:
            groups.append([])
            continue
        wider = metrics.width(text_of([*group, index + 1]), style.font_size) > room
        if not (wider or len(group) >= look.max_words):
            continue
        if not held(index):
            groups.append([])
        elif wider or len(group) >= HARD_MAX:
            # Full on a weak word ("de", "the") or inside a name: the words from the last good
            # break on start the next group instead.
            cut = next((k for k in range(len(group) - 2, -1, -1) if not held(group[k])), None)
            groups.append([])
            if cut is not None:
                groups[-2], groups[-1] = group[:cut + 1], group[cut + 1:]
    groups = [g for g in groups if g]
    # A lone word left at the end of a phrase joins the group before it when it fits.
    merged: list[list[int]] = []
    for group in groups:
        previous = merged[-1] if merged else None
        if (previous is not None and len(group) == 1 and len(previous) < HARD_MAX
                and SENTENCE_END.search(shown[previous[-1]].text) is None
                and shown[group[0]].start - shown[previous[-1]].end <= GROUP_GAP
                and metrics.width(text_of([*previous, *group]), style.font_size) <= room):
            previous.extend(group)
        else:
            merged.append(group)
    timed: list[WordGroup] = []
    for indices in merged:
        timed.append(WordGroup([replace(shown[i], start=round(shown[i].start - start, 3),
                                        end=round(shown[i].end - start, 3)) for i in indices], 0.0, 0.0))
    duration = end - start
    for index, shown_group in enumerate(timed):
        shown_group.start = max(0.0, shown_group.words[0].start)
        last = shown_group.words[-1].end
        after = timed[index + 1].words[0].start if index + 1 < len(timed) else None
        # Groups that follow closely abut: the caption never blinks off between them.
        if after is not None and after - last <= GROUP_GAP + LINGER:
            shown_group.end = after
        else:
            shown_group.end = min(duration, last + LINGER)
        shown_group.end = max(shown_group.end, shown_group.start + 0.05)
    return timed


def _bound_to_next(shown: list[DisplayWord], names: Iterable[str], rules) -> list[bool]:
    """True where a word must stay with the next one: a number before its unit ("49 dollars"),
    every word of a product name but its last."""
    bound = [False] * len(shown)
    for index in range(len(shown) - 1):
        if re.search(r"\d[\d.,]*$", shown[index].text) and rules.is_unit(shown[index + 1].text):
            bound[index] = True
    folded = [re.sub(r"[^\w]+", "", w.text.casefold()) for w in shown]
    for name in names:
        parts = [re.sub(r"[^\w]+", "", p) for p in name.casefold().split()]
        if len(parts) < 2:
            continue
        for index in range(len(shown) - len(parts) + 1):
            if folded[index:index + len(parts)] == parts:
                for k in range(index, index + len(parts) - 1):
                    bound[k] = True
    return bound


def _cased(text: str, look: CaptionLook | None) -> str:
    return text.upper() if look is not None and look.uppercase else text


def _ass_colour(value: str) -> str:
    r, g, b, _ = rgba(value)
    return f"&H{b:02X}{g:02X}{r:02X}&"


def _pysubs_colour(value: str) -> pysubs2.Color:
    r, g, b, a = rgba(value)
    return pysubs2.Color(r, g, b, 255 - a)  # ASS alpha is transparency


def build_word_script(groups: list[WordGroup], style: CaptionStyle, look: CaptionLook, duration: float,
                      product: Product | None = None) -> pysubs2.SSAFile:
    """Word-by-word captions: for each word of a group, one event showing the whole group with
    that word in the highlight colour, popping slightly larger and settling back.  The events of
    a group abut to the millisecond, so nothing blinks between words (nor between groups that
    follow closely)."""
    subs = build_script([], style, duration, product)
    caption = subs.styles["Caption"]
    caption.fontname = look.font
    caption.primarycolor = _pysubs_colour(look.color)
    caption.outlinecolor = _pysubs_colour(look.box_color if look.box else look.outline_color)
    caption.outline = look.outline
    caption.shadow = look.shadow
    if look.box:
        caption.borderstyle = 3  # an opaque box per line, the outline width its padding
    if style.position == "middle":
        caption.alignment = pysubs2.Alignment.MIDDLE_CENTER
        caption.marginv = 0
    highlight, plain = _ass_colour(look.highlight), _ass_colour(look.color)
    spoken = _ass_colour(look.spoken) if look.spoken else plain
    pop = round(look.pop * 100)
    for group in groups:
        texts = [_escape(_cased(w.text, look)) for w in group.words]
        # One size for the whole group, room left for the pop: the line never changes size
        # as the highlight moves.
        width = font_metrics().width(" ".join(texts), style.font_size) + \
            font_metrics().width(max(texts, key=len), style.font_size) * (look.pop - 1)
        size = style.font_size * min(1.0, style.line_width / width) if width else style.font_size
        prefix = rf"{{\fs{size:.1f}}}" if size < style.font_size else ""
        for k, word in enumerate(group.words):
            begin = group.start if k == 0 else word.start
            finish = group.words[k + 1].start if k + 1 < len(group.words) else group.end
            if _ms(finish) <= _ms(begin):
                continue
            parts = []
            for j, text in enumerate(texts):
                if j == k:
                    parts.append(rf"{{\1c{highlight}\fscx{pop}\fscy{pop}\t(0,120,\fscx100\fscy100)}}{text}"
                                 rf"{{\1c{plain}\fscx100\fscy100}}")
                elif j < k:
                    parts.append(rf"{{\1c{spoken}}}{text}{{\1c{plain}}}")
                else:
                    parts.append(text)
            subs.append(pysubs2.SSAEvent(start=_ms(begin), end=_ms(finish), style="Caption",
                                         text=prefix + " ".join(parts)))
    return subs
