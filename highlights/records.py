"""Typed records the stages exchange.

Every record is a plain dataclass that round-trips through JSON with `to_dict` / `from_dict`,
so each stage's result can be written to the output folder and read back by the next stage
(or by another tool) without this package.  Times are seconds from the start of the replay
unless a field says otherwise; paths inside a replay folder are relative to that folder.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def to_dict(record: Any) -> Any:
    """JSON-ready form of a record (or of a list/dict of records)."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {_json_name(f): to_dict(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, (list, tuple)):
        return [to_dict(item) for item in record]
    if isinstance(record, dict):
        return {key: to_dict(value) for key, value in record.items()}
    return record


def from_dict(cls: type[T], data: Any) -> T:
    """Rebuild a record from its `to_dict` form; unknown keys are ignored so that
    files written by a newer version still load."""
    return _convert(cls, data)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item_type,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise TypeError(f"expected a list, not {type(value).__name__}")
        return [_convert(item_type, item) for item in value]
    if origin is dict:
        _, value_type = typing.get_args(tp)
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, not {type(value).__name__}")
        return {key: _convert(value_type, item) for key, item in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):  # a file in an older layout: the stage runs again
            raise TypeError(f"expected an object for {tp.__name__}, not {type(value).__name__}")
        hints = typing.get_type_hints(tp)
        known = {_json_name(f): f.name for f in dataclasses.fields(tp) if f.init}
        return tp(**{known[k]: _convert(hints[known[k]], v) for k, v in value.items() if k in known})
    if tp is float and isinstance(value, int):
        return float(value)
    return value


def _json_name(field_: dataclasses.Field) -> str:
    """A field's name in JSON: its own, or `metadata={"json": ...}` where JSON's is a Python
    keyword (`CaptionFix.from_` is `"from"`)."""
    return str(field_.metadata.get("json", field_.name))


# --- probe -------------------------------------------------------------------------------


@dataclass
class MediaInfo:
    """What the probe stage learned about an input file."""

    path: str
    container: str
    duration: float
    size_bytes: int
    has_video: bool
    has_audio: bool
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    rotation: int = 0  # degrees clockwise the player must turn the stored frames
    audio_codec: str | None = None
    audio_streams: int = 0
    sample_rate: int | None = None
    # The exact rate as a fraction ("30000/1001"): `fps` is rounded, and editor timelines
    # (highlights.export) need the rate the frames really come at.
    frame_rate: str | None = None
    variable_frame_rate: bool | None = None  # None: not checked (the probe reads no packets)
    # [start, end] seconds where the container holds damaged data (corrupt packets, holes in
    # the timestamps), and how many packets; found by demuxing, not decoding
    damaged: list[list[float]] = field(default_factory=list)
    damaged_packets: int = 0

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as shown to a viewer, rotation applied."""
        if self.width is None or self.height is None:
            return None
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height


# --- transcribe --------------------------------------------------------------------------


@dataclass
class Word:
    start: float
    end: float
    text: str  # as Whisper wrote it, with its leading space and punctuation
    probability: float = 1.0


@dataclass
class Segment:
    """One Whisper segment with its words."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class Transcript:
    language: str
    language_probability: float
    duration: float
    model: str
    segments: list[Segment] = field(default_factory=list)
    # [start, end] seconds of audio that did not decode (silence stands in for it), and how
    # many packets were skipped
    damaged: list[list[float]] = field(default_factory=list)
    damaged_packets: int = 0

    @property
    def words(self) -> list[Word]:
        return [word for segment in self.segments for word in segment.words]


