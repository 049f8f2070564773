"""Sensitivity: which assumptions move the cost, and by how much.

The assumptions of a plan are its facility's prices and rates, its workloads' traffic and
token counts, its pools' target utilization, and the catalog figures of the systems and
accelerators it uses, each with a grade (how well sourced it is).

:func:`tornado` moves each assumption by ±X% alone and records the KPI at both ends, in one
:func:`planner_core.whatif.evaluate_many.evaluate_many` call over all its points. The same
assumptions, drawn together, make :mod:`planner_core.whatif.uncertainty`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from annotated_types import Ge, Gt, Le, Lt

from planner_core.catalog import Catalog, load_catalog
from planner_core.catalog.engines import engine_for
from planner_core.engine.calibration import Calibration, for_plan
from planner_core.errors import PlannerError
from planner_core.plan import Facility, Plan, Pool
from planner_core.plan.embedded import with_embedded
from planner_core.plan.site import Fabric
from planner_core.whatif.evaluate_many import evaluate_many

#: Facility inputs that are prices, rates or loads (limits such as the rack budget are left
#: out: they only repack racks, which the cost does not count).
FACILITY_ASSUMPTIONS = {
    "pue": "PUE", "electricity_usd_per_kwh": "electricity price",
    "colocation_usd_per_kw_month": "colocation price", "facility_capex_usd_per_mw":
    "facility build cost", "facility_life_years": "facility life", "amortization_years":
    "amortization period", "cost_of_capital": "cost of capital", "maintenance_pct_per_year":
    "maintenance", "installation_capex_pct": "installation cost"}
ACCELERATOR_FIGURES = (("memory_bw_gbs", "memory bandwidth"),
                       ("dense_tflops", "dense compute"), ("tdp_w", "TDP"),
                       ("idle_w", "idle power"), ("memory_gb", "memory"))
SYSTEM_FIGURES = (("price_usd", "price"), ("host_power_w", "host power"),
                  ("scaleup_bw_gbs", "scale-up bandwidth"))
#: The plan's own inputs (traffic, token counts, utilization target) are the user's forecast,
#: not sourced figures: an assumption's spread.
FORECAST_GRADE = "assumption"


@dataclass(frozen=True)
class Assumption:
    path: str
    label: str
    value: float
    grade: str
    low: float = 0.0  # bounds the plan or the physics allow
    high: float = float("inf")
    integer: bool = False
    #: Relative spread when it is measured rather than graded (a pool's calibration basis).
    spread: float | None = None


#: The fabric's prices and power, as sweeps and the tornado vary them (site.fabric.*).
FABRIC_ASSUMPTIONS = {"switch_usd": "fabric: switch price",
                      "transceiver_usd_per_100g": "fabric: optics price",
                      "switch_w": "fabric: switch power"}


def _facility_grade(name: str, model=Facility) -> str:
    text = model.model_fields[name].description or ""
    for grade in ("S?", "P", "S"):
        if f"[{grade}]" in text:
            return grade
    return "assumption"


def _bounds(model, name: str) -> tuple[float, float]:
    low, high = 0.0, float("inf")
    for m in model.model_fields[name].metadata:
        if isinstance(m, Ge | Gt):
            low = float(m.ge if isinstance(m, Ge) else m.gt)
        if isinstance(m, Le | Lt):
            high = float(m.le if isinstance(m, Le) else m.lt)
    return low, high


def assumptions(plan: Plan, catalog: Catalog,
                calibration: Calibration | None = None) -> list[Assumption]:
    """Every assumption of ``plan`` (one scenario's plan) that bears on its figures, each
    pool's performance among them: as fast as its calibration says, give or take the
    measured error of that calibration's basis (wider when borrowed or uncalibrated)."""
    cal = for_plan(plan, calibration)
    fac = plan.facility
    out = []
    for name, label in FACILITY_ASSUMPTIONS.items():
        if name == "colocation_usd_per_kw_month" and fac.cost_model != "colocation":
            continue
        if name in ("facility_capex_usd_per_mw", "facility_life_years") and \
                fac.cost_model != "owned":
            continue
        low, high = _bounds(Facility, name)
        out.append(Assumption(f"facility.{name}", f"facility: {label}", getattr(fac, name),
                              _facility_grade(name), low, high))
    if plan.site.fabric.design == "fat-tree":
        for name, label in FABRIC_ASSUMPTIONS.items():
            low, high = _bounds(Fabric, name)
            out.append(Assumption(f"site.fabric.{name}", label,
                                  getattr(plan.site.fabric, name),
                                  _facility_grade(name, Fabric), low, high))
    for w in plan.workloads:
        out.append(Assumption(f"workloads.{w.name}.traffic.peak_rps",
                              f"{w.name}: peak requests/s", w.traffic.peak_rps, FORECAST_GRADE,
                              1e-6, 1e7))
        out.append(Assumption(f"workloads.{w.name}.input_tokens.mean",
                              f"{w.name}: prompt tokens", w.input_tokens.mean, FORECAST_GRADE,
                              1, 2_000_000, True))
        out.append(Assumption(f"workloads.{w.name}.output_tokens.mean",
                              f"{w.name}: answer tokens", w.output_tokens.mean,
                              FORECAST_GRADE, 1, 2_000_000, True))
    for pool in plan.pools:
        if pool.count is None:
            low, high = _bounds(Pool, "target_utilization")
            out.append(Assumption(f"pools.{pool.name}.target_utilization",
                                  f"{pool.name}: target utilization", pool.target_utilization,
                                  FORECAST_GRADE, low, high))
    for pool in plan.pools:
        acc = catalog.accelerator(catalog.system(pool.system).accelerator)
        try:
            engine = engine_for(pool.engine, acc.vendor, acc.architecture).id
        except PlannerError:
            continue  # a pool that cannot run: reported by the sizing
        basis = cal.basis(acc.family, engine, catalog,
                          [plan.workload(w).model for w in pool.workloads])
        out.append(Assumption(f"pools.{pool.name}.performance",
                              f"{pool.name}: performance ({basis.kind})", 1.0, basis.kind,
                              0.05, 20.0, spread=basis.spread))
    seen_sys, seen_acc = set(), set()
    for pool in plan.pools:
        system = catalog.system(pool.system)
        acc = catalog.accelerator(system.accelerator)
        if system.id not in seen_sys:
            seen_sys.add(system.id)
            for name, label in SYSTEM_FIGURES:
                if name == "scaleup_bw_gbs" and acc.architecture == "sram":
                    continue  # an SRAM chain uses its chips' own links (below)
                spec = getattr(system, name)
                if spec is None:
                    continue  # a rented-only system has no price (its rent is its cost)
                out.append(Assumption(f"catalog.systems.{system.id}.{name}",
                                      f"{system.id}: {label}", spec.value, spec.grade))
        rent = acc.rent_usd_per_hour
        if (system.rented and rent is not None and pool.rent_usd_per_accelerator_hour is None
                and f"{acc.id}:rent" not in seen_acc):
            # What a rented pool costs, as sourced as the catalog's rent is.
            seen_acc.add(f"{acc.id}:rent")
            out.append(Assumption(f"catalog.accelerators.{acc.id}.rent_usd_per_hour",
                                  f"{acc.id}: rent", rent.value, rent.grade))
        if acc.id not in seen_acc:
            seen_acc.add(acc.id)
            figures = ACCELERATOR_FIGURES + ((("scaleup_bw_gbs", "chip-to-chip bandwidth"),)
                                             if acc.architecture == "sram" else ())
            for name, label in figures:
                if name == "dense_tflops":
                    key = {"fp16": "bf16", "int4": "fp4"}.get(acc.default_precision,
                                                              acc.default_precision)
                    spec = acc.dense_tflops.get(key) or next(iter(acc.dense_tflops.values()))
                    value = acc.tflops(acc.default_precision)
                else:
                    spec = getattr(acc, name)
                    value = spec.value
                if value <= 0:
                    continue
                out.append(Assumption(f"catalog.accelerators.{acc.id}.{name}",
                                      f"{acc.id}: {label}", value, spec.grade))
    return out


def within_bounds(a: Assumption, values: np.ndarray) -> np.ndarray:
    v = np.clip(values, a.low, a.high)
    return np.maximum(np.round(v), max(a.low, 1)) if a.integer else v


def tornado(plan: Plan, pct: float = 20.0, kpi: str = "usd_per_m_output_tokens",
            scenario: str = "base", catalog: Catalog | None = None,
            calibration: Calibration | None = None) -> pd.DataFrame:
    """Each assumption moved by -pct% and +pct% alone: the KPI at both ends, largest swing
    first. Rows where a move leaves the SLOs unmet say so (``meets_low``/``meets_high``)."""
    if not 0 < pct < 100:
        raise PlannerError(f"the move must be between 0 and 100%, not {pct:g}%", field="pct")
    catalog = with_embedded(plan, catalog or load_catalog())
    variant = plan.variant(scenario)
    cal = for_plan(variant, calibration)
    items = assumptions(variant, catalog, cal)
    n = 2 * len(items)
    values = {}
    for i, a in enumerate(items):
        col = np.full(n, float(a.value))
        col[2 * i] = a.value * (1 - pct / 100)
        col[2 * i + 1] = a.value * (1 + pct / 100)
        values[a.path] = within_bounds(a, col)
    base = evaluate_many(variant, {}, catalog, cal)
    moved = evaluate_many(variant, values, catalog, cal)
    rows = []
    for i, a in enumerate(items):
        lo, hi = moved[kpi][2 * i], moved[kpi][2 * i + 1]
        rows.append({"path": a.path, "label": a.label, "grade": a.grade, "base_value": a.value,
                     "low_value": values[a.path][2 * i], "high_value": values[a.path][2 * i + 1],
                     "kpi_base": float(base[kpi]), "kpi_low": float(lo), "kpi_high": float(hi),
                     "meets_low": bool(moved["meets_slo"][2 * i]),
                     "meets_high": bool(moved["meets_slo"][2 * i + 1]),
                     # Both ends infinite (the plan serves nothing): no swing to speak of.
                     "swing": (float(abs(hi - lo)) if np.isfinite(hi) and np.isfinite(lo)
                               else (np.nan if np.isinf(hi) and np.isinf(lo) else np.inf))})
    frame = pd.DataFrame(rows)
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
