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
