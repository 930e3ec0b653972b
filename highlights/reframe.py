"""Keeping the host in a 9:16 crop of a landscape replay.

Frames are sampled a few times a second (ffmpeg decodes, rotates and scales them down),
faces are found with OpenCV's Haar cascade (the model ships inside the opencv wheel, so
nothing is downloaded), one face is followed, and a virtual camera pans to it the way an
operator would: it holds still while the face stays in the middle of the crop, and when the
face leaves that zone it glides over with limited speed and acceleration.  The camera path
becomes an ffmpeg `crop` expression; no face (or too few sightings of one) means the caller
falls back to the whole frame on a blurred background."""

from __future__ import annotations

import bisect
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ffmpeg import FFmpegError, ffmpeg_exe
from .logs import log_tool_output
from .records import MediaInfo

SAMPLE_FPS = 3.0
DETECT_WIDTH = 384  # a host's face is still 30+ pixels tall at this width
MIN_FACE_HEIGHT = 0.08  # of the frame height: smaller faces are the audience on a screen, or noise
MAX_FACE_HEIGHT = 0.7  # larger is a close-up of something else (and searching for it costs time)
FULL_SEARCH_EVERY = 6  # samples; in between, faces are searched only around the last one
MIN_FACE_SHARE = 0.2  # of the samples must show the host, or the crop would follow a guess
CONFIRM_WINDOW = 1.0  # seconds: a face seen only once in this window is a false detection
CONFIRM_DISTANCE = 0.06  # of the frame width: how far a confirming sighting may be
# The camera, in crop widths: it holds while the face is within DEAD_ZONE of the centre.
DEAD_ZONE = 0.2
MAX_SPEED = 0.6  # per second
MAX_ACCELERATION = 1.2  # per second squared
HOLD_AFTER = 1.0  # seconds the host must stand still before the camera holds again
CUT_LENGTH = 0.01  # seconds: a jump to a far-away face happens within one frame
PATH_TOLERANCE = 0.001  # of the frame width: points closer to a straight line are dropped


class ReframeError(RuntimeError):
    pass


@dataclass
class Face:
    x: float  # centre, as a share of the frame width
    y: float  # centre, as a share of the frame height
    height: float  # as a share of the frame height


@dataclass
class CropPath:
    """Where the centre of the crop is (a share of the frame width) over the clip's time."""

    crop_width: float  # share of the frame width the 9:16 crop covers
    times: list[float]  # seconds from the clip's start
    centres: list[float]
    face_share: float  # share of the samples where the host was seen

    def at(self, time: float) -> float:
        return float(np.interp(time, self.times, self.centres))

    def expression(self) -> str:
        """The centre as an ffmpeg expression of `t`: a sum of clipped ramps, so a long
        path stays flat instead of nesting one `if` per point."""
        terms = [f"{self.centres[0]:.5f}"]
        for (t0, x0), (t1, x1) in zip(zip(self.times, self.centres), zip(self.times[1:], self.centres[1:])):
            if abs(x1 - x0) > 1e-6:
                terms.append(f"({x1 - x0:+.5f})*clip((t-{t0:.4f})/{max(t1 - t0, 1e-4):.4f},0,1)")
        return "+".join(terms)


def crop_width_share(size: tuple[int, int], aspect: float = 9 / 16) -> float:
    """Share of the frame width a crop of the full height with `aspect` (width/height) covers."""
    width, height = size
    return min(1.0, height * aspect / width)


@dataclass
class HostTrack:
    """Where the host was seen over a clip's span: what every aspect's crop path is planned from
    (faces are looked for once, however many formats are cut)."""

    times: list[float]
    targets: list[float | None]  # the host's centre, a share of the frame width; None: not seen
    face_share: float


def track_host(source: Path, media: MediaInfo, start: float, duration: float, threads: int = 0) -> HostTrack | None:
    """The host's position a few times a second, or None when no face is seen often enough."""
    size = media.display_size
    if size is None:
        return None
    times: list[float] = []
    faces: list[list[Face]] = []
    last: Face | None = None
    for time, frame in sample_frames(source, size, start, duration, threads):
        # Between full searches, look only around where the face was: a tenth of the work.
        full = last is None or len(times) % FULL_SEARCH_EVERY == 0
        found = detect_faces(frame, None if full else last)
        if not found and not full:
            found = detect_faces(frame)
        if found:
            previous = last
            last = (min(found, key=lambda f: abs(f.x - previous.x)) if previous is not None
                    else max(found, key=lambda f: f.height))
        times.append(time)
        faces.append(found)
    if not times:
        return None
    targets = follow_host(times, faces)
    seen = sum(target is not None for target in targets)
    if seen < max(2, MIN_FACE_SHARE * len(times)):
        return None
    return HostTrack(times, targets, round(seen / len(times), 3))


def crop_path(track: HostTrack, size: tuple[int, int], aspect: float) -> CropPath | None:
    """The camera path of an `aspect` crop following `track`; None when the crop is (nearly)
    the whole frame already: nothing to follow."""
    crop_width = crop_width_share(size, aspect)
    if crop_width > 0.95:
        return None
    path_times, path_centres = simplify(*camera_path(track.times, track.targets, crop_width), PATH_TOLERANCE)
    return CropPath(crop_width, path_times, path_centres, track.face_share)


