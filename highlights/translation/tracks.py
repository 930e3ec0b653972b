"""The subtitle tracks a run asks for: the transcript's own language, and every other one
translated along the best route that works (or reported missing with the reason, never
faked), each with an honest label: engine, route, and how many words the engine left
untranslated.

Entry points for the pipeline: `subtitle_tracks(transcript, settings, products, media)` and
`translation_fingerprint(settings.translation)`."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import LANGUAGES, Settings, TranslationSettings
from ..records import Product, Sentence, Transcript, Word
from .cache import TranslationCache, cache_path
from .engines import ApertiumEngine, ArgosEngine, Engine, SpeechEngine, TextEngine, engine_order, load_engines
from .errors import TranslationError
from .protect import PLACEHOLDER_FOUND, names_pattern, protect, settle
from .routes import Hop, Route, candidate_routes, missing_reason
from .timing import timed_translation, translation_units

log = logging.getLogger("highlights")


@dataclass
class TrackStats:
    sentences: int = 0  # distinct sentences of the transcript
    translated: int = 0  # sentences an engine translated (each hop of a route counts)
    cached: int = 0  # sentences found in the cache instead
    runaways: int = 0  # translations that came back as a loop and were cut
    words: int = 0  # words of the source sentences (placeholders not counted)
    unknown: int = 0  # ... the engines marked as not translated
    measured: bool = False  # an engine of the route counts unknown words (Apertium does, Argos cannot)
    seconds: float = 0.0

    @property
    def hit_rate(self) -> float:
        total = self.translated + self.cached
        return self.cached / total if total else 1.0

    @property
    def unknown_rate(self) -> float | None:
        if not self.measured:
            return None
        return round(min(1.0, self.unknown / self.words), 4) if self.words else 0.0


@dataclass
class TrackLabel:
    """Where a track came from, for the manifest and the files' headers."""

    engine: str  # "transcript", "argos", "apertium", "whisper", "whisper+argos", ...
    route: str  # "", "apertium en→es→pt", ...
    machine_translated: bool
    kind: str = ""  # "rule-based machine translation (Apertium)"
    unknown_word_rate: float | None = None
    flagged: bool = False  # more unknown words than `[translation] unknown_word_warning`

    @property
    def notice(self) -> str | None:
        """The line a subtitle file's header carries, None for the transcript's own track."""
        if not self.machine_translated:
            return None
        rate = (f"; {self.unknown_word_rate:.0%} of the words were not translated" + (" (flagged)" if self.flagged
                                                                                     else "")
                if self.unknown_word_rate is not None else "")
        return f"Machine translation, not reviewed: {self.kind}, route {self.route}{rate}. Made by highlights."


def _words(text: str) -> int:
    return len([w for w in PLACEHOLDER_FOUND.sub(" ", text).split() if re.search(r"[^\W\d_]", w)])


class Translator:
    """Translates sentences along a route of text hops, through the cache, protecting names."""

    def __init__(self, settings: TranslationSettings, protected_names: Iterable[str] = ()):
        self.settings = settings
        self.names = names_pattern(protected_names)
        self.cache = TranslationCache(cache_path(settings))

    def translate(self, texts: list[str], route: Route | Sequence[Hop], stats: TrackStats | None = None) -> list[str]:
        stats = stats if stats is not None else TrackStats()
        hops = route.hops if isinstance(route, Route) else tuple(route)
        began = time.perf_counter()
        protected = [protect(t, self.names, self.settings.protect_numbers) for t in texts]
        current = [p.text for p in protected]
        stats.sentences = len(set(current))
        stats.words += sum(_words(c) for c, p in zip(current, protected) if p.needs_model)
        # A word no engine knew passes through each hop unchanged: counted at the first only.
        counted: list[set[str]] = [set() for _ in texts]
        for hop in hops:
            engine = hop.engine
            if not isinstance(engine, TextEngine):
                raise TranslationError(f"{hop.engine.name} does not translate text ({hop.source}→{hop.target})")
            identity = engine.identity(hop.source, hop.target)
            wanted = list(dict.fromkeys(c for c, p in zip(current, protected) if p.needs_model))
            done = self.cache.lookup(identity, wanted)
            todo = [t for t in wanted if t not in done]
            output = engine.translate(todo, hop.source, hop.target)
            if len(output.texts) != len(todo):
                raise TranslationError(f"{engine.name} {hop.source}→{hop.target}: {len(output.texts)} translations "
                                       f"for {len(todo)} sentences")
            fresh = {t: (o, u) for t, o, u in zip(todo, output.texts, output.unknown)}
            stats.runaways += output.runaways
            self.cache.store(identity, fresh)
            stats.translated += len(todo)
            stats.cached += len(wanted) - len(todo)
            outputs = {**done, **fresh}
            for index, (c, p) in enumerate(zip(current, protected)):
                marked = outputs[c][1] if p.needs_model else None
                if marked is not None:
                    stats.measured = True
                    for word in marked:
                        if word.casefold() not in counted[index]:
                            counted[index].add(word.casefold())
                            stats.unknown += 1
            current = [settle(outputs[c][0], p, final=False) if p.needs_model else c
                       for c, p in zip(current, protected)]
        current = [settle(c, p) for c, p in zip(current, protected)]
        stats.seconds += time.perf_counter() - began
        return current

    def close(self) -> None:
        self.cache.close()


