"""Readable at a glance from the command line: a sweep's values that miss say why and leave
their figures blank (table and CSV), and `evaluate` of a plan with a failing scenario still
prints the others, says which failed on stderr and exits 5."""

import json
from pathlib import Path

import pandas as pd
import pytest

from planner_core import PlannerError
from planner_core.resources import resource_path
from tests.cli.test_evaluate_cli import run

CHAT = str(resource_path("examples", "llama70b-chat.json"))


def test_sweep_prints_and_writes_the_reason_and_blanks(tmp_path):
    out = tmp_path / "ttft.csv"
    r = run("sweep", CHAT, "--param", "workloads.chat.slo.ttft_p99_ms", "--values", "100,600",
            "--csv", str(out))
    assert r.returncode == 0, r.stderr
    header, rule, missed, met = r.stdout.split("\n\n")[1].splitlines()[:4]
    assert header.startswith("workloads.chat.slo.ttft_p99_ms (ms)")
    assert header.rstrip().endswith("meets SLOs  reason")  # flush left, like the reasons
    assert missed.startswith("100 ") and " NO " in missed
    assert missed.endswith("chat: TTFT p99 limit 100 ms not met even at low load (293 ms)")
    assert missed.count("—") == 7 and "0.000" not in missed
    assert met.startswith("600 ") and "—" not in met
    text = out.read_text(encoding="utf-8-sig")
    # Text cells are quoted (a line break in one stays in its cell), numbers are not.
    assert text.splitlines()[0].startswith('"workloads.chat.slo.ttft_p99_ms (ms)","accelerators",')
    assert "inf" not in text.lower()
    table = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert table.columns[-1] == "reason"
    figures = table.columns[1:-2]
    assert (table.loc[0, figures] == "").all()  # empty cells, not 0
    assert table.loc[0, "reason"].startswith("chat: TTFT p99 limit 100 ms")
    assert table.loc[1, "reason"] == "" and (table.loc[1, figures] != "").all()


def _with_failing_scenario(tmp_path: Path) -> Path:
    """The chat example plus a scenario whose LPU chain is far too short for the model."""
    data = json.loads(Path(CHAT).read_text())
    data["scenarios"].append({"name": "Short chain", "overrides": {
        "pools.serving.system": "groq-rack", "workloads.chat.weight_precision": None,
        "pools.serving.layout.chips": 3}})
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    return plan


def test_evaluate_with_a_scenario_in_error_exits_5_and_prints_the_others(tmp_path):
    plan, out = _with_failing_scenario(tmp_path), tmp_path / "out.csv"
    r = run("evaluate", str(plan), "--csv", str(out))
    assert r.returncode == 5
    assert r.stderr.strip().splitlines() == [
        "inference-planner: scenario 'Short chain': pools.serving: chat: 3 chips hold 0.6 GB; "
        "llama-3.1-70b needs 686 chips"]
    assert "HGX H200" in r.stdout and "Power +50%" in r.stdout
    assert {"base", "HGX H200"} <= set(pd.read_csv(out, encoding="utf-8-sig").scenario)
    alone = run("evaluate", str(plan), "--scenario", "HGX H200")
    assert alone.returncode == 0 and alone.stderr == ""


def _evaluate_in_process(monkeypatch, capsys, plan: str, fails) -> tuple[int, str, str]:
    """`evaluate PLAN` with evaluate_scenario raising, as a plan the engine refuses would make
    it, for the scenarios ``fails`` names."""
    import app.cli.evaluate as cli
    from app.cli.parser import build_parser
    from app.cli.parser import run as run_args

    real = cli.evaluate_scenario

    def evaluate_scenario(variant, name, catalog):
        if fails(name):
            raise PlannerError(f"no sizing for {name}", field="pools.serving")
        return real(variant, name, catalog)

    monkeypatch.setattr(cli, "evaluate_scenario", evaluate_scenario)
    code = run_args(build_parser().parse_args(["evaluate", plan]))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_scenario_that_cannot_be_evaluated_is_one_line_and_exit_5(monkeypatch, capsys):
    code, out, err = _evaluate_in_process(monkeypatch, capsys, CHAT,
                                          lambda name: name == "HGX H200")
    assert code == 5
    assert err.strip().splitlines() == [
        "inference-planner: scenario 'HGX H200': could not be evaluated: pools.serving: no "
        "sizing for HGX H200"]
    assert "4 scenarios" not in out and "3 scenarios" in out
    assert "Groq LPU racks" in out and "HGX H200" not in out


def test_when_every_scenario_fails_nothing_is_printed(monkeypatch, capsys):
    code, out, err = _evaluate_in_process(monkeypatch, capsys, CHAT, lambda name: True)
    assert code == 5 and out == ""
    assert len(err.strip().splitlines()) == 4


@pytest.mark.parametrize("command", ["evaluate"])
def test_exit_code_5_is_documented(command):
    r = run(command, "--help")
    assert r.returncode == 0
    assert "5 a scenario failed" in " ".join(r.stdout.split())
