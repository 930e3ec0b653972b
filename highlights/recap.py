"""Render the per-replay recap page and the batch index from the jinja2 templates.

This module only produces HTML strings; the pipeline decides where and how to write them.
"""

from __future__ import annotations

import base64
import functools
import math
import os
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2

from . import languages
from .config import SubtitleSettings
from .decisions import read_decisions
from .edits import edit_state, read_edits
from .files import read_json, write_json, write_text
from .recap_view import recap_view
from .records import Cue, Manifest, Transcript, from_dict, to_dict
from .review import (
    REVIEW_DIR,
    ReviewError,
    current_version,
    read_cues,
    review_docs,
    review_languages,
    review_page_path,
    subtitle_text,
)

LANGUAGE_NAMES = {code: language.native_name for code, language in languages.registry().items()}

_PACKAGE_DIR = Path(__file__).resolve().parent

# Chrome refuses <track src="x.vtt"> on file:// pages (every file is its own origin), so
# subtitles are inlined as data: URLs, which it accepts; past this size a page would get
# too heavy and the track falls back to the plain relative link.
_INLINE_VTT_MAX_BYTES = 1 << 20

# Video codecs every current browser plays; other replays get a recap without the main player.
BROWSER_VIDEO = {"h264", "vp8", "vp9", "av1"}

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


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one environment of the process: templates are compiled once, not per page."""
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
    env.filters["up"] = up
    return env


def render_recap(
    manifest: Manifest,
    transcript: Transcript,
    video_src: str | None,
    title: str | None = None,
    replay_dir: str | Path | None = None,
    desk: dict[str, Any] | None = None,
) -> str:
    """HTML of `OUT/<slug>/recap.html`.

    `video_src` is a file path relative to that folder, e.g. from os.path.relpath (the
    template URL-encodes it), or None for no main player.  Pass `replay_dir` (the `OUT/<slug>`
    folder) to inline the VTT files so subtitles also play when the page is opened from disk in
    Chrome, to mark the files a person edited, to link the review pages and to show the
    reviewer's decisions (decisions.json).  `desk` is the review desk's data (`serve.py`):
    with it the page gets the approve / reject / trim controls.
    """
    decisions, problem = read_decisions(replay_dir) if replay_dir is not None else (None, None)
    context = {
        "view": recap_view(manifest, transcript, video_src, decisions, problem),
        "desk": desk,
        "manifest": to_dict(manifest),
        "transcript": to_dict(transcript),
        "video_src": video_src or None,
        "title": title or recap_title(manifest),
        "language_names": dict(LANGUAGE_NAMES),
        "inline_vtt": _inline_vtt(manifest, replay_dir) if replay_dir is not None else {},
        "chapters_src": _chapters_src(manifest, replay_dir),
        "edit_states": _edit_states(manifest, replay_dir) if replay_dir is not None else {},
        "review_pages": ({code: f"{REVIEW_DIR}/{code}.html" for code in review_languages(manifest)}
                         if replay_dir is not None else {}),
    }
    return environment().get_template("recap.html.j2").render(context)


def render_review(folder: str | Path, manifest: Manifest, language: str, settings: SubtitleSettings,
                  video_src: str | None = None) -> str:
    """HTML of `OUT/<slug>/review/<language>.html`: every subtitle of the language beside
    what was said, with times and the rules each one breaks.  `video_src` is relative to
    the replay folder, as for `render_recap`."""
    folder = Path(folder)
    docs = review_docs(folder, manifest, language, settings)
    vtt = {doc.files.vtt: _data_url(subtitle_text([Cue(c.start, c.end, c.lines) for c in doc.cues], "vtt"))
           for doc in docs}
    history = [e for e in read_edits(folder) if e.language == language]
    context = {
        "manifest": to_dict(manifest),
        "language": language,
        "problem": None,
        "docs": to_dict(docs),
        "totals": {"cues": sum(len(doc.cues) for doc in docs),
                   "warned": sum(1 for doc in docs for cue in doc.cues if cue.warnings),
                   "human": sum(1 for doc in docs if doc.state.human)},
        "video_src": video_src or None,
        "title": recap_title(manifest),
        "language_names": dict(LANGUAGE_NAMES),
        "inline_vtt": vtt,
        "history": to_dict(list(reversed(history))),
        "settings": to_dict(settings),
        "other_languages": [code for code in review_languages(manifest) if code != language],
        "export_name": f"{manifest.slug}.{language}.xlf",
    }
    return environment().get_template("review.html.j2").render(context)


# Where the page's player found the replay, kept beside the page as data: a later render
# (after a review import, run from anywhere) cannot always find the input again from the
# manifest, whose path is as it was given on the command line.
PLAYER_FILE = "player.json"


def replay_video_src(manifest: Manifest, folder: str | Path, source: str | Path | None = None) -> str | None:
    """The replay itself as a path relative to its output folder, when a browser can play it.

    `source` is the input as the pipeline opened it.  Without it (a review import, run from
    anywhere) the manifest's input is tried from the current folder, then the path the
    pipeline's render recorded in `player.json`, so a re-rendered page keeps its player."""
    if manifest.media.video_codec not in BROWSER_VIDEO:
        return None
    folder = Path(folder).resolve()
    if source is not None:
        return Path(os.path.relpath(Path(source).resolve(), folder)).as_posix()
    given = Path(manifest.input) if manifest.input else None
    if given is not None and given.is_file() and given.stat().st_size == manifest.media.size_bytes:
        return Path(os.path.relpath(given.resolve(), folder)).as_posix()
    recorded = _recorded_player_src(folder)
    if recorded and (folder / recorded).is_file():
        return recorded
    return None


