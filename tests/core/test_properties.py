"""Properties that must hold for any valid input (hypothesis)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner_core import PlannerError, evaluate
from planner_core.engine.replica import model_shape, replica_hw
from planner_core.engine.step_times import Efficiency, decode_step
from planner_core.plan import apply_overrides

FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
MODELS = ["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "deepseek-v3"]


@FAST
@given(batch=st.integers(1, 512), ctx=st.integers(1, 32000), scale=st.floats(1.01, 4.0),
       model=st.sampled_from(MODELS))
def test_more_bandwidth_never_slows_decode(catalog, batch, ctx, scale, model):
    shape = model_shape(catalog.model(model), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h200-sxm-141gb"), tp=8)
    eff = Efficiency()
    slow = decode_step(hw, shape, eff, batch, ctx)
    fast = decode_step(hw.with_(bw=hw.bw * scale), shape, eff, batch, ctx)
    assert fast <= slow * (1 + 1e-12)


@FAST
@given(batch=st.integers(1, 1024), ctx=st.integers(1, 64000), model=st.sampled_from(MODELS),
       acc=st.sampled_from(["h100-sxm-80gb", "b200-sxm-180gb", "mi300x", "gb200"]))
def test_decode_never_beats_bandwidth_roofline(catalog, batch, ctx, model, acc):
    shape = model_shape(catalog.model(model), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator(acc), tp=8)
    from planner_core.engine.calibration import default_calibration
    from planner_core.engine.step_times import weights_read

    eff = default_calibration().efficiency(catalog.accelerator(acc).family, catalog)
    t = float(decode_step(hw, shape, eff, batch, ctx))
    floor = (float(weights_read(shape, batch)) / 8 + batch * ctx * shape.kv_bytes_per_token / 8) \
        / hw.bw
    assert t >= floor


@FAST
@given(rps=st.floats(0.1, 200.0), factor=st.floats(1.05, 5.0))
def test_more_load_never_needs_fewer_accelerators(example_plan, catalog, rps, factor):
    lo = apply_overrides(example_plan, {"workloads.chat.traffic.peak_rps": rps})
    hi = apply_overrides(example_plan, {"workloads.chat.traffic.peak_rps": rps * factor})
    a = evaluate(lo, catalog, scenarios=["base"]).kpi("base")
    b = evaluate(hi, catalog, scenarios=["base"]).kpi("base")
    assert b.accelerators >= a.accelerators


@FAST
@given(rps=st.floats(0.01, 500.0), pue=st.floats(1.0, 2.5), price=st.floats(0.0, 1.0),
       isl=st.integers(1, 30000), osl=st.integers(1, 8000),
       system=st.sampled_from(["gb200-nvl72", "hgx-h100", "hgx-h200", "mi300x-8", "hgx-b200"]))
def test_power_and_cost_never_negative_nor_nan(example_plan, catalog, rps, pue, price, isl, osl,
                                               system):
    plan = apply_overrides(example_plan, {
        "workloads.chat.traffic.peak_rps": rps, "facility.pue": pue,
        "facility.electricity_usd_per_kwh": price, "workloads.chat.input_tokens.mean": isl,
        "workloads.chat.output_tokens.mean": osl, "pools.serving.system": system})
    r = evaluate(plan, catalog, scenarios=["base"])
    k = r.kpi("base")
    for col in ("it_kw_peak", "facility_mw_peak", "capex_usd", "tco_usd_per_year",
                "opex_energy_usd_per_year", "power_cooling_kw", "energy_mwh_per_day"):
        assert k[col] >= 0 and not np.isnan(k[col]), col
    numeric = r.kpis.select_dtypes("number")
    assert not numeric.isna().any().any()


@pytest.mark.parametrize("path,value,needle", [
    ("facility.pue", 0.5, "facility.pue"),
    ("workloads.chat.traffic.peak_rps", -3, "workloads.chat.traffic.peak_rps"),
    ("workloads.chat.input_tokens.mean", float("nan"), "input_tokens.mean"),
    ("pools.serving.layout.tp", 0, "layout.tp"),
    ("workloads.chat.weight_precision", "fp3", "weight_precision"),
])
def test_invalid_input_raises_our_error_naming_the_field(example_plan, path, value, needle):
    with pytest.raises(PlannerError) as err:
        apply_overrides(example_plan, {path: value})
    assert needle in str(err.value)


def test_unknown_catalog_id_is_a_clear_error(example_plan, catalog):
    plan = apply_overrides(example_plan, {"pools.serving.system": "hgx-h900"})
    with pytest.raises(PlannerError, match="unknown system id 'hgx-h900'"):
        evaluate(plan, catalog, scenarios=["base"])


ENGINE_CASES = [("h200-sxm-141gb", "trtllm"), ("h200-sxm-141gb", "sglang"),
                ("mi300x", "sglang"), ("mi355x", "vllm"), ("b200-sxm-180gb", "trtllm"),
                ("a100-sxm-80gb", "trtllm")]


def _served(catalog, acc_id, engine_id, model, tp):
    from planner_core.catalog.engines import ENGINES
    from planner_core.engine.calibration import default_calibration

    acc = catalog.accelerator(acc_id)
    wp = "fp16" if acc_id.startswith("a100") else "fp8"
    shape = model_shape(catalog.model(model), wp, "fp8" if wp == "fp8" else "fp16")
    hw = replica_hw(acc, tp=tp, weight_precision=wp, engine=ENGINES[engine_id])
    eff = default_calibration().efficiency(acc.family, catalog, engine_id)
    return hw, shape, eff


@FAST
@given(case=st.sampled_from(ENGINE_CASES), model=st.sampled_from(MODELS),
       users=st.integers(2, 256), isl=st.integers(64, 8000), osl=st.integers(16, 4000))
def test_more_users_never_lose_throughput_nor_gain_speed_per_user(catalog, case, model, users,
                                                                  isl, osl):
    from planner_core.engine.serving import closed_loop

    hw, shape, eff = _served(catalog, *case, model, 8)
    one = closed_loop(hw, shape, eff, 1.0, isl, osl)
    many = closed_loop(hw, shape, eff, float(users), isl, osl)
    more = closed_loop(hw, shape, eff, float(users) * 1.5, isl, osl)
    if not (bool(one.feasible) and np.isfinite(float(one.tpot_s))):
        return  # the model does not fit this replica at this length
    # Throughput never below the single stream's, and never falling as users are added.
    assert float(many.output_tok_s) >= float(one.output_tok_s) * (1 - 1e-6)
    assert float(more.output_tok_s) >= float(many.output_tok_s) * (1 - 1e-6)
    # Each user's decode speed never rises with more users.
    assert float(many.tpot_s) >= float(one.tpot_s) * (1 - 1e-6)
    assert float(more.tpot_s) >= float(many.tpot_s) * (1 - 1e-6)


@FAST
@given(case=st.sampled_from(ENGINE_CASES), model=st.sampled_from(MODELS),
       tp=st.sampled_from([1, 2, 4]))
def test_a_wider_tp_never_holds_less(catalog, case, model, tp):
    from planner_core.engine.memory import kv_capacity_bytes

    narrow, shape, _ = _served(catalog, *case, model, tp)
    wide, _, _ = _served(catalog, *case, model, tp * 2)
    assert wide.mem_bytes * wide.n_acc > narrow.mem_bytes * narrow.n_acc
    assert float(kv_capacity_bytes(wide, shape)) >= float(kv_capacity_bytes(narrow, shape))


@FAST
@given(case=st.sampled_from(ENGINE_CASES), model=st.sampled_from(MODELS),
       batch=st.integers(1, 256), ctx=st.integers(1, 16000), k=st.integers(1, 4),
       accept=st.floats(0.5, 0.95))
def test_speculation_that_is_accepted_speeds_each_user(catalog, case, model, batch, ctx, k,
                                                       accept):
    hw, shape, eff = _served(catalog, *case, model, 8)
    plain = float(decode_step(hw, shape, eff, batch, ctx))
    spec = hw.with_(spec_tokens=float(k), spec_accept=accept, spec_cost=1 / 61)
    per_token = float(decode_step(spec, shape, eff, batch, ctx))
    # Never faster than the plain step divided by the most it can gain ...
    assert per_token >= plain / (k + 1) * (1 - 1e-9)
    # ... and, at small batches where the step is memory-bound, faster than without it.
    if batch <= 4 and accept >= 0.7:
        assert per_token < plain
