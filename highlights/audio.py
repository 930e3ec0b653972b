"""Decoding a replay's sound as a stream of windows, so a six-hour replay costs the
memory of one window, not of the whole recording.

Each window ends at the quietest moment near its nominal length: cutting in a pause
means no word is split between two windows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from .damage import AUDIO_GAP, DECODE_ERRORS, DamageLog
from .probe import container_origin

SAMPLE_RATE = 16000
FRAME = SAMPLE_RATE // 50  # 20 ms, the unit in which we look for a quiet cut


class AudioWindows:
    """(start seconds, mono float32 samples) for consecutive windows covering the audio.

    A window is `window` seconds long, give or take `search` seconds: it is cut at the
    quietest 20 ms within the last `search` seconds.  Once iterated, `damage` holds the
    packets that were skipped because they did not decode (the transcription copies it
    into `Transcript.damaged`)."""

    def __init__(self, path: str | Path, window: float = 600.0, search: float = 10.0,
                 sample_rate: int = SAMPLE_RATE):
        self.path, self.window, self.search, self.sample_rate = path, window, search, sample_rate
        self.damage = DamageLog()

    def __iter__(self) -> Iterator[tuple[float, np.ndarray]]:
        sample_rate = self.sample_rate
        target, slack = int(self.window * sample_rate), int(self.search * sample_rate)
        pending: list[np.ndarray] = []
        pending_len = 0
        offset = 0
        for chunk in _decoded_chunks(self.path, sample_rate, self.damage):
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


def audio_windows(path: str | Path, window: float = 600.0, search: float = 10.0,
                  sample_rate: int = SAMPLE_RATE) -> AudioWindows:
    """The audio as windows cut in pauses (see `AudioWindows`)."""
    return AudioWindows(path, window, search, sample_rate)


def load_audio(path: str | Path, damage: DamageLog | None = None) -> np.ndarray:
    """The whole audio at once (for short clips and tests)."""
    chunks = list(_decoded_chunks(path, SAMPLE_RATE, damage))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _quiet_cut(samples: np.ndarray, low: int, high: int) -> int:
    region = samples[low:high]
    frames = len(region) // FRAME
    if frames == 0:
        return high
    energy = np.square(region[: frames * FRAME].reshape(frames, FRAME)).mean(axis=1)
    return low + int(np.argmin(energy)) * FRAME


def _decoded_chunks(path: str | Path, sample_rate: int, damage: DamageLog | None = None) -> Iterator[np.ndarray]:
    """Mono samples at `sample_rate`, placed by their timestamps: where packets are missing or
    do not decode (a damaged capture), silence of the same length stands in, so every word
    after the damage keeps its true time.  Skipped packets are noted in `damage`."""
    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=sample_rate)
    damage = damage if damage is not None else DamageLog()
    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        zero = container_origin(container)  # damage is reported from the container's start
        origin: float | None = None  # the time of sample 0: the first decoded frame's
        done = 0.0  # seconds of samples handed out so far
        last_good: float | None = None
        pending_bad = False
        for packet in _packets(container, stream, damage):
            try:
                frames = packet.decode()
            except DECODE_ERRORS:  # a damaged packet: skip it, keep the rest
                at = float(packet.pts * packet.time_base) - zero if packet.pts is not None else last_good
                length = float(packet.duration * packet.time_base) if packet.duration else 0.0
                damage.add(at, at + length if at is not None else None, "(audio packet does not decode)")
                pending_bad = True
                continue
            for frame in frames:
                if frame.time is not None:
                    if origin is None:
                        # Damage before the first good frame: sample 0 is where the stream starts.
                        stream_start = (stream.start_time * stream.time_base
                                        if stream.start_time is not None and stream.time_base is not None else None)
                        origin = (float(stream_start) if pending_bad and stream_start is not None
                                  else float(frame.time))
                    missing = (float(frame.time) - origin) - done
                    if missing >= 0.02:  # a hole: fill it so later words keep their times
                        if missing > AUDIO_GAP and not pending_bad:
                            damage.add(origin + done - zero, float(frame.time) - zero, "(audio skips)")
                        silence = np.zeros(int(round(missing * sample_rate)), dtype=np.float32)
                        done += len(silence) / sample_rate
                        yield silence
                    last_good = float(frame.time) - zero + frame.samples / frame.sample_rate
                pending_bad = False
                done += frame.samples / frame.sample_rate
                frame.pts = None
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
        # The sound's tail lost (damage at the end): silence to the container's end, so the
        # transcript covers the replay's whole length like the picture does.  Not counted as
        # damage here: a capture whose sound simply stops early is common, and the probe's
        # container scan reports a tail that is really missing.
        end = container.duration / av.time_base if container.duration else None
        start = origin - zero if origin is not None else 0.0
        if end is not None and end - (start + done) > AUDIO_GAP:
            yield np.zeros(int(round((end - start - done) * sample_rate)), dtype=np.float32)


def _packets(container, stream, damage: DamageLog) -> Iterator:
    """The stream's packets; a container that breaks off mid-way ends the stream there."""
    try:
        yield from container.demux(stream)
    except DECODE_ERRORS as exc:
        damage.add(None, None, f"(demuxing stopped: {exc})")
