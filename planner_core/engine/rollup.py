"""The one roll-up: sized pools and the facility summed into the plan's KPIs.

Every plan-level figure (accelerators, power at peak, energy, CapEx, OpEx, TCO, tokens served,
cost per million tokens, worst p99 latency, utilization) is computed here and nowhere else.
:func:`planner_core.engine.evaluate.evaluate` calls it with the scalars of one sizing and
``hourly=True`` to tabulate the day; :func:`planner_core.whatif.evaluate_many.evaluate_many`
and optimize call it with arrays (a sweep, Monte Carlo draws, a stack of candidates), for which
it keeps memory to a few arrays of the sweep's size by summing the 24 hours one at a time, or,
for one pool serving one workload, in closed form.

Every field of :class:`SizedPool` and :class:`ServedWorkload` may be a scalar or an array; the
results broadcast over them and over the facility's figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner_core.engine.cost import (
    HOURS_PER_YEAR,
    capex,
    capital_recovery_factor,
    usd_per_million_tokens,
    yearly_opex,
)
from planner_core.engine.power import it_watts
from planner_core.engine.site_power import site_power
from planner_core.plan import Facility, Plan, Site

HOURS = 24

#: The plan-level figures, in the order of the KPI row (``Results.kpis`` adds the scenario).
KPI_ORDER = (
    "accelerators", "systems", "racks", "it_kw_peak", "facility_mw_peak", "it_kw_provisioned",
    "facility_mw_provisioned", "utility_mw", "pue",
    "power_accelerators_kw", "power_host_kw", "power_network_kw", "power_cooling_kw",
    "energy_mwh_per_day", "capex_usd", "annual_capex_usd", "opex_energy_usd_per_year",
    "opex_maintenance_usd_per_year", "opex_facility_usd_per_year", "opex_rent_usd_per_year",
    "tco_usd_per_year",
    "output_tokens_per_year", "usd_per_m_output_tokens", "usd_per_m_tokens",
    "wh_per_1k_output_tokens", "output_tokens_per_kwh", "ttft_p99_ms", "tpot_p99_ms",
    "utilization_peak_pct",
)

#: KPIs only a day kept hour by hour gives (``roll_up(..., hourly=True)``).
HOURLY_ONLY = ("power_accelerators_kw", "power_host_kw", "power_network_kw",
               "power_cooling_kw")


@dataclass
class ServedWorkload:
    """One workload on one pool, as sized: what the roll-up needs of it."""

    peak_rps: Any
    profile: Sequence[float]  # 24 hourly shares of the peak
    capacity_rps: Any  # per serving replica within the SLOs; 0 where it cannot be served
    replicas: Any  # bought, spares included
    active: Any  # serving at the peak
    acc_per_replica: Any
    input_tokens: Any  # mean per request
    output_tokens: Any
    ttft_p99_ms: Any  # at the peak, KV transfer included
    tpot_p99_ms: Any
    counted: Any  # meets its SLOs at a computed load point: its latency counts toward the worst
    meets: Any


@dataclass
class SizedPool:
    """One pool as sized: whole systems, their figures, and the workloads it serves."""

    accelerators: Any
    systems: Any
    racks: Any
    kw_per_system: Any  # at TDP: what the facility provisions for one system
    idle_w: Any  # per accelerator
    busy_w: Any  # per accelerator, its replica fully used (power.busy_watts)
    host_w: Any  # per system, under load
    price_usd: Any  # per system (0 where rented)
    network_w: Any = 0.0  # per system: its share of the scale-out fabric
    network_usd: Any = 0.0  # the pool's scale-out fabric
    rack_kw: Any = 0.0  # per system, in its rack (kw_per_system less the network's share)
    air: Any = True  # air-cooled racks (else liquid)
    workloads: list[ServedWorkload] = field(default_factory=list)
    failed: Any = False  # a workload the pool cannot serve at all
    #: Rented (a cloud-only system): paid by the accelerator-hour, in the provider's halls.
    #: Its power and racks are still counted (what it draws where it runs); its cost is the
    #: rent, which covers the energy, space and upkeep the plan would otherwise pay.
    rented: Any = False
    rent_usd_per_acc_hour: Any = 0.0


@dataclass
class PoolDay:
    """One pool's day (``hourly=True`` only): arrays with the hour as their last axis."""

    it_kw: np.ndarray
    utilization: np.ndarray  # accelerator-weighted share of replica capacity in use
    capex_usd: Any
    it_kw_provisioned: Any


