"""A scenario's overrides in words: base value, new value, units, grouping and truncation."""

import pytest

from planner_core import PlannerError
from planner_core.plan import describe_overrides, plan_from_dict


def _with(plan, overrides: dict, name: str = "Probe"):
    """The plan with one more scenario holding ``overrides`` (validated like any edit)."""
    data = plan.model_dump(mode="json")
    data["scenarios"].append({"name": name, "description": "", "overrides": overrides})
    return plan_from_dict(data)


def test_numbers_read_base_to_new_with_their_units(example_plan):
    plan = _with(example_plan, {"workloads.chat.traffic.peak_rps": 80.0,
                                "facility.electricity_usd_per_kwh": 0.12})
    assert describe_overrides(plan, "Probe") == (
        "chat peak 40 → 80 req/s; electricity $0.0806 → $0.12/kWh")


def test_changes_to_one_pool_name_it_once(example_plan):
    text = describe_overrides(example_plan, "HGX H200")
    assert text == ("pool serving system gb200-nvl72 → hgx-h200, TP 8 → 4, "
                    "rent $6 → $3.5/accelerator-hour")


def test_a_null_says_what_it_means_for_that_field(example_plan):
    # The Groq scenario drops the rent and the workload's weight precision.
    text = describe_overrides(example_plan, "Groq LPU racks")
    assert "rent $6/accelerator-hour → none (bought)" in text
    assert "chat weights fp8 → model default" in text


def test_shares_read_as_percentages(example_plan):
    plan = _with(example_plan, {"pools.serving.target_utilization": 0.6})
    assert describe_overrides(plan, "Probe") == "pool serving target utilization 75 → 60%"


def test_a_field_without_a_label_reads_as_its_path(example_plan):
    plan = _with(example_plan, {"site.cooling.climate": "hot-dry"})
    assert describe_overrides(plan, "Probe") == "site cooling climate temperate → hot-dry"


def test_a_value_the_base_plan_lacks_is_shown_alone(example_plan):
    plan = _with(example_plan, {"pools.serving.speculative": {"draft_tokens": 2},
                                "pools.serving.speculative.acceptance": 0.8})
    assert describe_overrides(plan, "Probe") == (
        "pool serving speculative decoding off → on, draft acceptance 80%")


def test_long_lists_stop_with_a_count(example_plan):
    overrides = {"facility.pue": 1.4, "facility.amortization_years": 4.0,
                 "facility.cost_of_capital": 0.1, "facility.rack_power_budget_kw": 100.0,
                 "facility.maintenance_pct_per_year": 4.0}
    text = describe_overrides(_with(example_plan, overrides), "Probe")
    assert text == ("PUE 1.3 → 1.4; amortization 5 → 4 years; cost of capital 8 → 10%; "
                    "and 2 more")
    exactly = dict(list(overrides.items())[:4])
    assert "more" not in describe_overrides(_with(example_plan, exactly), "Probe")


def test_power_phases_and_mig_slices_are_spelled_out(catalog):
    from planner_core.plan import plan_from_json
    from planner_core.resources import resource_path

    roadmap = plan_from_json(resource_path("examples", "roadmap-2026-2030.json").read_text())
    assert describe_overrides(roadmap, "Grid a year late") == (
        "utility power 10 MW from 2026-01, 40 MW from 2028-01 → "
        "10 MW from 2026-01, 40 MW from 2029-01")
    mig = plan_from_json(resource_path("examples", "mig-h100-8b-tenants.json").read_text())
    assert describe_overrides(mig, "Whole GPUs") == "pool h100-mig MIG 3 slices → whole GPUs"


def test_base_and_empty_scenarios_and_unknown_names(example_plan):
    assert "before any scenario's overrides" in describe_overrides(example_plan, "base")
    empty = _with(example_plan, {})
    assert describe_overrides(empty, "Probe") == "No overrides: the base plan as it is."
    with pytest.raises(PlannerError):
        describe_overrides(example_plan, "No such scenario")
