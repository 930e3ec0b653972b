"""Argos Translate packages: finding, installing, checking and running them.

A package (`.argosmodel`: a zip with a CTranslate2 Transformer and a SentencePiece or BPE
tokenizer) is installed into Argos Translate's own folder, or `[translation] packages_dir`,
read with `argostranslate.package.Package` and run with CTranslate2 the way Argos runs it
(same beam, length penalty, unknown-word replacement), but in batches of whole sentences
we cut from the transcript ourselves: Argos's sentence splitter, which downloads a model
on first use, is never called."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import TranslationSettings
from .errors import TranslationError
from .protect import tidy

log = logging.getLogger("highlights")

INSTALL_HELP = "`highlights models install {0} {1}` (online) or `highlights models install FILE.argosmodel`"


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
