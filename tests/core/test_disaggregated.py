"""Disaggregated serving in whole replicas, and layouts the engine must refuse or fit."""

import numpy as np
import pytest

from planner_core import PlannerError, evaluate, read_plan
from planner_core.engine.capacity import max_rate
from planner_core.engine.serving import at_rate
from planner_core.engine.step_times import prefill_time
from planner_core.plan import apply_overrides
from planner_core.resources import resource_path

DISAGG = {"pools.serving.serving": "disaggregated"}


def _ws(plan, catalog):
    results = evaluate(plan, catalog, scenarios=["base"])
    return results, results.sizings["base"][0].workloads[0]


def test_each_side_carries_its_load_at_a_lopsided_split(example_plan, catalog):
    lopsided = {**DISAGG, "pools.serving.prefill_share": 0.9, "pools.serving.redundancy": 0}
    _, ws = _ws(apply_overrides(example_plan, lopsided), catalog)
    # A peak of 14.5 replicas' worth: rounding 90% of 15 leaves too few decode replicas.
    peak = round(14.5 * ws.capacity_rps * 0.75, 3)
    plan = apply_overrides(example_plan, {**lopsided, "workloads.chat.traffic.peak_rps": peak})
    _, ws = _ws(plan, catalog)
    decode = ws.replicas - ws.prefill_replicas
    assert ws.prefill_replicas >= 1 and decode >= 1
    # The reported TPOT is what one decode replica really sees at its share of the peak.
    actual = at_rate(ws.hw, ws.shape, ws.eff, ws.peak_rps / decode, ws.isl, ws.osl,
                     prefill=False)
    assert bool(actual.feasible)
    assert float(ws.point.tpot_p99_s) == pytest.approx(float(actual.tpot_p99_s), rel=1e-9)
    assert float(actual.tpot_p99_s) * 1e3 <= example_plan.workload("chat").slo.tpot_p99_ms


def test_a_single_replica_is_never_split_into_prefill_without_decode(example_plan, catalog):
    auto = apply_overrides(example_plan, {**DISAGG, "pools.serving.redundancy": 0,
                                          "workloads.chat.traffic.peak_rps": 0.5})
    _, ws = _ws(auto, catalog)
    assert ws.replicas >= 2 and 1 <= ws.prefill_replicas < ws.replicas
    fixed = apply_overrides(example_plan, {**DISAGG, "pools.serving.count": 1,
                                           "pools.serving.layout.tp": 72})
    results, ws = _ws(fixed, catalog)
    assert not ws.meets_slo
    assert any("at least two replicas" in w["message"] for w in results.warnings)


def test_decode_only_capacity_with_no_ttft_limit_is_feasible(catalog):
    # With no TTFT limit every rate up to the offline top passes; the top itself must too
    # (the batch there equals the cap up to rounding, which once made it "infeasible").
    plan = read_plan(resource_path("examples", "mig-h100-8b-tenants.json"), catalog)
    plan = apply_overrides(plan, {"pools.h100-mig.serving": "disaggregated"})
    results = evaluate(plan, catalog, scenarios=["base"])
    assert not [w for w in results.warnings if "even one request" in w["message"]]
    ws = results.sizings["base"][0].workloads[0]
    best = max_rate(ws.hw, ws.shape, ws.eff, ws.isl, ws.osl, np.inf, np.inf, prefill=False)
    assert bool(best.feasible) and float(best.rate_rps) > 0


def test_mla_model_fits_an_sram_chain(example_plan, catalog):
    plan = apply_overrides(example_plan, {"workloads.chat.model": "deepseek-v3",
                                          "workloads.chat.weight_precision": None,
                                          "pools.serving.system": "groq-rack",
                                          "pools.serving.rent_usd_per_accelerator_hour": None})
    results, ws = _ws(plan, catalog)
    assert ws.replicas > 0 and ws.meets_slo, results.warnings


def test_more_expert_ranks_than_accelerators_is_refused(example_plan):
    with pytest.raises(PlannerError, match="layout.ep.*exceeds"):
        apply_overrides(example_plan, {"pools.serving.layout.ep": 16})


def test_one_long_prompt_stays_on_one_data_parallel_rank(catalog):
    # DP attention keeps a prompt and its cache on one rank, so a prompt 8× longer takes at
    # least 8× as long (attention makes it more); spreading its chunks over ranks made a
    # 64k prompt look only ~6× slower than an 8k one.
    plan = read_plan(resource_path("examples", "deepseek-v3-disagg-gb200.json"), catalog)
    ws = evaluate(plan, catalog, scenarios=["base"]).sizings["base"][0].workloads[0]
    assert ws.layout.startswith("DP24")
    short = float(prefill_time(ws.hw, ws.shape, ws.eff, 1, 8192))
    long = float(prefill_time(ws.hw, ws.shape, ws.eff, 1, 65536))
    assert long / short >= 8.0
    # 24 prompts fill the 24 ranks: together they take far less than 24 one after another.
    many = float(prefill_time(ws.hw, ws.shape, ws.eff, 24, 3000))
    one = float(prefill_time(ws.hw, ws.shape, ws.eff, 1, 3000))
    assert many < 6 * one
