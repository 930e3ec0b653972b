"""Overnight batches: every bad input gets a one-line reason, the others go on, odd but
valid sources work, names never escape OUT, and a run can be resumed after anything."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_video, output_tree

from highlights.config import load_settings
from highlights.pipeline import run_batch

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "id,name,aliases,price,currency\naurora-watch,Aurora smart watch,Aurora|Aurora watch,49,USD\n"
SEGMENT = (10.24, 30.2)  # the Aurora presentation in the sample: one clip's worth of speech


def ff(ffmpeg: str, *args: str) -> None:
    subprocess.run([ffmpeg, "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def presentation(tmp_path_factory, ffmpeg, samples) -> Path:
    """20 s of the sample: the host presents one product."""
    path = tmp_path_factory.mktemp("src") / "presentation.mp4"
    ff(ffmpeg, "-ss", str(SEGMENT[0]), "-i", str(samples / "demo_replay.mp4"), "-t", str(SEGMENT[1] - SEGMENT[0]),
       "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path))
    return path


def settings():
    return load_settings("default", languages=["en"], transcribe__language="en")


def entries(out: Path) -> dict[str, dict]:
    return {Path(e["input"]).name: e for e in json.loads((out / "batch.json").read_text())}


def manifest(out: Path, entry: dict) -> dict:
    return json.loads((out / entry["dir"] / "manifest.json").read_text())


def test_bad_inputs_fail_alone_with_one_line_reasons(tmp_path, ffmpeg, presentation, media):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.mp4").write_bytes(b"")
    (inputs / "notes.mp4").write_text("a text file that says it is a video\n" * 10)
    (inputs / "random.mkv").write_bytes(random.Random(1).randbytes(200_000))
    whole = presentation.read_bytes()
    (inputs / "truncated.mp4").write_bytes(whole[: len(whole) // 2])  # the index (moov) is at the end
    (tmp_path / "no-videos").mkdir()
    (tmp_path / "no-videos" / "readme.txt").write_text("nothing here")
    shutil.copy(presentation, inputs / "good.mp4")
    (inputs / "catalog.csv").write_text(CATALOG)
    out = tmp_path / "out"
    result = run_batch([str(inputs), str(tmp_path / "missing.mp4"), str(tmp_path / "no-videos")], out, settings())
    assert not result.ok
    found = entries(out)
    expected = {
        "empty.mp4": "file is empty (0 bytes)",
        "notes.mp4": "not a video or audio file",
        "random.mkv": "not a video or audio file",
        "truncated.mp4": "truncated.mp4: ",
        "missing.mp4": "no such file or folder",
        "no-videos": "folder contains no video or audio files",
    }
    for name, message in expected.items():
        assert found[name]["status"] == "failed", name
        assert message in found[name]["error"] and "\n" not in found[name]["error"], found[name]
        assert "Traceback" not in found[name]["error"]
    assert found["good.mp4"]["status"] == "ok"
    assert len(manifest(out, found["good.mp4"])["clips"]) == 1
    index = (out / "index.html").read_text()
    assert "file is empty (0 bytes)" in index
    # A failed replay leaves no manifest that looks complete.
    assert not (out / found["empty.mp4"]["dir"] / "manifest.json").exists()


def test_corrupted_middle_is_processed_around_the_damage(tmp_path, presentation):
    data = bytearray(presentation.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4000] = random.Random(2).randbytes(4000)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    out = tmp_path / "out"
    run_batch([str(damaged)], out, settings())
    entry = entries(out)["damaged.mp4"]
    # Either it is usable (most of the speech survives) or it fails with a clear reason.
    if entry["status"] == "ok":
        assert manifest(out, entry)["duration"] > 15
    else:
        assert entry["error"].startswith(str(damaged)) and "\n" not in entry["error"]


def test_sources_without_speech_or_without_picture(tmp_path, ffmpeg, media, samples):
    folder = tmp_path / "in"
    folder.mkdir()
    make_video(ffmpeg, folder / "no-audio.mp4", seconds=3, audio=False)
    ff(ffmpeg, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-f", "lavfi",
       "-i", "anullsrc=r=48000:cl=stereo", "-t", "4", "-pix_fmt", "yuv420p", str(folder / "silent.mp4"))
    ff(ffmpeg, "-i", str(media / "video" / "big_buck_bunny_0_30.webm"), "-t", "12", "-c:v", "libx264",
       "-preset", "ultrafast", "-c:a", "aac", str(folder / "music.mp4"))
    make_video(ffmpeg, folder / "half-second.mp4", seconds=0.5)
    shutil.copy(media / "speech" / "en" / "jfk.flac", folder / "speech-only.flac")
    (folder / "catalog.csv").write_text(CATALOG)
    out = tmp_path / "out"
    result = run_batch([str(folder)], out, settings())
    found = entries(out)
    assert result.ok, found
    for name in ("no-audio.mp4", "silent.mp4", "music.mp4", "half-second.mp4", "speech-only.flac"):
        assert manifest(out, found[name])["clips"] == [], name
    assert "no audio track" in " ".join(manifest(out, found["no-audio.mp4"])["warnings"])
    assert "no speech found" in " ".join(manifest(out, found["silent.mp4"])["warnings"])
    speech_only = manifest(out, found["speech-only.flac"])
    assert "audio only" in " ".join(speech_only["warnings"]) and speech_only["subtitles"]["en"]


def test_odd_but_valid_sources_all_make_their_clip(tmp_path, ffmpeg, presentation, ffprobe):
    folder = tmp_path / "in"
    folder.mkdir()
    src = str(presentation)
    ff(ffmpeg, "-i", src, "-vf", "scale=641:361", "-c:v", "libx264", "-pix_fmt", "yuv444p", "-preset", "ultrafast",
       "-c:a", "copy", str(folder / "odd-size.mp4"))
    ff(ffmpeg, "-display_rotation", "90", "-i", src, "-c", "copy", str(folder / "rotated.mp4"))
    ff(ffmpeg, "-i", src, "-vf", "select='lt(mod(n,10),6)+lt(t,3)'", "-fps_mode", "vfr", "-c:v", "libx264",
       "-preset", "ultrafast", "-c:a", "copy", str(folder / "vfr.mp4"))
    ff(ffmpeg, "-i", src, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
       "-c:a", "libopus", str(folder / "vp9-opus.webm"))
    ff(ffmpeg, "-i", src, "-f", "lavfi", "-i", "sine=frequency=300:duration=20", "-map", "0:v", "-map", "0:a",
       "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(folder / "two-audio-tracks.mkv"))
    shutil.copy(presentation, folder / 'Распродажа "Aurora" \'часы\' №1.mp4')
    (folder / "catalog.csv").write_text(CATALOG)
    out = tmp_path / "out"
    result = run_batch([str(folder)], out, settings())
    found = entries(out)
    assert result.ok, {k: v["error"] for k, v in found.items() if v["error"]}
    assert len(found) == 6
    slugs = {e["dir"] for e in found.values()}
    assert "rasprodazha-aurora-chasy-no1" in slugs  # non-ASCII name: a safe, readable slug
    for name, entry in found.items():
        data = manifest(out, entry)
        assert [c["products"] for c in data["clips"]] == [["aurora-watch"]], name
        clip = out / entry["dir"] / data["clips"][0]["file"]
        streams = {s["codec_type"]: s for s in ffprobe(clip)["streams"]}
        assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac", name
    rotated = manifest(out, found["rotated.mp4"])
    assert rotated["media"]["rotation"] == 90
    clip = out / found["rotated.mp4"]["dir"] / rotated["clips"][0]["file"]
    video = [s for s in ffprobe(clip)["streams"] if s["codec_type"] == "video"][0]
    assert video["height"] > video["width"]  # turned upright, as viewers saw it


def test_untrusted_catalog_ids_never_escape_out(tmp_path, presentation):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("id,name,aliases\n../../../escaped,Aurora smart watch,Aurora|Aurora watch\n"
                       "CON,Unused thing,\n/etc/passwd,Other thing,\n")
    out = tmp_path / "out"
    run_batch([str(presentation)], out, settings(), catalog_path=catalog)
    entry = entries(out)["presentation.mp4"]
    data = manifest(out, entry)
    (clip,) = data["clips"]
    assert clip["products"] == ["../../../escaped"]  # the id is kept as data...
    path = (out / entry["dir"] / clip["file"]).resolve()
    assert path.is_file() and path.is_relative_to((out / entry["dir"] / "clips").resolve())  # ...not as a path
    assert not list(tmp_path.glob("escaped*")) and not list(out.glob("escaped*"))


def test_bad_catalog_beside_one_replay_fails_only_that_replay(tmp_path, presentation):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    shutil.copy(presentation, good / "a.mp4")
    shutil.copy(presentation, bad / "b.mp4")
    (good / "catalog.csv").write_text(CATALOG)
    (bad / "catalog.csv").write_text("id,name,aliases\nx,X,\nx,Y,\n")
    out = tmp_path / "out"
    run_batch([str(good), str(bad)], out, settings())
    found = entries(out)
    assert found["a.mp4"]["status"] == "ok"
    assert found["b.mp4"]["status"] == "failed"
    assert found["b.mp4"]["error"] == f"{bad / 'catalog.csv'}: line 3: duplicate id 'x' (first at line 2)"


def _mount_tmpfs(where: Path, options: str) -> None:
    where.mkdir()
    if os.geteuid() != 0:
        pytest.fail("mounting a small tmpfs needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)


def test_read_only_output_folder(tmp_path, presentation):
    out = tmp_path / "ro"
    _mount_tmpfs(out, "ro,size=1m")
    try:
        result = subprocess.run([sys.executable, "-m", "highlights", "run", str(presentation), "-o", str(out),
                                 "--languages", "en"], capture_output=True, text=True, cwd=ROOT)
    finally:
        subprocess.run(["umount", str(out)], check=True)
    assert result.returncode == 1
    assert "Read-only file system" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_output_disk_full(tmp_path, presentation):
    out = tmp_path / "full"
    _mount_tmpfs(out, "size=96k")  # room for the transcript, not for the clip
    try:
        result = subprocess.run([sys.executable, "-m", "highlights", "run", str(presentation), "-o", str(out),
                                 "--languages", "en", "--catalog", str(_catalog(tmp_path))],
                                capture_output=True, text=True, cwd=ROOT)
        written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        batch = json.loads((out / "batch.json").read_text()) if (out / "batch.json").is_file() else None
    finally:
        subprocess.run(["umount", str(out)], check=True)
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert not [name for name in written if ".part" in name or name.endswith(("manifest.json", ".mp4"))]
    if batch is not None:
        assert batch[0]["status"] == "failed" and "No space left on device" in batch[0]["error"]


def _catalog(folder: Path) -> Path:
    path = folder / "catalog.csv"
    path.write_text(CATALOG)
    return path


def test_sigint_stops_cleanly_and_the_next_run_resumes(tmp_path, presentation):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("one.mp4", "two.mp4", "three.mp4"):
        shutil.copy(presentation, inputs / name)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "highlights", "run", str(inputs), "-o", str(out), "--languages", "en",
               "--language", "en", "--log-format", "json"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # wait until the first replay is done (--jobs auto: any of them)
        if '"event": "ok"' in line:
            first = Path(json.loads(line)["input"]).name
            break
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130
    found = entries(out)
    assert found[first]["status"] == "ok"
    assert any("interrupted" in (e["error"] or "") for e in found.values())
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0
    reused = manifest(out, entries(out)[first])["reused_stages"]
    assert "transcribe" in reused and "clips" in reused


def test_new_catalog_reruns_mentions_not_transcription(tmp_path, presentation):
    out = tmp_path / "out"
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(CATALOG)
    run_batch([str(presentation)], out, settings(), catalog_path=catalog)
    catalog.write_text(CATALOG.replace("49,USD", "39,USD") + "x,Something else,\n")
    run_batch([str(presentation)], out, settings(), catalog_path=catalog)
    data = manifest(out, entries(out)["presentation.mp4"])
    assert "transcribe" in data["reused_stages"] and "scenes" in data["reused_stages"]
    assert "mentions" not in data["reused_stages"]
    assert [p["price"] for p in data["products"] if p["id"] == "aurora-watch"] == [39.0]
    run_batch([str(presentation)], out, settings(), catalog_path=catalog, force=["transcribe"])
    assert "transcribe" not in manifest(out, entries(out)["presentation.mp4"])["reused_stages"]


def test_a_half_written_result_is_not_done(tmp_path, presentation):
    out = tmp_path / "out"
    run_batch([str(presentation)], out, settings())
    folder = out / entries(out)["presentation.mp4"]["dir"]
    transcript = folder / "transcript.json"
    transcript.write_text(transcript.read_text()[:100])  # as if a crash had cut it short
    run_batch([str(presentation)], out, settings())
    data = manifest(out, entries(out)["presentation.mp4"])
    assert "transcribe" not in data["reused_stages"]
    json.loads(transcript.read_text())  # whole again


def test_parallel_jobs_and_dask_cluster_match_a_one_by_one_run(tmp_path, presentation):
    import dask
    from distributed import LocalCluster

    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(presentation, inputs / "one.mp4")
    shutil.copy(presentation, inputs / "two.mp4")
    (inputs / "catalog.csv").write_text(CATALOG)
    # Whisper's sums run in a different order on a different number of threads, which can move
    # a word by 20 ms; with the thread count fixed, every way of running gives the same files.
    preset = tmp_path / "one-thread.toml"
    preset.write_text('languages = ["en"]\n[transcribe]\nlanguage = "en"\ncpu_threads = 1\n')
    serial, parallel, cluster_out = tmp_path / "serial", tmp_path / "parallel", tmp_path / "cluster"
    command = [sys.executable, "-m", "highlights", "run", str(inputs), "--pipeline", str(preset), "-q"]
    subprocess.run(command + ["-o", str(serial)], check=True, cwd=ROOT, capture_output=True)
    subprocess.run(command + ["-o", str(parallel), "--jobs", "2"], check=True, cwd=ROOT, capture_output=True)
    # Dask's nanny sets OMP_NUM_THREADS=1 in its workers, which also changes the order of
    # sums; give the worker a plain environment, as the README advises.
    environ = {"MALLOC_TRIM_THRESHOLD_": 65536}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        subprocess.run(command + ["-o", str(cluster_out), "--scheduler", cluster.scheduler_address], check=True,
                       cwd=ROOT, capture_output=True)
    assert output_tree(parallel) == output_tree(serial)
    assert output_tree(cluster_out) == output_tree(serial)


def test_progress_formats(tmp_path, presentation):
    out = tmp_path / "out"
    base = [sys.executable, "-m", "highlights", "run", str(presentation), str(tmp_path / "nope.mp4"), "-o", str(out),
            "--languages", "en", "--catalog", str(_catalog(tmp_path))]
    as_json = subprocess.run(base + ["--log-format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert as_json.returncode == 1
    events = [json.loads(line) for line in as_json.stderr.splitlines() if line.startswith("{")]
    kinds = [e["event"] for e in events]
    assert kinds[:2] == ["jobs", "failed"] and "start" in kinds and "stage" in kinds and kinds[-1] == "summary"
    assert events[0]["jobs"] == 1 and events[0]["reason"].startswith("1 replay")  # the one that exists
    assert {e["stage"] for e in events if e["event"] == "stage"} >= {"transcribe", "clips", "recap"}
    summary = events[-1]["replays"]
    assert [r["status"] for r in summary] == ["failed", "ok"] and summary[1]["clips"] == 1
    plain = subprocess.run(base, capture_output=True, text=True, cwd=ROOT)  # not a terminal: plain lines
    assert "[1/1]" in plain.stderr and "  transcribe" in plain.stderr and "FAILED" in plain.stderr
    assert plain.stderr.startswith("jobs: 1 × ")
    assert "\x1b[" not in plain.stderr  # no terminal control codes in a log file
    quiet = subprocess.run(base + ["--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert quiet.stderr.strip().splitlines() == [f"FAILED {tmp_path / 'nope.mp4'}: no such file or folder"]
    assert quiet.stdout.startswith("1 ok, 1 failed.")


def test_jobs_auto_is_chosen_from_cores_lengths_and_threads():
    from highlights.pipeline import MEMORY_PER_JOB, plan_jobs

    short, long = [60.0] * 10, [600.0] * 3
    assert plan_jobs(1, [600.0], cores=2).jobs == 1
    assert plan_jobs(1, [600.0], cores=2).threads == 0  # one replay: every core
    plan = plan_jobs(10, short, cores=2)
    assert (plan.jobs, plan.threads) == (2, 1)
    assert plan.describe() == "jobs: 2 × 1 thread (10 replays, 2 cores, mostly under 3 min)"
    assert plan_jobs(3, [60.0] * 3, cores=8).jobs == 3  # never more jobs than replays
    assert (plan_jobs(3, long, cores=2).jobs, plan_jobs(3, long, cores=2).threads) == (1, 0)
    assert plan_jobs(2, [600.0] * 2, cores=2).jobs == 2
    assert plan_jobs(4, [600.0] * 4, cores=2).jobs == 2  # two long replays a job: evened out
    assert plan_jobs(10, short, cores=4, threads=2).jobs == 2  # cpu_threads sets the threads per job
    assert plan_jobs(10, short, cores=2, jobs=1).reason.startswith("--jobs 1")
    assert plan_jobs(10, short, cores=4, memory=int(2.5 * MEMORY_PER_JOB)).jobs == 2
    assert plan_jobs(5, [None] * 5, cores=2).jobs == 2  # lengths unknown: taken as short


def test_cli_prints_the_jobs_choice_and_loads_the_model_once_per_worker(tmp_path, presentation):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("one", "two", "three"):
        shutil.copy(presentation, inputs / f"{name}.mp4")
    (inputs / "catalog.csv").write_text(CATALOG)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "highlights", "run", str(inputs), "-o", str(out), "--language",
                          "en", "--languages", "en", "--clip-mode", "copy", "--debug"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    cores = os.cpu_count() or 1
    if cores >= 2:
        threads = max(1, cores // min(3, cores))
        assert (f"jobs: {min(3, cores)} × {threads} thread{'' if threads == 1 else 's'} "
                f"(3 replays, {cores} cores, mostly under 3 min)") in run.stderr
    loads = [line for line in run.stderr.splitlines() if "Whisper model loaded" in line]
    processes = {line.rsplit("process ", 1)[1] for line in loads}
    assert len(loads) == len(processes) <= min(3, cores)  # once in each worker, not once a replay


def test_workers_stop_when_the_batch_process_is_killed(tmp_path, presentation):
    """A SIGKILLed batch leaves no worker finishing a replay beside the run that resumes it."""
    import time

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: --jobs auto runs the replays in the batch process itself")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("one", "two", "three", "four"):
        shutil.copy(presentation, inputs / f"{name}.mp4")
    process = subprocess.Popen([sys.executable, "-m", "highlights", "run", str(inputs), "-o", str(tmp_path / "out"),
                                "--language", "en", "--languages", "en", "--log-format", "json", "--debug"],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    for line in process.stderr:
        if "Whisper model loaded" in line:
            workers.add(int(json.loads(line)["message"].rsplit("process ", 1)[1].rstrip(")")))
            if len(workers) == 2:
                break
    process.kill()
    process.wait()

    def alive(pid: int) -> bool:
        try:
            return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(alive(pid) for pid in workers)
