"""Running the ffmpeg binary that imageio-ffmpeg ships (static, with libx264 and libass),
so no system ffmpeg is needed."""

from __future__ import annotations

import functools
import re
import subprocess

from .logs import log_tool_output


class FFmpegError(RuntimeError):
    pass


@functools.cache
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: list[str], what: str, threads: int = 0) -> None:
    """Run ffmpeg quietly; on failure raise with the last lines ffmpeg printed."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"]
    if threads:
        command += ["-threads", str(threads)]
    # stderr is captured, never inherited: ffmpeg's lines are not ours (logged at debug level).
    result = subprocess.run(command + args, capture_output=True, text=True, errors="replace")
    log_tool_output(what, result.stderr)
    if result.returncode != 0:
        # "[out#0/mp4 @ 0x5565...] Error writing trailer: ..." -> "Error writing trailer: ..."
        lines = [re.sub(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*", "", line).strip() for line in result.stderr.splitlines()]
        lines = list(dict.fromkeys(line for line in lines if line))
        detail = " | ".join(lines[-2:]) or f"exit status {result.returncode}"
        raise FFmpegError(f"{what}: ffmpeg failed: {detail}")
