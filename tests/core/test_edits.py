"""Plan edits as pure functions: overrides, renames that carry references, structure."""

import pytest

from planner_core import PlannerError
from planner_core.plan import edits


def test_base_edit_changes_the_base_and_every_scenario_sees_it(example_plan):
    p = edits.set_value(example_plan, "workloads.chat.traffic.peak_rps", 80.0)
    assert p.workload("chat").traffic.peak_rps == 80.0
    assert p.variant("Power +50%").workload("chat").traffic.peak_rps == 80.0
    assert example_plan.workload("chat").traffic.peak_rps == 40.0  # the input is untouched


def test_scenario_edit_becomes_an_override_and_equal_value_drops_it(example_plan):
    p = edits.set_value(example_plan, "facility.pue", 1.5, scenario="HGX H200")
    assert p.scenario("HGX H200").overrides["facility.pue"] == 1.5
    assert p.facility.pue == 1.3
    assert p.variant("HGX H200").facility.pue == 1.5
    back = edits.set_value(p, "facility.pue", 1.3, scenario="HGX H200")
    assert "facility.pue" not in back.scenario("HGX H200").overrides


def test_invalid_values_are_refused_naming_the_field(example_plan):
    with pytest.raises(PlannerError, match="pue"):
        edits.set_value(example_plan, "facility.pue", 0.5)
    with pytest.raises(PlannerError):
        edits.set_value(example_plan, "pools.serving.system", 7, scenario="HGX H200")


def test_rename_workload_carries_pools_and_override_paths(example_plan):
    p = edits.set_value(example_plan, "workloads.chat.traffic.peak_rps", 10.0,
                        scenario="Power +50%")
    p = edits.rename(p, "workloads", "chat", "assistant")
    assert p.pools[0].workloads == ["assistant"]
    assert "workloads.assistant.traffic.peak_rps" in p.scenario("Power +50%").overrides
    assert p.variant("Power +50%").workload("assistant").traffic.peak_rps == 10.0
    with pytest.raises(PlannerError, match="taken"):
        edits.rename(edits.add_workload(p, "llama-3.1-8b"), "workloads", "assistant",
                     "llama-3-1-8b")


def test_rename_pool_and_scenario_and_baseline(example_plan):
    p = edits.rename(example_plan, "pools", "serving", "nvl72")
    assert p.variant("HGX H200").pools[0].system == "hgx-h200"
    p = edits.set_baseline(p, "HGX H200")
    p = edits.rename(p, "scenarios", "HGX H200", "H200")
    assert p.baseline == "H200"


def test_structure_add_duplicate_remove(example_plan):
    p = edits.add_pool(example_plan, "hgx-h100", ["chat"])
    assert [x.name for x in p.pools] == ["serving", "hgx-h100"]
    p = edits.add_pool(p, "hgx-h100", like="hgx-h100", name="hgx-h100")
    assert p.pools[-1].name == "hgx-h100 2"
    p = edits.remove(p, "pools", "hgx-h100 2")
    assert len(p.pools) == 2
    p = edits.add_scenario(p, like="HGX H200")
    assert p.scenarios[-1].name == "HGX H200 copy"
    assert p.scenarios[-1].overrides == p.scenario("HGX H200").overrides
    with pytest.raises(PlannerError, match="at least one"):
        edits.remove(example_plan, "workloads", "chat")


def test_removing_a_pool_drops_its_overrides(example_plan):
    p = edits.add_pool(example_plan, "hgx-h100", ["chat"], name="extra")
    p = edits.set_value(p, "pools.extra.count", 3, scenario="Power +50%")
    p = edits.remove(p, "pools", "extra")
    assert not any(k.startswith("pools.extra.") for k in p.scenario("Power +50%").overrides)


def test_scenario_swapping_in_a_system_without_mig_reports_not_fails(example_plan, catalog):
    from planner_core.engine.evaluate import evaluate

    p = edits.set_value(example_plan, "pools.serving.system", "hgx-h100")
    p = edits.set_value(p, "workloads.chat.model", "llama-3.1-8b")
    p = edits.set_value(p, "pools.serving.layout", {"tp": 1, "mig": [
        {"profile": "3g.40gb", "workload": "chat"}, {"profile": "3g.40gb", "workload": "chat"}]})
    r = evaluate(p, catalog)
    assert r.kpi("base").accelerators > 0
    groq = [w for w in r.warnings if w["scenario"] == "Groq LPU racks"]
    assert any(w["kind"] == "invalid-mig" and "does not offer MIG" in w["message"] for w in groq)
    assert r.kpi("Groq LPU racks").accelerators == 0


def test_a_fixed_pool_of_zero_systems_serves_nothing(example_plan, catalog):
    from planner_core.engine.evaluate import evaluate

    r = evaluate(edits.set_value(example_plan, "pools.serving.count", 0), catalog, None, ["base"])
    k = r.kpi("base")
    assert k.accelerators == 0 and k.output_tokens_per_year == 0
    assert any(w["kind"] == "slo-missed" for w in r.warnings)


def test_renames_and_removes_follow_workload_names_inside_override_values(example_plan):
    p = edits.add_workload(example_plan, "llama-3.1-8b", name="small")
    p = edits.add_pool(p, "hgx-h100", ["small"], name="extra")
    p = edits.set_value(p, "pools.serving.workloads", ["chat"])
    # In the scenario the main pool takes both workloads.
    p = edits.set_value(p, "pools.serving.workloads", ["chat", "small"], scenario="Power +50%")
    p = edits.rename(p, "workloads", "small", "tiny")
    assert p.scenario("Power +50%").overrides["pools.serving.workloads"] == ["chat", "tiny"]
    p = edits.remove(p, "workloads", "tiny")  # also removes the pool left serving nothing
    assert p.scenario("Power +50%").overrides["pools.serving.workloads"] == ["chat"]
    assert [x.name for x in p.variant("Power +50%").pools] == ["serving"]


def test_names_with_dots_are_refused_when_loading(example_plan):
    from planner_core.plan import plan_from_dict

    data = example_plan.model_dump(mode="json")
    data["workloads"][0]["name"] = "chat-v1.5"
    with pytest.raises(PlannerError, match="workloads"):
        plan_from_dict(data)


def test_setting_a_whole_value_in_a_scenario_drops_the_overrides_below_it():
    from planner_core.plan import edits, plan_from_json
    from planner_core.resources import resource_path

    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    on = edits.set_value(plan, "pools.serving.speculative",
                         {"draft_tokens": 1, "acceptance": 0.85}, "HGX H200")
    tuned = edits.set_value(on, "pools.serving.speculative.acceptance", 0.6, "HGX H200")
    assert tuned.variant("HGX H200").pools[0].speculative.acceptance == 0.6
    off = edits.set_value(tuned, "pools.serving.speculative", None, "HGX H200")
    assert off.variant("HGX H200").pools[0].speculative is None
    assert not [k for k in off.scenario("HGX H200").overrides if "speculative" in k]
