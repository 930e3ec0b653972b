"""The whole pipeline against a plain faster-whisper transcription of the same replay.

(a) what a user would write: WhisperModel(<base>, compute_type="int8") and
    transcribe(path, beam_size=5), consuming every segment;
(b) `highlights run` on the same input (default pipeline, then the `fast` preset).
Prints the wall time of each, each stage's share of (b), and b/a.

    python benchmarks/pipeline.py                 # the sample and a 10-minute replay
    python benchmarks/pipeline.py --smoke         # the sample only (CI)
    python benchmarks/pipeline.py --wer           # also WER per language on ../shared/media
    python benchmarks/pipeline.py --rounds 3      # medians of three runs each
    python benchmarks/pipeline.py --batch 10      # 10 one-minute replays: --jobs 1 and 2 against plain
    python benchmarks/pipeline.py --translate     # subtitles in every language a translation engine reaches
    python benchmarks/pipeline.py --clip-mode vertical   # the influencer's run
    python benchmarks/pipeline.py --before DIR    # also (b) with the code of another checkout, same rounds

Every measurement is printed with the load average at its start (`uptime`'s first number): the
ratios are fair only when nothing else runs, and the medians of `--rounds 3` resist a busy
minute.  The targets (issue 20, on 2 cores): default run <= 0.65x, vertical <= 1.0x, a batch of
short replays <= 0.65x the sum of plain transcriptions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from media import MEDIA, ROOT, SAMPLE, SAMPLE_CATALOG, long_replay

from highlights.config import LANGUAGES, load_settings
from highlights.evaluation import reference_clips, word_errors
from highlights.models import load_whisper, resolve_model
from highlights.transcribe import load_audio, transcribe

PLAIN = """
import sys
from faster_whisper import WhisperModel
model = WhisperModel(sys.argv[1], compute_type="int8")
segments, _ = model.transcribe(sys.argv[2], beam_size=5)
print(" ".join(segment.text for segment in segments))
"""


TARGETS = {"default": 0.65, "vertical": 1.0, "batch": 0.65}


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def plain_transcription(path: Path) -> tuple[float, str]:
    """In its own process, model loading included, as (b) is."""
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PLAIN, resolve_model("base").path, str(path)], check=True,
                            capture_output=True, text=True)
    return time.perf_counter() - began, result.stdout


def highlights_run(path: Path, catalog: Path, preset: str, out: Path, extra: list[str],
                   code: Path = ROOT) -> tuple[float, dict]:
    """`highlights run` in its own process; `code`: the checkout whose `highlights` runs."""
    began = time.perf_counter()
    languages = [] if "--languages" in extra else ["--languages", "en"]
    subprocess.run([sys.executable, "-m", "highlights", "run", str(path), "-o", str(out), "--catalog", str(catalog),
                    "--pipeline", preset, *languages, *extra], check=True, cwd=code, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(code)})
    wall = time.perf_counter() - began
    (folder,) = [p for p in out.iterdir() if (p / "manifest.json").is_file()]
    return wall, json.loads((folder / "manifest.json").read_text())


def compare(name: str, path: Path, catalog: Path, presets: list[str], extra: list[str] = (), rounds: int = 1,
            before: Path | None = None) -> dict:
    """(a), then each preset's (b) (and with `before`, the same run of that checkout's code),
    `rounds` times over, alternating; the medians are reported, so one slow run on a busy
    machine does not decide the ratio."""
    codes = {"": ROOT, **({"before: ": before} if before else {})}
    runs_of = [(label, preset) for preset in presets for label in codes]
    walls: dict[str, list[float]] = {"plain": [], **{label + preset: [] for label, preset in runs_of}}
    loads: dict[str, list[str]] = {key: [] for key in walls}
    manifests: dict[str, dict] = {}
    for _ in range(rounds):
        loads["plain"].append(load())
        walls["plain"].append(plain_transcription(path)[0])
        for label, preset in runs_of:
            loads[label + preset].append(load())
            with tempfile.TemporaryDirectory() as tmp:
                wall, manifests[label + preset] = highlights_run(path, catalog, preset, Path(tmp), list(extra),
                                                                 codes[label])
            walls[label + preset].append(wall)
    plain_wall = statistics.median(walls["plain"])
    runs = f" (median of {rounds}: {', '.join(f'{w:.1f}' for w in walls['plain'])})" if rounds > 1 else ""
    print(f"\n## {name} ({path.name})\n(a) plain faster-whisper transcription: {plain_wall:.1f} s{runs} "
          f"[{'; '.join(loads['plain'])}]")
    results = {"plain": plain_wall}
    mode = "vertical" if "vertical" in extra else "default"
    for label, preset in runs_of:
        key = label + preset
        wall = statistics.median(walls[key])
        timings = dict(manifests[key]["timings"])
        total = timings.pop("total")
        shares = ", ".join(f"{stage} {seconds:.1f}s ({seconds / total:.0%})" for stage, seconds in timings.items())
        runs = f" (median of {', '.join(f'{w:.1f}' for w in walls[key])})" if rounds > 1 else ""
        target = TARGETS[mode] if preset == "default" and not label else None
        verdict = (f", target <= {target:.2f}: {'met' if wall / plain_wall <= target else 'NOT met'}"
                   if target else "")
        print(f"(b) {label}highlights run --pipeline {preset} {' '.join(extra)}: {wall:.1f} s wall{runs}, "
              f"b/a = {wall / plain_wall:.2f}{verdict} [{'; '.join(loads[key])}]\n    stages (last run): {shares}; "
              f"{len(manifests[key]['clips'])} clips")
        results[key] = {"wall": wall, "ratio": wall / plain_wall, "timings": timings}
    return results


def short_replays(count: int, seconds: float = 60.0) -> list[Path]:
    """`count` short replays cut from the 10-minute one at different places (as a content
    team's batch of short sessions: the same kind of speech and picture, each its own file)."""
    from highlights.ffmpeg import ffmpeg_exe

    source = long_replay(10.0)
    folder = source.parent / f"short-{count}x{seconds:g}s"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        target = folder / f"session-{index + 1:02d}.mp4"
        if not target.is_file():
            partial = target.with_name(target.stem + ".part.mp4")
            start = (index * 53.0) % (600.0 - seconds)  # 53 s apart: each starts somewhere else in the talk
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{start:.2f}", "-i", str(source), "-t",
                            f"{seconds:g}", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "60",
                            "-c:a", "aac", "-b:a", "96k", str(partial)], check=True)
            partial.rename(target)
        paths.append(target)
    return paths


