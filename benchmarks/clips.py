"""Speed of the clip stage, as ratios against baselines measured in the same run.

1. `copy` against moviepy re-encoding the same clip (the usual Python way to cut a clip);
   target: copy at least 50x faster.
2. `vertical` (face sampling and tracking, crop path, captions, product card) against one
   hand-written ffmpeg command doing the same crop, scale and burn-in with the same encoder
   settings and the same ASS script; target: at most 1.15x its time.  Measured on a clip
   with a face (the crop follows it) and on one without (whole frame on a blurred copy).
3. The whole clip stage (`replay.cut_clips`: clips, thumbnails, captions) on a 10-minute
   replay with 8 clips, in each mode.
4. `--formats`: the social formats (vertical, square, portrait, each alone and all three in one
   run sharing one decode) against today's vertical (x264 `veryfast`, the static caption line)
   on the same 8 clips, timed in the same run, and the quality of the new vertical against
   today's: SSIM and PSNR over every frame of the first clips (ffmpeg's `ssim`/`psnr`).

The 10-minute replay is made in a temporary folder from the demo sample, looped and scaled
to 1280x720 with a keyframe every 2 s like a streaming platform's recording; when
scikit-image is installed its astronaut photograph (a real face) is laid over it as the host.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/clips.py            # everything (about 10-20 minutes on 2 cores)
    .venv/bin/python benchmarks/clips.py --quick    # shorter clips, 3 clips in the stage run
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from highlights.captions import FONTS_DIR, CaptionStyle, Overlay, build_script, caption_cues, filter_value  # noqa: E402
from highlights.catalog import load_catalog  # noqa: E402
from highlights.clips import cut_clip  # noqa: E402
from highlights.config import ClipSettings, Settings, SubtitleSettings  # noqa: E402
from highlights.ffmpeg import ffmpeg_exe  # noqa: E402
from highlights.probe import probe  # noqa: E402
from highlights.records import Highlight, Segment, Transcript, Word  # noqa: E402
from highlights.reframe import plan_face_crop  # noqa: E402
from highlights.replay import cut_clips  # noqa: E402

SAMPLE = ROOT / "samples" / "demo_replay.mp4"
TRUTH = ROOT / "samples" / "demo_replay.truth.json"
CATALOG = ROOT / "samples" / "catalog.csv"


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action) -> dict:
    """Wall seconds, and CPU seconds of this process and the ffmpeg processes it ran: the
    machine is shared, and CPU time hardly moves with what else is running on it."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return {"wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu}


def median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in ("wall", "cpu")}


def ratios(slow: dict, fast: dict) -> dict:
    return {key: slow[key] / fast[key] for key in ("wall", "cpu")}


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def astronaut() -> Path | None:
    spec = importlib.util.find_spec("skimage")
    return Path(spec.submodule_search_locations[0]) / "data" / "astronaut.png" if spec else None


def build_replay(folder: Path, minutes: float) -> Path:
    """The demo sample looped to `minutes`, 1280x720, keyframe every 2 s, with a real face
    swaying about the left third when scikit-image's astronaut photo is available."""
    target = folder / f"replay-{minutes:g}min.mp4"
    loops = int(minutes * 60 / probe(SAMPLE).duration) + 1
    face = astronaut()
    inputs = ["-stream_loop", str(loops), "-i", str(SAMPLE)]
    if face:
        inputs += ["-loop", "1", "-i", str(face)]
        graph = ("[0:v]scale=1280:720[bg];[1:v]scale=480:480[host];"
                 "[bg][host]overlay=x='200+120*sin(t/4)':y=120:shortest=1,format=yuv420p[v]")
    else:
        graph = "[0:v]scale=1280:720,format=yuv420p[v]"
    ffmpeg(*inputs, "-filter_complex", graph, "-map", "[v]", "-map", "0:a", "-t", str(minutes * 60),
           "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-g", "50", "-keyint_min", "50",
           "-c:a", "aac", "-b:a", "128k", str(target))
    return target


