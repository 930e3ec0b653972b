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
    model = load_whisper(source.path, compute_type, settings.cpu_threads, device)
    windows = [(0.0, audio)] if isinstance(audio, np.ndarray) else audio
    hot = ", ".join(dict.fromkeys(h.strip() for h in hotwords if h.strip())) or None
    transcript = Transcript(language=settings.language or "", language_probability=1.0, duration=0.0,
                            model=source.identity)
    for start, samples in windows:
        transcript.duration = round(start + len(samples) / SAMPLE_RATE, 3)
        if not transcript.language:
            if not _has_sound(samples):
                continue  # detect on the first window that has something to hear
            transcript.language, probability = detect_language(model, samples, settings.vad)
            transcript.language_probability = round(probability, 4)
        heard = len(transcript.segments)
        for segment in _window_segments(model, samples, start, transcript.language, settings, hot):
            transcript.segments.append(segment)
            if on_segment:
                on_segment(segment)
        if settings.recover_lost_speech and settings.vad:
            recovered = recover_lost_speech(model, samples, transcript.segments[heard:], start, transcript.language,
                                            settings.beam_size)
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
                     hotwords: str | None):
    options = dict(language=language, beam_size=settings.beam_size, word_timestamps=True,
                   vad_filter=settings.vad, condition_on_previous_text=settings.condition_on_previous_text,
                   hotwords=hotwords)
    if settings.batch_size > 1:
        from faster_whisper import BatchedInferencePipeline

        # Batched decoding needs VAD to split the window into chunks; without it, it
        # would cut blindly every 30 s.
        segments, _ = BatchedInferencePipeline(model).transcribe(
            samples, batch_size=settings.batch_size, without_timestamps=True,
            **{**options, "vad_filter": True})
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


def _speech(audio: np.ndarray) -> np.ndarray:
    """The parts of `audio` Silero VAD hears speech in, joined."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    pieces = [audio[chunk["start"]:chunk["end"]] for chunk in get_speech_timestamps(audio, VadOptions())]
    return np.concatenate(pieces) if pieces else audio[:0]
