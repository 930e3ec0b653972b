"""What subtitles and translation cost: cue building and translation on a 1-hour transcript.

The transcript is synthetic (live-shopping sentences at a host's pace: about 14 characters a
second, half a second between sentences); the translation models are the tests' tiny
random-weight Argos packages (tests/tiny_argos.py), so the numbers are our overhead around a
model (protecting names, batching, the cache, pivoting, re-splitting into cues) plus a model
much smaller than a real one.  Printed per target language:

- cold: the first run, every distinct sentence through the model(s);
- warm: the same run again with the cache filled (a re-run with nothing changed);
- cue building and lint of the translated track.

Baselines in the same run: building and linting the source-language cues, and, with
`--sample`, a real `highlights run` of samples/ in all eight languages (its manifest timings
give the subtitles stage's share of the pipeline total).

    .venv/bin/python benchmarks/subtitles.py            # 1 hour, 7 target languages, plus the sample run
    .venv/bin/python benchmarks/subtitles.py --minutes 10 --no-sample
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tiny_argos import build_argosmodel  # noqa: E402

from highlights.config import LANGUAGES, SubtitleSettings, TranslationSettings  # noqa: E402
from highlights.lint import lint_cues  # noqa: E402
from highlights.records import Product, Segment, Transcript, Word  # noqa: E402
from highlights.subtitles import build_cues  # noqa: E402
from highlights.translation.argos import install_file  # noqa: E402
from highlights.translation.engines import ArgosEngine  # noqa: E402
from highlights.translation.routes import plan_route  # noqa: E402
from highlights.translation.timing import timed_translation, translation_units  # noqa: E402
from highlights.translation.tracks import TrackStats, Translator  # noqa: E402

PRODUCTS = [Product("aurora-watch", "Aurora smart watch", ["Aurora", "Aurora watch"], 49, "USD"),
            Product("lumo-lamp", "Lumo desk lamp", ["Lumo", "Lumo lamp"], 29, "USD"),
            Product("breeze-fan", "Breeze mini fan", ["Breeze", "Breeze fan"], 19, "USD"),
            Product("pebble-speaker", "Pebble bluetooth speaker", ["Pebble"], 39, "USD"),
            Product("nimbus-backpack", "Nimbus travel backpack", ["Nimbus"], 59, "USD")]
FEATURES = ["tracks your steps and your sleep", "has three light levels and a warm mode", "fits in your pocket",
            "runs for {n} hours on one charge", "is water resistant", "charges with any USB cable",
            "folds flat so it fits on any desk", "comes in {n} colours", "weighs only {n} grams"]
TEMPLATES = ["Let's look at the {name} now.", "The {name} {feature}.", "Today the {name} is only {price} dollars.",
             "Use the code {code} and get {n} percent off the {name}.", "The link to the {name} is below.",
             "Some of you asked about the {name}, so here it is again.",
             "I use the {name} every day, and it {feature}.",
             "Only {n} left in stock, so be quick!"]
# Words for the part of each sentence that makes it one of its own, as most of what a host
# says is (after protection, "the Aurora is only 49 dollars" and "the Lumo is only 29 dollars"
# are one sentence to translate).
VOCABULARY = ("really nice great little new soft strong light bright quiet small big perfect cheap real "
              "kitchen office travel summer winter morning evening gift friend family mother kids "
              "colour size box strap screen button cable charger case bag pocket shelf window table "
              "works looks feels keeps holds stays sounds comes fits cleans lasts shines glows folds "
              "easily quickly nicely safely really always never often almost exactly").split()
CHATTER = ["Thank you so much for watching.", "Say hello in the chat!", "Wow, the chat is really busy tonight.",
           "Don't forget to follow the shop.", "Let me read a few of your questions.", "Okay, next one."]


def synthetic_transcript(minutes: float, seed: int = 5) -> Transcript:
    rng = random.Random(seed)
    words: list[Word] = []
    time_now = 0.5
    while time_now < minutes * 60:
        if rng.random() < 0.25:
            sentence = rng.choice(CHATTER)  # what a host says again and again
        else:
            product = rng.choice(PRODUCTS)
            sentence = rng.choice(TEMPLATES).format(
                name=rng.choice(product.names), feature=rng.choice(FEATURES), price=rng.randint(9, 99),
                code=f"{product.id.split('-')[0].upper()}{rng.randint(5, 50)}", n=rng.randint(2, 40))
            sentence = sentence.format(n=rng.randint(2, 40))
            if rng.random() < 0.8:
                sentence = sentence[:-1] + ", " + " ".join(rng.sample(VOCABULARY, rng.randint(2, 7))) + sentence[-1]
        for token in sentence.split():
            duration = 0.1 + len(token) * 0.055
            words.append(Word(round(time_now, 3), round(time_now + duration, 3), " " + token))
            time_now += duration + (0.5 if token[-1] in ".!?" else 0.08)
    segment = Segment(words[0].start, words[-1].end, "", words)
    return Transcript("en", 1.0, round(time_now + 1, 3), "synthetic", [segment])


def timed(action):
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def sample_run(packages: Path, cache: Path) -> dict:
    """`highlights run` on samples/ into a fresh folder, every language, tiny models."""
    with tempfile.TemporaryDirectory() as tmp:
        preset = Path(tmp) / "preset.toml"
        preset.write_text(f'[translation]\npackages_dir = "{packages}"\ncache_file = "{cache}"\n')
        out = Path(tmp) / "out"
        run = subprocess.run([sys.executable, "-m", "highlights", "run", str(ROOT / "samples"), "-o", str(out),
                              "--pipeline", str(preset)], capture_output=True, text=True, cwd=ROOT)
        if run.returncode:
            raise SystemExit(run.stderr)
        return json.loads((out / "demo-replay" / "manifest.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--no-sample", action="store_true", help="skip the real run of samples/")
    args = parser.parse_args()

    transcript = synthetic_transcript(args.minutes)
    units = translation_units(transcript)
    rules = SubtitleSettings()
    names = [n for p in PRODUCTS for n in p.names]
    chars = sum(len(u.text) for u in units)
    print(f"synthetic transcript: {args.minutes:g} min, {len(transcript.words)} words, {len(units)} sentences "
          f"({len({u.text for u in units})} distinct), {chars} characters, "
          f"{chars / sum(u.end - u.start for u in units):.1f} characters a second while speaking")

    build_time, cues = timed(lambda: build_cues(transcript.words, rules, duration=transcript.duration,
                                                 keep_together=names))
    lint_time, problems = timed(lambda: lint_cues(cues, rules))
    print(f"source cues: {len(cues)} built in {build_time:.2f}s, lint {lint_time:.3f}s, {len(problems)} violations")

    with tempfile.TemporaryDirectory() as tmp:
        folder, packages = Path(tmp), Path(tmp) / "packages"
        targets = [code for code in LANGUAGES if code != "en"]
        for code in targets:  # en→X for every language: all seven directly
            install_file(build_argosmodel(folder / f"en_{code}.argosmodel", "en", code), packages)
        options = TranslationSettings(packages_dir=str(packages), cache_file=str(folder / "cache.sqlite3"))
        engines = [ArgosEngine(options)]
        rows = []
        for code in targets:
            route = plan_route("en", code, engines)
            cold, warm = TrackStats(), TrackStats()
            translator = Translator(options, names)
            cold_time, texts = timed(lambda t=translator, r=route, s=cold: t.translate([u.text for u in units], r, s))
            translator.close()
            translator = Translator(options, names)  # a new run: only the cache file carries over
            warm_time, again = timed(lambda t=translator, r=route, s=warm: t.translate([u.text for u in units], r, s))
            translator.close()
            assert again == texts
            words = timed_translation(units, texts, transcript.duration)
            cue_time, track = timed(lambda w=words: build_cues(w, rules, duration=transcript.duration,
                                                                keep_together=names))
            violations = lint_cues(track, rules)
            rows.append((code, cold_time, cold.translated, warm_time, warm.translated, warm.hit_rate, cue_time,
                         len(track), len({v.cue for v in violations})))
            if violations:
                print(f"{code}: {violations[0]}")
        print()
        print("lang  cold s  sent  warm s  sent  hit rate  cues s  cues  cues breaking a rule")
        for code, cold_time, sent, warm_time, warm_sent, hit, cue_time, count, bad in rows:
            print(f"{code:4}  {cold_time:6.2f}  {sent:4}  {warm_time:6.3f}  {warm_sent:4}  {hit:8.0%}  {cue_time:6.2f}"
                  f"  {count:4}  {bad}")
        total_cold = sum(r[1] + r[6] for r in rows) + build_time
        total_warm = sum(r[3] + r[6] for r in rows) + build_time
        print(f"\nall eight languages, {args.minutes:g} min: {total_cold:.1f}s first run, {total_warm:.1f}s re-run "
              f"(cold translation {sum(r[1] for r in rows) / len(rows):.2f}s per language, "
              f"warm/cold {sum(r[3] for r in rows) / max(1e-9, sum(r[1] for r in rows)):.3f})")

        if not args.no_sample:
            manifest = sample_run(packages, folder / "sample-cache.sqlite3")
            timings = manifest["timings"]
            share = timings["subtitles"] / timings["total"]
            print(f"\nsamples/ ({manifest['duration']:.0f} s), all eight languages: pipeline {timings['total']:.1f}s, "
                  f"subtitles stage {timings['subtitles']:.2f}s = {share:.1%} "
                  f"(transcribe {timings['transcribe']:.1f}s = {timings['transcribe'] / timings['total']:.0%})")
            per_hour = timings["transcribe"] / manifest["duration"] * args.minutes * 60
            print(f"at that transcription speed {args.minutes:g} min take ~{per_hour:.0f}s to transcribe; "
                  f"the first run's subtitles and translation above are {total_cold / (per_hour + total_cold):.1%} "
                  f"of transcription plus them")


if __name__ == "__main__":
    main()