def replay_words(minutes: float) -> list[Word]:
    """The sample's own script (its ground truth), repeated with each loop of the picture."""
    truth = json.loads(TRUTH.read_text())
    length = probe(SAMPLE).duration
    words = []
    for loop in range(int(minutes * 60 / length) + 1):
        for part in truth["parts"]:
            for sentence in part["sentences"]:
                tokens = sentence["text"].split()
                step = (sentence["end"] - sentence["start"]) / len(tokens)
                start = loop * length + sentence["start"]
                words += [Word(round(start + i * step, 3), round(start + (i + 0.9) * step, 3), " " + token)
                          for i, token in enumerate(tokens)]
    return words


def moviepy_cut(source: Path, start: float, end: float, target: Path, settings: ClipSettings) -> None:
    from moviepy import VideoFileClip

    with VideoFileClip(str(source)) as clip:
        clip.subclipped(start, end).write_videofile(str(target), codec="libx264", audio_codec="aac",
                                                    preset=settings.preset, audio_bitrate=settings.audio_bitrate,
                                                    ffmpeg_params=["-crf", str(settings.crf)], logger=None)


def bench_copy(replay: Path, folder: Path, length: float) -> dict:
    media, settings = probe(replay), ClipSettings()
    start = round(media.duration / 2 + 1.3, 3)  # off the keyframe grid: copy has to move back
    copy = median([timed(lambda: cut_clip(replay, media, start, start + length, folder / "copy.mp4", settings, "copy"))
                   for _ in range(5)])
    moviepy = timed(lambda: moviepy_cut(replay, start, start + length, folder / "moviepy.mp4", settings))
    return {"clip_seconds": length, "copy": copy, "moviepy": moviepy, "speedup": ratios(moviepy, copy),
            "target": "speedup >= 50"}


def handwritten_vertical(replay: Path, start: float, length: float, script: Path, target: Path,
                         settings: ClipSettings, crop_x: str | None) -> None:
    """One ffmpeg command as a person would type it, given the crop's path (worked out
    beforehand, untimed) or the blurred layout: the same crop, scale and ASS script, the same
    encoder settings, and nothing else."""
    burn = f"ass=filename={filter_value(str(script))}:fontsdir={filter_value(str(FONTS_DIR))}"
    if crop_x is not None:
        graph = (f"[0:v]crop=w='trunc(ih*9/16/2)*2':h=ih:x='max(0,min(iw-ow,({crop_x})*iw-ow/2))':y=0,"
                 f"scale=1080:1920,setsar=1,{burn}[v]")
    else:
        graph = ("[0:v]split=2[a][b];[a]scale=270:480:force_original_aspect_ratio=increase,crop=270:480,"
                 "boxblur=10:2,scale=1080:1920,setsar=1[bg];[b]scale=1080:1920:force_original_aspect_ratio=decrease,"
                 f"setsar=1[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2,{burn}[v]")
    ffmpeg("-ss", f"{start:.3f}", "-i", str(replay), "-t", f"{length:.3f}", "-filter_complex", graph,
           "-map", "[v]", "-map", "0:a:0", "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf),
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", settings.audio_bitrate, "-ac", "2", "-ar", "48000",
           "-movflags", "+faststart", str(target))


def bench_vertical(replay: Path, folder: Path, length: float, words: list[Word], tracking: bool,
                   repeats: int) -> dict:
    media = probe(replay)
    settings = ClipSettings(face_tracking=tracking)
    products = load_catalog(CATALOG)
    start = round(media.duration / 4 + 0.7, 3)
    overlay = Overlay(words=words, product=products[0], script=folder / "vertical.captions.ass")
    script = folder / "handwritten.ass"
    cues = caption_cues(words, start, start + length, SubtitleSettings(), CaptionStyle())
    script.write_text(build_script(cues, CaptionStyle(), length, products[0]).to_string("ass"), encoding="utf-8")
    path = plan_face_crop(replay, media, start, length) if tracking else None
    crop_x = path.expression() if path else None
    ours, hand = [], []
    for _ in range(repeats):  # interleaved, so load from elsewhere on the machine hits both alike
        ours.append(timed(lambda: cut_clip(replay, media, start, start + length, folder / "vertical.mp4", settings,
                                           "vertical", overlay=overlay)))
        hand.append(timed(lambda: handwritten_vertical(replay, start, length, script, folder / "hand.mp4", settings,
                                                       crop_x)))
    ours_time, hand_time = median(ours), median(hand)
    return {"clip_seconds": length, "framing": "face" if crop_x is not None else "fit", "ours": ours_time,
            "handwritten": hand_time, "ratio": ratios(ours_time, hand_time),
            "runs": {"ours": ours, "handwritten": hand}, "target": "ratio <= 1.15"}


