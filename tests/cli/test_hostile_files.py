"""Files a corrupt download or a hostile colleague would hand over (issue 20): each is one
line naming the file and exit 3, never a traceback, a hang or an unbounded read; a bug in the
planner itself is one line and exit 70, the traceback only with --debug."""

from __future__ import annotations

import json
import os
import sys

import pytest

from app.main import main
from planner_core import PlannerError, read_plan
from planner_core.json_guard import MAX_DEPTH
from planner_core.resources import resource_path

EXAMPLE = resource_path("examples", "llama70b-chat.json")


def _one_line_refusal(capsys, argv: list[str], *words: str) -> str:
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, err
    return err


def _deep(levels: int):
    value: object = 1
    for _ in range(levels):
        value = {"x": value}
    return value


def test_a_scenario_override_nested_hundreds_deep_is_one_line(tmp_path, capsys):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["scenarios"][0]["overrides"] = {"facility.pue": _deep(900)}
    plan = tmp_path / "deep.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    _one_line_refusal(capsys, ["evaluate", str(plan)], str(plan), f"{MAX_DEPTH} levels")
    with pytest.raises(PlannerError, match="nested"):
        read_plan(plan)


@pytest.mark.parametrize(("text", "words"), [
    (json.dumps({"systems": {"hgx-h200": _deep(900)}}), ["levels"]),
    ('{"systems": {"hgx-h200": {"price_usd": ' + "9" * 5000 + "}}}", ["thousands of digits"]),
    ('{"models": {"llama-3.1-8b": {"params_b": 1e308}}}', ["params_b", "not a planning"]),
    ('{"accelerators": {"h100-sxm-80gb": {"tdp_w": Infinity}}}', ["tdp_w", "not a planning"]),
    ('{"systems": {"hgx-h200": {"name": "' + "x" * 200_000 + '"}}}', ["200,000 characters"]),
], ids=["deep", "digits", "1e308", "infinity", "long-text"])
def test_a_hostile_catalog_file_is_one_line(tmp_path, capsys, text, words):
    path = tmp_path / "mine.json"
    path.write_text(text, encoding="utf-8")
    _one_line_refusal(capsys, ["catalog", "--catalog", str(path)], str(path), *words)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_catalog_that_is_a_fifo_or_a_device_is_refused_without_reading(tmp_path, capsys):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # reading it would block for ever
    _one_line_refusal(capsys, ["catalog", "--catalog", str(fifo)], "not a regular file")
    if os.path.exists("/dev/zero"):  # reading it would never end
        _one_line_refusal(capsys, ["catalog", "--catalog", "/dev/zero"],
                          "not a regular file")


def test_a_catalog_file_with_a_byte_order_mark_reads(tmp_path, capsys):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"systems": {"hgx-h200": {"price_usd": 250000}}}).encode())
    assert main(["catalog", "--catalog", str(path), "systems"]) == 0
    assert "250,000" in capsys.readouterr().out


def test_a_bug_is_one_line_and_exit_70_and_the_traceback_is_on_request(monkeypatch, capsys):
    import app.cli.catalog as cli_catalog

    def broken(_catalogs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli_catalog, "load_catalog", broken)
    assert main(["catalog"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "internal error (ZeroDivisionError: division by zero)" in err and "--debug" in err
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "catalog"])


def test_a_deep_recovery_copy_is_damaged_not_a_crash(tmp_path):
    from planner_core.plan.recovery import RECOVERY_FORMAT, read_recovery

    path = tmp_path / "copy.json"
    path.write_text(json.dumps({"format": RECOVERY_FORMAT, "saved_at": "2026-12-01T00:00:00",
                                "original": None, "plan": _deep(900)}), encoding="utf-8")
    old = sys.getrecursionlimit()
    with pytest.raises(PlannerError, match="damaged recovery copy"):
        read_recovery(path)
    assert sys.getrecursionlimit() == old


@pytest.mark.parametrize("name", ["chat\r=cmd|' /C calc'!A0", "ab\u202ecd", "tab\there"],
                         ids=["carriage-return", "bidi-override", "tab"])
def test_names_with_control_or_direction_characters_are_refused(tmp_path, capsys, name):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["workloads"][0]["name"] = name
    data["pools"][0]["workloads"] = [name]
    data["scenarios"] = [s for s in data["scenarios"] if "workloads" not in json.dumps(s)]
    plan = tmp_path / "names.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    _one_line_refusal(capsys, ["evaluate", str(plan)], "control character")


def test_a_pool_listing_a_workload_twice_is_refused(tmp_path, capsys):
    """Counted twice it doubled the tokens and halved $/M (3.56 → 1.80), without a word."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["pools"][0]["workloads"] = ["chat", "chat"]
    plan = tmp_path / "twice.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    _one_line_refusal(capsys, ["evaluate", str(plan)], "lists workload 'chat' twice")


def test_csv_text_cells_are_quoted_so_no_cell_starts_a_row():
    import csv
    import io

    import pandas as pd

    from planner_core.exports.results_csv import to_csv_bytes

    table = pd.DataFrame({"reason": ["a\r=cmd|' /C calc'!A0", "b\nc"], "mw": [1.5, 2.0]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(table).decode("utf-8-sig"), newline="")))
    assert rows == [["reason", "mw"], ["a\r=cmd|' /C calc'!A0", "1.5"], ["b\nc", "2.0"]]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_output_that_is_a_pipe_is_refused_not_replaced(tmp_path, capsys):
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    assert main(["evaluate", str(EXAMPLE), "--csv", str(fifo)]) == 4
    err = capsys.readouterr().err
    assert "not a regular file" in err and "Traceback" not in err
    import stat

    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_backup_that_is_a_link_is_replaced_not_written_through(tmp_path):
    from planner_core import write_plan

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    plan = tmp_path / "plan.json"
    write_plan(plan, read_plan(EXAMPLE))
    (tmp_path / "plan.json.bak").symlink_to(victim)
    write_plan(plan, read_plan(EXAMPLE))
    assert victim.read_text(encoding="utf-8") == "keep me"
    bak = tmp_path / "plan.json.bak"
    assert not bak.is_symlink() and read_plan(bak).name == read_plan(EXAMPLE).name


def test_prompts_beyond_the_models_context_are_an_error_not_a_plan(tmp_path, capsys):
    """1M-token prompts on a 131k-context model were planned as 41,184 GPUs meeting their
    SLOs; now the scenario fails with a named reason (exit 5) and the warning says why."""
    from planner_core import evaluate, load_catalog

    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["workloads"][0]["input_tokens"]["mean"] = 1_000_000
    data["scenarios"] = []
    plan = tmp_path / "long.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    assert main(["evaluate", str(plan)]) == 5
    err = capsys.readouterr().err
    assert "exceed" in err and "context of 131,072 tokens" in err and "Traceback" not in err
    warnings = evaluate(read_plan(plan), load_catalog()).warnings
    assert [w["kind"] for w in warnings if w["severity"] == "error"][0] == "beyond-context"
