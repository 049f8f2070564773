"""Which plan inputs can take arrays of values, and the checks those values must pass.

Sweeps, sensitivity and Monte Carlo runs (:mod:`planner_core.whatif.evaluate_many`) vary these
inputs; a path is the plan's own override path, ``*`` standing for an item's name, or a
catalog figure of an accelerator or system.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from planner_core.catalog import Catalog
from planner_core.engine.sizing import replica_for
from planner_core.errors import PlannerError
from planner_core.plan import Facility, Plan, apply_overrides

#: Numeric inputs a sweep may vary, as override paths with ``*`` for an item's name.
NUMERIC_PATHS = (
    *(f"facility.{name}" for name, info in Facility.model_fields.items()
      if info.annotation is float),
    *(f"site.fabric.{name}" for name in ("switch_usd", "transceiver_usd_per_100g", "switch_w",
                                         "oversubscription")),
    "workloads.*.traffic.peak_rps",
    "workloads.*.input_tokens.mean",
    "workloads.*.output_tokens.mean",
    "workloads.*.slo.ttft_p99_ms",
    "workloads.*.slo.tpot_p99_ms",
    "workloads.*.prefix_cache_share",
    "pools.*.count",
    "pools.*.target_utilization",
    "pools.*.redundancy",
    "pools.*.prefill_share",
    "pools.*.power_limit_w",
    "pools.*.layout.tp",
    "pools.*.layout.pp",
    "pools.*.layout.ep",
    "pools.*.layout.chips",
    "pools.*.layout.max_batch",
    "pools.*.speculative.acceptance",
    # Not a plan field: the pool's speed relative to its calibration (1 = as fitted), how the
    # uncertainty analysis spreads a pool's performance by the error of its basis.
    "pools.*.performance",
    *(f"catalog.accelerators.*.{name}" for name in (
        "memory_gb", "memory_bw_gbs", "dense_tflops", "tdp_w", "idle_w", "scaleup_bw_gbs",
        "rent_usd_per_hour")),
    *(f"catalog.systems.*.{name}" for name in ("price_usd", "host_power_w", "scaleup_bw_gbs")),
)
#: Inputs that must be whole numbers.
INTEGER_FIELDS = ("count", "redundancy", "tp", "pp", "ep", "chips", "mean", "max_batch")

#: The unit of each numeric input, as a sweep's first column names it: a field's name hints at
#: its unit, but a CSV read months later must not depend on decoding "usd_per_kw_month".
UNITS = {
    "facility.pue": "ratio",
    "facility.electricity_usd_per_kwh": "$/kWh",
    "facility.rack_power_budget_kw": "kW per rack",
    "facility.max_air_cooled_rack_kw": "kW per rack",
    "facility.colocation_usd_per_kw_month": "$ per kW per month",
    "facility.facility_capex_usd_per_mw": "$ per MW",
    "facility.facility_life_years": "years",
    "facility.amortization_years": "years",
    "facility.cost_of_capital": "fraction per year",
    "facility.maintenance_pct_per_year": "% of hardware CapEx per year",
    "facility.installation_capex_pct": "% of hardware CapEx",
    "site.fabric.switch_usd": "$ per switch",
    "site.fabric.transceiver_usd_per_100g": "$ per 100G",
    "site.fabric.switch_w": "W per switch",
    "site.fabric.oversubscription": "ratio",
    "workloads.*.traffic.peak_rps": "req/s",
    "workloads.*.input_tokens.mean": "tokens",
    "workloads.*.output_tokens.mean": "tokens",
    "workloads.*.slo.ttft_p99_ms": "ms",
    "workloads.*.slo.tpot_p99_ms": "ms",
    "workloads.*.prefix_cache_share": "fraction",
    "pools.*.count": "systems",
    "pools.*.target_utilization": "fraction",
    "pools.*.redundancy": "spare replicas",
    "pools.*.prefill_share": "fraction",
    "pools.*.power_limit_w": "W per accelerator",
    "pools.*.layout.tp": "accelerators",
    "pools.*.layout.pp": "stages",
    "pools.*.layout.ep": "accelerators",
    "pools.*.layout.chips": "chips",
    "pools.*.layout.max_batch": "sequences",
    "pools.*.speculative.acceptance": "fraction",
    "pools.*.performance": "× calibrated speed",
    "catalog.accelerators.*.memory_gb": "GB",
    "catalog.accelerators.*.memory_bw_gbs": "GB/s",
    "catalog.accelerators.*.dense_tflops": "TFLOPS",
    "catalog.accelerators.*.tdp_w": "W",
    "catalog.accelerators.*.idle_w": "W",
    "catalog.accelerators.*.scaleup_bw_gbs": "GB/s",
    "catalog.accelerators.*.rent_usd_per_hour": "$ per accelerator-hour",
    "catalog.systems.*.price_usd": "$",
    "catalog.systems.*.host_power_w": "W",
    "catalog.systems.*.scaleup_bw_gbs": "GB/s",
}


def unit_of(path: str) -> str:
    """The unit of a numeric input ("" for a categorical one, such as a precision)."""
    return UNITS.get(pattern_of(path), "")


def pattern_of(path: str) -> str:
    """The NUMERIC_PATHS pattern a concrete path matches ("" if none)."""
    parts = path.split(".")
    for pattern in NUMERIC_PATHS:
        pp = pattern.split(".")
        if len(pp) == len(parts) and all(a == "*" or a == b for a, b in zip(pp, parts,
                                                                             strict=True)):
            return pattern
    return ""


def check_values(plan: Plan, catalog: Catalog, values: Mapping[str, np.ndarray]) -> None:
    """PlannerError naming the path when a path is unknown or a value is out of its bounds.

    The plan's own validation judges the smallest and largest value of each path (and each
    distinct value of a layout field, which also decides whether the model fits)."""
    for path, arr in values.items():
        if not pattern_of(path):
            raise PlannerError(f"{path!r} cannot be swept; numeric inputs are "
                               f"{', '.join(NUMERIC_PATHS)}", field=path)
        a = np.asarray(arr, float)
        if a.size == 0:
            raise PlannerError("no values given", field=path)
        if not np.all(np.isfinite(a)):
            raise PlannerError("values must be finite numbers", field=path)
        if path.rsplit(".", 1)[1] in INTEGER_FIELDS and np.any(a != np.round(a)):
            raise PlannerError("values must be whole numbers", field=path)
        if path.startswith("catalog."):
            _, kind, ident, name = path.split(".")
            if ident not in getattr(catalog, kind):
                raise PlannerError(f"no {kind[:-1]} {ident!r} in the catalog", field=path)
            if name == "price_usd" and catalog.systems[ident].rented:
                raise PlannerError(f"{ident} is rented only: it has no price to vary; vary "
                                   f"its accelerator's rent (catalog.accelerators."
                                   f"{catalog.systems[ident].accelerator}.rent_usd_per_hour)",
                                   field=path)
            positive = name not in ("price_usd", "idle_w", "host_power_w", "rent_usd_per_hour")
            if a.min() < 0 or (positive and a.min() <= 0):
                raise PlannerError(f"{name} must be {'above' if positive else 'at least'} 0",
                                   field=path)
            continue
        if ".speculative." in path:
            pool = next((p for p in plan.pools if p.name == path.split(".")[1]), None)
            if pool is not None and pool.speculative is None:
                raise PlannerError(f"pool {pool.name!r} has no speculative decoding; turn it "
                                   "on before sweeping its acceptance", field=path)
        if path.endswith(".performance"):
            if path.split(".")[1] not in {p.name for p in plan.pools}:
                raise PlannerError(f"no pool {path.split('.')[1]!r} in the plan", field=path)
            if a.min() <= 0:
                raise PlannerError("performance must be above 0", field=path)
            continue
        probes = np.unique(a) if ".layout." in path and np.unique(a).size <= 256 else \
            np.array([a.min(), a.max()])
        for v in probes:
            variant = apply_overrides(plan, {path: _json_number(path, v)},
                                      where=f"{path} = {v:g}")
            if ".layout." in path:
                pool = next(p for p in variant.pools if p.name == path.split(".")[1])
                for wname in pool.workloads:
                    replica_for(catalog, pool, variant.workload(wname))


def _json_number(path: str, v: float):
    return int(v) if path.rsplit(".", 1)[1] in INTEGER_FIELDS else float(v)
