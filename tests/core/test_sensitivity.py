"""Tornado and Monte Carlo: the right figures moved, by the right amounts, with the spread the
grades call for."""

from dataclasses import replace

import numpy as np
import pytest

from planner_core import (
    Calibration,
    Plan,
    PlannerError,
    default_calibration,
    evaluate,
    load_catalog,
)
from planner_core import catalog as catalog_module
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif.sensitivity import assumptions, tornado
from planner_core.whatif.uncertainty import monte_carlo

CATALOG = load_catalog()


def _plan(name="llama70b-chat.json"):
    return plan_from_json(resource_path("examples", name).read_text())


def test_assumptions_cover_the_plan_and_its_hardware_with_grades():
    items = {a.path: a for a in assumptions(_plan(), CATALOG)}
    assert "facility.electricity_usd_per_kwh" in items
    assert items["facility.pue"].grade == "P"  # its description cites Uptime Institute [P]
    assert items["facility.cost_of_capital"].grade == "assumption"
    assert "facility.facility_capex_usd_per_mw" not in items  # colocation plan: not used
    assert items["catalog.systems.gb200-nvl72.price_usd"].grade == \
        CATALOG.system("gb200-nvl72").price_usd.grade
    assert "workloads.chat.traffic.peak_rps" in items


def test_tornado_rows_are_the_engine_at_both_ends():
    plan = _plan()
    table = tornado(plan, 20, catalog=CATALOG)
    assert table["swing"].is_monotonic_decreasing
    row = table.set_index("path").loc["facility.electricity_usd_per_kwh"]
    for value, kpi in ((row["low_value"], row["kpi_low"]), (row["high_value"], row["kpi_high"])):
        moved = apply_overrides(plan, {"facility.electricity_usd_per_kwh": float(value)})
        assert evaluate(moved, CATALOG).kpi("base")["usd_per_m_output_tokens"] == \
            pytest.approx(kpi, rel=1e-9)
    # Energy cost is linear in the price: the two ends sit symmetrically about the base.
    assert row["kpi_high"] - row["kpi_base"] == pytest.approx(row["kpi_base"] - row["kpi_low"],
                                                              rel=1e-6)
    assert row["low_value"] == pytest.approx(0.0806 * 0.8)


def test_tornado_keeps_moves_within_the_plan_bounds():
    plan = apply_overrides(_plan(), {"facility.pue": 1.1})
    row = tornado(plan, 30, catalog=CATALOG).set_index("path").loc["facility.pue"]
    assert row["low_value"] == 1.0 and row["high_value"] == pytest.approx(1.43)
    with pytest.raises(PlannerError, match="between 0 and 100"):
        tornado(plan, 150, catalog=CATALOG)


def test_monte_carlo_bands_are_ordered_repeatable_and_follow_the_grades(monkeypatch):
    plan = _plan()
    first = monte_carlo(plan, 500, seed=3, catalog=CATALOG)
    again = monte_carlo(plan, 500, seed=3, catalog=CATALOG)
    pct = first["percentiles"]
    assert (pct.loc["P10"] <= pct.loc["P50"]).all() and (pct.loc["P50"] <= pct.loc["P90"]).all()
    assert pct.equals(again["percentiles"])
    width = pct.loc["P90", "usd_per_m_output_tokens"] - pct.loc["P10", "usd_per_m_output_tokens"]
    assert width > 0
    # Every grade twice as uncertain: a wider band; no uncertainty: no band at all.
    wide = {g: 2 * s for g, s in catalog_module.GRADE_SPREAD.items()}
    monkeypatch.setattr("planner_core.whatif.uncertainty.GRADE_SPREAD", wide)
    wpct = monte_carlo(plan, 500, seed=3, catalog=CATALOG)["percentiles"]
    assert wpct.loc["P90", "usd_per_m_output_tokens"] - wpct.loc[
        "P10", "usd_per_m_output_tokens"] > 1.5 * width
    monkeypatch.setattr("planner_core.whatif.uncertainty.GRADE_SPREAD",
                        {g: 0.0 for g in catalog_module.GRADE_SPREAD})

    class Exact(Calibration):  # the calibration as if it had no error at all
        def basis(self, *args, **kwargs):
            return replace(super().basis(*args, **kwargs), spread=0.0)

    flat = monte_carlo(plan, 50, seed=3, catalog=CATALOG,
                       calibration=Exact(default_calibration().doc))["percentiles"]
    base = evaluate(plan, CATALOG).kpi("base")["usd_per_m_output_tokens"]
    assert np.allclose(flat["usd_per_m_output_tokens"], base, rtol=1e-9)