def spread_clips(replay: Path, words: list[Word], clips: int, length: float):
    """The replay's facts, the sample's catalog, a transcript of the replay's true words and
    `clips` highlights of `length` seconds spread evenly over it."""
    media = probe(replay)
    products = load_catalog(CATALOG)
    transcript = Transcript("en", 1.0, media.duration, "truth", [Segment(words[0].start, words[-1].end, "", words)])
    spacing = media.duration / clips
    highlights = [Highlight(round(i * spacing + 11.3, 3), round(i * spacing + 11.3 + length, 3),
                            [products[i % len(products)].id], 1.0) for i in range(clips)]
    return media, products, transcript, highlights


def bench_stage(replay: Path, folder: Path, words: list[Word], clips: int, length: float) -> dict:
    media, products, transcript, highlights = spread_clips(replay, words, clips, length)
    results = {}
    for mode in ("copy", "exact", "exact-whole", "vertical"):
        # exact-whole: the exact clip re-encoded from end to end (smart cut off), the baseline
        # smart cut is measured against
        settings = Settings(clips=ClipSettings(mode=mode.split("-")[0], smart_cut=mode != "exact-whole"))
        spent = timed(lambda m=mode, s=settings: cut_clips(replay, media, folder / m, highlights, [], s, transcript,
                                                         products))
        results[mode] = {**spent, "per_clip": spent["wall"] / clips,
                         "clip_seconds_per_wall_second": clips * length / spent["wall"]}
    return {"replay_minutes": media.duration / 60, "clips": clips, "clip_seconds": length, "modes": results}


def frame_quality(ours: Path, reference: Path) -> dict:
    """SSIM (all planes) and PSNR (average, dB) of `ours` against `reference`, frame by frame."""
    found = {}
    for name, pattern in (("ssim", r"All:([0-9.]+)"), ("psnr", r"average:([0-9.inf]+)")):
        result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(ours), "-i", str(reference),
                                 "-lavfi", f"[0:v][1:v]{name}", "-f", "null", "-"], capture_output=True, text=True)
        import re

        match = re.search(pattern, result.stderr)
        found[name] = float(match.group(1)) if match and match.group(1) != "inf" else float("inf")
    return found


