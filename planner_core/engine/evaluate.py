"""evaluate(plan, catalog) → Results: every number the app, the reports and the CLI show.

Results hold pandas DataFrames (units in the column names) per scenario, pool and workload,
the 24-hour profile, and the warnings, each naming the item it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, default_calibration, for_plan
from planner_core.engine.cost import HOURS_PER_YEAR
from planner_core.engine.pool_sizing import PoolSizing, WorkloadSizing, size_pool
from planner_core.engine.reuse import shared
from planner_core.engine.rollup import HOURS, KPI_ORDER, PoolDay, facility_figures, roll_up
from planner_core.engine.site_details import site_details
from planner_core.engine.sizing import Issue, catalog_rent
from planner_core.plan import Plan
from planner_core.plan.embedded import with_embedded

if TYPE_CHECKING:
    import pandas as pd

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
    "traffic_share_pct",
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
    "clock_pct",
    "prefill_replicas",
    "kv_transfer_ms",
]


#: The tables of a Results, each a DataFrame made when first read.
TABLES = ("kpis", "pools", "workloads", "hourly")


@dataclass(eq=False)
class Results:
    """Every figure of an evaluation. The tables (``kpis``: a row per scenario; ``pools``: per
    scenario × pool; ``workloads``: per scenario × pool × workload; ``hourly``: per scenario
    × hour) are DataFrames built when first read: the window reads one scenario's rows at a
    time (:meth:`records`, :meth:`kpi`) and an evaluation that only wants its figures (a
    roadmap's periods, an optimizer) never pays for them."""

    #: per table, the rows of each scenario evaluated (one list per scenario)
    rows: dict[str, list[list[dict]]]
    warnings: list[dict] = field(default_factory=list)  # scenario, kind, item, message, severity
    sizings: dict[str, list[PoolSizing]] = field(default_factory=dict)
    #: per scenario: the site itemised (engine.site_details), JSON-ready
    sites: dict[str, dict] = field(default_factory=dict)
    # Made when first read (dataclasses.replace starts them afresh).
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)
    _records: dict[tuple, list[dict]] = field(default_factory=dict, init=False, repr=False)

    @property
    def kpis(self) -> pd.DataFrame:
        return self._frame("kpis")

    @property
    def pools(self) -> pd.DataFrame:
        return self._frame("pools")

    @property
    def workloads(self) -> pd.DataFrame:
        return self._frame("workloads")

    @property
    def hourly(self) -> pd.DataFrame:
        return self._frame("hourly")

    def _frame(self, table: str) -> pd.DataFrame:
        import pandas as pd  # here: a window showing one scenario needs no DataFrame

        if table not in self._frames:
            columns = WORKLOAD_COLUMNS if table == "workloads" else None
            frames = [pd.DataFrame(rows, columns=columns) for rows in self.rows[table]]
            full = [f for f in frames if len(f)]
            self._frames[table] = (pd.concat(full, ignore_index=True) if full else
                                   frames[0] if frames else pd.DataFrame())
        return self._frames[table]

    def kpi(self, scenario: str = "base") -> pd.Series:
        """One scenario's KPI row."""
        rows = self.records("kpis", scenario)
        if not rows:
            raise KeyError(scenario)
        import pandas as pd

        row = {k: v for k, v in rows[0].items() if k != "scenario"}
        return pd.Series(row, dtype=float, name=scenario)  # as a row of the table: floats

    def records(self, table: str, scenario: str) -> list[dict]:
        """One scenario's rows of ``table`` as dicts (a field some rows lack is NaN, as in the
        table), made once per results: the window's views read them on every edit, and
        filtering a DataFrame for each cost more than all of their drawing."""
        if (table, scenario) not in self._records:
            rows = [r for part in self.rows[table] for r in part if r["scenario"] == scenario]
            keys = list(dict.fromkeys(k for r in rows for k in r))
            self._records[(table, scenario)] = [
                r if len(r) == len(keys) else {k: r.get(k, np.nan) for k in keys}
                for r in rows]
        return self._records[(table, scenario)]


