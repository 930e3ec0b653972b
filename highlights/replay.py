"""One replay's processing, declared as data: `STAGES` lists every stage with what it depends
on, and `process_replay` hands them to the runner in `stages.py`, which builds the keys,
times each stage and reuses what is still valid.  Adding a stage is one declaration here.

The stages exchange typed records (`records.py`); each result is stored as JSON in the
replay folder, so a killed run resumes where it stopped."""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from . import __version__
from .audio import audio_windows
from .caption_fixes import applies, fix_words
from .captions import Overlay
from .chapters import write_chapters
from .clips import clip_extension, cut_formats, make_thumbnail, thumbnail_time
from .config import Settings, clip_modes
from .damage import avoid_damage, describe, merge_ranges
from .decisions import Decisions, apply_decisions, read_decisions
from .decisions import to_json as decisions_json
from .events import EventsOutcome, apply_signals, live_signals, load_events
from .files import read_json, remove_stale_temporaries, sha256_file, unique_slug, write_json
from .formats import get_format
from .mentions import candidate_products, find_candidates, find_mentions
from .models import ModelSource, resolve_model
from .probe import probe
from .recap import write_replay_pages
from .records import (
    CaptionFix,
    Clip,
    Highlight,
    Manifest,
    MediaInfo,
    Mention,
    Product,
    SceneScan,
    Selection,
    SocialCopy,
    SubtitleFiles,
    SubtitleOutcome,
    Transcript,
    Word,
    from_dict,
)
from .scenes import check_stretches, scan_scenes
from .selection import edge_regions, select_highlights
from .stages import STATE_DIR, Stage, StageStore, file_identity, fingerprint, run_stages, stage_names
from .styles import get_style
from .subtitles import build_cues, write_subtitles
from .transcribe import transcribe
from .translation.tracks import TrackLabel, subtitle_tracks, translation_fingerprint

log = logging.getLogger("highlights")


