"""Inputs the benchmarks share: where ../shared/media is, and a long replay built from it.

The long replay is made, not committed: the English reference clips of ../shared/media and
our own demo replay's sound, one after another with pauses, looped to the wanted length,
over a video of ../shared/media/video looped and scaled to 1280x720 at 30 fps, encoded the
way a streaming platform would (H.264, keyframe every 2 s, AAC).  It is cached under
~/.cache/highlights/bench/."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from highlights.audio import SAMPLE_RATE, load_audio  # noqa: E402
from highlights.evaluation import reference_clips  # noqa: E402
from highlights.ffmpeg import ffmpeg_exe  # noqa: E402
from highlights.models import cache_dir  # noqa: E402

MEDIA = (ROOT.parent / "shared" / "media").resolve()
SAMPLE = ROOT / "samples" / "demo_replay.mp4"
SAMPLE_CATALOG = ROOT / "samples" / "catalog.csv"


def long_replay(minutes: float = 10.0, speech_share: float = 1.0, size: str = "1280x720",
                picture: str = "auto_editor_example.mp4") -> Path:
    """A replay of `minutes`; with `speech_share` < 1 the rest is quiet room noise
    (a long stream where the host is often silent). The picture is a video of
    ../shared/media/video looped: by default a presenter in front of a green screen, as in a
    live stream (a cut only where the loop restarts); `big_buck_bunny_0_30.webm` is a cartoon
    with a cut every few seconds and constant motion, the worst case for scene detection."""
    target = cache_dir() / "bench" / f"replay-{minutes:g}min-{speech_share:g}-{size}-{Path(picture).stem}.mp4"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    seconds = minutes * 60
    pieces = [load_audio(SAMPLE)] + [load_audio(c.path) for c in reference_clips(MEDIA, "en", ("gold",))]
    gap = np.zeros(int(1.5 * SAMPLE_RATE), dtype=np.float32)
    speech = np.concatenate([part for piece in pieces for part in (piece, gap)])
    total = int(seconds * SAMPLE_RATE)
    rng = np.random.default_rng(7)
    track = (rng.standard_normal(total).astype(np.float32) * 0.003)
    position = 0
    while position < total:
        chunk = speech[: total - position]
        track[position:position + len(chunk)] += chunk
        position += len(chunk)
        # the silent stretch after each pass of speech
        position += int(len(speech) * (1 - speech_share) / max(speech_share, 1e-3))
    wav = target.with_suffix(".wav")
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(track, -1, 1) * 32767).astype("<i2").tobytes())
    partial = target.with_name(target.stem + ".part.mp4")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-stream_loop", "-1",
                    "-i", str(MEDIA / "video" / picture), "-i", str(wav),
                    "-map", "0:v", "-map", "1:a", "-t", f"{seconds}", "-vf", f"scale={size.replace('x', ':')},fps=30",
                    "-c:v", "libx264", "-preset", "veryfast" if size == "1280x720" else "ultrafast", "-crf", "26",
                    "-g", "60", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(partial)], check=True)
    partial.rename(target)
    wav.unlink()
    return target
