"""Strategies as the plan's scenarios: stored purchases run as they are, strategies saved as
scenarios, and every scenario's own sequence compared side by side."""

import pytest

from planner_core import load_catalog
from planner_core.engine.calibration import default_calibration
from planner_core.plan import plan_from_json
from planner_core.plan.edits import add_scenario, set_value
from planner_core.resources import resource_path
from planner_core.roadmap.scenarios import (
    CHOSEN,
    STORED,
    compare,
    saved_as_scenarios,
    scenario_names,
)
from planner_core.roadmap.search import PLANS, choose, run_stored

CATALOG = load_catalog()
CAL = default_calibration()
PLAN = plan_from_json(resource_path("examples", "roadmap-2026-2030.json").read_text())


def _cal(_variant):
    return CAL


@pytest.fixture(scope="module")
def strategies():
    return choose(PLAN, CATALOG, CAL)


@pytest.fixture(scope="module")
def applied(strategies):
    """The example with its chosen purchases applied, and a scenario whose grid never grows."""
    buys = [b.model_dump(mode="json") for b in strategies[0].purchases]
    plan = set_value(PLAN, "timeline.purchases", buys)
    plan = add_scenario(plan, name="Grid stays at 10 MW")
    return set_value(plan, "timeline.power", [{"start": "2026-01", "utility_mw": 10.0}],
                     "Grid stays at 10 MW")


def _key(purchases):
    return [(b.period, b.option, b.systems) for b in purchases]


def test_stored_purchases_are_run_as_they_are_beside_the_search(strategies, applied):
    again = choose(applied, CATALOG, CAL)
    names = [s.name for s in again]
    assert names[0] == "chosen" and PLANS in names
    stored = again[names.index(PLANS)]
    assert _key(stored.purchases) == _key(strategies[0].purchases)
    assert stored.run.npv_usd == pytest.approx(strategies[0].run.npv_usd, rel=1e-9)
    alone = run_stored(applied, CATALOG, CAL)
    assert alone.name == PLANS
    assert [r.utility_mw for r in alone.run.rows] == pytest.approx(
        [r.utility_mw for r in stored.run.rows], rel=1e-12)
    # Without stored purchases there is no such strategy.
    assert PLANS not in [s.name for s in strategies]


def test_a_scenario_runs_its_stored_purchases_and_says_so(applied):
    compared = compare(applied, CATALOG, _cal)
    assert [s.name for s in compared] == ["base", "Grid a year late", "Grid stays at 10 MW"]
    assert {s.basis for s in compared} == {STORED}
    base, _late, stuck = compared
    assert base.run.meets
    # The same purchases under a grid that never grows: 2030's fleet draws more than 10 MW,
    # and the comparison says so rather than quietly buying something else.
    assert _key(stuck.purchases) == _key(base.purchases)
    assert not stuck.run.meets
    assert stuck.run.rows[-1].utility_mw > 10.0 and not stuck.run.rows[-1].within_power
    assert stuck.run.rows[0].within_power


def test_a_scenario_without_purchases_gets_the_sequence_chosen_for_it(strategies):
    compared = compare(PLAN, CATALOG, _cal, known={"base": strategies})
    assert [s.basis for s in compared] == [CHOSEN, CHOSEN]
    assert _key(compared[0].purchases) == _key(strategies[0].purchases)
    late = compared[1]
    assert late.run.meets
    assert [r.power_available_mw for r in late.run.rows] == [10, 10, 10, 40, 40]


def test_strategies_saved_as_scenarios_compare_as_they_ran(strategies):
    plan = saved_as_scenarios(PLAN, strategies)
    distinct = {tuple(_key(s.purchases)) for s in strategies if s.purchases}
    added = [s for s in plan.scenarios if s.name.startswith("Buy ")]
    assert len(added) == len(distinct)  # the same sequence is stored once
    assert {s.name for s in added} >= {"Buy the chosen sequence", "Buy only GB300 NVL72"}
    assert scenario_names(plan) == plan.scenario_names()
    by_name = {s.name: s for s in strategies}
    compared = {s.name: s for s in compare(plan, CATALOG, _cal, known={"base": strategies})}
    for name, original in (("Buy the chosen sequence", "chosen"),
                           ("Buy only GB300 NVL72", "only GB300 NVL72")):
        assert compared[name].basis == STORED
        assert compared[name].run.npv_usd == pytest.approx(by_name[original].run.npv_usd,
                                                           rel=1e-9)
        assert compared[name].run.meets == by_name[original].run.meets
    # Saved from a scenario, a strategy keeps that scenario's own overrides.
    late = saved_as_scenarios(PLAN, strategies[:1], like="Grid a year late")
    saved = late.variant(late.scenarios[-1].name).timeline
    assert saved.power == PLAN.variant("Grid a year late").timeline.power
    assert _key(saved.purchases) == _key(strategies[0].purchases)
