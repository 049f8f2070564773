"""A purchase sequence run period by period: the cohorts in service, each period's fleet
evaluated by the engine (one pool of fixed size per cohort, each workload split between the
cohorts serving it by their capacity), and the money.

Money: a cohort's CapEx (its price in the period bought, installation, its own fabric) is
paid when bought and written off straight-line over the amortization period; it retires after
its refresh policy says (:mod:`planner_core.roadmap.refresh`) with nothing recovered. OpEx per
period is the engine's yearly energy, facility and maintenance (on the cohorts' CapEx) times
the period's length. NPV discounts each period's cash at the plan's cost of capital from the
timeline's start. Cost per million output tokens of a period: (write-off + OpEx) / tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from planner_core.catalog import Catalog
from planner_core.engine.calibration import Calibration
from planner_core.engine.evaluate import Results, evaluate_scenario
from planner_core.plan import Plan
from planner_core.plan.timeline import Purchase
from planner_core.roadmap.periods import Period, demand, periods, power_mw, price, system_of
from planner_core.roadmap.units import Unit, option_plan


@dataclass
class Cohort:
    option: str
    bought: int  # period
    systems: int
    capex_usd: float  # systems, installation, its fabric; paid when bought
    retires: int  # the first period it is no longer in service


@dataclass
class PeriodRow:
    period: Period
    cohorts: list[Cohort]
    demand_rps: dict[str, float]
    capacity_rps: dict[str, float]  # the engine's: fixed pools at 100% within the SLOs
    meets: bool  # every workload served within its SLOs (the engine's verdict)
    utility_mw: float
    power_available_mw: float | None
    it_kw_provisioned: float
    facility_mw_peak: float
    capex_usd: float  # paid this period
    opex_usd: float
    writeoff_usd: float
    output_tokens: float
    usd_per_m_output_tokens: float
    #: per option, its cohorts' capacity summed over workloads (the engine's, req/s)
    option_capacity_rps: dict[str, float] = field(default_factory=dict)
    results: Results | None = field(default=None, repr=False)

    @property
    def within_power(self) -> bool:
        return self.power_available_mw is None or \
            self.utility_mw <= self.power_available_mw * (1 + 1e-9)


@dataclass
class Run:
    rows: list[PeriodRow]
    npv_usd: float

    @property
    def meets(self) -> bool:
        return all(r.meets and r.within_power for r in self.rows)


def cohorts_from(plan: Plan, purchases: list[Purchase], catalog: Catalog,
                 retires: Callable[[str, int], int]) -> list[Cohort]:
    """The purchases as cohorts, their CapEx the systems' price in the period bought with
    installation (their fabric is added when the engine has counted it); ``retires`` is
    :func:`planner_core.roadmap.refresh.retirement`'s."""
    t = plan.timeline
    ps = periods(t)
    options = {o.name: o for o in t.options}
    merged: dict[tuple[int, str], int] = {}
    for buy in purchases:  # one cohort per option and period
        merged[(buy.period, buy.option)] = merged.get((buy.period, buy.option), 0) + buy.systems
    out = []
    for (period, name), systems in sorted(merged.items()):
        sys_ = system_of(plan, options[name], catalog)
        each = price(sys_, options[name], ps[period]) * (
            1 + plan.facility.installation_capex_pct / 100)
        out.append(Cohort(name, period, systems, each * systems, retires(name, period)))
    return out


def period_plan(plan: Plan, p: Period, cohorts: list[Cohort], units: dict) -> Plan | None:
    """The plan at ``p``: its workloads at the period's demand, one fixed pool per cohort in
    service (named "<option> <period bought>"), each workload split between them by their
    capacity; pools no option stands for stay as they are. None if nothing is in service."""
    t = plan.timeline
    live = [c for c in cohorts if c.bought <= p.index < c.retires]
    options = {o.name: o for o in t.options}
    templates = {o.pool for o in t.options}
    at = demand(plan, t, p)
    data = plan.model_dump(mode="json", exclude={"scenarios", "baseline", "timeline"})
    pools = [x for x in data["pools"] if x["name"] not in templates]
    shares: dict[str, dict[str, float]] = {}
    for c in live:
        single = option_plan(plan, options[c.option], p, count=c.systems)
        pool = single.pools[0].model_dump(mode="json")
        pool["name"] = f"{c.option} {c.bought}"
        pools.append(pool)
        cap = units[(c.option, p.index)].capacity(c.systems, planned=False)
        for w in pool["workloads"]:
            shares.setdefault(w, {})[pool["name"]] = max(cap.get(w, 0.0), 1e-12)
    served = {w for x in pools for w in x["workloads"]}
    if not pools or not served:
        return None
    data["pools"] = pools
    workloads = []
    for w in data["workloads"]:
        if w["name"] not in served:
            continue
        peak, isl, osl = at[w["name"]]
        w["traffic"]["peak_rps"] = peak
        w["input_tokens"]["mean"], w["output_tokens"]["mean"] = isl, osl
        split = shares.get(w["name"], {})
        serving = [x["name"] for x in pools if w["name"] in x["workloads"]]
        if len(serving) > 1 and set(split) == set(serving):
            total = sum(split.values())
            w["pool_shares"] = {k: v / total for k, v in split.items()}
        else:
            w["pool_shares"] = {}
        workloads.append(w)
    data["workloads"] = workloads
    return Plan.model_validate(data)


