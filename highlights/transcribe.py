"""Transcribe stage: faster-whisper with word timestamps and VAD.

The audio arrives as a stream of windows (`audio.audio_windows`), each transcribed on its
own and shifted to its place, so memory stays flat however long the replay is.  With
`batch_size` > 1 the speech chunks of a window are decoded in batches by faster-whisper's
`BatchedInferencePipeline`, which on a CPU is about twice as fast as sequential decoding at
the same beam size.

Language: the hint when given; otherwise Whisper's detection restricted to the eight
languages we support, so a noisy intro never sends a Russian stream down a German path."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .audio import SAMPLE_RATE, load_audio
from .config import LANGUAGES, TranscribeSettings
from .lost_speech import recover_lost_speech
from .models import ModelSource, load_whisper, placement, resolve_model
from .records import Segment, Transcript, Word
from .text import join_words, sentences

__all__ = ["transcribe", "detect_language", "load_audio"]

Windows = Iterable[tuple[float, np.ndarray]]


def transcribe(
    audio: np.ndarray | Windows,
    settings: TranscribeSettings,
    hotwords: Iterable[str] = (),
    model_source: ModelSource | None = None,
    on_segment: Callable[[Segment], None] | None = None,
) -> Transcript:
    """Transcribe samples (16 kHz mono float32) or a stream of (start, samples) windows."""
    source = model_source or resolve_model(settings.model)
    device, compute_type = placement(settings.device, settings.compute_type)
    threads, workers = decoders(settings, device)
    model = load_whisper(source.path, compute_type, threads, device, workers)
    windows = [(0.0, audio)] if isinstance(audio, np.ndarray) else audio
    hot = ", ".join(dict.fromkeys(h.strip() for h in hotwords if h.strip())) or None
    transcript = Transcript(language=settings.language or "", language_probability=1.0, duration=0.0,
                            model=source.identity)
    for start, samples in windows:
        transcript.duration = round(start + len(samples) / SAMPLE_RATE, 3)
        if not transcript.language and not _has_sound(samples):
            continue  # detect on the first window that has something to hear
        speech = SpeechWindow(model, samples) if settings.batch_size > 1 else None
        if not transcript.language:
            transcript.language, probability = (speech.detect_language() if speech is not None
                                                else detect_language(model, samples, settings.vad))
            transcript.language_probability = round(probability, 4)
        heard = len(transcript.segments)
        for segment in _window_segments(model, samples, start, transcript.language, settings, hot, speech):
            transcript.segments.append(segment)
            if on_segment:
                on_segment(segment)
        if settings.recover_lost_speech and settings.vad:
            # The batched decoding's VAD spans when there are any: VAD runs once per window.
            spans = None if speech is None else [(t["start"] / SAMPLE_RATE, t["end"] / SAMPLE_RATE)
                                                 for t in speech.timestamps]
            recovered = recover_lost_speech(model, samples, transcript.segments[heard:], start, transcript.language,
                                            settings.beam_size, spans)
            for segment in recovered:
                if on_segment:
                    on_segment(segment)
            transcript.segments[heard:] = sorted(transcript.segments[heard:] + recovered, key=lambda s: s.start)
    transcript.language = transcript.language or "en"
    damage = getattr(audio, "damage", None)  # audio.AudioWindows: packets that did not decode
    if damage is not None:
        transcript.damaged, transcript.damaged_packets = damage.merged(), damage.packets
    if not transcript.segments and settings.language is None:
        transcript.language_probability = 0.0
    return transcript


def _window_segments(model, samples: np.ndarray, offset: float, language: str, settings: TranscribeSettings,
                     hotwords: str | None, speech: SpeechWindow | None = None):
    options = dict(language=language, beam_size=settings.beam_size, word_timestamps=True,
                   vad_filter=settings.vad, condition_on_previous_text=settings.condition_on_previous_text,
                   hotwords=hotwords)
    if settings.batch_size > 1:
        # Batched decoding needs VAD to split the window into chunks (without it, it would
        # cut blindly every 30 s): the window's one VAD pass, shared with language detection.
        speech = speech or SpeechWindow(model, samples)
        segments = speech.segments(settings.batch_size, options, getattr(model.model, "num_workers", 1))
    else:
        segments, _ = model.transcribe(samples, **options)
    for raw in segments:  # a generator: decoding happens as we iterate
        words = [Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, round(float(w.probability), 4))
                 for w in raw.words or []]
        if settings.batch_size > 1 and words:
            # A batched segment is a whole VAD chunk (up to 30 s); readers of the transcript
            # (the recap page, reviewers) want sentences.
            for sentence in sentences(words):
                yield Segment(start=sentence.start, end=sentence.end, text=join_words(sentence.words, language),
                              words=sentence.words)
        else:
            # The text from the words, as every other place rebuilds it (and in the language's typography).
            text = join_words(words, language) if words else raw.text.strip()
            yield Segment(start=round(raw.start + offset, 3), end=round(raw.end + offset, 3), text=text, words=words)


def decoders(settings: TranscribeSettings, device: str) -> tuple[int, int]:
    """(threads each, side by side): with every core to itself (`cpu_threads` 0) on a CPU, the
    batched decoding runs as two decoders side by side, each on half of the cores, each taking
    half of a window's chunks.  Measured on 2 cores (the 3-minute replay, busy machine): 6.3-11.4 s
    against 12.9-14.6 s for one decoder on both cores, at the same CPU time: one CTranslate2
    call on two threads leaves a core waiting at each of its many synchronisations."""
    import os

    cores = os.cpu_count() or 1
    if settings.cpu_threads or device != "cpu" or settings.batch_size <= 1 or cores < 2:
        return settings.cpu_threads, 1
    return cores // 2, 2


def _has_sound(samples: np.ndarray) -> bool:
    return len(samples) > 0 and float(np.abs(samples).max()) > 1e-3


LANGUAGE_DETECTION_SPAN = 180.0  # seconds of the opening looked at first
ENOUGH_SPEECH = 10.0  # seconds of speech in the opening that settle the language


def detect_language(model, audio: np.ndarray, vad: bool = True) -> tuple[str, float]:
    # The opening minutes first: the VAD over a whole ten-minute window costs more than the
    # detection itself.  An opening with little speech in it (a music intro, a silent start)
    # gets the whole window.
    opening = audio[:int(LANGUAGE_DETECTION_SPAN * SAMPLE_RATE)]
    speech = _speech(opening) if vad else opening
    if vad and len(speech) < ENOUGH_SPEECH * SAMPLE_RATE and len(audio) > len(opening):
        speech = _speech(audio)
    if len(speech) == 0:
        return "en", 0.0
    _, _, ranked = model.detect_language(speech, vad_filter=False, language_detection_segments=3)
    supported = [(code, p) for code, p in ranked if code in LANGUAGES]
    return max(supported, key=lambda item: item[1]) if supported else ("en", 0.0)


def _ranked_languages(results: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(token[2:-2], prob) for token, prob in results]  # "<|en|>" -> "en"


def _speech(audio: np.ndarray) -> np.ndarray:
    """The parts of `audio` Silero VAD hears speech in, joined."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    pieces = [audio[chunk["start"]:chunk["end"]] for chunk in get_speech_timestamps(audio, VadOptions())]
    return np.concatenate(pieces) if pieces else audio[:0]