@dataclass
class Replay:
    """What the stages of one replay are computed from."""

    source: Path
    folder: Path
    settings: Settings
    catalog: list[Product]  # the seller's products; empty: candidates are found in the transcript
    # What the stages had stored when this run began (`.stages/state.json`): the clips stage
    # reuses each clip whose plan and files are unchanged.
    stored: Mapping[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # said by a stage, shown in the manifest
    events_path: Path | None = None  # --events; else `<replay>.events.csv|json` beside it, if any

    @cached_property
    def events(self) -> EventsOutcome:
        """The live room's events (chat, add-to-cart...); a malformed file is one warning and
        the replay goes on without them."""
        outcome = load_events(self.source, self.events_path)
        if outcome.error:
            log.warning("%s", outcome.error)
            self.warnings.append(f"{outcome.error}; processed without live-room events")
        return outcome

    @cached_property
    def identity(self) -> dict:
        return file_identity(self.source)

    @cached_property
    def model(self) -> ModelSource:
        return resolve_model(self.settings.transcribe.model)

    def products(self, results: Mapping[str, Any]) -> list[Product]:
        """The catalog, or without one the candidates the host presented (`candidate-<words>`)."""
        return self.catalog or candidate_products(results["mentions"])


# --- what each stage computes ----------------------------------------------------------------


def _probe(replay: Replay, results: Mapping[str, Any]) -> MediaInfo:
    return probe(replay.source)


def _transcribe(replay: Replay, results: Mapping[str, Any]) -> Transcript:
    media: MediaInfo = results["probe"]
    settings = replay.settings.transcribe
    if not media.has_audio:
        return Transcript(language=settings.language or "en", language_probability=0.0,
                          duration=media.duration, model=replay.model.identity)
    windows = audio_windows(replay.source, window=settings.window)
    hotwords = [p.name for p in replay.catalog] if settings.catalog_hotwords else []
    transcript = transcribe(windows, settings, hotwords, replay.model)
    transcript.duration = transcript.duration or media.duration
    return transcript


def _scenes(replay: Replay, results: Mapping[str, Any]) -> SceneScan:
    return scan_scenes(replay.source, results["probe"], replay.settings.scenes)


def _mentions(replay: Replay, results: Mapping[str, Any]) -> list[Mention]:
    transcript: Transcript = results["transcribe"]
    if replay.catalog:
        return find_mentions(transcript, replay.catalog, replay.settings.mentions)
    return find_candidates(transcript, replay.settings.mentions)[1]


def _select(replay: Replay, results: Mapping[str, Any]) -> Selection:
    """Highlights with their edges on scene cuts.  Stretches the scene scan left unchecked
    (busy video) are checked only where they can move an edge, and the edges placed again."""
    media, transcript, scan = results["probe"], results["transcribe"], results["scenes"]
    mentions, products, settings = results["mentions"], replay.products(results), replay.settings
    cuts = list(scan.cuts)

    activity: list[list[float]] = []

    def choose(cuts: list[float]) -> list[Highlight]:
        chosen = select_highlights(transcript, mentions, products, cuts, settings.selection)
        return _with_live_signals(replay, chosen, mentions, products, media.duration, activity)

    highlights = choose(cuts)
    if scan.unchecked and highlights:
        regions = edge_regions(highlights, transcript.words, media.duration, settings.selection)
        # Only the part of a stretch inside a region: keyframes can be far apart.
        near = [[max(t0, low), min(t1, high)] for t0, t1 in scan.unchecked for low, high in regions
                if t0 < high and low < t1]
        cuts = sorted(set(cuts) | set(check_stretches(replay.source, media, settings.scenes, near)))
        if cuts != scan.cuts:
            highlights = choose(cuts)
    # Clips are kept clear of damaged data any stage skipped over (trimmed, or dropped when
    # what is left is shorter than a clip may be).
    damaged = _damaged(media, scan, transcript)
    if damaged:
        highlights = avoid_damage(highlights, damaged, settings.selection.min_clip)
    return Selection(highlights, cuts, activity)


def _damaged(media: MediaInfo, scan: SceneScan, transcript: Transcript) -> list[list[float]]:
    return merge_ranges([*media.damaged, *scan.damaged, *transcript.damaged])


def _with_live_signals(replay: Replay, highlights: list[Highlight], mentions: list[Mention],
                       products: list[Product], duration: float, activity: list[list[float]]) -> list[Highlight]:
    """Spikes of add-to-cart, purchases and buying questions in the live room raise the
    presentations they answer, and a stretch that sold strongly with few words becomes a
    highlight of its own; the best `max_clips` are kept, in time order."""
    events = replay.events.events
    if not events:
        return highlights
    signals = live_signals(highlights, mentions, events, duration, {p.id: p.name for p in products})
    activity[:] = signals.curve  # the recap's timeline draws it
    ranked = sorted(apply_signals(highlights, signals), key=lambda h: -h.score)
    return sorted(ranked[: replay.settings.selection.max_clips], key=lambda h: h.start)


def _clips(replay: Replay, results: Mapping[str, Any]) -> list[Clip]:
    media: MediaInfo = results["probe"]
    if not media.has_video:
        return []
    decisions, problem = read_decisions(replay.folder)
    if problem:  # reported and ignored, never overwritten: the person's file stays as it is
        log.warning("%s", problem)
        replay.warnings.append(problem)
    return cut_clips(replay.source, media, replay.folder, results["selection"].highlights, results["mentions"],
                     replay.settings, results["transcribe"], replay.products(results), decisions=decisions,
                     reusable=_intact_clips(replay), identity=replay.identity,
                     caption_words_for=_caption_track(replay, results))


def _caption_track(replay: Replay, results: Mapping[str, Any]) -> tuple[str, list[Word]] | None:
    """The words of `clips.caption_language` when it is not the spoken one: the translated
    subtitle track, its words spread over each cue by their length (a translation has no word
    times); the translation cache makes the subtitles stage reuse it.  None: the spoken words."""
    transcript: Transcript = results["transcribe"]
    wanted = replay.settings.clips.caption_language
    if not wanted or wanted == transcript.language:
        return None
    tracks = subtitle_tracks(transcript, replace(replay.settings, languages=[wanted]), replay.products(results),
                             replay.source)
    if wanted not in tracks.words:
        why = tracks.missing.get(wanted, "no translation")
        problem = f"no {wanted} captions ({why}); burned in {transcript.language}"
        log.warning("%s", problem)
        replay.warnings.append(problem)
        return None
    return wanted, tracks.words[wanted]


def _intact_clips(replay: Replay) -> dict[str, Clip]:
    """The clips the last run stored whose files are still as it wrote them (a person's edit
    of a clip's captions makes that clip be cut again, burning the edit)."""
    entry = replay.stored.get("clips") or {}
    digests: dict[str, str] = entry.get("files", {})
    try:
        clips = from_dict(list[Clip], read_json(replay.folder / STATE_DIR / "clips.json"))
    except (OSError, ValueError, TypeError):
        return {}
    intact = {}
    for clip in clips:
        files = list(dict.fromkeys(f for f in (clip.file, clip.thumbnail, clip.captions, *clip.files.values(),
                                               *clip.thumbnails.values(), *clip.scripts.values()) if f))
        if clip.plan and all(f in digests and (replay.folder / f).is_file()
                             and sha256_file(replay.folder / f) == digests[f] for f in files):
            intact[clip.id] = clip
    return intact


def cut_clips(source: Path, media: MediaInfo, folder: Path, highlights: list[Highlight], mentions: list[Mention],
              settings: Settings, transcript: Transcript, products: list[Product],
              decisions: Decisions | None = None, reusable: Mapping[str, Clip] | None = None,
              identity: Any = None, caption_words_for: tuple[str, list[Word]] | None = None) -> list[Clip]:
    """Every highlight as a clip in `folder/clips/`, with its thumbnail (and, vertical, its
    burned-in captions), after a reviewer's `decisions` (rejected clips left out, moved
    edges placed between words, titles).  A clip in `reusable` whose plan is unchanged is
    kept as it is instead of being cut again."""
    clips_dir = folder / "clips"
    taken: set[str] = set()
    modes = clip_modes(settings.clips)
    first_social = next((mode for mode in modes if get_format(mode).social), None)
    words = transcript.words
    look = get_style(settings.clips.caption_style)
    caption_language = transcript.language
    caption_words = words
    if caption_words_for is not None:
        caption_language, caption_words = caption_words_for
    catalog = {p.id: p for p in products}
    # Ids come from the selection's order before any decision, so rejecting clip 1 does not
    # rename every clip after it.
    plans = [(unique_slug(f"clip-{number:02d}-{h.products[0] if h.products else 'talk'}", taken), h)
             for number, h in enumerate(highlights, start=1)]
    planned = apply_decisions(plans, decisions or Decisions(), words, settings.selection.pad)
    reviewed = {p.id: p for p in planned}
    reusable = reusable or {}

    burns = settings.clips.captions and any(get_format(mode).social for mode in modes)

    def plan_of(clip_id: str, highlight: Highlight, fixes: tuple[CaptionFix, ...]) -> str:
        product = catalog.get(highlight.products[0]) if highlight.products else None
        inside = [w for w in words if highlight.start - 1 <= w.start and w.end <= highlight.end + 1]
        captioned = ([w for w in caption_words if highlight.start - 1 <= w.start and w.end <= highlight.end + 1]
                      if caption_words is not words else None)
        # A reviewer's caption corrections change what is burned in, so they re-cut the clip;
        # only when there are any (a clip without keeps the plan, and its file, it had) and
        # only when captions are burned (else they change the subtitles and social copy alone).
        corrected = [fixes] if fixes and burns else []
        return fingerprint(identity, clip_id, highlight, settings.clips, settings.subtitles, product, inside,
                           [m for m in mentions if highlight.start <= m.start < highlight.end], captioned, look,
                           *corrected)

    def make(clip_id: str, highlight: Highlight, threads: int) -> Clip:
        decision = reviewed[clip_id]
        plan = plan_of(clip_id, highlight, decision.captions)
        previous = reusable.get(clip_id)
        if previous is not None and previous.plan == plan:
            return replace(previous, title=decision.title, status=decision.status,
                           caption_fixes=list(decision.captions))
        # The first format keeps the plain names (`clip-01-x.mp4`, `.jpg`, `.captions.ass`, as
        # before several formats); the others add theirs (`clip-01-x.square.mp4`).
        def name(mode: str, ending: str) -> Path:
            return clips_dir / (f"{clip_id}{ending}" if mode == modes[0] else f"{clip_id}.{mode}{ending}")

        targets = {mode: name(mode, clip_extension(media, mode)) for mode in modes}
        product = catalog.get(highlight.products[0]) if highlight.products else None
        burned = fix_words(caption_words, decision.captions, caption_language, highlight.start, highlight.end)
        overlays = {mode: Overlay(words=burned, subtitles=settings.subtitles, product=product,
                                  language=caption_language, look=look,
                                  script=clips_dir / (f"{clip_id}.captions.ass" if mode == first_social
                                                      else f"{clip_id}.{mode}.captions.ass"))
                    for mode in modes if get_format(mode).social}
        cuts = cut_formats(source, media, highlight.start, highlight.end, targets, settings.clips,
                           threads=threads, overlays=overlays)
        cut = cuts[modes[0]]
        # The most telling moment: the sharpest frame in the two seconds after the product
        # is first named in the clip, taken from the clip itself so it shows what the clip shows;
        # found once, on the first format, and taken from every format at that moment.
        named = [m.start for m in mentions if highlight.start <= m.start < highlight.end]
        around = (named[0] if named else (cut.start + cut.end) / 2) - cut.start
        if get_format(modes[0]).social:
            # Measured on the replay's own frames of the span: the same moment as in the clip,
            # without decoding a 1080-wide picture that was just encoded.
            moment = thumbnail_time(source, cut.start + around, cut.end) - cut.start
        else:
            moment = thumbnail_time(targets[modes[0]], around, cut.duration)
        thumbnails = {}
        for mode, target in targets.items():
            thumbnails[mode] = name(mode, ".jpg")
            at = moment + cut.start - cuts[mode].start  # a copy clip starts earlier than the others
            make_thumbnail(target, max(0.0, at), thumbnails[mode], settings.clips.thumbnail_width)
        social = next((cuts[mode] for mode in modes if get_format(mode).social), None)
        scripts = {mode: _rel(c.captions, folder) for mode, c in cuts.items() if c.captions}
        return Clip(id=clip_id, start=cut.start, end=cut.end, file=_rel(targets[modes[0]], folder),
                    products=highlight.products, score=highlight.score, reasons=highlight.reasons,
                    thumbnail=_rel(thumbnails[modes[0]], folder), mode=modes[0], shift=cut.shift,
                    framing=social.framing if social else None,
                    captions=scripts.get(first_social) if first_social else None,
                    caption_language=caption_language if scripts else None,
                    loudness_target=cut.loudness_target, title=decision.title, status=decision.status,
                    caption_fixes=list(decision.captions), plan=plan,
                    files={mode: _rel(path, folder) for mode, path in targets.items()},
                    thumbnails={mode: _rel(path, folder) for mode, path in thumbnails.items()},
                    scripts=scripts)

    # One clip per core at a time, each encoder on one thread: a clip is partly Python
    # (planning, muxing, checking) and partly encoding, so clips side by side fill the cores
    # better than one clip with every thread.
    cores = settings.transcribe.cpu_threads or os.cpu_count() or 1
    workers = max(1, min(cores, len(planned)))
    if workers == 1:
        return [make(p.id, p.highlight, 0) for p in planned]
    import cv2  # noqa: F401  (its first import is not thread-safe: done before the clip threads start)

    with ThreadPoolExecutor(workers, thread_name_prefix="clip") as pool:
        return list(pool.map(lambda p: make(p.id, p.highlight, 1), planned))


def _clip_files(replay: Replay, clips: list[Clip]) -> list[Path]:
    return [replay.folder / p for c in clips
            for p in dict.fromkeys((c.file, c.thumbnail, c.captions, *c.files.values(), *c.thumbnails.values(),
                                    *c.scripts.values())) if p]


def _subtitles(replay: Replay, results: Mapping[str, Any]) -> SubtitleOutcome:
    """The source language's subtitles from the transcript, the others translated (or
    missing, with why), for the whole replay and for each clip."""
    from .lint import lint_cues, speech_spans
    from .subtitles import vertical

    media: MediaInfo = results["probe"]
    transcript: Transcript = results["transcribe"]
    clips: list[Clip] = results["clips"]
    settings, folder, slug = replay.settings, replay.folder, replay.folder.name
    products = replay.products(results)
    outcome = SubtitleOutcome()
    tracks = subtitle_tracks(transcript, settings, products, replay.source)
    names = [name for product in products for name in product.names] + list(settings.translation.keep)
    rules, ass = settings.subtitles, settings.subtitles.ass
    for language, words in tracks.words.items():
        cues = build_cues(words, rules, duration=media.duration, keep_together=names, language=language)
        problems = lint_cues(cues, rules, language, speech_spans(words), media.duration)
        if problems:  # e.g. a translation too long for the time the speaker took
            log.warning("%s: %d of %d %s subtitles break a rule, first %s; `highlights lint-subs` lists them",
                        slug, len({p.cue for p in problems}), len(cues), language, problems[0])
        label = tracks.labels.get(language)  # engine and route of a translated track
        notice = label.notice if label else None
        paths = write_subtitles(cues, folder / "subtitles" / f"{slug}.{language}", ass, media.display_size,
                                notice=notice)
        outcome.subtitles[language] = _subtitle_record(paths, folder, label)
        for clip in clips:
            # A clip whose first format is a social one gets subtitles for its narrow frame.
            frame = get_format(clip.mode).size
            upright = frame is not None
            # The reviewer's caption corrections, to this clip's words only; a corrected name
            # is kept on one subtitle as the catalog's names are.
            fixed = fix_words(words, clip.caption_fixes, language, clip.start, clip.end)
            inside = [w for w in fixed if w.start >= clip.start and w.end <= clip.end]
            kept = names + [fix.to for fix in clip.caption_fixes if applies(fix, language) and fix.to]
            cues = build_cues(inside, vertical(rules) if upright else rules, offset=clip.start,
                              duration=clip.end - clip.start, keep_together=kept, language=language)
            paths = write_subtitles(cues, folder / "clips" / f"{clip.id}.{language}", ass,
                                    frame or media.display_size, notice=notice)
            outcome.clip_subtitles.setdefault(clip.id, {})[language] = _subtitle_record(paths, folder, label)
    for language, reason in tracks.missing.items():
        outcome.missing_languages[language] = reason
        log.warning("%s: no %s subtitles: %s", slug, language, reason)
    return outcome


def _subtitle_files(replay: Replay, outcome: SubtitleOutcome) -> list[Path]:
    groups = [outcome.subtitles, *outcome.clip_subtitles.values()]
    return [replay.folder / path for group in groups for files in group.values()
            for path in (files.srt, files.vtt, files.ass) if path]


def _social(replay: Replay, results: Mapping[str, Any]) -> dict[str, dict[str, SocialCopy]]:
    """Each clip's title, description and hashtags in the spoken language and every subtitle
    language the subtitles stage made (`social.py`)."""
    from .social import social_copy

    transcript: Transcript = results["transcribe"]
    made = list(results["subtitles"].subtitles)
    return social_copy(results["clips"], transcript.words, transcript.language, made, replay.products(results),
                       replay.settings)


# --- the declarations --------------------------------------------------------------------------

STAGES: tuple[Stage[Replay, Any], ...] = (
    Stage("probe", MediaInfo, _probe, inputs=("source",)),
    # The catalog is left out of the key on purpose: a corrected price or a new product must
    # not cost a re-transcription (`--force transcribe` re-biases Whisper to new names).
    Stage("transcribe", Transcript, _transcribe, needs=("probe",), settings=("transcribe",),
          inputs=("source", "model"), stored_as="transcript.json"),
    # Scene detection decodes video in libav and OpenCV, which release the GIL, while
    # CTranslate2 transcribes: it fills the moments transcription leaves a core idle.
    Stage("scenes", SceneScan, _scenes, needs=("probe",), settings=("scenes",), inputs=("source",),
          alongside="transcribe"),
    Stage("mentions", list[Mention], _mentions, needs=("transcribe",), settings=("mentions",), inputs=("catalog",)),
    Stage("selection", Selection, _select, needs=("probe", "transcribe", "scenes", "mentions"),
          settings=("selection", "scenes"), inputs=("source", "catalog", "events")),
    # A reviewer's decisions.json enters the key: a rejected clip goes, a moved edge is cut
    # again; each untouched clip is reused (`Clip.plan`).
    Stage("clips", list[Clip], _clips, needs=("probe", "transcribe", "mentions", "selection"),
          settings=("clips", "subtitles", "selection", "translation"),
          inputs=("source", "catalog", "decisions", "translation"),
          outputs=_clip_files),
    Stage("subtitles", SubtitleOutcome, _subtitles, needs=("probe", "transcribe", "mentions", "clips"),
          settings=("languages", "subtitles", "translation", "transcribe"),
          inputs=("source", "catalog", "model", "translation"), outputs=_subtitle_files),
    # After the subtitles: it writes in the languages they reached, through the same engines.
    Stage("social", dict[str, dict[str, SocialCopy]], _social, needs=("transcribe", "mentions", "clips", "subtitles"),
          settings=("languages", "translation"), inputs=("catalog", "translation")),
)
STAGE_NAMES = stage_names(STAGES)


def process_replay(
    source: Path,
    folder: Path,
    settings: Settings,
    catalog: list[Product] | None = None,
    catalog_path: Path | None = None,
    on_stage: Callable[[str], None] | None = None,
    force: Iterable[str] = (),
    events_path: Path | None = None,
) -> Manifest:
    """All stages for one replay, writing into `folder`; returns its manifest.

    Stages whose inputs have not changed since the last run are not run again; `force`
    names stages to redo anyway (`STAGE_NAMES`).  The recap pages are rendered every time:
    they show the state of reviews made since."""
    began = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)  # one replay is written by one process at a time
    store = StageStore(folder, force)
    replay = Replay(source, folder, settings, list(catalog or []), stored=copy.deepcopy(store.state),
                    events_path=events_path)
    run = run_stages(STAGES, replay, store, settings, inputs={
        "source": lambda: replay.identity,
        "decisions": lambda: decisions_json(read_decisions(folder)[0]),
        "catalog": lambda: replay.catalog,
        "events": lambda: replay.events.events,
        "model": lambda: replay.model.identity,
        "translation": lambda: translation_fingerprint(settings.translation),
    }, on_stage=on_stage)
    results = run.results
    media: MediaInfo = results["probe"]
    transcript: Transcript = results["transcribe"]
    selection: Selection = results["selection"]
    manifest = Manifest(
        input=str(source),
        slug=folder.name,
        duration=media.duration,
        language=transcript.language,
        media=media,
        scene_cuts=selection.scene_cuts,
        mentions=results["mentions"],
        clips=results["clips"],
        products=replay.products(results),
        catalog=str(catalog_path) if catalog_path else None,
        highlights_version=__version__,
    )
    manifest.damaged = _damaged(media, results["scenes"], transcript)
    manifest.damaged_packets = media.damaged_packets + transcript.damaged_packets + len(results["scenes"].damaged)
    manifest.warnings.extend([*_warnings(media, transcript), *replay.warnings])
    if manifest.damaged:
        manifest.warnings.append(f"{describe(manifest.damaged)} ({manifest.damaged_packets} damaged packets "
                                 "skipped; no clip spans them)")
    manifest.events = replay.events.summary() if replay.events.source else None
    manifest.activity = list(selection.activity)
    results["subtitles"].apply(manifest)
    for clip in manifest.clips:
        clip.social = dict(results["social"].get(clip.id, {}))

    if on_stage:
        on_stage("recap")
    pages_began = time.perf_counter()
    manifest.timings = dict(run.timings)
    chapters = write_chapters(manifest, folder)
    manifest.chapters = dict(chapters.files)
    for note in chapters.warnings:  # about YouTube's rules for chapter lists, not about the replay
        log.info("%s: chapters: %s", folder.name, note)
    if settings.export.formats and manifest.clips:
        from .export import export_replay  # OpenTimelineIO, only when a preset asks for timelines

        export = export_replay(manifest, folder, settings.export.formats, source)
        manifest.exports = dict(export.files)
        manifest.warnings.extend(export.notes)
    write_replay_pages(folder, manifest, settings.subtitles, transcript, source)
    manifest.timings["recap"] = round(time.perf_counter() - pages_began, 3)
    # Wall time, not the sum: scenes run beside the transcription.
    manifest.timings["total"] = round(time.perf_counter() - began, 3)
    manifest.reused_stages = list(run.reused)
    write_json(folder / "manifest.json", manifest)
    return manifest


def _warnings(media: MediaInfo, transcript: Transcript) -> list[str]:
    warnings = []
    if not media.has_audio:
        warnings.append("no audio track: nothing to transcribe, so no mentions and no clips")
    elif not transcript.segments:
        warnings.append("no speech found: no transcript text, no mentions, no clips")
    if not media.has_video:
        warnings.append("audio only: transcript and subtitles, no video clips")
    return warnings


def _subtitle_record(paths: dict[str, Path], folder: Path, label: TrackLabel | None = None) -> SubtitleFiles:
    files = SubtitleFiles(_rel(paths["srt"], folder), _rel(paths["vtt"], folder),
                          _rel(paths["ass"], folder) if "ass" in paths else None)
    if label is not None:
        files.engine, files.route = label.engine, label.route or None
        files.machine_translated = label.machine_translated
        files.unknown_word_rate, files.unknown_words_flagged = label.unknown_word_rate, label.flagged
    return files


def _rel(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()
