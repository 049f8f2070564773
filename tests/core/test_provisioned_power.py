"""Power to provision (every system at its rated draw) beside the draw expected at the peak
hour, in the KPIs, the pool rows and the CSV; the compute rack's budget without the network
switches' share."""

import pytest

from planner_core import Plan, evaluate, load_catalog
from planner_core.exports.results_csv import results_table
from planner_core.plan import plan_from_json
from planner_core.resources import resource_path

CATALOG = load_catalog()


def _plan(system: str, peak: float = 40.0, tp: int = 8) -> Plan:
    return Plan.model_validate({"name": "power", "workloads": [
        {"name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
         "traffic": {"peak_rps": peak}, "input_tokens": {"mean": 2000},
         "output_tokens": {"mean": 400}, "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 50}}],
        "pools": [{"name": "gpus", "system": system, "layout": {"tp": tp},
                   "workloads": ["chat"]}]})


def test_provisioned_is_every_system_at_its_rating_and_at_least_the_peak():
    r = evaluate(plan_from_json(resource_path("examples", "llama70b-chat.json").read_text()))
    pue = 1.3
    for _, k in r.kpis.iterrows():
        assert k.it_kw_provisioned >= k.it_kw_peak > 0
        assert k.facility_mw_provisioned == pytest.approx(k.it_kw_provisioned * pue / 1e3)
        pools = r.pools[r.pools.scenario == k.scenario]
        assert pools.it_kw_provisioned.sum() == pytest.approx(k.it_kw_provisioned)
    csv = results_table(r)
    assert {"scenario_it_kw_provisioned", "scenario_facility_mw_provisioned",
            "pool_rack_kw_provisioned"} <= set(csv.columns)


def test_a_gb300_rack_at_its_rated_draw_fits_the_default_budget():
    system = CATALOG.system("gb300-nvl72")
    gpu = CATALOG.accelerator(system.accelerator)
    rated_kw = (system.accelerators * gpu.tdp_w.value + system.host_power_w.value) / 1e3
    r = evaluate(_plan("gb300-nvl72"))
    pool = r.pools.iloc[0]
    assert pool.rack_kw_provisioned == pytest.approx(rated_kw)
    assert rated_kw <= Plan.model_fields["facility"].default_factory().rack_power_budget_kw
    assert not [w for w in r.warnings if w["kind"] == "rack-over-budget"]
    # The network's switches are still provisioned, at the site.
    net = r.kpi().it_kw_provisioned - pool.systems * rated_kw
    assert net == pytest.approx(pool.network_kw) and net > 0


def test_air_cooled_servers_still_stack_by_their_own_draw():
    r = evaluate(_plan("hgx-h200", tp=4))
    pool = r.pools.iloc[0]
    system = CATALOG.system("hgx-h200")
    gpu = CATALOG.accelerator(system.accelerator)
    one = (system.accelerators * gpu.tdp_w.value + system.host_power_w.value) / 1e3
    assert pool.rack_kw_provisioned == pytest.approx(one * pool.systems_per_rack)
    assert pool.rack_kw_provisioned <= 30.0  # the air-cooling limit
