"""The import contracts really fail when a room imports what it must not."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _lint(tmp: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe)], cwd=tmp, capture_output=True, text=True, timeout=300,
                          env={"PATH": str(exe.parent), "PYTHONPATH": str(tmp)})


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tree")
    for name in ("planner_core", "app"):
        shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    return tmp


def test_the_tree_keeps_every_contract(tree):
    r = _lint(tree)
    assert r.returncode == 0, r.stdout
    assert "broken" not in r.stdout.split("Contracts:")[-1].replace("0 broken", "")


@pytest.mark.parametrize("module, code, contract", [
    ("planner_core/sneaky.py", "from PySide6.QtCore import QObject\n",
     "planner_core is pure Python"),
    ("planner_core/catalog/sneaky.py", "from planner_core.engine import evaluate\n",
     "planner_core rooms run one way"),
    ("planner_core/engine/sneaky.py", "from planner_core.whatif import sweep\n",
     "planner_core rooms run one way"),
    ("planner_core/evidence/sneaky.py", "from planner_core.whatif import optimize\n",
     "planner_core rooms run one way"),
    ("app/cli/sneaky.py", "from app.window import document\n", "app rooms"),
    ("app/report/sneaky.py", "from app.window import main_window\n", "app rooms"),
    ("app/cli/sneaky.py", "from PySide6.QtWidgets import QApplication\n",
     "the command line imports no Qt"),
    # The document imports its undo commands; a command importing the document back (as one
    # did, for a type hint) closes a cycle.
    ("app/window/commands.py", "from app.window.document import Document\n",
     "no import cycles"),
    ("planner_core/engine/power.py", "from planner_core.engine import rollup\n",
     "no import cycles"),
])
def test_a_forbidden_import_breaks_its_contract(tree, module, code, contract):
    bad = tree / module
    original = bad.read_text() if bad.exists() else None
    bad.write_text((original or "") + "\n" + code)
    try:
        r = _lint(tree)
    finally:
        if original is None:
            bad.unlink()
        else:
            bad.write_text(original)
    broken = r.stdout.split("Broken contracts")[-1]
    assert r.returncode != 0 and contract in broken, r.stdout
