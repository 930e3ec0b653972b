"""Resumable stages: each stage's result is stored with a key made of everything it
depends on, and reused on a re-run only when the key matches and every file it wrote is
still there, byte for byte.

A stage is declared as data (`Stage`): its name, the upstream stages and the settings it
depends on, the outside inputs it reads (the input file, the catalog, the model...), the
record type it produces and the function that computes it.  `run_stages` builds every key
from those declarations alone, so no stage can forget a dependency or carry one it does not
have (parallelism settings never enter a key: they change how fast, not what).

The record of what is done (`.stages/state.json` in the replay folder) is written after the
stage's files, so a crash at any moment leaves either a finished stage or one that runs
again; never one that looks finished and is not."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import __version__
from .faults import checkpoint
from .files import read_json, sha256_file, write_json, write_text
from .records import from_dict, to_dict

T = TypeVar("T")
C = TypeVar("C")

STATE_DIR = ".stages"


def fingerprint(*parts: Any) -> str:
    """A stable hash of JSON-able values, dataclasses included."""
    text = json.dumps(to_dict(list(parts)), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_identity(path: Path) -> dict:
    """Identity of an input file without reading all of it: a multi-hour replay is
    gigabytes. Size, modification time and a hash of its first and last megabyte."""
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(1 << 20))
        if stat.st_size > 2 << 20:
            handle.seek(-(1 << 20), 2)
            digest.update(handle.read())
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sample_sha256": digest.hexdigest()}


class StageStore:
    """Keeps track of which stages of one replay are done."""

    def __init__(self, folder: Path, force: Iterable[str] = ()):
        self.folder = folder
        self.force = set(force)
        self.state_path = folder / STATE_DIR / "state.json"
        try:
            self.state: dict[str, dict] = read_json(self.state_path)
        except (OSError, ValueError):
            self.state = {}
        self.reused: list[str] = []

    def path(self, name: str) -> Path:
        """Where a stage keeps its own JSON result."""
        return self.folder / STATE_DIR / f"{name}.json"

    def run(self, name: str, key: str, compute: Callable[[], T], save: Callable[[T], list[Path]],
            load: Callable[[], T]) -> T:
        """`load()` the stored result when it is valid for `key`, else `compute()` and `save()` it
        (`save` returns the files it wrote, which must be unchanged for the result to be reused)."""
        if name not in self.force and self._valid(name, key):
            try:
                result = load()
                self.reused.append(name)
                return result
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable: compute it again
        previous = self.state.get(name, {}).get("files", {})
        self.forget(name)
        result = compute()
        files = {self._rel(f): sha256_file(f) for f in save(result)}
        self.state[name] = {"key": key, "files": files}
        self._write()
        self._remove_stale(previous, files)
        return result

    def will_reuse(self, name: str, key: str) -> bool:
        """Whether `run(name, key, ...)` would load the stored result instead of computing."""
        return name not in self.force and self._valid(name, key)

    def _remove_stale(self, previous: dict[str, str], current: dict[str, str]) -> None:
        """Files the last run of a stage wrote and this one did not (a clip that is no longer
        chosen) go, unless someone changed them since."""
        for rel, digest in previous.items():
            path = self.folder / rel
            if rel not in current and path.is_file() and sha256_file(path) == digest:
                path.unlink()

    def forget(self, name: str) -> None:
        if self.state.pop(name, None) is not None:
            self._write()

    def _valid(self, name: str, key: str) -> bool:
        entry = self.state.get(name)
        if not entry or entry.get("key") != key:
            return False
        for rel, digest in entry.get("files", {}).items():
            path = self.folder / rel
            if not path.is_file() or sha256_file(path) != digest:
                return False
        return True

    def _rel(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.folder.resolve()).as_posix()

    def _write(self) -> None:
        write_text(self.state_path, json.dumps(self.state, indent=1, sort_keys=True) + "\n")


# --- stages as data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage(Generic[C, T]):
    """One resumable step of a replay's processing.

    `C` is the context the runner hands to `compute` (what the replay is: its source, folder,
    settings); `T` the record type the stage produces and stores as JSON."""

    name: str
    record: Any  # the type `from_dict` reads the stored JSON back as (a dataclass or list[...])
    compute: Callable[[C, Mapping[str, Any]], T]  # (context, upstream results by stage name)
    needs: tuple[str, ...] = ()  # upstream stages whose results enter the key
    settings: tuple[str, ...] = ()  # settings the result depends on: "transcribe", "languages", ...
    inputs: tuple[str, ...] = ()  # outside inputs (named key parts the caller provides)
    # Files the result refers to besides its own JSON (clips, subtitles): reuse needs them intact.
    outputs: Callable[[C, T], list[Path]] | None = None
    # Where the JSON goes, relative to the replay folder ("" is .stages/<name>.json).
    stored_as: str = ""
    # Run on a thread while that stage computes (scenes decode video while Whisper transcribes).
    alongside: str | None = None


def affects_output(field_: dataclasses.Field) -> bool:
    """Settings fields marked `metadata={"key": False}` (thread counts, batch sizes of work
    that gives the same result) change how fast a stage runs, not what it makes."""
    return bool(field_.metadata.get("key", True))


def settings_part(settings: Any, name: str) -> Any:
    """The part of `settings` named `name` ("transcribe", "languages"), without the fields
    that do not affect outputs."""
    value = getattr(settings, name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value) if affects_output(f)}
    return to_dict(value)


@dataclass
class StageRun:
    """What running the stages of one replay gave: each stage's result, its wall time and
    which stored results were reused."""

    results: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def stage_names(stages: Sequence[Stage]) -> tuple[str, ...]:
    return tuple(stage.name for stage in stages)


def check_declarations(stages: Sequence[Stage]) -> None:
    """Every `needs` and `alongside` names an earlier stage: the declarations are a DAG in
    running order."""
    seen: set[str] = set()
    for stage in stages:
        if stage.name in seen:
            raise ValueError(f"stage {stage.name!r} is declared twice")
        late = [n for n in (*stage.needs, *([stage.alongside] if stage.alongside else [])) if n not in seen]
        if late:
            raise ValueError(f"stage {stage.name!r} depends on {', '.join(late)}, not declared before it")
        seen.add(stage.name)


def run_stages(stages: Sequence[Stage[C, Any]], context: C, store: StageStore, settings: Any,
               inputs: Mapping[str, Callable[[], Any]], on_stage: Callable[[str], None] | None = None) -> StageRun:
    """Run (or reuse) every stage in order.  A stage's key is a hash of: the package version,
    its name, the results of the stages it `needs`, the `settings` it names (less the fields
    that do not affect outputs) and the outside `inputs` it names, each a function of no
    arguments the caller provides (evaluated once, and only when a stage names it)."""
    check_declarations(stages)
    unknown = sorted(store.force - set(stage_names(stages)))
    if unknown:
        raise ValueError(f"unknown stage(s) to force: {', '.join(unknown)}; stages: {', '.join(stage_names(stages))}")
    run = StageRun()
    evaluated: dict[str, Any] = {}
    digests: dict[str, str] = {}
    early: dict[str, Future] = {}
    pool: ThreadPoolExecutor | None = None

    def input_value(name: str) -> Any:
        if name not in evaluated:
            evaluated[name] = inputs[name]()
        return evaluated[name]

    def key_of(stage: Stage) -> str:
        return fingerprint({
            "version": __version__,
            "stage": stage.name,
            "needs": {name: digests[name] for name in stage.needs},
            "settings": {name: settings_part(settings, name) for name in stage.settings},
            "inputs": {name: input_value(name) for name in stage.inputs},
        })

    def timed(stage: Stage) -> Callable[[], Any]:
        def compute() -> Any:
            began = time.perf_counter()
            try:
                return stage.compute(context, run.results)
            finally:
                run.timings[stage.name] = round(time.perf_counter() - began, 3)
        return compute

    try:
        for stage in stages:
            if on_stage:
                on_stage(stage.name)
            checkpoint(f"stage:{stage.name}:start")
            key = key_of(stage)
            path = store.folder / stage.stored_as if stage.stored_as else store.path(stage.name)
            if not store.will_reuse(stage.name, key):
                # Start the stages declared to run beside this one, if they must be computed too.
                for companion in stages:
                    if companion.alongside == stage.name and all(n in run.results for n in companion.needs):
                        companion_key = key_of(companion)
                        if not store.will_reuse(companion.name, companion_key):
                            pool = pool or ThreadPoolExecutor(2, thread_name_prefix="alongside")
                            early[companion.name] = pool.submit(timed(companion))
            compute = early.pop(stage.name).result if stage.name in early else timed(stage)
            began = time.perf_counter()
            result = store.run(stage.name, key, compute=compute, save=_saver(stage, context, path),
                               load=_loader(stage, path))
            if stage.name in store.reused:
                run.timings[stage.name] = round(time.perf_counter() - began, 3)
            run.results[stage.name] = result
            digests[stage.name] = fingerprint(result)
            checkpoint(f"stage:{stage.name}:done")
    finally:
        if pool:
            pool.shutdown(wait=False, cancel_futures=True)
    run.reused = list(store.reused)
    return run


def _saver(stage: Stage[C, T], context: C, path: Path) -> Callable[[T], list[Path]]:
    def save(result: T) -> list[Path]:
        return [*_save(path, result), *(stage.outputs(context, result) if stage.outputs else [])]
    return save


def _loader(stage: Stage[C, T], path: Path) -> Callable[[], T]:
    def load() -> T:
        return from_dict(stage.record, read_json(path))
    return load


def _save(path: Path, record: Any) -> list[Path]:
    write_json(path, record)
    return [path]