def plan_face_crop(source: Path, media: MediaInfo, start: float, duration: float,
                   threads: int = 0, aspect: float = 9 / 16) -> CropPath | None:
    """The camera path that keeps the host in frame, or None when no face is seen often enough."""
    size = media.display_size
    if size is None or crop_width_share(size, aspect) > 0.95:
        return None
    track = track_host(source, media, start, duration, threads)
    return crop_path(track, size, aspect) if track else None


def sample_frames(source: Path, size: tuple[int, int], start: float, duration: float, threads: int = 0,
                  fps: float = SAMPLE_FPS, width: int = DETECT_WIDTH,
                  deblock: bool = False) -> Iterator[tuple[float, np.ndarray]]:
    """Grey frames `width` wide, `fps` a second from `start`, upright as the viewer sees them
    (`size` is the picture's upright size).  ffmpeg streams them while the caller looks at
    each, so memory stays flat on long clips.  Without `deblock` the decoder skips its
    loop filter: faster, and faces are found just as well."""
    height = max(2, round(size[1] * width / size[0] / 2) * 2)
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
               *(["-threads", str(threads)] if threads else []), *([] if deblock else ["-skip_loop_filter", "all"]),
               "-ss", f"{start:.6f}", "-t", f"{duration:.6f}", "-i", str(source),
               "-map", "0:V:0", "-vf", f"fps={fps},scale={width}:{height},format=gray", "-f", "rawvideo", "-"]
    frame_bytes = width * height
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None  # both piped just above
        index = 0
        while True:
            data = process.stdout.read(frame_bytes)
            if len(data) < frame_bytes:
                break
            yield index / fps, np.frombuffer(data, np.uint8).reshape(height, width)
            index += 1
        error = process.stderr.read().decode(errors="replace").strip()
        process.wait()
    log_tool_output(f"{source}: sampling frames", error)
    if process.returncode != 0:
        detail = (error.splitlines() or [f"exit status {process.returncode}"])[-1]
        raise FFmpegError(f"{source}: sampling frames failed: {detail}")


_per_thread = threading.local()


def _cascade():
    """The face model, one per thread: a CascadeClassifier must not be used by two threads at
    once (clips are cut side by side)."""
    if getattr(_per_thread, "cascade", None) is None:
        _per_thread.cascade = _load_cascade()
    return _per_thread.cascade


_import_lock = threading.Lock()


def _load_cascade():
    # OpenCV's first import is not thread-safe: two clip threads importing it at once can see
    # a half-initialised module (no `cv2.data`).
    with _import_lock:
        import cv2

    if not hasattr(cv2, "CascadeClassifier"):
        raise ReframeError("face tracking needs OpenCV 4 (OpenCV 5 moved the Haar cascades to opencv-contrib); "
                           "install opencv-python-headless<5, or set clips.face_tracking = false")
    cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))
    if cascade.empty():
        raise ReframeError("OpenCV's frontal face model (haarcascade_frontalface_default.xml) did not load")
    return cascade


def detect_faces(frame: np.ndarray, near: Face | None = None) -> list[Face]:
    """Faces in a grey frame; with `near`, only faces of about its size around its place."""
    height, width = frame.shape
    smallest, largest = max(16, round(MIN_FACE_HEIGHT * height)), round(MAX_FACE_HEIGHT * height)
    left, top, region = 0, 0, frame
    if near is not None:
        size = near.height * height
        smallest, largest = max(16, round(size * 0.7)), max(17, round(size * 1.5))
        left, top = max(0, round(near.x * width - 1.5 * size)), max(0, round(near.y * height - 1.5 * size))
        region = frame[top:round(near.y * height + 1.5 * size), left:round(near.x * width + 1.5 * size)]
        if min(region.shape) < smallest:
            return []
    # No histogram equalisation: on a plain studio backdrop it washes faces out.
    found = _cascade().detectMultiScale(region, scaleFactor=1.1, minNeighbors=4, minSize=(smallest, smallest),
                                        maxSize=(largest, largest))
    return [Face((left + x + w / 2) / width, (top + y + h / 2) / height, h / height) for x, y, w, h in found]


def follow_host(times: list[float], faces: list[list[Face]]) -> list[float | None]:
    """The host's horizontal position at each sample, or None where they were not seen.

    A sighting counts only if another sighting near the same place falls within
    CONFIRM_WINDOW (single-frame false detections are dropped); among several faces the
    one closest to the host's last position wins unless another is much larger, so the
    crop does not hop between people."""
    confirmed: list[list[Face]] = []
    for index, (time, candidates) in enumerate(zip(times, faces)):
        first = bisect.bisect_left(times, time - CONFIRM_WINDOW)
        after = bisect.bisect_right(times, time + CONFIRM_WINDOW)
        nearby = [face for other in range(first, after) if other != index for face in faces[other]]
        confirmed.append([face for face in candidates
                          if any(abs(other.x - face.x) <= CONFIRM_DISTANCE for other in nearby)])
    chosen: list[float | None] = []
    last: Face | None = None
    for candidates in confirmed:
        if not candidates:
            chosen.append(None)
            continue
        largest = max(candidates, key=lambda f: f.height)
        if last is not None:
            followed = last
            near = min(candidates, key=lambda f: abs(f.x - followed.x))
            if near.height >= 0.6 * largest.height:
                largest = near
        last = largest
        chosen.append(largest.x)
    return _median(chosen, 2)


