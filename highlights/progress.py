"""Telling the user what a batch is doing: progress bars on a terminal (rich), plain log
lines when the output is not a terminal, JSON lines for automation, nothing with --quiet
(errors excepted), and a summary table at the end."""

from __future__ import annotations

import json
import re
import sys
import time
from typing import TYPE_CHECKING, TextIO

from .replay import STAGE_NAMES

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# What a replay's bar counts: its stages, then its pages.
STEPS = (*STAGE_NAMES, "recap")


class Reporter:
    """Receives the batch's events: start, stage, ok, failed, interrupted."""

    def __call__(self, kind: str, data: dict) -> None:
        handler = getattr(self, f"on_{kind}", None)
        if handler:
            handler(data)

    def open(self, total: int) -> None:
        pass

    def close(self) -> None:
        pass

    def summary(self, rows: list[dict]) -> None:
        pass


class PlainReporter(Reporter):
    def __init__(self, stream: TextIO = sys.stderr, quiet: bool = False):
        self.stream, self.quiet = stream, quiet
        self.total, self.started = 0, 0

    def _say(self, text: str) -> None:
        # One write a line: with --jobs the workers log to the same stderr, and print()'s two
        # writes (the text, then the newline) let a worker's line land between them.
        self.stream.write(text + "\n")
        self.stream.flush()

    def open(self, total: int) -> None:
        self.total = total

    def on_start(self, data: dict) -> None:
        self.started += 1
        if not self.quiet:
            self._say(f"[{self.started}/{self.total}] {data['input']}")

    def on_stage(self, data: dict) -> None:
        if not self.quiet:
            self._say(f"  {data['stage']}")

    def on_ok(self, data: dict) -> None:
        if not self.quiet:
            total = (data.get("timings") or {}).get("total")
            self._say("  ok" + (f" in {total:.1f}s" if total else ""))

    def on_failed(self, data: dict) -> None:
        self._say(f"FAILED {data['error']}")

    def on_interrupted(self, data: dict) -> None:
        self._say(f"interrupted: {data['input']} (finished stages are kept; run again to resume)")

    def summary(self, rows: list[dict]) -> None:
        if self.quiet:
            return
        self._say("")
        for row in rows:
            clips = "" if row["clips"] is None else f"{row['clips']} clips"
            took = "" if row["seconds"] is None else f"{row['seconds']:.1f}s"
            detail = row["error"] or ", ".join(x for x in (clips, took) if x)
            notes = short_warnings(row)
            self._say(f"{row['status']:<8} {row['input']}  {detail}" + (f" - {notes}" if notes else ""))


def short_warnings(row: dict) -> str:
    """A replay's warnings as the summary shows them: each up to its explanation
    ("no audio track: nothing to transcribe..." -> "no audio track")."""
    return "; ".join(re.split(r": | \(", warning, maxsplit=1)[0] for warning in row.get("warnings") or [])


class JsonReporter(Reporter):
    """One JSON object a line, for scripts: {"event": ..., "time": ..., ...}."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream

    def __call__(self, kind: str, data: dict) -> None:
        self._emit({"event": kind, **data})

    def summary(self, rows: list[dict]) -> None:
        self._emit({"event": "summary", "replays": rows})

    def _emit(self, record: dict) -> None:
        record = {"time": round(time.time(), 3), **record}
        self.stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")  # one write a line
        self.stream.flush()


class RichReporter(Reporter):
    """Bars per replay (stage by stage) and for the batch."""

    def __init__(self, quiet: bool = False):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.quiet = quiet
        self.progress: Progress | None = None  # None until open(), and with --quiet
        self.tasks: dict[str, TaskID] = {}

    def open(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self.quiet:
            return
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[stage]}"), TimeElapsedColumn(), console=self.console)
        self.progress.start()
        self.batch = self.progress.add_task("batch", total=total, stage="")

    def close(self) -> None:
        if self.progress:
            self.progress.stop()

    def _task(self, name: str) -> TaskID | None:
        if not self.progress:
            return None
        if name not in self.tasks:
            label = name if len(name) <= 40 else "…" + name[-39:]
            self.tasks[name] = self.progress.add_task(label, total=len(STEPS), stage="")
        return self.tasks[name]

    def on_start(self, data: dict) -> None:
        self._task(data["input"])

    def on_stage(self, data: dict) -> None:
        task = self._task(data["input"])
        if task is not None and self.progress is not None:  # a task implies the bars
            self.progress.update(task, completed=STEPS.index(data["stage"]), stage=data["stage"])

    def on_ok(self, data: dict) -> None:
        task = self._task(data["input"])
        if task is not None and self.progress is not None:  # a task implies the bars
            self.progress.update(task, completed=len(STEPS), stage="[green]done")
            self.progress.advance(self.batch)

    def on_failed(self, data: dict) -> None:
        task = self._task(data["input"])
        if task is not None and self.progress is not None:  # a task implies the bars
            self.progress.update(task, stage="[red]failed")
            self.progress.advance(self.batch)
        self.console.print(f"[red]✗[/red] {data['error']}", markup=True, highlight=False)

    def on_interrupted(self, data: dict) -> None:
        self.console.print(f"interrupted: {data['input']} (finished stages are kept; run again to resume)")

    def summary(self, rows: list[dict]) -> None:
        from rich.table import Table

        if self.quiet:
            return
        table = Table(title="highlights", show_lines=False)
        for column in ("status", "replay", "clips", "seconds", "error / warnings"):
            table.add_column(column)
        for row in rows:
            style = "green" if row["status"] == "ok" else "red"
            table.add_row(f"[{style}]{row['status']}[/{style}]", row["input"],
                          "" if row["clips"] is None else str(row["clips"]),
                          "" if row["seconds"] is None else f"{row['seconds']:.1f}",
                          row["error"] or short_warnings(row))
        self.console.print(table)


def make_reporter(log_format: str = "auto", quiet: bool = False, stream: TextIO = sys.stderr) -> Reporter:
    if log_format == "json":
        return JsonReporter(stream)
    if log_format == "auto" and stream.isatty():
        return RichReporter(quiet)
    return PlainReporter(stream, quiet)