def run(plan: Plan, purchases: list[Purchase], units: dict, catalog: Catalog,
        cal: Calibration, retires: Callable[[str, int], int],
        keep_results: bool = False) -> Run:
    """The sequence ``purchases`` period by period, each period by the engine."""
    t = plan.timeline
    ps = periods(t)
    amort = plan.facility.amortization_years
    rate = plan.facility.cost_of_capital
    cohorts = cohorts_from(plan, purchases, catalog, retires)
    rows, npv = [], 0.0
    for p in ps:
        at = demand(plan, t, p)
        variant = period_plan(plan, p, cohorts, units)
        live = [c for c in cohorts if c.bought <= p.index < c.retires]
        r = evaluate_scenario(variant, "base", catalog, cal) if variant is not None else None
        if r is not None:
            # A cohort's own fabric is bought with it: the engine counts it for its pool.
            fabric = dict(zip(r.pools.pool, r.pools.network_capex_usd, strict=True))
            for c in cohorts:
                if c.bought == p.index:
                    c.capex_usd += float(fabric.get(f"{c.option} {c.bought}", 0.0))
        paid = sum(c.capex_usd for c in cohorts if c.bought == p.index)
        writeoff = sum(c.capex_usd * min(p.length_years / amort, 1.0) for c in live
                       if (p.index - c.bought) * p.length_years < amort)
        if r is None:
            row = PeriodRow(p, live, {w: v[0] for w, v in at.items()}, dict.fromkeys(at, 0.0),
                            False, 0.0, power_mw(plan, t, p), 0.0, 0.0, paid, 0.0, writeoff,
                            0.0, float("inf"))
        else:
            row = _row(plan, p, live, at, r, paid, writeoff, keep_results)
        rows.append(row)
        npv += (row.capex_usd + row.opex_usd) / (1 + rate) ** p.years
    return Run(rows, npv)


def _row(plan: Plan, p: Period, live: list[Cohort], at: dict, r: Results, paid: float,
         writeoff: float, keep: bool) -> PeriodRow:
    k = r.kpi()
    w = r.workloads
    capacity = {name: float((g.capacity_rps_per_replica * g.replicas).sum())
                for name, g in w.groupby("workload")}
    maint = plan.facility.maintenance_pct_per_year / 100 * sum(c.capex_usd for c in live)
    opex = (float(k.opex_energy_usd_per_year) + float(k.opex_facility_usd_per_year)
            + maint) * p.length_years
    tokens = float(k.output_tokens_per_year) * p.length_years
    unmet = [x for x in at if x not in capacity]
    by_option: dict[str, float] = {}
    for c in live:
        mine = w[w.pool == f"{c.option} {c.bought}"]
        by_option[c.option] = by_option.get(c.option, 0.0) + float(
            (mine.capacity_rps_per_replica * mine.replicas).sum())
    return PeriodRow(
        p, live, {x: v[0] for x, v in at.items()},
        {x: capacity.get(x, 0.0) for x in at}, bool(w.meets_slo.all()) and not unmet
        and not [x for x in r.warnings if x["severity"] == "error"],
        float(k.utility_mw), power_mw(plan, plan.timeline, p), float(k.it_kw_provisioned),
        float(k.facility_mw_peak), paid, opex, writeoff, tokens,
        (writeoff + opex) / (tokens / 1e6) if tokens > 0 else float("inf"),
        by_option, r if keep else None)


def units_for(plan: Plan, catalog: Catalog, cal: Calibration) -> dict[tuple[str, int], Unit]:
    from planner_core.roadmap.units import unit

    return {(o.name, p.index): unit(plan, o, p, catalog, cal)
            for o in plan.timeline.options for p in periods(plan.timeline)}