def _median(values: list[float | None], reach: int) -> list[float | None]:
    """Median of the sightings within `reach` samples each side; gaps stay gaps."""
    out: list[float | None] = []
    for index, value in enumerate(values):
        if value is None:
            out.append(None)
            continue
        near = [v for v in values[max(0, index - reach):index + reach + 1] if v is not None]
        out.append(float(np.median(near)))
    return out


def camera_path(times: list[float], targets: list[float | None], crop_width: float
                ) -> tuple[list[float], list[float]]:
    """Crop centres over time, as (times, centres).

    The camera holds while the target stays inside the dead zone.  Once it leaves, the
    camera follows it with limited speed and acceleration (so the path never jitters or
    jerks) until it has caught up and the target has been still for HOLD_AFTER seconds.
    A target outside the crop altogether (the host walked across, or the shot changed) is
    a cut, not a long pan over empty background.  Before the host is first seen the camera
    waits where they appear; after they are lost it stays where they were last seen."""
    low, high = crop_width / 2, 1 - crop_width / 2
    known = [t for t in targets if t is not None]
    if not known:
        return [times[0], times[-1]] if len(times) > 1 else list(times), [0.5] * min(len(times), 2)
    dead = DEAD_ZONE * crop_width
    max_speed = MAX_SPEED * crop_width
    max_accel = MAX_ACCELERATION * crop_width
    camera = min(max(known[0], low), high)
    filled = _held(targets, known[0])
    target, velocity, following = known[0], 0.0, False
    path_times, centres = [times[0]], [camera]
    for index in range(1, len(times)):
        now, step = times[index], times[index] - times[index - 1]
        target = filled[index]
        goal = min(max(target, low), high)
        if abs(goal - camera) > crop_width / 2:
            path_times.append(max(now - CUT_LENGTH, path_times[-1]))
            centres.append(camera)
            camera, velocity, following = goal, 0.0, False
        else:
            following = following or abs(target - camera) > dead
            if following:
                distance = goal - camera
                # Fastest speed from which the camera can still stop at the goal.
                braking = (2 * max_accel * abs(distance)) ** 0.5
                wanted = float(np.sign(distance)) * min(max_speed, braking)
                velocity += float(np.clip(wanted - velocity, -max_accel * step, max_accel * step))
                move = velocity * step
                if abs(move) >= abs(distance) and move * distance > 0:
                    camera, velocity = goal, 0.0
                else:
                    camera = min(max(camera + move, low), high)
                # Caught up, and the host has stood still for HOLD_AFTER: hold again.
                recent = filled[bisect.bisect_left(times, now - HOLD_AFTER):index + 1]
                still = max(recent) - min(recent) < dead / 4 and now - times[0] >= HOLD_AFTER
                if still and abs(goal - camera) < dead / 4:
                    following, velocity = False, 0.0
        path_times.append(now)
        centres.append(camera)
    return path_times, centres


def _held(values: list[float | None], first: float) -> list[float]:
    """Gaps filled with the last value seen (the first one before anything was seen)."""
    out, last = [], first
    for value in values:
        last = last if value is None else value
        out.append(last)
    return out


def simplify(times: list[float], values: list[float], tolerance: float) -> tuple[list[float], list[float]]:
    """Drop points that lie within `tolerance` of the line through their neighbours
    (Ramer-Douglas-Peucker), keeping the first and the last."""
    if len(times) <= 2:
        return list(times), list(values)
    keep = [False] * len(times)
    keep[0] = keep[-1] = True
    stack = [(0, len(times) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        t0, v0, t1, v1 = times[first], values[first], times[last], values[last]
        worst, worst_index = -1.0, first
        for index in range(first + 1, last):
            line = v0 + (v1 - v0) * (times[index] - t0) / (t1 - t0) if t1 > t0 else v0
            error = abs(values[index] - line)
            if error > worst:
                worst, worst_index = error, index
        if worst > tolerance:
            keep[worst_index] = True
            stack += [(first, worst_index), (worst_index, last)]
    return ([t for t, k in zip(times, keep) if k], [v for v, k in zip(values, keep) if k])


def crop_filter(path: CropPath, aspect: str = "9/16") -> str:
    """A crop of the full height with `aspect` (width/height, "9/16", "4/5", "1/1") that
    follows `path`, for a filtergraph."""
    centre = path.expression()
    # x snaps to even pixels (chroma), not `exact=1`: exact crops cost 8 % more encode time.
    return (f"crop=w='trunc(min(iw,ih*{aspect}/sar)/2)*2':h=ih:y=0:"
            f"x='max(0,min(iw-ow,({centre})*iw-ow/2))'")
