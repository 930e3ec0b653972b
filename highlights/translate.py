"""Subtitles in the other languages: offline machine translation with Argos Translate packages.

- A package (`.argosmodel`: a zip with a CTranslate2 Transformer and a SentencePiece or BPE
  tokenizer) is installed into Argos Translate's own folder, or `[translation] packages_dir`,
  read with `argostranslate.package.Package` and run with CTranslate2 the way Argos runs it
  (same beam, length penalty, unknown-word replacement), but in batches of whole sentences
  we cut from the transcript ourselves: Argos's sentence splitter, which downloads a model
  on first use, is never called.
- A pair with no model of its own goes through the pivot language (ru→en→pl).
- Product names and aliases, brands, promo codes, numbers, prices and URLs are swapped for
  placeholders before translation and put back afterwards.  Machine translation garbles
  proper nouns and, now and then, drops or repeats a placeholder: a dropped one is put back
  where it stood in the sentence, a repeated one is kept once, so whatever the model does
  every name comes out exactly as it went in.
- Each distinct sentence is translated once per model: a SQLite cache keyed by model
  identity (pair, version, SHA-256 of its files) and text keeps every result, so a re-run
  with nothing changed translates nothing.
- A language whose model is missing is reported with the command that installs it; no file
  is ever written for it."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import LANGUAGES, Settings, TranscribeSettings, TranslationSettings
from .files import sha256_file
from .models import cache_dir
from .records import Product, Sentence, Transcript, Word
from .subtitles import SENTENCE_END, timed_words
from .text import join_words
from .text import sentences as split_sentences

log = logging.getLogger("highlights")

INSTALL_HELP = "`highlights models install {0} {1}` (online) or `highlights models install FILE.argosmodel`"


class TranslationError(RuntimeError):
    pass


# --- packages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPackage:
    """An installed Argos translation package."""

    from_code: str
    to_code: str
    version: str
    path: Path

    @property
    def pair(self) -> str:
        return f"{self.from_code}→{self.to_code}"


def packages_dir(configured: str = "") -> Path:
    """Where packages are installed: the setting, else `$ARGOS_PACKAGES_DIR`, else Argos
    Translate's own folder, so packages installed with `argospm` are found and vice versa."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get("ARGOS_PACKAGES_DIR"):
        return Path(os.environ["ARGOS_PACKAGES_DIR"]).expanduser()
    from argostranslate import settings as argos_settings

    return Path(argos_settings.package_data_dir)


def installed_packages(folder: Path) -> list[ModelPackage]:
    """Translation packages in `folder`; one per pair (the newest version)."""
    packages, problems = scan_packages(folder)
    for problem in problems:
        log.warning("%s; package ignored", problem)
    return packages


def scan_packages(folder: Path) -> tuple[list[ModelPackage], list[str]]:
    """Translation packages in `folder` (the newest per pair), and what is wrong with the
    folders there that look like packages but cannot be used."""
    best: dict[tuple[str, str], ModelPackage] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return [], []
    for path in sorted(folder.iterdir()):
        metadata = path / "metadata.json"
        if path.name.startswith(".") or not metadata.is_file():
            continue
        try:
            data = json.loads(metadata.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{metadata}: unreadable ({exc})")
            continue
        if not isinstance(data, dict) or data.get("type", "translate") != "translate":
            continue
        if not data.get("from_code") or not data.get("to_code"):
            problems.append(f"{metadata}: no from_code/to_code")
            continue
        package = ModelPackage(str(data["from_code"]), str(data["to_code"]), str(data.get("package_version", "")), path)
        key = (package.from_code, package.to_code)
        if key not in best or _version(package.version) > _version(best[key].version):
            best[key] = package
    return sorted(best.values(), key=lambda p: (p.from_code, p.to_code)), problems


def _version(text: str):
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(text), "")
    except InvalidVersion:
        return (0, Version("0"), text)


def packages_fingerprint(settings: TranslationSettings) -> list:
    """What is installed, cheaply (no hashing): part of the key under which a run's
    subtitles may be reused, so installing or replacing a package makes them again."""
    return [[p.pair, p.version, str(p.path), *_stamp(p.path)]
            for p in installed_packages(packages_dir(settings.packages_dir))]


