"""The whole pipeline against a plain faster-whisper transcription of the same replay.

(a) what a user would write: WhisperModel(<base>, compute_type="int8") and
    transcribe(path, beam_size=5), consuming every segment;
(b) `highlights run` on the same input (default pipeline, then the `fast` preset).
Prints the wall time of each, each stage's share of (b), and b/a.

    python benchmarks/pipeline.py                 # the sample and a 10-minute replay
    python benchmarks/pipeline.py --smoke         # the sample only (CI)
    python benchmarks/pipeline.py --wer           # also WER per language on ../shared/media
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from media import MEDIA, ROOT, SAMPLE, SAMPLE_CATALOG, long_replay

from highlights.config import LANGUAGES, load_settings
from highlights.evaluation import reference_clips, word_error_rate
from highlights.models import load_whisper, resolve_model
from highlights.transcribe import load_audio, transcribe


PLAIN = """
import sys
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], compute_type="int8")
segments, _ = model.transcribe(sys.argv[2], beam_size=5)
print(" ".join(segment.text for segment in segments))
"""


def plain_transcription(path: Path) -> tuple[float, str]:
    """In its own process, model loading included, as (b) is."""
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PLAIN, resolve_model("base").path, str(path)], check=True,
                            capture_output=True, text=True)
    return time.perf_counter() - began, result.stdout


def highlights_run(path: Path, catalog: Path, preset: str, out: Path, extra: list[str]) -> tuple[float, dict]:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "highlights", "run", str(path), "-o", str(out), "--catalog", str(catalog),
                    "--pipeline", preset, "--languages", "en", *extra], check=True, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - began
    (folder,) = [p for p in out.iterdir() if (p / "manifest.json").is_file()]
    return wall, json.loads((folder / "manifest.json").read_text())


def compare(name: str, path: Path, catalog: Path, presets: list[str], extra: list[str] = ()) -> dict:
    plain_wall, _ = plain_transcription(path)
    print(f"\n## {name} ({path.name})\n(a) plain faster-whisper transcription: {plain_wall:.1f} s")
    results = {"plain": plain_wall}
    for preset in presets:
        with tempfile.TemporaryDirectory() as tmp:
            wall, manifest = highlights_run(path, catalog, preset, Path(tmp), list(extra))
        timings = manifest["timings"]
        total = timings.pop("total")
        shares = ", ".join(f"{stage} {seconds:.1f}s ({seconds / total:.0%})" for stage, seconds in timings.items())
        print(f"(b) highlights run --pipeline {preset} {' '.join(extra)}: {wall:.1f} s wall, b/a = {wall / plain_wall:.2f}"
              f"\n    stages: {shares}; {len(manifest['clips'])} clips")
        results[preset] = {"wall": wall, "ratio": wall / plain_wall, "timings": timings}
    return results


def wer_table(presets: list[str]) -> None:
    model_source = resolve_model("base")
    model = load_whisper(model_source.path, "int8", 0)
    print("\n## WER on the gold and gold-ish clips of ../shared/media (language given)")
    print("| language | clips | plain | " + " | ".join(presets) + " |")
    print("|---|---|---|" + "---|" * len(presets))
    for language in LANGUAGES:
        clips = reference_clips(MEDIA, language)
        references = [c.reference for c in clips]
        plain = [" ".join(s.text for s in model.transcribe(str(c.path), language=language, beam_size=5)[0])
                 for c in clips]
        row = [language, str(len(clips)), f"{word_error_rate(references, plain):.3f}"]
        for preset in presets:
            settings = load_settings(preset, transcribe__language=language).transcribe
            ours = [" ".join(s.text for s in transcribe(load_audio(c.path), settings, (), model_source).segments)
                    for c in clips]
            row.append(f"{word_error_rate(references, ours):.3f}")
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="the sample only, default preset")
    parser.add_argument("--wer", action="store_true", help="also the WER table per language")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clip-mode", help="passed to (b), e.g. copy")
    parser.add_argument("--long-only", action="store_true", help="skip the sample")
    args = parser.parse_args()
    presets = ["default"] if args.smoke else ["default", "fast"]
    extra = ["--clip-mode", args.clip_mode] if args.clip_mode else []
    if not args.long_only:
        compare("sample", SAMPLE, SAMPLE_CATALOG, presets, extra)
    if not args.smoke:
        compare(f"{args.minutes:g}-minute replay", long_replay(args.minutes), SAMPLE_CATALOG, presets, extra)
    if args.wer:
        wer_table(presets)


if __name__ == "__main__":
    main()
