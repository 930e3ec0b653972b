"""Decoding a replay's sound as a stream of windows, so a six-hour replay costs the
memory of one window, not of the whole recording.

Each window ends at the quietest moment near its nominal length: cutting in a pause
means no word is split between two windows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16000
FRAME = SAMPLE_RATE // 50  # 20 ms, the unit in which we look for a quiet cut


def audio_windows(path: str | Path, window: float = 600.0, search: float = 10.0,
                  sample_rate: int = SAMPLE_RATE) -> Iterator[tuple[float, np.ndarray]]:
    """(start seconds, mono float32 samples) for consecutive windows covering the audio.

    A window is `window` seconds long, give or take `search` seconds: it is cut at the
    quietest 20 ms within the last `search` seconds."""
    target, slack = int(window * sample_rate), int(search * sample_rate)
    pending: list[np.ndarray] = []
    pending_len = 0
    offset = 0
    for chunk in _decoded_chunks(path, sample_rate):
        pending.append(chunk)
        pending_len += len(chunk)
        while pending_len >= target + slack:
            buffer = np.concatenate(pending)
            cut = _quiet_cut(buffer, target - slack, target + slack)
            yield offset / sample_rate, buffer[:cut].copy()
            offset += cut
            pending, pending_len = [buffer[cut:]], len(buffer) - cut
    if pending_len:
        yield offset / sample_rate, np.concatenate(pending)


def load_audio(path: str | Path) -> np.ndarray:
    """The whole audio at once (for short clips and tests)."""
    chunks = list(_decoded_chunks(path, SAMPLE_RATE))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _quiet_cut(samples: np.ndarray, low: int, high: int) -> int:
    region = samples[low:high]
    frames = len(region) // FRAME
    if frames == 0:
        return high
    energy = np.square(region[: frames * FRAME].reshape(frames, FRAME)).mean(axis=1)
    return low + int(np.argmin(energy)) * FRAME


def _decoded_chunks(path: str | Path, sample_rate: int) -> Iterator[np.ndarray]:
    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=sample_rate)
    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                continue  # a damaged packet in the middle: skip it, keep the rest
            for frame in frames:
                frame.pts = None
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