def find_route(source: str, target: str, packages: list[ModelPackage], pivot: str = "en") -> list[ModelPackage] | None:
    """The packages that take `source` to `target`: the direct one, else two through `pivot`."""
    by_pair = {(p.from_code, p.to_code): p for p in packages}
    if (source, target) in by_pair:
        return [by_pair[source, target]]
    if pivot not in (source, target) and (source, pivot) in by_pair and (pivot, target) in by_pair:
        return [by_pair[source, pivot], by_pair[pivot, target]]
    return None


def missing_reason(source: str, target: str, pivot: str = "en") -> str:
    through = f" (nor {source}→{pivot} and {pivot}→{target})" if pivot not in (source, target) else ""
    return (f"no translation model for {source}→{target}{through} is installed; install one with "
            + INSTALL_HELP.format(source, target))


def install_file(archive: Path, folder: Path) -> ModelPackage:
    """Install an `.argosmodel` file into `folder`, replacing an older package of the same
    pair.  The package is unpacked beside the folder and checked (metadata, tokenizer, the
    model loads) before it is moved in, so a bad file never replaces a good package."""
    archive = Path(archive)
    if not archive.is_file():
        raise TranslationError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise TranslationError(f"{archive}: not an Argos package (an .argosmodel file is a zip archive)")
    with zipfile.ZipFile(archive) as bundle:
        names = [n for n in bundle.namelist() if n.strip("/")]
        tops = {n.split("/")[0] for n in names}
        top = next(iter(tops)) if len(tops) == 1 else ""
        if not top or f"{top}/metadata.json" not in names:
            raise TranslationError(f"{archive}: not an Argos package (expected one folder with metadata.json in it)")
        damaged = bundle.testzip()
        if damaged:
            raise TranslationError(f"{archive}: damaged archive ({damaged} fails its checksum)")
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".highlights-install-", dir=folder.parent))
        try:
            bundle.extractall(staging)
            package = check_package(staging / top, origin=archive)
            target = folder / top
            for old in installed_packages(folder):
                if (old.from_code, old.to_code) == (package.from_code, package.to_code) and old.path != target:
                    os.replace(old.path, staging / f"replaced-{old.path.name}")
            if target.exists():
                os.replace(target, staging / "replaced")
            os.replace(staging / top, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    _load_model.cache_clear()
    return ModelPackage(package.from_code, package.to_code, package.version, target)


def install_pair(from_code: str, to_code: str, folder: Path) -> ModelPackage:
    """Download the `from_code`→`to_code` package from the Argos index and install it."""
    from argostranslate import package as argos_package
    from argostranslate import settings as argos_settings

    index = Path(argos_settings.local_package_index)
    before = index.stat().st_mtime_ns if index.is_file() else None
    with _argos_errors() as errors:
        argos_package.update_package_index()  # logs the error and returns when offline
    if not index.is_file() or (errors and index.stat().st_mtime_ns == before):
        raise TranslationError(f"could not download the Argos package index {argos_settings.remote_package_index} "
                               f"({'; '.join(errors) or 'no answer'}); offline? Get the .argosmodel file elsewhere "
                               "and run `highlights models install FILE.argosmodel`")
    offers = [p for p in argos_package.get_available_packages()
              if p.type == "translate" and p.from_code == from_code and p.to_code == to_code]
    if not offers:
        hint = (f"; install {from_code}→en and en→{to_code} to translate through English"
                if "en" not in (from_code, to_code) else "")
        raise TranslationError(f"the Argos index has no {from_code}→{to_code} package{hint}")
    offer = max(offers, key=lambda p: _version(p.package_version))
    try:
        download = Path(offer.download())
    except Exception as exc:  # Argos raises a bare Exception when every mirror fails
        raise TranslationError(f"download of the {from_code}→{to_code} package failed ({exc}); offline? "
                               "Get the .argosmodel file elsewhere and run "
                               "`highlights models install FILE.argosmodel`") from None
    try:
        return install_file(download, folder)
    finally:
        download.unlink(missing_ok=True)


@contextmanager
def _argos_errors() -> Iterator[list[str]]:
    """What Argos Translate logs as errors inside the block, instead of on the console."""
    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()  # Argos logs str() of its arguments tuple: "(URLError(...),)"
            errors.append(re.sub(r"^\((.*),\)$", r"\1", message))

    logger = logging.getLogger("argostranslate.utils")
    handler, propagate = Collect(logging.ERROR), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield errors
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def check_package(path: Path, origin: Path | None = None) -> ModelPackage:
    """Raise `TranslationError` unless `path` holds a package we can translate with."""
    where = origin or path
    try:
        data = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TranslationError(f"{where}: metadata.json unreadable ({exc})") from None
    if not isinstance(data, dict) or not data.get("from_code") or not data.get("to_code"):
        raise TranslationError(f"{where}: metadata.json names no from_code/to_code")
    if data.get("type", "translate") != "translate":
        raise TranslationError(f"{where}: a {data.get('type')!r} package, not a translation model")
    if not (path / "model" / "model.bin").is_file():
        raise TranslationError(f"{where}: no CTranslate2 model (model/model.bin) inside")
    if not ((path / "sentencepiece.model").is_file() or (path / "bpe.model").is_file()):
        raise TranslationError(f"{where}: no tokenizer (sentencepiece.model or bpe.model) inside")
    try:
        argos, _ = _load_model(str(path), _stamp(path), 1)
        argos.tokenizer.encode("Check.")
    except Exception as exc:  # CTranslate2 and SentencePiece raise RuntimeError, OSError, ...
        raise TranslationError(f"{where}: the model does not load ({type(exc).__name__}: {exc})") from None
    return ModelPackage(str(data["from_code"]), str(data["to_code"]), str(data.get("package_version", "")), path)


def verify_package(package: ModelPackage) -> str | None:
    """None when the package loads and translates a sentence, else what is wrong."""
    try:
        check_package(package.path)
        PackageTranslator(package, TranslationSettings(), identity="verify").translate(["This is a test."])
    except TranslationError as exc:
        return str(exc)
    except Exception as exc:
        return f"{package.path}: translation failed ({type(exc).__name__}: {exc})"
    return None


def _stamp(path: Path) -> tuple:
    """Changes when the package's files are replaced (a reinstall), so a stale loaded model
    is never reused."""
    model = path / "model" / "model.bin"
    st = model.stat() if model.exists() else None
    return (st.st_size, st.st_mtime_ns) if st else ()


@functools.lru_cache(maxsize=16)
def _load_model(path: str, stamp: tuple, threads: int):
    """One loaded package per process: Argos's `Package` (metadata, tokenizer) and a
    CTranslate2 translator for its model."""
    import ctranslate2
    from argostranslate.package import Package

    argos = Package(Path(path))
    if not hasattr(argos, "tokenizer"):
        raise TranslationError(f"{path}: no sentencepiece.model or bpe.model")
    translator = ctranslate2.Translator(str(Path(path) / "model"), device="cpu", inter_threads=1,
                                        intra_threads=threads)
    return argos, translator


class PackageTranslator:
    """Translates lists of sentences with one package, in batches."""

    def __init__(self, package: ModelPackage, settings: TranslationSettings, identity: str):
        self.package = package
        self.settings = settings
        self.identity = identity
        self.sentences = 0  # sentences this object sent to the model
        self.runaways = 0  # ... of which came back as a loop (LibreTranslate #183)

    def translate(self, texts: list[str]) -> list[str]:
        if not texts:
            return []
        argos, translator = _load_model(str(self.package.path), _stamp(self.package.path), self.settings.cpu_threads)
        tokens = [argos.tokenizer.encode(text) for text in texts]
        out = self._decode(argos, translator, tokens, range(len(texts)))
        looping = [i for i in range(len(texts)) if _runaway(out[i], texts[i])]
        if looping:
            # Once more with repetition forbidden; what still runs away is cut where a
            # translation of that sentence should long have ended.
            again = self._decode(argos, translator, tokens, looping, repetition_penalty=1.3, no_repeat_ngram_size=3)
            for index in looping:
                out[index] = _cut_runaway(again[index], texts[index])
            self.runaways += len(looping)
        self.sentences += len(texts)
        return [out[i] for i in range(len(texts))]

    def _decode(self, argos, translator, tokens: list[list[str]], indices: Iterable[int], **options) -> dict[int, str]:
        out: dict[int, str] = {}
        # Sentences of about the same length go together: little padding, and a length cap
        # that fits each of them.
        order = sorted(indices, key=lambda i: len(tokens[i]))
        batches: list[list[int]] = []
        for index in order:
            batch = batches[-1] if batches else None
            if (batch and len(batch) < max(1, self.settings.batch_size)
                    and len(tokens[index]) <= 1.25 * len(tokens[batch[0]]) + 4):
                batch.append(index)
            else:
                batches.append([index])
        for batch in batches:
            source = [tokens[i] for i in batch]
            prefix = [[argos.target_prefix]] * len(batch) if argos.target_prefix else None
            results = translator.translate_batch(
                source, target_prefix=prefix, beam_size=self.settings.beam_size, length_penalty=0.2,
                replace_unknowns=True, max_decoding_length=2 * max(len(t) for t in source) + 10, **options)
            for index, result in zip(batch, results):
                value = argos.tokenizer.decode(result.hypotheses[0])
                if argos.target_prefix and value.startswith(argos.target_prefix):
                    value = value[len(argos.target_prefix):]
                out[index] = value.strip()
        return out


RUNAWAY_RATIO, RUNAWAY_SLACK = 1.6, 10  # characters: longer than this is a model looping, not translating
DECODING = "d1"  # changes when PackageTranslator's decoding or its clean-up change: older cache entries go


def _runaway(translation: str, source: str) -> bool:
    return len(translation) > RUNAWAY_RATIO * len(source) + RUNAWAY_SLACK


def _cut_runaway(translation: str, source: str) -> str:
    kept: list[str] = []
    for word in tidy(translation).split():
        if _runaway(" ".join([*kept, word]), source):
            break
        kept.append(word)
    return " ".join(kept)


# --- the cache -----------------------------------------------------------------------------


class TranslationCache:
    """Translations by (model identity, text), and file digests by (path, size, mtime), in
    one SQLite file shared by every run and every parallel job."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS translations (
        model TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
        PRIMARY KEY (model, source)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS file_digests (
        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL);
    """

    def __init__(self, path: Path):
        self.path = path
        self.db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(self.SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            # Only speed is lost without it: translate anyway, and say why it will be slower.
            log.warning("%s: translation cache unusable (%s); translating without it", path, exc)
            self.db = None

    def lookup(self, model: str, texts: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.db is None:
            return found
        for begin in range(0, len(texts), 500):
            chunk = texts[begin:begin + 500]
            rows = self.db.execute(
                f"SELECT source, target FROM translations WHERE model = ? AND source IN ({','.join('?' * len(chunk))})",
                [model, *chunk])
            found.update(rows)
        return found

    def store(self, model: str, pairs: dict[str, str]) -> None:
        if self.db is None or not pairs:
            return
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?)",
                                [(model, source, target) for source, target in pairs.items()])

    def digest(self, path: Path) -> str:
        """SHA-256 of a file, hashed again only when its size or modification time changed."""
        st = path.stat()
        if self.db is not None:
            row = self.db.execute("SELECT size, mtime_ns, sha256 FROM file_digests WHERE path = ?",
                                  [str(path)]).fetchone()
            if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
                return row[2]
        digest = sha256_file(path)
        if self.db is not None:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO file_digests VALUES (?, ?, ?, ?)",
                                [str(path), st.st_size, st.st_mtime_ns, digest])
        return digest

    def identity(self, package: ModelPackage) -> str:
        files = [package.path / "model" / "model.bin", package.path / "sentencepiece.model", package.path / "bpe.model"]
        digests = [self.digest(f)[:16] for f in files if f.is_file()]
        return f"argos {package.pair} {package.version} {'-'.join(digests)}"

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def cache_path(settings: TranslationSettings) -> Path:
    return Path(settings.cache_file).expanduser() if settings.cache_file else cache_dir() / "translations.sqlite3"


