"""Burned-in captions and the product card of vertical clips.

An ASS script (written by pysubs2) styled for a 1080x1920 phone screen, rendered by libass
inside ffmpeg with the font this package ships (`fonts/ttf/NotoSans-Bold.ttf`, SIL OFL): a
fresh machine has no fonts at all, and Cyrillic and Polish letters must never fall back to
boxes.  Text widths are measured with fontTools on that same font, so a caption is one line
that stays inside the safe margins the apps leave free (their buttons sit on the right
edge, the account name and description at the bottom, tabs at the top)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pysubs2

from .config import SubtitleSettings
from .records import Cue, Product, Word
from .subtitles import FONT_FAMILY, build_cues

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
