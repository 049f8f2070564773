"""The line above the rack drawing accounts for every rack, including those not drawn."""

from app.window.widgets.rack_summary import rack_summary
from app.window.widgets.rack_view import MAX_RACKS_PER_POOL
from planner_core import evaluate, load_catalog, read_plan
from planner_core.resources import resource_path


def test_every_rack_is_accounted_for():
    catalog = load_catalog()
    plan = read_plan(resource_path("examples", "platform-5000rps.json"), catalog)
    results = evaluate(plan, catalog, scenarios=["base"])
    sizings = results.sizings["base"]
    peaks = {r["pool"]: float(r["it_kw_peak"]) for r in results.records("pools", "base")}
    text = rack_summary(sizings, peaks)
    total = sum(ps.racks for ps in sizings)
    assert text.startswith(f"{total:,} racks in all")
    big = max(sizings, key=lambda ps: ps.racks)
    assert big.racks > MAX_RACKS_PER_POOL
    assert f"the other {big.racks - MAX_RACKS_PER_POOL:,} are alike" in text
    for ps in sizings:
        assert f"• {ps.pool.name}: {ps.racks:,} " in text
