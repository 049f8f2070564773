"""The example plans in resources/examples: each loads, evaluates and exports, and every warning
it produces is one its notes expect and explain.

A plan's notes end with an "Expected warnings:" section. It says "none", or lists each warning as
``In scenario "<scenario>": <kind> on <item>`` followed by why it is intended. The warnings the
planner produces and the ones the notes list must be the same set, so a new warning (or one
that went away) fails here until the notes say so.

The second half checks the engine behaviour the DeepSeek example relies on: disaggregated
serving, the expert all-to-all, a mixture of experts under load, and MLA's KV cache.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from planner_core import evaluate, read_plan
from planner_core.engine.capacity import max_rate
from planner_core.engine.memory import kv_capacity_bytes
from planner_core.engine.replica import MAX_BATCH, attention_dp, model_shape, replica_hw
from planner_core.engine.serving import at_rate, batch_cap
from planner_core.engine.step_times import (
    ACT_BYTES,
    Efficiency,
    _comm,
    decode_step,
    prefill_per_request,
)
from planner_core.plan import plan_from_dict, plan_from_json, plan_to_json
from planner_core.resources import resource_path

EXAMPLES = sorted(resource_path("examples").glob("*.json"))
DEEPSEEK = resource_path("examples", "deepseek-v3-disagg-gb200.json")
HEADING = "Expected warnings:"
CLAIM = re.compile(r'In scenario "([^"]+)": ')


@pytest.fixture(scope="module")
def evaluated(catalog):
    """Each example's plan and results, evaluated once for the module."""
    out = {}
    for path in EXAMPLES:
        plan = read_plan(path, catalog)
        out[path.name] = (plan, evaluate(plan, catalog))
    return out


def _expected_section(notes: str) -> str:
    assert notes.count(HEADING) == 1, f"the notes need one {HEADING!r} section"
    return notes.split(HEADING, 1)[1]