@dataclass
class RollUp:
    kpis: dict[str, Any]  # KPI_ORDER plus "meets_slo"
    pools: list[PoolDay] = field(default_factory=list)  # hourly=True only
    it_kw: np.ndarray | None = None  # per hour, the whole plan (hourly=True only)
    facility_kw: np.ndarray | None = None
    utilization: np.ndarray | None = None  # per hour, weighted by accelerators
    #: per workload (pools in order, each pool's workloads in order): its fleet's busiest hour
    workload_utilization: list = field(default_factory=list)
    site: dict = field(default_factory=dict)  # site_power's figures (hourly=True only)


@dataclass
class _Line:
    """A pool's IT power as base + slope × busy share (power is linear in utilization), and
    for each workload: peak, profile, fleet capacity and its inverse, and its weights in the
    pool's utilization (replicas bought) and busy share (replicas serving)."""

    base: Any
    slope: Any
    served: list[tuple]
    owned: Any = 1.0  # 0 where the pool is rented: its energy is in the rent


def _inverse(x):
    x = np.asarray(x, float)
    return np.where(x > 0, 1.0 / np.where(x > 0, x, 1.0), 0.0)


def _line(p: SizedPool, network_w) -> _Line:
    base = sum(it_watts(p.accelerators, p.idle_w, p.busy_w, p.systems, p.host_w, network_w,
                        0.0)) / 1e3
    slope = sum(it_watts(p.accelerators, p.idle_w, p.busy_w, p.systems, p.host_w, network_w,
                         1.0)) / 1e3 - base
    weights = [w.replicas * w.acc_per_replica for w in p.workloads]
    norm = _inverse(sum(weights, 0.0))
    norm = np.where(norm > 0, norm, 1.0)
    per_acc = _inverse(p.accelerators)
    served = []
    for w, weight in zip(p.workloads, weights, strict=True):
        fleet = w.capacity_rps * w.active
        # Power follows the work done: the serving replicas at their load. Spare replicas and
        # the accelerators whole systems add beyond the replicas draw idle power; spreading
        # the same load over them would draw the same, power being linear in utilization.
        served.append((w, np.asarray(w.profile, float), fleet, _inverse(fleet),
                       weight * norm, w.active * w.acc_per_replica * per_acc))
    return _Line(base, slope, served, np.where(p.rented, 0.0, 1.0)
                 if np.any(p.rented) else 1.0)


def facility_figures(plan: Plan) -> dict[str, float]:
    """The facility's float figures by name, as the roll-up reads them."""
    fac = plan.facility
    return {name: getattr(fac, name) for name, info in Facility.model_fields.items()
            if info.annotation is float}


