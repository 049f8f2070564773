"""The site: the fat-tree fabric against NVIDIA's published SuperPOD counts, the electrical
chain and redundancy, the cooling plant and a derived PUE, the floor, and the site's limits."""

import json

import numpy as np
import pytest

from planner_core import Plan, evaluate
from planner_core.plan import parse_plan
from planner_core.plan.site import Cooling, Electrical, Fabric, Floor, Hall
from planner_core.site.electrical import ups_plant
from planner_core.site.fabric import fat_tree
from planner_core.site.floor import RackGroup, place

# NVIDIA DGX SuperPOD reference architectures: 64-port switches at 400 Gb/s, 8 ports per DGX.
QM9700 = Fabric(switch_ports=64, switch_port_gbps=400)


@pytest.mark.parametrize("dgx, tiers, leaves, spines, cores, cables", [
    (32, 2, 8, 4, 0, 512),  # one scalable unit (H100 RA: 8 leaves, 4 spines)
    (128, 2, 32, 16, 0, 2048),  # 4 SU (B200 RA table: 32 leaves, 16 spines)
    (512, 3, 128, 128, 64, 12288),  # 16 SU, 4,096 GPUs (B200 RA: 128 / 128 / 64 core)
])
def test_the_fat_tree_counts_nvidias_superpod_switches(dgx, tiers, leaves, spines, cores,
                                                       cables):
    c = fat_tree(dgx, 8, 400, QM9700)
    assert (c.tiers, c.leaves, c.spines, c.cores, c.links) == (tiers, leaves, spines, cores,
                                                                 cables)


def test_two_tiers_end_at_k_squared_over_two_ports():
    assert fat_tree(2048 / 8, 8, 400, QM9700).tiers == 2
    assert fat_tree(2048 / 8 + 1, 8, 400, QM9700).tiers == 3


def test_oversubscription_and_linear_optics_cut_the_fabric():
    full = fat_tree(128, 8, 400, QM9700)
    half = fat_tree(128, 8, 400, QM9700.model_copy(update={"oversubscription": 3.0}))
    assert half.spines < full.spines and half.leaves < full.leaves
    lpo = fat_tree(128, 8, 400, QM9700.model_copy(update={"optics": "linear"}))
    optics_w = full.watts - full.switches * QM9700.switch_w
    assert lpo.watts - lpo.switches * QM9700.switch_w == pytest.approx(
        optics_w * QM9700.linear_w_per_100g / QM9700.dsp_w_per_100g)


def test_the_fat_tree_broadcasts_over_a_sweep():
    n = np.array([0, 1, 32, 512])
    c = fat_tree(n, 8, 400, QM9700)
    assert c.tiers.tolist() == [0, 1, 2, 3] and c.watts[0] == 0 and c.usd[0] == 0


@pytest.mark.parametrize("scheme, load", [("N", 1.0), ("2N", 0.5), ("DR", 0.75)])
def test_redundancy_sets_how_loaded_each_ups_runs(scheme, load):
    plant = ups_plant(3000.0, Electrical(redundancy=scheme))
    assert plant.load_fraction == pytest.approx(load)
    assert plant.installed_kw == pytest.approx(3000.0 / load)


def test_n_plus_one_adds_one_module_to_those_that_carry_the_load():
    plant = ups_plant(3000.0, Electrical(redundancy="N+1", ups_module_kw=1250))
    assert plant.modules == 4 and plant.load_fraction == pytest.approx(0.75)
    lighter = ups_plant(3000.0, Electrical(redundancy="2N"))
    assert lighter.efficiency < plant.efficiency < ups_plant(3000.0, Electrical(
        redundancy="N")).efficiency