def test_monte_carlo_refuses_a_silly_sample_count():
    with pytest.raises(PlannerError, match="samples"):
        monte_carlo(_plan(), 3, catalog=CATALOG)


def test_uncertainty_bands_grow_with_traffic_and_stay_ordered():
    from planner_core.whatif.uncertainty import uncertainty_bands

    bands = uncertainty_bands(_plan(), 200, seed=1, catalog=CATALOG)
    assert list(bands["traffic_factor"]) == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]
    for k in ("usd_per_m_output_tokens", "facility_mw_peak"):
        assert (bands[f"{k}_p10"] <= bands[f"{k}_p50"]).all()
        assert (bands[f"{k}_p50"] <= bands[f"{k}_p90"]).all()
    assert bands["feasible_share"].between(0, 1).all()
    # More traffic never draws less power (idle accelerators draw idle power only).
    assert bands["facility_mw_peak_p50"].is_monotonic_increasing
    one = bands.set_index("traffic_factor").loc[1.0]
    mc = monte_carlo(_plan(), 200, seed=1, catalog=CATALOG)["percentiles"]
    assert one["usd_per_m_output_tokens_p50"] == pytest.approx(
        mc.loc["P50", "usd_per_m_output_tokens"], rel=0.1)


def _one_pool(system: str, engine: str = "auto") -> Plan:
    return Plan.model_validate({
        "name": "basis", "workloads": [{
            "name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
            "traffic": {"peak_rps": 400.0}, "input_tokens": {"mean": 1000},
            "output_tokens": {"mean": 300}, "slo": {"ttft_p99_ms": 3000, "tpot_p99_ms": 60}}],
        "pools": [{"name": "gpus", "system": system, "engine": engine, "layout": {"tp": 8},
                   "workloads": ["chat"]}]})


def test_a_borrowed_basis_is_said_and_spreads_wider(monkeypatch):
    cal = default_calibration()
    # MI355X (CDNA4) has no measurement under any engine: its figures are borrowed, the
    # pool says so, and its performance is drawn with the error borrowed fits are measured
    # to carry, wider than a calibrated H200 pool's.
    amd, nvidia = _one_pool("mi355x-8", "sglang"), _one_pool("hgx-h200", "trtllm")
    amd_results = evaluate(amd, CATALOG)
    assert amd_results.pools.iloc[0]["calibration_basis"].startswith("borrowed from ")
    assert any(w["kind"] == "calibration-basis" for w in amd_results.warnings)
    nv_results = evaluate(nvidia, CATALOG)
    assert nv_results.pools.iloc[0]["calibration_basis"].startswith("calibrated (")
    assert not any(w["kind"] == "calibration-basis" for w in nv_results.warnings)
    spread = {a.path: a.spread for a in assumptions(amd, CATALOG, cal)}
    nv_spread = {a.path: a.spread for a in assumptions(nvidia, CATALOG, cal)}
    # The measured median error, as the standard deviation of a normal log error.
    assert spread["pools.gpus.performance"] == pytest.approx(
        cal.doc["borrowing_error_pct"] / 100 / 0.6745)
    assert spread["pools.gpus.performance"] > 2 * nv_spread["pools.gpus.performance"]

    # With every graded figure held, the spread of the cost is the pools' performance alone.
    monkeypatch.setattr("planner_core.whatif.uncertainty.GRADE_SPREAD",
                        {g: 0.0 for g in catalog_module.GRADE_SPREAD})

    def width(plan):
        p = monte_carlo(plan, 400, seed=5, catalog=CATALOG)["percentiles"]
        cost = p["usd_per_m_output_tokens"]
        return (cost["P90"] - cost["P10"]) / cost["P50"]

    assert width(amd) > 2 * width(nvidia) > 0