@dataclass
class SubtitleTracks:
    """What each subtitle language is made from."""

    words: dict[str, list[Word]] = field(default_factory=dict)  # language -> timed words
    origins: dict[str, str] = field(default_factory=dict)  # language -> "transcript", "apertium en→es→pt", ...
    missing: dict[str, str] = field(default_factory=dict)  # language -> why there is none
    stats: dict[str, TrackStats] = field(default_factory=dict)
    labels: dict[str, TrackLabel] = field(default_factory=dict)


def subtitle_tracks(transcript: Transcript, settings: Settings, products: Sequence[Product] = (),
                    media: Path | None = None) -> SubtitleTracks:
    """Timed words for the transcript's language and every other one in `settings.languages`
    that can be made; the others in `missing`, with the reason."""
    source = transcript.language
    tracks = SubtitleTracks({source: transcript.words}, {source: "transcript"},
                            labels={source: TrackLabel("transcript", "", False)})
    targets = [code for code in dict.fromkeys(settings.languages) if code != source and code in LANGUAGES]
    # A batch run in parallel gives each job its share of the cores (`transcribe.cpu_threads`).
    options = replace(settings.translation,
                      cpu_threads=settings.translation.cpu_threads or settings.transcribe.cpu_threads)
    if not targets:
        return tracks
    if not options.enabled:
        tracks.missing = {code: "translation is turned off ([translation] enabled = false)" for code in targets}
        return tracks
    names = [name for product in products for name in product.names] + list(options.keep)
    translator = Translator(options, names)
    try:
        engines = load_engines(options, source, settings.transcribe, media, translator.cache.digest)
        units = translation_units(transcript)
        for target in targets:
            routes = candidate_routes(source, target, engines, options.whisper_english)
            if not routes:
                tracks.missing[target] = missing_reason(source, target, engines, engine_order(options), options.pivot)
                continue
            failures: list[str] = []
            for route in routes:
                stats = TrackStats()
                try:
                    words = _track(translator, route, transcript, units, media, settings, stats)
                except (TranslationError, RuntimeError, OSError, ValueError) as exc:
                    # A broken package or mode costs its route, not the replay: the next route is tried.
                    failures.append(f"{route.label} failed ({type(exc).__name__}: {exc})")
                    log.warning("%s subtitles: %s", target, failures[-1])
                    continue
                rate = stats.unknown_rate
                flagged = rate is not None and rate > options.unknown_word_warning
                tracks.words[target] = words
                tracks.origins[target] = route.label
                tracks.stats[target] = stats
                tracks.labels[target] = TrackLabel(route.engine, route.label, True, route.kind, rate, flagged)
                log.info("%s subtitles (%s): %d sentences, %d translated, %d from the cache, %.2fs%s", target,
                         route.label, stats.sentences, stats.translated, stats.cached, stats.seconds,
                         f", {rate:.1%} of words untranslated" if rate is not None else "")
                if flagged:
                    log.warning("%s subtitles (%s): %.0f%% of the words were not translated (more than %.0f%%)",
                                target, route.label, 100 * (rate or 0), 100 * options.unknown_word_warning)
                if stats.runaways:
                    log.warning("%s subtitles: %d sentences came back from the model as a loop and were cut short",
                                target, stats.runaways)
                break
            else:
                tracks.missing[target] = "; ".join(failures) + "; check it with `highlights models verify`"
    finally:
        translator.close()
    return tracks


def _track(translator: Translator, route: Route, transcript: Transcript, units: list[Sentence], media: Path | None,
           settings: Settings, stats: TrackStats) -> list[Word]:
    hops = route.hops
    first = hops[0].engine
    if isinstance(first, SpeechEngine) and first.from_audio:
        if media is None:
            raise TranslationError(f"{route.label}: {first.name} translates the replay's audio, and there is none")
        began = time.perf_counter()
        english = first.translate_audio(media, transcript.language)
        stats.seconds += time.perf_counter() - began
        if len(hops) == 1:
            return english
        units = translation_units(english)
        hops = hops[1:]
    texts = translator.translate([u.text for u in units], hops, stats)
    return timed_translation(units, texts, transcript.duration, settings.subtitles.target_cps)


def translation_fingerprint(settings: TranslationSettings) -> list:
    """What is installed for every engine in use, cheaply (no hashing): part of the key
    under which a run's subtitles may be reused, so installing or replacing an Argos
    package, or an Apertium mode or version, makes them again."""
    found: list = []
    for name in engine_order(settings):
        engine: Engine | None = (ArgosEngine(settings) if name == "argos"
                                 else ApertiumEngine(settings) if name == "apertium" else None)
        found.append([name, engine.fingerprint() if engine is not None else []])
    return found


def route_matrix(settings: TranslationSettings, codes: Sequence[str] = LANGUAGES,
                 whisper: bool = False) -> dict[tuple[str, str], Route | str]:
    """Every pair of `codes`: its best route, or why there is none (for `models list`).
    Whisper's routes need a replay's audio; `whisper` shows them as if there were one."""
    from ..config import TranscribeSettings

    result: dict[tuple[str, str], Route | str] = {}
    order = engine_order(settings)
    for source in codes:
        engines = load_engines(settings, source, TranscribeSettings(), Path("replay") if whisper else None)
        for target in codes:
            if source == target:
                continue
            routes = candidate_routes(source, target, engines, settings.whisper_english)
            result[source, target] = routes[0] if routes else missing_reason(source, target, engines, order,
                                                                              settings.pivot)
    return result
