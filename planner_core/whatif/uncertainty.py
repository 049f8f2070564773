"""Uncertainty: how sure the answer is, given how well each figure is sourced.

:func:`monte_carlo` draws every graded figure of :func:`~planner_core.whatif.sensitivity.
assumptions` at once, each from a lognormal spread whose width follows its grade
(``catalog.GRADE_SPREAD``: a weak figure varies more), and reports the P10/P50/P90 of cost,
power and latency; :func:`uncertainty_bands` does the same at several traffic levels. Each is
one :func:`planner_core.whatif.evaluate_many.evaluate_many` call over all its draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner_core.catalog import GRADE_SPREAD, Catalog, load_catalog
from planner_core.engine.calibration import Calibration, for_plan
from planner_core.errors import PlannerError
from planner_core.plan import Plan
from planner_core.plan.embedded import with_embedded
from planner_core.whatif.evaluate_many import evaluate_many
from planner_core.whatif.sensitivity import assumptions, within_bounds

#: Outputs the uncertainty analysis reports.
UNCERTAIN_KPIS = ("usd_per_m_output_tokens", "usd_per_m_tokens", "facility_mw_peak",
                  "ttft_p99_ms", "tpot_p99_ms", "tco_usd_per_year")
P_LEVELS = (10, 50, 90)


def _draws(plan: Plan, catalog: Catalog, cal: Calibration, rng, shape: tuple,
           include_forecast: bool) -> dict:
    """Each graded figure times exp(N(0, s²)), s from its grade (a pool's performance: the
    measured error of its calibration basis); the plan's own forecasts (traffic, tokens,
    utilization target) only when asked."""
    values = {}
    for a in assumptions(plan, catalog, cal):
        sourced = a.path.startswith(("facility.", "catalog.")) or a.spread is not None
        if sourced or include_forecast:
            spread = a.spread if a.spread is not None else \
                GRADE_SPREAD.get(a.grade, GRADE_SPREAD["assumption"])
            values[a.path] = within_bounds(a, a.value * np.exp(rng.normal(0.0, spread, shape)))
    return values


def monte_carlo(plan: Plan, samples: int = 2000, seed: int = 0, scenario: str = "base",
                catalog: Catalog | None = None, calibration: Calibration | None = None,
                include_forecast: bool = False) -> dict:
    """Every graded assumption drawn at once, ``samples`` times.

    A figure of grade g is multiplied by exp(N(0, s²)) with s = GRADE_SPREAD[g] (the median
    stays at the catalogued value). The plan's own forecasts (traffic, tokens, utilization
    target) stay fixed unless ``include_forecast``. Returns ``samples`` (a DataFrame of the
    KPIs per draw, with meets_slo), ``percentiles`` (P10/P50/P90 per KPI, over the draws
    that meet the SLOs) and ``feasible_share``.
    """
    if not 10 <= samples <= 1_000_000:
        raise PlannerError(f"samples must be 10 to 1,000,000, not {samples:,}", field="samples")
    catalog = with_embedded(plan, catalog or load_catalog())
    variant = plan.variant(scenario)
    cal = for_plan(variant, calibration)
    values = _draws(variant, catalog, cal, np.random.default_rng(seed), (samples,),
                    include_forecast)
    kpis = evaluate_many(variant, values, catalog, cal)
    frame = pd.DataFrame({k: np.asarray(v) for k, v in kpis.items()})
    ok = frame[frame["meets_slo"]]
    pct = pd.DataFrame({k: (np.percentile(ok[k], P_LEVELS) if len(ok) else
                            np.full(len(P_LEVELS), np.nan)) for k in UNCERTAIN_KPIS},
                       index=[f"P{p}" for p in P_LEVELS])
    return {"samples": frame, "percentiles": pct, "feasible_share": len(ok) / len(frame),
            "inputs": sorted(values)}


#: Traffic levels the uncertainty bands are drawn over, as multiples of each workload's peak.
BAND_FACTORS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


def uncertainty_bands(plan: Plan, samples: int = 500, seed: int = 0, scenario: str = "base",
                      factors=BAND_FACTORS, catalog: Catalog | None = None,
                      calibration: Calibration | None = None) -> pd.DataFrame:
    """P10/P50/P90 of each KPI in UNCERTAIN_KPIS at several traffic levels (every workload's
    peak times a factor), the graded figures drawn as in :func:`monte_carlo`: the bands a
    chart of cost against traffic shows. One array pass of samples × levels."""
    if not 10 <= samples <= 100_000:
        raise PlannerError(f"samples must be 10 to 100,000, not {samples:,}", field="samples")
    catalog = with_embedded(plan, catalog or load_catalog())
    variant = plan.variant(scenario)
    cal = for_plan(variant, calibration)
    levels = np.asarray(factors, float)[None, :]
    values = _draws(variant, catalog, cal, np.random.default_rng(seed), (samples, 1), False)
    for w in variant.workloads:
        values[f"workloads.{w.name}.traffic.peak_rps"] = w.traffic.peak_rps * levels
    kpis = evaluate_many(variant, values, catalog, cal)
    ok = np.asarray(kpis["meets_slo"], bool)
    rows = []
    for j, factor in enumerate(levels[0]):
        good = ok[:, j]
        row = {"traffic_factor": float(factor), "feasible_share": float(good.mean())}
        for k in UNCERTAIN_KPIS:
            col = np.asarray(kpis[k])[:, j][good]
            for p in P_LEVELS:
                row[f"{k}_p{p}"] = float(np.percentile(col, p)) if col.size else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
