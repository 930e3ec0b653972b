"""Writes the live-room event fixtures beside this script (deterministic: a fixed seed).

    python tests/data/events/make_events.py

Each file stands for one replay; tests/test_events.py holds the mentions the host made in it
and asserts what the events must change."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHAT = ["hi", "hello from Madrid", "wow", "love it", "so nice", "❤️", "what colour is it", "haha", "great show",
        "is it waterproof", "привет", "cześć", "ciao", "bonjour", "nice", "👍", "cool", "good evening"]

# The demo replay's sure mentions (samples/demo_replay.mp4, Whisper base): the room echoes them.
DEMO_MENTIONS = [11.82, 13.7, 21.3, 25.4, 31.56, 33.28, 41.18, 45.88, 62.94, 64.64, 72.98, 76.6]
DEMO_LAG = 6.0
LAG_MENTIONS = [20.0, 47.0, 71.0, 98.0, 130.0, 151.0, 177.0, 204.0]
LAG = 12.0


def noise(rng: random.Random, duration: float, per_second: float, kind: str = "comment", users: int = 60):
    t = 0.0
    while True:
        t += rng.expovariate(per_second)
        if t >= duration:
            return
        yield [round(t, 2), kind, rng.choice(CHAT) if kind == "comment" else "", f"viewer{rng.randrange(users)}"]


def burst(rng: random.Random, start: float, end: float, count: int, kind: str, text: str, prefix: str):
    for n in range(count):
        yield [round(rng.uniform(start, end), 2), kind, text, f"{prefix}{n}"]


def write_csv(name: str, rows: list[list]) -> None:
    rows.sort(key=lambda r: r[0])
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "kind", "text", "user"])
        for t, kind, text, user in rows:
            # Half the times as HH:MM:SS.ss, as platforms export them, half as seconds.
            stamp = f"00:{int(t // 60):02d}:{t % 60:05.2f}" if int(t * 100) % 2 else t
            writer.writerow([stamp, kind, text, user])


def demo(rng: random.Random) -> None:
    rows = list(noise(rng, 88.0, 0.5))
    rows += list(noise(rng, 88.0, 0.08, "add_to_cart"))
    rows += list(noise(rng, 88.0, 0.3, "like"))
    for m in DEMO_MENTIONS:  # the room answers each name DEMO_LAG seconds later
        rows += list(burst(rng, m + DEMO_LAG - 0.8, m + DEMO_LAG + 0.8, 4, "comment", "wow", f"echo{m}-"))
    # Aurora smart watch (10.2-30.2 s): 12 viewers ask for the link, in four languages.
    asks = ["link?", "link pls", "where can I buy it", "ссылку!", "ссылка где", "enlace?", "link??", "lien svp",
            "gdzie kupić", "link please", "посилання?", "link"]
    rows += [[round(rng.uniform(18.0, 34.0), 2), "comment", text, f"asker{n}"] for n, text in enumerate(asks)]
    # Lumo desk lamp (30.2-50.7 s): one viewer spams "link?" 30 times; 15 viewers add it to the cart
    # after "tap the link below to add it to your shopping cart" (45-50 s), DEMO_LAG later.
    rows += [[round(38.0 + n * 0.4, 2), "comment", "link?", "spammer"] for n in range(30)]
    rows += list(burst(rng, 51.0, 55.5, 15, "add_to_cart", "", "buyer"))
    rows += [[round(rng.uniform(51.0, 56.0), 2), "add_to_cart", "", "buyer0"] for _ in range(10)]  # one user, once
    write_csv("demo_replay.events.csv", rows)


def thin_pitch(rng: random.Random) -> None:
    """180 s: the host names the Pebble speaker once at 100 s and moves on; the room buys."""
    rows = list(noise(rng, 180.0, 0.5)) + list(noise(rng, 180.0, 0.05, "add_to_cart"))
    rows += list(burst(rng, 106.0, 114.0, 18, "add_to_cart", "", "cart"))
    rows += list(burst(rng, 108.0, 116.0, 9, "purchase", "", "paid"))
    events = [{"time": t, "kind": k, "text": x, "user": u} for t, k, x, u in sorted(rows, key=lambda r: r[0])]
    (HERE / "thin_pitch.events.json").write_text(json.dumps({"events": events}, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")


def steady(rng: random.Random) -> None:
    """300 s of a busy room with nothing special: no spike, no boost."""
    rows = list(noise(rng, 300.0, 1.0)) + list(noise(rng, 300.0, 0.2, "add_to_cart"))
    rows += list(noise(rng, 300.0, 0.6, "like")) + list(noise(rng, 300.0, 0.02, "gift"))
    write_csv("steady_noise.events.csv", rows)


def lagged(rng: random.Random) -> None:
    """240 s: every name the host says is answered by a burst of comments LAG seconds later."""
    rows = list(noise(rng, 240.0, 0.3))
    for m in LAG_MENTIONS:
        rows += list(burst(rng, m + LAG - 1.0, m + LAG + 1.0, 6, "comment", "😍", f"fan{m}-"))
    write_csv("lag_12s.events.csv", rows)


def malformed() -> None:
    (HERE / "bad_kind.events.csv").write_text(
        "time,kind,text,user\n1.5,comment,hi,a\n2,like,,b\n00:00:03,buy_now,,c\n4,comment,ok,d\n", encoding="utf-8")
    (HERE / "bad_time.events.csv").write_text(
        "time,kind,text,user\n1.5,comment,hi,a\nsoon,like,,b\n", encoding="utf-8")
    (HERE / "bad_row.events.json").write_text(
        json.dumps([{"time": 1, "kind": "comment", "text": "hi", "user": "a"},
                    {"time": "0:02", "kind": "like", "user": "b"},
                    {"kind": "purchase", "user": "c"}]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    rng = random.Random(17)
    demo(rng)
    thin_pitch(rng)
    steady(rng)
    lagged(rng)
    malformed()