@dataclass
class Sentence:
    """A run of words ending at sentence punctuation (or a long pause)."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


# --- catalog and mentions ----------------------------------------------------------------


@dataclass
class Product:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    price: float | None = None
    currency: str | None = None
    url: str | None = None
    image: str | None = None
    link: str | None = None  # its number in the live room's shopping bag ("link 12"), said on air

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Mention:
    """A place in the transcript where a catalog product (or, without a catalog, a
    candidate product) is named."""

    product: str  # catalog id, or `candidate-<words>` for a product found without a catalog
    start: float
    end: float
    text: str  # the words as transcribed
    matched: str  # the catalog name or alias they matched
    similarity: float  # 0-100
    kind: str = "name"  # name | alias | partial | brand (shared) | link (its number) | candidate (no catalog)
    confidence: float = 1.0  # 0-1: under 0.75, a common word or a lower-case part of a name


# --- selection and clips -----------------------------------------------------------------


@dataclass
class SceneScan:
    """What the scenes stage found: cuts it is sure of, and stretches between keyframes whose
    pictures differ that it has not yet looked at frame by frame (busy video, where checking
    them all would cost a full decode; they are checked where a clip edge may snap)."""

    cuts: list[float] = field(default_factory=list)
    unchecked: list[list[float]] = field(default_factory=list)  # [start, end] seconds
    damaged: list[list[float]] = field(default_factory=list)  # [start, end]: keyframes that did not decode


@dataclass
class Selection:
    """The selection stage's result: the highlights, and every cut known once the stretches
    near their edges were checked."""

    highlights: list[Highlight] = field(default_factory=list)
    scene_cuts: list[float] = field(default_factory=list)
    # The live room's activity (events per bin: [start seconds, count]) when there were events
    activity: list[list[float]] = field(default_factory=list)


@dataclass
class Highlight:
    """A stretch of the replay chosen to become a clip."""

    start: float
    end: float
    products: list[str]
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class SubtitleFiles:
    srt: str
    vtt: str
    ass: str | None = None  # styled, for editors and for burning in with libass
    # Where the text came from: "transcript", or the translation engine(s) ("argos",
    # "apertium", "whisper+argos") and the route ("apertium en→es→pt").
    engine: str | None = None
    route: str | None = None
    machine_translated: bool = False
    # Share of the words the engines marked as not translated (None: the engine cannot tell,
    # as Argos); `unknown_words_flagged` when above `[translation] unknown_word_warning`.
    unknown_word_rate: float | None = None
    unknown_words_flagged: bool = False


@dataclass
class SocialCopy:
    """What an influencer posts with a clip, in one language."""

    title: str
    description: str
    hashtags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaptionFix:
    """A reviewer's correction of a clip's caption text (decisions.json): the display words
    `from_` (matched ignoring case and the punctuation around words) become `to` in the
    clip's burned captions, subtitle files and social copy.  `language` limits it to one
    language's words; None: wherever the words appear in any of the clip's languages."""

    from_: str = field(metadata={"json": "from"})
    to: str
    language: str | None = None


@dataclass
class Clip:
    id: str
    start: float
    end: float
    file: str
    products: list[str]
    score: float
    reasons: list[str]
    thumbnail: str
    mode: str = "exact"  # the first of the run's formats: `file` and `thumbnail` are its
    subtitles: dict[str, SubtitleFiles] = field(default_factory=dict)
    # Every format the run wrote (mode -> path), the first one `file`; a thumbnail per format
    # (each aspect its own picture) and the burned ASS script of each social format.
    files: dict[str, str] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    # Copy to post with it, per subtitle language (the social stage): title, description, hashtags.
    social: dict[str, SocialCopy] = field(default_factory=dict)
    # Seconds the clip starts before the highlight did: copy mode can only start on a keyframe.
    shift: float = 0.0
    framing: str | None = None  # vertical: "face" (the crop follows the host) or "fit" (whole frame, blurred sides)
    captions: str | None = None  # vertical: the ASS script burned into the picture
    caption_language: str | None = None
    loudness_target: float | None = None  # LUFS the audio was normalised to, if it was
    title: str | None = None  # a reviewer's title (decisions.json)
    status: str | None = None  # a reviewer's decision: "approved", or None (rejected clips are not cut)
    # A reviewer's corrections of the caption text (decisions.json), applied to this clip's words.
    caption_fixes: list[CaptionFix] = field(default_factory=list)
    # A hash of everything the clip was cut from (its span, the settings, the words and
    # product card in it): a re-run re-cuts a clip only when this changes.
    plan: str = ""


@dataclass
class Cue:
    """One subtitle cue; `lines` are already broken for display."""

    start: float
    end: float
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- per replay and per batch ------------------------------------------------------------


@dataclass
class SubtitleOutcome:
    """The subtitles stage's result: the files of every language for the whole replay and
    for each clip, and the languages that got none, with why."""

    subtitles: dict[str, SubtitleFiles] = field(default_factory=dict)
    clip_subtitles: dict[str, dict[str, SubtitleFiles]] = field(default_factory=dict)  # clip id -> language ->
    missing_languages: dict[str, str] = field(default_factory=dict)

    def apply(self, manifest: Manifest) -> None:
        manifest.subtitles = dict(self.subtitles)
        manifest.missing_languages = dict(self.missing_languages)
        for clip in manifest.clips:
            clip.subtitles = dict(self.clip_subtitles.get(clip.id, {}))


@dataclass
class Manifest:
    """Everything a run produced for one replay: `OUT/<slug>/manifest.json`."""

    input: str
    slug: str
    duration: float
    language: str
    media: MediaInfo
    scene_cuts: list[float] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    clips: list[Clip] = field(default_factory=list)
    subtitles: dict[str, SubtitleFiles] = field(default_factory=dict)
    # language code -> why there is no file for it (e.g. no translation model installed)
    missing_languages: dict[str, str] = field(default_factory=dict)
    products: list[Product] = field(default_factory=list)
    catalog: str | None = None
    # stage name -> wall seconds
    timings: dict[str, float] = field(default_factory=dict)
    # stages whose stored result was still valid and was reused instead of run again
    reused_stages: list[str] = field(default_factory=list)
    # what a user should know about this replay although it succeeded
    warnings: list[str] = field(default_factory=list)
    highlights_version: str = ""
    chapters: dict[str, str] = field(default_factory=dict)  # "txt" (YouTube) / "vtt" -> path
    exports: dict[str, str] = field(default_factory=dict)  # editor timeline format -> path
    events: dict[str, Any] | None = None  # the live-room events file read: source, count, error
    activity: list[list[float]] = field(default_factory=list)  # live-room events per bin: [start s, count]
    # [start, end] seconds of damaged data skipped in any stage (probe, audio, keyframes),
    # merged; no clip spans one; and how many packets (or holes) were skipped
    damaged: list[list[float]] = field(default_factory=list)
    damaged_packets: int = 0


@dataclass
class BatchEntry:
    """One line of `OUT/batch.json`."""

    input: str
    status: str  # "ok" | "failed"
    error: str | None = None
    dir: str | None = None  # the replay folder, relative to OUT
    warnings: list[str] = field(default_factory=list)  # the manifest's, for a succeeded replay
