"""A workload served by several pools is split between them: each pool sizes for its share,
tokens are counted once, old plans migrate with a note, and a bad split is refused."""

import json

import pytest

from planner_core import Plan, PlannerError, evaluate
from planner_core.plan import SCHEMA_VERSION, plan_from_dict, plan_from_json
from planner_core.plan.edits import remove, rename, set_value


def _plan(shares=None, second="hgx-h200") -> Plan:
    w = {"name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
         "traffic": {"peak_rps": 60.0}, "input_tokens": {"mean": 2000},
         "output_tokens": {"mean": 400}, "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 50}}
    if shares is not None:
        w["pool_shares"] = shares
    return plan_from_dict({"format": "inference-planner-plan", "schema_version": SCHEMA_VERSION,
                           "name": "split", "workloads": [w], "pools": [
        {"name": "old", "system": "hgx-h200", "layout": {"tp": 4}, "workloads": ["chat"]},
        {"name": "new", "system": second, "layout": {"tp": 4}, "workloads": ["chat"]}]})


def _one() -> Plan:
    data = _plan().model_dump(mode="json")
    data["pools"] = data["pools"][:1]
    return Plan.model_validate(data)


def test_two_pools_at_half_each_need_about_the_accelerators_of_one():
    one = evaluate(_one()).kpi()
    split = evaluate(_plan())
    k = split.kpi()
    assert k.accelerators <= one.accelerators + 2 * 4 + 8  # at most a replica and a system more
    assert k.output_tokens_per_year == pytest.approx(one.output_tokens_per_year, rel=1e-6)
    rows = split.workloads
    assert rows.traffic_share_pct.tolist() == [50.0, 50.0]
    assert rows.peak_rps.tolist() == [30.0, 30.0]


def test_a_split_other_than_equal_moves_the_accelerators():
    light = evaluate(_plan({"old": 0.2, "new": 0.8})).pools
    assert light.set_index("pool").accelerators["old"] < light.set_index(
        "pool").accelerators["new"]


@pytest.mark.parametrize("shares,message", [
    ({"old": 0.5, "new": 0.4}, "add up to 90.0%, not 100%"),
    ({"old": 1.0}, "'new' serves it but has no share"),
    ({"old": 0.5, "new": 0.3, "gone": 0.2}, "'gone' does not serve it"),
])
def test_a_bad_split_is_refused_naming_it(shares, message):
    with pytest.raises(PlannerError, match=message):
        _plan(shares)


def test_edits_keep_the_split_valid():
    plan = _plan({"old": 0.25, "new": 0.75})
    renamed = rename(plan, "pools", "new", "gb")
    assert renamed.workload("chat").pool_shares == {"old": 0.25, "gb": 0.75}
    # Setting what is already so keeps the split; a pool going away makes the split name a
    # pool that no longer serves it, so it is equal (here: whole) again.
    same = set_value(plan, "pools.new.workloads", ["chat"])
    assert same.workload("chat").pool_shares == {"old": 0.25, "new": 0.75}
    gone = remove(plan, "pools", "new")
    assert gone.workload("chat").pool_shares == {} and gone.share("chat", "old") == 1.0
    with pytest.raises(PlannerError, match="add up to"):
        set_value(plan, "workloads.chat.pool_shares", {"old": 0.5, "new": 0.6})


def test_a_schema_3_plan_with_a_shared_workload_migrates_with_a_note():
    data = _plan().model_dump(mode="json")
    data["schema_version"] = 3
    for w in data["workloads"]:
        del w["pool_shares"]
    del data["calibration_profile"]
    plan = plan_from_json(json.dumps(data))
    assert plan.schema_version == SCHEMA_VERSION
    assert "split equally between them (50% each)" in plan.notes
    assert plan.share("chat", "old") == plan.share("chat", "new") == 0.5
