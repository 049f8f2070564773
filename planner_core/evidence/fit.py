"""Fits each serving engine × accelerator family's efficiency knobs to published measurements.

Every cases file given is used (by default the three shipped ones, :data:`SHIPPED_CASES`). Each
engine/family pair fits the knobs its cases can pin and no others: the per-MoE-layer cost only
where MoE models were measured, the request overhead only where time to first token was, the
collective and matmul-width knobs only where a replica spans accelerators; a pair with few
cases fits only its per-layer cost. Knobs a pair cannot pin take the median of the pairs that
pinned them: the engine's software costs from the same engine only, the hardware's
efficiencies from the same family first, so nothing rests on a default where a measurement of
the same kind exists (``filled_from`` names the donors). Power rows (wall or board watts,
tokens per joule) then fit the power knobs of :mod:`planner_core.engine.power`, one set for
all accelerators.

Pairs without cases borrow by the rule in :mod:`planner_core.engine.calibration`; how much a
borrowed fit misses is measured here, by predicting each fitted pair's cases with the fit it
would borrow if it had none. The fit is deterministic (a seeded random search narrowed in
rounds), so ``inference-planner calibrate`` reproduces the shipped
``resources/calibration.json`` exactly.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from planner_core import __version__
from planner_core.catalog import Catalog, load_catalog
from planner_core.catalog.engines import ENGINES
from planner_core.engine.calibration import (
    DEFAULT,
    FEW_CASES,
    KNOBS,
    Calibration,
    borrowing,
    calibration_file,
    key,
)
from planner_core.engine.power import PowerKnobs
from planner_core.engine.step_times import Efficiency
from planner_core.evidence.cases import (
    PERFORMANCE_METRICS,
    POWER_METRICS,
    CaseSetup,
    case_candidates,
    case_engine,
    predict_case,
    predict_metric,
    read_cases,
)
from planner_core.files import atomic_write_text
from planner_core.resources import resource_path

#: Search box for each knob: physically plausible ranges, not free parameters.
BOUNDS_HBM = {"compute": (0.15, 0.95), "moe_compute": (0.05, 0.95), "memory": (0.35, 0.98),
              "layer_overhead_us": (0.0, 60.0), "sharpness": (1.0, 8.0),
              "step_overhead_us": (0.0, 5000.0), "moe_overhead_us": (0.0, 200.0),
              "comm": (0.2, 1.0), "gemm_half_width": (0.0, 2000.0),
              "ttft_overhead_ms": (0.0, 1000.0)}
BOUNDS_SRAM = {**BOUNDS_HBM, "layer_overhead_us": (0.0, 400.0)}
#: Pairs fitted on fewer cases than this fit only the per-layer cost (and the request's, if
#: time to first token was measured): one case cannot pin nine knobs.
MIN_CASES_FOR_FULL_FIT = FEW_CASES
SEED = 20260301
#: The published measurements shipped with the planner, all fitted together by default.
SHIPPED_CASES = ("calibration_cases.csv", "calibration_cases_more.csv", "power_cases.csv")
ROUNDS, SAMPLES = 8, 1200


#: |log error| beyond which the objective adds a steep penalty (about 40% off).
OUTLIER_LOG = 0.35


def _objective(log_err: np.ndarray) -> np.ndarray:
    """Mean absolute log error plus a steep penalty on the part of each error beyond ~40%:
    keeps every case near, without letting one unexplainable row (a stale engine build, a
    benchmark's start-up burst) drag the fit for all the others, as a penalty on the worst
    alone would."""
    a = np.abs(log_err)
    return a.mean(axis=0) + 2.0 * np.maximum(a - OUTLIER_LOG, 0.0).mean(axis=0)


def predict_all(rows: pd.DataFrame, eff: Efficiency,
                 setups: list[list[CaseSetup]]) -> np.ndarray:
    """Predictions, shape (cases, knob samples), each case at its best layout per sample."""
    out = []
    n = np.broadcast(*(np.asarray(getattr(eff, k)) for k in KNOBS)).shape
    for (_, row), cands in zip(rows.iterrows(), setups, strict=True):
        preds = np.stack([np.broadcast_to(predict_metric(s, row, eff), n)
                          for s in cands])
        preds = np.where(np.isfinite(preds), preds, np.nan)
        higher = row["metric"] in ("output_tok_s", "user_tok_s")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a case no layout serves: NaN
            best = np.nanmax(preds, axis=0) if higher else np.nanmin(preds, axis=0)
        out.append(best)
    return np.array(out, dtype=float)


def pair_groups(df: pd.DataFrame, catalog: Catalog) -> tuple[dict, dict]:
    """The cases of each engine/family pair, and each case's candidate setups."""
    groups = {pair: rows.reset_index(drop=True) for pair, rows in df.groupby("pair", sort=True)}
    setups = {pair: [case_candidates(catalog, row) for _, row in rows.iterrows()]
              for pair, rows in groups.items()}
    return groups, setups


def drop_unservable(groups: dict, setups: dict, eff_of: Callable[[str], Efficiency]
                    ) -> dict[str, list[str]]:
    """Leaves out (in place) the cases no layout can carry at the pair's knobs ``eff_of``
    (a measured rate beyond the model's replica): they have no error to fit. Returns them."""
    unserved: dict[str, list[str]] = {}
    for pair in list(groups):
        with np.errstate(all="ignore"):
            pred = predict_all(groups[pair], eff_of(pair), setups[pair])
            ok = np.isfinite(pred.reshape(len(groups[pair]), -1)[:, 0])
        if not ok.all():
            unserved[pair] = list(groups[pair]["case_id"][~ok])
            setups[pair] = [s for s, keep in zip(setups[pair], ok, strict=True) if keep]
            groups[pair] = groups[pair][ok].reset_index(drop=True)
            if not len(groups[pair]):
                del groups[pair], setups[pair]
    return unserved


def free_knobs(rows: pd.DataFrame, setups: list[list[CaseSetup]]) -> tuple[str, ...]:
    """The knobs these cases can pin."""
    knobs = ["layer_overhead_us"]
    if (rows["metric"] == "ttft_ms").any():
        knobs.append("ttft_overhead_ms")
    if len(rows) < MIN_CASES_FOR_FULL_FIT:
        return tuple(knobs)
    knobs += ["compute", "memory", "sharpness", "step_overhead_us"]
    if any(s[0].shape.moe_experts for s in setups):
        # A mixture of experts' dense parts (attention, shared experts, dense layers) and its
        # routed experts run different kernels; its cases pin the two efficiencies apart.
        knobs += ["moe_overhead_us", "moe_compute"]
    if any(float(np.max(c.hw.tp * c.hw.pp)) > 1 for s in setups for c in s):
        knobs += ["comm", "gemm_half_width"]
    return tuple(k for k in KNOBS if k in knobs)


def fit_pair(rows: pd.DataFrame, setups: list[list[CaseSetup]], sram: bool,
             base: Efficiency = DEFAULT, free: Sequence[str] | None = None,
             progress: Callable[[float], None] | None = None,
             pull: float = 0.0) -> tuple[Efficiency, dict]:
    """Fits the ``free`` knobs; the others stay at ``base``. ``pull`` > 0 regularises the fit
    toward ``base``: it adds pull × the mean squared move of each knob, as a share of its
    search box, so a handful of cases moves the knobs only as far as they must."""
    bounds = BOUNDS_SRAM if sram else BOUNDS_HBM
    free = tuple(free if free is not None else free_knobs(rows, setups))
    rng = np.random.default_rng(SEED)
    measured = rows["measured"].to_numpy(float)[:, None]
    lo = {k: bounds[k][0] for k in free}
    hi = {k: bounds[k][1] for k in free}
    best_x = {k: float(np.clip(getattr(base, k), *bounds[k])) for k in free}
    best_f = np.inf
    for r in range(ROUNDS):
        xs = {k: rng.uniform(lo[k], hi[k], SAMPLES) for k in free}
        for k in free:  # keep the incumbent (first round: the starting point) in every round
            xs[k][0] = best_x[k]
        eff = Efficiency(**{k: xs.get(k, getattr(base, k)) for k in KNOBS})
        pred = predict_all(rows, eff, setups)
        with np.errstate(all="ignore"):
            err = np.log(np.where(pred > 0, pred, np.nan) / measured)
        f = _objective(err)
        if pull and free:
            f = f + pull * np.mean([((xs[k] - getattr(base, k)) / (bounds[k][1] - bounds[k][0]))
                                    ** 2 for k in free], axis=0)
        f = np.where(np.isfinite(f), f, np.inf)
        i = int(np.argmin(f))
        if f[i] < best_f:
            best_f, best_x = f[i], {k: float(xs[k][i]) for k in free}
        for k in free:  # narrow the box around the best point
            span = (hi[k] - lo[k]) * 0.4
            lo[k] = max(bounds[k][0], best_x[k] - span / 2)
            hi[k] = min(bounds[k][1], best_x[k] + span / 2)
        if progress:
            progress((r + 1) / ROUNDS)
    values = {k: round(best_x[k] if k in free else float(getattr(base, k)), 4) for k in KNOBS}
    eff = Efficiency(**values)
    info = {**values, "fitted": list(free), **errors(rows, setups, eff),
            "models": sorted(set(rows["model"])),
            "at_bounds": on_bounds({k: values[k] for k in free}, bounds)}
    return eff, info


def on_bounds(values: dict, bounds: dict) -> list[str]:
    """Knobs the search left within 0.5% of its box: the data pushed past what the box
    allows as physical, a sign the model misses something there."""
    out = []
    for k, v in values.items():
        lo, hi = bounds[k]
        if min(v - lo, hi - v) <= 0.005 * (hi - lo):
            out.append(k)
    return out


def errors(rows: pd.DataFrame, setups: list[list[CaseSetup]], eff: Efficiency) -> dict:
    pred = predict_all(rows, eff, setups).reshape(len(rows), -1)[:, 0]
    err = np.abs(100.0 * (pred / rows["measured"].to_numpy(float) - 1.0))
    err = np.where(np.isfinite(err), err, 1000.0)
    return {"cases": list(rows["case_id"]),
            "median_abs_error_pct": round(float(np.median(err)), 2),
            "worst_abs_error_pct": round(float(np.max(err)), 2)}


def performance_cases(paths: Sequence[Path], catalog: Catalog) -> pd.DataFrame:
    """Every performance row of the files, with the engine/family pair it calibrates."""
    frames = [read_cases(Path(p)) for p in paths]
    df = pd.concat(frames, ignore_index=True)
    df = df[df["metric"].isin(PERFORMANCE_METRICS)].reset_index(drop=True)
    accs = [catalog.accelerator(s) if s in catalog.accelerators
            else catalog.system_accelerator(s) for s in df["system"]]
    df["family"] = [a.family for a in accs]
    df["engine_id"] = [case_engine(catalog, row).id for _, row in df.iterrows()]
    df["pair"] = [key(e, f) for e, f in zip(df["engine_id"], df["family"], strict=True)]
    df["sram"] = [a.architecture == "sram" for a in accs]
    return df


#: Knobs that belong to the serving engine's software (what it pays per pass, per layer, per
#: request): filled only from the same engine's fits. The others belong to the hardware and
#: are filled from the same family's fits first, then from every fit.
SOFTWARE_KNOBS = ("layer_overhead_us", "step_overhead_us", "moe_overhead_us", "ttft_overhead_ms")


def _fill(knob: str, pair: str, fitted: dict[str, dict]) -> tuple[float, list[str]] | None:
    """The median of a knob over the pairs that pinned it, and which pairs those are."""
    engine, family = pair.split("/", 1)
    if knob in SOFTWARE_KNOBS:
        tiers = [lambda e, f: e == engine]
    else:
        tiers = [lambda e, f: f == family, lambda e, f: True]
    for tier in tiers:
        donors = [k for k, v in fitted.items() if k != pair and knob in v["fitted"]
                  and tier(*k.split("/", 1))]
        if donors:
            return float(np.median([fitted[k][knob] for k in donors])), donors
    return None


def calibrate(cases_paths: Sequence[Path] | Path | None = None, catalog: Catalog | None = None,
              progress: Callable[[str, float], None] | None = None) -> dict:
    """Fits every engine/family pair that has cases; returns what ``calibration.json`` holds."""
    catalog = catalog or load_catalog()
    if cases_paths is None:
        cases_paths = [resource_path(name) for name in SHIPPED_CASES]
    elif isinstance(cases_paths, (str, Path)):
        cases_paths = [Path(cases_paths)]
    paths = [Path(p) for p in cases_paths]
    df = performance_cases(paths, catalog)
    groups, setups = pair_groups(df, catalog)
    unserved = drop_unservable(groups, setups, lambda pair: DEFAULT)
    fits: dict[str, dict] = {}
    effs: dict[str, Efficiency] = {}
    # First pass: each pair on its own; second: knobs a pair cannot pin take the others'.
    for stage in ("alone", "filled"):
        for pair, rows in groups.items():
            engine = pair.split("/", 1)[0]
            free = free_knobs(rows, setups[pair])
            base = DEFAULT
            donors = {}
            if stage == "filled":
                filled = {k: _fill(k, pair, fits) for k in KNOBS if k not in free}
                filled = {k: v for k, v in filled.items() if v is not None}
                if not filled:
                    continue
                base = Efficiency(**{**asdict(DEFAULT), **{k: v[0] for k, v in filled.items()}})
                donors = {k: v[1] for k, v in filled.items()}
            step = (lambda f, pair=pair, stage=stage: progress(f"{pair} ({stage})", f)) \
                if progress else None
            eff, info = fit_pair(rows, setups[pair], bool(rows["sram"].iloc[0]), base, free,
                                 step)
            info.update(engine=engine, family=pair.split("/", 1)[1], filled_from=donors)
            if pair in unserved:
                info["not_served"] = unserved[pair]
            fits[pair], effs[pair] = info, eff
    borrowed_checks = {}
    for pair, rows in groups.items():
        if len(rows) < MIN_CASES_FOR_FULL_FIT:
            continue
        engine, family = pair.split("/", 1)
        parent = borrowing(catalog, set(fits) - {pair}, engine, family)
        if parent is None:
            continue
        check = errors(rows, setups[pair], effs[parent["from"]])
        borrowed_checks[pair] = {"from": parent["from"],
                                 "median_abs_error_pct": check["median_abs_error_pct"]}
    borrow_err = (float(np.median([c["median_abs_error_pct"] for c in borrowed_checks.values()]))
                  if borrowed_checks else None)
    fams = {a.family for a in catalog.accelerators.values()}
    borrowed = {}
    for engine in ENGINES:
        for fam in sorted(fams):
            k = key(engine, fam)
            if k in fits:
                continue
            parent = borrowing(catalog, set(fits), engine, fam)
            if parent:
                borrowed[k] = parent
    power_rows = power_cases(paths, catalog)
    power = None
    if len(power_rows):
        cal = Calibration({"fits": fits, "borrowed": borrowed})
        if progress:
            progress("power", 0.0)
        power = fit_power(power_rows, catalog, cal)
        if progress:
            progress("power", 1.0)
    return {
        "format": "inference-planner-calibration",
        "format_version": 2,
        "generated_by": f"inference-planner {__version__} calibrate",
        "cases_files": [{"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                        for p in paths],
        "method": f"seeded random search, {ROUNDS} rounds x {SAMPLES} samples narrowing "
                  "around the best; objective = mean |log error| + 2 x mean(max(|log error| "
                  f"- {OUTLIER_LOG}, 0)) per engine/family pair; knobs a pair cannot pin take "
                  "the median of the pairs that pinned them; power knobs likewise on the power "
                  "rows",
        "seed": SEED,
        "default": asdict(DEFAULT),
        "fits": fits,
        "borrowing_error_pct": round(borrow_err, 2) if borrow_err is not None else None,
        "borrowing_checks": borrowed_checks,
        "borrowed": borrowed,
        "power": power,
    }


POWER_BOUNDS = {"active_share": (0.0, 0.7), "compute_share": (0.1, 2.0),
                "memory_share": (0.05, 2.0), "host_share": (0.1, 1.0)}


def power_cases(paths: Sequence[Path], catalog: Catalog) -> pd.DataFrame:
    df = pd.concat([read_cases(Path(p)) for p in paths], ignore_index=True)
    return df[df["metric"].isin(POWER_METRICS)].reset_index(drop=True)


def fit_power(rows: pd.DataFrame, catalog: Catalog, cal: Calibration) -> dict:
    """The power knobs (one set for every accelerator: they are shares of each one's own
    dynamic range) fitted on measured wall and board power, each case served at the layout
    the performance fit finds fastest, as the measured run was set up to be."""
    setups, effs = [], []
    for _, row in rows.iterrows():
        acc = catalog.accelerator(row["system"])
        eff = cal.efficiency(acc.family, catalog, case_engine(catalog, row).id)
        setups.append(predict_case(catalog, {**row, "metric": "output_tok_s"}, eff)[1])
        effs.append(eff)
    measured = rows["measured"].to_numpy(float)[:, None]
    rng = np.random.default_rng(SEED)
    names = tuple(POWER_BOUNDS)
    lo = {k: POWER_BOUNDS[k][0] for k in names}
    hi = {k: POWER_BOUNDS[k][1] for k in names}
    best_x = {k: float(getattr(PowerKnobs(), k)) for k in names}
    best_f = np.inf

    def predict(knobs: PowerKnobs) -> np.ndarray:
        return np.array([np.broadcast_to(predict_metric(s, row, e, knobs), (SAMPLES,))
                         for s, e, (_, row) in zip(setups, effs, rows.iterrows(), strict=True)])

    for _ in range(ROUNDS):
        xs = {k: rng.uniform(lo[k], hi[k], SAMPLES) for k in names}
        for k in names:
            xs[k][0] = best_x[k]
        with np.errstate(all="ignore"):
            err = np.log(predict(PowerKnobs(**xs)) / measured)
        f = np.where(np.isfinite(_objective(err)), _objective(err), np.inf)
        i = int(np.argmin(f))
        if f[i] < best_f:
            best_f, best_x = f[i], {k: float(xs[k][i]) for k in names}
        for k in names:
            span = (hi[k] - lo[k]) * 0.4
            lo[k] = max(POWER_BOUNDS[k][0], best_x[k] - span / 2)
            hi[k] = min(POWER_BOUNDS[k][1], best_x[k] + span / 2)
    values = {k: round(v, 4) for k, v in best_x.items()}
    pred = predict(PowerKnobs(**values))[:, 0]
    values["at_bounds"] = on_bounds(dict(best_x), POWER_BOUNDS)
    err = np.abs(100.0 * (pred / rows["measured"].to_numpy(float) - 1.0))
    return {**values, "cases": list(rows["case_id"]),
            "median_abs_error_pct": round(float(np.median(err)), 2),
            "worst_abs_error_pct": round(float(np.max(err)), 2)}


def write_calibration(doc: dict, path: Path | None = None) -> Path:
    path = Path(path or calibration_file())
    atomic_write_text(path, json.dumps(doc, indent=2) + "\n")
    return path