def evaluate(plan: Plan, catalog: Catalog | None = None, calibration: Calibration | None = None,
             scenarios: list[str] | None = None) -> Results:
    catalog = catalog or load_catalog()  # each scenario lays the plan's own entries over it
    cal = calibration or default_calibration()
    names = scenarios or plan.scenario_names()
    with shared():  # scenarios asking the same capacity question share its answer
        return merge_results([evaluate_scenario(plan.variant(n), n, catalog, cal)
                              for n in names])


def evaluate_scenario(variant: Plan, scenario: str, catalog: Catalog | None = None,
                      calibration: Calibration | None = None) -> Results:
    """One scenario's results, from the plan with its overrides already applied.

    Callers that keep results per scenario (the app re-evaluates only the scenarios an edit
    changed) combine them with :func:`merge_results`.
    """
    with shared():
        catalog = with_embedded(variant, catalog or load_catalog())
        parts = _evaluate_one(variant, scenario, catalog, for_plan(variant, calibration))
    kpis, pools, workloads, hourly, warnings, sizings, site = parts
    return Results(rows={"kpis": [[kpis]], "pools": [pools], "workloads": [workloads],
                         "hourly": [hourly]},
                   warnings=warnings, sizings={scenario: sizings}, sites={scenario: site})


def merge_results(parts: list[Results]) -> Results:
    return Results(
        rows={t: [rows for p in parts for rows in p.rows[t]] for t in TABLES},
        warnings=[w for p in parts for w in p.warnings],
        sizings={k: v for p in parts for k, v in p.sizings.items()},
        sites={k: v for p in parts for k, v in p.sites.items()},
    )


def _evaluate_one(plan: Plan, scenario: str, catalog: Catalog, cal: Calibration):
    issues: list[Issue] = []
    sizings = [size_pool(catalog, plan, pool, cal, issues) for pool in plan.pools]
    roll = roll_up([ps.fleet.sized() for ps in sizings], facility_figures(plan),
                   plan.facility.cost_model, hourly=True, site=plan.site)
    k = roll.kpis
    wl_rows = [_workload_row(scenario, plan, ws, u) for ws, u in zip(
        (ws for ps in sizings for ws in ps.workloads), roll.workload_utilization, strict=True)]
    total_acc = int(k["accelerators"])
    out_year = float(k["output_tokens_per_year"])
    tco = float(k["tco_usd_per_year"])
    pool_rows = [_pool_row(scenario, ps, day, total_acc, out_year, tco)
                 for ps, day in zip(sizings, roll.pools, strict=True)]
    load_h = np.mean([w.traffic.profile_24h for w in plan.workloads], axis=0)
    hourly = [{"scenario": scenario, "hour": h, "it_kw": float(roll.it_kw[h]),
               "facility_kw": float(roll.facility_kw[h]),
               "utilization_pct": 100 * float(roll.utilization[h]),
               "load_pct_of_peak": 100 * float(load_h[h])} for h in range(HOURS)]
    kpis = {"scenario": scenario}
    for name in KPI_ORDER:
        kpis[name] = int(k[name]) if name in COUNTS else float(k[name])
    site = site_details(plan, sizings, roll.site, issues)
    warnings = [{"scenario": scenario, "kind": i.kind, "item": i.item, "message": i.message,
                 "severity": i.severity} for i in issues]
    return kpis, pool_rows, wl_rows, hourly, warnings, sizings, site


#: KPIs that count whole things, shown as integers.
COUNTS = {"accelerators", "systems", "racks"}


