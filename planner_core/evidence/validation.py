"""Predicts every case of a measurements CSV and reports the errors, overall and per group
(accelerator × model × serving engine × metric)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, default_calibration
from planner_core.errors import PlannerError
from planner_core.evidence.cases import Unservable, case_engine, predict_case, read_cases

GROUP_BY = ["system", "model", "engine", "metric"]


@dataclass
class ValidationSummary:
    table: pd.DataFrame
    count: int
    median_abs_error_pct: float
    worst_abs_error_pct: float
    worst_case: str
    #: Cases the model cannot predict (no layout carries the measured load).
    unpredicted: list[str] = field(default_factory=list)

    def groups(self) -> pd.DataFrame:
        """Count, median and worst |error| and the median signed error per group."""
        t = self.table.assign(abs_error_pct=self.table["error_pct"].abs())
        g = t.groupby(GROUP_BY, sort=True).agg(
            count=("abs_error_pct", "size"), median_abs_error_pct=("abs_error_pct", "median"),
            worst_abs_error_pct=("abs_error_pct", "max"), median_error_pct=("error_pct", "median"))
        return g.reset_index()


def validate_cases(path: Path, catalog: Catalog | None = None,
                   calibration: Calibration | None = None,
                   progress: Callable[[float], None] | None = None) -> ValidationSummary:
    catalog = catalog or load_catalog()
    cal = calibration or default_calibration()
    df = read_cases(Path(path))
    preds, layouts, engines = [], [], []
    for i, (_, row) in enumerate(df.iterrows()):
        try:
            acc = catalog.accelerator(row["system"])
            engine = case_engine(catalog, row).id
        except PlannerError as exc:
            raise PlannerError(exc.detail, field=f"row {i + 2} ({row['case_id']})",
                               source=str(path)) from None
        try:
            value, setup = predict_case(catalog, row, cal.efficiency(acc.family, catalog,
                                                                     engine), cal.power)
        except Unservable:
            # Reported as not predicted, not as an error of some size: the model has no
            # finite figure for it.
            preds.append(np.nan)
            engines.append(engine)
            layouts.append("cannot carry the measured load")
            continue
        preds.append(value)
        engines.append(engine)
        layouts.append(f"{setup.accelerators}x tp{setup.hw.tp:g} pp{setup.hw.pp:g} "
                       f"ep{setup.hw.ep:g} {setup.precision}/{setup.kv_precision}")
        if progress:
            progress((i + 1) / len(df))
    out = df.drop(columns=["board_only", "power_optimised"]).copy()
    out["engine"] = engines
    out["predicted"] = np.round(preds, 4)
    out["error_pct"] = np.round(100.0 * (out["predicted"] / out["measured"] - 1.0), 2)
    out["planner_layout"] = layouts
    abs_err = out["error_pct"].abs()
    predicted = abs_err.notna()
    worst = int(abs_err.idxmax()) if predicted.any() else 0
    return ValidationSummary(
        table=out, count=len(out),
        median_abs_error_pct=float(abs_err.median()) if predicted.any() else 0.0,
        worst_abs_error_pct=float(abs_err.max()) if predicted.any() else 0.0,
        worst_case=str(out.loc[worst, "case_id"]) if predicted.any() else "",
        unpredicted=list(out.loc[~predicted, "case_id"]),
    )
