import pytest

from highlights.config import ConfigError, load_settings, preset_names
from highlights.inputs import expand_inputs


def test_default_preset_matches_builtin_defaults():
    from highlights.config import Settings

    loaded = load_settings("default")
    assert loaded == Settings(name="default")


def test_presets_and_overrides(tmp_path):
    assert "default" in preset_names()
    preset = tmp_path / "mine.toml"
    preset.write_text('[selection]\nmax_clips = 3\nmin_clip = 10\n[clips]\nmode = "copy"\n')
    settings = load_settings(preset, clips__mode="vertical", languages=["en", "pl"], transcribe__language=None)
    assert settings.selection.max_clips == 3 and settings.selection.min_clip == 10.0
    assert settings.clips.mode == "vertical" and settings.languages == ["en", "pl"]


@pytest.mark.parametrize("text, message", [
    ("[selection]\nmax_clipz = 3\n", "unknown setting 'max_clipz'"),
    ("[nope]\n", "unknown setting 'nope'"),
    ("[selection]\nmax_clips = 'many'\n", "wrong type"),
    ("[selection\n", "not valid TOML"),
    ("languages = ['en', 'de']\n", "unknown language code(s) de"),
    ("[selection]\nmin_clip = 90\n", "min_clip"),
])
def test_bad_presets_are_refused(tmp_path, text, message):
    preset = tmp_path / "bad.toml"
    preset.write_text(text)
    with pytest.raises(ConfigError, match=None) as error:
        load_settings(preset)
    assert message in str(error.value)


def test_unknown_preset_name():
    with pytest.raises(ConfigError, match="unknown pipeline 'turbo'"):
        load_settings("turbo")


def test_inputs_from_files_folders_and_globs(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.mp4").write_bytes(b"x")
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / "a" / "sub").mkdir()
    (tmp_path / "a" / "sub" / "two.MKV").write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    found, problems = expand_inputs([str(tmp_path / "a"), str(tmp_path / "a" / "one.mp4"),
                                     str(tmp_path / "a" / "*.mp4"), str(tmp_path / "empty"),
                                     str(tmp_path / "missing.mp4"), str(tmp_path / "*.webm")])
    assert [p.name for p in found] == ["one.mp4", "two.MKV"]
    assert [p.error.split(": ", 1)[1] for p in problems] == [
        "folder contains no video or audio files", "no such file or folder", "no files match this pattern"]
