"""The import contract really fails when planner_core imports Qt."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint(tmp: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe)], cwd=tmp, capture_output=True, text=True, timeout=300,
                          env={"PATH": str(exe.parent), "PYTHONPATH": str(tmp)})


def test_contract_catches_a_qt_import(tmp_path):
    for name in ("planner_core", "app"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint(tmp_path).returncode == 0
    bad = tmp_path / "planner_core" / "sneaky.py"
    bad.write_text("from PySide6.QtCore import QObject\n")
    r = _lint(tmp_path)
    assert r.returncode != 0 and "planner_core.sneaky" in r.stdout
