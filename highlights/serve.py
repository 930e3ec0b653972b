"""`highlights serve OUT`: the review desk, a small local web app over a batch's output.

It serves the index and the recaps as they are on disk, except that a replay's
`recap.html` is rendered per request with the desk's controls (approve / reject, edges
moved by word or sentence, title, corrections of the caption text), which write
`OUT/<slug>/decisions.json`.

The standard library's ThreadingHTTPServer is enough for one person on one machine, and the
rules that keep it safe are few and all here:
- it listens on 127.0.0.1 unless told otherwise, and (then) answers only requests whose Host
  is that address or localhost, so a web page elsewhere cannot reach it by DNS rebinding;
- only regular files under OUT are served: `..`, encoded slashes, backslashes, NUL and other
  control characters, percent-encodings that are not UTF-8, hidden files and symlinks that
  lead out of OUT are refused (`resolve_path`);
- a request that changes anything is a POST of JSON that carries this run's token, which is
  embedded in the pages this server renders and nowhere else;
- every write is atomic (`decisions.update_decision`, `files.write_text`)."""

from __future__ import annotations

import hmac
import json
import mimetypes
import re
import secrets
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .decisions import Decisions, DecisionsError, load_decisions, to_json, update_decision
from .files import read_json
from .recap import render_recap, write_recap_page
from .records import Manifest, Transcript, from_dict
from .review import ReviewError, load_replay
from .text import sentences

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_HEADER = "X-Highlights-Token"
MAX_BODY = 65536  # bytes; a decision is a few fields and at most 50 short caption corrections
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_API = re.compile(r"^/api/([^/]+)/clips/([^/]+)$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("text/plain", ".srt")
mimetypes.add_type("text/plain", ".ass")
mimetypes.add_type("application/x-xliff+xml", ".xlf")


class Refused(Exception):
    """A request that is not answered with a file: the status and a one-line reason."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def request_parts(request_path: str) -> list[str]:
    """The path of a GET (still percent-encoded) as names inside OUT; raises Refused for
    anything but plain names."""
    path = urlsplit(request_path).path
    if not path.startswith("/") or "\\" in path or re.search(r"%2f|%5c", path, re.IGNORECASE):
        raise Refused(HTTPStatus.BAD_REQUEST, "malformed path")
    try:
        decoded = unquote(path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST, "path is not UTF-8") from None
    if _CONTROL.search(decoded) or "\\" in decoded:
        raise Refused(HTTPStatus.BAD_REQUEST, "control characters in path")
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise Refused(HTTPStatus.FORBIDDEN, "path leaves the output folder")
    # Hidden files are our bookkeeping (ledgers, stage results), not pages.
    if any(part.startswith(".") for part in parts):
        raise Refused(HTTPStatus.NOT_FOUND, "not found")
    if not parts or decoded.endswith("/"):
        parts.append("index.html")
    return parts


def resolve_path(root: Path, request_path: str) -> Path:
    """The file under `root` a GET for `request_path` (the path of the URL, still
    percent-encoded) may read; raises Refused otherwise.  `root` must be resolved."""
    parts = request_parts(request_path)
    try:
        resolved = root.joinpath(*parts).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise Refused(HTTPStatus.NOT_FOUND, "not found") from None
    except (OSError, RuntimeError):  # a symlink loop, a name too long
        raise Refused(HTTPStatus.NOT_FOUND, "not found") from None
    # After following every symlink the file must still be inside OUT.
    if not resolved.is_relative_to(root):
        raise Refused(HTTPStatus.FORBIDDEN, "path leaves the output folder")
    if not resolved.is_file():
        raise Refused(HTTPStatus.NOT_FOUND, "not found")
    return resolved


def replay_folder(root: Path, slug: str) -> Path:
    """The replay folder `slug` names, straight under `root`; raises Refused otherwise."""
    if not slug or slug.startswith(".") or "/" in slug or "\\" in slug or _CONTROL.search(slug):
        raise Refused(HTTPStatus.NOT_FOUND, "no such replay")
    folder = root / slug
    manifest = folder / "manifest.json"
    if folder.is_symlink() or not manifest.is_file() or not manifest.resolve().is_relative_to(root):
        raise Refused(HTTPStatus.NOT_FOUND, "no such replay")
    return folder


def desk_data(manifest: Manifest, transcript: Transcript, token: str, pad: float = 0.15) -> dict[str, Any]:
    """What the desk's script needs: the token, where to post, and the words (start, end)
    with the index of each sentence's first word, to move edges by word or sentence."""
    words = transcript.words
    starts, index = [], 0
    for sentence in sentences(words):
        starts.append(index)
        index += len(sentence.words)
    return {"token": token, "api": f"/api/{manifest.slug}/clips/", "pad": pad,
            "words": [[round(w.start, 3), round(w.end, 3)] for w in words], "sentences": starts}


class DeskServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck browser connection must not keep the process alive on Ctrl-C

    def __init__(self, out: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str | None = None,
                 quiet: bool = False) -> None:
        self.root = Path(out).resolve()
        self.token = token or secrets.token_urlsafe(32)
        self.quiet = quiet
        # Host names we answer to; bound to a loopback address, nothing else (DNS rebinding).
        self.check_host = host in _LOOPBACK
        super().__init__((host, port), DeskHandler)
        self.hosts = {f"{name}:{self.server_address[1]}" for name in ("127.0.0.1", "localhost", "[::1]")}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        assert isinstance(host, str)  # an IPv4/IPv6 socket's getsockname() names its host as text
        return f"http://{host}:{port}/"


class DeskHandler(BaseHTTPRequestHandler):
    server: DeskServer
    server_version = "highlights-desk"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    # --- requests ---------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def do_POST(self) -> None:  # noqa: N802
        try:
            self._check_host()
            match = _API.match(urlsplit(self.path).path)
            if match is None:
                raise Refused(HTTPStatus.NOT_FOUND, "not found")
            # The token first: nothing about the batch is told to a request without it.
            given = self.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8", "replace"), self.server.token.encode("ascii")):
                raise Refused(HTTPStatus.FORBIDDEN, "missing or wrong token")
            if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
                raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
            change = self._json_body()
            slug, clip_id = (unquote(part, errors="strict") for part in match.groups())
            folder = replay_folder(self.server.root, slug)
            manifest = load_replay(folder)
            if clip_id not in {clip.id for clip in manifest.clips}:
                raise Refused(HTTPStatus.NOT_FOUND, f"{slug} has no clip {clip_id!r}")
            try:
                load_decisions(folder)
            except DecisionsError as exc:  # someone's file: never overwritten
                raise Refused(HTTPStatus.CONFLICT, str(exc)) from None
            try:
                decision = update_decision(folder, clip_id, change)
            except DecisionsError as exc:
                raise Refused(HTTPStatus.BAD_REQUEST, str(exc)) from None
            try:
                write_recap_page(folder, manifest)  # the page opened from disk shows the decision too
            except (OSError, ValueError) as exc:
                self.log_message("recap.html of %s not redone: %s", slug, exc)
            entry = to_json(Decisions({clip_id: decision}))["clips"].get(clip_id, {})
            self._send(HTTPStatus.OK, json.dumps({"clip": clip_id, "decision": entry}).encode("utf-8"),
                       "application/json")
        except Refused as refused:
            self._refuse(refused)
        except (ReviewError, UnicodeDecodeError) as exc:
            self._refuse(Refused(HTTPStatus.BAD_REQUEST, str(exc).splitlines()[0]))

    # --- helpers ----------------------------------------------------------------------

    def _check_host(self) -> None:
        if self.server.check_host and self.headers.get("Host", "") not in self.server.hosts:
            raise Refused(HTTPStatus.FORBIDDEN, "unexpected Host header")

    def _json_body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "Content-Length required") from None
        if length < 0 or length > MAX_BODY:
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"at most {MAX_BODY} bytes")
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refused(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
        if not isinstance(body, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
        return body

    def _answer(self, head: bool) -> None:
        try:
            self._check_host()
            root = self.server.root
            parts = request_parts(self.path)
            if len(parts) == 2 and parts[1] == "recap.html":  # rendered with the desk, not read
                body = self._desk_page(replay_folder(root, parts[0]))
                self._send(HTTPStatus.OK, body, "text/html; charset=utf-8", head=head)
            else:
                self._send_file(resolve_path(root, self.path), head)
        except Refused as refused:
            self._refuse(refused, head)
        except (ReviewError, OSError, ValueError) as exc:
            self._refuse(Refused(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc).splitlines()[0]), head)

    def _desk_page(self, folder: Path) -> bytes:
        manifest = load_replay(folder)
        transcript = from_dict(Transcript, read_json(folder / "transcript.json"))
        # No main player: the replay itself lies outside OUT, and only OUT is served.
        html = render_recap(manifest, transcript, None, replay_dir=folder,
                            desk=desk_data(manifest, transcript, self.server.token))
        return html.encode("utf-8")

    def _send_file(self, path: Path, head: bool) -> None:
        size = path.stat().st_size
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/x-xliff+xml"):
            kind += "; charset=utf-8"
        start, end = 0, size - 1
        status = HTTPStatus.OK
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if wanted and size and (wanted.group(1) or wanted.group(2)):
            # One range, as video players ask for (seeking in a clip).
            if wanted.group(1):
                start = int(wanted.group(1))
                end = min(int(wanted.group(2)), size - 1) if wanted.group(2) else size - 1
            else:
                start = max(size - int(wanted.group(2)), 0)
            if start > end or start >= size:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = HTTPStatus.PARTIAL_CONTENT
        self.send_response(status)
        self._common_headers(kind, end - start + 1)
        self.send_header("Accept-Ranges", "bytes")
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        with open(path, "rb") as handle:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                block = handle.read(min(left, 1 << 16))
                if not block:
                    break
                try:
                    self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):  # the player moved on
                    return
                left -= len(block)

    def _common_headers(self, kind: str, length: int) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # Nothing of ours may be framed by another page (clickjacking the approve button).
        self.send_header("X-Frame-Options", "DENY")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool = False) -> None:
        self.send_response(status)
        self._common_headers(kind, len(body))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _refuse(self, refused: Refused, head: bool = False) -> None:
        self._send(refused.status, json.dumps({"error": refused.reason}).encode("utf-8"), "application/json", head)


def serve(out: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the desk until interrupted."""
    server = DeskServer(out, host, port)
    print(f"Review desk for {server.root}: {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
