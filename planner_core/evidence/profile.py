"""Calibration profiles: a fit of your own measurements on top of the built-in calibration.

``inference-planner calibrate --cases YOURS.csv --out PROFILE.json`` fits the engine/family
pairs your cases cover, starting from the knobs the built-in calibration gives them (its own
fit, or the one it borrows) and regularised toward them: a handful of cases moves the knobs
only as far as they must. Every other pair keeps the built-in fit, so nothing you did not
measure changes. The profile records, per pair, the cases, the knobs fitted, and the error
before and after; per group (accelerator × model × engine × metric) the same. A plan embeds
the profile whole (``calibration_profile``) with its content hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from planner_core import __version__
from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, calibration_file, default_calibration
from planner_core.errors import PlannerError
from planner_core.evidence.fit import (
    drop_unservable,
    fit_pair,
    free_knobs,
    pair_groups,
    performance_cases,
    predict_all,
)
from planner_core.files import atomic_write_text, read_text_file
from planner_core.plan.profile_ref import PROFILE_FORMAT, profile_problem, profile_sha256

#: Regularisation toward the built-in knobs: pull = PULL / cases. With three cases, moving
#: every knob by a third of its search box costs as much as 11% more median |error|; with
#: thirty, a tenth of that.
PULL = 3.0
MAX_PROFILE_BYTES = 16 * 1024 * 1024


def fit_profile(paths: Sequence[Path], name: str, base: Calibration | None = None,
                catalog: Catalog | None = None,
                progress: Callable[[str, float], None] | None = None) -> dict:
    """The profile fitted on the performance cases of ``paths`` (power rows are left to the
    built-in fit)."""
    catalog = catalog or load_catalog()
    base = base or default_calibration()
    df = performance_cases([Path(p) for p in paths], catalog)
    if not len(df):
        raise PlannerError("the files hold no performance cases (output tok/s, TTFT, ITL, "
                           "per-user tok/s)")
    groups, setups = pair_groups(df, catalog)

    def start(pair: str):
        engine, family = pair.split("/", 1)
        return base.efficiency(family, catalog, engine)

    unserved = drop_unservable(groups, setups, start)
    if not groups:
        raise PlannerError("no case can be predicted: every one's measured load is beyond "
                           "what the planner's replica carries")
    fits, table = {}, []
    for pair, rows in groups.items():
        engine, family = pair.split("/", 1)
        step = (lambda f, pair=pair: progress(pair, f)) if progress else None
        eff0 = start(pair)
        eff, info = fit_pair(rows, setups[pair], bool(rows["sram"].iloc[0]), eff0,
                             free_knobs(rows, setups[pair]), step, pull=PULL / len(rows))
        with np.errstate(all="ignore"):
            before = predict_all(rows, eff0, setups[pair]).reshape(len(rows), -1)[:, 0]
            after = predict_all(rows, eff, setups[pair]).reshape(len(rows), -1)[:, 0]
        measured = rows["measured"].to_numpy(float)
        err0 = np.abs(100 * (before / measured - 1))
        parent = base.basis(family, engine, catalog).text
        info.update(engine=engine, family=family, started_from=parent,
                    before_median_abs_error_pct=round(float(np.median(err0)), 2),
                    before_worst_abs_error_pct=round(float(np.max(err0)), 2))
        if pair in unserved:
            info["not_served"] = unserved[pair]
        fits[pair] = info
        table.append(rows[["system", "model", "engine_id", "metric"]].assign(
            before=100 * (before / measured - 1), after=100 * (after / measured - 1)))
    return {
        "format": PROFILE_FORMAT,
        "format_version": 1,
        "name": name,
        "generated_by": f"inference-planner {__version__} calibrate --cases",
        "built_in": {"sha256": _sha(calibration_file())},
        "cases_files": [{"name": Path(p).name, "sha256": _sha(Path(p))} for p in paths],
        "method": f"the built-in fit's knobs for each pair, refitted on these cases with a "
                  f"pull toward them of {PULL:g}/cases x the mean squared move (as a share "
                  "of each knob's search box)",
        "fits": fits,
        "groups": group_errors(pd.concat(table, ignore_index=True)),
    }


def group_errors(t: pd.DataFrame) -> list[dict]:
    """Per accelerator × model × engine × metric: cases and median |error| before and
    after."""
    out = []
    for (system, model, engine, metric), g in t.groupby(["system", "model", "engine_id",
                                                          "metric"], sort=True):
        out.append({"system": system, "model": model, "engine": engine, "metric": metric,
                    "cases": int(len(g)),
                    "before_median_abs_error_pct": round(float(g["before"].abs().median()), 2),
                    "after_median_abs_error_pct": round(float(g["after"].abs().median()), 2)})
    return out


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def write_profile(profile: dict, path: Path) -> Path:
    atomic_write_text(Path(path), json.dumps(profile, indent=2, allow_nan=False) + "\n")
    return Path(path)


def read_profile(path: Path) -> dict:
    """A profile file, checked; PlannerError naming the file and what is wrong."""
    text = read_text_file(Path(path), MAX_PROFILE_BYTES, "a calibration profile")
    try:
        profile = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PlannerError(f"is not well-formed JSON: {exc}", source=str(path)) from None
    problem = profile_problem(profile)
    if problem:
        raise PlannerError(problem, source=str(path))
    return profile


def plan_reference(profile: dict) -> dict:
    """What a plan stores (``Plan.calibration_profile``): the profile, its name and hash."""
    return {"name": str(profile.get("name") or "profile"), "sha256": profile_sha256(profile),
            "profile": profile}
