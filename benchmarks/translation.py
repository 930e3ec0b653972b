"""What translation costs per engine and language, and how much each Apertium pair leaves
untranslated.

- `speed`: a 1-hour English transcript (benchmarks/subtitles.py's synthetic live-shopping
  sentences: each distinct, at a host's pace) translated into every language a route reaches,
  as a run does (one cache, cold at the start, so en→es is translated once and reused by the
  routes through Spanish), and each track alone with a cold cache; ru→uk and uk→ru on an hour
  of the Russian and Ukrainian fixture scripts repeated (raw `apertium` lines a second, no
  cache: a repeated sentence is translated again).  Whisper's translation into English on the
  real recordings of ../shared/media (a second Whisper pass: its real-time factor).  With
  `--sample`, a real `highlights run` of samples/ into every language, whose manifest timings
  give the subtitles stage's share of the run.  Argos needs a real model, which no registry
  here ships (the tests' tiny random models measure only our overhead: benchmarks/subtitles.py).
- `unknown`: the share of words Apertium marks as unknown, per pair, on the reference
  transcripts of the real recordings (../shared/media/MANIFEST.tsv) and on the scripts of our
  fixtures (benchmarks/fixtures/*.toml, with their catalog names protected).

    .venv/bin/python benchmarks/translation.py speed [--minutes 60] [--sample] [--whisper]
    .venv/bin/python benchmarks/translation.py unknown
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from subtitles import PRODUCTS, synthetic_transcript  # noqa: E402

from highlights.config import LANGUAGES, TranscribeSettings, TranslationSettings  # noqa: E402
from highlights.translation import apertium  # noqa: E402
from highlights.translation.engines import ApertiumEngine, whisper_english  # noqa: E402
from highlights.translation.routes import plan_route  # noqa: E402
from highlights.translation.timing import translation_units  # noqa: E402
from highlights.translation.tracks import TrackStats, Translator  # noqa: E402

MEDIA = ROOT.parent / "shared" / "media"
FIXTURES = ROOT / "benchmarks" / "fixtures"


def engines() -> list[ApertiumEngine]:
    engine = ApertiumEngine(TranslationSettings())
    if not engine.pairs():
        raise SystemExit("Apertium is not installed: run scripts/apertium-deps.sh")
    return [engine]


def speed(minutes: float, sample: bool, whisper: bool) -> None:
    transcript = synthetic_transcript(minutes)
    units = translation_units(transcript)
    texts = [u.text for u in units]
    names = [n for p in PRODUCTS for n in p.names]
    print(f"English transcript: {minutes:.0f} min, {len(units)} sentences, {len(set(texts))} distinct, "
          f"{sum(len(t.split()) for t in texts)} words")
    found = engines()
    targets = [t for t in LANGUAGES if t != "en" and plan_route("en", t, found)]
    print("\nen→X as a run does it (one cache, cold at the start) and each track alone (cold):")
    print(f"{'target':6} {'route':22} {'run s':>7} {'sent':>6} {'alone s':>8} {'lines/s':>8} {'unknown':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        shared = TranslationSettings(cache_file=str(Path(tmp) / "run.sqlite3"))
        total = 0.0
        for target in targets:
            route = plan_route("en", target, found)
            stats = TrackStats()
            translator = Translator(shared, names)
            translator.translate(texts, route, stats)
            translator.close()
            alone = TrackStats()
            translator = Translator(TranslationSettings(cache_file=str(Path(tmp) / f"{target}.sqlite3")), names)
            translator.translate(texts, route, alone)
            translator.close()
            total += stats.seconds
            print(f"{target:6} {route.label:22} {stats.seconds:7.2f} {stats.translated:6} {alone.seconds:8.2f} "
                  f"{alone.translated / alone.seconds:8.0f} {alone.unknown_rate:8.1%}")
        print(f"all {len(targets)} languages in one run: {total:.2f} s for {minutes:.0f} min of speech")

    print("\nru↔uk, raw lines (an hour of the fixture scripts repeated, no cache):")
    for source, target, fixture in (("ru", "uk", "ru_magazin"), ("uk", "ru", "uk_magazyn")):
        lines = script_sentences(FIXTURES / f"{fixture}.toml")[0]
        chars = sum(len(line) for line in lines)
        hour = (lines * (1 + int(minutes * 60 * 14 / max(1, chars))))  # ~14 characters a second
        mode = found[0].mode(source, target)
        began = time.perf_counter()
        apertium.translate_lines(mode, hour)
        seconds = time.perf_counter() - began
        print(f"{source}→{target} ({mode.name}, tagger replaced): {len(hour)} lines in {seconds:.2f} s, "
              f"{len(hour) / seconds:.0f} lines/s")

    if whisper:
        print("\nWhisper translate (second pass) on real recordings, model base, after loading:")
        settings = TranscribeSettings()
        for path in ("speech/es/leopard_test_es.wav", "speech/fr/leopard_test_fr.wav", "speech/ru/coqui_ru.wav",
                     "speech/pl/neongecko_male/Ile_przewodów_widzisz_podłączonych_do_terminala.wav"):
            language = path.split("/")[1]
            whisper_english(MEDIA / path, language, settings)  # loads the model once
            began = time.perf_counter()
            words = whisper_english(MEDIA / path, language, settings)
            seconds = time.perf_counter() - began
            duration = float(next(r["duration_s"] for r in manifest_rows() if r["file"] == path))
            print(f"{language}→en  {path}: {seconds:.2f} s for {duration:.1f} s ({seconds / duration:.2f}x real "
                  f"time): {''.join(w.text for w in words).strip()!r}")

    if sample:
        with tempfile.TemporaryDirectory() as tmp:
            preset = Path(tmp) / "preset.toml"
            preset.write_text(f'[translation]\ncache_file = "{Path(tmp) / "cache.sqlite3"}"\n'
                              f'packages_dir = "{Path(tmp) / "none"}"\n')
            run = subprocess.run([sys.executable, "-m", "highlights", "run", str(ROOT / "samples"), "-o",
                                  str(Path(tmp) / "out"), "--pipeline", str(preset)],
                                 capture_output=True, text=True, cwd=ROOT, check=False)
            if run.returncode:
                raise SystemExit(run.stderr)
            manifest = json.loads((Path(tmp) / "out" / "demo-replay" / "manifest.json").read_text())
            timings = manifest["timings"]
            print(f"\nsamples/ (88 s), every language: subtitles stage {timings['subtitles']:.2f} s of "
                  f"{timings['total']:.2f} s ({timings['subtitles'] / timings['total']:.0%}); "
                  f"tracks {', '.join(manifest['subtitles'])}; missing {', '.join(manifest['missing_languages'])}")


def manifest_rows() -> list[dict]:
    with open(MEDIA / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def script_sentences(path: Path) -> tuple[list[str], list[str]]:
    """A fixture script's sentences and its catalog names."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lines = [line for part in data["parts"] for line in part.get("say", [])]
    names = [n for item in data.get("catalog", []) for n in [item["name"], *item.get("aliases", [])]]
    return lines, names


