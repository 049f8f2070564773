"""The command line, run as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from planner_core import __version__
from planner_core.resources import resource_path


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), timeout=300)


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout
    r = run("--help")
    assert r.returncode == 0 and "validate" in r.stdout and "gui" in r.stdout


def test_validate_writes_predictions(tmp_path):
    out = tmp_path / "pred.csv"
    r = run("validate", str(resource_path("calibration_cases.csv")), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "57 cases: median |error|" in r.stdout
    import pandas as pd

    df = pd.read_csv(out)
    assert {"predicted", "error_pct"} <= set(df.columns) and len(df) == 57


def test_validate_prints_a_table_per_group_and_takes_power_rows(tmp_path):
    out = tmp_path / "pred.csv"
    r = run("validate", "--quiet", str(resource_path("calibration_cases_more.csv")),
            str(resource_path("power_cases.csv")), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "calibration_cases_more.csv: 285 cases: median |error|" in r.stdout
    assert "power_cases.csv: 15 cases: median |error|" in r.stdout
    # One line per accelerator × model × engine × metric, after each summary.
    assert "accelerator      model           engine  metric" in r.stdout
    assert "mi300x           deepseek-r1     sglang  user_tok_s" in r.stdout
    assert "mi355x           deepseek-r1     sglang  tok_per_j" in r.stdout
    import pandas as pd

    df = pd.read_csv(out)
    assert len(df) == 300 and set(df["file"]) == {"calibration_cases_more.csv",
                                                  "power_cases.csv"}


def test_validate_bad_file_is_one_clear_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,system\nx,h100-sxm-80gb\n")
    r = run("validate", str(bad))
    assert r.returncode == 3
    assert "missing column" in r.stderr and "Traceback" not in r.stderr


def test_no_display_gives_one_sentence_not_a_core_dump():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                           "QT_QPA_PLATFORM")}
    r = run(env=env)
    assert r.returncode == 1
    assert "QT_QPA_PLATFORM=offscreen" in r.stderr
    assert r.stderr.count("\n") == 1


def test_screenshot_offscreen(tmp_path):
    png = tmp_path / "shot.png"
    r = run("gui", "--screenshot", str(png))
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20000


def test_screenshot_of_a_panel_and_scenario(tmp_path):
    png = tmp_path / "racks.png"
    r = run("gui", "--screenshot", str(png), "--panel", "racks", "--scenario", "HGX H200")
    assert r.returncode == 0, r.stderr
    assert "QThread" not in r.stderr  # the evaluator thread is stopped before exit
    assert png.stat().st_size > 20000
    r = run("gui", "--screenshot", str(png), "--scenario", "nope")
    assert r.returncode == 2 and "no scenario named 'nope'" in r.stderr


def test_screenshot_of_a_broken_plan_fails_without_a_dialog(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run("gui", str(bad), "--screenshot", str(tmp_path / "x.png"))
    assert r.returncode == 3 and "cannot open plan" in r.stderr and "not valid JSON" in r.stderr


def test_missing_xcb_library_is_named_in_a_frozen_app(monkeypatch, tmp_path):
    """PyInstaller's ctypes re-raises a failed load with a message naming only the plugin; the
    sentence must still name the missing library and its package (seen in the frozen app)."""
    import ctypes

    from app import display

    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")

    def frozen_cdll(name, *args, **kwargs):
        try:
            raise OSError("libxcb-icccm.so.4: cannot open shared object file: No such file")
        except OSError as cause:
            raise OSError(f"Failed to load dynlib/dll '{name}'. Most likely this dynlib/dll "
                          "was not found when the application was frozen.") from cause

    monkeypatch.setattr(display, "_xcb_plugin", lambda: plugin)
    monkeypatch.setattr(ctypes, "CDLL", frozen_cdll)
    problem = display.display_problem({"DISPLAY": ":0"})
    assert "missing libxcb-icccm.so.4" in problem and "(at least: libxcb-icccm4)" in problem


def test_offscreen_on_windows_finds_the_system_fonts(monkeypatch):
    """Qt's offscreen platform on Windows looks for fonts only in QT_QPA_FONTDIR; unset, a PDF
    report would have no text (found in review; Windows cannot be run here)."""
    from app import display

    monkeypatch.setattr(display.sys, "platform", "win32")
    env = {"QT_QPA_PLATFORM": "offscreen", "WINDIR": "D:\\Win"}
    display.offscreen_fonts(env)
    assert env["QT_QPA_FONTDIR"] == "D:\\Win\\Fonts"
    kept = {"QT_QPA_PLATFORM": "offscreen", "QT_QPA_FONTDIR": "E:\\fonts"}
    display.offscreen_fonts(kept)
    assert kept["QT_QPA_FONTDIR"] == "E:\\fonts"  # the user's choice stands
    windowed = {"QT_QPA_PLATFORM": "windows"}
    display.offscreen_fonts(windowed)
    assert "QT_QPA_FONTDIR" not in windowed
    monkeypatch.setattr(display.sys, "platform", "linux")
    linux = {"QT_QPA_PLATFORM": "offscreen"}
    display.offscreen_fonts(linux)
    assert "QT_QPA_FONTDIR" not in linux  # fontconfig finds them there


def test_screenshot_after_a_whatif_run(tmp_path):
    png = tmp_path / "optimize.png"
    r = run("gui", "--screenshot", str(png), "--whatif", "optimize")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and png.stat().st_size > 20000


def test_the_command_line_loads_no_qt():
    """Only `gui` and `evaluate --pdf` start Qt: importing the program and every command group
    must not pull in PySide6 or pyqtgraph (the contracts see direct imports only)."""
    code = ("import sys, app.main, app.cli.evaluate, app.cli.whatif, app.cli.catalog, "
            "app.cli.evidence; print(sorted(m for m in ('PySide6', 'shiboken6', 'pyqtgraph') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_measurements_import_writes_cases_or_nothing(tmp_path):
    data = Path(__file__).parent.parent / "data" / "benchmarks"
    out = tmp_path / "cases.csv"
    r = run("measurements", "import", str(data / "vllm_bench_serve.json"),
            str(data / "guidellm_report.json"), "--system", "h100-sxm-80gb", "--engine", "vllm",
            "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "from 2 file(s)" in r.stdout and out.exists()
    r = run("validate", "--quiet", str(out))
    assert r.returncode == 0 and "median |error|" in r.stdout, r.stderr
    bad = tmp_path / "truncated.json"
    bad.write_text('{"model_id": "meta-llama/Llama-3.1-8B-Instruct", "comple')
    out2 = tmp_path / "none.csv"
    r = run("measurements", "import", str(data / "vllm_bench_serve.json"), str(bad),
            "--system", "h100-sxm-80gb", "--out", str(out2))
    assert r.returncode == 3 and not out2.exists()
    assert r.stderr.strip().splitlines() == [
        f"inference-planner: {bad}: is not well-formed JSON (truncated?)"]


def test_a_profile_from_imported_runs_moves_evaluate(tmp_path):
    data = Path(__file__).parent.parent / "data" / "benchmarks"
    cases, profile = tmp_path / "mine.csv", tmp_path / "lab.json"
    r = run("measurements", "import", str(data / "vllm_bench_serve.json"),
            str(data / "guidellm_report.json"), "--system", "h100-sxm-80gb", "--engine", "vllm",
            "--out", str(cases))
    assert r.returncode == 0, r.stderr
    r = run("calibrate", "--cases", str(cases), "--out", str(profile))
    assert r.returncode == 0, r.stderr
    assert "vllm/hopper: 12 cases, median |error|" in r.stdout and "before" in r.stdout
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "format": "inference-planner-plan", "schema_version": 3, "name": "lab",
        "workloads": [{"name": "chat", "model": "llama-3.1-8b", "traffic": {"peak_rps": 20.0},
                       "input_tokens": {"mean": 1024}, "output_tokens": {"mean": 256},
                       "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 60}}],
        "pools": [{"name": "gpus", "system": "hgx-h100", "engine": "vllm",
                   "workloads": ["chat"]}]}))
    plain = run("evaluate", str(plan), "--json")
    tuned = run("evaluate", str(plan), "--json", "--calibration", str(profile))
    assert plain.returncode == tuned.returncode == 0, tuned.stderr
    assert json.loads(plain.stdout) != json.loads(tuned.stdout)
    assert "calibrated on profile 'lab'" in tuned.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    r = run("evaluate", str(plan), "--calibration", str(broken))
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1
    assert "broken.json" in r.stderr


def test_fits_prints_the_traffic_and_the_binding_limit():
    plan = str(resource_path("examples", "llama70b-chat.json"))
    r = run("fits", plan, "--site-mw", "2")
    assert r.returncode == 0, r.stderr
    assert "within 2 MW" in r.stdout and "binding limit: site power" in r.stdout
    r = run("fits", plan, "--site-mw", "50")  # the example's one hall of 48 positions binds
    assert "binding limit: floor" in r.stdout
    r = run("fits", plan, "--site-mw", "2", "--json")
    data = json.loads(r.stdout)
    assert data["kpis"]["utility_mw"] <= 2 and data["peak_rps"]["chat"] > 40
    r = run("fits", str(resource_path("examples", "llama70b-chat.json")), "--site-mw", "-1")
    assert r.returncode == 2


def test_optimize_with_a_site_limit_ranks_only_what_fits(tmp_path):
    import pandas as pd

    plan = str(resource_path("examples", "llama70b-chat.json"))
    out = tmp_path / "options.csv"
    r = run("optimize", plan, "--site-mw", "1", "--shipping", "--top", "3", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    assert "fit the site's 1 MW at the utility meter" in r.stdout
    frame = pd.read_csv(out)
    ranked = frame[frame["rank"].notna()]
    assert len(ranked) and (ranked["site_utility_mw"] <= 1).all()


def test_evaluate_json_itemises_the_site():
    r = run("evaluate", str(resource_path("examples", "deepseek-v3-disagg-gb200.json")),
            "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    base = next(s for s in data["scenarios"] if s["scenario"] == "base")
    assert base["utility_mw"] > base["facility_mw_provisioned"] > 0
    site = data["site"]["base"]
    assert {"utility_mw", "electrical", "cooling", "fabric", "floor", "limits"} <= set(site)
    assert site["fabric"]["switches"] > 0 and site["cooling"]["cdus"] > 0
    assert site["floor"]["placed"] == site["floor"]["racks"]


def test_evaluate_prints_each_site_limits_headroom():
    r = run("evaluate", str(resource_path("examples", "deepseek-v3-disagg-gb200.json")))
    assert r.returncode == 0, r.stderr
    block = r.stdout.split("Site limits", 1)[1].split("Warnings", 1)[0]
    assert "utility power" in block and "rack positions" in block
    assert "EXCEEDED" in block  # HGX B200 needs more than the site's 25 MW and 160 positions
    assert "Utility power at the meter (MW)" in r.stdout


def test_roadmap_prints_the_strategies_and_writes_a_row_per_period_and_cohort(tmp_path):
    import pandas as pd

    plan = str(resource_path("examples", "roadmap-2026-2030.json"))
    out = tmp_path / "roadmap.csv"
    r = run("roadmap", plan, "--csv", str(out))
    assert r.returncode == 0, r.stderr
    assert "chosen" in r.stdout and "only GB300 NVL72" in r.stdout and "2030" in r.stdout
    frame = pd.read_csv(out)
    chosen = frame[frame.strategy == "chosen"]
    assert chosen.period.nunique() == 5 and chosen.meets_demand.all()
    assert (chosen.utility_mw <= chosen.power_available_mw).all()
    r = run("roadmap", plan, "--json", "--strategy", "only GB300 NVL72")
    data = json.loads(r.stdout)
    assert [s["name"] for s in data["strategies"]][0] == "chosen"
    assert len(data["strategies"][0]["periods"]) == 5
    r = run("roadmap", str(resource_path("examples", "llama70b-chat.json")))
    assert r.returncode == 2 and "no timeline" in r.stderr
    r = run("roadmap", plan, "--strategy", "nope")
    assert r.returncode == 2 and "chosen" in r.stderr
    r = run("roadmap", plan, "--scenarios", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    assert "Grid a year late (chosen for it)" in r.stdout
    frame = pd.read_csv(out)
    assert set(frame.scenario) == {"base", "Grid a year late"}
    assert set(frame.basis) == {"chosen for it"}
    late = frame[frame.scenario == "Grid a year late"].drop_duplicates("period")
    assert list(late.power_available_mw) == [10, 10, 10, 40, 40]
    r = run("roadmap", plan, "--scenarios", "--strategy", "nope")
    assert r.returncode == 2 and "the scenarios are base, Grid a year late" in r.stderr


def test_a_display_that_is_resetting_is_tried_again_before_it_is_reported(monkeypatch):
    """A bare Xvfb refuses connections for a moment while it resets: one refusal must not
    stop the launch (about 1 launch in 5 failed so), a display that stays away must."""
    import ctypes

    from app import display

    class Call:  # a ctypes function: callable, and takes restype/argtypes
        def __init__(self, fn):
            self.fn = fn

        def __call__(self, *args):
            return self.fn(*args)

    class FakeXcb:
        def __init__(self, refusals):
            self.refusals, self.tries = refusals, 0
            self.xcb_connect = Call(self._connect)
            self.xcb_connection_has_error = Call(lambda conn: 1 if conn <= self.refusals else 0)
            self.xcb_disconnect = Call(lambda _conn: None)

        def _connect(self, _display, _screen):
            self.tries += 1
            return self.tries

    monkeypatch.setattr(display, "_xcb_plugin", lambda: None)
    monkeypatch.setattr(display.time, "sleep", lambda _s: None)
    flaky = FakeXcb(refusals=2)
    monkeypatch.setattr(ctypes, "CDLL", lambda _name: flaky)
    assert display.display_problem({"DISPLAY": ":99"}) is None
    assert flaky.tries == 3
    gone = FakeXcb(refusals=10 ** 6)
    monkeypatch.setattr(ctypes, "CDLL", lambda _name: gone)
    problem = display.display_problem({"DISPLAY": ":99"})
    assert "Cannot connect to the X display ':99'" in problem
    assert gone.tries == len(display.CONNECT_RETRIES_S)