def test_at_least_the_three_required_examples():
    names = {p.name for p in EXAMPLES}
    assert {"llama70b-chat.json", "mig-h100-8b-tenants.json",
            "deepseek-v3-disagg-gb200.json"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_loads_and_every_scenario_evaluates(path: Path, evaluated):
    plan, results = evaluated[path.name]
    assert list(results.kpis.scenario) == plan.scenario_names()
    assert len(plan.scenarios) >= 1, "an example shows at least one what-if"
    for scenario in plan.scenario_names():
        assert results.sizings[scenario], scenario


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_key_figures_are_finite_and_positive(path: Path, evaluated):
    _, results = evaluated[path.name]
    for _, k in results.kpis.iterrows():
        for col in ("accelerators", "racks", "facility_mw_peak", "usd_per_m_output_tokens",
                    "ttft_p99_ms", "tpot_p99_ms"):
            value = float(k[col])
            assert math.isfinite(value) and value > 0, (k.scenario, col, value)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_workloads_meet_their_slos_unless_a_warning_says_not(path: Path, evaluated):
    _, results = evaluated[path.name]
    missed = {(w["scenario"], w["item"]) for w in results.warnings if w["kind"] == "slo-missed"}
    for _, row in results.workloads.iterrows():
        if (row.scenario, f"pools.{row.pool}") in missed:
            continue
        assert row.meets_slo, (row.scenario, row.pool, row.workload)
        assert 0 < row.ttft_p99_ms <= row.slo_ttft_p99_ms * (1 + 1e-9), (row.scenario, row.pool)
        assert 0 < row.tpot_p99_ms <= row.slo_tpot_p99_ms * (1 + 1e-9), (row.scenario, row.pool)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_warning_is_expected_and_explained_in_the_notes(path: Path, evaluated):
    plan, results = evaluated[path.name]
    section = _expected_section(plan.notes)
    produced = {(w["scenario"], w["kind"], w["item"]) for w in results.warnings}
    if not produced:
        assert section.lstrip().lower().startswith("none"), \
            f"{path.name} produces no warnings; its notes should say '{HEADING} none.'"
    unexplained = []
    for scenario, kind, item in sorted(produced):
        phrase = f'In scenario "{scenario}": {kind} on {item}'
        if phrase not in section:
            unexplained.append(phrase)
            continue
        explanation = CLAIM.split(section.split(phrase, 1)[1], maxsplit=1)[0]
        assert "intended" in explanation.lower() and len(explanation) >= 80, \
            f"{phrase}: say why it is intended"
    assert not unexplained, f"{path.name}: warnings the notes do not explain: {unexplained}"
    # And no stale claims: the notes list exactly the warnings produced.
    claimed = CLAIM.findall(section)
    assert len(claimed) == len(produced), \
        f"{path.name}: the notes list {len(claimed)} warning(s), the plan produces {produced}"
    assert set(claimed) <= set(plan.scenario_names())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_exports(path: Path, evaluated, tmp_path):
    plan, results = evaluated[path.name]
    # The plan saves and reads back unchanged.
    assert plan_from_json(plan_to_json(plan)) == plan
    # The results export as the CSV table: one row per scenario × pool × workload.
    csv_export = pytest.importorskip("planner_core.exports.results_csv")
    table = csv_export.results_table(results)
    assert len(table) == len(results.workloads)
    assert set(table.scenario) == set(plan.scenario_names())
    text = csv_export.to_csv_bytes(table).decode("utf-8-sig")
    assert text.count("\n") == len(table) + 1


def test_deepseek_example_is_disaggregated_wide_ep_on_gb200(catalog):
    plan = read_plan(DEEPSEEK, catalog)
    (pool,) = plan.pools
    (wl,) = plan.workloads
    assert pool.system == "gb200-nvl72"
    assert pool.serving == "disaggregated" and 0 < pool.prefill_share < 1
    assert catalog.model(wl.model).id == "deepseek-v3"
    assert wl.weight_precision in ("fp8", "fp4")
    assert pool.layout.ep >= 16 and pool.layout.ep == pool.layout.tp * pool.layout.pp
    assert 72 % (pool.layout.tp * pool.layout.pp) == 0, "replicas tile the NVL72 rack"


# -- engine behaviour the DeepSeek example relies on ------------------------------------------


def _plan(system, model, tp, ep, serving, share, isl, osl, ttft_ms, tpot_ms, wp="fp8"):
    return plan_from_dict({
        "workloads": [{"name": "w", "model": model, "weight_precision": wp,
                       "traffic": {"peak_rps": 50.0},
                       "input_tokens": {"mean": isl}, "output_tokens": {"mean": osl},
                       "slo": {"ttft_p99_ms": ttft_ms, "tpot_p99_ms": tpot_ms}}],
        "pools": [{"name": "p", "system": system, "layout": {"tp": tp, "ep": ep},
                   "serving": serving, "prefill_share": share, "workloads": ["w"]}]})


@pytest.mark.parametrize("share", [0.3, 0.8])
def test_disaggregated_capacity_is_the_tighter_side_of_the_split(catalog, share):
    # Per replica of the pool, `share` of a replica prefills and `1 - share` decodes, so the
    # pool carries at most share / (prefill seconds per prompt) and (1 - share) × the decode
    # replica's rate, whose sequences hold the whole prompt's KV cache.
    plan = _plan("hgx-h200", "llama-3.1-70b", 4, 1, "disaggregated", share, 4000, 500, 3000, 40)
    ws = evaluate(plan, catalog).sizings["base"][0].workloads[0]
    hw, shape, eff = ws.hw, ws.shape, ws.eff
    # Whole replicas split the pool at the share closest to the plan's.
    assert ws.prefill_share == pytest.approx(share, abs=0.05)
    share = ws.prefill_share
    prefill_side = share / float(prefill_per_request(hw, shape, eff, 4000))
    decode = max_rate(hw, shape, eff, 4000, 500, np.inf, 0.040, prefill=False)
    decode_side = (1 - share) * float(decode.rate_rps)
    # The decode side differs from one that forgets the prompt's KV cache.
    forgetful = max_rate(hw, shape, eff, 1, 500, np.inf, 0.040, prefill=False)
    assert float(forgetful.rate_rps) > 1.2 * float(decode.rate_rps)
    assert 0 < ws.capacity_rps <= min(prefill_side, decode_side) * (1 + 1e-9)
    assert ws.capacity_rps >= 0.5 * min(prefill_side, decode_side)


def test_disaggregated_load_point_has_finite_latencies_within_slo(catalog):
    plan = read_plan(DEEPSEEK, catalog)
    ws = evaluate(plan, catalog, scenarios=["base"]).sizings["base"][0].workloads[0]
    p = ws.point
    assert np.isfinite(float(p.batch)) and bool(p.feasible)
    assert 0 < float(p.ttft_p99_s) * 1e3 + ws.kv_transfer_ms <= 2000
    assert 0 < float(p.tpot_p99_s) * 1e3 <= 30
    assert float(p.prefill_busy) < 1


def test_decode_only_replica_spends_nothing_on_prefill(catalog):
    shape = model_shape(catalog.model("llama-3.1-70b"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h200-sxm-141gb"), tp=4)
    eff = _eff(catalog, "h200-sxm-141gb")
    eff_p = at_rate(hw, shape, eff, 2.0, 3000, 500, prefill=False)
    step = decode_step(hw, shape, eff, eff_p.batch, 3250)
    assert float(eff_p.prefill_busy) == 0.0
    # Half a step's wait, and the engine's own handling of the request.
    assert float(eff_p.ttft_s) == pytest.approx(0.5 * float(step)
                                                + eff.ttft_overhead_ms / 1e3)
    assert float(eff_p.tpot_s) == pytest.approx(float(step))


def _eff(catalog, acc):
    from planner_core.engine.calibration import default_calibration

    return default_calibration().efficiency(catalog.accelerator(acc).family, catalog)


def test_expert_all_to_all_moves_each_gpus_share_of_the_tokens(catalog):
    # Mixtral (GQA): expert parallelism adds only the all-to-all. Each of 8 GPUs dispatches its
    # 1/8 of the tokens, each to 2 experts, 7/8 of them remote, and combine sends them back.
    shape = model_shape(catalog.model("mixtral-8x7b"), "fp8", "fp8")
    acc = catalog.accelerator("h100-sxm-80gb")
    sys_ = catalog.system("hgx-h100")
    tokens = 1024.0
    ep1 = replica_hw(acc, 8, 1, 1, "fp8", "fp8", sys_)
    ep8 = replica_hw(acc, 8, 1, 8, "fp8", "fp8", sys_)
    moved = tokens / 8 * 2 * 4096 * ACT_BYTES * 7 / 8
    eff = Efficiency(comm=0.8)
    expected = 32 * 2 * (moved / (ep8.link_bw * 0.8) + ep8.link_lat)
    added = float(_comm(ep8, shape, eff, tokens)) - float(_comm(ep1, shape, eff, tokens))
    assert added == pytest.approx(expected, rel=1e-9)


def test_moe_replica_finds_its_batch_past_the_steep_start(catalog):
    # A MoE step time is concave at small batches (each new sequence still routes to experts
    # nobody touched), so b = λ·osl·step(b) is steeper than 1 near b = 1 at rates the replica
    # carries easily. The batch must be the stable fixed point, not "cannot keep up".
    shape = model_shape(catalog.model("deepseek-v3"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("gb200"), 8, 1, 8, "fp8", "fp8",
                    catalog.system("gb200-nvl72"))
    eff = _eff(catalog, "gb200")
    k = 10.0 * 1000  # 10 requests/s × 1,000 output tokens
    slope_at_start = k * float(decode_step(hw, shape, eff, 20, 3500)
                               - decode_step(hw, shape, eff, 10, 3500)) / 10
    assert slope_at_start > 1  # the case the plain Newton iteration gave up on
    p = at_rate(hw, shape, eff, 10.0, 3000, 1000, prefill=False)
    b = float(p.batch)
    assert bool(p.feasible) and 1 < b < float(batch_cap(hw, shape, 3000, 1000))
    assert b == pytest.approx(k * float(decode_step(hw, shape, eff, b, 3500)), rel=5e-3)
    # And more load never lowers the batch.
    rates = np.array([2.0, 5.0, 10.0, 20.0, 30.0])
    batches = at_rate(hw, shape, eff, rates, 3000, 1000, prefill=False).batch
    assert np.all(np.isfinite(batches)) and np.all(np.diff(batches) > 0)


def test_mla_cache_is_copied_under_tensor_parallel_attention(catalog):
    # MLA keeps one latent vector per token for all heads: tensor-parallel attention (ep = 1)
    # holds it on all 8 ranks, so the replica keeps 1/8 of the distinct cache it has room for.
    shape = model_shape(catalog.model("deepseek-v3"), "fp8", "fp8")
    acc, sys_ = catalog.accelerator("h200-sxm-141gb"), catalog.system("hgx-h200")
    tp = replica_hw(acc, 8, 1, 1, "fp8", "fp8", sys_)
    # TensorRT-LLM: 90% of what the weights and 3 GB of workspace per GPU leave.
    total = 8 * (140.4 * 2**30 - 3e9)
    free = 0.9 * (total - shape.weight_bytes)
    assert float(attention_dp(tp, shape)) == 1.0
    assert float(kv_capacity_bytes(tp, shape)) == pytest.approx(free / 8)
    # Data-parallel attention (ep > 1): each rank its own sequences, one copy of each cache,
    # but each rank keeps its own copy of the non-expert weights.
    dp = replica_hw(acc, 8, 1, 8, "fp8", "fp8", sys_)
    assert float(attention_dp(dp, shape)) == 8.0
    assert float(kv_capacity_bytes(dp, shape)) == pytest.approx(
        0.9 * (total - shape.weight_bytes - 7 * shape.dense_weight_bytes))
    # GQA models are unaffected.
    llama = model_shape(catalog.model("llama-3.1-70b"), "fp8", "fp8")
    assert float(kv_capacity_bytes(dp, llama)) == pytest.approx(
        0.9 * (total - llama.weight_bytes))


def test_data_parallel_attention_has_no_all_reduce_and_a_cap_per_rank(catalog):
    shape = model_shape(catalog.model("deepseek-v3"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("gb200"), 24, 1, 24, "fp8", "fp8",
                    catalog.system("gb200-nvl72"))
    tokens = 4096.0
    moved = tokens / 24 * 8 * 7168 * ACT_BYTES * 23 / 24
    eff = Efficiency(comm=0.6)
    only_all_to_all = 58 * 2 * (moved / (hw.link_bw * 0.6) + hw.link_lat)
    assert float(_comm(hw, shape, eff, tokens)) == pytest.approx(only_all_to_all, rel=1e-9)
    # Each of the 24 ranks schedules its own batch: the replica may run more than one cap.
    assert float(batch_cap(hw, shape, 3000, 1000)) > MAX_BATCH
