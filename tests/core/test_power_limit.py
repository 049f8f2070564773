"""Board power limits: the clock they leave, what they do to a pool, and how measurements
taken under one (MLPerf "MaxQ") are read."""

import numpy as np
import pytest

from planner_core import Plan, evaluate, load_catalog
from planner_core.engine.calibration import default_calibration
from planner_core.engine.power_cap import MIN_CLOCK, limited_clock
from planner_core.engine.replica import model_shape, replica_hw
from planner_core.evidence.cases import power_limit_named, read_cases, setup_case
from planner_core.resources import resource_path

CATALOG = load_catalog()
CAL = default_calibration()


def _plan(limit=None, system="hgx-h200") -> Plan:
    pool = {"name": "gpus", "system": system, "layout": {"tp": 4}, "workloads": ["chat"]}
    if limit is not None:
        pool["power_limit_w"] = limit
    return Plan.model_validate({"name": "limits", "workloads": [
        {"name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
         "traffic": {"peak_rps": 60.0}, "input_tokens": {"mean": 3000},
         "output_tokens": {"mean": 400}, "slo": {"ttft_p99_ms": 3000, "tpot_p99_ms": 60}}],
        "pools": [pool]})


def _clock(limit, isl=3000.0, osl=400.0):
    acc = CATALOG.accelerator("h200-sxm-141gb")
    hw = replica_hw(acc, 4, weight_precision="fp8", system=CATALOG.system("hgx-h200"))
    shape = model_shape(CATALOG.model("llama-3.1-70b"), "fp8", "fp8")
    eff = CAL.efficiency(acc.family, CATALOG, "trtllm")
    return limited_clock(hw, shape, eff, CAL.power, isl, osl, acc.idle_w.value,
                         acc.tdp_w.value, limit)


def test_the_clock_falls_with_the_limit_and_never_below_the_floor():
    clocks = _clock(np.array([120.0, 300.0, 400.0, 500.0, 600.0, 700.0, 900.0]))
    assert np.all(np.diff(clocks) >= 0)
    assert clocks[-1] == clocks[-2] == 1.0  # at or above the TDP nothing changes
    assert clocks[2] < 1.0
    assert clocks.min() >= MIN_CLOCK


def test_a_limited_pool_fits_more_systems_per_rack_and_serves_slower_per_replica():
    free, capped = evaluate(_plan()), evaluate(_plan(450))
    f, c = free.pools.iloc[0], capped.pools.iloc[0]
    assert c.power_limit_w == 450 and np.isnan(f.power_limit_w)
    assert c.rack_kw_provisioned / c.systems_per_rack < f.rack_kw_provisioned / f.systems_per_rack
    assert c.systems_per_rack >= f.systems_per_rack
    fw, cw = free.workloads.iloc[0], capped.workloads.iloc[0]
    assert fw.clock_pct == 100 and cw.clock_pct < 100
    assert cw.capacity_rps_per_replica < fw.capacity_rps_per_replica
    # Each board draws at most the limit.
    k = capped.kpi("base")
    assert k.power_accelerators_kw * 1e3 <= 450 * k.accelerators * (1 + 1e-9)


def test_a_limit_below_idle_is_an_error_and_one_above_tdp_a_note():
    low = evaluate(_plan(50))
    [w] = [w for w in low.warnings if w["kind"] == "invalid-power-limit"]
    assert w["severity"] == "error" and "idle draw of 105 W" in w["message"]
    assert low.kpi("base").accelerators == 0
    high = evaluate(_plan(900))
    [n] = [w for w in high.warnings if w["kind"] == "power-limit-above-tdp"]
    assert n["severity"] == "note"
    assert high.kpi("base").accelerators == evaluate(_plan()).kpi("base").accelerators


def test_a_non_positive_limit_is_refused_by_the_plan():
    with pytest.raises(ValueError, match="power_limit_w"):
        _plan(0)


def test_sources_state_limits_in_many_ways_and_a_tdp_is_not_one():
    assert power_limit_named("nvidia-smi -pl 500") == 500
    assert power_limit_named("configs: power_limit = 450") == 450
    assert power_limit_named("GPUs with a power cap of 350 W") == 350
    assert power_limit_named("8x H200, power-optimised 'MaxQ' config, TGP 700W") is None


def test_a_maxq_run_takes_the_vendors_published_limit():
    rows = read_cases(resource_path("power_cases.csv"))
    row = rows[rows.case_id.str.contains("maxq")].iloc[0]
    assert row.power_optimised and row.power_limit_w is None
    setup = setup_case(CATALOG, row, 1.0, 1.0, 8)
    limit = CATALOG.accelerator("h200-sxm-141gb").power_optimised_limit_w
    assert setup.limit_w == limit.value == 500
    assert "power_limit" in limit.source
    # A board-power row of another vendor states no limit and gets none.
    amd = rows[rows.system == "mi355x"].iloc[0]
    assert setup_case(CATALOG, amd, 8.0, 1.0, 8).limit_w is None
