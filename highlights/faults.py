"""Deterministic crash points, so tests can kill a run exactly where they mean to.

`HIGHLIGHTS_KILL_AT` holds a label pattern (`fnmatch`, e.g. `stage:clips:start`,
`stage:*:done`, `write:manifest.json`); the first checkpoint whose label matches kills the
process with SIGKILL, as a power cut or the OOM killer would: no cleanup, no `finally`.
A suffix `@N` kills at the N-th match instead (`write:*.srt@3`).  Unset, a checkpoint costs
one dictionary look-up."""

from __future__ import annotations

import fnmatch
import os
import signal

ENV = "HIGHLIGHTS_KILL_AT"
_seen: dict[str, int] = {}


def checkpoint(label: str) -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    pattern, _, nth = wanted.partition("@")
    if not fnmatch.fnmatchcase(label, pattern):
        return
    _seen[pattern] = _seen.get(pattern, 0) + 1
    if _seen[pattern] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
