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


def test_one_vad_pass_and_no_second_encoding_of_the_detection_chunks(media, base_model, monkeypatch):
    """Detection and the batched decoding share the window's one VAD pass, and the chunks
    detection encoded are not encoded again; the words are faster-whisper's own batched ones."""
    import faster_whisper.transcribe as fw_transcribe
    import faster_whisper.vad as fw_vad
    import numpy as np
    from faster_whisper import BatchedInferencePipeline

    model = load_whisper(base_model.path, "int8", 0)
    audio = np.concatenate([load_audio(media / "speech" / "en" / "jfk.flac")] * 4)  # 44 s: two chunks
    expected, _ = BatchedInferencePipeline(model).transcribe(audio, language="en", beam_size=3, batch_size=8,
                                                            word_timestamps=True, without_timestamps=True,
                                                            condition_on_previous_text=False)
    expected_words = [(w.start, w.end, w.word) for s in expected for w in s.words]

    vad_calls, encoded = [], []
    real_vad, real_encode = fw_vad.get_speech_timestamps, type(model).encode
    monkeypatch.setattr(fw_vad, "get_speech_timestamps", lambda *a, **k: vad_calls.append(1) or real_vad(*a, **k))
    monkeypatch.setattr(fw_transcribe, "get_speech_timestamps",
                        lambda *a, **k: vad_calls.append(1) or real_vad(*a, **k))
    monkeypatch.setattr(type(model), "encode", lambda self, f: encoded.append(len(f)) or real_encode(self, f))
    transcript = transcribe(audio, TranscribeSettings(), (), base_model)

    assert transcript.language == "en"
    assert len(vad_calls) == 1
    assert sum(encoded) == 2  # each chunk once, detection's included
    assert [(w.start, w.end, w.text) for w in transcript.words] == [
        (round(s, 3), round(e, 3), t) for s, e, t in expected_words]


def test_kept_encodings_hand_back_each_output_once():
    import numpy as np

    from highlights.transcribe import _KeptEncodings

    class Inner:
        def __init__(self):
            self.model, self.seen = type("M", (), {"device": "cpu"})(), []

        def encode(self, features):
            self.seen.append(len(features))
            return features[:, :2, :3] * 2.0

    inner = Inner()
    kept = _KeptEncodings(inner)
    features = np.random.default_rng(0).random((3, 4, 5)).astype(np.float32)
    kept.encode_and_keep(features[:2])
    out = np.asarray(kept.encode(features))
    assert inner.seen == [2, 1]  # only the third was encoded again
    assert np.array_equal(out, features[:, :2, :3] * 2.0)
    kept.encode(features[:1])
    assert inner.seen == [2, 1, 1]  # handed back once, then forgotten


def test_two_decoders_side_by_side_give_the_same_words(media, base_model):
    """A window's chunks split between two CTranslate2 workers (a CPU job with every core)
    come out as one decoder makes them, first words after the split included."""
    import numpy as np

    from highlights.transcribe import SpeechWindow

    model = load_whisper(base_model.path, "int8", 1, "cpu", 2)
    pieces = [load_audio(media / "speech" / "en" / name) for name in
              ("jfk.flac", "three_speakers_diarization.wav", "librispeech_quilter.wav")]
    gap = np.zeros(16000, dtype=np.float32)
    audio = np.concatenate([part for piece in pieces * 3 for part in (piece, gap)])
    options = dict(language="en", beam_size=3, word_timestamps=True, condition_on_previous_text=False, hotwords=None)
    window = SpeechWindow(model, audio)
    assert len(window.clips) >= 3
    one = [(w.start, w.end, w.word) for s in window.segments(8, options, 1) for w in s.words]
    two = [(w.start, w.end, w.word) for s in window.segments(8, options, 2) for w in s.words]
    assert one == two and len(one) > 100
