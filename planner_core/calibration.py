"""Fits each accelerator family's efficiency knobs to the published measurements, and loads them.

Only ``calibration_cases.csv`` is used for fitting. Each family with cases gets its own
:class:`~planner_core.performance.Efficiency`; a family without cases inherits from the fitted
family it is physically closest to, by a stated rule:

- HBM and DRAM families: the fitted HBM family whose ratio of dense peak FLOPS (at the default
  precision) to memory bandwidth is closest, on a log scale — that ratio decides where decode
  and prefill sit on the roofline, which is what the knobs correct.
- SRAM chip chains and wafers: the fitted SRAM family whose on-chip SRAM per chip is closest,
  on a log scale — that decides how many chips, and so how many hand-offs, a model needs.

The fit is deterministic (a seeded random search narrowed in rounds), so ``inference-planner
calibrate`` reproduces the shipped ``resources/calibration.json`` exactly.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .cases import CaseSetup, case_candidates, predict_metric, read_cases
from .catalog import Accelerator, Catalog, load_catalog
from .errors import PlannerError
from .performance import Efficiency
from .resources import resource_path

KNOBS = ("compute", "memory", "layer_overhead_us", "sharpness")
#: Search box for each knob: physically plausible ranges, not free parameters.
BOUNDS_HBM = {"compute": (0.15, 0.95), "memory": (0.40, 0.98),
              "layer_overhead_us": (0.0, 40.0), "sharpness": (1.0, 8.0)}
BOUNDS_SRAM = {"compute": (0.15, 0.95), "memory": (0.40, 0.98),
               "layer_overhead_us": (0.0, 400.0), "sharpness": (1.0, 8.0)}
#: Families fitted on fewer cases than this keep the default compute, memory and sharpness
#: and fit only the per-layer overhead (one case cannot pin four knobs).
MIN_CASES_FOR_FULL_FIT = 6
DEFAULT = Efficiency()
SEED = 20260301


def calibration_file() -> Path:
    return resource_path("calibration.json")


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


def _flops_per_byte(acc: Accelerator) -> float:
    return acc.tflops(acc.default_precision) * 1e12 / (acc.memory_bw_gbs.value * 1e9)


def _family_members(catalog: Catalog) -> dict[str, list[Accelerator]]:
    fams: dict[str, list[Accelerator]] = {}
    for a in catalog.accelerators.values():
        fams.setdefault(a.family, []).append(a)
    return fams


def inheritance(catalog: Catalog, fitted: set[str]) -> dict[str, dict]:
    """For each family without cases: which fitted family it inherits from, and why."""
    fams = _family_members(catalog)
    out = {}
    for fam, members in sorted(fams.items()):
        if fam in fitted:
            continue
        rep = members[0]
        sram = rep.architecture == "sram"
        pool = [f for f in fitted if (fams[f][0].architecture == "sram") == sram]
        if not pool:
            pool = list(fitted)
        if sram:
            key = lambda a: math.log(a.memory_gb.value)  # noqa: E731
            rule = "closest on-chip SRAM per chip (log scale)"
        else:
            key = lambda a: math.log(_flops_per_byte(a))  # noqa: E731
            rule = "closest ratio of dense peak FLOPS to memory bandwidth (log scale)"
        mine = float(np.mean([key(a) for a in members]))
        parent = min(sorted(pool), key=lambda f: abs(np.mean([key(a) for a in fams[f]]) - mine))
        out[fam] = {"inherits": parent, "rule": rule}
    return out


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
    from .files import atomic_write_text

    path = Path(path or calibration_file())
    atomic_write_text(path, json.dumps(doc, indent=2) + "\n")
    return path


class Calibration:
    """Efficiency per accelerator family, read from ``calibration.json``."""

    def __init__(self, doc: dict | None = None):
        self.doc = doc or {}
        self._fams = {f: Efficiency(**{k: v[k] for k in KNOBS})
                      for f, v in self.doc.get("families", {}).items()}

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        path = Path(path or calibration_file())
        if not path.exists():
            return cls()
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlannerError(f"cannot read calibration: {exc}", source=str(path)) from exc

    def efficiency(self, family: str, catalog: Catalog | None = None) -> Efficiency:
        if family in self._fams:
            return self._fams[family]
        inherited = self.doc.get("inherited", {}).get(family)
        if inherited and inherited["inherits"] in self._fams:
            return self._fams[inherited["inherits"]]
        if catalog is not None and self._fams:  # a family the shipped file never saw
            rule = inheritance(catalog, set(self._fams)).get(family)
            if rule:
                return self._fams[rule["inherits"]]
        return DEFAULT

    def source(self, family: str) -> str:
        if family in self._fams:
            info = self.doc["families"][family]
            return f"fitted on {len(info['cases'])} cases"
        inherited = self.doc.get("inherited", {}).get(family)
        if inherited:
            return f"inherited from {inherited['inherits']} ({inherited['rule']})"
        return "default (assumption: no calibration for this family)"


_LOADED: Calibration | None = None


def default_calibration() -> Calibration:
    global _LOADED
    if _LOADED is None:
        _LOADED = Calibration.load()
    return _LOADED
