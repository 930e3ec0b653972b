"""Running a batch of replays: one by one, in local processes or on a Dask cluster.

The stages of one replay are declared in `replay.py`.  Each replay gets its own folder under
OUT; the batch writes `batch.json` and `index.html` after every replay, so a batch stopped
half-way still has a valid index of what is done."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .catalog import CatalogError, find_catalog, load_catalog
from .clips import ClipError
from .config import Settings
from .ffmpeg import FFmpegError
from .files import read_json, remove_stale_temporaries, unique_slug, write_json, write_text
from .inputs import expand_inputs
from .logs import inherit_logging
from .models import ModelError
from .probe import MediaError
from .recap import render_index
from .records import BatchEntry, Manifest, Product, from_dict
from .replay import process_replay

log = logging.getLogger("highlights")

# Problems that are the input's fault (or the environment's) and are reported in one line.
EXPECTED_ERRORS = (MediaError, CatalogError, ClipError, FFmpegError, ModelError, OSError)


@dataclass
class ReplayResult:
    entry: BatchEntry
    manifest: Manifest | None = None


@dataclass
class BatchResult:
    entries: list[BatchEntry] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(entry.status == "ok" for entry in self.entries)


def run_batch(
    inputs: list[str],
    out: Path,
    settings: Settings,
    catalog_path: Path | None = None,
    jobs: int = 1,
    on_event: Callable[[str, dict], None] | None = None,
    force: Iterable[str] = (),
    scheduler: str | None = None,
    events_path: Path | None = None,
) -> BatchResult:
    """Process every replay the inputs name; one failure never stops the others.

    `jobs` > 1 runs replays in that many local processes; `scheduler` (a Dask distributed
    scheduler address) runs them on a cluster whose workers see the same paths. Either way
    the outputs are those of a one-by-one run. Ctrl-C stops after recording what is done;
    finished stages are reused by the next run.  `events_path` is a live-room events file for
    every input (else each replay's `<name>.events.csv|json`, if any)."""
    emit = on_event or (lambda kind, data: None)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out, recursive=False)
    sources, problems = expand_inputs(inputs)
    shared_catalog = load_catalog(catalog_path) if catalog_path is not None else None
    taken: set[str] = set()
    tasks = [(source, out / unique_slug(source.stem, taken, fallback="replay")) for source in sources]

    result = BatchResult(entries=[BatchEntry(p.input, "failed", p.error) for p in problems])
    for problem in problems:
        emit("failed", {"input": problem.input, "error": problem.error})
    done: dict[int, ReplayResult] = {}

    def record(index: int, outcome: ReplayResult) -> None:
        done[index] = outcome
        emit(outcome.entry.status, {"input": outcome.entry.input, "error": outcome.entry.error,
                                    "timings": outcome.manifest.timings if outcome.manifest else None})
        _collect(result, problems, done)
        try:
            _write_batch_files(out, result)
        except OSError as exc:  # e.g. a full disk: the other replays may still fit; retried at the end
            log.warning("could not update the batch index: %s", _one_line(exc))

    _write_batch_files(out, result)
    args = (out, settings, catalog_path, shared_catalog, events_path)
    try:
        if scheduler:
            _run_on_cluster(scheduler, tasks, args, force, emit, record)
        elif jobs > 1 and len(tasks) > 1:
            _run_in_processes(jobs, tasks, args, force, emit, record)
        else:
            for index, (source, folder) in enumerate(tasks):
                emit("start", {"input": str(source)})
                on_stage = lambda name, s=source: emit("stage", {"input": str(s), "stage": name})  # noqa: E731
                record(index, _process_one(source, folder, *args, on_stage=on_stage, force=force))
    except KeyboardInterrupt:
        for index, (source, folder) in enumerate(tasks):
            if index not in done:
                emit("interrupted", {"input": str(source)})
                done[index] = ReplayResult(BatchEntry(str(source), "failed", f"{source}: interrupted before it "
                                                      "finished; run the same command again to resume",
                                                      folder.relative_to(out).as_posix()))
        _collect(result, problems, done)
        _write_batch_files(out, result)
        raise
    _write_batch_files(out, result)
    from .social import write_posting_sheet  # OUT/posting.csv: every clip, format and language with its copy

    write_posting_sheet(out, [out / entry.dir for entry in result.entries if entry.status == "ok" and entry.dir])
    return result


def _collect(result: BatchResult, problems, done: dict[int, ReplayResult]) -> None:
    """Entries in input order, whatever order the replays finished in."""
    ordered = [done[index] for index in sorted(done)]
    result.entries = [BatchEntry(p.input, "failed", p.error) for p in problems] + [o.entry for o in ordered]
    result.manifests = [o.manifest for o in ordered if o.manifest]


