"""highlights: live-shopping replays into product clips, subtitles and a recap page.

The public API::

    from pathlib import Path
    import highlights

    settings = highlights.load_settings("default", languages=["en"], clips__mode="copy")
    batch = highlights.run_batch(["replays/"], Path("out"), settings)
    manifest = highlights.process_replay(Path("live.mp4"), Path("out/live"), settings)

Names are imported on first use, so `import highlights` stays light (the CLI's `--help`
does not load faster-whisper)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# public name -> the module that defines it
_EXPORTS = {
    "run_batch": "pipeline",
    "BatchResult": "pipeline",
    "load_manifest": "pipeline",
    "process_replay": "replay",
    "STAGES": "replay",
    "STAGE_NAMES": "replay",
    "load_settings": "config",
    "Settings": "config",
    "ConfigError": "config",
    "LANGUAGES": "languages",
    "Language": "languages",
    **{name: "records" for name in (
        "BatchEntry", "Clip", "Cue", "Highlight", "Manifest", "MediaInfo", "Mention", "Product", "SceneScan",
        "Segment", "Selection", "SubtitleFiles", "SubtitleOutcome", "Transcript", "Word", "from_dict", "to_dict")},
}

__all__ = [
    "LANGUAGES", "STAGES", "STAGE_NAMES", "BatchEntry", "BatchResult", "Clip", "ConfigError", "Cue", "Highlight",
    "Language", "Manifest", "MediaInfo", "Mention", "Product", "SceneScan", "Segment", "Selection", "Settings",
    "SubtitleFiles", "SubtitleOutcome", "Transcript", "Word", "__version__", "from_dict", "load_manifest",
    "load_settings", "process_replay", "run_batch", "to_dict",
]

if TYPE_CHECKING:
    from .config import ConfigError, Settings, load_settings
    from .languages import LANGUAGES, Language
    from .pipeline import BatchResult, load_manifest, run_batch
    from .records import (
        BatchEntry,
        Clip,
        Cue,
        Highlight,
        Manifest,
        MediaInfo,
        Mention,
        Product,
        SceneScan,
        Segment,
        Selection,
        SubtitleFiles,
        SubtitleOutcome,
        Transcript,
        Word,
        from_dict,
        to_dict,
    )
    from .replay import STAGE_NAMES, STAGES, process_replay


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'highlights' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