def roll_up(pools: Sequence[SizedPool], facility: Mapping[str, Any], cost_model: str,
            hourly: bool = False, site: Site | None = None) -> RollUp:
    """The KPIs of sized pools under ``facility`` (its float figures by name, each a scalar or
    an array) and ``cost_model`` ("owned" or "colocation").

    With ``hourly`` the day is kept hour by hour (:attr:`RollUp.it_kw` and the pools' days)
    and the power at peak is split into accelerators, hosts, network and cooling; without it
    those four KPIs are left out, and a single pool serving a single workload is summed over
    the day in closed form.
    """
    f = facility
    tot_acc = systems = racks = hw_capex = provisioned = 0.0
    worst_ttft = worst_tpot = 0.0
    all_meet = True
    pool_capex, pool_kw = [], []
    rent = 0.0
    rented = any(np.any(p.rented) for p in pools)
    own_kw = 0.0  # provisioned for the plan's own pools (rented ones are the provider's)
    for p in pools:
        for w in p.workloads:
            all_meet = all_meet & w.meets
            counted = np.asarray(w.counted, bool)
            worst_ttft = np.maximum(worst_ttft, np.where(counted, w.ttft_p99_ms, 0.0))
            worst_tpot = np.maximum(worst_tpot, np.where(counted, w.tpot_p99_ms, 0.0))
        all_meet = all_meet & ~np.asarray(p.failed, bool)
        tot_acc = tot_acc + p.accelerators
        systems = systems + p.systems
        racks = racks + p.racks
        own = np.where(p.rented, 0.0, 1.0) if rented else 1.0
        pool_capex.append(capex(p.systems * p.price_usd, p.network_usd * own if rented
                                else p.network_usd, f["installation_capex_pct"]))
        pool_kw.append(p.systems * p.kw_per_system)
        hw_capex = hw_capex + pool_capex[-1]
        provisioned = provisioned + pool_kw[-1]
        if rented:
            rent = rent + p.accelerators * p.rent_usd_per_acc_hour * HOURS_PER_YEAR
            own_kw = own_kw + pool_kw[-1] * own

    lines = [_line(p, p.network_w) for p in pools]
    day = _closed_form(lines[0]) if _single(lines) and not hourly else _day(lines, hourly)
    it_max, it_sum, served, util_peak = day["it_max"], day["it_sum"], day["served"], \
        day["util_peak"]

    out_day = in_day = 0.0
    k = 0
    for line in lines:
        for w, *_ in line.served:
            out_day = out_day + served[k] * 3600 * w.output_tokens
            in_day = in_day + served[k] * 3600 * w.input_tokens
            k += 1
    util_weighted = 0.0
    for p, u in zip(pools, util_peak, strict=True):
        util_weighted = util_weighted + u * p.accelerators

    site = site or Site()
    power = site_power(pools, site, f["pue"])
    pue = power["pue"]  # the plan's, or derived from the site
    fac_sum = it_sum * pue
    crf = capital_recovery_factor(f["cost_of_capital"], f["amortization_years"])
    annual_capex = hw_capex * crf
    energy_kwh_year = fac_sum * 365.0
    # What the plan pays for: its own pools' energy and halls (a rented pool's are in its rent).
    paid_kwh_year, paid_kw = energy_kwh_year, provisioned
    if rented:
        paid_kwh_year = day["it_owned"] * pue * 365.0
        paid_kw = own_kw
    if cost_model == "owned":
        coloc = 0.0
        # The build cost per MW buys just enough electrical plant; redundancy adds its idle
        # capacity at the plant's price.
        spare_kw = np.maximum(power["ups_installed_kw"] - provisioned, 0.0)
        if rented:
            spare_kw = spare_kw * np.where(provisioned > 0, paid_kw / np.where(
                provisioned > 0, provisioned, 1.0), 0.0)
        plant = site.electrical.plant_usd_per_kw
        facility_annual = ((f["facility_capex_usd_per_mw"] * paid_kw / 1e3
                            + plant * spare_kw)
                           * capital_recovery_factor(f["cost_of_capital"],
                                                     f["facility_life_years"]))
    else:
        coloc, facility_annual = f["colocation_usd_per_kw_month"], 0.0
    energy, maint, facility_usd = yearly_opex(paid_kwh_year, f["electricity_usd_per_kwh"],
                                              hw_capex, f["maintenance_pct_per_year"],
                                              paid_kw, coloc, facility_annual)
    tco = annual_capex + energy + maint + facility_usd
    if rented:
        tco = tco + rent
    out_year = out_day * 365.0
    all_year = (out_day + in_day) * 365.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per_kwh = np.where(energy_kwh_year > 0, out_year / np.where(
            energy_kwh_year > 0, energy_kwh_year, 1.0), 0.0)
        wh_per_1k = np.where(out_year > 0, energy_kwh_year * 1e3 / (np.where(
            out_year > 0, out_year, 1.0) / 1e3), np.inf)
        util_pct = np.where(np.asarray(tot_acc) > 0,
                            100 * util_weighted / np.maximum(tot_acc, 1), 0.0)
    kpis = {
        "accelerators": tot_acc, "systems": systems, "racks": racks,
        "it_kw_peak": it_max, "facility_mw_peak": it_max * pue / 1e3,
        # What the site must be built for: every system at its rated draw (TDP or the pool's
        # power limit, the host at its rating, the network's share), whatever the load.
        "it_kw_provisioned": provisioned, "facility_mw_provisioned": provisioned * pue / 1e3,
        # The utility's connection: that load with the UPS as redundancy loads it and
        # cooling on the design day (site_power).
        "utility_mw": power["utility_mw"], "pue": pue,
        "energy_mwh_per_day": fac_sum / 1e3, "capex_usd": hw_capex,
        "annual_capex_usd": annual_capex, "opex_energy_usd_per_year": energy,
        "opex_maintenance_usd_per_year": maint, "opex_facility_usd_per_year": facility_usd,
        "opex_rent_usd_per_year": rent, "tco_usd_per_year": tco, "output_tokens_per_year": out_year,
        "usd_per_m_output_tokens": usd_per_million_tokens(tco, out_year),
        "usd_per_m_tokens": usd_per_million_tokens(tco, all_year),
        "wh_per_1k_output_tokens": wh_per_1k, "output_tokens_per_kwh": per_kwh,
        "ttft_p99_ms": worst_ttft, "tpot_p99_ms": worst_tpot,
        "utilization_peak_pct": util_pct, "meets_slo": np.asarray(all_meet, bool),
    }
    if not hourly:
        return RollUp(kpis)
    return _with_day(kpis, pools, day, pool_capex, pool_kw, pue, power)


