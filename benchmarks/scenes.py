"""Scene detection: our keyframe-first scan against the `scenedetect` command line with its
defaults (`scenedetect -i FILE detect-content list-scenes`), on PySceneDetect's own test
videos (with their expected cuts) and on a 10-minute 720p replay.

    python benchmarks/scenes.py

"As in a run" is what the pipeline spends: the keyframe scan, and on busy video the check
of the unchecked stretches near the clip edges only (8 clips spread over the video).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from media import MEDIA, SAMPLE, long_replay

from highlights.config import SceneSettings
from highlights.probe import probe
from highlights.scenes import check_stretches, detect_cuts, scan_scenes

SCENEDETECT = Path(sys.executable).with_name("scenedetect")


def cli_cuts(path: Path) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        subprocess.run([str(SCENEDETECT), "-q", "-i", str(path), "-o", out, "detect-content", "list-scenes",
                        "-f", "scenes.csv"], check=True, capture_output=True)
        wall = time.perf_counter() - began
        rows = (Path(out) / "scenes.csv").read_text().splitlines()
    # The first line is the cut list ("Timecode List:,00:00:01.001,...") in recent versions.
    cuts = []
    for row in rows[2:]:
        fields = row.split(",")
        if len(fields) > 3:
            cuts.append(float(fields[3]))  # "Start Time (seconds)"
    return wall, cuts[1:]


def ours(path: Path, method: str) -> tuple[float, list[float]]:
    info = probe(path)
    began = time.perf_counter()
    cuts = detect_cuts(path, info, SceneSettings(method=method))
    return time.perf_counter() - began, cuts


def as_in_a_run(path: Path, clips: int = 8, reach: float = 2.5) -> tuple[float, list[float], list[tuple[float, float]]]:
    """What a `highlights run` spends on scenes: the scan, then (busy video only) the check of
    the unchecked stretches within `reach` of each edge of `clips` clips spread over the video."""
    info = probe(path)
    began = time.perf_counter()
    scan = scan_scenes(path, info, SceneSettings())
    regions = []
    if scan.unchecked:
        step = info.duration / clips
        edges = [edge for k in range(clips) for edge in (k * step + 0.1 * step, k * step + 0.6 * step)]
        regions = [(edge - reach, edge + reach) for edge in edges]
        near = [[max(t0, low), min(t1, high)] for t0, t1 in scan.unchecked for low, high in regions
                if t0 < high and low < t1]
        cuts = sorted(set(scan.cuts) | set(check_stretches(path, info, SceneSettings(), near)))
    else:
        cuts = scan.cuts
    return time.perf_counter() - began, cuts, regions


def within(cuts: list[float], regions: list[tuple[float, float]]) -> list[float]:
    return [c for c in cuts if any(low < c <= high for low, high in regions)] if regions else cuts


def score(found: list[float], expected: list[float], tolerance: float) -> str:
    hits = sum(1 for cut in expected if any(abs(cut - f) <= tolerance for f in found))
    false = sum(1 for f in found if not any(abs(cut - f) <= tolerance for cut in expected))
    return f"{hits}/{len(expected)} found, {false} extra"


def main() -> None:
    inputs: list[tuple[str, Path, list[float] | None, float]] = []
    for name, key in (("testvideo", "cuts_frames_ContentDetector_default"), ("counter", "cuts_frames"),
                      ("fades", "ContentDetector")):
        truth = json.loads((MEDIA / "scenes" / f"{name}.scenes.json").read_text())
        fps = float(Fraction(str(truth["fps"])))
        inputs.append((name, MEDIA / "scenes" / f"{name}.mp4", [f / fps for f in truth[key]], 1.0 / fps))
    inputs.append(("demo sample", SAMPLE, json.loads(SAMPLE.with_suffix(".truth.json").read_text())["scene_cuts"],
                   0.04))
    inputs.append(("10-min 720p replay, presenter", long_replay(10), None, 0.04))
    inputs.append(("10-min 720p cartoon (worst case)", long_replay(10, picture="big_buck_bunny_0_30.webm"), None,
                   0.04))
    print("| video | scenedetect CLI | full scan | keyframe scan, all cuts | as in a run | run vs CLI | cuts |")
    print("|---|---|---|---|---|---|---|")
    for name, path, expected, tolerance in inputs:
        cli_wall, cli_found = cli_cuts(path)
        full_wall, full_found = ours(path, "full")
        key_wall, key_found = ours(path, "keyframes")
        run_wall, run_found, regions = as_in_a_run(path)
        reference = expected if expected is not None else cli_found
        label = "vs expected" if expected is not None else "vs CLI"
        where = f"; as in a run, near 16 clip edges: {score(run_found, within(reference, regions), tolerance)}" \
            if regions else ""
        print(f"| {name} | {cli_wall:.2f} s | {full_wall:.2f} s | {key_wall:.2f} s | {run_wall:.2f} s | "
              f"{cli_wall / run_wall:.1f}x | keyframe scan {score(key_found, reference, tolerance)} {label} "
              f"(full scan: {score(full_found, reference, tolerance)}){where} |", flush=True)


if __name__ == "__main__":
    main()
