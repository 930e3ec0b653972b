"""Transcribe stage: faster-whisper with word timestamps and VAD.

Language: the hint when given; otherwise Whisper's detection restricted to the eight
languages we support, so a noisy intro never sends a Russian stream down a German path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .config import LANGUAGES, TranscribeSettings
from .models import ModelSource, load_whisper, resolve_model
from .records import Segment, Transcript, Word

SAMPLE_RATE = 16000


def load_audio(path: str | Path):
    """The first audio stream as 16 kHz mono float32 (decoded once, reused by detection
    and transcription)."""
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SAMPLE_RATE)


def transcribe(
    audio,
    settings: TranscribeSettings,
    hotwords: Iterable[str] = (),
    model_source: ModelSource | None = None,
    on_segment: Callable[[Segment], None] | None = None,
) -> Transcript:
    source = model_source or resolve_model(settings.model)
    model = load_whisper(source.path, settings.compute_type, settings.cpu_threads)
    duration = len(audio) / SAMPLE_RATE
    language, probability = settings.language, 1.0
    if language is None:
        language, probability = detect_language(model, audio, settings.vad)
    hot = ", ".join(dict.fromkeys(h.strip() for h in hotwords if h.strip())) or None
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=settings.beam_size,
        word_timestamps=True,
        vad_filter=settings.vad,
        condition_on_previous_text=settings.condition_on_previous_text,
        hotwords=hot,
    )
    transcript = Transcript(language=language, language_probability=round(probability, 4),
                            duration=round(duration, 3), model=source.identity)
    for raw in segments:  # a generator: decoding happens as we iterate
        segment = Segment(
            start=round(raw.start, 3),
            end=round(raw.end, 3),
            text=raw.text.strip(),
            words=[Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4)) for w in raw.words or []],
        )
        transcript.segments.append(segment)
        if on_segment:
            on_segment(segment)
    return transcript


def detect_language(model, audio, vad: bool = True) -> tuple[str, float]:
    if len(audio) == 0:
        return "en", 0.0
    _, _, ranked = model.detect_language(audio, vad_filter=vad, language_detection_segments=3)
    supported = [(code, p) for code, p in ranked if code in LANGUAGES]
    return max(supported, key=lambda item: item[1]) if supported else ("en", 0.0)
