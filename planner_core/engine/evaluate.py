"""evaluate(plan, catalog) → Results: every number the app, the reports and the CLI show.

Results hold pandas DataFrames (units in the column names) per scenario, pool and workload,
the 24-hour profile, and the warnings, each naming the item it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, default_calibration
from planner_core.engine.cost import (
    HOURS_PER_YEAR,
    capex,
    capital_recovery_factor,
    usd_per_million_tokens,
    yearly_opex,
)
from planner_core.engine.power import facility_watts, it_watts
from planner_core.engine.sizing import Issue, PoolSizing, size_pool
from planner_core.plan import Plan

# A scenario whose pools serve nothing still has these columns, so views can filter and
# read an empty table the same way as a full one.
WORKLOAD_COLUMNS = [
    "scenario",
    "pool",
    "workload",
    "model",
    "precision",
    "kv_precision",
    "layout",
    "accelerators_per_replica",
    "replicas",
    "replicas_needed",
    "capacity_rps_per_replica",
    "peak_rps",
    "utilization_peak_pct",
    "max_batch",
    "batch_at_peak",
    "ttft_mean_ms",
    "ttft_p99_ms",
    "tpot_mean_ms",
    "tpot_p99_ms",
    "user_tok_s",
    "output_tok_s_per_replica",
    "output_tok_s_per_accelerator",
    "slo_ttft_p99_ms",
    "slo_tpot_p99_ms",
    "meets_slo",
    "prefill_replicas",
    "kv_transfer_ms",
]


@dataclass
class Results:
    kpis: pd.DataFrame  # one row per scenario
    pools: pd.DataFrame  # one row per scenario × pool
    workloads: pd.DataFrame  # one row per scenario × pool × workload
    hourly: pd.DataFrame  # one row per scenario × hour
    warnings: list[dict] = field(default_factory=list)  # scenario, kind, item, message, severity
    sizings: dict[str, list[PoolSizing]] = field(default_factory=dict)

    def kpi(self, scenario: str = "base") -> pd.Series:
        return self.kpis.set_index("scenario").loc[scenario]


def evaluate(plan: Plan, catalog: Catalog | None = None, calibration: Calibration | None = None,
             scenarios: list[str] | None = None) -> Results:
    catalog = catalog or load_catalog()
    cal = calibration or default_calibration()
    names = scenarios or plan.scenario_names()
    return merge_results([evaluate_scenario(plan.variant(n), n, catalog, cal) for n in names])


def evaluate_scenario(variant: Plan, scenario: str, catalog: Catalog | None = None,
                      calibration: Calibration | None = None) -> Results:
    """One scenario's results, from the plan with its overrides already applied.

    Callers that keep results per scenario (the app re-evaluates only the scenarios an edit
    changed) combine them with :func:`merge_results`.
    """
    parts = _evaluate_one(variant, scenario, catalog or load_catalog(),
                          calibration or default_calibration())
    kpis, pools, workloads, hourly, warnings, sizings = parts
    return Results(kpis=pd.DataFrame([kpis]), pools=pd.DataFrame(pools),
                   workloads=pd.DataFrame(workloads, columns=WORKLOAD_COLUMNS),
                   hourly=pd.DataFrame(hourly),
                   warnings=warnings, sizings={scenario: sizings})


def merge_results(parts: list[Results]) -> Results:
    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        full = [f for f in frames if len(f)]
        if not full:
            return frames[0] if frames else pd.DataFrame()
        return pd.concat(full, ignore_index=True)

    return Results(
        kpis=cat([p.kpis for p in parts]),
        pools=cat([p.pools for p in parts]),
        workloads=cat([p.workloads for p in parts]),
        hourly=cat([p.hourly for p in parts]),
        warnings=[w for p in parts for w in p.warnings],
        sizings={k: v for p in parts for k, v in p.sizings.items()},
    )


def _evaluate_one(plan: Plan, scenario: str, catalog: Catalog, cal: Calibration):
    fac = plan.facility
    issues: list[Issue] = []
    sizings = [size_pool(catalog, plan, pool, cal, issues) for pool in plan.pools]
    hours = np.arange(24)
    pool_rows, wl_rows, hourly = [], [], []
    tot_it_h = np.zeros(24)
    acc_kw_peak = host_kw_peak = net_kw_peak = 0.0
    out_tokens_day = in_tokens_day = 0.0
    hw_capex_total = 0.0
    it_kw_provisioned = 0.0
    worst_ttft = worst_tpot = 0.0
    util_weighted = 0.0
    util_sum_h = np.zeros(24)  # accelerator-weighted utilization, summed over pools
    for ps in sizings:
        acc, sys_ = ps.accelerator, ps.system
        util_h = np.zeros(24)
        busy_h = np.zeros(24)  # accelerator-hours of work: the replicas serving, at their load
        wsum = 0.0
        for ws in ps.workloads:
            w = plan.workload(ws.workload)
            profile = np.asarray(w.traffic.profile_24h)
            load_h = w.traffic.peak_rps * profile
            # A fixed pool serves with the replicas it has, none if it has no systems.
            active = max(ws.replicas - ps.pool.redundancy, 1) if ps.pool.count is None \
                else ws.replicas
            capacity = ws.capacity_rps * active
            u = np.where(capacity > 0, np.minimum(load_h / max(capacity, 1e-12), 1.0), 0.0)
            weight = ws.replicas * ws.acc_per_replica
            util_h += u * weight
            busy_h += u * active * ws.acc_per_replica
            wsum += weight
            served = np.minimum(load_h, capacity) if capacity > 0 else np.zeros(24)
            out_tokens_day += float(served.sum()) * 3600 * w.output_tokens.mean
            in_tokens_day += float(served.sum()) * 3600 * w.input_tokens.mean
            p = ws.point
            ttft99 = 1e3 * float(p.ttft_p99_s) if p is not None else np.nan
            tpot99 = 1e3 * float(p.tpot_p99_s) if p is not None else np.nan
            if ws.meets_slo and p is not None:
                worst_ttft = max(worst_ttft, ttft99 + ws.kv_transfer_ms)
                worst_tpot = max(worst_tpot, tpot99)
            tok_s = float(p.output_tok_s) if p is not None else 0.0
            wl_rows.append({
                "scenario": scenario, "pool": ps.pool.name, "workload": ws.workload,
                "model": ws.model, "precision": ws.precision, "kv_precision": ws.kv_precision,
                "layout": ws.layout, "accelerators_per_replica": ws.acc_per_replica,
                "replicas": ws.replicas, "replicas_needed": ws.replicas_needed,
                "capacity_rps_per_replica": ws.capacity_rps, "peak_rps": ws.peak_rps,
                "utilization_peak_pct": 100 * float(u.max()),
                "max_batch": ws.max_batch,
                "batch_at_peak": float(p.batch) if p is not None else np.nan,
                "ttft_mean_ms": 1e3 * float(p.ttft_s) + ws.kv_transfer_ms if p else np.nan,
                "ttft_p99_ms": ttft99 + ws.kv_transfer_ms,
                "tpot_mean_ms": 1e3 * float(p.tpot_s) if p is not None else np.nan,
                "tpot_p99_ms": tpot99,
                "user_tok_s": 1.0 / float(p.tpot_s) if p is not None else np.nan,
                "output_tok_s_per_replica": tok_s,
                "output_tok_s_per_accelerator": tok_s / ws.acc_per_replica if tok_s else 0.0,
                "slo_ttft_p99_ms": plan.workload(ws.workload).slo.ttft_p99_ms,
                "slo_tpot_p99_ms": 1e3 * plan.workload(ws.workload).slo.tpot_limit_s(),
                "meets_slo": ws.meets_slo,
                "prefill_replicas": ws.prefill_replicas,  # disaggregated pools only, else 0
                "kv_transfer_ms": ws.kv_transfer_ms,
            })
        util_h = util_h / wsum if wsum else util_h
        # Power follows the work done: the serving replicas at their load. Spare replicas and
        # the accelerators whole systems add beyond the replicas draw idle power; spreading
        # the same load over them would draw the same, power being linear in utilization.
        power_u = busy_h / ps.accelerators if ps.accelerators else np.zeros(24)
        a_w, h_w, n_w = it_watts(ps.accelerators, acc.idle_w.value, acc.tdp_w.value,
                                 ps.systems, sys_.host_power_w.value,
                                 fac.network_power_w_per_system, power_u)
        it_h = (a_w + h_w + n_w) / 1e3
        tot_it_h += it_h
        peak = int(np.argmax(it_h))
        acc_kw_peak += a_w[peak] / 1e3
        host_kw_peak += h_w[peak] / 1e3
        net_kw_peak += n_w[peak] / 1e3
        util_weighted += float(util_h.max()) * ps.accelerators
        util_sum_h += util_h * ps.accelerators
        systems_usd = ps.systems * sys_.price_usd.value
        hw_capex = capex(systems_usd, fac.network_capex_pct, fac.installation_capex_pct)
        hw_capex_total += float(hw_capex)
        provisioned = ps.systems * ps.system_kw_peak
        it_kw_provisioned += provisioned
        rent = ps.pool.rent_usd_per_accelerator_hour
        pool_rows.append({
            "scenario": scenario, "pool": ps.pool.name, "system": sys_.id,
            "accelerator": acc.id, "accelerators": ps.accelerators, "systems": ps.systems,
            "racks": ps.racks, "systems_per_rack": ps.systems_per_rack,
            "cooling": sys_.cooling, "rack_kw_peak": ps.system_kw_peak * ps.systems_per_rack,
            "it_kw_peak": float(it_h.max()), "it_kw_provisioned": provisioned,
            "capex_usd": float(hw_capex),
            "system_price_grade": sys_.price_usd.grade,
            "rent_usd_per_year": (rent * ps.accelerators * HOURS_PER_YEAR
                                  if rent is not None else np.nan),
            "utilization_peak_pct": 100 * float(util_h.max()),
            "utilization_mean_pct": 100 * float(util_h.mean()),
        })
    fac_h = facility_watts(tot_it_h, fac.pue)
    total_acc = sum(ps.accelerators for ps in sizings)
    util_peak = util_weighted / total_acc if total_acc else 0.0
    load_h = np.mean([w.traffic.profile_24h for w in plan.workloads], axis=0)
    for h in hours:
        hourly.append({"scenario": scenario, "hour": int(h), "it_kw": float(tot_it_h[h]),
                       "facility_kw": float(fac_h[h]),
                       "utilization_pct": 100 * float(util_sum_h[h] / max(total_acc, 1)),
                       "load_pct_of_peak": 100 * float(load_h[h])})
    # -- cost --------------------------------------------------------------------------------
    crf = float(capital_recovery_factor(fac.cost_of_capital, fac.amortization_years))
    annual_capex = hw_capex_total * crf
    energy_kwh_year = float(fac_h.sum()) * 365.0
    facility_annual = 0.0
    coloc = fac.colocation_usd_per_kw_month if fac.cost_model == "colocation" else 0.0
    if fac.cost_model == "owned":
        facility_annual = (fac.facility_capex_usd_per_mw * it_kw_provisioned / 1e3
                           * float(capital_recovery_factor(fac.cost_of_capital,
                                                           fac.facility_life_years)))
    energy, maint, facility = yearly_opex(energy_kwh_year, fac.electricity_usd_per_kwh,
                                          hw_capex_total, fac.maintenance_pct_per_year,
                                          it_kw_provisioned, coloc, facility_annual)
    tco = annual_capex + energy + maint + facility
    out_year = out_tokens_day * 365.0
    all_year = (out_tokens_day + in_tokens_day) * 365.0
    it_peak = float(tot_it_h.max())
    fac_peak = float(fac_h.max())
    for row in pool_rows:
        share = row["accelerators"] / max(total_acc, 1)
        if not np.isnan(row["rent_usd_per_year"]) and out_year > 0 and share > 0:
            row["rent_usd_per_m_output_tokens"] = row["rent_usd_per_year"] / (
                out_year * share / 1e6)
        row["own_usd_per_accelerator_hour"] = (
            tco * row["accelerators"] / max(total_acc, 1)
            / max(row["accelerators"] * HOURS_PER_YEAR, 1))
    kpis = {
        "scenario": scenario,
        "accelerators": total_acc,
        "systems": sum(ps.systems for ps in sizings),
        "racks": sum(ps.racks for ps in sizings),
        "it_kw_peak": it_peak,
        "facility_mw_peak": fac_peak / 1e3,
        "power_accelerators_kw": acc_kw_peak,
        "power_host_kw": host_kw_peak,
        "power_network_kw": net_kw_peak,
        "power_cooling_kw": (acc_kw_peak + host_kw_peak + net_kw_peak) * (fac.pue - 1),
        "energy_mwh_per_day": float(fac_h.sum()) / 1e3,
        "capex_usd": hw_capex_total,
        "annual_capex_usd": annual_capex,
        "opex_energy_usd_per_year": float(energy),
        "opex_maintenance_usd_per_year": float(maint),
        "opex_facility_usd_per_year": float(facility),
        "tco_usd_per_year": float(tco),
        "output_tokens_per_year": out_year,
        "usd_per_m_output_tokens": float(usd_per_million_tokens(tco, out_year)),
        "usd_per_m_tokens": float(usd_per_million_tokens(tco, all_year)),
        "wh_per_1k_output_tokens": (energy_kwh_year * 1e3 / (out_year / 1e3)
                                    if out_year else np.inf),
        "output_tokens_per_kwh": out_year / energy_kwh_year if energy_kwh_year else 0.0,
        "ttft_p99_ms": worst_ttft,
        "tpot_p99_ms": worst_tpot,
        "utilization_peak_pct": 100 * util_peak,
    }
    warnings = [{"scenario": scenario, "kind": i.kind, "item": i.item, "message": i.message,
                 "severity": i.severity} for i in issues]
    return kpis, pool_rows, wl_rows, hourly, warnings, sizings

