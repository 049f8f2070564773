"""A replica never straddles two systems: fleets are bought in whole systems of whole replicas."""

import numpy as np
import pytest

from planner_core.catalog import load_catalog
from planner_core.evaluate import evaluate
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path
from planner_core.sizing import packed_accelerators, replicas_in


@pytest.mark.parametrize("replicas,per_rep,per_system,sram,expected", [
    (9, 8, 72, False, 72),      # TP8 divides the rack: exact
    (9, 16, 72, False, 216),    # TP16: 4 per rack, 8 GPUs idle in each
    (4, 16, 72, False, 72),
    (5, 16, 72, False, 144),
    (3, 16, 8, False, 48),      # TP8 x PP2 over two 8-GPU servers: whole servers
    (3, 12, 8, False, 48),      # 12 GPUs need two servers each
    (2, 926, 72, True, 1852),   # an SRAM chain spans racks chip by chip
])
def test_whole_replicas_in_whole_systems(replicas, per_rep, per_system, sram, expected):
    assert float(packed_accelerators(replicas, per_rep, per_system, sram)) == expected
    # ...and those accelerators hold at least the replicas they were bought for.
    assert float(replicas_in(expected, per_rep, per_system, sram)) >= replicas


def test_array_form_matches_one_by_one():
    reps = np.array([1, 5, 9, 17])
    got = packed_accelerators(reps, 16.0, 72, False)
    assert got.tolist() == [float(packed_accelerators(r, 16.0, 72, False)) for r in reps]


def test_tp16_on_an_nvl72_buys_the_racks_whole_replicas_need():
    catalog = load_catalog()
    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    plan = apply_overrides(plan, {"pools.serving.layout.tp": 16,
                                  "workloads.chat.traffic.peak_rps": 400.0})
    results = evaluate(plan, catalog)
    wl = results.workloads.iloc[0]
    pool = results.pools.iloc[0]
    assert pool["accelerators"] >= 72 * np.ceil(wl["replicas"] / 4)


def test_accelerators_beyond_the_serving_replicas_draw_idle_power():
    """The example's rack holds 72 GPUs; 3 TP8 replicas serve the peak and one is spare. The
    40 GPUs whole-rack buying adds, and the spare, idle: power rises with the work done."""
    from planner_core.evaluate_many import evaluate_many

    catalog = load_catalog()
    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    results = evaluate(plan, catalog)
    wl, pool = results.workloads.iloc[0], results.pools.iloc[0]
    gb200 = catalog.accelerator("gb200")
    serving = (wl["replicas"] - 1) * wl["accelerators_per_replica"]
    assert serving < pool["accelerators"] == 72
    busy = wl["utilization_peak_pct"] / 100
    # Accelerator power at the peak hour: the serving GPUs at their load, the rest idle.
    expected_kw = (pool["accelerators"] * gb200.idle_w.value
                   + serving * busy * (gb200.tdp_w.value - gb200.idle_w.value)) / 1e3
    assert results.kpis.iloc[0]["power_accelerators_kw"] == pytest.approx(expected_kw,
                                                                          rel=1e-6)
    rps = 40.0 * np.linspace(0.1, 3.0, 30)
    mw = evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps}, catalog)
    assert (np.diff(mw["facility_mw_peak"]) >= 0).all()
