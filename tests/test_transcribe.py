"""Transcription with the real bundled model on real speech."""

import pytest

from highlights.config import TranscribeSettings
from highlights.evaluation import reference_clips, word_error_rate
from highlights.models import load_whisper
from highlights.transcribe import load_audio, transcribe


@pytest.fixture(scope="module")
def english_clips(media):
    clips = reference_clips(media, "en", qualities=("gold",))
    assert len(clips) >= 8
    return clips


def test_wer_floor_on_gold_english_clips(english_clips, base_model):
    """Our transcription must not score worse than a plain faster-whisper run of the same
    model as a user would write it (int8, beam 5, language given)."""
    model = load_whisper(base_model.path, "int8", 0)
    plain, ours = [], []
    settings = TranscribeSettings(language="en")
    for clip in english_clips:
        segments, _ = model.transcribe(str(clip.path), language="en", beam_size=5)
        plain.append(" ".join(s.text for s in segments))
        ours.append(" ".join(s.text for s in transcribe(load_audio(clip.path), settings, (), base_model).segments))
    references = [clip.reference for clip in english_clips]
    plain_wer, our_wer = word_error_rate(references, plain), word_error_rate(references, ours)
    print(f"WER plain {plain_wer:.3f}, ours {our_wer:.3f}")
    assert our_wer <= plain_wer
    assert our_wer < 0.12


def test_word_timestamps_and_language_detection(media, base_model):
    jfk = media / "speech" / "en" / "jfk.flac"
    transcript = transcribe(load_audio(jfk), TranscribeSettings(), (), base_model)
    assert transcript.language == "en" and transcript.language_probability > 0.5
    words = transcript.words
    assert len(words) >= 20
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert "country" in " ".join(w.text for w in words).lower()


def test_detection_stays_within_the_eight_languages(media, base_model):
    """German speech must not be labelled German: we only support eight languages."""
    mixed = media / "speech" / "mixed" / "multilingual_en_de.mp3"
    audio = load_audio(mixed)[-16000 * 20:]  # the German part
    transcript = transcribe(audio, TranscribeSettings(), (), base_model)
    assert transcript.language in ("en", "ru", "es", "pt", "fr", "it", "pl", "uk")


def test_silence_gives_no_words(base_model):
    import numpy as np

    transcript = transcribe(np.zeros(16000 * 5, dtype=np.float32), TranscribeSettings(language="en"), (), base_model)
    assert transcript.words == []


def test_language_found_after_a_long_silent_opening(media, base_model):
    """Detection looks at the opening minutes first; an opening with nothing to hear must not
    decide the language: the speech after it does."""
    import numpy as np

    from highlights.transcribe import LANGUAGE_DETECTION_SPAN, detect_language

    model = load_whisper(base_model.path)
    speech = load_audio(media / "speech" / "ru" / "coqui_ru.wav")
    opening = np.zeros(int(16000 * (LANGUAGE_DETECTION_SPAN + 20)), dtype=np.float32)
    language, probability = detect_language(model, np.concatenate([opening, speech]))
    assert language == "ru" and probability > 0.5
    assert detect_language(model, speech)[0] == "ru"


def test_device_placement_on_this_machine():
    """`auto` takes the CPU where CTranslate2 sees no GPU (the CI machines), with int8;
    asking for CUDA there is a clear error, not a crash in CTranslate2."""
    import ctranslate2

    from highlights.models import ModelError, placement

    if ctranslate2.get_cuda_device_count():
        assert placement("auto", "auto") == ("cuda", "float16")
        return
    assert placement("auto", "auto") == ("cpu", "int8")
    assert placement("auto", "int8_float32") == ("cpu", "int8_float32")
    with pytest.raises(ModelError, match="no CUDA GPU"):
        placement("cuda", "auto")
    with pytest.raises(ModelError, match="unknown device 'tpu'"):
        placement("tpu")
