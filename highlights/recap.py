"""Render the per-replay recap page and the batch index from the jinja2 templates.

This module only produces HTML strings; the pipeline decides where and how to write them.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2

from .records import Manifest, Transcript, to_dict

LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "it": "Italiano",
    "pl": "Polski",
    "uk": "Українська",
}

_PACKAGE_DIR = Path(__file__).resolve().parent

# Chrome refuses <track src="x.vtt"> on file:// pages (every file is its own origin), so
# subtitles are inlined as data: URLs, which it accepts; past this size a page would get
# too heavy and the track falls back to the plain relative link.
_INLINE_VTT_MAX_BYTES = 1 << 20

# Keys the index template reads; entries for failed replays (or BatchEntry dicts) lack
# most of them, and StrictUndefined would otherwise turn a missing key into an error.
_INDEX_ENTRY_DEFAULTS: dict[str, Any] = {
    "input": "",
    "status": "failed",
    "error": None,
    "dir": None,
    "title": None,
    "duration": None,
    "language": None,
    "clip_count": 0,
    "thumbnail": None,
    "products": [],
}


def template_dir() -> Path:
    """Folder holding the templates: inside the installed package for a wheel, else the
    repository's top-level `templates/` for an editable or plain checkout."""
    candidates = [_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates"]
    for candidate in candidates:
        if (candidate / "recap.html.j2").is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"highlights: HTML templates not found (looked for recap.html.j2 in {tried}); "
        "reinstall the package or run from a full source checkout"
    )


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        # The stock select_autoescape only looks at the last suffix, so "recap.html.j2"
        # would render unescaped; every template here is HTML, so default to escaping too.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2", "j2"),
            default_for_string=True,
            default=True,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["timestamp"] = timestamp
    env.filters["clock"] = clock
    env.filters["percent"] = percent
    env.filters["relurl"] = relurl
    env.filters["web_url"] = web_url
    env.filters["first_line"] = first_line
    env.filters["basename"] = basename
    return env


def render_recap(
    manifest: Manifest,
    transcript: Transcript,
    video_src: str | None,
    title: str | None = None,
    replay_dir: str | Path | None = None,
) -> str:
    """HTML of `OUT/<slug>/recap.html`.

    `video_src` is a file path relative to that folder, e.g. from os.path.relpath (the
    template URL-encodes it), or None for no main player.  Pass `replay_dir` (the `OUT/<slug>` folder) to inline the VTT files so
    subtitles also play when the page is opened from disk in Chrome.
    """
    context = {
        "manifest": to_dict(manifest),
        "transcript": to_dict(transcript),
        "video_src": video_src or None,
        "title": title or recap_title(manifest),
        "language_names": dict(LANGUAGE_NAMES),
        "inline_vtt": _inline_vtt(manifest, replay_dir) if replay_dir is not None else {},
    }
    return environment().get_template("recap.html.j2").render(context)


def render_index(entries: list[dict], generated_at: str) -> str:
    """HTML of `OUT/index.html`; paths in `entries` are relative to OUT."""
    rows = []
    for entry in entries:
        data = to_dict(entry)  # also accepts BatchEntry records
        row = {**_INDEX_ENTRY_DEFAULTS, **data}
        row["products"] = list(row["products"] or [])
        row["clip_count"] = row["clip_count"] or 0
        rows.append(row)
    counts = {
        "ok": sum(1 for row in rows if row["status"] == "ok"),
        "failed": sum(1 for row in rows if row["status"] != "ok"),
    }
    context = {
        "entries": rows,
        "generated_at": generated_at,
        "counts": counts,
        "language_names": dict(LANGUAGE_NAMES),
    }
    return environment().get_template("index.html.j2").render(context)


def _inline_vtt(manifest: Manifest, replay_dir: str | Path) -> dict[str, str]:
    """Relative VTT path -> data: URL, for the files that exist and are small enough."""
    root = Path(replay_dir).resolve()
    paths = [files.vtt for files in manifest.subtitles.values()]
    paths += [files.vtt for clip in manifest.clips for files in clip.subtitles.values()]
    inlined: dict[str, str] = {}
    for rel in paths:
        if not rel or rel in inlined:
            continue
        path = (root / rel).resolve()
        # The manifest is data; don't let a crafted path pull files from outside the folder.
        if not path.is_relative_to(root) or not path.is_file():
            continue
        if path.stat().st_size > _INLINE_VTT_MAX_BYTES:
            continue
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        inlined[rel] = "data:text/vtt;charset=utf-8;base64," + encoded
    return inlined


def recap_title(manifest: Manifest) -> str:
    """Human title of a replay; the pipeline can reuse it for the index entry."""
    stem = PurePath(manifest.input.replace("\\", "/")).stem if manifest.input else ""
    return stem or manifest.slug


# --- filters -----------------------------------------------------------------------------


def _finite(seconds: Any) -> float | None:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def timestamp(seconds: Any) -> str:
    """Seconds -> "m:ss" or "h:mm:ss", truncated like a player's clock."""
    value = _finite(seconds)
    if value is None:
        return "–"
    total = int(max(value, 0.0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def clock(seconds: Any) -> str:
    """Seconds -> "mm:ss.s" (or "h:mm:ss.s" past an hour), for precise clip bounds."""
    value = _finite(seconds)
    if value is None:
        return "–"
    # Round once on the whole tenths so 59.96 becomes 01:00.0, not 00:60.0.
    tenths = int(round(max(value, 0.0) * 10))
    whole, frac = divmod(tenths, 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}.{frac}"
    return f"{minutes:02d}:{secs:02d}.{frac}"


def percent(value: Any, total: Any) -> str:
    """Position of `value` within `total` as a CSS percentage number, clamped to 0-100."""
    v, t = _finite(value), _finite(total)
    if v is None or not t or t <= 0:
        return "0"
    return f"{min(max(v / t * 100.0, 0.0), 100.0):.3f}"


def relurl(path: Any) -> str:
    """A stored relative file path as a URL: '#', '?', spaces or a 'c:' prefix in a file
    name must not turn into a fragment, query or URL scheme."""
    if path is None:
        return ""
    return quote(str(path).replace("\\", "/"), safe="/")


def web_url(url: Any) -> str | None:
    """Catalog URLs are untrusted: only http(s) links survive (no javascript: etc.)."""
    if not url:
        return None
    text = str(url).strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in ("http", "https") else None


def basename(path: Any) -> str:
    if not path:
        return ""
    return PurePath(str(path).replace("\\", "/")).name


def first_line(text: Any) -> str:
    """One line of an error for the index; a traceback's useful line is its last."""
    if not text:
        return ""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]