def batch_of_short_replays(count: int, jobs: list[str], rounds: int = 1, before: Path | None = None) -> None:
    """(a) summed over the replays, each its own process as a user's loop would be, against one
    `highlights run` over the folder for each `--jobs` value (and with `before`, that
    checkout's code with --jobs 1 and 2), `rounds` times over, alternating; medians."""
    paths = short_replays(count)
    runs_of = [("", value) for value in jobs] + ([("before: ", "1"), ("before: ", "2")] if before else [])
    plains: list[float] = []
    plain_loads: list[str] = []
    walls: dict[tuple[str, str], list[float]] = {run: [] for run in runs_of}
    loads: dict[tuple[str, str], list[str]] = {run: [] for run in runs_of}
    chosen: dict[tuple[str, str], str] = {}
    for _ in range(rounds):
        plain_loads.append(load())
        plains.append(sum(plain_transcription(path)[0] for path in paths))
        for run in runs_of:
            label, value = run
            code = before if label else ROOT
            loads[run].append(load())
            with tempfile.TemporaryDirectory() as tmp:
                began = time.perf_counter()
                result = subprocess.run([sys.executable, "-m", "highlights", "run", str(paths[0].parent), "-o", tmp,
                                         "--catalog", str(SAMPLE_CATALOG), "--languages", "en", "--jobs", value],
                                        check=True, cwd=code, capture_output=True, text=True,
                                        env={**os.environ, "PYTHONPATH": str(code)})
                walls[run].append(time.perf_counter() - began)
            lines = [line.strip() for line in result.stderr.splitlines() if line.startswith("jobs:")]
            chosen[run] = lines[0] if lines else ""
    plain = statistics.median(plains)
    runs = f" (median of {', '.join(f'{w:.1f}' for w in plains)})" if rounds > 1 else ""
    print(f"\n## a batch of {count} short replays ({paths[0].parent})\n"
          f"(a) plain faster-whisper, one process a replay, summed: {plain:.1f} s{runs} [{'; '.join(plain_loads)}]")
    for run in runs_of:
        label, value = run
        wall = statistics.median(walls[run])
        runs = f" (median of {', '.join(f'{w:.1f}' for w in walls[run])})" if rounds > 1 else ""
        verdict = (f", target <= {TARGETS['batch']:.2f}: {'met' if wall / plain <= TARGETS['batch'] else 'NOT met'}"
                   if not label and value == "auto" else "")
        print(f"(b) {label}highlights run FOLDER --jobs {value}: {wall:.1f} s{runs}, b/a = {wall / plain:.2f}"
              f"{verdict} [{'; '.join(loads[run])}]" + (f"  [{chosen[run]}]" if chosen[run] else ""))