def _single(lines: list[_Line]) -> bool:
    return len(lines) == 1 and len(lines[0].served) == 1


def _day(lines: list[_Line], keep: bool) -> dict:
    """The day summed over its hours. A sweep (``keep`` False) takes them one at a time, each
    hour's arrays replacing the last, so a million values never cost 24 copies; a plan's own
    tables (``keep``) take all 24 at once and keep them, the hour as the last axis."""
    blocks = [np.arange(HOURS)] if keep else [np.array([h]) for h in range(HOURS)]
    n = sum(len(line.served) for line in lines)
    it_max = it_sum = it_owned = 0.0
    # Rented pools draw power the plan does not pay for: their share is kept apart.
    partial = any(not (isinstance(line.owned, float) and line.owned == 1.0) for line in lines)
    served, wl_peak = [0.0] * n, [0.0] * n
    util_peak = [0.0] * len(lines)
    kept: dict = {"util_hours": [], "busy_hours": []}
    for hours in blocks:
        it_h = own_h = np.zeros(len(hours))
        k = 0
        for i, line in enumerate(lines):
            util = busy = np.zeros(len(hours))
            for w, profile, fleet, inv, weight, working in line.served:
                load = _hours(w.peak_rps) * profile[hours]
                u = np.minimum(load * _hours(inv), 1.0)
                util = util + u * _hours(weight)
                busy = busy + u * _hours(working)
                served[k] = served[k] + _fold(np.minimum(load, _hours(fleet)), np.sum)
                if keep:
                    wl_peak[k] = _fold(u, np.max)
                k += 1
            util_peak[i] = np.maximum(util_peak[i], _fold(util, np.max))
            line_h = _hours(line.base) + _hours(line.slope) * np.clip(busy, 0.0, 1.0)
            it_h = it_h + line_h
            if partial:
                own_h = own_h + line_h * _hours(line.owned)
            if keep:
                kept["util_hours"].append(util)
                kept["busy_hours"].append(busy)
        it_max = np.maximum(it_max, _fold(it_h, np.max))
        it_sum = it_sum + _fold(it_h, np.sum)
        if partial:
            it_owned = it_owned + _fold(own_h, np.sum)
    day = {"it_max": it_max, "it_sum": it_sum, "served": served, "util_peak": util_peak,
           "it_owned": it_owned if partial else it_sum}
    if keep:
        day.update(kept, it_hours=it_h, workload_peak=wl_peak)
    return day


