"""Shared fixtures: the real media in ../shared, the bundled Whisper model (loaded once per
session), ffprobe, and a folder under test-output/ for things a person may want to look at."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import av
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HIGHLIGHTS_SHARED", ROOT.parent / "shared")).resolve()
MEDIA = SHARED / "media"
SAMPLES = ROOT / "samples"
TEST_OUTPUT = ROOT / "test-output"


def pytest_configure(config):
    if not MEDIA.is_dir():
        raise pytest.UsageError(f"test media not found at {MEDIA} (set HIGHLIGHTS_SHARED)")


@pytest.fixture(scope="session")
def media() -> Path:
    return MEDIA


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def output_dir(request) -> Path:
    """A fresh folder kept after the run (test-output/<test name>) for screenshots and files."""
    folder = TEST_OUTPUT / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def base_model():
    """The bundled base model, resolved (and reassembled if needed) once."""
    from highlights.models import resolve_model

    return resolve_model("base")


@pytest.fixture(scope="session")
def ffprobe():
    exe = shutil.which("ffprobe")
    if exe is None:
        raise RuntimeError("ffprobe is required by the tests: run ./scripts/system-deps.sh")

    def run(path: Path) -> dict:
        result = subprocess.run([exe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                                 str(path)], capture_output=True, text=True, check=True)
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    from highlights.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def make_video(ffmpeg: str, target: Path, seconds: float = 3.0, size: str = "320x240", rate: int = 25,
               audio: bool = True, extra: list[str] | None = None) -> Path:
    """A small real video with a tone, made by ffmpeg for tests that need odd inputs."""
    args = [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-pix_fmt", "yuv420p", *(extra or []), "-shortest", str(target)]
    subprocess.run(args, check=True)
    return target


def stream_digests(path: Path) -> list[tuple[str, str]]:
    """A clip by what it holds: every packet's bytes and times, stream by stream (container
    details such as creation times or the muxer's padding are not the content; a changed
    frame is)."""
    with av.open(str(path)) as container:
        digests = {s.index: hashlib.sha256(f"{s.type}:{s.codec_context.name}".encode()) for s in container.streams}
        kinds = {s.index: s.type for s in container.streams}
        for packet in container.demux():
            if packet.size:
                digests[packet.stream.index].update(f"{packet.pts},{packet.dts}".encode() + bytes(packet))
    return [(kinds[i], digests[i].hexdigest()) for i in sorted(digests)]


def output_tree(out: Path) -> dict[str, object]:
    """What a run produced, by content: JSON without timings, clips by their streams, every
    other file by its bytes (pages carry the time they were made, so they are left out)."""
    result: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or ".stages" in path.parts or path.suffix == ".html":
            continue
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".json" and path.name != ".generated.json":
            data = json.loads(path.read_text())
            if isinstance(data, dict):
                for volatile in ("timings", "reused_stages"):
                    data.pop(volatile, None)
            result[rel] = data
        elif path.suffix in (".mp4", ".mkv", ".webm"):
            result[rel] = stream_digests(path)
        else:
            result[rel] = path.read_bytes()
    return result


@contextlib.contextmanager
def serving(server):
    """A server (`highlights serve`'s DeskServer) answering on a thread while the block runs."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
