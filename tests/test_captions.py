"""Burned-in captions: the shipped font, rendered by the real libass in ffmpeg, on a machine
whose own fonts are hidden (an empty fontconfig), as on a fresh install."""

import os
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from highlights.captions import (
    FONT_FILE,
    MIN_SCALE,
    SAMPLE_TEXT,
    CaptionStyle,
    ass_filter,
    build_script,
    caption_cues,
    chars_per_line,
    font_metrics,
    format_price,
)
from highlights.config import SubtitleSettings
from highlights.records import Cue, Product, Word

STYLE = CaptionStyle()
LETTERS = {
    "pl": "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ",
    "uk": "ґєіїҐЄІЇʼ’",
    "ru": "ёЁйЙщЩъыэюя",
    "es": "ñÑ¿¡áéíóúü",
    "pt": "ãõçâêôàÃÕÇ",
    "fr": "œŒæàâçéèêëîïôùûüÿ«»",
    "it": "àèéìíòóù",
    "prices": "€₽₴$£%",
}


def render(ffmpeg, script, png: Path, tmp_path: Path, seconds: float = 0.5) -> str:
    """Burn `script` onto a plain frame with system fonts hidden; returns ffmpeg's verbose log."""
    ass = tmp_path / f"{png.stem}.ass"
    ass.write_text(script.to_string("ass"), encoding="utf-8")
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text('<?xml version="1.0"?><fontconfig><cachedir>' + str(tmp_path / "fc-cache")
                          + "</cachedir></fontconfig>\n")
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}
    result = subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "verbose", "-y", "-f", "lavfi", "-i",
                             "color=c=0x305080:s=1080x1920:d=1", "-vf", ass_filter(ass), "-ss", str(seconds),
                             "-frames:v", "1", str(png)], capture_output=True, text=True, env=env, check=True)
    return result.stderr


def white_box(png: Path) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of the white caption text."""
    image = cv2.imread(str(png))
    ys, xs = np.nonzero((image > 235).all(axis=2))
    return xs.min(), ys.min(), xs.max(), ys.max()


def test_the_shipped_font_covers_every_language_and_price_sign():
    assert FONT_FILE.is_file() and (FONT_FILE.parent.parent / "OFL.txt").is_file()
    metrics = font_metrics()
    for language, letters in LETTERS.items():
        assert metrics.covers(letters), language


def test_cyrillic_and_polish_render_with_the_shipped_font(ffmpeg, tmp_path, output_dir):
    lines = ["Zażółć gęślą jaźń", "Ґанок, їжак, єнот", "Съешь ещё булок"]
    cues = [Cue(0.0, 1.0, [line]) for line in lines]
    for index, cue in enumerate(cues):
        png = output_dir / f"caption-{index}.png"
        log = render(ffmpeg, build_script([cue], STYLE, 1.0), png, tmp_path)
        assert "fontselect: (Noto Sans, 700, 0) -> NotoSans-Bold" in log
        assert "not found" not in log.lower(), log  # libass reports glyphs it has to look for elsewhere
        x0, y0, x1, y1 = white_box(png)
        assert y1 <= STYLE.height - STYLE.margin_bottom and y0 > STYLE.height / 2
    # The accents are drawn, not dropped: Polish letters render differently from plain ones.
    plain = output_dir / "caption-plain.png"
    render(ffmpeg, build_script([Cue(0.0, 1.0, ["Zazolc gesla jazn"])], STYLE, 1.0), plain, tmp_path)
    difference = cv2.absdiff(cv2.imread(str(plain)), cv2.imread(str(output_dir / "caption-0.png")))
    assert (difference > 100).any(axis=2).sum() > 500


def test_product_card_shows_name_and_price(ffmpeg, tmp_path, output_dir):
    product = Product("aurora-watch", "Aurora smart watch", price=49, currency="USD")
    assert format_price(product) == "49 USD"
    assert format_price(Product("x", "X", price=1299.5, currency="UAH")) == "1299.50 UAH"
    png = output_dir / "card.png"
    render(ffmpeg, build_script([], STYLE, 1.0, product), png, tmp_path)
    image = cv2.imread(str(png))
    top = image[STYLE.card_top - 20:STYLE.card_top + 200]
    yellow = (top[:, :, 2] > 200) & (top[:, :, 1] > 170) & (top[:, :, 0] < 80)  # the price
    white = (top > 235).all(axis=2)  # the name
    assert yellow.sum() > 300 and white.sum() > 1000


def test_a_long_caption_is_shrunk_to_stay_inside_the_safe_margins(ffmpeg, tmp_path, output_dir):
    text = "Суперпопулярнішийтовар!"  # one word, wider than the line at full size
    assert font_metrics().width(text, STYLE.font_size) > STYLE.line_width
    script = build_script([Cue(0.0, 1.0, [text])], STYLE, 1.0)
    assert r"\fs" in script.events[0].text
    png = output_dir / "long.png"
    render(ffmpeg, script, png, tmp_path)
    x0, _, x1, _ = white_box(png)
    assert x0 >= STYLE.margin_x - 2 and x1 <= STYLE.width - STYLE.margin_x + 2


def test_cues_are_one_line_that_fits(ffmpeg):
    words, at = [], 0.0
    for sentence in SAMPLE_TEXT:
        for token in sentence.split():
            words.append(Word(at, at + 0.3, " " + token))
            at += 0.35
    cues = caption_cues(words, 0.0, at, SubtitleSettings(), STYLE)
    assert len(cues) > 10 and all(len(cue.lines) == 1 for cue in cues)
    limit = chars_per_line(STYLE)
    assert 15 <= limit <= 40
    for cue in cues:
        width = font_metrics().width(cue.lines[0], STYLE.font_size)
        shown = width if width <= STYLE.line_width else width * MIN_SCALE  # shrunk, at most this far
        assert len(cue.lines[0]) <= limit and shown <= STYLE.line_width


def test_captions_are_timed_from_the_clip_start():
    words = [Word(10.0, 10.4, " Hello"), Word(10.5, 11.0, " there."), Word(20.0, 20.5, " Outside.")]
    cues = caption_cues(words, 9.5, 15.0, SubtitleSettings(), STYLE)
    assert [c.lines for c in cues] == [["Hello there."]] and cues[0].start == pytest.approx(0.5)


@pytest.mark.parametrize("folder", ["a:b,c", "it's [x];y", "back\\slash dir"])
def test_odd_folder_names_survive_the_filtergraph(ffmpeg, tmp_path, folder):
    odd = tmp_path / folder
    odd.mkdir()
    png = odd / "odd.png"
    render(ffmpeg, build_script([Cue(0.0, 1.0, ["Działa"])], STYLE, 1.0), png, odd)
    assert white_box(png)[3] > STYLE.height / 2