# --- protecting names, codes, numbers ------------------------------------------------------

PLACEHOLDER = "XQ{}"
# What a model makes of a placeholder: case changed, a space slipped in, X written in Cyrillic.
PLACEHOLDER_FOUND = re.compile(r"[XxХх]\s?[Qq]\s?(\d{1,3})")
URL = re.compile(r"(?:https?://|www\.)[^\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                 r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|shop|store|io|co|ru|ua|pl|es|pt|fr|it|eu|uk|de)(?:/[^\s]*)?",
                 re.IGNORECASE)
PROMO_CODE = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]*[A-Z0-9](?![\w-])")
AMOUNT = re.compile(r"(?:(?:[$€£₽₴¥]|\b(?:USD|EUR|GBP|RUB|UAH|PLN)\b)\s?)?(?<![\w.,])\d+(?:[.,\u00a0\u202f]\d{3})*"
                    r"(?:[.,]\d+)?(?:\s?(?:[$€£₽₴¥%]|(?:USD|EUR|GBP|RUB|UAH|PLN|zł)\b))?")
TRAILING = ".,!?;:)»”'\""


@dataclass
class Protected:
    """A sentence with its names swapped for placeholders XQ1, XQ2, ... ."""

    text: str
    originals: list[str] = field(default_factory=list)
    positions: list[float] = field(default_factory=list)  # where each placeholder stood, 0..1

    @property
    def needs_model(self) -> bool:
        """False when nothing is left to translate ("XQ1!", "49.")."""
        return bool(re.search(r"[^\W\d_]", PLACEHOLDER_FOUND.sub("", self.text)))


