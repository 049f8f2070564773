"""One scenario's site, itemised: the electrical chain, the cooling plant, each pool's fabric,
the floor, and the headroom of the site's limits, with warnings where a limit is exceeded.

The figures are plain JSON-ready values (``evaluate --json`` writes them under ``site``).
"""

from __future__ import annotations

import math
from typing import Any

from planner_core.engine.sizing import Issue
from planner_core.plan import Plan
from planner_core.site.floor import FloorPlan, RackGroup, place

#: An empty 42U rack with its PDUs, for server racks (whole-rack systems weigh as built).
#: Assumption: 120-180 kg for a populated-ready 600 x 1200 mm cabinet.
RACK_FRAME_KG = 150.0


def site_details(plan: Plan, sizings: list, power: dict[str, Any],
                 issues: list[Issue]) -> dict[str, Any]:
    """``sizings``: the scenario's PoolSizings; ``power``: the roll-up's site figures."""
    s = plan.site
    f = {k: float(v) for k, v in power.items()}
    fabric = _fabric(plan, sizings)
    floor = place(_groups(plan, sizings, fabric), s.floor, plan.facility.rack_power_budget_kw)
    details = {
        "utility_mw": f["utility_mw"],
        "electrical": {
            "redundancy": s.electrical.redundancy, "ups_modules": int(f["ups_modules"]),
            "ups_module_kw": s.electrical.ups_module_kw,
            "ups_installed_mw": f["ups_installed_kw"] / 1e3,
            "idle_capacity_mw": max(f["ups_installed_kw"] - f["it_kw"], 0.0) / 1e3,
            "ups_load_pct": f["ups_load_pct"], "ups_efficiency_pct": f["ups_efficiency_pct"],
            "chain_efficiency_pct": f["chain_efficiency_pct"],
            "losses_kw": f["electrical_loss_kw"],
        },
        "cooling": {
            "pue_source": s.cooling.pue_source, "pue": f["pue"], "climate": s.cooling.climate,
            "heat_to_liquid_mw": f["heat_liquid_kw"] / 1e3,
            "heat_to_air_mw": f["heat_air_kw"] / 1e3, "cdus": int(f["cdus"]),
            "cdu_kw": s.cooling.cdu_kw, "heat_rejection_units": int(f["heat_rejection_units"]),
            "heat_rejection_mw": f["heat_rejection_kw"] / 1e3,
            "cooling_annual_mw": f["cooling_annual_kw"] / 1e3,
            "cooling_design_day_mw": f["cooling_design_kw"] / 1e3,
            "pools": {ps.pool.name: "air" if bool(ps.fleet.air) else "liquid"
                      for ps in sizings},
        },
        "fabric": fabric,
        "floor": _floor_json(floor),
        "limits": _limits(plan, f, floor),
    }
    _warn(plan, details, floor, f, issues)
    return details


def _fabric(plan: Plan, sizings: list) -> dict[str, Any]:
    fab = plan.site.fabric
    pools = []
    for ps in sizings:
        n = ps.systems
        row = {"pool": ps.pool.name, "ports": n * ps.system.ports,
               "port_gbps": ps.system.port_gbps,
               "kw": float(ps.fleet.net_kw) * n, "capex_usd": float(ps.fleet.net_usd)}
        c = ps.fleet.fabric  # counted once, by the sizing
        if c is not None:
            row.update(tiers=int(c.tiers), leaves=int(c.leaves), spines=int(c.spines),
                       cores=int(c.cores), switches=int(c.switches),
                       transceivers=int(c.transceivers), cables=int(c.links))
        pools.append(row)
    total = {k: sum(p.get(k, 0) for p in pools)
             for k in ("switches", "transceivers", "cables", "kw", "capex_usd")}
    return {"design": fab.design, "oversubscription": fab.oversubscription,
            "optics": fab.optics, **total, "pools": pools}


def _groups(plan: Plan, sizings: list, fabric: dict) -> list[RackGroup]:
    per_rack = plan.site.floor.switches_per_network_rack
    groups = []
    for ps, net in zip(sizings, fabric["pools"], strict=True):
        weight = ps.system.weight_kg.value if ps.system.weight_kg is not None else None
        frame = 0.0 if ps.system.form == "rack" else RACK_FRAME_KG
        kg = None if weight is None else frame + weight * ps.systems_per_rack
        if ps.racks:
            groups.append(RackGroup(ps.pool.name, "compute", ps.racks,
                                    ps.system_kw_peak * ps.systems_per_rack, kg))
        switches = net.get("switches", 0)
        if switches:
            racks = math.ceil(switches / per_rack)
            groups.append(RackGroup(ps.pool.name, "network", racks, net["kw"] / racks, None))
    return groups


def _floor_json(fp: FloorPlan) -> dict[str, Any]:
    return {
        "racks": fp.racks, "positions": fp.positions, "placed": fp.placed,
        "unplaced": fp.unplaced, "m2_used": fp.m2_used, "m2_total": fp.m2_total,
        "rows": [{"hall": r.hall, "row": r.index, "positions": r.positions, "used": r.used,
                  "kw": r.kw, "kw_limit": r.kw_limit, "kg": r.kg,
                  "racks": [{"pool": g.pool, "kind": g.kind, "count": n, "kw": g.kw,
                             "kg": g.kg} for g, n in r.segments]} for r in fp.rows],
    }


def _limits(plan: Plan, f: dict, fp: FloorPlan) -> list[dict[str, Any]]:
    lim = plan.site.limits
    out = []
    for name, limit, used, unit in (
            ("utility_mw", lim.utility_mw, f["utility_mw"], "MW"),
            ("it_mw", lim.it_mw, f["it_kw"] / 1e3, "MW"),
            ("rack_positions", fp.positions if fp.m2_total is not None else None,
             fp.racks, "racks")):
        if limit is None:
            continue
        out.append({"limit": name, "value": limit, "used": used, "unit": unit,
                    "headroom": limit - used, "headroom_pct": 100 * (limit - used) / limit,
                    "exceeded": used > limit * (1 + 1e-9)})
    return out


def _warn(plan: Plan, details: dict, fp: FloorPlan, f: dict, issues: list[Issue]) -> None:
    for row in details["limits"]:
        if row["exceeded"]:
            text = {"utility_mw": "needs {u:,.2f} MW at the utility meter; the site has "
                                  "{v:,.2f} MW",
                    "it_mw": "needs {u:,.2f} MW of IT load provisioned; the halls are built "
                             "for {v:,.2f} MW",
                    "rack_positions": "needs {u:,.0f} rack positions; the halls have {v:,.0f}"}
            issues.append(Issue("site-limit", "site.limits", text[row["limit"]].format(
                u=row["used"], v=row["value"])))
    for pool, n in fp.unplaced.items():
        issues.append(Issue("floor-full", f"pools.{pool}", (
            f"{n:,} of its racks have no position on the floor ({fp.reasons[pool]})")))
    if f["pue_below_chain"]:
        issues.append(Issue("pue-below-losses", "facility", (
            f"PUE {plan.facility.pue:.2f} is below what the electrical chain alone loses "
            f"({details['electrical']['chain_efficiency_pct']:.1f}% efficient) plus lighting "
            "and offices; raise the PUE or derive it (site.cooling.pue_source)"), "info"))
    for row in details["fabric"]["pools"]:
        if row.get("tiers", 0) > 3:
            issues.append(Issue("fabric-too-large", f"pools.{row['pool']}", (
                f"{row['ports']:,} ports need more than three tiers of "
                f"{plan.site.fabric.switch_ports}-port switches; counted as three")))
