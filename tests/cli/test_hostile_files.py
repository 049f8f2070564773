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
