"""A normal (non-editable) install finds its templates and pipeline presets."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_templates_and_presets(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True)
    (wheel,) = tmp_path.glob("highlights-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "highlights/templates/recap.html.j2" in names and "highlights/pipelines/default.toml" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    probe = ("import highlights, highlights.recap as r, highlights.config as c;"
             "print(highlights.__file__); print(r.template_dir()); print(c.pipelines_dir());"
             "print(c.load_settings('default').name)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, check=True)
    module, templates, presets, name = result.stdout.split()
    assert module.startswith(str(target)) and templates.startswith(str(target)) and presets.startswith(str(target))
    assert name == "default"
