"""The frozen-build smoke test (.ci/smoke_frozen.py) must fail when the frozen app is broken;
here it runs against stand-in programs, since the real bundle takes minutes to build."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="stand-ins are shell scripts")


@pytest.fixture(scope="module")
def smoke():
    spec = importlib.util.spec_from_file_location("smoke_frozen", ROOT / ".ci" / "smoke_frozen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stand_in(tmp_path, body: str) -> Path:
    program = tmp_path / "inference-planner"
    program.write_text(f"#!{sys.executable}\nimport sys\n{body}\n", encoding="utf-8")
    program.chmod(0o755)
    return program


def _runner(smoke, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    return smoke.Runner(work)


def test_an_import_error_in_any_output_fails(smoke, tmp_path):
    program = _stand_in(tmp_path, (
        "if sys.argv[1] == '--version':\n"
        f"    print('inference-planner {smoke._version()}')\n"
        "else:\n"
        "    print(\"ModuleNotFoundError: No module named 'pyqtgraph'\", file=sys.stderr)\n"))
    with pytest.raises(smoke.SmokeFailure, match="catalog: ModuleNotFoundError"):
        smoke.check_program(_runner(smoke, tmp_path), program, smoke._version())


def test_a_wrong_version_fails(smoke, tmp_path):
    program = _stand_in(tmp_path, "print('inference-planner 0.0.0')")
    with pytest.raises(smoke.SmokeFailure, match="the package is"):
        smoke.check_program(_runner(smoke, tmp_path), program, smoke._version())


def test_a_missing_report_fails(smoke, tmp_path):
    # Everything answers and exits 0, but evaluate writes no CSV.
    program = _stand_in(tmp_path, (
        f"print('inference-planner {smoke._version()}' if sys.argv[1] == '--version' "
        "else 'Systems: GB200')"))
    with pytest.raises(smoke.SmokeFailure, match="was not written"):
        smoke.check_program(_runner(smoke, tmp_path), program, smoke._version())


def test_the_frozen_app_sees_nothing_of_the_checkout(smoke, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("INFERENCE_PLANNER_RESOURCES", str(ROOT / "resources"))
    runner = _runner(smoke, tmp_path)
    assert "PYTHONPATH" not in runner.env
    assert "INFERENCE_PLANNER_RESOURCES" not in runner.env
    assert runner.env["QT_QPA_PLATFORM"] == "offscreen"
    assert Path(runner.env["HOME"]).is_relative_to(tmp_path)
