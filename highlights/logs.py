"""Only our own lines on the terminal and in `--log-format json` output.

Three things write to stderr behind our back in a batch:
- libav (PyAV's decoders, muxers, libx264 in `splice.py`): PyAV drops its messages unless
  someone installs a callback, and PySceneDetect's PyAV backend restores libav's default
  one, which prints `[libx264 @ 0x...] frame I:1 Avg QP...` for the rest of the process
  (`scenes.py` opens its videos with `suppress_output=True` for that reason);
- the ffmpeg binary (`ffmpeg.py`, `clips.py`, `reframe.py`): run with `-loglevel error
  -nostats`, its stderr captured and logged here at debug level;
- other Python libraries' loggers and `warnings`.

`configure_logging` sends all of it to our logger at debug level (shown with `--debug`), and in
JSON mode formats every line, ours included, as one JSON object."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import TextIO

import av

log = logging.getLogger("highlights")


class _OursOnly(logging.Filter):
    """Our records pass as they are.  Anyone else's (libav's, PySceneDetect's, a library's
    `warnings`) pass only with --debug, demoted to debug level and named: a libx264 'info'
    or a demuxer 'error' about a packet we skip is a detail of our work, not news."""

    def __init__(self, debug: bool):
        super().__init__()
        self.debug = debug

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "highlights" or record.name.startswith("highlights."):
            return True
        if not self.debug:
            return False
        record.msg = f"[{record.name}] {record.getMessage()}"
        record.args = ()
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


class JsonLineFormatter(logging.Formatter):
    """A log record as the JSON reporter's lines look: {"time", "event": "log", "level", "message"}."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": round(record.created, 3), "event": "log", "level": record.levelname.lower(),
                "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(debug: bool = False, quiet: bool = False, json_lines: bool = False,
                      stream: TextIO | None = None) -> None:
    """One handler on stderr for everything; our logger at WARNING (ERROR with `quiet`, DEBUG
    with `debug`); every other logger (libav's included) only with `debug`, at debug level."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter() if json_lines else logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(_OursOnly(debug))
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:  # ours from an earlier call only
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    log.setLevel(logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING)
    log.propagate = True
    logging.captureWarnings(True)  # library `warnings` become log records of "py.warnings"
    route_libav(debug)
    # `--jobs` workers are fresh interpreters (spawn): they read this to log the same way.
    os.environ[_INHERIT] = json.dumps({"debug": debug, "quiet": quiet, "json_lines": json_lines})


_INHERIT = "HIGHLIGHTS_LOGGING"
_HANDLER = "highlights-stderr"


def inherit_logging() -> None:
    """In a worker process started by the batch, configure logging as the parent did (once)."""
    settings = os.environ.get(_INHERIT)
    if settings and not logging.getLogger().handlers:
        try:
            configure_logging(**json.loads(settings))
        except (ValueError, TypeError):
            pass


def route_libav(debug: bool) -> None:
    """libav's messages into the `libav.*` loggers at debug level with `debug`; dropped otherwise.

    Without --debug no Python callback is installed at all: libav then never has to take
    the GIL from its decoding threads, which is what PyAV's docs warn can lock up."""
    libav = logging.getLogger("libav")
    if debug:
        libav.setLevel(logging.DEBUG)
        av.logging.set_level(av.logging.VERBOSE)
    else:
        libav.setLevel(logging.CRITICAL + 1)
        av.logging.set_level(None)


def log_tool_output(what: str, stderr: str) -> None:
    """What a tool we ran printed (ffmpeg at -loglevel error), at debug level, one line each."""
    for line in stderr.splitlines():
        if line.strip():
            log.debug("%s: ffmpeg: %s", what, line.strip())


__all__ = ["configure_logging", "inherit_logging", "route_libav", "log_tool_output", "JsonLineFormatter"]