def _worker_settings(settings: Settings, workers: int) -> Settings:
    """Each worker gets its share of the cores, so N jobs never run N x cores threads."""
    share = max(1, (os.cpu_count() or 1) // workers)
    copy = replace(settings, transcribe=replace(settings.transcribe))
    copy.transcribe.cpu_threads = settings.transcribe.cpu_threads or share
    return copy


def _run_in_processes(jobs, tasks, args, force, emit, record) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    out, settings, catalog_path, shared_catalog, events_path = args
    settings = _worker_settings(settings, jobs)
    # Fresh interpreters, not forks: a fork of a process whose CTranslate2/OpenMP threads are
    # running (the model is cached once loaded) deadlocks in the child.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {}
        for index, (source, folder) in enumerate(tasks):
            emit("start", {"input": str(source)})
            futures[pool.submit(_process_one, source, folder, out, settings, catalog_path, shared_catalog,
                                events_path, None, force)] = index
        try:
            for future in as_completed(futures):
                record(futures[future], future.result())
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _run_on_cluster(address, tasks, args, force, emit, record) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise RuntimeError("--scheduler needs Dask distributed: pip install 'highlights[cluster]'") from None

    out, settings, catalog_path, shared_catalog, events_path = args
    with Client(address) as client:
        workers = client.scheduler_info().get("workers", {})
        threads = min((w.get("nthreads", 1) for w in workers.values()), default=1)
        # A worker running `threads` replays at once splits its cores between them.
        settings = _worker_settings(settings, max(1, threads))
        futures = {}
        for index, (source, folder) in enumerate(tasks):
            emit("start", {"input": str(source)})
            future = client.submit(_process_one, source, folder, out, settings, catalog_path, shared_catalog,
                                   events_path, None, force, pure=False, key=f"replay-{index}-{folder.name}")
            futures[future] = index
        for future in as_completed(futures):
            record(futures[future], future.result())


def _process_one(source: Path, folder: Path, out: Path, settings: Settings, catalog_path: Path | None,
                 shared_catalog: list[Product] | None, events_path: Path | None = None, on_stage=None,
                 force: Iterable[str] = ()) -> ReplayResult:
    inherit_logging()  # a --jobs worker process logs as the command line asked
    entry = BatchEntry(input=str(source), status="failed", dir=folder.relative_to(out).as_posix())
    try:
        catalog, path = shared_catalog, catalog_path
        if catalog is None:
            path = find_catalog(source)
            catalog = load_catalog(path) if path else []
        manifest = process_replay(source, folder, settings, catalog, path, on_stage, force, events_path)
    except EXPECTED_ERRORS as exc:
        entry.error = _one_line(exc)
        if not entry.error.startswith(str(source)) and not isinstance(exc, CatalogError):
            entry.error = f"{source}: {entry.error}"
        log.debug("replay %s failed", source, exc_info=True)
        return ReplayResult(entry)
    except Exception as exc:  # a bug of ours must not take the rest of the batch down either
        entry.error = f"{source}: internal error: {type(exc).__name__}: {_one_line(exc)}"
        log.debug("replay %s failed", source, exc_info=True)
        return ReplayResult(entry)
    entry.status = "ok"
    entry.warnings = list(manifest.warnings)
    return ReplayResult(entry, manifest)


def _one_line(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    return " ".join(text.split())


def _write_batch_files(out: Path, result: BatchResult) -> None:
    write_json(out / "batch.json", result.entries)
    manifests = {m.slug: m for m in result.manifests}
    rows = []
    for entry in result.entries:
        row: dict[str, Any] = {"input": entry.input, "status": entry.status, "error": entry.error, "dir": entry.dir}
        manifest = manifests.get(Path(entry.dir).name) if entry.dir and entry.status == "ok" else None
        if manifest:
            row.update(title=Path(manifest.input).stem, duration=manifest.duration, language=manifest.language,
                       clip_count=len(manifest.clips), warnings=manifest.warnings,
                       thumbnail=f"{entry.dir}/{manifest.clips[0].thumbnail}" if manifest.clips else None,
                       products=[p.name for p in manifest.products if any(p.id in c.products for c in manifest.clips)])
        rows.append(row)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_text(out / "index.html", render_index(rows, generated))


def load_manifest(folder: Path) -> Manifest:
    return from_dict(Manifest, read_json(folder / "manifest.json"))


__all__ = ["BatchResult", "load_manifest", "process_replay", "run_batch"]
