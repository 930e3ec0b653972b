"""Evaluation harness for product mentions and the choice of highlights.

Fixtures are live-shopping monologues we wrote ourselves (`fixtures/<name>.toml`): product
presentations, chatter and topic drifts, voiced sentence by sentence with espeak-ng (Festival
for Russian, whose espeak-ng voice Whisper base cannot follow) and joined with the same short
pause everywhere, so a pause never gives a topic change away; real speech from
../shared/media is spliced in as off-topic windows.  The product and off-topic windows are
known from how the audio was assembled.

    .venv/bin/python benchmarks/mentions_eval.py              # report from the cached transcripts
    .venv/bin/python benchmarks/mentions_eval.py build [NAME]  # voice, transcribe, cache (slow)
    .venv/bin/python benchmarks/mentions_eval.py speed         # detection on an hour of transcript

`build` transcribes every fixture with the bundled Whisper base model, one chunk after the
other: without biasing (`plain`), with the catalog names as faster-whisper `hotwords`
(`hotwords`) and with them as `initial_prompt` (`prompt`); and as the pipeline's defaults do
(batched decoding, lost speech recovered): with the catalog names as hotwords (`batched`) and
without (`batched_plain`).  It stores the transcripts, the truth, and the model and settings
that made them in `fixtures/<name>.json` (keeping the other variants of the same audio); the
report then runs only our own code on the cached transcripts, in seconds.

Definitions (per fixture, then summed per language and overall):
- a presentation is a product part of the script: first word of its first sentence to the
  last word of its last one;
- a clip *matches* a presentation when it is for the right product (with a catalog: its
  id; without one, any candidate), covers at least COVER of the presentation and at most
  OFF_TOPIC of the clip is off-topic; without a catalog, "named" counts the matched clips
  whose candidate name shares a word with the product's (the ASR may have garbled it);
- without a catalog, "names found" (product-name recall) is the share of presented products
  some candidate is named like (a word in common, one ASR slip forgiven), whether or not its
  clip matched; "junk" the candidates named like no product of the fixture's catalog;
- products, not presentations, are counted from the live_* replays on: TP a presented
  product with a matched presentation (a presentation longer than `max_clip` is matched by
  a clip covering COVER of `max_clip`), FN one without, FP a clip that matches none and does
  not lie within presentations of its product; "dup" counts pairs of clips of one product
  sharing half their scripted sentences (the repeated pitch), judged on the script;
- TP: presentations matched (one clip each), FP: clips matching none, FN: presentations
  left unmatched; precision TP/(TP+FP), recall TP/(TP+FN), F1 their harmonic mean;
- name recognition: a scripted name occurrence (`{...}` in the script) is recognised when
  the words Whisper wrote over that sentence contain it as said or as the catalog spells it
  (case, accents and punctuation aside); "found" counts the occurrences our matcher turns
  into a mention of the right product;
- detection runs on the `batched` transcript with the catalog and on the `batched_plain`
  one without (no catalog, no names to bias Whisper with): what the pipeline would see;
  `--detect-on hotwords,plain` scores the sequentially decoded ones;
- the ASR is *usable* on a fixture when its word error rate against the script (sentences
  we voiced) is at most USABLE_WER; overall figures are over usable fixtures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURES = HERE / "fixtures"
AUDIO_CACHE = HERE / "results" / "mentions_audio"  # git-ignored; rebuilt by `build`
sys.path.insert(0, str(ROOT))

from highlights.config import MentionSettings, SelectionSettings, TranscribeSettings  # noqa: E402
from highlights.records import Product, Transcript, from_dict, to_dict  # noqa: E402

SAMPLE_RATE = 16000
PAUSE = 0.4  # between every two sentences, topic change or not
LEAD_IN, TAIL = 0.5, 0.7
NOISE_DBFS = -50.0
SPEECH_RMS = 0.07  # every sentence and real clip is brought to this level (about -23 dBFS)
VARIANTS = ("plain", "hotwords", "prompt")
# Whisper decodes the speech chunks one after the other for these; `batched` and
# `batched_plain` are what the pipeline's defaults make (faster-whisper's
# BatchedInferencePipeline), with the catalog's names as hotwords and without a catalog.
ALL_VARIANTS = (*VARIANTS, "batched", "batched_plain")
# Detection is measured on the transcripts the pipeline really makes.  (Sequential decoding
# with hotwords, the `hotwords` variant, drops 12-20 s stretches of speech in four of the six
# live_* replays; the batched decoding drops none.)
DETECTION_VARIANT = "batched"
NO_CATALOG_VARIANT = "batched_plain"
COVER = 0.8
OFF_TOPIC = 0.25
USABLE_WER = 0.35
NAME_SIMILARITY = 75  # a candidate's word and a product's word, as they sound, this close are one
NEAR_COPY_SHARE = 0.5  # two clips of one product sharing this share of their sentences are copies
NAME = re.compile(r"\{([^{}]+)\}")


# --- fixture scripts ------------------------------------------------------------------------


@dataclass
class Part:
    kind: str  # product | chatter | real
    say: list[str] = field(default_factory=list)
    product: str | None = None
    file: str | None = None


@dataclass
class Script:
    name: str
    language: str
    tts: str
    voice: str
    speed: int
    pitch: int
    catalog: list[Product]
    parts: list[Part]
    digest: str


def load_script(path: Path) -> Script:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        catalog = [Product(id=c["id"], name=c["name"], aliases=list(c.get("aliases", [])),
                           link=str(c["link"]) if "link" in c else None) for c in data["catalog"]]
        parts = [Part(kind=p["kind"], say=list(p.get("say", [])), product=p.get("product"), file=p.get("file"))
                 for p in data["parts"]]
        script = Script(path.stem, data["language"], data["tts"], data["voice"], int(data.get("speed", 140)),
                        int(data.get("pitch", 50)), catalog, parts, hashlib.sha256(raw).hexdigest()[:16])
    except (tomllib.TOMLDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SystemExit(f"{path}: not a valid fixture script: {exc}") from None
    ids = {p.id for p in catalog}
    for part in parts:
        if part.kind not in ("product", "chatter", "real") or (part.kind == "product" and part.product not in ids):
            raise SystemExit(f"{path}: part {part.kind!r} for {part.product!r} is not valid")
    return script


def spoken(text: str) -> str:
    return NAME.sub(lambda m: m.group(1), text)


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.toml"))


# --- voicing and assembling -----------------------------------------------------------------


def _tool_version(tts: str) -> str:
    if tts == "espeak-ng":
        out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
        return " ".join(out.split()[:4])
    if tts == "festival":
        out = subprocess.run(["festival", "--version"], capture_output=True, text=True).stdout
        return out.strip().splitlines()[0] if out.strip() else "festival"
    return tts


def _synthesize(script: Script, text: str, target: Path) -> None:
    if script.tts == "espeak-ng":
        if not shutil.which("espeak-ng"):
            raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng)")
        subprocess.run(["espeak-ng", "-v", script.voice, "-s", str(script.speed), "-p", str(script.pitch),
                        "-w", str(target), text], check=True, capture_output=True)
    elif script.tts == "festival":
        if not shutil.which("text2wave"):
            raise SystemExit("Festival is not installed (apt-get install festival festvox-ru)")
        source = target.with_suffix(".txt")
        # The Russian voice's letter-to-sound rules have no "ё"; Russian print mostly omits it too.
        source.write_text(text.replace("ё", "е").replace("Ё", "Е"), encoding="utf-8")
        subprocess.run(["text2wave", "-eval", f"(voice_{script.voice})", str(source), "-o", str(target)],
                       check=True, capture_output=True)
    else:
        raise SystemExit(f"{script.name}: unknown tts {script.tts!r}")


def _decode(path: Path) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SAMPLE_RATE)


def _trimmed(samples: np.ndarray) -> np.ndarray:
    """Cut the silence around speech and bring it to a common level."""
    loud = np.flatnonzero(np.abs(samples) > 0.02 * max(float(np.abs(samples).max()), 1e-6))
    if not len(loud):
        return samples[:0]
    margin = int(0.03 * SAMPLE_RATE)
    samples = samples[max(0, loud[0] - margin): loud[-1] + margin]
    rms = float(np.sqrt(np.mean(samples ** 2))) or 1.0
    return samples * (SPEECH_RMS / rms)


def assemble(script: Script, media: Path) -> tuple[np.ndarray, dict]:
    """The fixture's audio (16 kHz mono float32) and its truth, timed from the samples."""
    pieces: list[np.ndarray] = [np.zeros(int(LEAD_IN * SAMPLE_RATE), np.float32)]
    at = LEAD_IN
    truth_parts = []
    pause = np.zeros(int(PAUSE * SAMPLE_RATE), np.float32)
    with tempfile.TemporaryDirectory(prefix="mentions-eval-") as tmp:
        for number, part in enumerate(script.parts):
            sentences = []
            if part.kind == "real":
                path = media / part.file
                if not path.is_file():
                    raise SystemExit(f"{script.name}: real speech {path} not found")
                chunks = [(_trimmed(_decode(path)), f"[{part.file}]", [])]
            else:
                chunks = []
                for index, text in enumerate(part.say):
                    wav = Path(tmp) / f"{number:02d}-{index:02d}.wav"
                    _synthesize(script, spoken(text), wav)
                    chunks.append((_trimmed(_decode(wav)), spoken(text), NAME.findall(text)))
            for samples, text, names in chunks:
                if len(pieces) > 1:
                    pieces.append(pause)
                    at += PAUSE
                start = at
                pieces.append(samples.astype(np.float32))
                at += len(samples) / SAMPLE_RATE
                sentences.append({"start": round(start, 3), "end": round(at, 3), "text": text, "names": names})
            truth_parts.append({"kind": part.kind, "product": part.product, "file": part.file,
                                "start": sentences[0]["start"], "end": sentences[-1]["end"], "sentences": sentences})
    pieces.append(np.zeros(int(TAIL * SAMPLE_RATE), np.float32))
    audio = np.concatenate(pieces)
    rng = np.random.default_rng(zlib.crc32(script.name.encode()))
    audio = audio + rng.normal(0.0, 10 ** (NOISE_DBFS / 20), len(audio)).astype(np.float32)
    truth = {
        "duration": round(len(audio) / SAMPLE_RATE, 3),
        "parts": truth_parts,
        "presentations": [{"product": p["product"], "start": p["start"], "end": p["end"]}
                          for p in truth_parts if p["kind"] == "product"],
        "off_topic": [{"start": p["start"], "end": p["end"]} for p in truth_parts if p["kind"] != "product"],
    }
    return np.clip(audio, -1.0, 1.0).astype(np.float32), truth


