"""A replica never straddles two systems: fleets are bought in whole systems of whole replicas."""

import numpy as np
import pytest

from planner_core import evaluate, load_catalog
from planner_core.engine.packing import packed_accelerators, replicas_in
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path


@pytest.mark.parametrize("replicas,tp,pp,per_system,fluid,expected", [
    (9, 8, 1, 72, False, 72),      # TP8 divides the rack: exact
    (9, 16, 1, 72, False, 216),    # TP16: 4 groups per rack, 8 GPUs idle in each
    (4, 16, 1, 72, False, 72),
    (5, 16, 1, 72, False, 144),
    (3, 8, 2, 8, False, 48),       # TP8 x PP2: one server per stage
    (6, 4, 3, 8, False, 72),       # TP4 x PP3: stages pack two to a server
    (4, 24, 4, 72, False, 384),    # TP24 x PP4: three stages per rack
    (3, 12, 1, 8, True, 36),       # a TPU pod's domain spans hosts: chip by chip
    (2, 926, 1, 72, True, 1852),   # an SRAM chain spans racks chip by chip
])
def test_whole_groups_in_whole_systems(replicas, tp, pp, per_system, fluid, expected):
    assert float(packed_accelerators(replicas, tp, per_system, fluid, pp)) == expected
    # ...and those accelerators hold at least the replicas they were bought for.
    assert float(replicas_in(expected, tp, per_system, fluid, pp)) >= replicas


def test_array_form_matches_one_by_one():
    reps = np.array([1, 5, 9, 17])
    got = packed_accelerators(reps, 16.0, 72, False, 2)
    assert got.tolist() == [float(packed_accelerators(r, 16.0, 72, False, 2)) for r in reps]


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
    from planner_core.whatif.evaluate_many import evaluate_many

    catalog = load_catalog()
    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    results = evaluate(plan, catalog)
    wl, pool = results.workloads.iloc[0], results.pools.iloc[0]
    gb200 = catalog.accelerator("gb200")
    serving = (wl["replicas"] - 1) * wl["accelerators_per_replica"]
    assert serving < pool["accelerators"] == 72
    busy = wl["utilization_peak_pct"] / 100
    # A fully used GPU draws between idle and TDP by the work its replica does there.
    fleet = results.sizings["base"][0].fleet
    full = float(fleet.sized().busy_w)
    assert gb200.idle_w.value < full <= gb200.tdp_w.value
    # Accelerator power at the peak hour: the serving GPUs at their load, the rest idle.
    expected_kw = (pool["accelerators"] * gb200.idle_w.value
                   + serving * busy * (full - gb200.idle_w.value)) / 1e3
    assert results.kpis.iloc[0]["power_accelerators_kw"] == pytest.approx(expected_kw,
                                                                          rel=1e-6)
    rps = 40.0 * np.linspace(0.1, 3.0, 30)
    mw = evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps}, catalog)
    assert (np.diff(mw["facility_mw_peak"]) >= 0).all()


def _two_workloads(tp, count=None, redundancy=0):
    """The chat example with a second, identical workload on the same NVL72 pool."""
    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    data = plan.model_dump(mode="json")
    data["workloads"].append({**data["workloads"][0], "name": "chat-2"})
    data["workloads"][0]["traffic"]["peak_rps"] = 5.0
    data["workloads"][1]["traffic"]["peak_rps"] = 5.0
    pool = data["pools"][0]
    pool.update(workloads=["chat", "chat-2"], count=count, redundancy=redundancy)
    pool["layout"]["tp"] = tp
    return type(plan).model_validate(data)


def test_workloads_of_one_pool_share_its_racks():
    catalog = load_catalog()
    results = evaluate(_two_workloads(16), catalog, scenarios=["base"])
    assert results.workloads["replicas"].tolist() == [1, 1]
    assert results.pools.iloc[0]["accelerators"] == 72  # two TP16 groups share one rack


def test_a_fixed_pool_never_claims_more_replicas_than_fit():
    catalog = load_catalog()
    results = evaluate(_two_workloads(16, count=2), catalog, scenarios=["base"])
    assert results.workloads["replicas"].sum() <= 8  # 4 TP16 groups per 72-GPU rack


@pytest.mark.parametrize("count", [None, 1, 3])
def test_evaluate_many_packs_like_the_engine(count):
    from planner_core.whatif.evaluate_many import KPI_NAMES, evaluate_many

    catalog = load_catalog()
    plan = _two_workloads(16, count=count)
    rps = np.array([2.0, 30.0, 300.0])
    many = evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps}, catalog)
    for i, v in enumerate(rps):
        kpi = evaluate(apply_overrides(plan, {"workloads.chat.traffic.peak_rps": float(v)}),
                       catalog).kpi("base")
        for name in KPI_NAMES:
            if name != "meets_slo":
                assert many[name][i] == pytest.approx(kpi[name], rel=1e-6), (v, name)


@pytest.mark.parametrize("limit_kw,per_rack", [(30.6, 3), (40.8, 4), (51.0, 5)])
def test_a_limit_that_is_an_exact_multiple_fits_that_many(example_plan, catalog, limit_kw,
                                                          per_rack):
    """Ten 10.2 kW HGX servers (8 × 700 W and a 4.6 kW host; their network share sits in
    network racks) under an air limit of n × 10.2 kW go n to a rack, however n × 10.2 / 10.2
    rounds in binary: it must not cost a rack. The sweep agrees."""
    from planner_core import evaluate_many

    pool = example_plan.pools[0].name
    plan = apply_overrides(example_plan, {
        f"pools.{pool}.system": "hgx-h200", f"pools.{pool}.count": 10,
        "facility.max_air_cooled_rack_kw": limit_kw, "facility.rack_power_budget_kw": 132.0})
    result = evaluate(plan, catalog, scenarios=["base"])
    row = result.pools.iloc[0]
    assert row["rack_kw_provisioned"] == pytest.approx(10.2 * per_rack)
    assert row["systems_per_rack"] == per_rack
    assert row["racks"] == -(-10 // per_rack)
    swept = evaluate_many(plan, {"facility.max_air_cooled_rack_kw": np.array([limit_kw])},
                          catalog)
    assert float(swept["racks"][0]) == row["racks"]
