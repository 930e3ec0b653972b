"""Shared fixtures: the real media in ../shared, the bundled Whisper model (loaded once per
session), ffprobe, and a folder under test-output/ for things a person may want to look at."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

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