def _workload_row(scenario: str, plan: Plan, ws: WorkloadSizing, utilization) -> dict:
    """One workload's row; ``utilization`` is its fleet's busiest hour (from the roll-up)."""
    w = plan.workload(ws.workload)
    p = ws.point
    ttft99 = 1e3 * float(p.ttft_p99_s) if p is not None else np.nan
    tok_s = float(p.output_tok_s) if p is not None else 0.0
    return {
        "scenario": scenario, "pool": ws.pool, "workload": ws.workload,
        "model": ws.model, "precision": ws.precision, "kv_precision": ws.kv_precision,
        "layout": ws.layout, "accelerators_per_replica": ws.acc_per_replica,
        "replicas": ws.replicas, "replicas_needed": ws.replicas_needed,
        "capacity_rps_per_replica": ws.capacity_rps, "peak_rps": ws.peak_rps,
        # Of the workload's traffic, what this pool serves (plan.share).
        "traffic_share_pct": 100 * plan.share(ws.workload, ws.pool),
        "utilization_peak_pct": 100 * float(utilization),
        "max_batch": ws.max_batch,
        "batch_at_peak": float(p.batch) if p is not None else np.nan,
        "ttft_mean_ms": 1e3 * float(p.ttft_s) + ws.kv_transfer_ms if p else np.nan,
        "ttft_p99_ms": ttft99 + ws.kv_transfer_ms,
        "tpot_mean_ms": 1e3 * float(p.tpot_s) if p is not None else np.nan,
        "tpot_p99_ms": 1e3 * float(p.tpot_p99_s) if p is not None else np.nan,
        "user_tok_s": 1.0 / float(p.tpot_s) if p is not None else np.nan,
        "output_tok_s_per_replica": tok_s,
        "output_tok_s_per_accelerator": tok_s / ws.acc_per_replica if tok_s else 0.0,
        "slo_ttft_p99_ms": w.slo.ttft_p99_ms,
        "slo_tpot_p99_ms": 1e3 * w.slo.tpot_limit_s(),
        "meets_slo": ws.meets_slo,
        # Under a board power limit, the share of the default clock its replicas keep.
        "clock_pct": 100 * float(ws.hw.clock) if ws.hw is not None else 100.0,
        "prefill_replicas": ws.prefill_replicas,  # disaggregated pools only, else 0
        "kv_transfer_ms": ws.kv_transfer_ms,
    }


def _price_grade(ps: PoolSizing, rented: bool) -> str:
    """How good the figure the pool's cost rests on is: the system's price, or for a rented
    pool its rent ("plan" where the plan sets it)."""
    if not rented:
        return ps.system.price_usd.grade
    if ps.pool.rent_usd_per_accelerator_hour is not None:
        return "plan"
    return ps.accelerator.rent_usd_per_hour.grade


def _pool_row(scenario: str, ps: PoolSizing, day: PoolDay, total_acc: int, out_year: float,
              tco: float) -> dict:
    sys_ = ps.system
    rented = sys_.rented
    # A rented pool's rent is what it costs (the plan's, else the catalog's); an owned pool's
    # (the plan's) is what owning is compared with.
    rent = ps.pool.rent_usd_per_accelerator_hour
    if rented and rent is None:
        rent = float(catalog_rent(ps.accelerator))
    row = {
        "scenario": scenario, "pool": ps.pool.name, "system": sys_.id,
        "accelerator": ps.accelerator.id, "engine": ps.engine,
        "calibration_basis": ps.basis.text if ps.basis else "",
        "accelerators": ps.accelerators,
        "systems": ps.systems, "racks": ps.racks, "systems_per_rack": ps.systems_per_rack,
        "power_limit_w": (ps.pool.power_limit_w if ps.pool.power_limit_w is not None
                          else np.nan),
        "cooling": "air" if bool(ps.fleet.air) else "liquid",
        "network_kw": float(ps.fleet.net_kw) * ps.systems,
        "network_capex_usd": float(ps.fleet.net_usd),
        "rack_kw_provisioned": ps.system_kw_peak * ps.systems_per_rack,
        "it_kw_peak": float(day.it_kw.max()), "it_kw_provisioned": float(day.it_kw_provisioned),
        "capex_usd": float(day.capex_usd),
        "rented": rented,
        "system_price_grade": _price_grade(ps, rented),
        "rent_usd_per_year": (rent * ps.accelerators * HOURS_PER_YEAR
                              if rent is not None else np.nan),
        "utilization_peak_pct": 100 * float(day.utilization.max()),
        "utilization_mean_pct": 100 * float(day.utilization.mean()),
    }
    # The pool's share of the plan's cost, by accelerators: what renting would be set against.
    share = ps.accelerators / max(total_acc, 1)
    if not np.isnan(row["rent_usd_per_year"]) and out_year > 0 and share > 0:
        row["rent_usd_per_m_output_tokens"] = row["rent_usd_per_year"] / (
            out_year * share / 1e6)
    row["own_usd_per_accelerator_hour"] = (tco * share
                                           / max(ps.accelerators * HOURS_PER_YEAR, 1))
    return row

