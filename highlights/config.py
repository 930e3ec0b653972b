"""Pipeline settings: one dataclass per stage, filled from a TOML preset in `pipelines/`.

A preset names only what it changes; everything else keeps the defaults below, which are
also what `pipelines/default.toml` documents (a test keeps the two equal, key for key).
Unknown sections or keys are an error, in a preset and in overrides from Python or the
command line alike, so a typo is caught instead of silently ignored."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .formats import FORMAT_NAMES, parse_modes
from .languages import LANGUAGES


class ConfigError(ValueError):
    pass


@dataclass
class TranscribeSettings:
    model: str = "base"
    compute_type: str = "int8"  # or "auto": int8 on a CPU, float16 on a GPU
    # auto: CUDA when CTranslate2 sees a GPU, else the CPU.  Like the thread count, where the
    # model runs is not part of a stage key: a transcript made on a GPU is reused on a CPU.
    device: str = field(default="auto", metadata={"key": False})
    # 3, not Whisper's usual 5: the same WER on the gold clips, 12 % less transcription time
    # (benchmarks/pipeline.py --wer); set 5 for the last bit of search
    beam_size: int = 3
    # Speech chunks decoded together (faster-whisper's BatchedInferencePipeline); 1 = one by one.
    batch_size: int = 8
    # Audio is decoded and transcribed this many seconds at a time: memory stays flat.
    window: float = 600.0
    vad: bool = True
    condition_on_previous_text: bool = False
    language: str | None = None  # None: detect
    # 0: all cores this job may use.  Not part of any stage key (`key: False`): a batch run
    # with --jobs 2 resumed with --jobs 1 reuses its transcripts.
    cpu_threads: int = field(default=0, metadata={"key": False})
    # Feed catalog names to Whisper so it spells them as the seller does.
    catalog_hotwords: bool = True
    # Decode again, without hotwords, the speech Whisper left out (`lost_speech`): hotwords
    # make it skip whole stretches now and then.
    recover_lost_speech: bool = True


@dataclass
class SceneSettings:
    enabled: bool = True
    # keyframes: decode keyframes, then every frame only where the picture changed (fast);
    # full: every frame (PySceneDetect's own way)
    method: str = "keyframes"
    threshold: float = 27.0  # PySceneDetect ContentDetector default
    min_scene_frames: int = 15  # PySceneDetect default; shorter 'shots' are flashes
    # Frames are scaled down before comparison; cuts survive it and decoding cost drops.
    downscale_width: int = 320


@dataclass
class MentionSettings:
    min_similarity: float = 80.0  # rapidfuzz ratio, 0-100; names under 10 characters need 90
    # A lower-case common word or part of a name counts only this close to a sure mention.
    support_window: float = 30.0
    candidates: bool = True  # without a catalog, name the products the host repeats near sales cues
    candidate_repeats: int = 2  # sentences a candidate's name must come up in (a common noun: one more)


@dataclass
class SelectionSettings:
    min_clip: float = 15.0
    max_clip: float = 60.0
    max_clips: int = 8
    # Mentions of one product closer than this are one presentation.
    merge_gap: float = 25.0
    # Sentences after the last name still belong to it while they talk about it (features,
    # price, call to action), up to this many seconds after it.
    trail: float = 20.0
    lead: float = 10.0  # an introduction may start this many seconds before the first name
    # A presentation becomes a clip from this score on: a sure mention of the whole name counts
    # 1, of a part of it 0.75; a price, a promo code or a call to action 1, a discount 0.75,
    # urgency 0.5.  One name said once, with nothing else, is not a presentation.
    min_score: float = 1.5
    snap_tolerance: float = 1.5
    pad: float = 0.15  # seconds of air kept before the first and after the last word


@dataclass
class ClipSettings:
    mode: str = "exact"  # copy | exact | vertical | square | portrait: one format (kept for old presets)
    # Several formats in one run, comma-separated ("exact,vertical,square"); empty: `mode`.
    modes: str = ""
    # exact: re-encode only from the start to the first keyframe and from the last keyframe to
    # the end, copying the pictures between (H.264 sources with closed GOPs; others re-encode all)
    smart_cut: bool = True
    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: str = "128k"
    thumbnail_width: int = 480
    # vertical: the 9:16 crop follows the host's face; without one, the whole frame on a blur
    face_tracking: bool = True
    captions: bool = True  # vertical: burn in one-line captions of what is said
    caption_size: int = 84  # pixels of the 1080x1920 frame (line height)
    product_card: bool = True  # vertical: the product's name and price at the top
    # social formats: a caption style of styles/ (clean, bold, karaoke: word by word; line: one static line)
    caption_style: str = "clean"
    caption_language: str = ""  # burn this subtitle language's captions; empty: the spoken one
    # social formats' encoder, chosen by measurement (benchmarks/clips.py --formats): on a
    # picture scaled up from a 720p crop, x264's ultrafast encodes 3x faster than veryfast and
    # within SSIM 0.99 of it; its files are larger (about 6 Mbit/s), which the apps re-encode
    social_preset: str = "ultrafast"
    social_crf: int = 20
    social_x264_params: str = ""
    loudnorm: bool = False  # normalise loudness (EBU R128); copy mode then re-encodes the audio only
    loudness_target: float = -14.0  # LUFS, what TikTok, Instagram and YouTube play at


@dataclass
class SubtitleSettings:
    max_chars_per_line: int = 42
    max_lines: int = 2
    min_duration: float = 0.8333  # 5/6 of a second, 20 frames at 24 fps
    max_duration: float = 7.0
    target_cps: float = 17.0
    max_cps: float = 20.0
    min_gap_frames: int = 2
    frame_rate: float = 25.0
    # A vertical (9:16) clip is narrow: one line per cue keeps the picture visible.
    vertical_max_lines: int = 1
    vertical_max_chars_per_line: int = 42
    ass: bool = True  # also write an ASS file (styled, for burning in with libass) beside SRT and WebVTT


@dataclass
class TranslationSettings:
    enabled: bool = True
    # Where Argos packages are installed; "" is Argos Translate's own folder
    # ($ARGOS_PACKAGES_DIR, else ~/.local/share/argos-translate/packages).
    packages_dir: str = ""
    pivot: str = "en"  # a pair with no model of its own goes through this language
    cache_file: str = ""  # "" is translations.sqlite3 in the user cache folder
    beam_size: int = 4  # Argos Translate's default
    batch_size: int = 32  # sentences per CTranslate2 call
    cpu_threads: int = field(default=0, metadata={"key": False})  # 0: all cores
    protect_numbers: bool = True  # numbers and prices come out exactly as they went in
    keep: list[str] = field(default_factory=list)  # more names kept verbatim, besides the catalog's
    # The English track of a non-English replay from Whisper's own translation of the audio
    # (a second Whisper pass) instead of from Argos; see README.
    whisper_english: bool = False
    # Translation engines in the order they are tried (argos, apertium, whisper); one left
    # out is not used.  Whisper costs a second Whisper pass over the audio, so it is off
    # unless named here (or whisper_english is set).
    engines: list[str] = field(default_factory=lambda: ["argos", "apertium"])
    apertium_dir: str = ""  # "" = /usr/share/apertium (its modes/ folder lists the pairs)
    # A track with more than this share of words the engine did not know is flagged.
    unknown_word_warning: float = 0.1


@dataclass
class ExportSettings:
    # Editor timelines written after the clips (highlights.export): any of otio, fcp7, fcpx, edl.
    formats: list[str] = field(default_factory=list)


@dataclass
class Settings:
    name: str = "default"
    languages: list[str] = field(default_factory=lambda: list(LANGUAGES))
    transcribe: TranscribeSettings = field(default_factory=TranscribeSettings)
    scenes: SceneSettings = field(default_factory=SceneSettings)
    mentions: MentionSettings = field(default_factory=MentionSettings)
    selection: SelectionSettings = field(default_factory=SelectionSettings)
    clips: ClipSettings = field(default_factory=ClipSettings)
    subtitles: SubtitleSettings = field(default_factory=SubtitleSettings)
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    export: ExportSettings = field(default_factory=ExportSettings)


CLIP_MODES = FORMAT_NAMES
TRANSLATION_ENGINES = ("argos", "apertium", "whisper")
# highlights.export.FORMATS's names, kept here so that config does not import OpenTimelineIO
EXPORT_FORMATS = ("otio", "fcp7", "fcpx", "edl")


def pipelines_dir() -> Path:
    """Presets ship inside the package when installed from a wheel, and sit at the
    repository's top level in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "pipelines", here.parent / "pipelines"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"pipeline presets not found next to {here}")


