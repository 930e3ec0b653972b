"""Running a batch of replays: one by one, in local processes or on a Dask cluster.

The stages of one replay are declared in `replay.py`.  Each replay gets its own folder under
OUT; the batch writes `batch.json` and `index.html` after every replay, so a batch stopped
half-way still has a valid index of what is done."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import signal
import sys
import time
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
    jobs: int | str = 1,
    on_event: Callable[[str, dict], None] | None = None,
    force: Iterable[str] = (),
    scheduler: str | None = None,
    events_path: Path | None = None,
) -> BatchResult:
    """Process every replay the inputs name; one failure never stops the others.

    `jobs` > 1 runs replays in that many local processes ("auto": `plan_jobs` chooses, and
    logs its choice at info level); `scheduler` (a Dask distributed
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

    if jobs == "auto" and not scheduler:
        plan = plan_batch([source for source, _ in tasks], jobs, settings)
        log.info("%s", plan.describe())
        jobs = plan.jobs
    jobs = 1 if jobs == "auto" else int(jobs)

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


# Measured on 2 cores (benchmarks/pipeline.py --batch, README): replays this short spend a large
# share of their time in one-threaded work (process start, VAD, feature extraction, the clip
# encoders' Python side), so two replays side by side on one thread each beat one replay at a
# time on both cores.
SHORT_INPUT = 180.0
# A job's peak memory on a 10-minute replay is 1.24 GB (benchmarks/memory.py); it does not grow
# with the replay's length.
MEMORY_PER_JOB = 1.5 * 2**30
DURATIONS_SAMPLED = 32  # inputs probed for their length when choosing --jobs auto


@dataclass(frozen=True)
class JobPlan:
    """How a batch is spread: `jobs` replays at a time, `threads` CPU threads each (0: all)."""

    jobs: int
    threads: int
    reason: str

    def describe(self) -> str:
        threads = self.threads or os.cpu_count() or 1
        return f"jobs: {self.jobs} × {threads} thread{'' if threads == 1 else 's'} ({self.reason})"


def plan_jobs(count: int, durations: list[float | None], cores: int | None = None, jobs: int | str = "auto",
              threads: int = 0, memory: int | None = None) -> JobPlan:
    """`--jobs auto` (or a number) and the threads each job gets for `count` replays, from the
    cores, the lengths of (a sample of) the inputs (None: unknown), `transcribe.cpu_threads`
    (0: choose) and the memory available.

    One replay gets every core.  Several get one job per core (each its share of the cores)
    when most are short: a short replay leaves cores idle in its one-threaded parts, and a
    batch of them evens out.  Mostly long replays get one job per core too (measured: two
    10-minute replays on 2 cores, 2 jobs x 1 thread took 89-93 s, one job on both cores 93-104 s),
    unless a few of them would leave a last replay running alone on its share of the cores
    while the others sit idle (3 on 2 cores)."""
    cores = max(1, cores or os.cpu_count() or 1)
    plural = "replay" if count == 1 else "replays"
    facts = [f"{count} {plural}", f"{cores} core{'' if cores == 1 else 's'}"]
    known = [d for d in durations if d is not None]
    short = sum(d < SHORT_INPUT for d in known) >= len(known) / 2 if known else True
    if known:
        facts.append(f"mostly {'under' if short else 'over'} {SHORT_INPUT / 60:g} min")
    if jobs != "auto":
        chosen = max(1, int(jobs))
        facts.insert(0, f"--jobs {chosen}")
    elif count <= 1:
        chosen = 1
    elif threads:
        chosen = min(count, max(1, cores // threads))
        facts.insert(0, f"cpu_threads {threads}")
    elif short or count >= 2 * cores or count % cores == 0:
        chosen = min(count, cores)
    else:  # e.g. 3 long replays on 2 cores: 2 side by side, then 1 alone on one core is no faster
        chosen = max(1, min(count // 2, cores))
    if jobs == "auto" and memory and chosen > 1 and memory < chosen * MEMORY_PER_JOB:
        chosen = max(1, int(memory // MEMORY_PER_JOB))
        facts.append(f"{memory / 2**30:.1f} GB free")
    chosen = min(chosen, max(1, count))
    per_job = threads or (0 if chosen == 1 else max(1, cores // chosen))
    return JobPlan(chosen, per_job, ", ".join(facts))


def plan_batch(sources: list[Path], jobs: int | str, settings: Settings) -> JobPlan:
    """`plan_jobs` for these inputs on this machine."""
    step = max(1, len(sources) // DURATIONS_SAMPLED)
    sampled = [_duration(path) for path in sources[::step]] if jobs == "auto" and len(sources) > 1 else []
    return plan_jobs(len(sources), sampled, os.cpu_count(), jobs, settings.transcribe.cpu_threads,
                     _available_memory())


def _duration(path: Path) -> float | None:
    """The container's length from its header (no decoding); None when it cannot be read."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return container.duration / av.time_base if container.duration else None
    except (OSError, av.FFmpegError):
        return None


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _worker_settings(settings: Settings, workers: int) -> Settings:
    """Each worker gets its share of the cores, so N jobs never run N x cores threads."""
    share = max(1, (os.cpu_count() or 1) // workers)
    copy = replace(settings, transcribe=replace(settings.transcribe))
    copy.transcribe.cpu_threads = settings.transcribe.cpu_threads or share
    return copy


def _run_in_processes(jobs, tasks, args, force, emit, record) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    out, settings, catalog_path, shared_catalog, events_path = args
    settings = _worker_settings(settings, jobs)
    # Fresh interpreters, not forks: a fork of a process whose CTranslate2/OpenMP threads are
    # running (the model is cached once loaded) deadlocks in the child.  Each worker keeps its
    # loaded model (models.load_whisper) for every replay it is handed.
    context = multiprocessing.get_context("spawn")
    stages = context.SimpleQueue()  # the workers' stage starts, for the progress display
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(stages,)) as pool:
        futures = {}
        for index, (source, folder) in enumerate(tasks):
            emit("start", {"input": str(source)})
            futures[pool.submit(_process_one, source, folder, out, settings, catalog_path, shared_catalog,
                                events_path, None, force)] = index
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                while not stages.empty():
                    source, name = stages.get()
                    emit("stage", {"input": source, "stage": name})
                for future in finished:
                    record(futures[future], future.result())
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


_worker_stages: Any = None  # in a --jobs worker: where the stage starts of its replays go


def _start_worker(stages) -> None:
    global _worker_stages
    _worker_stages = stages
    _die_with_parent()


def _die_with_parent() -> None:
    """A worker whose batch process is killed (SIGKILL, OOM) stops too, instead of finishing
    its replay beside the next run that resumes the batch in the same folder."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        try:  # PR_SET_PDEATHSIG: the kernel sends SIGKILL when the parent exits
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:  # it died before the request was in place
                os._exit(1)
            return
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _tell_stage(source: str, name: str) -> None:
    _worker_stages.put((source, name))


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
    if on_stage is None and _worker_stages is not None:
        on_stage = functools.partial(_tell_stage, str(source))
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


__all__ = ["BatchResult", "JobPlan", "load_manifest", "plan_batch", "plan_jobs", "process_replay", "run_batch"]
