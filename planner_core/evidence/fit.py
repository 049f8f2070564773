"""Fits each accelerator family's efficiency knobs to the published measurements.

Only ``calibration_cases.csv`` is used for fitting. Families without cases borrow by the rule
in :mod:`planner_core.engine.calibration`. The fit is deterministic (a seeded random search
narrowed in rounds), so ``inference-planner calibrate`` reproduces the shipped
``resources/calibration.json`` exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from planner_core import __version__
from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import DEFAULT, KNOBS, calibration_file, inheritance
from planner_core.engine.step_times import Efficiency
from planner_core.evidence.cases import CaseSetup, case_candidates, predict_metric, read_cases
from planner_core.files import atomic_write_text
from planner_core.resources import resource_path

#: Search box for each knob: physically plausible ranges, not free parameters.
BOUNDS_HBM = {"compute": (0.15, 0.95), "memory": (0.40, 0.98),
              "layer_overhead_us": (0.0, 40.0), "sharpness": (1.0, 8.0)}
BOUNDS_SRAM = {"compute": (0.15, 0.95), "memory": (0.40, 0.98),
               "layer_overhead_us": (0.0, 400.0), "sharpness": (1.0, 8.0)}
#: Families fitted on fewer cases than this keep the default compute, memory and sharpness
#: and fit only the per-layer overhead (one case cannot pin four knobs).
MIN_CASES_FOR_FULL_FIT = 6
SEED = 20260301




def _objective(log_err: np.ndarray) -> np.ndarray:
    """Mean absolute log error plus a share of the worst: keeps outliers in check."""
    a = np.abs(log_err)
    return a.mean(axis=0) + 0.25 * a.max(axis=0)


def _predict_all(catalog: Catalog, rows: pd.DataFrame, eff: Efficiency,
                 setups: list[list[CaseSetup]]) -> np.ndarray:
    """Predictions, shape (cases, knob samples), each case at its best layout per sample."""
    out = []
    n = np.broadcast(*(np.asarray(getattr(eff, k)) for k in KNOBS)).shape
    for (_, row), cands in zip(rows.iterrows(), setups, strict=True):
        preds = np.stack([np.broadcast_to(predict_metric(s, row, eff), n)
                          for s in cands])
        preds = np.where(np.isfinite(preds), preds, np.nan)
        higher = row["metric"] in ("output_tok_s", "user_tok_s")
        best = np.nanmax(preds, axis=0) if higher else np.nanmin(preds, axis=0)
        out.append(best)
    return np.array(out, dtype=float)


def fit_family(catalog: Catalog, rows: pd.DataFrame, sram: bool,
               progress: Callable[[float], None] | None = None) -> tuple[Efficiency, dict]:
    bounds = BOUNDS_SRAM if sram else BOUNDS_HBM
    full = len(rows) >= MIN_CASES_FOR_FULL_FIT
    free = KNOBS if full else ("layer_overhead_us",)
    rng = np.random.default_rng(SEED)
    setups = [case_candidates(catalog, row) for _, row in rows.iterrows()]
    measured = rows["measured"].to_numpy(float)[:, None]
    lo = {k: bounds[k][0] for k in free}
    hi = {k: bounds[k][1] for k in free}
    best_x, best_f = None, np.inf
    rounds, samples = 6, 1500
    for r in range(rounds):
        xs = {k: rng.uniform(lo[k], hi[k], samples) for k in free}
        if best_x is not None:  # keep the incumbent in every round
            for k in free:
                xs[k][0] = best_x[k]
        eff = Efficiency(**{k: xs.get(k, getattr(DEFAULT, k)) for k in KNOBS})
        pred = _predict_all(catalog, rows, eff, setups)
        err = np.log(np.where(pred > 0, pred, np.nan) / measured)
        f = _objective(err)
        f = np.where(np.isfinite(f), f, np.inf)
        i = int(np.argmin(f))
        if f[i] < best_f:
            best_f, best_x = f[i], {k: float(xs[k][i]) for k in free}
        for k in free:  # narrow the box around the best point
            span = (hi[k] - lo[k]) * 0.35
            lo[k] = max(bounds[k][0], best_x[k] - span / 2)
            hi[k] = min(bounds[k][1], best_x[k] + span / 2)
        if progress:
            progress((r + 1) / rounds)
    assert best_x is not None
    values = {k: round(best_x.get(k, getattr(DEFAULT, k)), 4) for k in KNOBS}
    eff = Efficiency(**values)
    pred = _predict_all(catalog, rows, eff, setups).reshape(len(rows), -1)[:, 0]
    err = 100.0 * (pred / rows["measured"].to_numpy(float) - 1.0)
    info = {
        **values,
        "fitted": list(free),
        "cases": list(rows["case_id"]),
        "median_abs_error_pct": round(float(np.median(np.abs(err))), 2),
        "worst_abs_error_pct": round(float(np.max(np.abs(err))), 2),
    }
    return eff, info


def calibrate(cases_path: Path | None = None, catalog: Catalog | None = None,
              progress: Callable[[str, float], None] | None = None) -> dict:
    """Fits every family that has cases; returns the document ``calibration.json`` holds."""
    catalog = catalog or load_catalog()
    cases_path = Path(cases_path or resource_path("calibration_cases.csv"))
    df = read_cases(cases_path)
    df = df.assign(family=[catalog.accelerator(s).family if s in catalog.accelerators
                           else catalog.system_accelerator(s).family for s in df["system"]])
    families: dict[str, dict] = {}
    for fam, rows in df.groupby("family", sort=True):
        rows = rows.reset_index(drop=True)
        sram = catalog.accelerator(rows["system"].iloc[0]).architecture == "sram" \
            if rows["system"].iloc[0] in catalog.accelerators else False
        step = (lambda f, fam=fam: progress(str(fam), f)) if progress else None
        _, info = fit_family(catalog, rows, sram, step)
        families[str(fam)] = info
    doc = {
        "format": "inference-planner-calibration",
        "generated_by": f"inference-planner {__version__} calibrate",
        "cases_file": cases_path.name,
        "cases_sha256": hashlib.sha256(cases_path.read_bytes()).hexdigest(),
        "method": "seeded random search, 6 rounds x 1500 samples narrowing around the best; "
                  "objective = mean |log error| + 0.25 x worst |log error| per family",
        "seed": SEED,
        "default": asdict(DEFAULT),
        "families": families,
        "inherited": inheritance(catalog, set(families)),
    }
    return doc


def write_calibration(doc: dict, path: Path | None = None) -> Path:
    path = Path(path or calibration_file())
    atomic_write_text(path, json.dumps(doc, indent=2) + "\n")
    return path


