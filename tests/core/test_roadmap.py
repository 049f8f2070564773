"""The roadmap: periods of a timeline run through the engine, the chosen purchases against
fixed strategies, and plans without a timeline unchanged."""

import json

import pytest

from planner_core import PlannerError, evaluate, load_catalog
from planner_core.engine.calibration import default_calibration
from planner_core.plan import plan_from_dict, plan_from_json
from planner_core.resources import resource_path
from planner_core.roadmap.cohorts import cohorts_from, period_plan
from planner_core.roadmap.periods import demand, periods, power_mw
from planner_core.roadmap.search import choose
from planner_core.roadmap.table import period_table

CATALOG = load_catalog()
CAL = default_calibration()
PLAN = plan_from_json(resource_path("examples", "roadmap-2026-2030.json").read_text())


@pytest.fixture(scope="module")
def strategies():
    return choose(PLAN, CATALOG, CAL)


def test_periods_demand_and_power_follow_the_timeline():
    ps = periods(PLAN.timeline)
    assert [p.label for p in ps] == ["2026", "2027", "2028", "2029", "2030"]
    w = PLAN.workloads[0].name
    assert [round(demand(PLAN, PLAN.timeline, p)[w][0]) for p in ps] == [
        300, 900, 2700, 8100, 24300]
    assert [power_mw(PLAN, PLAN.timeline, p) for p in ps] == [10, 10, 40, 40, 40]


def test_the_chosen_sequence_meets_every_period_as_the_engine_sees_it(strategies):
    chosen = strategies[0]
    assert chosen.name == "chosen" and chosen.run.meets
    from planner_core.roadmap.cohorts import units_for
    from planner_core.roadmap.refresh import retirement

    units = units_for(PLAN, CATALOG, CAL)
    cohorts = cohorts_from(PLAN, chosen.purchases, CATALOG, retirement(PLAN, units, CATALOG))
    for row in chosen.run.rows:
        variant = period_plan(PLAN, row.period, cohorts, units)
        r = evaluate(variant, CATALOG, CAL)
        k = r.kpi()
        # The engine's own single-period evaluation, figure for figure.
        assert float(k.utility_mw) == pytest.approx(row.utility_mw, rel=1e-6)
        assert float(k.it_kw_provisioned) == pytest.approx(row.it_kw_provisioned, rel=1e-6)
        assert bool(r.workloads.meets_slo.all()) == row.meets is True
        assert row.utility_mw <= row.power_available_mw
        for w, need in row.demand_rps.items():
            assert row.capacity_rps[w] >= need


def test_the_chosen_sequence_costs_no_more_than_any_fixed_strategy_that_works(strategies):
    chosen, fixed = strategies[0], strategies[1:]
    assert {s.name for s in fixed} == {"only GB300 NVL72", "only Vera Rubin NVL144",
                                       "newest available", "cheapest per request"}
    for s in fixed:
        if s.run.meets:
            assert chosen.run.npv_usd <= s.run.npv_usd + 1e-6, s.name
    by = {s.name: s for s in fixed}
    # GB300 alone outgrows the site's 40 MW by 2030; Vera Rubin alone has nothing in 2026.
    assert not by["only GB300 NVL72"].run.rows[-1].within_power
    assert not by["only Vera Rubin NVL144"].run.rows[0].meets


def test_the_period_table_has_a_row_per_period_and_cohort(strategies):
    chosen = strategies[0]
    frame = period_table(chosen)
    in_service = sum(max(len(r.cohorts), 1) for r in chosen.run.rows)
    assert len(frame) == in_service
    assert frame.period.nunique() == len(chosen.run.rows)
    assert {"demand_peak_rps", "capacity_rps", "utility_mw", "power_available_mw",
            "capex_usd", "opex_usd", "usd_per_m_output_tokens", "cohort_option",
            "cohort_systems", "npv_usd"} <= set(frame.columns)
    bought = frame.drop_duplicates(["cohort_option", "cohort_bought"])
    assert bought.cohort_systems.sum() == sum(b.systems for b in chosen.purchases)


def test_a_plan_without_a_timeline_evaluates_as_before():
    data = PLAN.model_dump(mode="json")
    data["timeline"], data["scenarios"] = None, []  # its scenario only moves the timeline
    without = evaluate(plan_from_dict(data), CATALOG, CAL)
    with_it = evaluate(PLAN, CATALOG, CAL, scenarios=["base"])
    assert without.kpis.drop(columns="scenario").equals(with_it.kpis.drop(columns="scenario"))


@pytest.mark.parametrize("change, message", [
    (lambda t: t["demand"][0].update(peaks_rps=[1.0, 2.0]), "2 peaks for 5 periods"),
    (lambda t: t["purchases"].append({"period": 0, "option": "nope", "systems": 1}),
     "no option named 'nope'"),
    (lambda t: t["purchases"].append({"period": 7, "option": "GB300 NVL72", "systems": 1}),
     "past the last"),
    (lambda t: t["options"].append({"name": "x", "pool": "missing"}), "does not have"),
    (lambda t: t.update(period="quarter", periods=41), "less than or equal to 40"),
])
def test_a_bad_timeline_is_refused_naming_it(change, message):
    data = json.loads(json.dumps(PLAN.model_dump(mode="json")))
    change(data["timeline"])
    with pytest.raises(PlannerError, match=message):
        plan_from_dict(data)


def _with(**timeline) -> object:
    data = PLAN.model_dump(mode="json")
    data["scenarios"] = []
    data["facility"]["amortization_years"] = 2.0
    data["timeline"].update(timeline)
    return plan_from_dict(data)


def test_systems_retire_at_an_age_or_when_they_stop_earning():
    from planner_core.roadmap.cohorts import units_for
    from planner_core.roadmap.refresh import retirement

    aged = _with(refresh="age")
    units = units_for(aged, CATALOG, CAL)
    assert retirement(aged, units, CATALOG)("GB300 NVL72", 0) == 2  # the 2-year write-off
    assert retirement(_with(refresh="age", retire_after_years=3.0), units, CATALOG)(
        "GB300 NVL72", 0) == 3
    earns = _with(refresh="earns")
    retires = retirement(earns, units, CATALOG)
    # Its racks paid for, a GB300 cohort runs for less per request than a new Vera Rubin
    # rack would cost: it stays past the timeline's end.
    assert retires("GB300 NVL72", 0) > 4 and retires("Vera Rubin NVL144", 1) > 4
    # Rubin racks at a tenth of the price a year on: the GB300 racks go as soon as they
    # are written off, never before.
    options = [dict(o.model_dump(mode="json")) for o in earns.timeline.options]
    options[1]["price_decline_per_year"] = 0.9
    cheap = _with(refresh="earns", options=options)
    assert retirement(cheap, units_for(cheap, CATALOG, CAL), CATALOG)("GB300 NVL72", 0) == 2
    strategies = choose(earns, CATALOG, CAL)
    assert strategies[0].run.meets
    for row in strategies[0].run.rows:
        assert all(c.bought <= row.period.index < c.retires for c in row.cohorts)
