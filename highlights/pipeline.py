"""Running the stages for one replay, and for a batch of them.

Each replay gets its own folder under OUT; the batch writes `batch.json` and `index.html`
after every replay, so a batch stopped half-way still has a valid index of what is done."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .catalog import CatalogError, find_catalog, load_catalog
from .clips import ClipError, clip_extension, cut_clip, make_thumbnail
from .config import LANGUAGES, Settings
from .ffmpeg import FFmpegError
from .files import read_json, unique_slug, write_json, write_text
from .inputs import expand_inputs
from .mentions import find_mentions
from .models import ModelError, resolve_model
from .probe import MediaError, probe
from .recap import render_index, render_recap
from .records import BatchEntry, Clip, Highlight, Manifest, Mention, Product, SubtitleFiles, Transcript, from_dict
from .scenes import detect_cuts
from .selection import select_highlights
from .stages import STAGES, StageStore, file_identity, fingerprint
from .subtitles import build_cues, write_subtitles
from .transcribe import load_audio, transcribe

log = logging.getLogger("highlights")

# Problems that are the input's fault (or the environment's) and are reported in one line.
EXPECTED_ERRORS = (MediaError, CatalogError, ClipError, FFmpegError, ModelError, OSError)
BROWSER_VIDEO = {"h264", "vp8", "vp9", "av1"}


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
    store = StageStore(folder, force)
    products = catalog or []

    with timer.stage("probe"):
        media = probe(source)
        identity = file_identity(source)
    with timer.stage("transcribe"):
        model_source = resolve_model(settings.transcribe.model)
        # The catalog is left out of the key on purpose: a corrected price or a new product
        # must not cost a re-transcription (`--force transcribe` re-biases to new names).
        transcript = store.run(
            "transcribe", fingerprint(identity, settings.transcribe, model_source.identity),
            compute=lambda: _transcribe(source, media, settings, products, model_source),
            save=lambda result: _save(folder / "transcript.json", result),
            load=lambda: from_dict(Transcript, read_json(folder / "transcript.json")))
    transcript_key = fingerprint(transcript)
    with timer.stage("scenes"):
        scene_cuts = store.run(
            "scenes", fingerprint(identity, settings.scenes),
            compute=lambda: detect_cuts(source, media, settings.scenes),
            save=lambda result: _save(store.path("scenes"), result),
            load=lambda: [float(t) for t in read_json(store.path("scenes"))])
    with timer.stage("mentions"):
        mentions = store.run(
            "mentions", fingerprint(transcript_key, products, settings.mentions),
            compute=lambda: find_mentions(transcript, products, settings.mentions),
            save=lambda result: _save(store.path("mentions"), result),
            load=lambda: [from_dict(Mention, m) for m in read_json(store.path("mentions"))])
    with timer.stage("selection"):
        highlights = store.run(
            "selection", fingerprint(transcript_key, mentions, products, scene_cuts, settings.selection),
            compute=lambda: select_highlights(transcript, mentions, products, scene_cuts, settings.selection),
            save=lambda result: _save(store.path("selection"), result),
            load=lambda: [from_dict(Highlight, h) for h in read_json(store.path("selection"))])

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
    if not transcript.segments:
        manifest.warnings.append("no speech found: no transcript text, no mentions, no clips")
    if not media.has_video:
        manifest.warnings.append("audio only: transcript and subtitles, no video clips")
    with timer.stage("clips"):
        manifest.clips = store.run(
            "clips", fingerprint(identity, highlights, mentions, settings.clips, settings.subtitles),
            compute=lambda: _cut_clips(source, media, folder, highlights, mentions, settings) if media.has_video else [],
            save=lambda clips: [*_save(store.path("clips"), clips),
                                *(folder / p for c in clips for p in (c.file, c.thumbnail))],
            load=lambda: [from_dict(Clip, c) for c in read_json(store.path("clips"))])
    with timer.stage("subtitles"):
        outcome = store.run(
            "subtitles", fingerprint(transcript_key, manifest.clips, products, settings),
            compute=lambda: _subtitle_outcome(transcript, manifest, folder, settings),
            save=lambda result: [*_save(store.path("subtitles"), result), *_subtitle_files(result, folder)],
            load=lambda: from_dict(SubtitleOutcome, read_json(store.path("subtitles"))))
        outcome.apply(manifest)
    with timer.stage("recap"):
        manifest.timings = dict(timer.timings)
        video_src = os.path.relpath(source.resolve(), folder.resolve()) if media.video_codec in BROWSER_VIDEO else None
        write_text(folder / "recap.html", render_recap(manifest, transcript, video_src, replay_dir=folder))
    manifest.timings = dict(timer.timings)
    manifest.timings["total"] = round(sum(timer.timings.values()), 3)
    manifest.reused_stages = list(store.reused)
    write_json(folder / "manifest.json", manifest)
    return manifest


def _save(path: Path, record) -> list[Path]:
    write_json(path, record)
    return [path]


def _transcribe(source: Path, media, settings: Settings, products: list[Product], model_source) -> Transcript:
    if not media.has_audio:
        return Transcript(language=settings.transcribe.language or "en", language_probability=0.0,
                          duration=media.duration, model=model_source.identity)
    audio = load_audio(source)
    hotwords = [p.name for p in products] if settings.transcribe.catalog_hotwords else []
    return transcribe(audio, settings.transcribe, hotwords, model_source)


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
    return [folder / path for group in groups for files in group.values() for path in (files.srt, files.vtt)]


def _cut_clips(source, media, folder, highlights, mentions, settings: Settings) -> list[Clip]:
    clips_dir = folder / "clips"
    clips = []
    taken: set[str] = set()
    for number, highlight in enumerate(highlights, start=1):
        clip_id = unique_slug(f"clip-{number:02d}-{highlight.products[0] if highlight.products else 'talk'}", taken)
        target = clips_dir / f"{clip_id}{clip_extension(media, settings.clips.mode)}"
        cut = cut_clip(source, media, highlight.start, highlight.end, target, settings.clips)
        # The most telling moment: just after the product is first named in the clip.
        named = [m.start for m in mentions if highlight.start <= m.start < highlight.end]
        moment = min((named[0] + 0.5) if named else (cut.start + cut.end) / 2, cut.end - 0.1)
        thumbnail = clips_dir / f"{clip_id}.jpg"
        make_thumbnail(source, moment, thumbnail, settings.clips.thumbnail_width)
        clips.append(Clip(id=clip_id, start=cut.start, end=cut.end, file=_rel(target, folder), products=highlight.products,
                          score=highlight.score, reasons=highlight.reasons, thumbnail=_rel(thumbnail, folder),
                          mode=settings.clips.mode))
    return clips


def _write_all_subtitles(transcript: Transcript, manifest: Manifest, folder: Path, settings: Settings) -> None:
    subs_dir = folder / "subtitles"
    source_language = transcript.language
    words = transcript.words
    paths = write_subtitles(build_cues(words, settings.subtitles, duration=manifest.duration),
                            subs_dir / f"{manifest.slug}.{source_language}")
    manifest.subtitles[source_language] = SubtitleFiles(_rel(paths["srt"], folder), _rel(paths["vtt"], folder))
    for clip in manifest.clips:
        inside = [w for w in words if w.start >= clip.start and w.end <= clip.end]
        paths = write_subtitles(build_cues(inside, settings.subtitles, offset=clip.start,
                                           duration=clip.end - clip.start),
                                folder / "clips" / f"{clip.id}.{source_language}")
        clip.subtitles[source_language] = SubtitleFiles(_rel(paths["srt"], folder), _rel(paths["vtt"], folder))
    for language in settings.languages:
        if language != source_language:
            manifest.missing_languages[language] = (
                f"no translation model for {source_language}→{language} is installed; "
                "subtitles in this language were not produced")


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
) -> BatchResult:
    """Process every replay the inputs name; one failure never stops the others."""
    emit = on_event or (lambda kind, data: None)
    out.mkdir(parents=True, exist_ok=True)
    sources, problems = expand_inputs(inputs)
    result = BatchResult(entries=[BatchEntry(p.input, "failed", p.error) for p in problems])
    for problem in problems:
        emit("failed", {"input": problem.input, "error": problem.error})
    shared_catalog = None
    if catalog_path is not None:
        shared_catalog = load_catalog(catalog_path)  # a bad --catalog is a usage error for the whole batch

    taken: set[str] = set()
    tasks = []
    for source in sources:
        slug = unique_slug(source.stem, taken, fallback="replay")
        tasks.append((source, out / slug))

    def record(outcome: ReplayResult) -> None:
        result.entries.append(outcome.entry)
        if outcome.manifest:
            result.manifests.append(outcome.manifest)
        _write_batch_files(out, result)

    _write_batch_files(out, result)
    if jobs > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor

        threads = max(1, (os.cpu_count() or 1) // jobs)
        settings.transcribe.cpu_threads = settings.transcribe.cpu_threads or threads
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_process_one, s, f, out, settings, catalog_path, shared_catalog, None, force)
                       for s, f in tasks]
            for future in futures:
                outcome = future.result()
                emit(outcome.entry.status, {"input": outcome.entry.input, "error": outcome.entry.error})
                record(outcome)
    else:
        for source, folder in tasks:
            emit("start", {"input": str(source)})
            outcome = _process_one(source, folder, out, settings, catalog_path, shared_catalog,
                                   lambda name, s=source: emit("stage", {"input": str(s), "stage": name}), force)
            emit(outcome.entry.status, {"input": outcome.entry.input, "error": outcome.entry.error,
                                        "timings": outcome.manifest.timings if outcome.manifest else None})
            record(outcome)
    return result


def _process_one(source: Path, folder: Path, out: Path, settings: Settings, catalog_path: Path | None,
                 shared_catalog: list[Product] | None, on_stage=None, force: Iterable[str] = ()) -> ReplayResult:
    entry = BatchEntry(input=str(source), status="failed", dir=folder.relative_to(out).as_posix())
    try:
        catalog, path = shared_catalog, catalog_path
        if catalog is None:
            path = find_catalog(source)
            catalog = load_catalog(path) if path else []
        manifest = process_replay(source, folder, settings, catalog, path, on_stage, force)
    except EXPECTED_ERRORS as exc:
        entry.error = _one_line(exc)
        log.debug("replay %s failed", source, exc_info=True)
        return ReplayResult(entry)
    except Exception as exc:  # a bug of ours must not take the rest of the batch down either
        entry.error = f"{source}: internal error: {type(exc).__name__}: {_one_line(exc)}"
        log.debug("replay %s failed", source, exc_info=True)
        return ReplayResult(entry)
    entry.status = "ok"
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
                       clip_count=len(manifest.clips),
                       thumbnail=f"{entry.dir}/{manifest.clips[0].thumbnail}" if manifest.clips else None,
                       products=[p.name for p in manifest.products if any(p.id in c.products for c in manifest.clips)])
        rows.append(row)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    write_text(out / "index.html", render_index(rows, generated))


def load_manifest(folder: Path) -> Manifest:
    return from_dict(Manifest, read_json(folder / "manifest.json"))


__all__ = ["process_replay", "run_batch", "load_manifest", "BatchResult", "LANGUAGES"]
