"""Chapters: YouTube's rules (first at 0:00, three entries or more, ten seconds each) kept,
every clipped product named, and what cannot be done said rather than invented."""

from __future__ import annotations

from pathlib import Path

from highlights.chapters import chapters, timestamp, write_chapters, youtube_ready
from highlights.records import Clip, Manifest, MediaInfo, Product


def manifest(duration: float, clips: list[tuple[float, float, list[str]]]) -> Manifest:
    media = MediaInfo(path="live.mp4", container="mp4", duration=duration, size_bytes=1, has_video=True,
                      has_audio=True, fps=25.0)
    products = [Product(id=p, name=p.replace("-", " ").title()) for p in ("aurora-watch", "lumo-lamp", "breeze-fan")]
    return Manifest(input="live.mp4", slug="live", duration=duration, language="en", media=media,
                    products=products,
                    clips=[Clip(id=f"clip-{i:02d}", start=s, end=e, file="", products=ps, score=3.0, reasons=[],
                                thumbnail="") for i, (s, e, ps) in enumerate(clips, 1)])


def lines(m: Manifest) -> list[str]:
    found, _ = chapters(m)
    return [f"{timestamp(c.start)} {c.title}" for c in found]


def test_intro_then_one_chapter_per_presentation(tmp_path: Path):
    m = manifest(88.0, [(10.24, 30.2, ["aurora-watch"]), (30.2, 50.7, ["lumo-lamp"]), (60.84, 81.6, ["breeze-fan"])])
    result = write_chapters(m, tmp_path)
    assert (tmp_path / "chapters.txt").read_text() == (
        "0:00 Intro\n0:10 Aurora Watch\n0:30 Lumo Lamp\n1:00 Breeze Fan\n")
    assert result.youtube_ready and result.warnings == []
    vtt = (tmp_path / "chapters.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:10.000\nIntro\n")
    assert "4\n00:01:00.000 --> 00:01:28.000\nBreeze Fan\n" in vtt


def test_short_intro_gives_0_00_to_the_first_product():
    m = manifest(120.0, [(4.0, 30.0, ["aurora-watch"]), (40.0, 70.0, ["lumo-lamp"]), (80.0, 110.0, ["breeze-fan"])])
    assert lines(m) == ["0:00 Aurora Watch", "0:40 Lumo Lamp", "1:20 Breeze Fan"]
    assert youtube_ready(chapters(m)[0])


def test_chapter_under_ten_seconds_borrows_from_the_one_before_or_merges():
    # The last presentation starts 4 s before the end: it starts 6 s earlier, the one before can spare it.
    m = manifest(100.0, [(20.0, 40.0, ["aurora-watch"]), (50.0, 90.0, ["lumo-lamp"]), (96.0, 99.5, ["breeze-fan"])])
    assert lines(m) == ["0:00 Intro", "0:20 Aurora Watch", "0:50 Lumo Lamp", "1:30 Breeze Fan"]
    found, _ = chapters(m)
    assert all(c.end - c.start >= 10 for c in found)
    # Two presentations 5 s apart after a 12 s chapter with nothing to spare: merged, both named.
    m = manifest(40.0, [(12.0, 23.0, ["aurora-watch"]), (23.0, 28.0, ["lumo-lamp"]), (28.0, 40.0, ["breeze-fan"])])
    found, warnings = chapters(m)
    assert [c.title for c in found] == ["Intro", "Aurora Watch / Lumo Lamp", "Breeze Fan"]
    assert all(c.end - c.start >= 10 for c in found) and "merged" in warnings[0]


def test_fewer_than_three_chapters_is_written_and_said(tmp_path: Path):
    m = manifest(60.0, [(20.0, 50.0, ["aurora-watch"])])
    result = write_chapters(m, tmp_path)
    assert (tmp_path / "chapters.txt").read_text() == "0:00 Intro\n0:20 Aurora Watch\n"
    assert not result.youtube_ready
    assert "YouTube shows chapters only from 3 on" in result.warnings[0]
    result = write_chapters(manifest(60.0, []), tmp_path)
    assert [c.title for c in result.chapters] == ["Intro"] and not result.youtube_ready


def test_every_clipped_product_is_named_and_hours_are_written():
    clips = [(3600.0 + 60 * i, 3630.0 + 60 * i, [p]) for i, p in enumerate(["aurora-watch", "lumo-lamp", "breeze-fan"])]
    m = manifest(4000.0, clips)
    text = "\n".join(lines(m))
    assert "1:00:00 Aurora Watch" in text and "1:02:00 Breeze Fan" in text
    for clip in m.clips:
        assert any(p.title() in text for p in (" ".join(c.split("-")) for c in clip.products))
