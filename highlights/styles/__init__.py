"""Caption styles of the social formats, as data: one TOML file per style beside this module
(`clean.toml`, `bold.toml`, `karaoke.toml`, `line.toml`).  A new style is one new file.

A file has one `[style]` table; every key is a field of `CaptionLook` (colours as `#RRGGBB`
or `#RRGGBBAA`, AA the opacity)."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSITIONS = ("bottom", "middle")


class StyleError(ValueError):
    pass


@dataclass(frozen=True)
class CaptionLook:
    name: str
    font: str = "Noto Sans"  # a family shipped in highlights/fonts/ttf (a fresh machine has no other)
    words: bool = True  # word by word (2-5 word groups, the spoken word highlighted); False: one static line
    max_words: int = 4  # at most this many words a group (2-5)
    size: float = 1.0  # of `clips.caption_size`
    uppercase: bool = False
    color: str = "#FFFFFF"
    highlight: str = "#FFD700"  # the word being spoken
    spoken: str = ""  # words already spoken keep this colour (karaoke); empty: back to `color`
    pop: float = 1.12  # the spoken word grows this much and settles back
    outline: float = 6.0
    outline_color: str = "#000000"
    shadow: float = 2.0
    box: bool = False  # an opaque box behind the group instead of an outline
    box_color: str = "#000000B0"
    position: str = "bottom"  # bottom: above the apps' description block; middle: the centre of the screen


def style_names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.toml"))


@functools.cache
def get_style(name: str) -> CaptionLook:
    path = HERE / f"{name}.toml"
    if not path.is_file():
        raise StyleError(f"unknown caption style {name!r}; choose {', '.join(style_names())}")
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("style", {})
    known = {f.name for f in fields(CaptionLook)} - {"name"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise StyleError(f"{path.name}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    look = CaptionLook(name=name, **table)
    for key in ("color", "highlight", "spoken", "outline_color", "box_color"):
        value = getattr(look, key)
        if value and not re.fullmatch(r"#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?", value):
            raise StyleError(f"{path.name}: {key} = {value!r} is not #RRGGBB or #RRGGBBAA")
    if not 2 <= look.max_words <= 5:
        raise StyleError(f"{path.name}: max_words = {look.max_words}: a group holds 2 to 5 words")
    if look.font not in shipped_fonts():
        raise StyleError(f"{path.name}: font = {look.font!r} is not shipped in highlights/fonts/ttf "
                         f"({', '.join(sorted(shipped_fonts()))})")
    if look.position not in POSITIONS:
        raise StyleError(f"{path.name}: position = {look.position!r}; choose {', '.join(POSITIONS)}")
    return look


@functools.cache
def shipped_fonts() -> frozenset[str]:
    """Family names of the font files libass is given (`highlights/fonts/ttf`)."""
    from fontTools.ttLib import TTFont

    names = set()
    for path in (HERE.parent / "fonts" / "ttf").glob("*.[ot]tf"):
        family = TTFont(str(path), lazy=True)["name"].getDebugName(1)
        if family:
            names.add(family)
    return frozenset(names)


def rgba(value: str) -> tuple[int, int, int, int]:
    """`#RRGGBB[AA]` -> (r, g, b, a), a the opacity 0-255."""
    digits = value.lstrip("#")
    alpha = int(digits[6:8], 16) if len(digits) == 8 else 255
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha
