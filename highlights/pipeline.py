"""Running the stages for one replay, and for a batch of them.

Each replay gets its own folder under OUT; the batch writes `batch.json` and `index.html`
after every replay, so a batch stopped half-way still has a valid index of what is done."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .catalog import CatalogError, find_catalog, load_catalog
from .captions import Overlay
from .clips import ClipError, clip_extension, cut_clip, make_thumbnail, thumbnail_time
from .config import LANGUAGES, Settings
from .damage import avoid_damage, describe, merge_ranges
from .ffmpeg import FFmpegError
from .files import read_json, remove_stale_temporaries, unique_slug, write_json, write_text
from .inputs import expand_inputs
from .logs import inherit_logging
from .mentions import candidate_products, find_candidates, find_mentions
from .models import ModelError, resolve_model
from .probe import MediaError, probe
from .recap import render_index, write_replay_pages
from .records import (BatchEntry, Clip, Highlight, Manifest, Mention, Product, SceneScan, Selection, SubtitleFiles,
                      Transcript, from_dict)
from .scenes import check_stretches, scan_scenes
from .selection import edge_regions, select_highlights
from .stages import STAGES, StageStore, file_identity, fingerprint
from .subtitles import build_cues, write_subtitles
from .audio import audio_windows
from .transcribe import transcribe
from .translate import packages_fingerprint

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


class StageTimer:
    def __init__(self, on_stage: Callable[[str], None] | None = None):
        self.timings: dict[str, float] = {}
        self.on_stage = on_stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage:
            self.on_stage(name)
        began = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - began, 3)


def process_replay(
    source: Path,
    folder: Path,
    settings: Settings,
    catalog: list[Product] | None = None,
    catalog_path: Path | None = None,
    on_stage: Callable[[str], None] | None = None,
    force: Iterable[str] = (),
) -> Manifest:
    """All stages for one replay, writing into `folder`; returns its manifest.

    Stages whose inputs have not changed since the last run are not run again (see
    `stages.py`); `force` names stages to redo anyway."""
    timer = StageTimer(on_stage)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)  # one replay is written by one process at a time
    store = StageStore(folder, force)
    products = catalog or []

    with timer.stage("probe"):
        media = probe(source)
        identity = file_identity(source)
    scenes_key = fingerprint(__version__, identity, settings.scenes)
    with timer.stage("transcribe"):
        model_source = resolve_model(settings.transcribe.model)
        # The catalog is left out of the key on purpose: a corrected price or a new product
        # must not cost a re-transcription (`--force transcribe` re-biases to new names).
        transcribe_key = fingerprint(identity, settings.transcribe, model_source.identity)
        with _beside(lambda: scan_scenes(source, media, settings.scenes),
                     when=not store.will_reuse("transcribe", transcribe_key)
                     and not store.will_reuse("scenes", scenes_key)) as early_scenes:
            transcript = store.run(
                "transcribe", transcribe_key,
                compute=lambda: _transcribe(source, media, settings, products, model_source),
                save=lambda result: _save(folder / "transcript.json", result),
                load=lambda: from_dict(Transcript, read_json(folder / "transcript.json")))
    transcript_key = fingerprint(transcript)
    with timer.stage("scenes"):  # what is left of it: mostly done beside the transcription
        scan = store.run(
            "scenes", scenes_key,
            compute=early_scenes.result if early_scenes else lambda: scan_scenes(source, media, settings.scenes),
            save=lambda result: _save(store.path("scenes"), result),
            load=lambda: from_dict(SceneScan, read_json(store.path("scenes"))))
    with timer.stage("mentions"):
        mentions = store.run(
            "mentions", fingerprint(__version__, transcript_key, products, settings.mentions),
            compute=lambda: (find_mentions(transcript, products, settings.mentions) if products
                             else find_candidates(transcript, settings.mentions)[1]),
            save=lambda result: _save(store.path("mentions"), result),
            load=lambda: [from_dict(Mention, m) for m in read_json(store.path("mentions"))])
        # Without a catalog, the products are the candidates the host presented (`candidate-<words>`).
        products = products or candidate_products(mentions)
    with timer.stage("selection"):
        selection = store.run(
            "selection", fingerprint(__version__, transcript_key, mentions, products, scan, settings.selection),
            compute=lambda: _select(source, media, transcript, mentions, products, scan, settings),
            save=lambda result: _save(store.path("selection"), result),
            load=lambda: from_dict(Selection, read_json(store.path("selection"))))
        highlights, scene_cuts = selection.highlights, selection.scene_cuts

    manifest = Manifest(
        input=str(source),
        slug=folder.name,
        duration=media.duration,
        language=transcript.language,
        media=media,
        scene_cuts=scene_cuts,
        mentions=mentions,
        products=products,
        catalog=str(catalog_path) if catalog_path else None,
        highlights_version=__version__,
    )
    if not media.has_audio:
        manifest.warnings.append("no audio track: nothing to transcribe, so no mentions and no clips")
    elif not transcript.segments:
        manifest.warnings.append("no speech found: no transcript text, no mentions, no clips")
    if not media.has_video:
        manifest.warnings.append("audio only: transcript and subtitles, no video clips")
    # Damage every stage skipped over; clips are kept clear of it (trimmed, or dropped when
    # what is left is shorter than a clip may be).
    manifest.damaged = merge_ranges([*media.damaged, *scan.damaged, *transcript.damaged])
    manifest.damaged_packets = media.damaged_packets + transcript.damaged_packets + len(scan.damaged)
    if manifest.damaged:
        manifest.warnings.append(f"{describe(manifest.damaged)} ({manifest.damaged_packets} damaged packets "
                                 "skipped; no clip spans them)")
        highlights = avoid_damage(highlights, manifest.damaged, settings.selection.min_clip)
    with timer.stage("clips"):
        manifest.clips = store.run(
            "clips", fingerprint(__version__, identity, highlights, mentions, settings.clips, settings.subtitles,
                                 transcript_key, products),
            compute=lambda: (_cut_clips(source, media, folder, highlights, mentions, settings, transcript, products)
                             if media.has_video else []),
            save=lambda clips: [*_save(store.path("clips"), clips),
                                *(folder / p for c in clips for p in (c.file, c.thumbnail, c.captions) if p)],
            load=lambda: [from_dict(Clip, c) for c in read_json(store.path("clips"))])
    with timer.stage("subtitles"):
        outcome = store.run(
            "subtitles", fingerprint(__version__, transcript_key, manifest.clips, products, settings,
                                     packages_fingerprint(settings.translation)),
            compute=lambda: _subtitle_outcome(transcript, manifest, folder, settings),
            save=lambda result: [*_save(store.path("subtitles"), result), *_subtitle_files(result, folder)],
            load=lambda: from_dict(SubtitleOutcome, read_json(store.path("subtitles"))))
        outcome.apply(manifest)
    with timer.stage("recap"):
        manifest.timings = dict(timer.timings)
        write_replay_pages(folder, manifest, settings.subtitles, transcript, source)
    manifest.timings = dict(timer.timings)
    manifest.timings["total"] = round(sum(timer.timings.values()), 3)
    manifest.reused_stages = list(store.reused)
    write_json(folder / "manifest.json", manifest)
    return manifest


@contextmanager
def _beside(work: Callable[[], object], when: bool) -> Iterator[Future | None]:
    """Run `work` on a thread while the block runs (None when `when` is false).  Scene
    detection decodes video in libav and OpenCV, which release the GIL, while CTranslate2
    transcribes: the parts of transcription that leave a core idle (reading the audio, the
    VAD, features) are where it gets done.  If the block fails, the thread's result is dropped."""
    if not when:
        yield None
        return
    pool = ThreadPoolExecutor(1, thread_name_prefix="beside")
    try:
        yield pool.submit(work)
    finally:
        pool.shutdown(wait=False)


