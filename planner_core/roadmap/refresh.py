"""When a cohort leaves service: at an age, or while it earns.

``age``: ``retire_after_years`` after it is bought (default: the amortization period).
``earns``: past its write-off it stays while running it costs less per request than serving
that request with the best option on sale that period would (that option's CapEx annualized
at the cost of capital over the amortization period, plus its running cost); it retires in the
first period it does not, or at ``retire_after_years`` if that is set. Costs per request are
per planned request/s of a system (the target utilization, spares kept), from the engine's
sizing of each option alone in that period (:mod:`planner_core.roadmap.units`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from planner_core.catalog import Catalog
from planner_core.engine.cost import capital_recovery_factor
from planner_core.plan import Plan
from planner_core.roadmap.periods import available, periods, price, system_of

#: Systems of a cohort the per-system figures are averaged over: whole replicas pack unevenly
#: into a few systems, not into a hundred.
PACKED = 100


def retirement(plan: Plan, units: dict, catalog: Catalog) -> Callable[[str, int], int]:
    """``retires(option, bought)``: the first period a cohort is no longer in service."""
    t = plan.timeline
    ps = periods(t)
    step = ps[0].length_years
    amort = plan.facility.amortization_years

    def periods_of(years: float) -> int:
        return max(1, math.ceil(years / step - 1e-9))

    cap = periods_of(t.retire_after_years or amort)
    if t.refresh == "age":
        return lambda option, bought: bought + cap
    options = {o.name: o for o in t.options}
    systems = {o.name: system_of(plan, o, catalog) for o in t.options}
    install = 1 + plan.facility.installation_capex_pct / 100
    crf = float(capital_recovery_factor(plan.facility.cost_of_capital, amort))
    maint = plan.facility.maintenance_pct_per_year / 100

    def per_rps(name: str, p) -> float:
        rps = sum(units[(name, p.index)].capacity(PACKED).values()) / PACKED
        return 1.0 / rps if rps > 0 else math.inf

    def running(name: str, bought: int, p) -> float:
        u = units[(name, p.index)]
        capex = price(systems[name], options[name], ps[bought]) * install
        return (u.opex_usd_per_system_year + maint * capex) * per_rps(name, p)

    def new(p) -> float:
        costs = [(price(systems[o], options[o], p) * install * (crf + maint)
                  + units[(o, p.index)].opex_usd_per_system_year) * per_rps(o, p)
                 for o in options if available(systems[o], p) and units[(o, p.index)].ok]
        return min(costs, default=math.inf)

    known: dict[tuple[str, int], int] = {}  # the search asks for the same cohorts often

    def retires(option: str, bought: int) -> int:
        if (option, bought) not in known:
            last = bought + cap if t.retire_after_years is not None else len(ps) + 1
            known[(option, bought)] = next(
                (p.index for p in ps[bought + periods_of(amort):min(last, len(ps))]
                 if running(option, bought, p) > new(p)), last)
        return known[(option, bought)]

    return retires
