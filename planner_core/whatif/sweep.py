"""Sweeps: one plan input over a range of values, the KPI row for each value.

A numeric input (traffic, token counts, SLOs, facility figures, pool size and layout, a
system's price) is one vectorized call of :func:`planner_core.whatif.evaluate_many.evaluate_many`,
however many values. A categorical input (a workload's precision, a pool's system or serving
mode) has a handful of levels, each a different replica; each level is one normal evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, for_plan
from planner_core.engine.evaluate import evaluate_scenario
from planner_core.errors import PlannerError
from planner_core.plan import Plan, apply_overrides
from planner_core.whatif.evaluate_many import KPI_NAMES, evaluate_many
from planner_core.whatif.numeric_inputs import NUMERIC_PATHS, pattern_of

CATEGORICAL_PATHS = (
    "workloads.*.weight_precision",
    "workloads.*.kv_precision",
    "pools.*.system",
    "pools.*.serving",
)
#: More values than this is a mistake, not a sweep: a million-value sweep takes about 0.2 s and
#: under 1 GB; ten million would take several GB.
MAX_VALUES = 2_000_000


def _categorical(path: str) -> bool:
    parts = path.split(".")
    return any(len(p.split(".")) == len(parts) and all(
        a == "*" or a == b for a, b in zip(p.split("."), parts, strict=True))
        for p in CATEGORICAL_PATHS)


def is_numeric(path: str) -> bool:
    """True for a path evaluate_many can vary; PlannerError for a path no sweep can vary."""
    if pattern_of(path):
        return True
    if _categorical(path):
        return False
    raise PlannerError(f"{path!r} cannot be swept. Numeric inputs: {', '.join(NUMERIC_PATHS)}."
                       f" Categorical inputs: {', '.join(CATEGORICAL_PATHS)} (* is an item's "
                       "name)", field=path)


def parse_values(text: str, numeric: bool) -> list:
    """'1,2,5' → a list; for numbers also 'START:STOP:COUNT', COUNT values evenly spaced."""
    text = text.strip()
    if not text:
        raise PlannerError("no values given", field="values")
    if not numeric:
        return [v.strip() for v in text.split(",") if v.strip()]
    if text.count(":") == 2:
        start, stop, count = (p.strip() for p in text.split(":"))
        try:
            a, b, n = float(start), float(stop), int(count)
        except ValueError:
            raise PlannerError(f"{text!r}: expected START:STOP:COUNT, like 10:100:10",
                               field="values") from None
        if not 1 <= n <= MAX_VALUES:
            raise PlannerError(f"COUNT must be 1 to {MAX_VALUES:,}, not {n:,}", field="values")
        return list(np.linspace(a, b, n))
    out = []
    for part in text.split(","):
        try:
            out.append(float(part))
        except ValueError:
            raise PlannerError(f"{part.strip()!r} is not a number", field="values") from None
    return out


def sweep(plan: Plan, path: str, values: Sequence, scenario: str = "base",
          catalog: Catalog | None = None, calibration: Calibration | None = None,
          progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
    """One row per value: ``value`` and the KPI columns of :data:`KPI_NAMES`."""
    catalog = catalog or load_catalog()
    variant = plan.variant(scenario)
    cal = for_plan(variant, calibration)
    if len(values) > MAX_VALUES:
        raise PlannerError(f"{len(values):,} values; at most {MAX_VALUES:,}", field="values")
    if is_numeric(path):
        arr = np.asarray(values, float)
        kpis = evaluate_many(variant, {path: arr}, catalog, cal)
        frame = pd.DataFrame({"value": arr, **{k: np.asarray(v) for k, v in kpis.items()}})
        return frame
    rows = []
    for i, value in enumerate(values):
        if progress:
            progress(i / len(values), f"{path} = {value}")
        one = apply_overrides(variant, {path: value}, where=f"{path} = {value}")
        results = evaluate_scenario(one, scenario, catalog, cal)
        row = {"value": value, **{k: results.kpis.iloc[0][k] for k in KPI_NAMES
                                  if k != "meets_slo"}}
        row["meets_slo"] = bool(results.workloads["meets_slo"].all()) and not any(
            w["severity"] == "error" for w in results.warnings)
        rows.append(row)
    if progress:
        progress(1.0, "done")
    return pd.DataFrame(rows, columns=["value", *KPI_NAMES])
