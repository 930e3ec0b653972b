"""The translation engines behind one small interface, so the route planner and the track
builder never ask which engine they hold.

- `ArgosEngine`: Argos Translate packages (neural, CTranslate2), one per installed pair.
- `ApertiumEngine`: Debian's rule-based Apertium, one mode per installed direction.
- `WhisperEngine`: faster-whisper's `task="translate"`, from the replay's audio into English
  only: a second Whisper pass, so it is used only when `[translation] engines` names it or
  `whisper_english` is set.

A text engine translates lists of (protected) sentences for one hop; a speech engine makes
timed English words from the audio.  Both say which pairs they cover and what, installed,
makes them translate the way they do (the fingerprint under which a run's subtitles are
kept)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from ..config import TranscribeSettings, TranslationSettings
from ..files import sha256_file
from ..records import Word
from . import apertium
from .argos import DECODING, ModelPackage, PackageTranslator, _stamp, installed_packages, packages_dir
from .errors import TranslationError

log = logging.getLogger("highlights")

ENGINE_NAMES = ("argos", "apertium", "whisper")
KIND = {"argos": "neural machine translation (Argos Translate)",
        "apertium": "rule-based machine translation (Apertium)",
        "whisper": "speech translation (Whisper translate)"}


@dataclass
class HopOutput:
    """One hop's translations, in the order of its input, and per text the words the
    engine could not translate (None: the engine cannot tell)."""

    texts: list[str]
    unknown: list[tuple[str, ...] | None]
    runaways: int = 0  # outputs that came back as a loop and were cut


@runtime_checkable
class Engine(Protocol):
    """What the planner needs of any engine."""

    name: str
    from_audio: ClassVar[bool]

    def pairs(self) -> set[tuple[str, str]]:
        """(from, to) codes it translates directly."""
        ...

    def hubs(self) -> tuple[str, ...]:
        """Languages its two-hop routes may go through, best first."""
        ...

    def fingerprint(self) -> list:
        """What is installed, cheaply: changes when the engine would translate differently."""
        ...


@runtime_checkable
class TextEngine(Engine, Protocol):
    def identity(self, source: str, target: str) -> str:
        """The cache key of the hop: engine, its version and the pair."""
        ...

    def translate(self, texts: list[str], source: str, target: str) -> HopOutput:
        ...


@runtime_checkable
class SpeechEngine(Engine, Protocol):
    def translate_audio(self, media: Path, language: str) -> list[Word]:
        ...


class ArgosEngine:
    name = "argos"
    from_audio: ClassVar[bool] = False

    def __init__(self, settings: TranslationSettings, digest: Callable[[Path], str] = sha256_file):
        self.settings = settings
        self.folder = packages_dir(settings.packages_dir)
        self.packages = {(p.from_code, p.to_code): p for p in installed_packages(self.folder)}
        self.digest = digest
        self.models: dict[Path, PackageTranslator] = {}

    def pairs(self) -> set[tuple[str, str]]:
        return set(self.packages)

    def hubs(self) -> tuple[str, ...]:
        return (self.settings.pivot,)

    def fingerprint(self) -> list:
        return [[p.pair, p.version, str(p.path), *_stamp(p.path)] for p in self.packages.values()]

    def package(self, source: str, target: str) -> ModelPackage:
        try:
            return self.packages[source, target]
        except KeyError:
            raise TranslationError(f"no Argos package for {source}→{target} in {self.folder}") from None

    def model(self, package: ModelPackage) -> PackageTranslator:
        if package.path not in self.models:
            self.models[package.path] = PackageTranslator(package, self.settings,
                                                          self.identity(package.from_code, package.to_code))
        return self.models[package.path]

    def identity(self, source: str, target: str) -> str:
        # What the model makes of a sentence depends on its files and on how we decode.
        package = self.package(source, target)
        files = [package.path / "model" / "model.bin", package.path / "sentencepiece.model", package.path / "bpe.model"]
        digests = [self.digest(f)[:16] for f in files if f.is_file()]
        return f"argos {package.pair} {package.version} {'-'.join(digests)} beam {self.settings.beam_size} {DECODING}"

    def translate(self, texts: list[str], source: str, target: str) -> HopOutput:
        model = self.model(self.package(source, target))
        loops = model.runaways
        out = model.translate(texts)
        return HopOutput(out, [None] * len(out), model.runaways - loops)


class ApertiumEngine:
    name = "apertium"
    from_audio: ClassVar[bool] = False
    # Spanish is the centre of Apertium's Romance pairs, Catalan the second.
    HUBS = ("es", "cat", "en", "fr", "pt", "it")

    def __init__(self, settings: TranslationSettings):
        self.folder = apertium.apertium_dir(settings.apertium_dir)
        self.modes = {(m.source, m.target): m for m in apertium.installed_modes(self.folder)}

    def pairs(self) -> set[tuple[str, str]]:
        return set(self.modes)

    def hubs(self) -> tuple[str, ...]:
        return self.HUBS

    def fingerprint(self) -> list:
        if not self.modes:
            return []
        return [apertium.version(), *([m.name, apertium.mode_stamp(m)] for m in self.modes.values())]

    def mode(self, source: str, target: str) -> apertium.Mode:
        try:
            return self.modes[source, target]
        except KeyError:
            raise TranslationError(f"no Apertium mode for {source}→{target} in {self.folder / 'modes'}") from None

    def identity(self, source: str, target: str) -> str:
        mode = self.mode(source, target)
        return f"apertium {apertium.version()} {mode.name} {mode.pair} {apertium.mode_stamp(mode)}"

    def translate(self, texts: list[str], source: str, target: str) -> HopOutput:
        out, unknown = apertium.translate_lines(self.mode(source, target), texts)
        return HopOutput(out, list(unknown))


class WhisperEngine:
    name = "whisper"
    from_audio: ClassVar[bool] = True

    def __init__(self, settings: TranscribeSettings, source: str):
        self.settings = settings
        self.source = source
        self.english: dict[Path, list[Word]] = {}  # one pass per replay, whatever the routes

    def pairs(self) -> set[tuple[str, str]]:
        return {(self.source, "en")} if self.source != "en" else set()

    def hubs(self) -> tuple[str, ...]:
        return ()

    def fingerprint(self) -> list:
        return []  # the Whisper model and its settings are in the transcribe settings already

    def translate_audio(self, media: Path, language: str) -> list[Word]:
        if media not in self.english:
            self.english[media] = whisper_english(media, language, self.settings)
        return self.english[media]


def whisper_english(media: Path, language: str, settings: TranscribeSettings) -> list[Word]:
    """English words for a non-English replay from Whisper's own translation of the audio
    (faster-whisper `task="translate"`): a second pass over the audio."""
    from faster_whisper.audio import decode_audio

    from ..models import load_whisper, resolve_model

    if not Path(media).is_file():
        raise TranslationError(f"{media}: no such file for Whisper's translation")
    model = load_whisper(resolve_model(settings.model).path, settings.compute_type, settings.cpu_threads)
    audio = decode_audio(str(media), sampling_rate=16000)
    segments, _ = model.transcribe(audio, task="translate", language=language, beam_size=settings.beam_size,
                                   word_timestamps=True, vad_filter=settings.vad,
                                   condition_on_previous_text=settings.condition_on_previous_text)
    return [Word(round(float(w.start), 3), round(float(w.end), 3), w.word, round(float(w.probability), 4))
            for segment in segments for w in segment.words or []]


def engine_order(settings: TranslationSettings) -> list[str]:
    """The engines to use, in order: `[translation] engines`, and Whisper last when only
    `whisper_english` asks for it (the planner then puts it first for the English track alone:
    the other languages keep the text engines' direct routes)."""
    order = list(dict.fromkeys(settings.engines))
    if settings.whisper_english and "whisper" not in order:
        order.append("whisper")
    return order


def load_engines(settings: TranslationSettings, source: str, transcribe: TranscribeSettings | None = None,
                 media: Path | None = None, digest: Callable[[Path], str] = sha256_file) -> list[Engine]:
    """The engines `settings` names, in its order, that can translate here: Whisper only with
    the replay's audio; an engine with nothing installed is left out (the planner's reasons
    say what it lacks)."""
    engines: list[Engine] = []
    for name in engine_order(settings):
        if name == "argos":
            engines.append(ArgosEngine(settings, digest))
        elif name == "apertium":
            engines.append(ApertiumEngine(settings))
        elif name == "whisper" and media is not None:
            engines.append(WhisperEngine(replace(transcribe or TranscribeSettings()), source))
    return engines
