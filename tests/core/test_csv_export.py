"""CSV export: the table's shape and names, formula neutralization, and reading it back."""

import pandas as pd
import pytest

from planner_core import PlannerError, evaluate
from planner_core.exports.results_csv import neutralize, results_table, write_results_csv
from planner_core.plan import edits

# Counts and the PUE (a ratio) carry no unit; every other numeric column's name must say its unit.
COUNTS = {"accelerators_per_replica", "replicas", "replicas_needed", "prefill_replicas",
          "max_batch",
          "batch_at_peak", "accelerators", "systems", "racks", "systems_per_rack", "pue"}
UNITS = ("_ms", "_w", "_pct", "usd", "kw", "mw", "wh", "rps", "tok_s", "tokens")


@pytest.fixture(scope="module")
def results(example_plan, catalog):
    return evaluate(example_plan, catalog)


def test_one_row_per_scenario_pool_workload(results, example_plan):
    table = results_table(results)
    expected = {(s, p.name, w) for s in example_plan.scenario_names()
                for p in example_plan.pools for w in p.workloads}
    assert set(zip(table.scenario, table.pool, table.workload, strict=True)) == expected
    assert len(table) == len(expected)


def test_every_numeric_column_names_its_unit(results):
    table = results_table(results)
    bare = [c for c in table.columns
            if pd.api.types.is_numeric_dtype(table[c]) and table[c].dtype != bool
            and c.removeprefix("pool_").removeprefix("scenario_") not in COUNTS
            and not any(u in c for u in UNITS)]
    assert bare == []


def test_read_back_with_pandas_gives_the_same_numbers(results, tmp_path):
    out = tmp_path / "results.csv"
    write_results_csv(out, results)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    back = pd.read_csv(out)
    assert list(back.columns[:3]) == ["scenario", "pool", "workload"]
    kpi = results.kpi("base")
    base = back[back.scenario == "base"].iloc[0]
    assert base["scenario_usd_per_m_output_tokens"] == pytest.approx(
        kpi["usd_per_m_output_tokens"], rel=1e-9)
    assert base["scenario_facility_mw_peak"] == pytest.approx(kpi["facility_mw_peak"],
                                                              rel=1e-9)
    assert set(back.scenario) == set(results.kpis.scenario)


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", " =x"])
def test_formula_like_text_is_neutralized(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["chat", "a=b", "3.5", 3.5, -2.0, None])
def test_other_cells_stay_as_they_are(value):
    assert neutralize(value) == value


def test_hostile_names_do_not_reach_a_spreadsheet_as_formulas(example_plan, catalog, tmp_path):
    plan = edits.rename(example_plan, "workloads", "chat", "=HYPERLINK(\"http://x\",\"y\")")
    plan = edits.rename(plan, "pools", "serving", "@SUM(1)")
    plan = edits.rename(plan, "scenarios", "HGX H200", "-cmd")
    out = tmp_path / "hostile.csv"
    write_results_csv(out, evaluate(plan, catalog))
    back = pd.read_csv(out)
    cells = [str(v) for col in ("scenario", "pool", "workload") for v in back[col]]
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'=HYPERLINK(\"http://x\",\"y\")" in set(back.workload)
    assert "'-cmd" in set(back.scenario)


def test_unwritable_target_raises_our_error_and_keeps_the_file(results, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(PlannerError, match="folder"):
        write_results_csv(folder, results)
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    with pytest.raises(PlannerError):
        write_results_csv(blocker / "results.csv", results)
    assert blocker.read_text() == "keep"
