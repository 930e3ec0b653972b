"""The review desk's server (`highlights serve`) over real sockets: what it serves, what it
refuses, and the decisions it writes.  The replay folder is test_review.py's (built from the
sample's ground truth with the pipeline's writers); the browser tests are in
test_desk_browser.py."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import serving
from test_review import built_replay, replay  # noqa: F401 - fixtures

from highlights.cli import main
from highlights.decisions import DECISIONS_FILE
from highlights.serve import DEFAULT_HOST, TOKEN_HEADER, DeskServer

CLIP_ID = "clip-01-aurora-watch"


@pytest.fixture
def desk(replay, tmp_path):  # noqa: F811 - the imported fixture
    """A desk over OUT = the folder holding the replay, on a free port."""
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    replay.rename(out / "demo-replay")
    (out / "index.html").write_text("<!doctype html><title>index</title>", encoding="utf-8")
    with serving(DeskServer(out, port=0, token="t0ken", quiet=True)) as server:
        yield server


def _request(server: DeskServer, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        # skip_host: the Host header is ours to set (or to get wrong) in these tests
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Length", str(len(body)))
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _post(server: DeskServer, change: dict, token: str | None = "t0ken", clip: str = CLIP_ID,
          content_type: str = "application/json") -> tuple[int, dict]:
    headers = {"Content-Type": content_type}
    if token is not None:
        headers[TOKEN_HEADER] = token
    status, body = _request(server, "POST", f"/api/demo-replay/clips/{clip}", json.dumps(change).encode(), headers)
    return status, json.loads(body)


def _decisions(server: DeskServer) -> Path:
    return server.root / "demo-replay" / DECISIONS_FILE


def test_serves_files_under_out_and_the_recap_with_the_desk(desk):
    status, body = _request(desk, "GET", "/")
    assert status == 200 and b"<title>index</title>" in body
    status, body = _request(desk, "GET", "/demo-replay/subtitles/demo-replay.en.vtt")
    assert status == 200 and body.startswith(b"WEBVTT")
    status, page = _request(desk, "GET", "/demo-replay/recap.html")
    assert status == 200
    text = page.decode("utf-8")
    assert '"token": "t0ken"' in text and 'class="desk"' in text and f'data-clip="{CLIP_ID}"' in text
    # The page on disk, for file://, carries no token and no desk.
    assert not (desk.root / "demo-replay" / "recap.html").exists() or "t0ken" not in (
        desk.root / "demo-replay" / "recap.html").read_text(encoding="utf-8")


def test_a_range_request_gets_part_of_the_file(desk):
    status, body = _request(desk, "GET", "/demo-replay/manifest.json", headers={"Range": "bytes=0-9"})
    assert status == 206 and body == (desk.root / "demo-replay" / "manifest.json").read_bytes()[:10]


@pytest.mark.parametrize("path, expected", [
    ("/../outside.txt", 403),
    ("/demo-replay/../../outside.txt", 403),
    ("/%2e%2e/outside.txt", 403),
    ("/demo-replay/%2E%2E/%2e%2e/outside.txt", 403),
    ("/..%2foutside.txt", 400),  # an encoded slash
    ("/..%5coutside.txt", 400),  # an encoded backslash
    ("/demo-replay\\..\\..\\outside.txt", 400),
    ("/%ff%fe.html", 400),  # not UTF-8
    ("/index.html%00.txt", 400),  # NUL
    ("/demo-replay/%0amanifest.json", 400),
    ("/demo-replay/.generated.json", 404),  # our bookkeeping is not served
    ("/demo-replay/subtitles/.generated.json", 404),
    ("/nothing-here.html", 404),
    ("/demo-replay", 404),  # a folder is not a file
])
def test_paths_outside_out_and_odd_encodings_are_refused(desk, path, expected):
    status, body = _request(desk, "GET", path)
    assert status == expected, (path, body)
    assert b"secret" not in body


def test_a_symlink_out_of_out_is_refused_and_one_inside_is_served(desk):
    (desk.root / "demo-replay" / "leak.txt").symlink_to(desk.root.parent / "outside.txt")
    (desk.root / "escape").symlink_to(desk.root.parent, target_is_directory=True)
    (desk.root / "demo-replay" / "same.json").symlink_to(desk.root / "demo-replay" / "manifest.json")
    for path in ("/demo-replay/leak.txt", "/escape/outside.txt"):
        status, body = _request(desk, "GET", path)
        assert status == 403 and b"secret" not in body, path
    assert _request(desk, "GET", "/demo-replay/same.json")[0] == 200


def test_a_post_without_the_right_token_changes_nothing(desk):
    for token in (None, "", "wrong", "t0ken "):
        status, body = _post(desk, {"status": "approved"}, token=token)
        assert status == 403 and body["error"] == "missing or wrong token", token
    assert not _decisions(desk).exists()


def test_a_wrong_host_header_is_refused(desk):
    # DNS rebinding: a page at evil.example whose name now points at 127.0.0.1
    status, _ = _request(desk, "GET", "/demo-replay/recap.html", headers={"Host": "evil.example:80"})
    assert status == 403
    status, _ = _request(desk, "POST", f"/api/demo-replay/clips/{CLIP_ID}", b'{"status": "approved"}',
                         {"Host": "evil.example", "Content-Type": "application/json", TOKEN_HEADER: "t0ken"})
    assert status == 403 and not _decisions(desk).exists()


def test_decisions_are_written_through_the_api(desk):
    assert _post(desk, {"status": "approved"}) == (200, {"clip": CLIP_ID, "decision": {"status": "approved"}})
    assert _post(desk, {"start": 10.0, "end": 25.5, "title": "Aurora, 49 USD"})[0] == 200
    assert json.loads(_decisions(desk).read_text(encoding="utf-8")) == {
        "clips": {CLIP_ID: {"status": "approved", "start": 10.0, "end": 25.5, "title": "Aurora, 49 USD"}}}
    # The static page shows the decision (file:// users see it without the server).
    page = (desk.root / "demo-replay" / "recap.html").read_text(encoding="utf-8")
    assert 'class="badge status approved"' in page and "Aurora, 49 USD" in page and "t0ken" not in page
    assert "New edges 0:10–0:25" in page


def test_bad_changes_are_refused_and_a_malformed_file_is_never_overwritten(desk):
    assert _post(desk, {"status": "maybe"})[0] == 400
    assert _post(desk, {"colour": "red"})[0] == 400
    assert _post(desk, {"status": "approved"}, clip="clip-99-none")[0] == 404
    assert _post(desk, {"status": "approved"}, content_type="text/plain")[0] == 415
    assert not _decisions(desk).exists()
    _decisions(desk).write_text('{"clips": {"x": {"status": "approved",}}}', encoding="utf-8")
    status, body = _post(desk, {"status": "rejected"})
    assert status == 409 and DECISIONS_FILE in body["error"]
    assert _decisions(desk).read_text(encoding="utf-8") == '{"clips": {"x": {"status": "approved",}}}'
    # The page says the file is ignored, and why.
    status, page = _request(desk, "GET", "/demo-replay/recap.html")
    assert status == 200 and b"Review decisions ignored" in page and b"not JSON" in page


def test_the_desk_listens_on_loopback_unless_told_otherwise(tmp_path):
    first, second = DeskServer(tmp_path, port=0, quiet=True), DeskServer(tmp_path, port=0, quiet=True)
    try:
        assert DEFAULT_HOST == "127.0.0.1" and first.server_address[0] == "127.0.0.1"
        assert len(first.token) >= 32 and first.token != second.token  # a token per run
    finally:
        first.server_close()
        second.server_close()
    option = next(p for p in main.commands["serve"].params if p.name == "host")
    assert option.default == "127.0.0.1"
    assert "--host" in CliRunner().invoke(main, ["serve", "--help"]).output


def test_a_post_needs_a_length_and_a_small_body(desk):
    headers = {"Content-Type": "application/json", TOKEN_HEADER: "t0ken"}
    path = f"/api/demo-replay/clips/{CLIP_ID}"
    assert _request(desk, "POST", path, b"", {**headers, "Content-Length": "x"})[0] == 411
    big = json.dumps({"title": "x" * 70000}).encode()
    assert _request(desk, "POST", path, big, headers)[0] == 413
    assert _request(desk, "POST", path, b"[1]", headers)[0] == 400
    assert _request(desk, "POST", "/api/../clips/x", b"{}", headers)[0] == 404
    assert not _decisions(desk).exists()


def test_the_serve_command_listens_on_loopback_and_serves_out(tmp_path):
    import subprocess
    import sys
    import urllib.request

    (tmp_path / "index.html").write_text("<!doctype html><title>batch</title>", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-m", "highlights", "serve", str(tmp_path), "--port", "0"],
                               cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith(f"Review desk for {tmp_path.resolve()}: http://127.0.0.1:"), line
        url = line.split(": ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"<title>batch</title>" in response.read()
    finally:
        process.terminate()
        process.wait(10)


def test_caption_corrections_through_the_api(desk):
    fixes = [{"from": "Aurora smart watch", "to": "Aurora Smartwatch Pro"}, {"from": "tracks", "to": "counts",
                                                                             "language": "en"}]
    for token in (None, "wrong"):
        assert _post(desk, {"captions": fixes}, token=token)[0] == 403
    assert not _decisions(desk).exists()
    assert _post(desk, {"captions": fixes}) == (200, {"clip": CLIP_ID, "decision": {"captions": fixes}})
    assert json.loads(_decisions(desk).read_text(encoding="utf-8")) == {"clips": {CLIP_ID: {"captions": fixes}}}
    # A bad list is refused whole, and the file keeps the corrections it had.
    status, body = _post(desk, {"captions": fixes + [{"from": " ", "to": "x"}]})
    assert status == 400 and "captions[2].from: must name at least one word" in body["error"]
    assert _post(desk, {"captions": [{"from": "a", "to": "b", "language": "xx"}]})[0] == 400
    assert json.loads(_decisions(desk).read_text(encoding="utf-8")) == {"clips": {CLIP_ID: {"captions": fixes}}}
    # The desk shows the clip's caption text and each correction with its remove button; the
    # page on disk lists them, to be applied at the next run.
    status, page = _request(desk, "GET", "/demo-replay/recap.html")
    text = page.decode("utf-8")
    assert status == 200 and 'class="desk-caption-text"' in text and "Aurora smart watch" in text
    assert text.count('class="desk-fix-remove"') == 2 and 'data-to="Aurora Smartwatch Pro"' in text
    on_disk = (desk.root / "demo-replay" / "recap.html").read_text(encoding="utf-8")
    assert "<q>Aurora smart watch</q> → <q>Aurora Smartwatch Pro</q>" in on_disk
    assert "applied at the next run" in on_disk and "desk-fix-remove\"" not in on_disk
    # Removing them all takes the entry out of the file.
    assert _post(desk, {"captions": []}) == (200, {"clip": CLIP_ID, "decision": {}})
    assert json.loads(_decisions(desk).read_text(encoding="utf-8")) == {"clips": {}}
