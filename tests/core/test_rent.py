"""Parts sold only as cloud rentals (TPU, Trainium, Inferentia) have a sourced rent and no
purchase price: a pool of them costs its rent, which covers the energy, space and upkeep the
plan would otherwise pay; its power is still counted. The plan's own rent for a pool comes
first; without any rent the plan says what to set."""

import copy
import math

import numpy as np
import pytest

from planner_core import PlannerError, evaluate, load_catalog, read_plan
from planner_core.engine.cost import HOURS_PER_YEAR
from planner_core.plan import Plan
from planner_core.resources import resource_path
from planner_core.whatif.evaluate_many import evaluate_many
from planner_core.whatif.optimize import optimize

CLOUD_ONLY = {"tpu-v6e-8": "tpu-v6e", "inf2-48xlarge": "inferentia2", "trn2-16": "trainium2"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _plan(tpu_pool: bool = True, own_pool: bool = False, rent: float | None = None) -> Plan:
    """The chat example's workload on TPU v6e (int8: the chip has no FP8), optionally beside
    the example's own GB200 pool serving a copy of it."""
    data = read_plan(resource_path("examples", "llama70b-chat.json")).model_dump(mode="json")
    data.update(scenarios=[], baseline="base")
    chat, pool = data["workloads"][0], data["pools"][0]
    chat["weight_precision"] = "int8"
    pools, workloads = [], [chat] if tpu_pool else []
    if tpu_pool:
        pools.append({**pool, "name": "tpu", "system": "tpu-v6e-8", "layout": {"tp": 8},
                      "count": None, "rent_usd_per_accelerator_hour": rent,
                      "workloads": [chat["name"]]})
    if own_pool:
        workloads.append({**chat, "name": "chat-own", "weight_precision": "fp8"})
        pools.append({**pool, "name": "own", "workloads": ["chat-own"]})
    data.update(pools=pools, workloads=workloads)
    return Plan.model_validate(data)


def test_cloud_only_parts_have_a_sourced_rent_and_no_price(catalog):
    for system, accelerator in CLOUD_ONLY.items():
        assert catalog.system(system).rented and catalog.system(system).price_usd is None
        rent = catalog.accelerator(accelerator).rent_usd_per_hour
        assert rent is not None and rent.value > 0 and rent.source and rent.grade
    # A part that is sold keeps its price; its rent is for comparison.
    assert not catalog.system("hgx-h100").rented


def test_a_rented_pool_costs_its_rent_and_nothing_else(catalog):
    r = evaluate(_plan(), catalog)
    k = r.kpis.iloc[0]
    acc = float(k["accelerators"])
    assert acc > 0
    rent = acc * 2.7 * HOURS_PER_YEAR
    assert k["opex_rent_usd_per_year"] == pytest.approx(rent, rel=1e-12)
    assert k["tco_usd_per_year"] == pytest.approx(rent, rel=1e-12)
    for name in ("capex_usd", "annual_capex_usd", "opex_energy_usd_per_year",
                 "opex_maintenance_usd_per_year", "opex_facility_usd_per_year"):
        assert k[name] == 0.0, name
    # What it draws is still shown, wherever it runs.
    assert k["facility_mw_provisioned"] > 0 and k["energy_mwh_per_day"] > 0
    pool = r.pools.iloc[0]
    assert bool(pool["rented"]) and pool["system_price_grade"] == "S"
    assert pool["rent_usd_per_year"] == pytest.approx(rent, rel=1e-12)


def test_the_plans_own_rent_comes_first(catalog):
    k = evaluate(_plan(rent=1.5), catalog).kpis.iloc[0]
    assert k["tco_usd_per_year"] == pytest.approx(float(k["accelerators"]) * 1.5
                                                  * HOURS_PER_YEAR, rel=1e-12)
    assert evaluate(_plan(rent=1.5), catalog).pools.iloc[0]["system_price_grade"] == "plan"


def test_beside_an_owned_pool_only_the_owned_pool_pays_energy_and_halls(catalog):
    both = evaluate(_plan(own_pool=True), catalog).kpis.iloc[0]
    own = evaluate(_plan(tpu_pool=False, own_pool=True), catalog).kpis.iloc[0]
    for name in ("capex_usd", "opex_energy_usd_per_year", "opex_maintenance_usd_per_year"):
        assert both[name] == pytest.approx(own[name], rel=1e-9), name
    assert both["opex_rent_usd_per_year"] > 0
    assert both["facility_mw_provisioned"] > own["facility_mw_provisioned"]


def test_no_rent_anywhere_says_what_to_set(catalog):
    # A copy of the (shared, cached) catalog in which the TPU has no rent.
    tpu = catalog.accelerator("tpu-v6e").model_copy(update={"rent_usd_per_hour": None})
    catalog = copy.copy(catalog)
    catalog.accelerators = {**catalog.accelerators, "tpu-v6e": tpu}
    with pytest.raises(PlannerError, match="rented only.*rent per accelerator-hour") as err:
        evaluate(_plan(), catalog)
    assert "rent_usd_per_accelerator_hour" in str(err.value)
    # The pool's own rent is enough.
    assert evaluate(_plan(rent=2.0), catalog).kpis.iloc[0]["opex_rent_usd_per_year"] > 0


def test_the_rent_can_be_swept_but_a_rented_systems_price_cannot(catalog):
    plan = _plan()
    rents = np.array([1.0, 2.0, 4.0])
    out = evaluate_many(plan, {"catalog.accelerators.tpu-v6e.rent_usd_per_hour": rents},
                        catalog)
    tco = np.asarray(out["tco_usd_per_year"])
    assert tco[1] == pytest.approx(2 * tco[0], rel=1e-12)
    assert tco[2] == pytest.approx(4 * tco[0], rel=1e-12)
    with pytest.raises(PlannerError, match="rented only"):
        evaluate_many(plan, {"catalog.systems.tpu-v6e-8.price_usd": np.array([1e5])}, catalog)


def test_optimize_prices_a_cloud_option_by_its_rent(catalog):
    plan = read_plan(resource_path("examples", "llama70b-chat.json"))
    frame = optimize(plan, "chat", catalog, systems=["tpu-v6e-8"])
    costed = frame[np.isfinite(frame["tco_usd_per_year"].to_numpy(float))]
    assert len(costed)
    for _, row in costed.iterrows():
        assert row["capex_usd"] == 0.0
        assert math.isclose(row["tco_usd_per_year"],
                            row["accelerators"] * 2.7 * HOURS_PER_YEAR, rel_tol=1e-9)


def test_the_rent_is_an_assumption_of_the_tornado(catalog):
    from planner_core.whatif.sensitivity import assumptions

    found = {a.path: a for a in assumptions(_plan(), catalog)}
    rent = found["catalog.accelerators.tpu-v6e.rent_usd_per_hour"]
    assert (rent.value, rent.grade) == (2.7, "S")
    assert not any(p.endswith("tpu-v6e-8.price_usd") for p in found)
    # The plan's own rent is the user's figure, not the catalog's.
    assert "catalog.accelerators.tpu-v6e.rent_usd_per_hour" not in {
        a.path for a in assumptions(_plan(rent=1.5), catalog)}
