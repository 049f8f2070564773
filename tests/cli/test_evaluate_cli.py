"""`evaluate` and `catalog` as a user runs them: output, files written, exit codes."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from planner_core.resources import resource_path

EXAMPLE = str(resource_path("examples", "llama70b-chat.json"))


def run(*args, qt=False):
    """The CLI in a fresh interpreter; without ``qt`` PySide6 cannot even be imported."""
    block = "" if qt else "sys.modules['PySide6'] = None; "
    code = f"import sys; {block}from app.main import main; sys.exit(main(sys.argv[1:]))"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_summary_names_every_scenario_and_kpi():
    r = run("evaluate", EXAMPLE)
    assert r.returncode == 0, r.stderr
    for text in ("Llama-3.1-70B chat service", "HGX H200", "Groq LPU racks", "Power +50%",
                 "Cost per million output tokens (USD)", "Facility power provisioned (MW)",
                 "Facility power expected at peak (MW)",
                 "Workloads", "Warnings"):
        assert text in r.stdout


def test_one_scenario_csv_and_json_without_qt(tmp_path):
    out = tmp_path / "h200.csv"
    r = run("evaluate", EXAMPLE, "--scenario", "HGX H200", "--csv", str(out), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["scenario"] for s in doc["scenarios"]] == ["HGX H200"]
    table = pd.read_csv(out)
    assert set(table.scenario) == {"HGX H200"}
    assert table.scenario_usd_per_m_output_tokens.iloc[0] == pytest.approx(
        doc["scenarios"][0]["usd_per_m_output_tokens"])


def test_json_has_no_nan():
    r = run("evaluate", EXAMPLE, "--json")
    assert r.returncode == 0
    assert "NaN" not in r.stdout and "Infinity" not in r.stdout
    assert json.loads(r.stdout)["plan"] == "Llama-3.1-70B chat service"


def test_unknown_scenario_is_a_usage_error():
    r = run("evaluate", EXAMPLE, "--scenario", "nope")
    assert r.returncode == 2
    assert "no scenario named 'nope'" in r.stderr and "'HGX H200'" in r.stderr


def test_bad_arguments_are_usage_errors():
    assert run("evaluate").returncode == 2
    assert run("catalog", "gpus").returncode == 2


@pytest.mark.parametrize("content,expect", [
    ('{"format": "inference-planner-plan", "schema_version": 2, "na', "line 1"),
    ('{"format": "inference-planner-plan", "schema_version": 9}', "newer"),
    ("\x00\x01\x02", "binary"),
])
def test_invalid_plan_is_one_line_on_stderr_exit_3(tmp_path, content, expect):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = run("evaluate", str(bad))
    assert r.returncode == 3
    assert expect in r.stderr and str(bad) in r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1 and r.stdout == ""


def test_unknown_catalog_id_exit_3(tmp_path):
    data = json.loads(Path(EXAMPLE).read_text())
    data["pools"][0]["system"] = "hgx-h999"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    r = run("evaluate", str(bad))
    assert r.returncode == 3 and "pools.serving.system" in r.stderr and "hgx-h999" in r.stderr


def test_unwritable_output_exit_4(tmp_path):
    locked = tmp_path / "out.csv"
    locked.write_text("keep")
    locked.chmod(stat.S_IRUSR)
    r = run("evaluate", EXAMPLE, "--csv", str(locked))
    assert r.returncode == 4 and "read-only" in r.stderr
    assert locked.read_text() == "keep"
    r = run("evaluate", EXAMPLE, "--csv", str(tmp_path))
    assert r.returncode == 4 and "folder" in r.stderr


def test_catalog_lists_and_json_carries_sources():
    r = run("catalog")
    assert r.returncode == 0
    assert "Accelerators (" in r.stdout and "Systems (" in r.stdout and "Models (" in r.stdout
    assert "gb200-nvl72" in r.stdout and "deepseek-v3" in r.stdout
    r = run("catalog", "accelerators", "--json")
    entries = json.loads(r.stdout)
    h100 = next(e for e in entries if e["id"] == "h100-sxm-80gb")
    assert h100["tdp_w"]["value"] == 700 and h100["tdp_w"]["source"] and h100["tdp_w"]["grade"]


def test_user_catalog_file_is_used_and_checked(tmp_path):
    user = tmp_path / "mine.json"
    user.write_text(json.dumps({"format": "inference-planner-catalog", "models": [
        {"id": "bad-model", "name": "x"}]}))
    r = run("catalog", "--catalog", str(user))
    assert r.returncode == 3 and "mine.json" in r.stderr


def test_pdf_report_is_written_without_a_display(tmp_path):
    pdf = tmp_path / "report.pdf"
    r = run("evaluate", EXAMPLE, "--pdf", str(pdf), qt=True)
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    assert f"PDF report written to {pdf}" in r.stdout
