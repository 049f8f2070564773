"""A workload split between a fixed pool the architect already has and a new one to choose.

The fixed pool is paid for and draws its idle power whatever it serves, so the split that
costs least gives it the largest share of the workload it carries within the SLOs; the new
pool sizes for the rest. That share is found in one array pass over a 1% grid of shares
(the engine's own sizing and roll-up), then refined to 0.05%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner_core.catalog import Catalog
from planner_core.engine.calibration import Calibration
from planner_core.errors import PlannerError
from planner_core.plan import Plan
from planner_core.whatif.evaluate_many import evaluate_many


@dataclass
class Split:
    pool: str
    share: float  # of the workload's peak the fixed pool carries
    rest: Plan  # the workload at the rest of its peak: what the new pool is sized for
    fixed: Plan  # the plan with the fixed pool carrying its share: the site's other load


def split_with(variant: Plan, workload: str, pool: str, catalog: Catalog,
               cal: Calibration) -> Split:
    """The largest share of ``workload`` the fixed ``pool`` of ``variant`` carries."""
    match = [p for p in variant.pools if p.name == pool]
    if not match:
        raise PlannerError(f"no pool named {pool!r}", field="alongside")
    if workload not in match[0].workloads:
        raise PlannerError(f"pool {pool!r} does not serve {workload!r}", field="alongside")
    if match[0].count is None:
        raise PlannerError(f"pool {pool!r} is sized for its load; a split needs a pool of "
                           "fixed size (set its count)", field="alongside")
    alone = _served_by(variant, workload, pool)
    peak = alone.workload(workload).traffic.peak_rps
    path = f"workloads.{workload}.traffic.peak_rps"

    def meets(shares: np.ndarray) -> np.ndarray:
        k = evaluate_many(alone, {path: peak * shares}, catalog, cal)
        return np.asarray(k["meets_slo"], bool)

    coarse = np.linspace(0.01, 1.0, 100)
    ok = meets(coarse)
    share = 0.0
    if ok.any():
        i = int(np.flatnonzero(ok)[-1])
        fine = np.linspace(coarse[i], min(coarse[i] + 0.01, 1.0), 21)
        good = meets(fine)
        share = float(fine[np.flatnonzero(good)[-1]]) if good.any() else float(coarse[i])
    if share >= 1.0:
        raise PlannerError(f"pool {pool!r} carries all of {workload!r} within its SLOs: no new "
                           "pool is needed", field="alongside")
    fixed = _scaled(alone, workload, share) if share > 0 else _without(alone, workload, pool)
    return Split(pool, share, _scaled(alone, workload, 1.0 - share), fixed)


def _served_by(variant: Plan, workload: str, pool: str) -> Plan:
    """``variant`` with ``workload`` served by ``pool`` alone (other pools keep the rest of
    what they serve; a pool left with nothing goes)."""
    # The timeline's options name the plan's pools; this snapshot of other pools has none.
    data = variant.model_dump(mode="json", exclude={"scenarios", "baseline", "timeline"})
    pools = []
    for p in data["pools"]:
        if p["name"] != pool and workload in p["workloads"]:
            p["workloads"] = [w for w in p["workloads"] if w != workload]
        if p["workloads"]:
            pools.append(p)
    data["pools"] = pools
    for w in data["workloads"]:
        if w["name"] == workload:
            w["pool_shares"] = {}
    return Plan.model_validate(data)


def _scaled(plan: Plan, workload: str, factor: float) -> Plan:
    data = plan.model_dump(mode="json")
    for w in data["workloads"]:
        if w["name"] == workload:
            w["traffic"]["peak_rps"] *= factor
    return Plan.model_validate(data)


def _without(plan: Plan, workload: str, pool: str) -> Plan:
    """The plan with ``pool`` serving nothing of ``workload`` (it still stands and draws)."""
    return _scaled(plan, workload, 1e-9)
