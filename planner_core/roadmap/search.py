"""Choosing the purchases: which option to buy in each period, and how many.

A sequence buys, in each period where the cohorts in service fall short of the demand (at the
target utilization, each cohort's spare replicas kept), the fewest systems of one option that
cover the shortfall. Which option is the choice: a beam search over those choices ranks
sequences by an estimated NPV of cost (each option's CapEx at its price path, and its energy
and facility cost per system from the engine's sizing of that option alone in that period),
dropping sequences that draw more utility power than the period has. The best few, and the
fixed strategies (one option only, the newest available, the cheapest per request each
period), are then run through the engine period by period (:mod:`planner_core.roadmap.cohorts`);
the chosen sequence is the one of least NPV that meets every period's demand within its power.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner_core.catalog import Catalog
from planner_core.engine.calibration import Calibration
from planner_core.plan import Plan
from planner_core.plan.timeline import Purchase
from planner_core.roadmap.cohorts import Run, run, units_for
from planner_core.roadmap.periods import available, demand, periods, power_mw, price, system_of
from planner_core.roadmap.refresh import retirement

BEAM = 2000  # partial sequences kept per period; every sequence, for small timelines
EXACT = 5  # the best estimated sequences run through the engine


#: The name of the strategy that runs the sequence stored in the plan's ``timeline.purchases``.
PLANS = "the plan's purchases"


@dataclass
class Strategy:
    name: str
    purchases: list[Purchase]
    run: Run | None = None
    basis: str = ""  # where a scenario's sequence came from (see roadmap.scenarios)


@dataclass
class _State:
    buys: tuple  # ((period, option, systems), ...)
    cost: float
    over_power: bool = False


def choose(plan: Plan, catalog: Catalog, cal: Calibration,
           progress: Callable[[float, str], None] | None = None) -> list[Strategy]:
    """The chosen sequence first, then each fixed strategy, then (if the timeline stores
    purchases) :data:`PLANS`, the stored sequence exactly as it is; every one run by the
    engine, and the chosen one is the least NPV among all of them that meets every period."""
    t = plan.timeline
    if not t.options:
        return []
    ps = periods(t)
    if progress:
        progress(0.05, "what each option gives, period by period")
    units = units_for(plan, catalog, cal)
    options = {o.name: o for o in t.options}
    systems = {o.name: system_of(plan, o, catalog) for o in t.options}
    rate = plan.facility.cost_of_capital
    maint = plan.facility.maintenance_pct_per_year / 100
    install = 1 + plan.facility.installation_capex_pct / 100
    retires = retirement(plan, units, catalog)

    def live(buys, p):
        return [(q, o, n) for q, o, n in buys if q <= p < retires(o, q)]

    def shortfall(buys, p, option):
        u = units[(option, p.index)]
        need = {w: demand(plan, t, p)[w][0] for w in u.workloads}
        for _q, o, n in live(buys, p.index):
            if options[o].pool == options[option].pool:
                for w, v in units[(o, p.index)].capacity(n).items():
                    need[w] = need.get(w, 0.0) - v
        return need

    def step(state: _State, p, choice: dict[str, str]) -> _State:
        """Buys what ``choice`` (template pool -> option) covers in ``p``, then prices it."""
        buys = list(state.buys)
        for option in choice.values():
            need = shortfall(buys, p, option)
            n = units[(option, p.index)].systems_for(need)
            if n < 0:
                return _State(tuple(buys), float("inf"))
            if n:
                buys.append((p.index, option, n))
        cost = state.cost
        for q, o, n in buys:
            if q == p.index:
                cost += price(systems[o], options[o], p) * install * n / (1 + rate) ** p.years
        mw = 0.0
        for q, o, n in live(buys, p.index):
            u = units[(o, p.index)]
            capex = price(systems[o], options[o], ps[q]) * install * n
            cost += (u.opex_usd_per_system_year * n + maint * capex) * p.length_years \
                / (1 + rate) ** p.years
            mw += u.utility_mw_per_system * n
        limit = power_mw(plan, t, p)
        over = state.over_power or (limit is not None and mw > limit * (1 + 1e-9))
        return _State(tuple(buys), cost, over)

    pools = sorted({o.pool for o in t.options})
    beam = [_State((), 0.0)]
    for i, p in enumerate(ps):
        if progress:
            progress(0.1 + 0.5 * i / len(ps), f"choosing purchases for {p.label}")
        usable = {pool: [o.name for o in t.options if o.pool == pool
                         and available(systems[o.name], p) and units[(o.name, p.index)].ok]
                  for pool in pools}
        nxt = []
        for state in beam:
            choices = [{}]
            for pool in pools:
                if not usable[pool] or all(
                        v <= 1e-9 for v in shortfall(state.buys, p, usable[pool][0]).values()):
                    continue
                choices = [{**c, pool: o} for c in choices for o in usable[pool]]
            nxt += [step(state, p, c) for c in choices]
        seen, beam = set(), []
        for s in sorted(nxt, key=lambda s: (s.over_power, s.cost)):
            if s.buys not in seen:
                seen.add(s.buys)
                beam.append(s)
            if len(beam) >= BEAM:
                break
    best = [s for s in beam if s.cost < float("inf")][:EXACT]
    fixed = _fixed(plan, units, systems, step, ps)
    if t.purchases:
        fixed.append(Strategy(PLANS, list(t.purchases)))
    candidates = [Strategy(f"searched #{i + 1}", _purchases(s.buys)) for i, s in
                  enumerate(best)] + fixed
    done: dict[tuple, Run] = {}  # strategies often buy the same: each sequence runs once
    for i, s in enumerate(candidates):
        if progress:
            progress(0.6 + 0.4 * i / len(candidates), f"running {s.name} through the engine")
        key = tuple((b.period, b.option, b.systems) for b in s.purchases)
        if key not in done:
            done[key] = run(plan, s.purchases, units, catalog, cal, retires)
        s.run = done[key]
    feasible = [s for s in candidates if s.run.meets]
    pick = min(feasible or candidates, key=lambda s: s.run.npv_usd)
    chosen = Strategy("chosen", pick.purchases, pick.run)
    return [chosen] + [s for s in candidates if s in fixed]


def run_stored(plan: Plan, catalog: Catalog, cal: Calibration) -> Strategy:
    """:data:`PLANS`: the timeline's stored purchases run as they are, without a search."""
    units = units_for(plan, catalog, cal)
    purchases = list(plan.timeline.purchases)
    return Strategy(PLANS, purchases, run(plan, purchases, units, catalog, cal,
                                          retirement(plan, units, catalog)))


