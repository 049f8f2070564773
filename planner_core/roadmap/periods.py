"""Periods of a timeline, and what each brings: demand, token lengths, power, hardware."""

from __future__ import annotations

from dataclasses import dataclass

from planner_core.catalog import Catalog, System
from planner_core.errors import PlannerError
from planner_core.plan import Plan
from planner_core.plan.timeline import Option, Timeline


@dataclass(frozen=True)
class Period:
    index: int
    start: str  # "2026-01"
    years: float  # from the timeline's start to this period's start
    length_years: float
    label: str  # "2026" or "2026 Q1"


def _months(ym: str) -> int:
    y, m = ym.split("-")
    return int(y) * 12 + int(m) - 1


def _ym(months: int) -> str:
    return f"{months // 12}-{months % 12 + 1:02d}"


def periods(t: Timeline) -> list[Period]:
    step = 3 if t.period == "quarter" else 12
    first = _months(t.start)
    out = []
    for i in range(t.periods):
        m = first + i * step
        label = (f"{m // 12}" if step == 12 and m % 12 == 0 else
                 f"{m // 12} Q{m % 12 // 3 + 1}" if step == 3 and m % 3 == 0 else _ym(m))
        out.append(Period(i, _ym(m), i * step / 12, step / 12, label))
    return out


def demand(plan: Plan, t: Timeline, p: Period) -> dict[str, tuple[float, int, int]]:
    """Per workload: (peak requests/s, mean prompt tokens, mean answer tokens) in ``p``."""
    paths = {d.workload: d for d in t.demand}
    out = {}
    for w in plan.workloads:
        d = paths.get(w.name)
        if d is None:
            out[w.name] = (w.traffic.peak_rps, w.input_tokens.mean, w.output_tokens.mean)
            continue
        peak = (d.peaks_rps[p.index] if d.peaks_rps is not None
                else w.traffic.peak_rps * d.growth_per_year ** p.years)
        out[w.name] = (peak, max(1, round(w.input_tokens.mean
                                          * d.input_tokens_growth_per_year ** p.years)),
                       max(1, round(w.output_tokens.mean
                                    * d.output_tokens_growth_per_year ** p.years)))
    return out


def power_mw(plan: Plan, t: Timeline, p: Period) -> float | None:
    """Utility MW available in ``p`` (None: no limit)."""
    phases = [ph for ph in t.power if _months(ph.start) <= _months(p.start)]
    if t.power:
        return max((ph.utility_mw for ph in phases), default=0.0)
    return plan.site.limits.utility_mw


def system_of(plan: Plan, option: Option, catalog: Catalog) -> System:
    pool = next(x for x in plan.pools if x.name == option.pool)
    system = catalog.system(option.system or pool.system)
    if system.rented:
        # The roadmap plans purchases: a part only rented has no price to pay or to fall.
        raise PlannerError(f"{system.name} is rented only (it has no purchase price); the "
                           "roadmap plans purchases: give it a price_usd in your catalog "
                           "file to plan it", field=f"timeline.options.{option.name}")
    return system


def available(system: System, p: Period) -> bool:
    """Whether ``system`` ships by the start of ``p``."""
    return system.available_from is None or \
        _months(system.available_from.value) <= _months(p.start)


def price(system: System, option: Option, p: Period) -> float:
    """The system's price in ``p``: the catalog's, falling by the option's rate a year after
    the system ships (or from the timeline's start, for systems shipping already)."""
    since = p.years
    if system.available_from is not None:
        since = max(0.0, (_months(p.start) - _months(system.available_from.value)) / 12)
    return system.price_usd.value * (1 - option.price_decline_per_year) ** since