def wer_table(presets: list[str]) -> None:
    """Errors / reference words per language, and all languages pooled: the clips are short
    (9 to 134 words a language), so one word moves a language's WER by up to 0.11."""
    model_source = resolve_model("base")
    model = load_whisper(model_source.path, "int8", 0)
    print("\n## WER on the gold and gold-ish clips of ../shared/media (language given): errors/words = WER")
    print("| language | clips | plain | " + " | ".join(presets) + " |")
    print("|---|---|---|" + "---|" * len(presets))
    pooled = {name: [0, 0] for name in ["plain", *presets]}

    def cell(name: str, references: list[str], hypotheses: list[str]) -> str:
        errors, words = word_errors(references, hypotheses)
        pooled[name][0] += errors
        pooled[name][1] += words
        return f"{errors}/{words} = {errors / words:.3f}"

    for language in LANGUAGES:
        clips = reference_clips(MEDIA, language)
        references = [c.reference for c in clips]
        plain = [" ".join(s.text for s in model.transcribe(str(c.path), language=language, beam_size=5)[0])
                 for c in clips]
        row = [language, str(len(clips)), cell("plain", references, plain)]
        for preset in presets:
            settings = load_settings(preset, transcribe__language=language).transcribe
            ours = [" ".join(s.text for s in transcribe(load_audio(c.path), settings, (), model_source).segments)
                    for c in clips]
            row.append(cell(preset, references, ours))
        print("| " + " | ".join(row) + " |")
    print("| all | | " + " | ".join(f"{e}/{w} = {e / w:.3f}" for e, w in pooled.values()) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="the sample only, default preset")
    parser.add_argument("--wer", action="store_true", help="also the WER table per language")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clip-mode", help="passed to (b), e.g. copy")
    parser.add_argument("--translate", action="store_true",
                        help="(b) makes subtitles in all eight languages: every one a translation engine reaches "
                             "(the subtitles stage's share then includes translation)")
    parser.add_argument("--long-only", action="store_true", help="skip the sample")
    parser.add_argument("--rounds", type=int, default=1, help="repeat (a) and (b) this often and report medians")
    parser.add_argument("--batch", type=int, metavar="N",
                        help="only a batch of N one-minute replays (plain sum against --jobs values)")
    parser.add_argument("--jobs", default="1,2,auto", help="with --batch: the --jobs values to run, comma-separated")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also run (b) with the code of this checkout (e.g. a `git archive` of an older "
                             "commit), alternating with ours: the stage shares before and after")
    parser.add_argument("--presets", default="default,fast", help="the presets (b) runs, comma-separated")
    parser.add_argument("--sample-only", action="store_true", help="skip the long replay")
    args = parser.parse_args()
    before = args.before.resolve() if args.before else None
    if args.batch:
        batch_of_short_replays(args.batch, args.jobs.split(","), args.rounds, before)
        return
    presets = ["default"] if args.smoke else args.presets.split(",")
    extra = ["--clip-mode", args.clip_mode] if args.clip_mode else []
    extra += ["--languages", ",".join(LANGUAGES)] if args.translate else []
    if not args.long_only:
        compare("sample", SAMPLE, SAMPLE_CATALOG, presets, extra, args.rounds, before)
    if not args.smoke and not args.sample_only:
        compare(f"{args.minutes:g}-minute replay", long_replay(args.minutes), SAMPLE_CATALOG, presets, extra,
                args.rounds, before)
    if args.wer:
        wer_table(presets)


if __name__ == "__main__":
    main()
