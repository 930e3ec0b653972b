#!/usr/bin/env python3
"""Generate the demo live-shopping replay shipped in ``samples/``.

Outputs (next to this script):

* ``demo_replay.mp4``        ~88 s, 640x360 @ 25 fps, H.264 + AAC, ``+faststart``
* ``demo_replay.truth.json`` ground truth (scene cuts, product / off-topic windows)
* ``catalog.csv``            the seller's catalog (includes two products never mentioned)

The host's voice is espeak-ng (one wav per sentence, trimmed to the actual speech and joined
with fixed pauses), mixed over quiet pink noise.  The pictures are synthetic ffmpeg ``lavfi``
scenes, one per part of the show, with hard cuts on frame boundaries at the part boundaries
plus one "camera switch" in the middle of a product presentation.  All times in the truth
file are computed from the generated audio, not guessed.

Run:  .venv/bin/python samples/make_sample.py
Needs: espeak-ng on PATH, numpy and imageio-ffmpeg (for the ffmpeg binary).
The result is deterministic (fixed noise seed, fixed encoder settings) and files are
written to temporary names first and then renamed, so a failed run leaves old outputs intact.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT_VIDEO = HERE / "demo_replay.mp4"
OUT_TRUTH = HERE / "demo_replay.truth.json"
OUT_CATALOG = HERE / "catalog.csv"

# --- settings -----------------------------------------------------------------------------

VOICE = "en-us+klatt"     # espeak-ng voice (the klatt variant transcribes best)
SPEED = 155               # words per minute (espeak-ng -s)
PITCH = 45                # espeak-ng -p (0-99)
SAMPLE_RATE = 22050       # espeak-ng's native rate; 22050 / 25 = 882 samples per frame
FPS = 25
WIDTH, HEIGHT = 640, 360
SAMPLES_PER_FRAME = SAMPLE_RATE // FPS

SENTENCE_PAUSE = 0.5      # silence between sentences of one part (s)
PART_HEAD = 0.5           # silence after a part boundary before its first sentence (s)
PART_TAIL = 0.5           # minimum silence after a part's last sentence (s)
LEAD_IN = 0.3             # extra silence at the very start (s)
TRAIL_OUT = 0.7           # extra silence at the very end (s)
NOISE_DBFS = -45.0        # RMS of the pink-noise bed; speech is ~-23 dBFS RMS.  Louder beds
                          # (-38) made Whisper base mishear "Lumo" and the promo codes.
SPEECH_GAIN = 0.9         # scale of espeak's int16 output before mixing
NOISE_SEED = 20240601

AUDIO_BITRATE = "64k"
X264 = ["-c:v", "libx264", "-preset", "veryslow", "-crf", "30", "-tune", "animation",
        "-g", "50", "-keyint_min", "25", "-pix_fmt", "yuv420p", "-profile:v", "high"]

# --- catalog --------------------------------------------------------------------------------

CATALOG = [
    # id, name, aliases, price, currency, url, image
    ("aurora-watch", "Aurora smart watch", "Aurora|Aurora watch", "49", "USD",
     "https://shop.example/aurora", ""),
    ("lumo-lamp", "Lumo desk lamp", "Lumo|Lumo lamp", "29", "USD",
     "https://shop.example/lumo", ""),
    ("breeze-fan", "Breeze mini fan", "Breeze|Breeze fan", "19", "USD",
     "https://shop.example/breeze", ""),
    # never mentioned in the replay: the tool must not make clips for these
    ("pebble-speaker", "Pebble bluetooth speaker", "Pebble|Pebble speaker", "39", "USD",
     "https://shop.example/pebble", ""),
    ("nimbus-backpack", "Nimbus travel backpack", "Nimbus|Nimbus backpack", "59", "USD",
     "https://shop.example/nimbus", ""),
]

# --- script -------------------------------------------------------------------------------


@dataclass
class Part:
    kind: str                       # "intro" | "product" | "off_topic" | "outro"
    scene: str                      # key into SCENES
    sentences: list[str]
    product: str | None = None      # catalog id for product parts
    # camera switch: index of the sentence *before which* the picture changes to `switch_scene`
    switch_before: int | None = None
    switch_scene: str | None = None
    # filled in by build_audio()
    start: float = 0.0              # part boundary (frame aligned)
    end: float = 0.0
    speech: list[tuple[float, float]] = field(default_factory=list)
    switch_at: float | None = None


PARTS = [
    Part("intro", "intro", [
        "Hi everyone, and welcome back to the live show!",
        "It is so good to see you all here tonight.",
        "Get comfortable, and say hello in the chat.",
    ]),
    Part("product", "aurora", product="aurora-watch", sentences=[
        "Let's start with the Aurora smart watch.",
        "The Aurora watch tracks your steps, your heart rate, and your sleep.",
        "The battery lasts a full week.",
        "Today, the Aurora smart watch is only forty-nine dollars.",
        "Enter the code AURORA ten, and add it to your shopping cart. The link is below.",
    ]),
    Part("product", "lumo_wide", product="lumo-lamp", switch_before=3, switch_scene="lumo_close",
         sentences=[
             "Next up is the Lumo desk lamp.",
             "The Lumo lamp has three light levels, and a warm mode for reading.",
             "It folds flat, so it fits on any desk.",
             "The Lumo desk lamp is just twenty-nine dollars today.",
             "Use the promo code LUMO five, and tap the link below to add it to your "
             "shopping cart.",
         ]),
    Part("off_topic", "chat", [
        "Wow, the chat is really busy tonight.",
        "Thank you all so much for watching.",
        "It is raining here, so I hope you are somewhere warm and dry.",
    ]),
    Part("product", "breeze", product="breeze-fan", sentences=[
        "Now, let me show you the Breeze mini fan.",
        "The Breeze fan fits in your pocket, and it runs for ten hours.",
        "It is very quiet, and it charges with any USB cable.",
        "The Breeze mini fan is only nineteen dollars.",
        "Enter the code BREEZE five, and add it to your shopping cart. The link is below.",
    ]),
    Part("outro", "outro", [
        "That's all for today.",
        "Thank you, and see you next week. Bye!",
    ]),
]

# --- scenes (ffmpeg lavfi) ------------------------------------------------------------------


def _box(x, y, w, h, color, t="fill"):
    return f"drawbox=x={x}:y={y}:w={w}:h={h}:color={color}:t={t}"


def _host(x=60, color="0x2b2b2b"):
    """A crude presenter silhouette (head + shoulders) standing at the left."""
    return ",".join([_box(x + 35, 110, 60, 70, color), _box(x, 180, 130, 180, color)])


def _solid(color):
    return f"color=c={color}:s={WIDTH}x{HEIGHT}:r={FPS}"


SCENES: dict[str, str] = {
    # animated warm gradient "studio" with the host in the middle
    "intro": ",".join([
        f"gradients=s={WIDTH}x{HEIGHT}:r={FPS}:c0=0x3a1c71:c1=0xd76d77:c2=0xffaf7b"
        ":nb_colors=3:speed=0.015:seed=7",
        _host(x=255, color="0x1a1a2e"),
    ]),
    # navy backdrop, table, watch with strap, yellow price tag
    "aurora": ",".join([
        _solid("0x14213d"),
        _box(0, 290, WIDTH, 70, "0x5c5c5c"),
        _host(),
        _box(370, 70, 60, 220, "0x111111"),          # strap
        _box(340, 120, 120, 110, "0xc0c0c0"),        # case
        _box(352, 132, 96, 86, "0x00b4d8"),          # screen
        _box(500, 40, 110, 46, "0xffd60a"),          # price tag
    ]),
    # camera 1: wide shot, beige wall, lamp on a desk
    "lumo_wide": ",".join([
        _solid("0xe9d8a6"),
        _box(0, 280, WIDTH, 80, "0x7f5539"),         # desk
        _host(color="0x3d3d3d"),
        _box(380, 262, 110, 18, "0x222222"),         # base
        _box(428, 150, 14, 112, "0x222222"),         # arm
        _box(400, 120, 110, 40, "0x222222"),         # head
        _box(410, 160, 90, 30, "0xfff3b0"),          # glow
        _box(500, 40, 110, 46, "0xffd60a"),
    ]),
    # camera 2: close-up of the lamp head, dark room
    "lumo_close": ",".join([
        _solid("0x2b1d14"),
        _box(80, 60, 480, 120, "0x111111"),          # head, big
        _box(110, 180, 420, 160, "0xffb703"),        # warm glow
        _box(290, 0, 60, 60, "0x111111"),            # arm
    ]),
    # off-topic chatter: moving test pattern "chat wall"
    "chat": ",".join([
        f"testsrc2=s={WIDTH}x{HEIGHT}:r={FPS}",
        _box(400, 30, 220, 300, "0x000000@0.6"),
        _box(415, 50, 170, 24, "0xffffff@0.8"),
        _box(415, 90, 120, 24, "0xffffff@0.8"),
        _box(415, 130, 190, 24, "0xffffff@0.8"),
        _box(415, 170, 150, 24, "0xffffff@0.8"),
    ]),
    # light cyan backdrop, desk fan; blades drawn separately (see SPINNER)
    "breeze": ",".join([
        _solid("0x90e0ef"),
        _box(0, 290, WIDTH, 70, "0xf1faee"),
        _host(color="0x264653"),
        _box(410, 240, 80, 50, "0xe63946"),          # stand
        _box(440, 200, 20, 40, "0xe63946"),          # neck
        _box(360, 60, 180, 150, "0xe63946", t=10),   # guard
        _box(500, 20, 110, 40, "0xffd60a"),
    ]),
    # end card
    "outro": f"smptebars=s={WIDTH}x{HEIGHT}:r={FPS}",
}

# a small "blade" circling inside the fan guard (needs overlay, so it is handled separately)
SPINNER = {"breeze": ("color=c=0x1d3557:s=36x36:r=25", "432+50*cos(2*PI*t*1.5)",
                      "117+40*sin(2*PI*t*1.5)")}

# --- audio ----------------------------------------------------------------------------------


def say(text: str, workdir: Path, index: int) -> np.ndarray:
    """Speak one sentence with espeak-ng; returns float32 samples trimmed to the speech."""
    path = workdir / f"s{index:02d}.wav"
    subprocess.run(["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-p", str(PITCH),
                    "-w", str(path), text], check=True)
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == SAMPLE_RATE and wav.getnchannels() == 1, path
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    audible = np.nonzero(np.abs(data.astype(np.int32)) > 64)[0]
    if not len(audible):
        raise RuntimeError(f"espeak-ng produced silence for {text!r}")
    return data[audible[0]:audible[-1] + 1].astype(np.float32) / 32768.0 * SPEECH_GAIN


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32)


def pink_noise(n: int, dbfs: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, d=1.0 / SAMPLE_RATE)
    freqs[0] = freqs[1]
    spectrum /= np.sqrt(freqs)                       # 1/f power
    spectrum[freqs < 40] = 0                         # no rumble / DC
    noise = np.fft.irfft(spectrum, n)
    noise *= 10 ** (dbfs / 20) / np.sqrt(np.mean(noise ** 2))
    return noise.astype(np.float32)


def build_audio(workdir: Path) -> np.ndarray:
    """Concatenate all sentences; fills in the timing fields of PARTS."""
    chunks: list[np.ndarray] = []
    n = 0

    def add(chunk: np.ndarray) -> None:
        nonlocal n
        chunks.append(chunk)
        n += len(chunk)

    def pad_to_frame() -> None:
        rest = (-n) % SAMPLES_PER_FRAME
        if rest:
            add(np.zeros(rest, dtype=np.float32))

    index = 0
    for p_i, part in enumerate(PARTS):
        part.start = n / SAMPLE_RATE
        add(silence(PART_HEAD + (LEAD_IN if p_i == 0 else 0.0)))
        for s_i, text in enumerate(part.sentences):
            if s_i:
                gap_start = n
                add(silence(SENTENCE_PAUSE))
                if part.switch_before == s_i:
                    mid = (gap_start + n) / 2
                    frame = int(round(mid / SAMPLES_PER_FRAME))
                    part.switch_at = frame * SAMPLES_PER_FRAME / SAMPLE_RATE
            speech = say(text, workdir, index)
            index += 1
            begin = n
            add(speech)
            part.speech.append((begin / SAMPLE_RATE, n / SAMPLE_RATE))
        add(silence(PART_TAIL + (TRAIL_OUT if p_i == len(PARTS) - 1 else 0.0)))
        pad_to_frame()
        part.end = n / SAMPLE_RATE

    voice = np.concatenate(chunks)
    mix = voice + pink_noise(len(voice), NOISE_DBFS, NOISE_SEED)
    peak = float(np.max(np.abs(mix)))
    if peak > 0.99:
        mix *= 0.99 / peak
    return mix


def write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())


# --- video ----------------------------------------------------------------------------------


def segments() -> list[tuple[str, int, int]]:
    """(scene, first frame, frame count) for every shot, in order."""
    shots = []
    for part in PARTS:
        a = int(round(part.start * FPS))
        b = int(round(part.end * FPS))
        if part.switch_at is not None:
            m = int(round(part.switch_at * FPS))
            shots += [(part.scene, a, m - a), (part.switch_scene, m, b - m)]
        else:
            shots.append((part.scene, a, b - a))
    return shots


def filtergraph(shots: list[tuple[str, int, int]]) -> str:
    chains = []
    labels = []
    for i, (scene, _first, count) in enumerate(shots):
        label = f"v{i}"
        src = SCENES[scene]
        if scene in SPINNER:
            spin_src, sx, sy = SPINNER[scene]
            chains.append(f"{src}[bg{i}]")
            chains.append(f"{spin_src}[sp{i}]")
            src = (f"[bg{i}][sp{i}]overlay=x='{sx}':y='{sy}':eval=frame:shortest=1")
        chains.append(f"{src},trim=end_frame={count},setpts=PTS-STARTPTS,"
                      f"format=yuv420p,setsar=1[{label}]")
        labels.append(f"[{label}]")
    chains.append("".join(labels) + f"concat=n={len(labels)}:v=1:a=0,"
                  + _box(16, 16, 64, 26, "0xe63946")      # "LIVE" badge
                  + "," + _box(26, 25, 8, 8, "0xffffff")
                  + "[vout]")
    return ";\n".join(chains)


def encode(ffmpeg: str, wav: Path, shots, cut_times: list[float], out: Path) -> None:
    total_frames = sum(count for _, _, count in shots)
    cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
           "-filter_complex", filtergraph(shots),
           "-i", str(wav),
           "-map", "[vout]", "-map", "0:a",
           *X264, "-threads", "2",
           "-force_key_frames", ",".join(f"{t:.3f}" for t in cut_times),
           "-frames:v", str(total_frames), "-r", str(FPS),
           "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "1",
           "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
           "-flags:a", "+bitexact",
           "-movflags", "+faststart", "-f", "mp4", str(out)]
    subprocess.run(cmd, check=True)


# --- outputs ---------------------------------------------------------------------------------


def r3(x: float) -> float:
    return round(x + 0.0, 3)


def truth(duration: float, cut_times: list[float]) -> dict:
    products = []
    off_topic = []
    for part in PARTS:
        window = {"start": r3(part.speech[0][0]), "end": r3(part.speech[-1][1])}
        if part.kind == "product":
            products.append({"id": part.product, **window})
        else:
            off_topic.append(window)
    parts = []
    for part in PARTS:
        entry = {"kind": part.kind, "start": r3(part.start), "end": r3(part.end)}
        if part.product:
            entry["id"] = part.product
        if part.switch_at is not None:
            entry["camera_switch"] = r3(part.switch_at)
        entry["sentences"] = [{"start": r3(a), "end": r3(b), "text": text}
                              for (a, b), text in zip(part.speech, part.sentences)]
        parts.append(entry)
    return {
        "language": "en",
        "duration": r3(duration),
        "fps": FPS,
        "width": WIDTH,
        "height": HEIGHT,
        "scene_cuts": [r3(t) for t in cut_times],
        "products": products,
        "off_topic": off_topic,
        "parts": parts,
    }


def catalog_text() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "name", "aliases", "price", "currency", "url", "image"])
    writer.writerows(CATALOG)
    return buf.getvalue()


def check_script() -> None:
    """Products that are not presented must never be named, and the off-topic parts must
    not name any product (or say a price)."""
    import re

    presented = {part.product for part in PARTS if part.product}
    for pid, name, aliases, *_ in CATALOG:
        words = {w.lower() for w in name.split() + aliases.split("|") if len(w) > 3}
        words |= {pid.split("-")[0]}
        for part in PARTS:
            if pid in presented and part.kind == "product":
                continue
            for text in part.sentences:
                hits = words & set(re.findall(r"[a-z]+", text.lower()))
                if hits:
                    raise SystemExit(f"{part.kind} sentence names {pid} ({hits}): {text!r}")
    for part in PARTS:
        if part.kind != "product" and any("dollar" in t.lower() for t in part.sentences):
            raise SystemExit(f"{part.kind} part mentions a price")


def main() -> int:
    import imageio_ffmpeg

    if not shutil.which("espeak-ng"):
        sys.exit("espeak-ng is required (apt-get install espeak-ng)")
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    check_script()

    with tempfile.TemporaryDirectory(prefix="make_sample-") as tmp:
        work = Path(tmp)
        audio = build_audio(work)
        duration = len(audio) / SAMPLE_RATE
        wav = work / "voice.wav"
        write_wav(wav, audio)

        shots = segments()
        cut_times = [first / FPS for _, first, _ in shots[1:]]
        assert sum(c for _, _, c in shots) == int(round(duration * FPS))

        video_tmp = HERE / f".{OUT_VIDEO.name}.tmp"
        truth_tmp = HERE / f".{OUT_TRUTH.name}.tmp"
        catalog_tmp = HERE / f".{OUT_CATALOG.name}.tmp"
        try:
            encode(ffmpeg, wav, shots, cut_times, video_tmp)
            truth_tmp.write_text(json.dumps(truth(duration, cut_times), indent=2) + "\n")
            catalog_tmp.write_text(catalog_text())
            os.replace(video_tmp, OUT_VIDEO)
            os.replace(truth_tmp, OUT_TRUTH)
            os.replace(catalog_tmp, OUT_CATALOG)
        finally:
            for path in (video_tmp, truth_tmp, catalog_tmp):
                path.unlink(missing_ok=True)

    size = OUT_VIDEO.stat().st_size
    print(f"{OUT_VIDEO.relative_to(HERE.parent)}: duration {duration:.3f} s, "
          f"{size} bytes ({size / 1e6:.2f} MB)")
    print(f"scene cuts: {', '.join(f'{t:.2f}' for t in cut_times)}")
    for part in PARTS:
        speech = sum(b - a for a, b in part.speech)
        print(f"  {part.kind:9s} {part.product or '':15s} {part.start:6.2f}-{part.end:6.2f}"
              f"  speech {part.speech[0][0]:6.2f}-{part.speech[-1][1]:6.2f} ({speech:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