def rate_table(title: str, corpora: dict[str, tuple[list[str], list[str]]]) -> None:
    found = engines()
    print(f"\n{title}")
    print(f"{'pair':7} {'route':22} {'sentences':>9} {'words':>6} {'unknown':>8} {'rate':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        options = TranslationSettings(cache_file=str(Path(tmp) / "cache.sqlite3"))
        for source, (texts, names) in corpora.items():
            for target in LANGUAGES:
                route = plan_route(source, target, found) if target != source else None
                if route is None or not texts:
                    continue
                stats = TrackStats()
                translator = Translator(options, names)
                translator.translate(texts, route, stats)
                translator.close()
                print(f"{source}→{target:4} {route.label:22} {len(texts):9} {stats.words:6} {stats.unknown:8} "
                      f"{stats.unknown_rate:6.1%}")


def unknown() -> None:
    references: dict[str, tuple[list[str], list[str]]] = {}
    for row in manifest_rows():
        language = row["language"]
        if language in LANGUAGES and row["kind"].startswith("speech") and row["reference"].strip():
            text = row["reference"].replace("LEFT: ", "").replace(" / RIGHT: ", " ")
            references.setdefault(language, ([], []))[0].append(text)
    rate_table("Reference transcripts of ../shared/media (real speech):", references)
    fixtures: dict[str, tuple[list[str], list[str]]] = {}
    for path in sorted(FIXTURES.glob("*.toml")):
        lines, names = script_sentences(path)
        language = path.stem.split("_")[0]
        entry = fixtures.setdefault(language, ([], []))
        entry[0].extend(lines)
        entry[1].extend(names)
    rate_table("Scripts of benchmarks/fixtures (live-shopping monologues, catalog names protected):", fixtures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    run = sub.add_parser("speed")
    run.add_argument("--minutes", type=float, default=60.0)
    run.add_argument("--sample", action="store_true", help="also time `highlights run` on samples/")
    run.add_argument("--whisper", action="store_true", help="also time Whisper's translation on real speech")
    sub.add_parser("unknown")
    args = parser.parse_args()
    if args.what == "speed":
        speed(args.minutes, args.sample, args.whisper)
    else:
        unknown()


if __name__ == "__main__":
    main()
