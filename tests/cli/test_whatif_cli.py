"""`sweep` and `optimize` as a user runs them (without Qt): tables, CSV files, exit codes."""

import pandas as pd
import pytest

from planner_core.resources import resource_path
from tests.cli.test_evaluate_cli import run

CHAT = str(resource_path("examples", "llama70b-chat.json"))
MIG = str(resource_path("examples", "mig-h100-8b-tenants.json"))


def test_numeric_sweep_prints_a_sample_and_writes_every_row(tmp_path):
    out = tmp_path / "sweep.csv"
    r = run("sweep", CHAT, "--param", "workloads.chat.traffic.peak_rps",
            "--values", "1:400:5000", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    assert "over 5,000 value(s)" in r.stdout and "25 of 5,000 rows shown" in r.stdout
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len(table) == 5000
    assert table["workloads.chat.traffic.peak_rps (req/s)"].iloc[-1] == pytest.approx(400.0)
    # More traffic never needs fewer accelerators.
    assert table["accelerators"].is_monotonic_increasing


def test_categorical_sweep_and_scenario(tmp_path):
    r = run("sweep", CHAT, "--param", "workloads.chat.weight_precision",
            "--values", "fp8,bf16", "--scenario", "HGX H200")
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.splitlines() if line.startswith(("fp8", "bf16"))]
    assert len(lines) == 2


@pytest.mark.parametrize("args,code,message", [
    (["--param", "facility.pue", "--values", "0.5,1.2"], 3, "greater than or equal to 1"),
    (["--param", "facility.cost_model", "--values", "1"], 3, "cannot be swept"),
    (["--param", "facility.pue", "--values", "1:2:x"], 3, "START:STOP:COUNT"),
    (["--param", "facility.pue", "--values", "1.2", "--scenario", "nope"], 2, "no scenario"),
])
def test_sweep_refusals_name_the_problem(args, code, message):
    r = run("sweep", CHAT, *args)
    assert r.returncode == code and message in r.stderr and "Traceback" not in r.stderr


def test_optimize_ranks_options_and_writes_them_all(tmp_path):
    out = tmp_path / "options.csv"
    r = run("optimize", CHAT, "--top", "3", "--shipping", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    assert "cheapest" in r.stdout and "lowest latency" in r.stdout and "Pareto" in r.stdout
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert (table["status"] == "shipping").all()
    ranked = table.dropna(subset=["rank"])
    assert ranked["meets_slo"].all()
    assert ranked["usd_per_m_output_tokens"].is_monotonic_increasing


def test_optimize_needs_a_workload_when_the_plan_has_several():
    r = run("optimize", MIG)
    assert r.returncode == 2 and "--workload" in r.stderr
    r = run("optimize", MIG, "--workload", "summarizer", "--system", "hgx-h100", "--top", "2")
    assert r.returncode == 0, r.stderr
    assert "hgx-h100" in r.stdout and "summarizer" in r.stdout


def test_optimize_tries_only_shipping_systems_unless_asked(tmp_path):
    default, wide = tmp_path / "default.csv", tmp_path / "wide.csv"
    assert run("optimize", CHAT, "--top", "1", "--csv", str(default)).returncode == 0
    assert run("optimize", CHAT, "--top", "1", "--announced", "--csv",
               str(wide)).returncode == 0
    assert (pd.read_csv(default, encoding="utf-8-sig")["status"] == "shipping").all()
    assert (pd.read_csv(wide, encoding="utf-8-sig")["status"] != "shipping").any()
    named = tmp_path / "named.csv"
    r = run("optimize", CHAT, "--top", "1", "--system", "vera-rubin-nvl144", "--csv", str(named))
    assert r.returncode == 0, r.stderr
    assert set(pd.read_csv(named, encoding="utf-8-sig")["system"]) == {"vera-rubin-nvl144"}
