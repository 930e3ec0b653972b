import json
import os

import pytest

from highlights.files import atomic_path, slugify, unique_slug, write_json
from highlights.records import (
    Clip,
    Manifest,
    MediaInfo,
    Mention,
    Product,
    Segment,
    SubtitleFiles,
    Transcript,
    Word,
    from_dict,
    to_dict,
)


def test_manifest_round_trips_through_json(tmp_path):
    manifest = Manifest(
        input="in.mp4", slug="in", duration=12.5, language="en",
        media=MediaInfo("in.mp4", "mp4", 12.5, 100, True, True, "h264", 640, 360, 25.0),
        scene_cuts=[1.0, 2.5],
        mentions=[Mention("p1", 1.0, 2.0, "Aurora", "Aurora", 100.0)],
        clips=[Clip("clip-01", 0.5, 10.0, "clips/clip-01.mp4", ["p1"], 3.5, ["names Aurora 1x"], "clips/c.jpg",
                    subtitles={"en": SubtitleFiles("a.srt", "a.vtt")})],
        products=[Product("p1", "Aurora", ["Aurora watch"], 49.0, "USD")],
    )
    write_json(tmp_path / "m.json", manifest)
    loaded = from_dict(Manifest, json.loads((tmp_path / "m.json").read_text()))
    assert loaded == manifest
    assert isinstance(loaded.clips[0].subtitles["en"], SubtitleFiles)


def test_transcript_words_flatten_segments():
    transcript = Transcript("en", 1.0, 3.0, "m", [Segment(0, 1, "a b", [Word(0, .5, " a"), Word(.5, 1, " b")]),
                                                  Segment(1, 2, "c", [Word(1, 2, " c")])])
    assert [w.text for w in transcript.words] == [" a", " b", " c"]
    assert to_dict(transcript)["segments"][1]["words"][0] == {"start": 1, "end": 2, "text": " c", "probability": 1.0}


@pytest.mark.parametrize("name, expected", [
    ("Live 2024-05-01 Аврора", "live-2024-05-01-avrora"),
    ("../../etc/passwd", "etc-passwd"),
    ("/absolute/path", "absolute-path"),
    ("CON", "item-con"),
    ("日本語", "item"),
    ('Café "quoted" name', "cafe-quoted-name"),
    ("x" * 300, "x" * 60),
])
def test_slugs_are_safe(name, expected):
    slug = slugify(name)
    assert slug == expected
    assert "/" not in slug and ".." not in slug and len(slug) <= 60


def test_unique_slugs_and_unicode_normalisation():
    taken: set[str] = set()
    # The same name in NFC and NFD must not collide into one folder silently.
    first = unique_slug("Caf\u00e9", taken)
    second = unique_slug("Cafe\u0301", taken)
    assert first == "cafe" and second == "cafe-2"


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_stored_result_in_an_older_layout_is_refused_not_misread():
    """Stage results are reloaded with from_dict; one written in another layout (the scenes
    stage once stored a bare list of cuts) must raise TypeError, which makes the stage run
    again, never an AttributeError that would end the replay."""
    from highlights.records import SceneScan, Selection

    with pytest.raises(TypeError):
        from_dict(SceneScan, [1.0, 2.5])
    with pytest.raises(TypeError):
        from_dict(Selection, [{"start": 1.0, "end": 2.0, "products": [], "score": 1.0}])
    with pytest.raises(TypeError):
        from_dict(SceneScan, {"cuts": 3.0})
    assert from_dict(SceneScan, {"cuts": [1, 2.5], "unchecked": [[3, 4.5]]}) == SceneScan([1.0, 2.5], [[3.0, 4.5]])


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path):
    """A SIGKILL mid-write leaves atomic_path's temporary behind (its cleanup never runs); the
    next run removes it, and nothing else: a person's files and finished outputs stay."""
    from highlights.files import remove_stale_temporaries

    clips = tmp_path / "replay" / "clips"
    with atomic_path(clips / "clip-01.mp4") as tmp:
        name = tmp.name  # the name a real temporary has
    stale = clips / name
    stale.write_bytes(b"half a clip, left by a killed run")
    kept = [clips / "clip-01.mp4", clips / "clip-01.mp4.part", clips / ".notes.part",
            tmp_path / "replay" / "mine.part.txt"]
    for path in kept:
        path.write_text("a person's file")
    assert remove_stale_temporaries(tmp_path / "replay") == [stale]
    assert all(path.is_file() for path in kept) and not stale.exists()
    assert remove_stale_temporaries(tmp_path / "missing") == []