def _purchases(buys) -> list[Purchase]:
    return [Purchase(period=q, option=o, systems=int(n)) for q, o, n in buys]


def _fixed(plan: Plan, units: dict, systems: dict, step, ps) -> list[Strategy]:
    """One option only (each), the newest option available, the cheapest per request."""
    t = plan.timeline
    pools = sorted({o.pool for o in t.options})
    out = []

    def follow(name: str, pick) -> None:
        state = _State((), 0.0)
        for p in ps:
            choice = {}
            for pool in pools:
                usable = [o for o in t.options if o.pool == pool
                          and available(systems[o.name], p) and units[(o.name, p.index)].ok]
                o = pick(usable, p)
                if o is not None:
                    choice[pool] = o.name
            state = step(state, p, choice)
        out.append(Strategy(name, _purchases(state.buys)))

    for option in t.options:
        follow(f"only {option.name}", lambda usable, p, o=option: o if o in usable else None)
    newest = sorted(t.options, key=lambda o: systems[o.name].available_from.value
                    if systems[o.name].available_from else "")
    if len(t.options) > 1:
        follow("newest available", lambda usable, p: max(
            usable, key=newest.index, default=None))
        follow("cheapest per request", lambda usable, p: min(usable, key=lambda o: (
            price(systems[o.name], o, p) / max(sum(units[(o.name, p.index)].capacity(
                1000).values()), 1e-9)), default=None))
    return out