class SpeechWindow:
    """One window's speech, found by one Silero VAD pass and cut as faster-whisper's
    `BatchedInferencePipeline` cuts it (its VAD options, speech joined into chunks of at most
    30 s), for both language detection and the batched decoding.

    Without this, detection ran VAD over the opening and encoded its first 30 s, then the
    pipeline ran VAD over the whole window again and encoded the same speech again.  Here the
    pipeline gets the joined speech with the chunks as `clip_timestamps` (so it runs no VAD of
    its own) and the times are mapped back to the window as the pipeline itself does; the
    chunks detection encoded are not encoded again (`_KeptEncodings`).  The decoded text is the
    pipeline's own on the same chunks."""

    DETECTION_CHUNKS = 3  # faster-whisper's language_detection_segments as we used it

    def __init__(self, model, samples: np.ndarray):
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        self.model = _KeptEncodings(model)
        self.chunk_length = model.feature_extractor.chunk_length
        # BatchedInferencePipeline.transcribe's own VAD options when given none.
        self.timestamps = get_speech_timestamps(
            samples, VadOptions(max_speech_duration_s=self.chunk_length, min_silence_duration_ms=160))
        pieces, chunks = (collect_chunks(samples, self.timestamps, max_duration=self.chunk_length)
                          if self.timestamps else ([], []))
        self.pieces = pieces
        self.speech = np.concatenate(pieces) if pieces else samples[:0]
        # Where each chunk lies in the joined speech, in samples.
        self.clips = [(round(c["offset"] * SAMPLE_RATE), round(c["offset"] * SAMPLE_RATE) + len(piece))
                      for c, piece in zip(chunks, pieces)]

    def detect_language(self) -> tuple[str, float]:
        """Whisper's language detection on the window's first speech chunks, restricted to our
        languages: the first chunk whose top language is more than 50 % likely decides (as
        faster-whisper's `detect_language`), else the last one's ranking does."""
        if not self.timestamps:
            return "en", 0.0
        from faster_whisper.audio import pad_or_trim

        count = min(self.DETECTION_CHUNKS, len(self.pieces))
        features = np.stack([pad_or_trim(self.model.feature_extractor(piece)[..., :-1])
                             for piece in self.pieces[:count]])
        encoded = self.model.encode_and_keep(features)
        ranked: list[tuple[str, float]] = []
        for results in self.model.model.detect_language(encoded):
            ranked = _ranked_languages(results)
            if ranked[0][1] > 0.5:
                break
        supported = [(code, p) for code, p in ranked if code in LANGUAGES]
        return max(supported, key=lambda item: item[1]) if supported else ("en", 0.0)

    def segments(self, batch_size: int, options: dict, side_by_side: int = 1):
        """The pipeline's segments, in the window's time.  `side_by_side` > 1 (a model loaded
        with that many workers): the chunks are split in as many consecutive parts, decoded at
        the same time from as many threads (CTranslate2 releases the GIL)."""
        if not self.timestamps:
            return iter(())
        from faster_whisper.transcribe import restore_speech_timestamps

        parts = max(1, min(side_by_side, len(self.clips)))
        size = -(-len(self.clips) // parts)
        groups = [self.clips[i:i + size] for i in range(0, len(self.clips), size)]
        if len(groups) == 1:
            segments = self._decode(groups[0], batch_size, options)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(len(groups), thread_name_prefix="decoder") as pool:
                decoded = list(pool.map(lambda group: list(self._decode(group, batch_size, options)), groups))
            segments = iter([segment for part in decoded for segment in part])
        return restore_speech_timestamps(segments, self.timestamps, SAMPLE_RATE)

    def _decode(self, clips: list[tuple[int, int]], batch_size: int, options: dict):
        from faster_whisper import BatchedInferencePipeline

        # Seconds the pipeline turns back into these exact samples (it truncates `s * rate`).
        timestamps = [{"start": (start + 0.5) / SAMPLE_RATE, "end": (end + 0.5) / SAMPLE_RATE} for start, end in clips]
        pipeline = BatchedInferencePipeline(self.model)
        # Where the speech before these chunks ended (faster-whisper keeps it from one batch to
        # the next to place a first word after a pause): a part starts where the one before ends.
        pipeline.last_speech_timestamp = clips[0][0] / SAMPLE_RATE
        segments, _ = pipeline.transcribe(
            self.speech, batch_size=batch_size, without_timestamps=True, clip_timestamps=timestamps,
            **{**options, "vad_filter": True})
        return segments


class _KeptEncodings:
    """A WhisperModel whose `encode` reuses the encoder outputs language detection computed
    for the same features (the encoder is half of the transcription's time on a CPU); every
    other attribute is the model's.  An output is handed back once, then forgotten.  On a GPU
    the outputs stay on the device and nothing is kept."""

    def __init__(self, model) -> None:
        self._model = model
        self._kept: dict[bytes, np.ndarray] = {}

    def __getattr__(self, name: str):
        return getattr(self._model, name)

    def encode_and_keep(self, features: np.ndarray):
        encoded = self._model.encode(features)
        if self._model.model.device == "cpu":
            outputs = np.asarray(encoded)
            for feature, output in zip(features, outputs):
                self._kept[_digest(feature)] = output
        return encoded

    def encode(self, features: np.ndarray):
        if not self._kept or features.ndim != 3:
            return self._model.encode(features)
        keys = [_digest(feature) for feature in features]
        found = {i: self._kept[key] for i, key in enumerate(keys) if key in self._kept}
        if not found:
            return self._model.encode(features)
        import ctranslate2

        missing = [i for i in range(len(keys)) if i not in found]
        fresh = dict(zip(missing, np.asarray(self._model.encode(features[missing])))) if missing else {}
        for key in keys:
            self._kept.pop(key, None)
        outputs = [found[i] if i in found else fresh[i] for i in range(len(keys))]
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(outputs)))


def _digest(feature: np.ndarray) -> bytes:
    import hashlib

    return hashlib.blake2b(np.ascontiguousarray(feature).tobytes(), digest_size=16).digest()