def _hours(x):
    """``x`` with an axis for the hours last (a view)."""
    return np.asarray(x, float)[..., None]


def _fold(x, reduce):
    """``x`` reduced over its last axis, the hours; a single hour is only dropped (a view)."""
    x = np.asarray(x)
    return x[..., 0] if x.shape[-1] == 1 else reduce(x, axis=-1)


def _closed_form(line: _Line) -> dict:
    """The day of one pool serving one workload in closed form.

    With x = peak / fleet capacity, hour h runs at min(p_h·x, 1), so Σ_h min(p_h·x, 1) is
    x·(the sum of the hours below 1/x) + (the number of hours at or above it): a search in
    the sorted profile instead of 24 passes over a million-element sweep."""
    w, profile, fleet, inv, weight, working = line.served[0]
    p = np.sort(profile)
    prefix = np.concatenate([[0.0], np.cumsum(p)])

    def hours(y):  # Σ_h min(p_h·y, 1)
        with np.errstate(divide="ignore"):
            below = np.searchsorted(p, np.where(y > 0, 1.0 / np.where(y > 0, y, 1.0), np.inf))
        return y * prefix[below] + (len(p) - below)

    x = w.peak_rps * inv
    top = np.minimum(p[-1] * x, 1.0)
    it_max = line.base + line.slope * np.clip(top * working, 0.0, 1.0)
    # Each hour's busy share, min(p_h·x, 1)·working, is clipped at 1 as power.it_watts clips
    # it: Σ_h min(min(p_h·x, 1)·wp, 1) = min(wp, 1)·Σ_h min(p_h·x·max(wp, 1), 1). (wp exceeds 1
    # only for MIG slices of mixed sizes serving one workload.)
    it_sum = (len(p) * line.base + line.slope * np.minimum(working, 1.0)
              * hours(x * np.maximum(working, 1.0)))
    return {"it_max": it_max, "it_sum": it_sum, "served": [fleet * hours(x)],
            "util_peak": [top * weight], "it_owned": it_sum * line.owned}


def _with_day(kpis: dict, pools: Sequence[SizedPool], day: dict, pool_capex: list,
              pool_kw: list, pue, power: dict) -> RollUp:
    """The hour-by-hour tables, and the power at peak split by where it goes: each pool's
    accelerators, hosts and network at that pool's own peak hour."""
    days, acc_kw, host_kw, net_kw = [], 0.0, 0.0, 0.0
    util_sum = 0.0
    for i, p in enumerate(pools):
        a_w, h_w, n_w = it_watts(_hours(p.accelerators), _hours(p.idle_w), _hours(p.busy_w),
                                 _hours(p.systems), _hours(p.host_w),
                                 _hours(p.network_w), day["busy_hours"][i])
        it_kw = (a_w + h_w + n_w) / 1e3
        peak = np.argmax(it_kw, axis=-1)[..., None]
        at_peak = [np.take_along_axis(np.broadcast_to(x, it_kw.shape), peak, -1)[..., 0] / 1e3
                   for x in (a_w, h_w, n_w)]
        acc_kw, host_kw, net_kw = acc_kw + at_peak[0], host_kw + at_peak[1], net_kw + at_peak[2]
        util = day["util_hours"][i]
        util_sum = util_sum + util * _hours(p.accelerators)
        days.append(PoolDay(it_kw, util, pool_capex[i], pool_kw[i]))
    it_hours = day["it_hours"]
    kpis.update(power_accelerators_kw=acc_kw, power_host_kw=host_kw, power_network_kw=net_kw,
                power_cooling_kw=(acc_kw + host_kw + net_kw) * (pue - 1))
    utilization = util_sum / _hours(np.maximum(kpis["accelerators"], 1)) if pools \
        else np.zeros(HOURS)
    return RollUp(kpis, days, it_hours, it_hours * _hours(pue), utilization,
                  day["workload_peak"], power)
