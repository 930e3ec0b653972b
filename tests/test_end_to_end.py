"""`highlights run` through the CLI with the real model on the sample and on a real video."""

import json
import subprocess
import sys
from pathlib import Path

import pysubs2
import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "highlights", *args], capture_output=True, text=True, cwd=cwd)


def check_replay_folder(folder: Path, ffprobe, expect_clips: bool) -> dict:
    for name in ("manifest.json", "recap.html", "transcript.json"):
        assert (folder / name).is_file(), name
    assert (folder / "subtitles").is_dir() and (folder / "clips").is_dir()
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in ("input", "duration", "language", "scene_cuts", "mentions", "clips", "subtitles", "timings"):
        assert key in manifest, key
    for mention in manifest["mentions"]:
        assert set(mention) >= {"product", "start", "end", "text"}
    assert bool(manifest["clips"]) == expect_clips
    for clip in manifest["clips"]:
        assert set(clip) >= {"id", "start", "end", "file", "products", "score", "reasons", "thumbnail", "subtitles"}
        info = ffprobe(folder / clip["file"])
        codecs = sorted(s["codec_name"] for s in info["streams"])
        assert codecs == ["aac", "h264"]
        length = max(float(s.get("start_time", 0)) + float(s["duration"]) for s in info["streams"])
        assert abs(length - (clip["end"] - clip["start"])) < 0.1
        assert (folder / clip["thumbnail"]).read_bytes()[:2] == b"\xff\xd8"
        assert clip["reasons"] and clip["products"]
        for files in clip["subtitles"].values():
            cues = pysubs2.load(str(folder / files["srt"]))
            assert len(cues) > 0 and max(e.end for e in cues) <= (clip["end"] - clip["start"]) * 1000 + 1
            assert len(pysubs2.load(str(folder / files["vtt"]))) == len(cues)
    source_language = manifest["language"]
    files = manifest["subtitles"][source_language]
    assert len(pysubs2.load(str(folder / files["srt"]))) > 0
    assert not Path(files["srt"]).is_absolute() and not Path(files["vtt"]).is_absolute()
    return manifest


def test_sample_end_to_end(tmp_path, ffprobe, samples):
    out = tmp_path / "out"
    result = run_cli("run", str(samples), "-o", str(out), "--languages", "en,ru")
    assert result.returncode == 0, result.stderr
    batch = json.loads((out / "batch.json").read_text())
    assert batch == [{"input": str(samples / "demo_replay.mp4"), "status": "ok", "error": None, "dir": "demo-replay",
                      "warnings": []}]
    assert (out / "index.html").is_file()
    manifest = check_replay_folder(out / "demo-replay", ffprobe, expect_clips=True)
    truth = json.loads((samples / "demo_replay.truth.json").read_text())
    assert manifest["language"] == "en" and abs(manifest["duration"] - truth["duration"]) < 0.1
    for cut in truth["scene_cuts"]:
        assert min(abs(cut - found) for found in manifest["scene_cuts"]) < 0.1
    # Every presented product has its clip, over its presentation; never-mentioned ones none.
    clips = {clip["products"][0]: clip for clip in manifest["clips"]}
    assert set(clips) == {p["id"] for p in truth["products"]}
    for product in truth["products"]:
        clip = clips[product["id"]]
        covered = min(clip["end"], product["end"]) - max(clip["start"], product["start"])
        assert covered >= 0.9 * (product["end"] - product["start"])
        off_topic = sum(max(0.0, min(clip["end"], w["end"]) - max(clip["start"], w["start"]))
                        for w in truth["off_topic"])
        assert off_topic <= 0.2 * (clip["end"] - clip["start"]), (product["id"], off_topic)
    assert manifest["missing_languages"].keys() == {"ru"}
    assert "ru" not in manifest["subtitles"] and not list((out / "demo-replay").rglob("*.ru.*"))
    assert set(manifest["timings"]) >= {"probe", "transcribe", "scenes", "mentions", "clips", "subtitles", "recap"}


def test_real_video_end_to_end(tmp_path, ffprobe, media):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("id,name,aliases\nbanana,Banana,bananas\nexample,Example video,\nunused,Golden kettle,\n")
    out = tmp_path / "out"
    video = media / "video" / "auto_editor_example.mp4"
    result = run_cli("run", str(video), "-o", str(out), "--catalog", str(catalog), "--languages", "en",
                     "--language", "en")
    assert result.returncode == 0, result.stderr
    manifest = check_replay_folder(out / "auto-editor-example", ffprobe, expect_clips=True)
    assert {m["product"] for m in manifest["mentions"]} == {"banana", "example"}
    assert all("unused" not in clip["products"] for clip in manifest["clips"])
    assert manifest["catalog"] == str(catalog)


def test_batch_goes_on_after_bad_inputs_and_exits_1(tmp_path, media):
    bad = tmp_path / "broken.mp4"
    bad.write_text("this is not a video")
    out = tmp_path / "out"
    result = run_cli("run", str(bad), str(tmp_path / "missing.mp4"), str(media / "speech" / "en" / "jfk.flac"),
                     "-o", str(out), "--languages", "en")
    assert result.returncode == 1
    batch = {Path(e["input"]).name: e for e in json.loads((out / "batch.json").read_text())}
    assert batch["broken.mp4"]["status"] == "failed"
    assert batch["broken.mp4"]["error"] == f"{bad}: not a video or audio file (unrecognised or damaged data)"
    assert "no such file or folder" in batch["missing.mp4"]["error"]
    # An audio-only replay still gets its transcript and subtitles, and no clips.
    assert batch["jfk.flac"]["status"] == "ok"
    manifest = json.loads((out / "jfk" / "manifest.json").read_text())
    assert manifest["clips"] == [] and "en" in manifest["subtitles"]
    assert "Traceback" not in result.stderr and "not a video or audio file" in result.stderr
    index = (out / "index.html").read_text()
    assert "broken.mp4" in index and "not a video or audio file" in index


@pytest.mark.parametrize("args, message", [
    (["--languages", "en,de"], "unknown language code(s) de"),
    (["--clip-mode", "vertical,tiktok"], "unknown clip mode 'tiktok'"),  # square is a format now
    (["--pipeline", "turbo"], "unknown pipeline 'turbo'"),
    (["--catalog", "{bad_catalog}"], "line 1: missing column(s) aliases"),
])
def test_usage_errors_exit_2(tmp_path, samples, args, message):
    bad_catalog = tmp_path / "bad.csv"
    bad_catalog.write_text("id,name\na,b\n")
    args = [a.replace("{bad_catalog}", str(bad_catalog)) for a in args]
    result = run_cli("run", str(samples / "demo_replay.mp4"), "-o", str(tmp_path / "out"), *args)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_help_texts():
    result = run_cli("--help")
    assert result.returncode == 0 and "run" in result.stdout
    run_help = run_cli("run", "--help").stdout
    for option in ("--catalog", "--languages", "--language", "--model", "--clip-mode", "--pipeline", "--jobs"):
        assert option in run_help
