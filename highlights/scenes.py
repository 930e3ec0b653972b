"""Scenes stage: hard cuts in the picture, found with PySceneDetect.

In a live stream the camera rarely cuts when the product changes, so cuts never decide
where a clip is; they only let its edges land on a clean picture change."""

from __future__ import annotations

from pathlib import Path

from .config import SceneSettings
from .records import MediaInfo


def detect_cuts(path: str | Path, media: MediaInfo, settings: SceneSettings) -> list[float]:
    """Seconds at which a new shot starts (the first shot's start, 0, is not a cut)."""
    if not settings.enabled or not media.has_video:
        return []
    from scenedetect import ContentDetector, SceneManager, open_video

    video = open_video(str(path), backend="pyav")
    manager = SceneManager()
    manager.auto_downscale = False
    manager.downscale = max(1, (media.width or settings.downscale_width) // settings.downscale_width)
    manager.add_detector(ContentDetector(threshold=settings.threshold,
                                         min_scene_len=settings.min_scene_frames))
    manager.detect_scenes(video=video)
    scenes = manager.get_scene_list()
    return [round(start.seconds, 3) for start, _end in scenes[1:]]