def names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern matching any of `names` as whole words, longest first, any case."""
    unique = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    parts = [r"\s+".join(re.escape(word) for word in name.split()) for name in unique]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def protect(text: str, names: re.Pattern | None, numbers: bool = True) -> Protected:
    spans: list[tuple[int, int]] = []
    for pattern in (URL, names, PROMO_CODE, AMOUNT if numbers else None):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if pattern is URL:
                while end > start and text[end - 1] in TRAILING:
                    end -= 1
            if end > start and text[start:end].strip() and not any(start < b and a < end for a, b in spans):
                spans.append((start, end))
    spans.sort()
    pieces, originals, last = [], [], 0
    for number, (start, end) in enumerate(spans, start=1):
        pieces += [text[last:start], PLACEHOLDER.format(number)]
        originals.append(text[start:end])
        last = end
    pieces.append(text[last:])
    masked = "".join(pieces)
    positions = [masked.index(PLACEHOLDER.format(n)) / max(1, len(masked)) for n in range(1, len(originals) + 1)]
    return Protected(masked, originals, positions)


def settle(translated: str, protected: Protected, final: bool = True) -> str:
    """Put the protected text back into a translation (`final`), or only mend the
    placeholders for a next translation step: each comes out exactly once; a dropped one
    goes where it stood in the source sentence, after the ones that came before it there."""
    seen: list[int] = []

    def mark(match: re.Match) -> str:
        number = int(match.group(1))
        if 1 <= number <= len(protected.originals) and number not in seen:
            seen.append(number)
            return f" \0{number}\0 "
        return " "  # a repeated or invented placeholder

    words = PLACEHOLDER_FOUND.sub(mark, tidy(translated)).split()
    for number in range(1, len(protected.originals) + 1):
        if number in seen:
            continue
        marks = {int(w.strip("\0")): i for i, w in enumerate(words) if w.startswith("\0")}
        low = max((i + 1 for n, i in marks.items() if n < number), default=0)
        high = min((i for n, i in marks.items() if n > number), default=len(words))
        ideal = round(protected.positions[number - 1] * len(words))
        words.insert(min(max(ideal, low), max(low, high)), f"\0{number}\0")
        seen.append(number)

    def value(word: str) -> str:
        if not word.startswith("\0"):
            return word
        number = int(word.strip("\0"))
        return protected.originals[number - 1] if final else PLACEHOLDER.format(number)

    text = " ".join(value(w) for w in words)
    return re.sub(r"\s+([,.!?;:)»”%])", r"\1", text)


def tidy(text: str) -> str:
    """Undo what models do when they go wrong: music notes for speech (argos-translate #299)
    and words or syllables repeated in a loop (LibreTranslate #183)."""
    text = re.sub(r"[♪♫♬]+", " ", text)
    text = re.sub(r"(?i)\b(\w+)(?:\W+\1\b){2,}", r"\1", text)
    text = re.sub(r"(\w{2,4}?)\1{2,}", r"\1", text)
    text = re.sub(r"(\w)\1{3,}", r"\1", text)
    return " ".join(text.split())


# --- translating a transcript --------------------------------------------------------------

MAX_UNIT_WORDS = 50  # longer "sentences" (a speaker who never stops) are cut at a clause


def translation_units(transcript: Transcript | list[Word]) -> list[Sentence]:
    """Sentences to translate one by one, each with the words (and times) it covers."""
    units: list[Sentence] = []
    for sentence in split_sentences(transcript):
        units += _cut(sentence.words)
    return units


def _cut(words: list[Word]) -> list[Sentence]:
    if len(words) <= MAX_UNIT_WORDS:
        return [Sentence(words[0].start, words[-1].end, join_words(words), list(words))]
    middle = len(words) / 2

    def score(index: int) -> float:  # clause punctuation or a pause near the middle
        text = words[index].text.strip()
        pause = words[index + 1].start - words[index].end
        good = (3 if SENTENCE_END.search(text) else 2 if text[-1:] in ",;:" else 0) + min(2.0, pause * 4)
        return good - abs(index + 1 - middle) / len(words) * 4

    cut = max(range(len(words) - 1), key=score) + 1
    return _cut(words[:cut]) + _cut(words[cut:])


@dataclass
class TrackStats:
    sentences: int = 0  # distinct sentences of the transcript
    translated: int = 0  # sentences a model translated (each step of a pivot counts)
    cached: int = 0  # sentences found in the cache instead
    runaways: int = 0  # translations that came back as a loop and were cut
    seconds: float = 0.0

    @property
    def hit_rate(self) -> float:
        total = self.translated + self.cached
        return self.cached / total if total else 1.0


class Translator:
    """Translates sentences along a route of packages, through the cache."""

    def __init__(self, settings: TranslationSettings, protected_names: Iterable[str] = ()):
        self.settings = settings
        self.names = names_pattern(protected_names)
        self.cache = TranslationCache(cache_path(settings))
        self.models: dict[Path, PackageTranslator] = {}

    def model(self, package: ModelPackage) -> PackageTranslator:
        if package.path not in self.models:
            # What the model makes of a sentence depends on its files and on how we decode.
            recipe = f"beam {self.settings.beam_size} {DECODING}"
            self.models[package.path] = PackageTranslator(package, self.settings,
                                                          f"{self.cache.identity(package)} {recipe}")
        return self.models[package.path]

    def translate(self, texts: list[str], route: list[ModelPackage], stats: TrackStats | None = None) -> list[str]:
        stats = stats if stats is not None else TrackStats()
        began = time.perf_counter()
        protected = [protect(t, self.names, self.settings.protect_numbers) for t in texts]
        current = [p.text for p in protected]
        stats.sentences = len(set(current))
        for package in route:
            model = self.model(package)
            wanted = list(dict.fromkeys(c for c, p in zip(current, protected) if p.needs_model))
            done = self.cache.lookup(model.identity, wanted)
            todo = [t for t in wanted if t not in done]
            loops = model.runaways
            fresh = dict(zip(todo, model.translate(todo)))
            stats.runaways += model.runaways - loops
            self.cache.store(model.identity, fresh)
            stats.translated += len(todo)
            stats.cached += len(wanted) - len(todo)
            outputs = {**done, **fresh}
            current = [settle(outputs[c], p, final=False) if p.needs_model else c for c, p in zip(current, protected)]
        current = [settle(c, p) for c, p in zip(current, protected)]
        stats.seconds += time.perf_counter() - began
        return current

    def close(self) -> None:
        self.cache.close()


@dataclass
class SubtitleTracks:
    """What each subtitle language is made from."""

    words: dict[str, list[Word]] = field(default_factory=dict)  # language -> timed words
    origins: dict[str, str] = field(default_factory=dict)  # language -> "transcript", "argos en→ru", ...
    missing: dict[str, str] = field(default_factory=dict)  # language -> why there is none
    stats: dict[str, TrackStats] = field(default_factory=dict)


def subtitle_tracks(transcript: Transcript, settings: Settings, products: list[Product] = (),
                    media: Path | None = None) -> SubtitleTracks:
    """Timed words for the transcript's language and every other one in `settings.languages`
    that can be made; the others in `missing`, with the reason."""
    source = transcript.language
    tracks = SubtitleTracks({source: transcript.words}, {source: "transcript"})
    targets = [code for code in dict.fromkeys(settings.languages) if code != source and code in LANGUAGES]
    # A batch run in parallel gives each job its share of the cores (`transcribe.cpu_threads`).
    options = replace(settings.translation,
                      cpu_threads=settings.translation.cpu_threads or settings.transcribe.cpu_threads)
    if not targets:
        return tracks
    if not options.enabled:
        tracks.missing = {code: "translation is turned off ([translation] enabled = false)" for code in targets}
        return tracks
    units = translation_units(transcript)
    if options.whisper_english and "en" in targets and media is not None:
        try:
            tracks.words["en"] = whisper_english(media, source, settings.transcribe)
            tracks.origins["en"] = "whisper translate"
            targets.remove("en")
        except Exception as exc:  # the model or the audio: Argos (if installed) makes the track instead
            log.warning("%s: Whisper's translation into English failed (%s: %s); trying Argos", media,
                        type(exc).__name__, exc)
    packages = installed_packages(packages_dir(options.packages_dir))
    routes = {target: find_route(source, target, packages, options.pivot) for target in targets}
    for target, route in routes.items():
        if route is None:
            tracks.missing[target] = missing_reason(source, target, options.pivot)
    if len(tracks.missing) == len(targets):
        return tracks
    names = [name for product in products for name in product.names] + list(options.keep)
    translator = Translator(options, names)
    try:
        for target, route in routes.items():
            if route is None:
                continue
            stats = TrackStats()
            try:
                texts = translator.translate([u.text for u in units], route, stats)
            except (TranslationError, RuntimeError, OSError, ValueError) as exc:
                # A broken package costs its languages, not the replay.
                tracks.missing[target] = (f"the {' then '.join(p.pair for p in route)} model failed "
                                          f"({type(exc).__name__}: {exc}); check it with `highlights models verify`")
                continue
            tracks.words[target] = timed_translation(units, texts, transcript.duration, settings.subtitles.target_cps)
            tracks.origins[target] = "argos " + "→".join([route[0].from_code, *(p.to_code for p in route)])
            tracks.stats[target] = stats
            log.info("%s subtitles (%s): %d sentences, %d translated, %d from the cache, %.2fs", target,
                     tracks.origins[target], stats.sentences, stats.translated, stats.cached, stats.seconds)
            if stats.runaways:
                log.warning("%s subtitles: %d sentences came back from the model as a loop and were cut short",
                            target, stats.runaways)
    finally:
        translator.close()
    return tracks


def timed_translation(units: list[Sentence], texts: list[str], duration: float, target_cps: float = 17.0
                      ) -> list[Word]:
    """The translated sentences as timed words, each over the time its original took.

    Translations run about a fifth longer than what was said.  A translation that needs more
    time to be read (at `target_cps`) than its original took also takes the silence after
    it, and then, up to `BORROWED_TIME` seconds, time the next sentence's translation can
    spare: it is shown a little late rather than too fast.  Never more, so subtitles stay
    with the speech."""
    spans = []
    for index, unit in enumerate(units):
        following = units[index + 1].start if index + 1 < len(units) else duration
        spans.append([unit.start, max(unit.end, following - NEXT_SENTENCE_CLEARANCE)])
    for index in range(len(units) - 1):
        need = len(texts[index]) / target_cps
        lacking = need - (spans[index][1] - spans[index][0])
        spare = (spans[index + 1][1] - spans[index + 1][0]) - len(texts[index + 1]) / target_cps
        shift = min(lacking, spare, BORROWED_TIME)
        if shift > 0:
            spans[index][1] += shift
            spans[index + 1][0] += shift
    words: list[Word] = []
    for unit, text, (begin, end) in zip(units, texts, spans):
        # Not over the silence unless the text needs it: subtitles follow the voice.
        end = min(end, max(unit.end + (begin - unit.start), begin + len(text) / target_cps))
        words += timed_words(text, unit.words, span=(begin, max(end, begin)))
    return words


BORROWED_TIME = 1.5
NEXT_SENTENCE_CLEARANCE = 0.2


def whisper_english(media: Path, language: str, settings: TranscribeSettings) -> list[Word]:
    """English words for a non-English replay from Whisper's own translation of the audio
    (faster-whisper `task="translate"`): a second pass over the audio."""
    from faster_whisper.audio import decode_audio

    from .models import load_whisper, resolve_model

    model = load_whisper(resolve_model(settings.model).path, settings.compute_type, settings.cpu_threads)
    audio = decode_audio(str(media), sampling_rate=16000)
    segments, _ = model.transcribe(audio, task="translate", language=language, beam_size=settings.beam_size,
                                   word_timestamps=True, vad_filter=settings.vad,
                                   condition_on_previous_text=settings.condition_on_previous_text)
    return [Word(round(float(w.start), 3), round(float(w.end), 3), w.word, round(float(w.probability), 4))
            for segment in segments for w in segment.words or []]
