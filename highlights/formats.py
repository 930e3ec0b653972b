"""The clip formats a run can write, as data: what the clips stage dispatches on.

`copy` and `exact` keep the replay's picture; the social formats (`vertical` 9:16,
`square` 1:1, `portrait` 4:5) are reframed around the host, carry burned-in captions and a
product card inside the margins the apps keep free, and are encoded together from one decode
of the clip's span (`clips.cut_formats`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class ClipFormat:
    name: str
    size: tuple[int, int] | None = None  # the output picture; None: the source's own
    # The apps' buttons and texts cover these edges (pixels of `size`): sides, top, bottom.
    margin_x: int = 0
    margin_top: int = 0
    margin_bottom: int = 0

    @property
    def social(self) -> bool:
        """Reframed for a phone, with captions and a product card burned in."""
        return self.size is not None

    @property
    def aspect(self) -> Fraction:
        """Width over height of the picture (social formats only)."""
        if self.size is None:
            raise ValueError(f"{self.name} keeps the source's aspect")
        return Fraction(*self.size)


# Margins from the platforms' safe-zone guides: TikTok/Reels/Shorts put the like and share
# column on the right and the account name and description over the bottom fifth; the 1:1 and
# 4:5 feed posts have only the small overlays of a feed (the mute button, the tag icon).
FORMATS: dict[str, ClipFormat] = {
    "copy": ClipFormat("copy"),
    "exact": ClipFormat("exact"),
    "vertical": ClipFormat("vertical", (1080, 1920), margin_x=120, margin_top=230, margin_bottom=440),
    "square": ClipFormat("square", (1080, 1080), margin_x=80, margin_top=80, margin_bottom=140),
    "portrait": ClipFormat("portrait", (1080, 1350), margin_x=80, margin_top=110, margin_bottom=200),
}
FORMAT_NAMES = tuple(FORMATS)


def get_format(name: str) -> ClipFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown clip mode {name!r}; choose {', '.join(FORMAT_NAMES)}") from None


def parse_modes(value: str) -> list[str]:
    """`"vertical, square"` -> `["vertical", "square"]`, unknown or repeated names refused."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise ValueError("no clip mode given")
    for name in names:
        get_format(name)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"clip mode(s) {', '.join(repeated)} given twice")
    return names
