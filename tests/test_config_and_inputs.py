import pytest

from highlights.config import ConfigError, load_settings, preset_names
from highlights.inputs import expand_inputs


def test_default_preset_matches_builtin_defaults():
    from highlights.config import Settings

    loaded = load_settings("default")
    assert loaded == Settings(name="default")


def test_default_preset_documents_every_setting():
    """Defaults live in the dataclasses; `pipelines/default.toml` shows every one of them (a
    setting whose default is unset, like the spoken language, as a commented example)."""
    import dataclasses
    import re

    from highlights.config import Settings, pipelines_dir

    text = (pipelines_dir() / "default.toml").read_text(encoding="utf-8")
    section, listed = "", set()
    for line in text.splitlines():
        if header := re.match(r"\[(\w+)\]", line):
            section = header.group(1)
        elif key := re.match(r"#?\s*(\w+)\s*=", line):
            listed.add(f"{section}.{key.group(1)}" if section else key.group(1))
    settings = Settings()
    wanted = set()
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value):
            wanted |= {f"{f.name}.{g.name}" for g in dataclasses.fields(value)}
        else:
            wanted.add(f.name)
    assert wanted - listed == set()


@pytest.mark.parametrize("overrides, message", [
    ({"clips__mdoe": "copy"}, "unknown setting 'mdoe'; did you mean 'mode'?"),
    ({"selection__max_clip": "long"}, "max_clip = 'long' has the wrong type"),
    ({"languagez": ["en"]}, "did you mean 'languages'?"),
    ({"transcribe__beam_size": True}, "beam_size = True has the wrong type"),
])
def test_overrides_from_python_are_checked_like_presets(overrides, message):
    with pytest.raises(ConfigError) as error:
        load_settings("default", **overrides)
    assert message in str(error.value)


def test_presets_and_overrides(tmp_path):
    assert "default" in preset_names()
    preset = tmp_path / "mine.toml"
    preset.write_text('[selection]\nmax_clips = 3\nmin_clip = 10\n[clips]\nmode = "copy"\n')
    settings = load_settings(preset, clips__mode="vertical", languages=["en", "pl"], transcribe__language=None)
    assert settings.selection.max_clips == 3 and settings.selection.min_clip == 10.0
    assert settings.clips.mode == "vertical" and settings.languages == ["en", "pl"]


@pytest.mark.parametrize("text, message", [
    ("[selection]\nmni_clip = 3\n", "unknown setting 'mni_clip'; did you mean 'min_clip'?"),
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
