"""Optimize: its pick holds up in the normal engine, nothing cheaper hides in a grid it was
given, and its Pareto front is what the word means."""

import numpy as np
import pytest

from planner_core import PlannerError, evaluate, load_catalog
from planner_core.plan import plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif.optimize import (
    apply_option,
    candidates,
    optimize,
    option_name,
    pareto_mask,
)

CATALOG = load_catalog()
COMPARED = ("usd_per_m_output_tokens", "usd_per_m_tokens", "facility_mw_peak", "accelerators",
            "racks", "ttft_p99_ms", "tpot_p99_ms", "tco_usd_per_year")


def _plan(name):
    return plan_from_json(resource_path("examples", name).read_text())


@pytest.fixture(scope="module")
def chat():
    plan = _plan("llama70b-chat.json")
    return plan, optimize(plan, "chat", CATALOG)


def _engine(plan, workload, row):
    """The normal engine's view of the option, applied as a scenario."""
    applied = apply_option(plan, workload, row, "Optimized")
    results = evaluate(applied, CATALOG, scenarios=["Optimized"])
    return applied, results


def test_the_pick_meets_the_slos_in_the_normal_engine(chat):
    plan, table = chat
    best = table.iloc[0]
    assert best["rank"] == 1 and "cheapest" in best["pick"] and best["meets_slo"]
    applied, results = _engine(plan, "chat", best)
    assert "Optimized" in applied.scenario_names()
    assert results.workloads["meets_slo"].all()
    assert not [w for w in results.warnings if w["severity"] == "error"]
    kpi = results.kpi("Optimized")
    for name in COMPARED:
        assert kpi[name] == pytest.approx(best[name], rel=1e-6), name


def test_no_cheaper_feasible_option_in_a_small_exhaustive_grid():
    plan = _plan("llama70b-chat.json")
    grid = dict(systems=["hgx-h100", "hgx-h200", "mi300x-8"], precisions=["fp8", "bf16"],
                servings=["aggregated"])
    table = optimize(plan, "chat", CATALOG, **grid)
    assert len(table) == len(candidates(plan, "chat", CATALOG, **grid))
    engine_costs = []
    for _, row in table.iterrows():
        if not np.isfinite(row["usd_per_m_output_tokens"]) and not row["meets_slo"]:
            continue
        _, results = _engine(plan, "chat", row)
        kpi = results.kpi("Optimized")
        ok = bool(results.workloads["meets_slo"].all()) and not any(
            w["severity"] == "error" for w in results.warnings)
        assert ok == row["meets_slo"], row["layout"]
        if ok:
            engine_costs.append(kpi["usd_per_m_output_tokens"])
            assert kpi["usd_per_m_output_tokens"] == pytest.approx(
                row["usd_per_m_output_tokens"], rel=1e-6)
    assert engine_costs, "the grid has feasible options"
    assert table.iloc[0]["usd_per_m_output_tokens"] == pytest.approx(min(engine_costs),
                                                                      rel=1e-9)


def test_the_pareto_set_is_non_dominated_and_complete(chat):
    _, table = chat
    ok = table[table["meets_slo"]]
    pts = ok[["usd_per_m_output_tokens", "latency_p99_ms", "facility_mw_peak"]].to_numpy()
    front = ok["pareto"].to_numpy(bool)
    assert 1 < front.sum() < len(ok)
    for i in range(len(pts)):
        dominated = np.any(np.all(pts <= pts[i], axis=1) & np.any(pts < pts[i], axis=1))
        assert dominated != front[i], ok.iloc[i]["layout"]
    # The three picks are on the front: each is best on one objective.
    assert ok[ok["pick"] != ""]["pareto"].all()


def test_pareto_mask_on_a_known_set():
    cost = np.array([1.0, 2.0, 3.0, 2.0, 1.0])
    latency = np.array([5.0, 3.0, 1.0, 4.0, 5.0])
    assert pareto_mask(cost, latency).tolist() == [True, True, True, False, True]


def test_layouts_stay_within_the_scale_up_domain(chat):
    _, table = chat
    for _, row in table[table["meets_slo"]].iterrows():
        system = CATALOG.system(row["system"])
        if row["mig_profile"] is None and row["chips"] is None:
            assert row["tp"] <= system.scaleup_domain


def test_an_option_cannot_replace_a_pool_other_workloads_share():
    plan = _plan("mig-h100-8b-tenants.json")
    table = optimize(plan, "assistant", CATALOG, systems=["hgx-h100"], precisions=["fp8"],
                     servings=["aggregated"])
    with pytest.raises(PlannerError, match="also serves summarizer"):
        apply_option(plan, "assistant", table.iloc[0], "Optimized")


def test_unknown_workload_and_empty_filters_are_named():
    plan = _plan("llama70b-chat.json")
    with pytest.raises(PlannerError, match="no workload named 'nope'"):
        optimize(plan, "nope", CATALOG)
    with pytest.raises(PlannerError, match="no system 'no-such-system'"):
        optimize(plan, "chat", CATALOG, systems=["no-such-system"])
    with pytest.raises(PlannerError, match="unknown precision 'fp9'"):
        optimize(plan, "chat", CATALOG, precisions=["fp9"])
    with pytest.raises(PlannerError, match="aggregated only"):
        optimize(plan, "chat", CATALOG, systems=["groq-rack"], servings=["disaggregated"])


def test_option_names_are_free_and_valid(chat):
    plan, table = chat
    row = table.iloc[0]
    name = option_name(plan, row)
    assert "." not in name and name not in plan.scenario_names()
    applied = apply_option(plan, "chat", row, name)
    again = option_name(applied, row)
    assert again != name and again.endswith("(2)")


def test_an_option_applied_over_a_scenario_keeps_its_own_layout(chat):
    """The scenario set layout.tp itself; the option's whole layout must win over it."""
    plan, table = chat
    row = table[(table["system"] == "hgx-h200") & (table["tp"] == 8) & table["meets_slo"]
                & (table["serving"] == "aggregated")].iloc[0]
    first = apply_option(plan, "chat", row, "First")
    data = first.model_dump(mode="json")
    data["scenarios"][-1]["overrides"]["pools.serving.layout.tp"] = 2
    edited = type(plan).model_validate(data)
    applied = apply_option(edited, "chat", row, "Second", scenario="First")
    assert applied.variant("Second").pools[0].layout.tp == 8
    kpi = evaluate(applied, CATALOG, scenarios=["Second"]).kpi("Second")
    assert kpi["usd_per_m_output_tokens"] == pytest.approx(row["usd_per_m_output_tokens"],
                                                           rel=1e-6)


def test_an_option_refuses_a_workload_two_pools_serve(chat):
    plan, table = chat
    data = plan.model_dump(mode="json")
    data["pools"].append({**data["pools"][0], "name": "second", "system": "hgx-h200"})
    two = type(plan).model_validate(data)
    with pytest.raises(PlannerError, match="served by 2 pools"):
        apply_option(two, "chat", table.iloc[0], "Optimized")


def test_a_rent_for_the_old_hardware_is_dropped(chat):
    plan, table = chat
    data = plan.model_dump(mode="json")
    data["pools"][0]["rent_usd_per_accelerator_hour"] = 3.0
    rented = type(plan).model_validate(data)
    row = table[table["system"] != "gb200-nvl72"].iloc[0]
    applied = apply_option(rented, "chat", row, "Optimized")
    assert applied.variant("Optimized").pools[0].rent_usd_per_accelerator_hour is None