def _plan(system="hgx-h100", site=None, peak=200.0, **pool) -> Plan:
    return Plan.model_validate({"name": "site", "site": site or {}, "workloads": [
        {"name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
         "traffic": {"peak_rps": peak}, "input_tokens": {"mean": 2000},
         "output_tokens": {"mean": 400}, "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 50}}],
        "pools": [{"name": "gpus", "system": system, "layout": {"tp": 8},
                   "workloads": ["chat"], **pool}]})


def test_utility_carries_the_chain_at_its_redundancy_and_the_design_day():
    n = evaluate(_plan(site={"electrical": {"redundancy": "N"}})).kpi()
    two = evaluate(_plan(site={"electrical": {"redundancy": "2N"}})).kpi()
    assert n.utility_mw > n.facility_mw_provisioned  # the design day's cooling
    assert two.utility_mw > n.utility_mw  # a half-loaded UPS loses more
    assert two.facility_mw_provisioned == pytest.approx(n.facility_mw_provisioned)


def test_redundancy_costs_an_owned_site_its_idle_plant():
    owned = {"cost_model": "owned"}
    n = _plan(site={"electrical": {"redundancy": "N"}}).model_dump(mode="json")
    n["facility"] = owned
    two = json.loads(json.dumps(n))
    two["site"]["electrical"]["redundancy"] = "2N"
    a, b = (evaluate(Plan.model_validate(x)).kpi() for x in (n, two))
    plant = Electrical().plant_usd_per_kw
    assert b.opex_facility_usd_per_year > a.opex_facility_usd_per_year
    r = evaluate(Plan.model_validate(two)).sites["base"]["electrical"]
    assert r["idle_capacity_mw"] * 1e3 * plant > 0


def test_a_derived_pue_is_lower_for_liquid_and_higher_where_it_is_hot():
    derived = {"cooling": {"pue_source": "derived"}}
    air = evaluate(_plan(site=derived)).kpi().pue
    liquid = evaluate(_plan(site=derived, cooling="liquid")).kpi().pue
    hot = evaluate(_plan(site={"cooling": {"pue_source": "derived",
                                           "climate": "hot-humid"}})).kpi().pue
    assert 1.0 < liquid < air < hot < 1.6


def test_a_liquid_cooled_hgx_pool_fills_its_racks_past_the_air_limit():
    air = evaluate(_plan()).pools.iloc[0]
    liquid = evaluate(_plan(cooling="liquid"))
    row = liquid.pools.iloc[0]
    assert row.cooling == "liquid" and air.cooling == "air"
    assert row.systems_per_rack > air.systems_per_rack and row.racks < air.racks
    site = liquid.sites["base"]["cooling"]
    assert site["heat_to_liquid_mw"] > 0 and site["cdus"] >= 1 + Cooling().cdu_spares


def test_the_cooling_plant_counts_cdus_with_a_spare():
    r = evaluate(_plan("gb200-nvl72", peak=2000.0, layout={"tp": 8}))
    c = r.sites["base"]["cooling"]
    assert c["cdus"] == int(np.ceil(c["heat_to_liquid_mw"] * 1e3 / Cooling().cdu_kw)) + 1


def test_first_fit_keeps_a_pool_together_within_row_limits():
    floor = Floor(halls=[Hall(name="A", rows=3, positions_per_row=4, row_kw_limit=300)])
    fp = place([RackGroup("big", "compute", 5, 120.0, 1360.0),
                RackGroup("small", "compute", 3, 40.0, 700.0)], floor, 132.0)
    rows = [[(g.pool, n) for g, n in r.segments] for r in fp.rows]
    # Two 120 kW racks per 300 kW row; "small" starts in the first row with room.
    assert rows == [[("big", 2), ("small", 1)], [("big", 2), ("small", 1)],
                    [("big", 1), ("small", 1)]]
    assert all(r.kw <= 300 for r in fp.rows) and fp.unplaced == {}


def test_racks_no_row_takes_are_reported_with_the_reason():
    heavy = Floor(halls=[Hall(name="A", rows=1, positions_per_row=10, rack_kg_limit=1000)])
    fp = place([RackGroup("nvl", "compute", 2, 120.0, 1360.0)], heavy, 132.0)
    assert fp.unplaced == {"nvl": 2} and "1,360 kg" in fp.reasons["nvl"]


def test_site_limits_report_headroom_and_warn_when_exceeded():
    site = {"limits": {"utility_mw": 0.1, "it_mw": 100.0},
            "floor": {"halls": [{"name": "H1", "rows": 2, "positions_per_row": 10}]}}
    r = evaluate(_plan(site=site))
    limits = {x["limit"]: x for x in r.sites["base"]["limits"]}
    assert limits["utility_mw"]["exceeded"] and not limits["it_mw"]["exceeded"]
    assert limits["rack_positions"]["value"] == 20
    assert [w for w in r.warnings if w["kind"] == "site-limit" and "utility" in w["message"]]


def test_schema_4_flat_network_figures_migrate_with_their_meaning():
    data = _plan().model_dump(mode="json")
    data["schema_version"] = 4
    del data["site"]
    for pool in data["pools"]:
        del pool["cooling"]
    data["facility"].update(network_power_w_per_system=600.0, network_capex_pct=12.0)
    plan, upgraded = parse_plan(json.dumps(data))
    assert upgraded and plan.site.fabric.design == "fat-tree" and "fat tree" in plan.notes
    data["facility"].update(network_power_w_per_system=900.0)
    plan, _ = parse_plan(json.dumps(data))
    f = plan.site.fabric
    assert (f.design, f.flat_w_per_system, f.flat_capex_pct) == ("flat", 900.0, 12.0)
    assert "900" in plan.notes


def test_optimize_ranks_only_options_within_the_sites_utility_power():
    from planner_core.plan import plan_from_json
    from planner_core.resources import resource_path
    from planner_core.whatif.optimize import optimize

    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    frame = optimize(plan, "chat", systems=["hgx-h100", "gb200-nvl72"], site_mw=0.1)
    ranked = frame[frame["rank"].notna()]
    assert len(ranked) and (ranked["site_utility_mw"] <= 0.1).all()
    assert (frame[frame["meets_slo"] & (frame["site_utility_mw"] > 0.1)]["rank"].isna()).all()
    assert (frame[frame["meets_slo"] & (frame["site_utility_mw"] > 0.1)]).shape[0] > 0


def test_optimize_charges_the_other_pools_to_the_site():
    from planner_core.whatif.optimize import optimize

    data = _plan().model_dump(mode="json")
    data["workloads"].append({**data["workloads"][0], "name": "batch"})
    data["pools"].append({**data["pools"][0], "name": "other", "workloads": ["batch"]})
    plan = Plan.model_validate(data)
    alone = optimize(_plan(), "chat", systems=["hgx-h100"])
    shared = optimize(plan, "chat", systems=["hgx-h100"])
    a = alone.set_index(["layout", "precision", "serving"])
    b = shared.set_index(["layout", "precision", "serving"]).loc[a.index]
    ok = a["meets_slo"].to_numpy(bool)
    assert (b["site_utility_mw"].to_numpy()[ok] > a["site_utility_mw"].to_numpy()[ok]).all()


def _fixed_pool_plan(count=4):
    return Plan.model_validate({"name": "split", "workloads": [
        {"name": "chat", "model": "llama-3.1-70b", "weight_precision": "fp8",
         "traffic": {"peak_rps": 200.0}, "input_tokens": {"mean": 2000},
         "output_tokens": {"mean": 400}, "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 50}}],
        "pools": [{"name": "old", "system": "hgx-h100", "count": count, "layout": {"tp": 4},
                   "workloads": ["chat"]}]})


def test_a_split_gives_the_fixed_pool_the_most_it_carries_and_sizes_options_for_the_rest():
    from planner_core.whatif.optimize import optimize

    plan = _fixed_pool_plan()
    frame = optimize(plan, "chat", systems=["hgx-h100", "gb200-nvl72"], alongside="old")
    share = float(frame["alongside_share_pct"].iloc[0]) / 100
    assert 0 < share < 1

    def alone(s):
        data = plan.model_dump(mode="json")
        data["workloads"][0]["traffic"]["peak_rps"] = 200.0 * s
        return evaluate(Plan.model_validate(data)).workloads.meets_slo.all()

    assert alone(share) and not alone(share + 0.02)
    # An option serving the rest, with the fixed pool beside it, meets every SLO.
    best = frame[frame["rank"] == 1].iloc[0]
    assert best["meets_slo"] and best["site_utility_mw"] > best["utility_mw"]


def test_a_split_needs_a_fixed_pool_that_serves_the_workload():
    from planner_core import PlannerError
    from planner_core.whatif.optimize import optimize

    sized = _fixed_pool_plan().model_dump(mode="json")
    sized["pools"][0]["count"] = None
    with pytest.raises(PlannerError, match="fixed size"):
        optimize(Plan.model_validate(sized), "chat", systems=["hgx-h100"], alongside="old")
    with pytest.raises(PlannerError, match="no pool named"):
        optimize(_fixed_pool_plan(), "chat", systems=["hgx-h100"], alongside="nope")
    with pytest.raises(PlannerError, match="no new pool is needed"):
        optimize(_fixed_pool_plan(count=40), "chat", systems=["hgx-h100"], alongside="old")


def test_a_swept_fabric_figure_gives_what_the_plan_with_it_gives():
    from planner_core.plan import apply_overrides
    from planner_core.whatif.evaluate_many import evaluate_many

    plan = _plan(peak=2000.0)
    prices = np.array([50_000.0, 250_000.0])
    swept = evaluate_many(plan, {"site.fabric.switch_usd": prices,
                                 "site.fabric.oversubscription": np.array([1.0, 3.0])})
    for i, (price, o) in enumerate(zip(prices, (1.0, 3.0), strict=True)):
        one = evaluate(apply_overrides(plan, {"site.fabric.switch_usd": price,
                                              "site.fabric.oversubscription": o})).kpi()
        assert swept["capex_usd"][i] == pytest.approx(one.capex_usd, rel=1e-9)
        assert swept["it_kw_provisioned"][i] == pytest.approx(one.it_kw_provisioned, rel=1e-9)
    assert swept["capex_usd"][1] != swept["capex_usd"][0]
