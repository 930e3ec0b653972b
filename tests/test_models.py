import os
import shutil

import pytest

from highlights import models
from highlights.models import BASE_SHA256, ModelError, bundled_base_model, resolve_model, verify_model_files


def test_bundled_base_is_reassembled_and_verified(tmp_path):
    target = tmp_path / "base"
    folder = bundled_base_model(target)
    assert folder == target
    verify_model_files(folder, BASE_SHA256)  # the real SHA-256 of the official files
    assert (folder / "model.bin").stat().st_size == 145217532
    # The second call trusts the stamp and does not rebuild.
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert bundled_base_model(target) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime


def test_damaged_model_is_refused_and_never_used(tmp_path):
    target = tmp_path / "base"
    bundled_base_model(target)
    damaged = tmp_path / "damaged"
    shutil.copytree(target, damaged)
    with open(damaged / "model.bin", "r+b") as handle:
        handle.truncate(1000)
    with pytest.raises(ModelError, match=r"model.bin: SHA-256 mismatch .* will not be used"):
        verify_model_files(damaged, BASE_SHA256)
    # A cached copy that was changed after verification is rebuilt, not trusted.
    with open(target / "model.bin", "r+b") as handle:
        handle.truncate(1000)
    bundled_base_model(target)
    verify_model_files(target, BASE_SHA256)


def test_corrupt_package_data_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "pkg"
    real = models._package_data(models.BASE_PACKAGES[0])
    shutil.copytree(real, fake, ignore=shutil.ignore_patterns("model.bin.part1"))
    (fake / "model.bin.part1").write_bytes(b"\0" * 1024)  # a truncated download
    original = models._package_data
    monkeypatch.setattr(models, "_package_data", lambda p: fake if p == models.BASE_PACKAGES[0] else original(p))
    target = tmp_path / "cache" / "base"
    with pytest.raises(ModelError, match="SHA-256 mismatch"):
        bundled_base_model(target)
    assert not target.exists()
    assert os.listdir(target.parent) == []  # no half-built folder left behind


def test_model_folder_and_bad_folder(tmp_path, base_model):
    assert resolve_model(base_model.path).origin == "folder"
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="missing model.bin"):
        resolve_model(str(tmp_path))


def test_missing_hub_model_fails_clearly_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelError, match="'tiny' is not in the local cache and could not be downloaded"):
        resolve_model("tiny")


def test_default_base_uses_the_bundle(base_model):
    assert base_model.origin == "bundled"
    assert base_model.identity.startswith("faster-whisper-base@d01c3014")