def _save(path: Path, record) -> list[Path]:
    write_json(path, record)
    return [path]


def _select(source: Path, media, transcript: Transcript, mentions: list[Mention], products: list[Product],
            scan: SceneScan, settings: Settings) -> Selection:
    """Highlights with their edges on scene cuts.  Stretches the scene scan left unchecked
    (busy video) are checked only where they can move an edge, and the edges placed again."""
    cuts = list(scan.cuts)
    highlights = select_highlights(transcript, mentions, products, cuts, settings.selection)
    if scan.unchecked and highlights:
        regions = edge_regions(highlights, transcript.words, media.duration, settings.selection)
        # Only the part of a stretch inside a region: keyframes can be far apart.
        near = [[max(t0, low), min(t1, high)] for t0, t1 in scan.unchecked for low, high in regions
                if t0 < high and low < t1]
        cuts = sorted(set(cuts) | set(check_stretches(source, media, settings.scenes, near)))
        if cuts != scan.cuts:
            highlights = select_highlights(transcript, mentions, products, cuts, settings.selection)
    return Selection(highlights, cuts)


def _transcribe(source: Path, media, settings: Settings, products: list[Product], model_source) -> Transcript:
    if not media.has_audio:
        return Transcript(language=settings.transcribe.language or "en", language_probability=0.0,
                          duration=media.duration, model=model_source.identity)
    windows = audio_windows(source, window=settings.transcribe.window)
    hotwords = [p.name for p in products] if settings.transcribe.catalog_hotwords else []
    transcript = transcribe(windows, settings.transcribe, hotwords, model_source)
    transcript.duration = transcript.duration or media.duration
    return transcript


@dataclass
class SubtitleOutcome:
    """What the subtitles stage adds to a manifest, kept so a re-run can reuse it."""

    subtitles: dict[str, SubtitleFiles] = field(default_factory=dict)
    clip_subtitles: dict[str, dict[str, SubtitleFiles]] = field(default_factory=dict)
    missing_languages: dict[str, str] = field(default_factory=dict)

    def apply(self, manifest: Manifest) -> None:
        manifest.subtitles = dict(self.subtitles)
        manifest.missing_languages = dict(self.missing_languages)
        for clip in manifest.clips:
            clip.subtitles = dict(self.clip_subtitles.get(clip.id, {}))


def _subtitle_outcome(transcript: Transcript, manifest: Manifest, folder: Path, settings: Settings) -> SubtitleOutcome:
    _write_all_subtitles(transcript, manifest, folder, settings)
    return SubtitleOutcome(dict(manifest.subtitles), {c.id: dict(c.subtitles) for c in manifest.clips},
                           dict(manifest.missing_languages))


def _subtitle_files(outcome: SubtitleOutcome, folder: Path) -> list[Path]:
    groups = [outcome.subtitles, *outcome.clip_subtitles.values()]
    return [folder / path for group in groups for files in group.values()
            for path in (files.srt, files.vtt, files.ass) if path]


