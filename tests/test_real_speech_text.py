"""Real French and Italian speech (../shared/media/speech/<lang>/, real voices) through the
whole `highlights run` with vertical clips: every output that shows words (the replay's
SRT, VTT and ASS, the clip's subtitles, the burned-in captions' script, the recap page)
carries Whisper's words as it joined them (`3.061.`, not `3 .061.`), no split elision or
hyphenated form, no line ending on a weak word of the language, and passes lint-subs."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pysubs2
import pytest
from click.testing import CliRunner

from highlights.cli import main
from highlights.lint import SPLIT_WORD
from highlights.records import Transcript, from_dict
from highlights.text import display_words, join_words
from highlights.typography import typography

ROOT = Path(__file__).resolve().parent.parent

# Real recordings of each language, each made a replay (a video with the recording as its
# sound), with a product whose name is said once (a pipeline file lowers the score and
# length a clip needs, so each replay has a vertical clip with captions).  (Recordings
# spoken one after another in one video lose sentences in Whisper's batched decoding, so
# each is its own replay.)  The number recordings are where Whisper joins pieces without a
# space (`' 3'` + `'.061.'`): those joins must survive in every output.
RECORDINGS = {
    "fr": [("leopard_test_fr.wav", "Conseiller général"), ("cheetah_test_fr_norm.wav", "Chiffre préféré")],
    "it": [("leopard_test_it.wav", "Meglio ritmi"), ("cheetah_test_it_norm.wav", "Numero preferito")],
}
# Joins of Whisper pieces each language's recordings have at least.  The Italian ones have
# none (no elision is said, Whisper writes "26." as one piece): there the run checks that
# every output holds exactly Whisper's words; the joining rules are unit-tested (test_text.py).
MIN_JOINS = {"fr": 1, "it": 0}
# The catalog names as hotwords make `base` drop the opening words of these two-second
# recordings ("Mon chiffre préféré est 3.061." becomes "et 3.61."): off here.
PIPELINE = """
[transcribe]
catalog_hotwords = false
[selection]
min_clip = 2.0
min_score = 0.5
[clips]
mode = "vertical"
"""


def _video(ffmpeg: str, recording: Path, target: Path) -> Path:
    """A small video whose sound is the real recording, with a second of silence after it."""
    subprocess.run([ffmpeg, "-v", "error", "-y", "-i", str(recording), "-f", "lavfi", "-i",
                    "testsrc2=size=640x360:rate=25", "-filter_complex", "[0:a]apad=pad_dur=1[a]", "-map", "1:v",
                    "-map", "[a]", "-shortest", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                    "-c:a", "aac", str(target)], check=True)
    return target


def _texts_of(path: Path) -> list[str]:
    """Each cue's text, lines joined, read back through pysubs2 (ASS tags and \\N removed).
    Word-by-word captions show a group once per word, each time highlighting another one:
    the group counts once."""
    subs = pysubs2.load(str(path))
    texts = [" ".join(e.plaintext.split("\n")) for e in subs if not e.is_comment and e.style != "Card"]
    return [text for index, text in enumerate(texts) if index == 0 or text != texts[index - 1]]


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(RECORDINGS))
def test_real_speech_keeps_whisper_words_in_every_output(language, media, ffmpeg, tmp_path):
    lines = ["id,name,aliases"]
    videos = []
    for index, (name, product) in enumerate(RECORDINGS[language]):
        videos.append(_video(ffmpeg, media / "speech" / language / name, tmp_path / f"{Path(name).stem}.mp4"))
        lines.append(f"p{index},{product},")
    (tmp_path / "catalog.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "pipeline.toml").write_text(PIPELINE, encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "highlights", "run", *map(str, videos), "-o", str(out), "--languages",
                          language, "--language", language, "--catalog", str(tmp_path / "catalog.csv"),
                          "--pipeline", str(tmp_path / "pipeline.toml")], check=False, capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    joins = 0
    for video in videos:
        folder = next(p.parent for p in out.glob("*/manifest.json")
                      if json.loads(p.read_text())["input"] == str(video))
        joins += _check_replay(folder, language)
    assert joins >= MIN_JOINS[language]  # Whisper joined pieces in this speech: the test tests it


def _check_replay(folder: Path, language: str) -> int:
    """Checks one replay's outputs; returns how many joins of Whisper's pieces it had."""
    manifest = json.loads((folder / "manifest.json").read_text())
    transcript = from_dict(Transcript, json.loads((folder / "transcript.json").read_text()))
    spoken = join_words(transcript.words, language)  # Whisper's text, as it spaced it
    pieces = {w.text.strip() for w in transcript.words}
    # Display words made of several Whisper pieces ("3.061." from ' 3' and '.061.').
    joined = [d.text for d in display_words(transcript.words, language) if d.text not in pieces]
    assert manifest["clips"], f"{folder.name}: the product is named: there is a clip (with captions)"

    formats = ("srt", "vtt", "ass")  # the record also names the track's engine and route
    subtitle_files = [folder / manifest["subtitles"][language][f] for f in formats]
    clip = manifest["clips"][0]
    clip_files = [folder / clip["subtitles"][language][f] for f in formats]
    captions = folder / "clips" / f"{clip['id']}.captions.ass"
    assert captions.is_file() and len(subtitle_files) == 3 and len(clip_files) == 3
    weak = typography(language)
    for path in [*subtitle_files, *clip_files, captions]:
        texts = _texts_of(path)
        text = " ".join(texts)
        assert texts and not SPLIT_WORD.search(text) and not re.search(r"\d [.,]\d", text), (path.name, text)
        for event in pysubs2.load(str(path)):
            if event.style != "Card":
                for line in event.plaintext.split("\n"):
                    assert not weak.is_weak(line.split()[-1]), (path.name, line)
        # The replay's subtitles: every word, joined where Whisper joined it; a clip's, its stretch.
        assert (text == spoken) if path in subtitle_files else (text in spoken), (path.name, text, spoken)
        for piece in joined:
            assert piece in text or path not in subtitle_files, (path.name, text)
    result = CliRunner().invoke(main, ["lint-subs", *map(str, subtitle_files)])
    assert result.exit_code == 0, result.output

    recap = html.unescape((folder / "recap.html").read_text(encoding="utf-8"))
    for segment in transcript.segments:
        assert segment.text in recap
    for piece in joined:
        assert piece in recap
    assert not SPLIT_WORD.search(" ".join(s.text for s in transcript.segments))
    return len(joined)