def write_wav(path: Path, samples: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes((samples * 32767).astype("<i2").tobytes())


# --- transcribing ---------------------------------------------------------------------------


def variant_settings(language: str, variant: str) -> TranscribeSettings:
    settings = TranscribeSettings(language=language)
    if not variant.startswith("batched"):
        settings.batch_size = 1
    return settings


def transcribe_variants(audio: np.ndarray, script: Script, model_source, variants=ALL_VARIANTS) -> dict:
    """The fixture transcribed without biasing, with hotwords (the pipeline's way) and with an
    initial prompt; and once more exactly as the pipeline's defaults do it."""
    from highlights.transcribe import transcribe

    names = [p.name for p in script.catalog]
    results = {}
    for variant in variants:
        settings = variant_settings(script.language, variant)
        began = time.perf_counter()
        if variant in ("plain", "batched_plain"):
            transcript = transcribe(audio, settings, [], model_source)
        elif variant in ("hotwords", "batched"):
            transcript = transcribe(audio, settings, names, model_source)
        else:
            transcript = _transcribe_with_prompt(audio, settings, ", ".join(names), model_source)
        results[variant] = {"seconds": round(time.perf_counter() - began, 1), "settings": to_dict(settings),
                            "transcript": to_dict(transcript)}
    return results


def _transcribe_with_prompt(audio: np.ndarray, settings: TranscribeSettings, prompt: str, source) -> Transcript:
    """faster-whisper called as `highlights.transcribe` calls it, with `initial_prompt`
    instead of `hotwords` (the pipeline has no prompt option)."""
    from highlights.models import load_whisper
    from highlights.records import Segment, Word

    model = load_whisper(source.path, settings.compute_type, settings.cpu_threads)
    options = dict(language=settings.language, beam_size=settings.beam_size, word_timestamps=True,
                   vad_filter=settings.vad, condition_on_previous_text=settings.condition_on_previous_text,
                   initial_prompt=prompt)
    if getattr(settings, "batch_size", 1) > 1:
        from faster_whisper import BatchedInferencePipeline

        segments, _ = BatchedInferencePipeline(model).transcribe(audio, batch_size=settings.batch_size,
                                                                  without_timestamps=False,
                                                                  **{**options, "vad_filter": True})
    else:
        segments, _ = model.transcribe(audio, **options)
    transcript = Transcript(language=settings.language, language_probability=1.0,
                            duration=round(len(audio) / SAMPLE_RATE, 3), model=source.identity)
    for raw in segments:
        words = [Word(round(w.start, 3), round(w.end, 3), w.word, round(float(w.probability), 4))
                 for w in raw.words or []]
        transcript.segments.append(Segment(round(raw.start, 3), round(raw.end, 3), raw.text.strip(), words))
    return transcript


def dump_record(record: dict) -> str:
    """Compact JSON, one transcript segment a line: small to commit, readable in a diff."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text.replace(',{"start":', ',\n{"start":') + "\n"


def build(name: str, media: Path, variants=ALL_VARIANTS, write: bool = True, audio_dir: Path = AUDIO_CACHE) -> dict:
    """Voice, assemble and transcribe one fixture; returns (and writes) its cache record.
    The audio is kept in `audio_dir` to listen to."""
    import faster_whisper

    from highlights.models import resolve_model

    script = load_script(FIXTURES / f"{name}.toml")
    audio, truth = assemble(script, media)
    wav = audio_dir / f"{name}.wav"
    write_wav(wav, audio)
    source = resolve_model("base")
    record = {
        "fixture": name,
        "script_sha256": script.digest,
        "language": script.language,
        "voice": f"{script.tts} {script.voice} ({_tool_version(script.tts)})",
        "audio_sha256": hashlib.sha256(wav.read_bytes()).hexdigest()[:16],
        "model": source.identity,
        "faster_whisper": faster_whisper.__version__,
        "truth": truth,
        "variants": {},
    }
    previous = FIXTURES / f"{name}.json"
    if previous.is_file():
        # Transcriptions of the same audio by the same model are kept: a new variant does not
        # cost the old ones again.
        old = json.loads(previous.read_text(encoding="utf-8"))
        if all(old.get(key) == record[key] for key in ("script_sha256", "audio_sha256", "model", "faster_whisper")):
            record["variants"] = {v: r for v, r in old["variants"].items() if v not in variants}
    record["variants"].update(transcribe_variants(audio, script, source, variants))
    if write:
        from highlights.files import write_text

        write_text(FIXTURES / f"{name}.json", dump_record(record))
    return record


# --- evaluating -----------------------------------------------------------------------------


def load_record(name: str) -> dict:
    path = FIXTURES / f"{name}.json"
    if not path.is_file():
        raise SystemExit(f"{path}: no cached transcripts; run `benchmarks/mentions_eval.py build {name}`")
    record = json.loads(path.read_text(encoding="utf-8"))
    script = load_script(FIXTURES / f"{name}.toml")
    if record.get("script_sha256") != script.digest:
        raise SystemExit(f"{path}: made from an older {name}.toml; run `benchmarks/mentions_eval.py build {name}`")
    return record


def transcript_of(record: dict, variant: str = DETECTION_VARIANT) -> Transcript:
    return from_dict(Transcript, record["variants"][variant]["transcript"])


@dataclass
class ClipCheck:
    products: list[str]
    name: str
    start: float
    end: float
    off_topic: float  # share of the clip
    matched: str | None = None  # the product of the presentation it matches
    reasons: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    fixture: str
    language: str
    variant: str
    catalog: bool
    presentations: int
    clips: list[ClipCheck]
    covered: dict[str, float]  # product -> share of its presentation covered by its clip
    tp: int = 0
    fp: int = 0
    fn: int = 0
    named: int = 0  # without a catalog: products whose matched clip's candidate name shares a word with theirs
    duplicates: int = 0  # pairs of clips of one product showing mostly the same scripted sentences
    junk: list[str] = field(default_factory=list)  # without a catalog: candidates named like no product
    names_found: int = 0  # without a catalog: presented products some candidate is named like

    @property
    def worst_off_topic(self) -> float:
        return max((c.off_topic for c in self.clips), default=0.0)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def detect(transcript: Transcript, catalog: list[Product] | None, mention_settings: MentionSettings | None = None,
           selection_settings: SelectionSettings | None = None):
    """What the pipeline does between transcription and cutting: (products, mentions, highlights)."""
    from highlights.mentions import find_candidates, find_mentions
    from highlights.selection import select_highlights

    mention_settings = mention_settings or MentionSettings()
    if catalog:
        products, mentions = catalog, find_mentions(transcript, catalog, mention_settings)
    else:
        products, mentions = find_candidates(transcript, mention_settings)
    highlights = select_highlights(transcript, mentions, products, [], selection_settings or SelectionSettings())
    return products, mentions, highlights


def evaluate(record: dict, variant: str | None = None, catalog: bool = True,
             mention_settings: MentionSettings | None = None,
             selection_settings: SelectionSettings | None = None) -> Outcome:
    # Without a catalog the pipeline has no names to bias Whisper with: the plain transcript.
    variant = variant or (DETECTION_VARIANT if catalog else NO_CATALOG_VARIANT)
    script = load_script(FIXTURES / f"{record['fixture']}.toml")
    truth = record["truth"]
    selection_settings = selection_settings or SelectionSettings()
    products, _mentions, highlights = detect(transcript_of(record, variant), script.catalog if catalog else None,
                                             mention_settings, selection_settings)
    names = {p.id: p.name for p in products}
    clips = []
    for h in highlights:
        off = sum(_overlap(h.start, h.end, w["start"], w["end"]) for w in truth["off_topic"])
        clips.append(ClipCheck(h.products, names.get(h.products[0], h.products[0]), h.start, h.end,
                               round(off / max(h.end - h.start, 1e-6), 3), reasons=h.reasons))
    presented = list(dict.fromkeys(p["product"] for p in truth["presentations"]))
    outcome = Outcome(record["fixture"], record["language"], variant, catalog, len(presented), clips, {})
    catalog_names = {p.id: p.names for p in script.catalog}
    for presentation in truth["presentations"]:
        length = presentation["end"] - presentation["start"]
        # A presentation longer than a clip can be is matched by a clip that is mostly about it.
        wanted = COVER * min(length, selection_settings.max_clip)
        best = None
        for clip in clips:
            # Without a catalog any candidate may stand for the product; its name is scored apart.
            right = presentation["product"] in clip.products if catalog else True
            seconds = _overlap(clip.start, clip.end, presentation["start"], presentation["end"])
            if right and clip.matched is None and seconds >= wanted - 1e-6 and clip.off_topic <= OFF_TOPIC:
                if best is None or seconds > best[0]:
                    best = (seconds, clip)
        if best:
            best[1].matched = presentation["product"]
            share = round(min(1.0, best[0] / max(wanted / COVER, 1e-6)), 3)
            outcome.covered[presentation["product"]] = max(outcome.covered.get(presentation["product"], 0.0), share)
    for product in presented:
        if product in outcome.covered:
            outcome.tp += 1
            if not catalog:
                outcome.named += any(_shares_a_word(c.name, catalog_names[product], script.language)
                                     for c in clips if c.matched == product)
        else:
            outcome.fn += 1
    # A clip that matches no presentation is false unless it lies within presentations of its
    # product (a second, different stretch of a long or repeated presentation).
    for clip in clips:
        if clip.matched is None:
            inside = sum(_overlap(clip.start, clip.end, p["start"], p["end"]) for p in truth["presentations"]
                         if not catalog or p["product"] in clip.products)
            outcome.fp += inside < (1 - OFF_TOPIC) * (clip.end - clip.start)
    outcome.duplicates = _near_copies(clips, truth)
    if not catalog:
        every_name = [n for names_ in catalog_names.values() for n in names_]
        outcome.junk = [p.name for p in products if not _shares_a_word(p.name, every_name, script.language)]
        outcome.names_found = sum(any(_shares_a_word(p.name, catalog_names[product], script.language) for p in products)
                                  for product in presented)
    return outcome


def _near_copies(clips: list[ClipCheck], truth: dict) -> int:
    """Pairs of clips of one product whose scripted sentences are mostly the same (the host's
    repeated pitch): judged on the script, not on the transcript the selection compares."""
    def said(clip: ClipCheck) -> set[str]:
        return {s["text"] for part in truth["parts"] if part["kind"] == "product" for s in part["sentences"]
                if clip.start <= (s["start"] + s["end"]) / 2 <= clip.end}

    count = 0
    for i, a in enumerate(clips):
        for b in clips[i + 1:]:
            if a.products == b.products:
                x, y = said(a), said(b)
                count += bool(x and y) and len(x & y) >= NEAR_COPY_SHARE * min(len(x), len(y))
    return count


def _shares_a_word(name: str, catalog_names: list[str], language: str) -> bool:
    """Does a candidate's name share a word with one of the product's names, as it sounds
    (stemming.skeleton) and forgiving one slip of the ASR ("Cametta" for Casetta, "náfas" for
    gafas: rapidfuzz ratio >= NAME_SIMILARITY)?"""
    from rapidfuzz import fuzz

    from highlights.stemming import skeleton
    from highlights.text import normalize

    def keys(text: str) -> set[str]:
        return {skeleton(w) for w in normalize(text).split() if len(w) >= 3}

    wanted = set().union(*(keys(n) for n in catalog_names))
    return any(fuzz.ratio(a, b) >= NAME_SIMILARITY for a in keys(name) for b in wanted)


def name_recognition(record: dict, variant: str) -> tuple[int, int, int]:
    """(recognised, found, said): scripted name occurrences Whisper wrote as said or as the
    catalog spells them; those our matcher made a mention of the right product from; all."""
    from highlights.mentions import find_mentions
    from highlights.text import normalize

    script = load_script(FIXTURES / f"{record['fixture']}.toml")
    transcript = transcript_of(record, variant)
    mentions = find_mentions(transcript, script.catalog, MentionSettings())
    catalog = {p.id: p for p in script.catalog}
    recognised = found = said = 0
    for part in record["truth"]["parts"]:
        if part["kind"] != "product":
            continue
        for sentence in part["sentences"]:
            if not sentence["names"]:
                continue
            lo, hi = sentence["start"] - 0.3, sentence["end"] + 0.3
            inside = [w.text for w in transcript.words if lo <= (w.start + w.end) / 2 <= hi]
            heard = " " + normalize(" ".join(inside)) + " "
            forms = [*sentence["names"], *catalog[part["product"]].names]
            for _name in sentence["names"]:
                said += 1
                recognised += any(f" {normalize(form)} " in heard for form in forms)
                found += any(m.product == part["product"] and lo <= m.start <= hi for m in mentions)
    return recognised, found, said


def word_error_rate(record: dict, variant: str = "plain") -> float:
    """WER of the transcript over the sentences we voiced (the real speech left out)."""
    from highlights.evaluation import word_error_rate as wer

    transcript = transcript_of(record, variant)
    references, hypotheses = [], []
    for part in record["truth"]["parts"]:
        if part["kind"] == "real":
            continue
        for sentence in part["sentences"]:
            lo, hi = sentence["start"] - 0.3, sentence["end"] + 0.3
            references.append(sentence["text"])
            hypotheses.append(" ".join(w.text for w in transcript.words if lo <= (w.start + w.end) / 2 <= hi))
    # Spoken numbers count as their digits on both sides ("forty-nine" and "49" are the same word).
    language = record["language"]
    return wer([_words(" ".join(references), language)], [_words(" ".join(hypotheses), language)])


def _words(text: str, language: str) -> str:
    from highlights.stemming import tokenize_text

    return " ".join(t.text for t in tokenize_text(text, language) if t.kind != "symbol")


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def report(names: list[str], verbose: bool = False, variants: tuple[str, str] | None = None) -> int:
    """`variants`: the transcripts detection reads with a catalog and without one (default
    the pipeline's: DETECTION_VARIANT, NO_CATALOG_VARIANT)."""
    with_variant, without_variant = variants or (DETECTION_VARIANT, NO_CATALOG_VARIANT)
    rows = []
    print(f"{'fixture':16} {'lang':4} {'min':>4} {'WER':>5} {'use':3} "
          f"| {'catalog: P':>10} {'R':>5} {'F1':>5} {'dup':>3} "
          f"| {'no catalog: R':>13} {'named':>5} {'found':>5} {'junk':>4} {'dup':>3} "
          "| names recognised plain/hotwords/prompt")
    for name in names:
        record = load_record(name)
        wer = word_error_rate(record)
        usable = wer <= USABLE_WER
        with_catalog = evaluate(record, with_variant)
        without = evaluate(record, without_variant, catalog=False)
        recognition = {v: name_recognition(record, v) for v in VARIANTS if v in record["variants"]}
        rows.append((record["language"], usable, with_catalog, without, recognition, name))
        p, r, score = f1(with_catalog.tp, with_catalog.fp, with_catalog.fn)
        _p2, r2, _score2 = f1(without.tp, without.fp, without.fn)
        said = recognition["plain"][2]
        heard = "/".join(f"{recognition[v][0]:2d}" if v in recognition else " -" for v in VARIANTS)
        print(f"{name:16} {record['language']:4} {record['truth']['duration'] / 60:4.1f} {wer:5.2f} "
              f"{'yes' if usable else 'no':3} | {p:10.2f} {r:5.2f} {score:5.2f} {with_catalog.duplicates:3d} "
              f"| {r2:13.2f} {without.named:2d}/{without.presentations:<2d} "
              f"{without.names_found:2d}/{without.presentations:<2d} "
              f"{len(without.junk):4d} "
              f"{without.duplicates:3d} | {heard} of {said:2d}")
        if verbose:
            for label, outcome in (("catalog", with_catalog), ("none", without)):
                for clip in outcome.clips:
                    print(f"    {label:7} {clip.start:6.1f}-{clip.end:6.1f} {clip.name[:28]:28} "
                          f"off {clip.off_topic:.2f} "
                          f"{'match ' + clip.matched if clip.matched else 'NO MATCH'}; {'; '.join(clip.reasons)}")
                if outcome.junk:
                    print(f"    {label:7} junk candidates: {', '.join(outcome.junk)}")
    print()
    print(f"{'group':24} {'fixtures':>8} {'P':>5} {'R':>5} {'F1':>5} {'dup':>3} | {'no catalog R':>12} "
          f"{'named clips':>11} {'names found':>11} {'junk/replay':>11} {'dup':>3}")
    groups = [(lang, [r for r in rows if r[0] == lang]) for lang in sorted({r[0] for r in rows})]
    groups += [("live_* (usable)", [r for r in rows if r[5].startswith("live_") and r[1]]),
               ("older (usable)", [r for r in rows if not r[5].startswith("live_") and r[1]]),
               ("overall (ASR usable)", [r for r in rows if r[1]]), ("all fixtures", rows)]
    for label, chosen in groups:
        if not chosen:
            continue
        tp, fp, fn = (sum(getattr(row[2], k) for row in chosen) for k in ("tp", "fp", "fn"))
        tp2, fp2, fn2 = (sum(getattr(row[3], k) for row in chosen) for k in ("tp", "fp", "fn"))
        p, r, score = f1(tp, fp, fn)
        presented = sum(row[3].presentations for row in chosen) or 1
        named = sum(row[3].named for row in chosen)
        found = sum(row[3].names_found for row in chosen)
        junk = max(len(row[3].junk) for row in chosen)
        dup = sum(row[2].duplicates for row in chosen)
        dup2 = sum(row[3].duplicates for row in chosen)
        print(f"{label:24} {len(chosen):8d} {p:5.2f} {r:5.2f} {score:5.2f} {dup:3d} | {f1(tp2, fp2, fn2)[1]:12.2f} "
              f"{named / presented:11.2f} {found / presented:11.2f} {'max ' + str(junk):>11} {dup2:3d}")
    return 0


# --- speed ----------------------------------------------------------------------------------


def long_transcript(name: str = "en_shop", minutes: float = 60.0) -> tuple[Transcript, list[Product]]:
    """A fixture's transcript repeated, shifted in time, to `minutes` of replay."""
    from highlights.records import Segment, Word

    record = load_record(name)
    transcript = transcript_of(record)
    segments, offset = [], 0.0
    while offset < minutes * 60:
        for s in transcript.segments:
            segments.append(Segment(s.start + offset, s.end + offset, s.text,
                                    [Word(w.start + offset, w.end + offset, w.text, w.probability) for w in s.words]))
        offset += transcript.duration
    script = load_script(FIXTURES / f"{name}.toml")
    return Transcript(transcript.language, 1.0, offset, transcript.model, segments), script.catalog


def _previous_matcher():
    """`find_mentions` as the last commit has it (the baseline), or None outside a checkout."""
    import importlib.util

    result = subprocess.run(["git", "show", "HEAD:highlights/mentions.py"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        return None
    spec = importlib.util.spec_from_loader("highlights._mentions_baseline", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "highlights"
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(result.stdout, "HEAD:highlights/mentions.py", "exec"), module.__dict__)
    return module.find_mentions


def speed(minutes: float = 60.0) -> int:
    """Detection time on an hour of transcript, against the previous matcher in the same run."""
    from highlights.mentions import find_candidates, find_mentions
    from highlights.selection import select_highlights

    transcript, catalog = long_transcript(minutes=minutes)
    print(f"{len(transcript.words)} words, {transcript.duration / 60:.0f} min of replay, {len(catalog)} products")
    sys.stdout.flush()
    timings = {}
    baseline = _previous_matcher()
    if baseline:
        began = time.perf_counter()
        baseline(transcript, catalog, MentionSettings())
        timings["previous find_mentions (HEAD)"] = time.perf_counter() - began
    began = time.perf_counter()
    mentions = find_mentions(transcript, catalog, MentionSettings())
    timings["find_mentions"] = time.perf_counter() - began
    began = time.perf_counter()
    select_highlights(transcript, mentions, catalog, [], SelectionSettings(max_clips=1000))
    timings["select_highlights"] = time.perf_counter() - began
    began = time.perf_counter()
    find_candidates(transcript, MentionSettings())
    timings["find_candidates (no catalog)"] = time.perf_counter() - began
    reference = timings.get("previous find_mentions (HEAD)")
    for label, seconds in timings.items():
        ratio = f"  {seconds / reference:5.2f}x the previous matcher" if reference else ""
        print(f"{label:32} {seconds:6.2f} s{ratio}")
    return 0


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="report", choices=["report", "build", "speed"])
    parser.add_argument("names", nargs="*", help="fixtures (default: all)")
    parser.add_argument("--media", type=Path, default=ROOT.parent / "shared" / "media")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every clip")
    parser.add_argument("--variants", default=",".join(ALL_VARIANTS),
                        help="build: the transcriptions to make (the live_* fixtures have plain,hotwords: "
                             "Whisper over 6-minute replays is costly, and detection reads only these two)")
    parser.add_argument("--detect-on", default=f"{DETECTION_VARIANT},{NO_CATALOG_VARIANT}",
                        help="report: the transcripts detection reads, with a catalog and without one "
                             "(e.g. hotwords,plain: the sequentially decoded ones)")
    args = parser.parse_intermixed_args(argv)
    names = args.names or fixture_names()
    if args.command == "speed":
        return speed()
    if args.command == "build":
        for name in names:
            began = time.perf_counter()
            record = build(name, args.media, tuple(v for v in args.variants.split(",") if v))
            seconds = {v: r["seconds"] for v, r in record["variants"].items()}
            print(f"{name}: {record['truth']['duration']:.1f} s of audio, transcribed in {seconds} "
                  f"({time.perf_counter() - began:.0f} s in all)", flush=True)
        return 0
    with_variant, without_variant = args.detect_on.split(",")
    return report([n for n in names if (FIXTURES / f"{n}.json").is_file() or args.names], args.verbose,
                  (with_variant, without_variant))


if __name__ == "__main__":
    sys.exit(main())