def _cut_clips(source, media, folder, highlights, mentions, settings: Settings, transcript: Transcript,
               products: list[Product]) -> list[Clip]:
    clips_dir = folder / "clips"
    taken: set[str] = set()
    mode = settings.clips.mode
    words = transcript.words
    catalog = {p.id: p for p in products}
    plans = []
    for number, highlight in enumerate(highlights, start=1):
        clip_id = unique_slug(f"clip-{number:02d}-{highlight.products[0] if highlight.products else 'talk'}", taken)
        plans.append((clip_id, highlight))

    def make(clip_id: str, highlight: Highlight, threads: int) -> Clip:
        target = clips_dir / f"{clip_id}{clip_extension(media, mode)}"
        overlay = None
        if mode == "vertical":
            product = catalog.get(highlight.products[0]) if highlight.products else None
            overlay = Overlay(words=words, subtitles=settings.subtitles, product=product,
                              script=clips_dir / f"{clip_id}.captions.ass")
        cut = cut_clip(source, media, highlight.start, highlight.end, target, settings.clips, threads=threads,
                       overlay=overlay)
        # The most telling moment: the sharpest frame in the two seconds after the product
        # is first named in the clip, taken from the clip itself so it shows what the clip shows.
        named = [m.start for m in mentions if highlight.start <= m.start < highlight.end]
        around = (named[0] if named else (cut.start + cut.end) / 2) - cut.start
        thumbnail = clips_dir / f"{clip_id}.jpg"
        make_thumbnail(target, thumbnail_time(target, around, cut.duration), thumbnail, settings.clips.thumbnail_width)
        return Clip(id=clip_id, start=cut.start, end=cut.end, file=_rel(target, folder), products=highlight.products,
                    score=highlight.score, reasons=highlight.reasons, thumbnail=_rel(thumbnail, folder),
                    mode=mode, shift=cut.shift, framing=cut.framing,
                    captions=_rel(cut.captions, folder) if cut.captions else None,
                    caption_language=transcript.language if cut.captions else None,
                    loudness_target=cut.loudness_target)

    # One clip per core at a time, each encoder on one thread: a clip is partly Python
    # (planning, muxing, checking) and partly encoding, so clips side by side fill the cores
    # better than one clip with every thread.
    cores = settings.transcribe.cpu_threads or os.cpu_count() or 1
    workers = max(1, min(cores, len(plans)))
    if workers == 1:
        return [make(clip_id, highlight, 0) for clip_id, highlight in plans]
    with ThreadPoolExecutor(workers, thread_name_prefix="clip") as pool:
        return list(pool.map(lambda plan: make(*plan, 1), plans))


def _write_all_subtitles(transcript: Transcript, manifest: Manifest, folder: Path, settings: Settings) -> None:
    from .clips import VERTICAL_SIZE
    from .lint import lint_cues
    from .subtitles import vertical
    from .translate import subtitle_tracks

    # The source language from the transcript, the others translated (or missing, with why).
    tracks = subtitle_tracks(transcript, settings, manifest.products, Path(manifest.input))
    names = [name for product in manifest.products for name in product.names] + list(settings.translation.keep)
    rules, ass = settings.subtitles, settings.subtitles.ass
    for language, words in tracks.words.items():
        cues = build_cues(words, rules, duration=manifest.duration, keep_together=names)
        problems = lint_cues(cues, rules)
        if problems:  # e.g. a translation too long for the time the speaker took
            log.warning("%s: %d of %d %s subtitles break a rule, first %s; `highlights lint-subs` lists them",
                        manifest.slug, len({p.cue for p in problems}), len(cues), language, problems[0])
        paths = write_subtitles(cues, folder / "subtitles" / f"{manifest.slug}.{language}", ass,
                                manifest.media.display_size)
        manifest.subtitles[language] = _subtitle_record(paths, folder)
        for clip in manifest.clips:
            upright = clip.mode == "vertical"
            inside = [w for w in words if w.start >= clip.start and w.end <= clip.end]
            cues = build_cues(inside, vertical(rules) if upright else rules, offset=clip.start,
                              duration=clip.end - clip.start, keep_together=names)
            paths = write_subtitles(cues, folder / "clips" / f"{clip.id}.{language}", ass,
                                    VERTICAL_SIZE if upright else manifest.media.display_size)
            clip.subtitles[language] = _subtitle_record(paths, folder)
    for language, reason in tracks.missing.items():
        manifest.missing_languages[language] = reason
        log.warning("%s: no %s subtitles: %s", manifest.slug, language, reason)


def _subtitle_record(paths: dict[str, Path], folder: Path) -> SubtitleFiles:
    return SubtitleFiles(_rel(paths["srt"], folder), _rel(paths["vtt"], folder),
                         _rel(paths["ass"], folder) if "ass" in paths else None)


