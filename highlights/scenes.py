"""Scenes stage: hard cuts in the picture, found with PySceneDetect.

In a live stream the camera rarely cuts when the product changes, so cuts never decide
where a clip is; they only let its edges land on a clean picture change.

Two detectors implement `SceneDetector`:
- `FullScan`: PySceneDetect's ContentDetector over every frame (the reference).
- `KeyframeScan` (default): decodes only the keyframes (a small fraction of the frames,
  and the cheap ones: no motion compensation), marks the gaps between keyframes where the
  picture changed, and runs the same ContentDetector over just those stretches. Encoders
  put a keyframe on most cuts anyway, and a live stream has few cuts, so most of the video
  is never decoded at all.

On busy video (constant motion, cuts every few seconds) most stretches between keyframes
differ, and checking them all would cost a full decode.  `scan_scenes` then leaves them
unchecked (`SceneScan.unchecked`), and `check_stretches` looks only at the ones beside a
clip's edges once the clips are chosen: the only places a cut is used.  `detect_cuts` is
the complete answer, every stretch checked."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

import av
import numpy as np

from .config import SceneSettings
from .damage import DECODE_ERRORS, DamageLog
from .probe import container_origin
from .records import MediaInfo, SceneScan

log = logging.getLogger("highlights")


class SceneDetector(Protocol):
    def detect(self, path: Path, media: MediaInfo) -> list[float]:
        """Seconds at which a new shot starts (0 is not a cut)."""


def detect_cuts(path: str | Path, media: MediaInfo, settings: SceneSettings) -> list[float]:
    """Every cut in the video."""
    if not settings.enabled or not media.has_video:
        return []
    detector: SceneDetector = (KeyframeScan(settings) if settings.method == "keyframes" else FullScan(settings))
    return detector.detect(Path(path), media)


def scan_scenes(path: str | Path, media: MediaInfo, settings: SceneSettings) -> SceneScan:
    """The cuts that are cheap to be sure of, and the stretches left to check (keyframe
    scan on busy video); the full scan checks everything."""
    if not settings.enabled or not media.has_video:
        return SceneScan()
    if settings.method != "keyframes":
        return SceneScan(cuts=FullScan(settings).detect(Path(path), media))
    return KeyframeScan(settings).scan(Path(path), media)


def check_stretches(path: str | Path, media: MediaInfo, settings: SceneSettings,
                    stretches: list[list[float]]) -> list[float]:
    """The cuts inside `stretches` (from `SceneScan.unchecked`), frame by frame."""
    return KeyframeScan(settings).check(Path(path), media, stretches)


class FullScan:
    def __init__(self, settings: SceneSettings):
        self.settings = settings

    def detect(self, path: Path, media: MediaInfo, start: float | None = None,
               end: float | None = None) -> list[float]:
        from scenedetect import ContentDetector, SceneManager, open_video

        # Importing scenedetect sets its logger to INFO ("Detecting scenes..." on every pass).
        logging.getLogger("pyscenedetect").setLevel(max(log.getEffectiveLevel(), logging.WARNING))

        # suppress_output: otherwise the backend restores libav's default log callback, which
        # prints libav's and libx264's chatter to the terminal for the rest of the run.  Its
        # lock-up warning concerns a Python log callback; without --debug there is none, and
        # with --debug PyAV's own callback (logs.route_libav) is the one in place.
        video = open_video(str(path), backend="pyav", threading_mode="AUTO", suppress_output=True)
        manager = SceneManager()
        manager.auto_downscale = False
        manager.downscale = max(1, (media.width or self.settings.downscale_width) // self.settings.downscale_width)
        manager.add_detector(ContentDetector(threshold=self.settings.threshold,
                                             min_scene_len=self.settings.min_scene_frames))
        if start:
            video.seek(start)
        try:
            manager.detect_scenes(video=video, end_time=end)
        except DECODE_ERRORS as exc:
            # PySceneDetect stops at a frame that does not decode; the cuts before it stand,
            # and the damage itself is reported by the keyframe scan and the probe.
            log.debug("%s: frame-by-frame scene scan stopped at damaged data: %s", path, exc)
        scenes = manager.get_scene_list()
        return [round(first.seconds, 3) for first, _last in scenes[1:]]


class KeyframeScan:
    # A picture difference between two keyframes this far below the cut threshold is
    # still looked at closely: motion over two seconds can hide a cut's jump.
    CANDIDATE_RATIO = 0.5
    THUMB = (64, 36)
    FULL_SCAN_SHARE = 0.5

    def __init__(self, settings: SceneSettings):
        self.settings = settings

    def detect(self, path: Path, media: MediaInfo) -> list[float]:
        scan = self.scan(path, media)
        if not scan.unchecked:
            return scan.cuts
        # Constant motion or cuts everywhere (not a live stream): one pass over everything
        # is cheaper than seeking to most of the video piece by piece.
        return FullScan(self.settings).detect(path, media)

    def scan(self, path: Path, media: MediaInfo) -> SceneScan:
        damage = DamageLog()
        keyframes = self._keyframe_thumbnails(path, damage)
        lead = self._lead(media)
        changed = [[round(t0, 6), round(t1, 6)] for (t0, a), (t1, b) in zip(keyframes, keyframes[1:])
                   if _content_difference(a, b) >= self.settings.threshold * self.CANDIDATE_RATIO]
        looked_at = sum(t1 - t0 + 2 * lead for t0, t1 in _merged(changed, lead))
        if looked_at > self.FULL_SCAN_SHARE * media.duration:
            return SceneScan(cuts=[], unchecked=changed, damaged=damage.merged())
        return SceneScan(cuts=self.check(path, media, changed), unchecked=[], damaged=damage.merged())

    def check(self, path: Path, media: MediaInfo, stretches: list[list[float]]) -> list[float]:
        fps = media.fps or 25.0
        lead = self._lead(media)
        full = FullScan(self.settings)
        cuts: set[float] = set()
        for t0, t1 in _merged(stretches, lead):  # one pass over neighbouring stretches
            # ContentDetector confirms a cut only after `min_scene_frames` more frames.
            for cut in full.detect(path, media, start=max(0.0, t0 - lead), end=t1 + lead):
                if t0 < cut <= t1 + 0.5 / fps:
                    cuts.add(cut)
        return _drop_close(sorted(cuts), self.settings.min_scene_frames / fps)

    def _lead(self, media: MediaInfo) -> float:
        return (self.settings.min_scene_frames + 2) / (media.fps or 25.0)  # ContentDetector's warm-up

    def _keyframe_thumbnails(self, path: Path, damage: DamageLog) -> list[tuple[float, np.ndarray]]:
        thumbs = []
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            stream.thread_type = "AUTO"
            origin = container_origin(container)  # damage is reported from the container's start
            try:
                for packet in container.demux(stream):
                    try:
                        frames = packet.decode()
                    except DECODE_ERRORS:  # a damaged keyframe: skip it, the next one is whole
                        at = float(packet.pts * packet.time_base) - origin if packet.pts is not None else None
                        damage.add(at, at, "(video packet does not decode)")
                        continue
                    for frame in frames:
                        if frame.time is None:
                            continue
                        if frame.is_corrupt:  # decoded with errors concealed: a picture to keep, a time to note
                            damage.add(float(frame.time) - origin, float(frame.time) - origin,
                                       "(keyframe decoded with errors)")
                        small = frame.reformat(width=self.THUMB[0], height=self.THUMB[1],
                                               format="rgb24").to_ndarray()
                        thumbs.append((float(frame.time), small))
            except DECODE_ERRORS as exc:  # the container breaks off: the keyframes read so far stand
                damage.add(thumbs[-1][0] - origin if thumbs else None, None, f"(demuxing stopped: {exc})")
        return thumbs


def _content_difference(a: np.ndarray, b: np.ndarray) -> float:
    """ContentDetector's measure: mean absolute change of hue, saturation and value."""
    import cv2

    hsv_a = cv2.cvtColor(a, cv2.COLOR_RGB2HSV).astype(np.int16)
    hsv_b = cv2.cvtColor(b, cv2.COLOR_RGB2HSV).astype(np.int16)
    return float(np.abs(hsv_a - hsv_b).reshape(-1, 3).mean(axis=0).mean())


def _merged(stretches: list[list[float]], gap: float) -> list[list[float]]:
    merged: list[list[float]] = []
    for t0, t1 in sorted(stretches):
        if merged and merged[-1][1] >= t0 - gap:
            merged[-1][1] = max(merged[-1][1], t1)
        else:
            merged.append([t0, t1])
    return merged


def _drop_close(cuts: list[float], gap: float) -> list[float]:
    kept: list[float] = []
    for cut in cuts:
        if not kept or cut - kept[-1] >= gap - 1e-6:
            kept.append(cut)
    return kept