def bench_formats(replay: Path, folder: Path, words: list[Word], clips: int, length: float, compare: int,
                  only: list[str] | None = None) -> dict:
    media, products, transcript, highlights = spread_clips(replay, words, clips, length)
    # today's vertical: the same graph, x264 veryfast and the one-line captions it burned
    today = ClipSettings(mode="vertical", caption_style="line", social_preset="veryfast", social_x264_params="")
    runs = {"today-vertical": today,
            "vertical": ClipSettings(mode="vertical"),
            "square": ClipSettings(mode="square"),
            "portrait": ClipSettings(mode="portrait"),
            "vertical+square+portrait": ClipSettings(modes="vertical,square,portrait"),
            "vertical-line": ClipSettings(mode="vertical", caption_style="line")}
    if only:
        runs = {name: value for name, value in runs.items() if name in ("today-vertical", *only)}
    results = {}
    made = {}
    for name, clip_settings in runs.items():
        settings = Settings(clips=clip_settings)
        spent = timed(lambda n=name, s=settings: made.__setitem__(
            n, cut_clips(replay, media, folder / n, highlights, [], s, transcript, products)))
        results[name] = {**spent, "per_clip": spent["wall"] / clips}
        print(name, json.dumps(results[name]), flush=True)
    base = results["today-vertical"]
    for row in results.values():
        row["vs_today_vertical"] = ratios(base, row)
    quality = []
    # the same captions burned in both, so only the encoder differs
    for old, new in list(zip(made["today-vertical"], made.get("vertical-line", [])))[:compare]:
        quality.append(frame_quality(folder / "vertical-line" / new.file, folder / "today-vertical" / old.file))
    framings = [c.framing for c in made["vertical"]]
    return {"clips": clips, "clip_seconds": length, "framing": framings, "modes": results,
            "quality_vertical_vs_today": quality}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s clips and 3 clips in the stage run")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--formats", action="store_true", help="only the social formats against today's vertical")
    parser.add_argument("--replay", type=Path, help="a replay built before (skips building one)")
    parser.add_argument("--only", help="with --formats: these runs only (comma-separated), beside today's vertical")
    args = parser.parse_args()
    if args.formats:
        with tempfile.TemporaryDirectory(prefix="highlights-bench-") as work:
            folder = Path(work)
            replay = args.replay or build_replay(folder, args.minutes)
            report = bench_formats(replay, folder, replay_words(args.minutes), 3 if args.quick else 8,
                                   10.0 if args.quick else 20.0, 2 if args.quick else 4,
                                   args.only.split(",") if args.only else None)
        print(json.dumps(report, indent=1))
        for name, row in report["modes"].items():
            ratio = row["vs_today_vertical"]
            print(f"{name}: wall {row['wall']:.1f} s, CPU {row['cpu']:.1f} s; today's vertical / this: "
                  f"{ratio['wall']:.2f}x wall, {ratio['cpu']:.2f}x CPU")
        for q in report["quality_vertical_vs_today"]:
            print(f"vertical vs today's, same frames: SSIM {q['ssim']:.4f}, PSNR {q['psnr']:.1f} dB")
        return
    length = 10.0 if args.quick else 20.0
    repeats = 2 if args.quick else 4
    with tempfile.TemporaryDirectory(prefix="highlights-bench-") as work:
        folder = Path(work)
        print(f"building a {args.minutes:g}-minute replay ...", flush=True)
        replay = build_replay(folder, args.minutes)
        words = replay_words(args.minutes)
        report = {"copy_vs_moviepy": bench_copy(replay, folder, length)}
        print(json.dumps(report["copy_vs_moviepy"]), flush=True)
        report["vertical_vs_ffmpeg_face"] = bench_vertical(replay, folder, length, words, True, repeats)
        print(json.dumps(report["vertical_vs_ffmpeg_face"]), flush=True)
        report["vertical_vs_ffmpeg_fit"] = bench_vertical(replay, folder, length, words, False, repeats)
        print(json.dumps(report["vertical_vs_ffmpeg_fit"]), flush=True)
        report["stage"] = bench_stage(replay, folder, words, 3 if args.quick else 8, length)
        print(json.dumps(report["stage"]), flush=True)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "clips.json").write_text(json.dumps(report, indent=2) + "\n")
    copy, face, fit = report["copy_vs_moviepy"], report["vertical_vs_ffmpeg_face"], report["vertical_vs_ffmpeg_fit"]
    print(f"\ncopy vs moviepy ({length:g} s clip): wall {copy['copy']['wall']:.3f} s vs "
          f"{copy['moviepy']['wall']:.1f} s = {copy['speedup']['wall']:.0f}x faster, "
          f"CPU {copy['speedup']['cpu']:.0f}x less (target >= 50x)")
    for row in (face, fit):
        print(f"vertical ({row['framing']}) vs hand-written ffmpeg: wall {row['ours']['wall']:.1f} s vs "
              f"{row['handwritten']['wall']:.1f} s = {row['ratio']['wall']:.2f}x, CPU {row['ours']['cpu']:.1f} s vs "
              f"{row['handwritten']['cpu']:.1f} s = {row['ratio']['cpu']:.2f}x (target <= 1.15x)")
    stage = report["stage"]
    for mode, row in stage["modes"].items():
        print(f"clip stage, {stage['replay_minutes']:.0f}-min replay, {stage['clips']} x {length:g} s clips, {mode}: "
              f"wall {row['wall']:.1f} s ({row['per_clip']:.1f} s a clip, {row['clip_seconds_per_wall_second']:.1f}x "
              f"real time), CPU {row['cpu']:.1f} s")


if __name__ == "__main__":
    main()
