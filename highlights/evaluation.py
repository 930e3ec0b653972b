"""Measuring ourselves against references: the gold clips listed in the shared media
manifest, and word error rate with the normalisation the project's figures use
(case-folded, punctuation removed)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .text import normalize

USABLE_QUALITY = ("gold", "gold-ish")


@dataclass
class ReferenceClip:
    path: Path
    language: str
    quality: str
    reference: str
    duration: float


def reference_clips(media: Path, language: str, qualities: tuple[str, ...] = USABLE_QUALITY) -> list[ReferenceClip]:
    """Single-speaker speech clips in `language` whose reference is a plain transcript."""
    clips = []
    with open(media / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            quality = row["ref_quality"].split(" ")[0]
            if row["language"] != language or quality not in qualities or not row["kind"].startswith("speech"):
                continue
            if "speaker" in row["kind"] or "2ch" in row["kind"]:
                continue  # references with speaker tags are not plain transcripts
            reference = row["reference"]
            sidecar = media / row["reference_file"] if row["reference_file"] else None
            if sidecar and sidecar.is_file():
                reference = sidecar.read_text(encoding="utf-8")
            if reference.strip():
                clips.append(ReferenceClip(media / row["file"], language, quality, reference.strip(),
                                           float(row["duration_s"])))
    return clips


def word_errors(references: list[str], hypotheses: list[str]) -> tuple[int, int]:
    """(edits, reference words) over a corpus, both sides normalised."""
    import jiwer

    measured = jiwer.process_words([normalize(text) for text in references],
                                   [normalize(text) for text in hypotheses])
    return measured.substitutions + measured.deletions + measured.insertions, sum(len(r) for r in measured.references)


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER: all edits over all reference words."""
    errors, words = word_errors(references, hypotheses)
    return errors / words
