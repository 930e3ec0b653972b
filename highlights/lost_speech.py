"""Speech Whisper skipped, found and transcribed again.

With the catalog's names as hotwords, Whisper sometimes leaves a stretch of clear speech
out: the decoder ends a 30-second window early and the next one starts after the stretch.
Measured on the 17 mentions fixtures (benchmarks/mentions_eval.py): with hotwords, 131 s of
speech lost in 7 of them decoded chunk after chunk and 83 s in 9 batched; without, 7 s in 1
(sequential).  A lost stretch is a product's price or a whole presentation gone from the
clips, and lines gone from the subtitles.

So after a window is transcribed, the stretches Silero VAD hears speech in and no word
covers are decoded once more, on their own and without hotwords, and what Whisper is sure
of there (faster-whisper's own thresholds on the average log-probability and the no-speech
probability) is put in its place.  Only the lost seconds are decoded again."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .audio import SAMPLE_RATE
from .records import Segment, Word
from .text import join_words, sentences

__all__ = ["lost_stretches", "recover_lost_speech"]

MIN_LOST = 2.0  # seconds of speech with no word in them that count as lost
WORD_REACH = 0.3  # seconds around a word that its timing may be off by
MARGIN = 0.3  # seconds of audio kept on each side of a stretch decoded again
# faster-whisper's own defaults for a segment to trust (log_prob_threshold, no_speech_threshold)
MIN_LOGPROB, MAX_NO_SPEECH = -1.0, 0.6


def lost_stretches(speech: Iterable[tuple[float, float]], words: list[Word],
                   duration: float) -> list[tuple[float, float]]:
    """The parts of the speech spans (seconds) at least MIN_LOST long that no word covers."""
    covered = sorted((max(0.0, w.start - WORD_REACH), min(duration, w.end + WORD_REACH)) for w in words)
    lost = []
    for start, end in speech:
        at = start
        for low, high in covered:
            if high <= at or low >= end:
                continue
            if low - at >= MIN_LOST:
                lost.append((at, low))
            at = max(at, high)
        if end - at >= MIN_LOST:
            lost.append((at, end))
    return lost


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where Silero VAD (faster-whisper's options) hears speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return [(chunk["start"] / SAMPLE_RATE, chunk["end"] / SAMPLE_RATE)
            for chunk in get_speech_timestamps(samples, VadOptions())]


def recover_lost_speech(model, samples: np.ndarray, segments: list[Segment], offset: float, language: str,
                        beam_size: int, speech: list[tuple[float, float]] | None = None) -> list[Segment]:
    """Segments for the speech the window's `segments` left out (times in the replay, the
    window starting at `offset`); `speech`: the window's VAD spans when they are known."""
    duration = len(samples) / SAMPLE_RATE
    words = [Word(w.start - offset, w.end - offset, w.text, w.probability) for s in segments for w in s.words]
    lost = lost_stretches(speech if speech is not None else speech_spans(samples), words, duration)
    found: list[Segment] = []
    for start, end in lost:
        first = int(max(0.0, start - MARGIN) * SAMPLE_RATE)
        clip = samples[first:int(min(duration, end + MARGIN) * SAMPLE_RATE)]
        shift = first / SAMPLE_RATE + offset
        raw_segments, _ = model.transcribe(clip, language=language, beam_size=beam_size, word_timestamps=True,
                                           vad_filter=False, condition_on_previous_text=False)
        heard = [Word(round(w.start + shift, 3), round(w.end + shift, 3), w.word, round(float(w.probability), 4))
                 for raw in raw_segments if raw.avg_logprob >= MIN_LOGPROB and raw.no_speech_prob < MAX_NO_SPEECH
                 for w in raw.words or []]
        # Only the words inside the lost stretch: the margins belong to words already there.
        heard = [w for w in heard if start + offset <= (w.start + w.end) / 2 <= end + offset]
        found += [Segment(s.start, s.end, join_words(s.words, language), s.words) for s in sentences(heard)]
    return found