def preset_names() -> list[str]:
    return sorted(p.stem for p in pipelines_dir().glob("*.toml"))


def load_settings(pipeline: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from a preset name (`default`, `fast`, ...) or a TOML file path, then
    `overrides` given as `section__key=value` or `key=value` for top-level settings (None
    values are ignored, so unset command-line options change nothing).  Presets and
    overrides go through the same check (`apply_settings`): a misspelt key is an error
    naming the key and the closest valid one."""
    path = _preset_path(pipeline or "default")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    settings = apply_settings(Settings(), data, str(path))
    settings.name = data.get("name", path.stem)
    apply_settings(settings, overrides_table(overrides), "settings override")
    validate(settings)
    return settings


def overrides_table(overrides: dict[str, Any]) -> dict[str, Any]:
    """`{"clips__mode": "copy", "languages": [...]}` as the tables a preset would hold."""
    table: dict[str, Any] = {}
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, _, key = dotted.partition("__")
        if key:
            table.setdefault(section, {})
            if not isinstance(table[section], dict):
                raise ConfigError(f"settings override: {section} is not a table")
            table[section][key] = value
        else:
            table[section] = value
    return table


def apply_settings(record: Any, data: dict, where: str) -> Any:
    """Set the values of `data` (a TOML table, nested like `Settings`) on `record`, refusing
    unknown keys (with the closest known one) and values of the wrong type."""
    fields = {f.name: f for f in dataclasses.fields(record)}
    hints = typing.get_type_hints(type(record))
    for key, value in data.items():
        if key == "name" and record.__class__ is Settings:
            continue
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(fields)})"
            raise ConfigError(f"{where}: unknown setting {key!r}{hint}")
        current = getattr(record, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{key}] must be a table")
            apply_settings(current, value, f"{where} [{key}]")
            continue
        if not _fits(hints[key], value):
            raise ConfigError(f"{where}: {key} = {value!r} has the wrong type (expected {_type_name(hints[key])})")
        setattr(record, key, float(value) if hints[key] is float else value)
    return record


def _fits(expected: Any, value: Any) -> bool:
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(option, value) for option in typing.get_args(expected))
    if expected is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(expected)
        return isinstance(value, list) and all(_fits(item, v) for v in value)
    if expected is bool:
        return isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _type_name(expected: Any) -> str:
    return getattr(expected, "__name__", None) or str(expected)


def _preset_path(pipeline: str | Path) -> Path:
    candidate = Path(pipeline)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ConfigError(f"{candidate}: pipeline file not found")
        return candidate
    path = pipelines_dir() / f"{pipeline}.toml"
    if not path.is_file():
        raise ConfigError(f"unknown pipeline {str(pipeline)!r}; presets: {', '.join(preset_names())}")
    return path


def validate(settings: Settings) -> None:
    unknown = [code for code in settings.languages if code not in LANGUAGES]
    if unknown:
        raise ConfigError(f"unknown language code(s) {', '.join(unknown)}; supported: {', '.join(LANGUAGES)}")
    lang = settings.transcribe.language
    if lang is not None and lang not in LANGUAGES:
        raise ConfigError(f"unknown source language {lang!r}; supported: {', '.join(LANGUAGES)}")
    if settings.transcribe.device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"transcribe: unknown device {settings.transcribe.device!r}; choose auto, cpu or cuda")
    if settings.scenes.method not in ("keyframes", "full"):
        raise ConfigError(f"scenes: unknown method {settings.scenes.method!r}; choose keyframes or full")
    if not isinstance(settings.translation.engines, list):
        raise ConfigError(f"translation: engines = {settings.translation.engines!r} must be a list, "
                          f"e.g. {list(TRANSLATION_ENGINES[:2])}")
    unknown_engines = [name for name in settings.translation.engines if name not in TRANSLATION_ENGINES]
    if unknown_engines:
        raise ConfigError(f"translation: unknown engine(s) {', '.join(map(repr, unknown_engines))} in engines; "
                          f"choose from {', '.join(TRANSLATION_ENGINES)}")
    if settings.clips.mode not in CLIP_MODES:
        raise ConfigError(f"unknown clip mode {settings.clips.mode!r}; choose {', '.join(CLIP_MODES)}")
    try:
        clip_modes(settings.clips)
    except ValueError as exc:
        raise ConfigError(f"clips: modes = {settings.clips.modes!r}: {exc}") from None
    from .styles import style_names  # the caption styles are files: listed only when checked

    if settings.clips.caption_style not in style_names():
        raise ConfigError(f"clips: unknown caption_style {settings.clips.caption_style!r}; "
                          f"choose {', '.join(style_names())}")
    if settings.clips.caption_language and settings.clips.caption_language not in LANGUAGES:
        raise ConfigError(f"clips: unknown caption_language {settings.clips.caption_language!r}; "
                          f"supported: {', '.join(LANGUAGES)}")
    sel = settings.selection
    if not 0 < sel.min_clip <= sel.max_clip:
        raise ConfigError(f"selection: need 0 < min_clip ({sel.min_clip}) <= max_clip ({sel.max_clip})")
    if sel.max_clips < 0:
        raise ConfigError("selection: max_clips must be >= 0")
    subs = settings.subtitles
    if min(subs.max_lines, subs.vertical_max_lines, subs.max_chars_per_line, subs.vertical_max_chars_per_line) < 1:
        raise ConfigError("subtitles: line limits must be at least 1")
    translation = settings.translation
    if translation.pivot not in LANGUAGES:
        raise ConfigError(f"translation: unknown pivot language {translation.pivot!r}; "
                          f"supported: {', '.join(LANGUAGES)}")
    unknown_formats = [f for f in settings.export.formats if f not in EXPORT_FORMATS]
    if unknown_formats:
        raise ConfigError(f"export: unknown format(s) {', '.join(unknown_formats)}; choose {', '.join(EXPORT_FORMATS)}")
    if not isinstance(translation.keep, list) or not all(isinstance(k, str) for k in translation.keep):
        raise ConfigError("translation: keep must be a list of names")


def clip_modes(clips: ClipSettings) -> list[str]:
    """The formats a run writes, first one first (its file is the clip's `file`)."""
    return parse_modes(clips.modes) if clips.modes.strip() else [clips.mode]
