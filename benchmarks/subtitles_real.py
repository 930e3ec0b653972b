"""Subtitles and captions on real speech: every recording in the shared media's
`speech/<lang>/` (real voices, not espeak-ng), through the pipeline's transcription
(`highlights.transcribe` with the spoken language as hint, the default settings), then the
cue builder for the replay's subtitles (two lines) and for the one-line captions of a
vertical clip.  Printed per language:

- files, cues (subtitle cues + caption cues);
- violations by rule: `lint_cues` with the language (timing, line length, weak line end,
  split word, sentence inside cue), everything but reading speed;
- split words: cue text matching `lint.SPLIT_WORD` (`C 'est`, `l' écran`, `Est -ce`) or a
  number split from its digits (`3 .061`, `600 ,000`) — counted apart from the lint;
- weak ends: lines ending on a weak word of the language (registry `[weak_words]`);
- over 20 cps, avoidable: cues over `max_cps` where the speech rate around them
  (`lint.speech_rate` from the words, `RATE_WINDOW` s) is at most `max_cps`;
- fast speech: cues over `max_cps` where the speaker is faster (reported, not a target).

Target: 0 in every column but the last.  Transcripts are cached in benchmarks/results/
(keyed by file, size and model), so a second run only rebuilds cues.

    .venv/bin/python benchmarks/subtitles_real.py
    .venv/bin/python benchmarks/subtitles_real.py --show fr     # print every cue of one language
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from highlights.captions import CaptionStyle, caption_cues  # noqa: E402
from highlights.config import LANGUAGES, SubtitleSettings, TranscribeSettings  # noqa: E402
from highlights.lint import SPLIT_WORD, lint_cues, speech_rate, speech_spans  # noqa: E402
from highlights.records import Cue, Word  # noqa: E402
from highlights.subtitles import build_cues  # noqa: E402
from highlights.typography import typography  # noqa: E402

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
CACHE = ROOT / "benchmarks" / "results" / "subtitles_real_transcripts.json"
SPLIT_NUMBER = re.compile(r"\d [.,]\d")
RATE_RULES = ("reading speed", "fast speech")


def recordings(media: Path) -> list[tuple[str, str]]:
    """(relative path, language) of every real recording in one of our languages."""
    with open(media / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(row["file"], row["language"]) for row in rows
            if row["file"].startswith("speech/") and row["language"] in LANGUAGES]


def transcripts(media: Path, files: list[tuple[str, str]]) -> dict[str, dict]:
    """Words and duration of each recording, from the cache or transcribed now."""
    from highlights.transcribe import load_audio, transcribe

    settings = TranscribeSettings()
    cache = json.loads(CACHE.read_text(encoding="utf-8")) if CACHE.exists() else {}
    changed = False
    found: dict[str, dict] = {}
    for name, language in files:
        key = f"{name}|{(media / name).stat().st_size}|{settings.model}|{settings.beam_size}|{settings.batch_size}"
        if key not in cache:
            audio = load_audio(media / name)
            result = transcribe(audio, TranscribeSettings(language=language))
            cache[key] = {"name": name, "language": language, "duration": len(audio) / 16000,
                          "words": [[w.start, w.end, w.text] for w in result.words]}
            changed = True
            print(f"transcribed {name}", file=sys.stderr)
        found[name] = cache[key]
    if changed:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    return found


def measure(entry: dict, rules: SubtitleSettings, style: CaptionStyle) -> tuple[Counter, list[tuple[str, Cue]]]:
    words = [Word(start, end, text) for start, end, text in entry["words"]]
    language, duration = entry["language"], entry["duration"]
    counts: Counter = Counter()
    shown: list[tuple[str, Cue]] = []
    if not words:
        return counts, shown
    spans = speech_spans(words)
    weak = typography(language)
    kinds = (("subs", build_cues(words, rules, duration=duration, language=language), rules),
             ("caption", caption_cues(words, 0.0, duration, rules, style, language), None))
    for kind, cues, lint_rules in kinds:
        counts["cues"] += len(cues)
        if lint_rules is None:  # captions: one line of the width the font allows
            from dataclasses import replace

            from highlights.captions import chars_per_line
            lint_rules = replace(rules, max_lines=1, max_chars_per_line=chars_per_line(style))
        for violation in lint_cues(cues, lint_rules, language, spans, duration):
            if violation.rule not in RATE_RULES:
                counts[f"rule:{violation.rule}"] += 1
        for cue in cues:
            shown.append((kind, cue))
            text = " ".join(cue.lines)
            counts["split words"] += len(SPLIT_WORD.findall(text)) + len(SPLIT_NUMBER.findall(text))
            counts["weak ends"] += sum(bool(line.split()) and weak.is_weak(line.split()[-1]) for line in cue.lines)
            cps = sum(len(line) for line in cue.lines) / max(1e-6, cue.end - cue.start)
            if cps > lint_rules.max_cps + 1e-6:
                rate = speech_rate(spans, cue.start, cue.end, limit=duration)
                counts["fast speech" if rate > lint_rules.max_cps else "avoidable >20 cps"] += 1
    return counts, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--media", type=Path, default=MEDIA)
    parser.add_argument("--show", metavar="LANG", help="print every cue of this language")
    args = parser.parse_args()
    files = recordings(args.media)
    entries = transcripts(args.media, files)
    rules, style = SubtitleSettings(), CaptionStyle()
    per_language: dict[str, Counter] = defaultdict(Counter)
    for name, language in files:
        counts, shown = measure(entries[name], rules, style)
        counts["files"] += 1
        per_language[language] += counts
        if args.show == language:
            for kind, cue in shown:
                print(f"{name} {kind} {cue.start:6.2f}-{cue.end:6.2f} | " + " / ".join(cue.lines))
    rule_names = sorted({key for counts in per_language.values() for key in counts if key.startswith("rule:")})
    header = ["language", "files", "cues", "violations by rule", "split words", "weak ends", "avoidable >20 cps",
              "fast speech (reported)"]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    total: Counter = Counter()
    for language in LANGUAGES:
        counts = per_language.get(language)
        if not counts:
            continue
        total += counts
        print(_row(language, counts, rule_names))
    print(_row("all", total, rule_names))


def _row(label: str, counts: Counter, rule_names: list[str]) -> str:
    rules = ", ".join(f"{name[5:]} {counts[name]}" for name in rule_names if counts[name]) or "0"
    cells = [label, counts["files"], counts["cues"], rules, counts["split words"], counts["weak ends"],
             counts["avoidable >20 cps"], counts["fast speech"]]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


if __name__ == "__main__":
    main()