def _recorded_player_src(folder: Path) -> str | None:
    try:
        data = read_json(folder / PLAYER_FILE)
    except (OSError, ValueError):
        return None
    src = data.get("video_src") if isinstance(data, dict) else None
    return src if isinstance(src, str) and src else None


def write_replay_pages(folder: str | Path, manifest: Manifest, settings: SubtitleSettings,
                       transcript: Transcript | None = None, source: str | Path | None = None) -> None:
    """Write `recap.html` and a review page per subtitle language into the replay folder;
    the transcript is read from `transcript.json` unless given, `source` is the replay's
    file as the pipeline opened it (see `replay_video_src`)."""
    folder = Path(folder)
    if transcript is None:
        transcript = from_dict(Transcript, read_json(folder / "transcript.json"))
    video_src = replay_video_src(manifest, folder, source)
    if source is not None:
        write_json(folder / PLAYER_FILE, {"video_src": video_src})
    write_recap_page(folder, manifest, transcript, video_src)
    for language in review_languages(manifest):
        try:
            page = render_review(folder, manifest, language, settings, video_src)
        except ReviewError as exc:
            # A subtitle file someone broke by hand must not take the recap down with it:
            # the review page says what is wrong instead.
            page = render_review_problem(manifest, language, str(exc))
        write_text(review_page_path(folder, language), page)


def write_recap_page(folder: str | Path, manifest: Manifest, transcript: Transcript | None = None,
                     video_src: str | None = None) -> None:
    """Write `recap.html` alone (the review desk does after each decision, so the page opened
    from disk shows it); without `video_src` the player is found as `replay_video_src` does."""
    folder = Path(folder)
    if transcript is None:
        transcript = from_dict(Transcript, read_json(folder / "transcript.json"))
    if video_src is None:
        video_src = replay_video_src(manifest, folder)
    write_text(folder / "recap.html", render_recap(manifest, transcript, video_src, replay_dir=folder))


def render_review_problem(manifest: Manifest, language: str, problem: str) -> str:
    context = {"manifest": to_dict(manifest), "language": language, "problem": problem,
               "title": recap_title(manifest), "language_names": dict(LANGUAGE_NAMES)}
    return environment().get_template("review.html.j2").render(context)


def render_index(entries: list[dict], generated_at: str) -> str:
    """HTML of `OUT/index.html`; paths in `entries` are relative to OUT."""
    rows: list[dict[str, Any]] = []
    for entry in entries:
        data = to_dict(entry)  # also accepts BatchEntry records
        row = {**_INDEX_ENTRY_DEFAULTS, **data}
        row["products"] = list(row["products"] or [])
        row["clip_count"] = row["clip_count"] or 0
        # failed entries are numbered among themselves, for their element ids
        failed_before = sum(1 for r in rows if r["status"] != "ok")
        row["failed_number"] = failed_before + 1 if row["status"] != "ok" else None
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
    """Relative VTT path -> data: URL of the subtitles' latest words, for the files that exist
    and are small enough.  When a person edited the SRT rather than the VTT, the page plays
    the SRT's words."""
    root = Path(replay_dir).resolve()
    pairs = list(manifest.subtitles.values()) + [files for clip in manifest.clips for files in clip.subtitles.values()]
    inlined: dict[str, str] = {}
    for files in pairs:
        if not files.vtt or files.vtt in inlined:
            continue
        latest = current_version(root, files)
        path = _inlinable(root, latest)
        if path is None:
            continue
        if latest == files.vtt:
            inlined[files.vtt] = _data_url_bytes(path.read_bytes())
        else:
            try:
                inlined[files.vtt] = _data_url(subtitle_text(read_cues(path), "vtt"))
            except ReviewError:
                continue  # unreadable: the track falls back to the file itself
    return inlined


def _chapters_src(manifest: Manifest, replay_dir: str | Path | None) -> str | None:
    """The WebVTT chapters track for the main player: inlined (file:// pages), else its path."""
    vtt = manifest.chapters.get("vtt")
    if not vtt:
        return None
    path = _inlinable(Path(replay_dir).resolve(), vtt) if replay_dir is not None else None
    return _data_url_bytes(path.read_bytes()) if path else vtt


def _inlinable(root: Path, rel: str) -> Path | None:
    """The file at `rel` under `root` if a page may inline it: inside the folder (the manifest
    is data; a crafted path must not pull files from elsewhere) and small enough."""
    path = (root / rel).resolve()
    if path.is_relative_to(root) and path.is_file() and path.stat().st_size <= _INLINE_VTT_MAX_BYTES:
        return path
    return None


def _data_url(vtt_text: str) -> str:
    return _data_url_bytes(vtt_text.encode("utf-8"))


def _data_url_bytes(data: bytes) -> str:
    return "data:text/vtt;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")


def _edit_states(manifest: Manifest, replay_dir: str | Path) -> dict[str, dict]:
    """Relative subtitle path -> its edit state, for the files a person touched."""
    root = Path(replay_dir)
    pairs = list(manifest.subtitles.values()) + [files for clip in manifest.clips for files in clip.subtitles.values()]
    states = {}
    for files in pairs:
        for rel in (files.srt, files.vtt):
            state = edit_state(root / rel)
            if state.human:
                states[rel] = to_dict(state)
    return states


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


def up(path: Any) -> str:
    """A path relative to the replay folder as seen from its `review/` folder."""
    return f"../{path}" if path else ""


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
