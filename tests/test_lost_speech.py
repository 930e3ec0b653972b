"""Speech Whisper left out, found by VAD and decoded again: real model, real speech."""

import copy

import pytest

from highlights.config import TranscribeSettings
from highlights.lost_speech import MIN_LOST, lost_stretches, recover_lost_speech, speech_spans
from highlights.models import load_whisper
from highlights.records import Word
from highlights.transcribe import load_audio, transcribe


def test_lost_stretches_are_the_uncovered_speech():
    words = [Word(0.0, 0.5, " a"), Word(0.6, 1.0, " b"), Word(5.0, 5.4, " c")]
    # Speech from 0 to 8 s: 1.3-4.7 s and 5.7-8 s have no word (with WORD_REACH around words).
    assert lost_stretches([(0.0, 8.0)], words, 10.0) == [(1.3, 4.7), (5.7, 8.0)]
    # Shorter than MIN_LOST: a pause inside speech, not lost speech.
    assert lost_stretches([(0.0, 1.0 + MIN_LOST)], words, 10.0) == []
    # Speech nobody transcribed at all.
    assert lost_stretches([(6.0, 9.0)], [], 10.0) == [(6.0, 9.0)]


@pytest.fixture(scope="module")
def jfk(media, base_model):
    samples = load_audio(media / "speech" / "en" / "jfk.flac")
    transcript = transcribe(samples, TranscribeSettings(language="en", recover_lost_speech=False), (), base_model)
    return samples, transcript


def test_a_dropped_stretch_of_real_speech_comes_back(jfk, base_model):
    """The words of "ask not what your country can do for you" taken out of a real
    transcript, as Whisper drops a stretch: they are decoded again, in place."""
    samples, transcript = jfk
    words = transcript.words
    dropped = [w for w in words if 3.0 <= w.start and w.end <= 7.5]
    assert len(dropped) >= 6
    kept = copy.deepcopy(transcript.segments)
    for segment in kept:
        segment.words = [w for w in segment.words if w not in dropped]
    model = load_whisper(base_model.path, "int8", 0)
    found = recover_lost_speech(model, samples, kept, 0.0, "en", beam_size=3)
    heard = [w for s in found for w in s.words]
    said = {w.text.strip(" ,.").casefold() for w in dropped}
    again = {w.text.strip(" ,.").casefold() for w in heard}
    assert len(said & again) >= 0.8 * len(said), (said, again)
    assert all(2.5 <= w.start and w.end <= 8.0 for w in heard)  # inside the stretch, in replay time
    assert "country" in " ".join(s.text for s in found).casefold()


def test_nothing_lost_nothing_decoded_again(jfk, base_model):
    samples, fresh = jfk
    assert speech_spans(samples)  # the VAD hears the speech
    model = load_whisper(base_model.path, "int8", 0)
    assert recover_lost_speech(model, samples, fresh.segments, 0.0, "en", beam_size=3) == []
    recovered = transcribe(samples, TranscribeSettings(language="en"), (), base_model)
    assert [(w.start, w.text) for w in recovered.words] == [(w.start, w.text) for w in fresh.words]
