"""Face-centred 9:16 crops: the camera path on its own, then on a real face.

The real face is the astronaut photograph scikit-image ships (NASA, public domain) moving
across a landscape frame; no video in ../shared/media shows a face."""

import importlib.util
import random
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from highlights.clips import cut_clip
from highlights.config import ClipSettings
from highlights.probe import probe
from highlights.reframe import (
    CUT_LENGTH,
    DEAD_ZONE,
    MAX_ACCELERATION,
    MAX_SPEED,
    CropPath,
    Face,
    camera_path,
    crop_width_share,
    detect_faces,
    follow_host,
    plan_face_crop,
)

CROP = crop_width_share((1280, 720))  # 0.316 of a 16:9 frame
ASTRONAUT_FACE_X = 224 / 512  # centre of the face in skimage's astronaut.png, as a share of its width


def speeds(times, centres):
    return [(b - a) / (tb - ta) for (ta, a), (tb, b) in zip(zip(times, centres), zip(times[1:], centres[1:]))]


def test_camera_holds_still_while_the_detections_jitter():
    rng = random.Random(4)
    times = [i / 3 for i in range(60)]
    noisy = [0.5 + rng.uniform(-0.04, 0.04) for _ in times]  # ±51 px of a 1280 frame, frame to frame
    path_times, centres = camera_path(times, noisy, CROP)
    assert max(centres) - min(centres) < 1e-9
    assert max(abs(a - b) for a, b in zip(noisy, noisy[1:])) > 0.04  # the input really did jitter


def test_camera_follows_a_walking_host_smoothly():
    times = [i / 3 for i in range(48)]
    walk = [0.3 + 0.05 * min(t, 8) for t in times]  # 0.3 -> 0.7 over 8 s, then stands still
    path_times, centres = camera_path(times, walk, CROP)
    moves = [b - a for a, b in zip(centres, centres[1:])]
    assert all(move >= -1e-12 for move in moves)  # never back and forth
    velocity = speeds(path_times, centres)
    assert max(abs(v) for v in velocity) <= MAX_SPEED * CROP + 1e-9
    accelerations = [abs(b - a) / (1 / 3) for a, b in zip(velocity, velocity[1:])]
    assert max(accelerations) <= MAX_ACCELERATION * CROP + 1e-6
    assert abs(centres[-1] - 0.7) < DEAD_ZONE * CROP / 4
    # Per second of clip, the crop never moves more than MAX_SPEED crop widths.
    for second in range(15):
        span = [c for t, c in zip(path_times, centres) if second <= t <= second + 1]
        assert max(span) - min(span) <= MAX_SPEED * CROP + 1e-9


def test_a_far_jump_is_one_cut_not_a_long_pan():
    times = [i / 3 for i in range(18)]
    targets = [0.2 if t < 3 else 0.8 for t in times]
    path_times, centres = camera_path(times, targets, CROP)
    jumps = [(t0, t1) for t0, t1, a, b in zip(path_times, path_times[1:], centres, centres[1:]) if abs(b - a) > 0.01]
    assert len(jumps) == 1 and jumps[0][1] - jumps[0][0] <= CUT_LENGTH + 1e-9 and jumps[0][1] == 3.0
    assert centres[0] == pytest.approx(0.2) and centres[-1] == pytest.approx(0.8)


def test_following_ignores_one_frame_false_faces_and_a_second_person():
    times = [i / 3 for i in range(15)]
    faces = [[Face(0.4, 0.3, 0.2), Face(0.75, 0.3, 0.16)] for _ in times]  # host and a guest
    faces[9].append(Face(0.95, 0.5, 0.3))  # a big false detection in one frame
    faces[12] = []  # the host turned away
    chosen = follow_host(times, faces)
    assert all(x == pytest.approx(0.4) for x in chosen if x is not None)
    assert chosen[12] is None


def test_crop_expression_is_the_path():
    path = CropPath(CROP, [0.0, 1.0, 1.01, 2.5, 4.0], [0.3, 0.3, 0.6, 0.65, 0.65], 1.0)
    expression = path.expression()
    for t in np.linspace(0, 4.5, 91):
        value = eval(expression, {"clip": lambda x, low, high: min(max(x, low), high), "t": t})  # ffmpeg syntax
        assert value == pytest.approx(path.at(t), abs=1e-4)


def astronaut() -> Path:
    spec = importlib.util.find_spec("skimage")
    return Path(spec.submodule_search_locations[0]) / "data" / "astronaut.png"


def face_video(ffmpeg, target: Path, x: str, seconds: float = 4.0) -> Path:
    """A 640x360 replay whose only face walks along `x` (an ffmpeg expression of t)."""
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=0x556070:s=640x360:r=25:d={seconds}",
                    "-loop", "1", "-i", str(astronaut()), "-f", "lavfi", "-i", f"sine=f=300:d={seconds}",
                    "-filter_complex",
                    f"[1:v]scale=280:280[a];[0:v][a]overlay=x='{x}':y=40:shortest=1,format=yuv420p[v]",
                    "-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-t", str(seconds),
                    str(target)], check=True)
    return target


def frame_at(ffmpeg, video: Path, time: float, png: Path) -> np.ndarray:
    subprocess.run([ffmpeg, "-v", "error", "-y", "-ss", str(time), "-i", str(video), "-frames:v", "1", str(png)],
                   check=True)
    return cv2.imread(str(png))


def test_plan_finds_the_real_face_and_its_position(ffmpeg, tmp_path):
    video = face_video(ffmpeg, tmp_path / "left.mp4", "20")
    path = plan_face_crop(video, probe(video), 0.0, 3.0)
    assert path is not None and path.face_share == 1.0
    assert path.at(1.5) == pytest.approx((20 + ASTRONAUT_FACE_X * 280) / 640, abs=0.02)


def test_vertical_clip_keeps_a_moving_face_in_the_middle(ffmpeg, tmp_path, output_dir, ffprobe):
    # The face starts at the left edge and ends right of centre: a centre crop loses it.
    video = face_video(ffmpeg, tmp_path / "walk.mp4", "-40+80*t")
    result = cut_clip(video, probe(video), 0.0, 4.0, output_dir / "walk-vertical.mp4", ClipSettings(preset="ultrafast"),
                      mode="vertical")
    assert result.framing == "face"
    info = ffprobe(output_dir / "walk-vertical.mp4")
    assert [(s["width"], s["height"]) for s in info["streams"] if s["codec_type"] == "video"] == [(1080, 1920)]
    for time in (0.5, 2.0, 3.5):
        source_x = (-40 + 80 * time + ASTRONAUT_FACE_X * 280) / 640
        frame = frame_at(ffmpeg, output_dir / "walk-vertical.mp4", time, output_dir / f"frame-{time}.png")
        faces = detect_faces(cv2.cvtColor(cv2.resize(frame, (270, 480)), cv2.COLOR_BGR2GRAY))
        assert len(faces) == 1, f"{time}s: expected the face in the vertical frame"
        assert abs(faces[0].x - 0.5) < 0.2, f"{time}s: face at {faces[0].x:.2f} of the width"
        if time == 0.5:
            assert abs(source_x - 0.5) > CROP / 2  # outside what a centre crop would show
