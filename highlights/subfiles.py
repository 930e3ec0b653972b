"""Subtitle files: writing cues as SRT, WebVTT and ASS, and reading any subtitle file back
as cues, all through pysubs2.  Lint, review and the recap read files with `read_cues`; the
subtitles stage and review write them with `write_subtitles` / `to_ssafile`."""

from __future__ import annotations

from pathlib import Path

import pysubs2

from .edits import write_generated
from .records import Cue

# The font shipped in highlights/fonts (a fresh machine has no Arial); vertical clips burn with it.
FONT_FAMILY = "Noto Sans"


def to_ssafile(cues: list[Cue], frame: tuple[int, int] | None = None) -> pysubs2.SSAFile:
    """Cues as a pysubs2 file, styled for a picture of `frame` (width, height)."""
    subs = pysubs2.SSAFile()
    width, height = frame or (1920, 1080)
    subs.info.update({"PlayResX": str(width), "PlayResY": str(height), "WrapStyle": "2",
                      "ScaledBorderAndShadow": "yes"})
    # Sizes relative to the picture, so a vertical clip and a 4K replay both read well; lines
    # are broken by us (WrapStyle 2: the renderer never re-wraps them).
    size = round(min(width, height) * 0.055)
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=FONT_FAMILY, fontsize=size, primarycolor=pysubs2.Color(255, 255, 255),
        outlinecolor=pysubs2.Color(0, 0, 0), backcolor=pysubs2.Color(0, 0, 0, 128), bold=False,
        outline=max(1, round(size / 18)), shadow=0, alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=round(width * 0.05), marginr=round(width * 0.05), marginv=round(height * 0.06))
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000),
                                     text=r"\N".join(line.replace("{", "(").replace("}", ")") for line in cue.lines)))
    return subs


def write_subtitles(cues: list[Cue], base: Path, ass: bool = True, frame: tuple[int, int] | None = None,
                    *, notice: str | None = None) -> dict[str, Path]:
    """Write `<base>.srt`, `<base>.vtt` and (with `ass`) `<base>.ass`; a file a person edited is
    kept as it is.  `frame` is the picture's width and height, for the ASS style.  `notice`
    (e.g. "Machine translation, not reviewed: ...") goes into the header where the format
    has room for a comment: a WebVTT `NOTE` block, a `;` line of the ASS `[Script Info]`
    (SRT has none).  Returns the paths by format."""
    subs = to_ssafile(cues, frame)
    paths = {}
    for fmt in ("srt", "vtt", "ass") if ass else ("srt", "vtt"):
        path = base.with_name(base.name + f".{fmt}")
        text = subs.to_string(fmt)
        if notice:
            line = " ".join(notice.split()).replace("-->", "->")  # a NOTE may not hold "-->"
            if fmt == "vtt" and text.startswith("WEBVTT"):
                head, _, rest = text.partition("\n\n")
                text = f"{head}\n\nNOTE {line}\n\n{rest}"
            elif fmt == "ass" and "[Script Info]\n" in text:
                text = text.replace("[Script Info]\n", f"[Script Info]\n; {line}\n", 1)
        write_generated(path, text)
        paths[fmt] = path
    return paths


class SubtitleFileError(ValueError):
    pass


def read_cues(path: Path, frame_rate: float = 25.0) -> list[Cue]:
    """Cues of any subtitle file pysubs2 reads (SRT, WebVTT, ASS/SSA, MicroDVD, ...); raises
    `SubtitleFileError` for a file that is not one, FileNotFoundError for none at all."""
    try:
        subs = pysubs2.load(str(path), encoding="utf-8", fps=frame_rate)
    except FileNotFoundError:
        raise
    except UnicodeDecodeError:
        raise SubtitleFileError(f"{path}: not UTF-8 text") from None
    except (pysubs2.Pysubs2Error, ValueError, OSError) as exc:
        raise SubtitleFileError(f"{path}: not a subtitle file ({type(exc).__name__}: {exc})") from None
    cues = []
    for event in subs:
        if event.is_comment:
            continue
        lines = [line.strip() for line in event.plaintext.split("\n") if line.strip()]
        cues.append(Cue(event.start / 1000, event.end / 1000, lines))
    return cues


__all__ = ["FONT_FAMILY", "SubtitleFileError", "read_cues", "to_ssafile", "write_subtitles"]