def _rel(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def run_batch(
    inputs: list[str],
    out: Path,
    settings: Settings,
    catalog_path: Path | None = None,
    jobs: int = 1,
    on_event: Callable[[str, dict], None] | None = None,
    force: Iterable[str] = (),
    scheduler: str | None = None,
) -> BatchResult:
    """Process every replay the inputs name; one failure never stops the others.

    `jobs` > 1 runs replays in that many local processes; `scheduler` (a Dask distributed
    scheduler address) runs them on a cluster whose workers see the same paths. Either way
    the outputs are those of a one-by-one run. Ctrl-C stops after recording what is done;
    finished stages are reused by the next run."""
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
    args = (out, settings, catalog_path, shared_catalog)
    try:
        if scheduler:
            _run_on_cluster(scheduler, tasks, args, force, emit, record)
        elif jobs > 1 and len(tasks) > 1:
            _run_in_processes(jobs, tasks, args, force, emit, record)
        else:
            for index, (source, folder) in enumerate(tasks):
                emit("start", {"input": str(source)})
                on_stage = lambda name, s=source: emit("stage", {"input": str(s), "stage": name})  # noqa: E731
                record(index, _process_one(source, folder, *args, on_stage, force))
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

    out, settings, catalog_path, shared_catalog = args
    settings = _worker_settings(settings, jobs)
    # Fresh interpreters, not forks: a fork of a process whose CTranslate2/OpenMP threads are
    # running (the model is cached once loaded) deadlocks in the child.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {}
        for index, (source, folder) in enumerate(tasks):
            emit("start", {"input": str(source)})
            futures[pool.submit(_process_one, source, folder, out, settings, catalog_path, shared_catalog,
                                None, force)] = index
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

    out, settings, catalog_path, shared_catalog = args
    with Client(address) as client:
        workers = client.scheduler_info().get("workers", {})
        threads = min((w.get("nthreads", 1) for w in workers.values()), default=1)
        # A worker running `threads` replays at once splits its cores between them.
        settings = _worker_settings(settings, max(1, threads))
        futures = {}
        for index, (source, folder) in enumerate(tasks):
            emit("start", {"input": str(source)})
            future = client.submit(_process_one, source, folder, out, settings, catalog_path, shared_catalog,
                                   None, force, pure=False, key=f"replay-{index}-{folder.name}")
            futures[future] = index
        for future in as_completed(futures):
            record(futures[future], future.result())


def _process_one(source: Path, folder: Path, out: Path, settings: Settings, catalog_path: Path | None,
                 shared_catalog: list[Product] | None, on_stage=None, force: Iterable[str] = ()) -> ReplayResult:
    inherit_logging()  # a --jobs worker process logs as the command line asked
    entry = BatchEntry(input=str(source), status="failed", dir=folder.relative_to(out).as_posix())
    try:
        catalog, path = shared_catalog, catalog_path
        if catalog is None:
            path = find_catalog(source)
            catalog = load_catalog(path) if path else []
        manifest = process_replay(source, folder, settings, catalog, path, on_stage, force)
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
        row = {"input": entry.input, "status": entry.status, "error": entry.error, "dir": entry.dir}
        manifest = manifests.get(Path(entry.dir).name) if entry.dir and entry.status == "ok" else None
        if manifest:
            row.update(title=Path(manifest.input).stem, duration=manifest.duration, language=manifest.language,
                       clip_count=len(manifest.clips), warnings=manifest.warnings,
                       thumbnail=f"{entry.dir}/{manifest.clips[0].thumbnail}" if manifest.clips else None,
                       products=[p.name for p in manifest.products if any(p.id in c.products for c in manifest.clips)])
        rows.append(row)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    write_text(out / "index.html", render_index(rows, generated))


def load_manifest(folder: Path) -> Manifest:
    return from_dict(Manifest, read_json(folder / "manifest.json"))


__all__ = ["process_replay", "run_batch", "load_manifest", "BatchResult", "LANGUAGES"]
