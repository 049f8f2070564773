"""Serving engines, speculative decoding and prefix caching as plan inputs."""

import pytest

from planner_core import Plan, evaluate, load_catalog
from planner_core.exports.results_csv import results_table
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif.optimize import optimize

CATALOG = load_catalog()


def _plan(system="hgx-h200", engine="auto", **workload) -> Plan:
    w = {"name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
         "traffic": {"peak_rps": 30.0}, "input_tokens": {"mean": 3000},
         "output_tokens": {"mean": 400}, "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 50},
         **workload}
    return Plan.model_validate({"name": "engines", "workloads": [w], "pools": [
        {"name": "gpus", "system": system, "engine": engine, "layout": {"tp": 4},
         "workloads": ["chat"]}]})


def test_auto_is_the_vendors_engine_and_a_wrong_one_is_an_error_on_the_pool():
    assert evaluate(_plan()).pools.iloc[0]["engine"] == "trtllm"
    assert evaluate(_plan("mi300x-8")).pools.iloc[0]["engine"] == "vllm"
    r = evaluate(_plan("mi300x-8", "trtllm"))
    [w] = [w for w in r.warnings if w["kind"] == "invalid-engine"]
    assert w["severity"] == "error" and w["item"] == "pools.gpus"
    assert "TensorRT-LLM does not run on AMD" in w["message"]
    assert r.kpi("base").accelerators == 0


def test_engines_differ_where_their_fits_differ():
    trt = evaluate(_plan(engine="trtllm")).workloads.iloc[0]
    sgl = evaluate(_plan(engine="sglang")).workloads.iloc[0]
    assert trt.capacity_rps_per_replica != pytest.approx(sgl.capacity_rps_per_replica,
                                                         rel=0.02)


def test_prefix_cache_cuts_prefill_not_memory():
    plain = evaluate(_plan()).workloads.iloc[0]
    cached = evaluate(_plan(prefix_cache_share=0.6)).workloads.iloc[0]
    assert cached.ttft_p99_ms < plain.ttft_p99_ms
    assert cached.capacity_rps_per_replica >= plain.capacity_rps_per_replica
    assert cached.max_batch == plain.max_batch  # cached tokens still hold KV cache


def test_speculation_speeds_users_and_shrinks_a_latency_bound_fleet():
    plan = plan_from_json(resource_path("examples", "deepseek-v3-disagg-gb200.json")
                          .read_text())
    pool = plan.pools[0].name
    spec = apply_overrides(plan, {f"pools.{pool}.speculative": {"draft_tokens": 1}})
    a, b = evaluate(plan, scenarios=["base"]), evaluate(spec, scenarios=["base"])
    assert b.kpi("base").tpot_p99_ms < a.kpi("base").tpot_p99_ms
    assert b.kpi("base").accelerators <= a.kpi("base").accelerators
    assert "+1 draft" in b.workloads.iloc[0].layout
    # Nothing accepted: verify passes that gain nothing only cost.
    none = apply_overrides(plan, {f"pools.{pool}.speculative": {"draft_tokens": 2,
                                                                "acceptance": 0.0}})
    assert evaluate(none, scenarios=["base"]).kpi("base").tpot_p99_ms > \
        a.kpi("base").tpot_p99_ms


def test_the_csv_says_what_each_row_rests_on():
    table = results_table(evaluate(_plan("mi355x-8", "sglang")))
    assert table["calibration_basis"].iloc[0].startswith("borrowed from sglang/cdna3")
    assert table["pool_engine"].iloc[0] == "sglang"


def test_optimize_searches_engines_when_asked():
    plan = _plan()
    ranked = optimize(plan, "chat", CATALOG, systems=["hgx-h200", "mi300x-8"],
                      precisions=["fp8"], servings=["aggregated"],
                      engines=["trtllm", "vllm", "sglang"])
    seen = set(zip(ranked["system"], ranked["engine"], strict=True))
    assert {("hgx-h200", "trtllm"), ("hgx-h200", "sglang"), ("mi300x-8", "sglang")} <= seen
    assert ("mi300x-8", "trtllm") not in seen


def test_a_performance_factor_divides_every_step_time_and_keeps_power_per_work():
    from planner_core.engine.sizing import size_pool_fleet
    from planner_core.whatif.evaluate_many import SweptInputs

    plan = _plan()
    cal = __import__("planner_core").default_calibration()
    pool = plan.pools[0]
    plain = size_pool_fleet(CATALOG, plan, pool, cal).workloads[0]
    fast = size_pool_fleet(CATALOG, plan, pool, cal,
                           SweptInputs({"pools.gpus.performance": 2.0})).workloads[0]
    from planner_core.engine.step_times import decode_step, prefill_time

    for f in (decode_step, prefill_time):
        args = (8.0, 2000.0) if f is decode_step else (1.0, 3000.0)
        assert float(f(fast.hw, fast.shape, fast.eff, *args)) == pytest.approx(
            float(f(plain.hw, plain.shape, plain.eff, *args)) / 2)
    # The hardware's peaks stay: twice the speed is twice the work per second at capacity.
    assert fast.hw.flops == plain.hw.flops and fast.hw.bw == plain.hw.bw


def test_sweeping_an_acceptance_needs_speculation_on():
    from planner_core import PlannerError
    from planner_core.whatif.evaluate_many import evaluate_many

    with pytest.raises(PlannerError, match="has no speculative decoding"):
        evaluate_many(_plan(), {"pools.gpus.speculative.acceptance": [0.5, 0.9]}, CATALOG)


def test_optimize_keeps_the_pools_mla_attention_layout():
    plan = plan_from_json(resource_path("examples", "deepseek-v3-disagg-gb200.json")
                          .read_text())
    pool = plan.pools[0].name
    tp_attention = apply_overrides(plan, {f"pools.{pool}.layout.dp_attention": False})
    wl = tp_attention.pools[0].workloads[0]
    ranked = optimize(tp_attention, wl, CATALOG, systems=["hgx-h200"], precisions=["fp8"],
                      servings=["aggregated"])
    best = ranked[ranked["meets_slo"]].iloc[0]
    from planner_core.whatif.optimize import apply_option

    applied = apply_option(tp_attention, wl, best, "check", catalog=CATALOG)
    assert applied.variant("check").pools[0].layout.dp_attention is False
    kpi = evaluate(applied, CATALOG, scenarios=["check"]).kpi("check")
    assert kpi["usd_per_m_output_tokens"] == pytest.approx(best["usd_per_m_output_tokens"],
                                                           rel=1e-6)
