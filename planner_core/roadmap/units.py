"""What one system of an option gives in one period: replicas, requests/s per workload within
the SLOs, power and running cost per system — read from the engine sizing that option alone
for the period's demand, so the roadmap's arithmetic rests on the same physics as a snapshot."""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner_core.catalog import Catalog
from planner_core.engine.calibration import Calibration
from planner_core.engine.evaluate import evaluate_scenario
from planner_core.engine.packing import replicas_in
from planner_core.plan import Plan
from planner_core.plan.timeline import Option
from planner_core.roadmap.periods import Period, demand


@dataclass
class Unit:
    option: str
    period: int
    per_system: int  # accelerators per system
    workloads: list[str]
    raw_rps: dict[str, float]  # per replica within the SLOs, at 100% (the engine's capacity)
    per_replica: float  # accelerators per replica
    group: float  # tensor-parallel group
    stages: float  # pipeline stages
    fluid: bool  # groups pack chip by chip (SRAM chains, domains wider than a system)
    target_utilization: float
    redundancy: int
    kw_per_system: float  # provisioned, the fabric's share included
    utility_mw_per_system: float
    opex_usd_per_system_year: float  # energy and facility at the period's load, sized
    ok: bool  # the option can serve its workloads at all

    def replicas(self, systems: float) -> float:
        """Replicas of each workload ``systems`` hold (a fixed pool's slots in the engine)."""
        acc = systems * self.per_system
        share = 1.0 / len(self.workloads)
        if self.fluid:
            return math.floor(acc * share / self.per_replica)
        return math.floor(float(replicas_in(acc, self.group, self.per_system, False,
                                            self.stages)) / len(self.workloads))

    def capacity(self, systems: float, planned: bool = True) -> dict[str, float]:
        """Requests/s per workload ``systems`` carry within the SLOs; ``planned``: at the
        target utilization, the cohort's spare replicas left out."""
        n = self.replicas(systems)
        if planned:
            n = max(n - self.redundancy, 0)
        util = self.target_utilization if planned else 1.0
        return {w: n * r * util for w, r in self.raw_rps.items()}

    def systems_for(self, need: dict[str, float]) -> int:
        """The fewest systems whose planned capacity covers ``need`` (0 if nothing needed)."""
        if all(v <= 0 for v in need.values()):
            return 0
        if not self.ok:
            return -1

        def enough(n: int) -> bool:
            cap = self.capacity(n)
            return all(cap[w] >= v - 1e-9 for w, v in need.items() if w in cap)

        hi = 1
        while not enough(hi):
            hi *= 2
            if hi > 10_000_000:
                return -1
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if enough(mid) else (mid, hi)
        return hi


def option_plan(plan: Plan, option: Option, p: Period, count: int | None = None) -> Plan:
    """The plan of ``option`` alone serving its pool's workloads at ``p``'s demand."""
    data = plan.model_dump(mode="json", exclude={"scenarios", "baseline", "timeline"})
    pool = next(x for x in data["pools"] if x["name"] == option.pool)
    at = demand(plan, plan.timeline, p)
    pool.update(name=option.name, count=count)
    if option.system is not None and option.system != pool["system"]:
        pool.update(system=option.system, power_limit_w=None, cooling="system",
                    rent_usd_per_accelerator_hour=None)
    if option.tp is not None:
        pool["layout"]["tp"] = option.tp
    if option.ep is not None:
        pool["layout"]["ep"] = option.ep
    if option.tp is not None or option.ep is not None:
        pool["layout"]["mig"] = None
    data["pools"] = [pool]
    data["workloads"] = [_at(w, at) for w in data["workloads"] if w["name"] in pool["workloads"]]
    return Plan.model_validate(data)


def _at(w: dict, at: dict) -> dict:
    peak, isl, osl = at[w["name"]]
    w["traffic"]["peak_rps"] = peak
    w["input_tokens"]["mean"] = isl
    w["output_tokens"]["mean"] = osl
    w["pool_shares"] = {}
    return w


def unit(plan: Plan, option: Option, p: Period, catalog: Catalog, cal: Calibration) -> Unit:
    single = option_plan(plan, option, p)
    r = evaluate_scenario(single, "base", catalog, cal)
    ps = r.sizings["base"][0]
    rows = r.workloads
    k = r.kpi()
    systems = max(int(ps.systems), 1)
    hw = next((ws.hw for ws in ps.workloads if ws.hw is not None), None)
    raw = {row.workload: float(row.capacity_rps_per_replica) for row in rows.itertuples()}
    ok = bool(rows.meets_slo.all()) and all(v > 0 for v in raw.values()) and hw is not None
    fluid = (ps.accelerator.architecture == "sram"
             or ps.system.scaleup_domain > ps.system.accelerators)
    per_replica = float(rows.accelerators_per_replica.iloc[0]) if len(rows) else 1.0
    opex = (float(k.opex_energy_usd_per_year) + float(k.opex_facility_usd_per_year))
    return Unit(option.name, p.index, ps.system.accelerators, list(raw), raw, per_replica,
                float(hw.tp) if hw is not None else 1.0,
                float(hw.pp) if hw is not None else 1.0, fluid,
                ps.pool.target_utilization, ps.pool.redundancy,
                float(k.it_kw_provisioned) / systems, float(k.utility_mw) / systems,
                opex / systems, ok)
