"""Sweeps: one plan input over a range of values, the KPI row for each value.

A numeric input (traffic, token counts, SLOs, facility figures, pool size and layout, a
system's price) is one vectorized call of :func:`planner_core.whatif.evaluate_many.evaluate_many`,
however many values. A categorical input (a workload's precision, a pool's system or serving
mode) has a handful of levels, each a different replica; each level is one normal evaluation.

A value that misses says why in its ``reason`` (the limit that stops it, from what the sizing
computed), and its figures are missing (NaN), never 0 or infinity: a fleet that cannot serve
has no cost per token, and a spreadsheet averaging the column must not count it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from planner_core.catalog import Catalog, load_catalog
from planner_core.engine.calibration import Calibration, for_plan
from planner_core.engine.disagg import MAX_REPLICAS
from planner_core.engine.evaluate import evaluate_scenario
from planner_core.engine.memory import kv_capacity_bytes, replica_weight_bytes
from planner_core.engine.replica import kv_copies
from planner_core.engine.reuse import shared
from planner_core.engine.serving import served_at_rate
from planner_core.engine.sizing import Inputs, Issue, PoolFleet, WorkloadFleet
from planner_core.errors import PlannerError
from planner_core.plan import Plan, apply_overrides
from planner_core.plan.embedded import with_embedded
from planner_core.whatif.evaluate_many import KPI_NAMES, evaluate_many
from planner_core.whatif.numeric_inputs import NUMERIC_PATHS, pattern_of, unit_of

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
    """One row per value: ``value``, the KPI columns of :data:`KPI_NAMES` and ``reason``
    ("" where the value meets every SLO; there the KPIs are NaN)."""
    catalog = with_embedded(plan, catalog or load_catalog())
    variant = plan.variant(scenario)
    cal = for_plan(variant, calibration)
    if len(values) > MAX_VALUES:
        raise PlannerError(f"{len(values):,} values; at most {MAX_VALUES:,}", field="values")
    why = Why()
    if is_numeric(path):
        arr = np.asarray(values, float)
        kpis = evaluate_many(variant, {path: arr}, catalog, cal, explain=why)
        return _frame(arr, kpis, why.texts({k: np.asarray(kpis[k]) for k in WHY}))
    rows, found = [], []
    with shared():  # each level's reasons ask the capacity questions its evaluation asked
        for i, value in enumerate(values):
            if progress:
                progress(i / len(values), f"{path} = {value}")
            one = apply_overrides(variant, {path: value}, where=f"{path} = {value}")
            rows.append(_level(one, scenario, value, catalog, cal))
            found.append(evaluate_many(one, {}, catalog, cal, check=False, explain=why))
    if progress:
        progress(1.0, "done")
    kpis = {k: np.array([row[k] for row in rows]) for k in KPI_NAMES}
    return _frame([row["value"] for row in rows], kpis,
                  why.texts({k: np.array([float(f[k]) for f in found]) for k in WHY}))


def _level(one: Plan, scenario: str, value, catalog: Catalog, cal: Calibration) -> dict:
    """A categorical level's KPI row, from the plan's own evaluation."""
    results = evaluate_scenario(one, scenario, catalog, cal)
    row = {"value": value, **{k: results.kpis.iloc[0][k] for k in KPI_NAMES
                              if k != "meets_slo"}}
    row["meets_slo"] = bool(results.workloads["meets_slo"].all()) and not any(
        w["severity"] == "error" for w in results.warnings)
    return row


def _frame(values, kpis: dict, reasons: pd.Categorical) -> pd.DataFrame:
    """The sweep's table: no figure where a value misses (nor an infinity), and why."""
    meets = np.asarray(kpis["meets_slo"], bool)
    columns = {"value": values}
    for k in KPI_NAMES:
        v = np.asarray(kpis[k], bool if k == "meets_slo" else float)
        if k != "meets_slo":
            missing = ~meets | ~np.isfinite(v)
            v = np.where(missing, np.nan, v) if missing.any() else v
        columns[k] = v
    return pd.DataFrame({**columns, "reason": reasons})


def value_column(path: str) -> str:
    """The swept input's column as a table or CSV names it: its path and unit."""
    unit = unit_of(path)
    return f"{path} ({unit})" if unit else path


def labelled(frame: pd.DataFrame, path: str) -> pd.DataFrame:
    """A sweep's frame as it is written out: ``value`` named by :func:`value_column`."""
    return frame.rename(columns={"value": value_column(path)})


# -- why a value misses ------------------------------------------------------------------------

#: Problems, in the order pool_sizing._problems warns of them for one workload (a pool that
#: cannot be sized at all comes last): the first one a value meets is its reason.
MEMORY, TTFT, TPOT, BOTH, NO_RATE, TINY, ONE_REPLICA, FIXED, POOL = range(1, 10)
#: The arrays Why adds to evaluate_many's: the problem; the workload (or failed pool's
#: message) it concerns; up to four figures, whose meaning depends on the problem; and how
#: many other workloads or pools fail at the same value.
WHY = ("why_code", "why_item", "why_a", "why_b", "why_c", "why_d", "why_more")
#: Requests per second of "even one request at a time" (as pool_sizing._problems asks it).
TRICKLE_RPS = 1e-6
#: Per problem: its words, and the figures they show with the decimals shown (so values
#: whose words are the same are worded once).
WORDS = {
    MEMORY: ("{w}: {model} ({precision}) does not fit in memory: a replica needs {a:,.1f} GB "
             "(weights and one request's KV cache), has {b:,.1f} GB", {"a": 1, "b": 1}),
    TTFT: ("{w}: TTFT p99 limit {b:,.0f} ms not met even at low load ({a:,.0f} ms)",
           {"a": 0, "b": 0}),
    TPOT: ("{w}: TPOT p99 limit {d:,.1f} ms not met even at low load ({c:,.1f} ms)",
           {"c": 1, "d": 1}),
    BOTH: ("{w}: TTFT p99 limit {b:,.0f} ms and TPOT p99 limit {d:,.1f} ms not met even at "
           "low load ({a:,.0f} ms, {c:,.1f} ms)", {"a": 0, "b": 0, "c": 1, "d": 1}),
    NO_RATE: ("{w}: no request rate keeps TTFT p99 within {b:,.0f} ms and TPOT p99 within "
              "{d:,.1f} ms", {"b": 0, "d": 1}),
    TINY: ("{w}: one replica carries only {a:.3g} req/s within the SLOs; the peak of "
           "{b:,.1f} req/s would need more than " f"{MAX_REPLICAS:,} replicas",
           {"a": None, "b": 1}),
    ONE_REPLICA: ("{w}: disaggregated serving needs at least two replicas (one prefill, one "
                  "decode); pool {pool} has {a:,.0f} serving", {"a": 0}),
    FIXED: ("{w}: pool {pool}'s {c:,.0f} replica(s) carry {a:,.1f} req/s within the SLOs, "
            "below the peak of {b:,.1f} req/s (it needs {d:,.0f})",
            {"a": 1, "b": 1, "c": 0, "d": 0}),
    POOL: ("pool {pool}: {message}", {}),
}


class Why:
    """evaluate_many's ``explain``: why each value misses, as arrays (:data:`WHY`), and the
    words for them (:meth:`texts`). The first problem in the plan's order of pools and
    workloads is the reason; the workloads and failed pools it names are kept here, so the
    arrays stay numbers however long the sweep."""

    def __init__(self):
        self.items: list[tuple[str, str, str, str]] = []  # pool, workload, model, precision
        self.messages: list[tuple[str, str]] = []  # a failed pool: its name, the engine's words

    def __call__(self, plan: Plan, pools: list[PoolFleet], issues: list[Issue],
                 inputs: Inputs) -> dict:
        # One zero each until a value misses: evaluate_many keeps a figure that does not vary
        # as one number, however long the sweep.
        out = {k: np.zeros(()) for k in WHY}
        for fleet in pools:
            for ws in fleet.workloads:
                code, figures = _problem(fleet, ws, inputs)
                if np.any(code):
                    _merge(out, code, self._item(fleet, ws), figures)
            if fleet.failed:
                _merge(out, np.array(float(POOL)), self._failure(fleet, issues), {})
        return out

    def _item(self, fleet: PoolFleet, ws: WorkloadFleet) -> int:
        key = (fleet.pool.name, ws.workload.name, ws.workload.model, ws.precision)
        if key not in self.items:
            self.items.append(key)
        return self.items.index(key)

    def _failure(self, fleet: PoolFleet, issues: list[Issue]) -> int:
        item = f"pools.{fleet.pool.name}"
        key = (fleet.pool.name, "; ".join(
            i.message for i in issues if i.item == item and i.severity == "error"))
        if key not in self.messages:
            self.messages.append(key)
        return self.messages.index(key)

    def texts(self, why: dict[str, np.ndarray]) -> pd.Categorical:
        """Each value's reason ("" where it meets every SLO), worded once per distinct one."""
        code = why["why_code"].astype(int)
        words = [""]
        index = np.zeros(code.shape, int)
        for c in pd.unique(code[code > 0]):
            rows = np.flatnonzero(code == c)
            template, shown = WORDS[c]
            keys = [why["why_item"][rows], why["why_more"][rows], *(
                why[f"why_{f}"][rows] if d is None else np.round(why[f"why_{f}"][rows], d)
                for f, d in shown.items())]
            first, where = _distinct_rows(keys)
            index[rows] = len(words) + where
            words += [self._words(c, template, shown, [k[i] for k in keys]) for i in first]
        unique, same = np.unique(words, return_inverse=True)
        return pd.Categorical.from_codes(same.ravel()[index], unique)

    def _words(self, code: int, template: str, shown: dict, key: list) -> str:
        item, more, *figures = key
        if code == POOL:
            pool, message = self.messages[int(item)]
            text = template.format(pool=pool, message=message)
        else:
            pool, workload, model, precision = self.items[int(item)]
            text = template.format(w=workload, pool=pool, model=model, precision=precision,
                                   **dict(zip(shown, figures, strict=True)))
        n = int(more)
        return text + (f"; {n} more workload(s) or pool(s) miss too" if n else "")


def _distinct_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(the index of each distinct row's first occurrence; where each row finds its distinct
    one) of equal-length columns, by hashing rather than sorting: the reasons of a million
    values take milliseconds, not a second."""
    where = np.zeros(len(columns[0]), np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column)
        where, _ = pd.factorize(where * len(uniques) + codes)
    # factorize numbers rows in order of first appearance: a first occurrence raises the
    # running maximum.
    seen = np.maximum.accumulate(where)
    return np.flatnonzero(np.r_[True, seen[1:] > seen[:-1]]), where


def _merge(out: dict, code: np.ndarray, item: int, figures: dict) -> None:
    """Takes a workload's (or pool's) problems where a value has none yet; counts the rest."""
    new = code > 0
    take = new & (out["why_code"] == 0)
    out["why_more"] = out["why_more"] + (new & ~take)
    out["why_code"] = np.where(take, code, out["why_code"])
    out["why_item"] = np.where(take, float(item), out["why_item"])
    for f, v in figures.items():
        out[f"why_{f}"] = np.where(take, v, out[f"why_{f}"])


def _problem(fleet: PoolFleet, ws: WorkloadFleet, inputs: Inputs) -> tuple[np.ndarray, dict]:
    """Per value, the workload's first problem (0: none) and the figures its words show."""
    code = np.select([~np.asarray(ws.fits, bool), np.asarray(ws.raw_capacity) <= 0,
                      ~np.asarray(ws.ok, bool), ~np.asarray(ws.enough, bool),
                      ~np.asarray(ws.meets, bool)],
                     [MEMORY, TTFT, TINY, ONE_REPLICA, FIXED], 0).astype(float)
    figures: dict = {}

    def show(problems: list[int], **found) -> None:
        # Each problem shows its own figures; another problem's, at other values, stay apart.
        at = np.isin(code, problems)
        for f, v in found.items():
            figures[f] = np.where(at, v, figures.get(f, 0.0))

    if np.any(code == MEMORY):
        show([MEMORY], **_memory(ws))
    if np.any(code == TTFT):
        which, slo = _slo(fleet, ws, inputs)
        code = np.where(code == TTFT, which, code)
        show([TTFT, TPOT, BOTH, NO_RATE], **slo)
    if np.any(code == TINY):
        show([TINY], a=ws.raw_capacity, b=ws.peak)
    if np.any(code == ONE_REPLICA):
        show([ONE_REPLICA], a=ws.serving)
    if np.any(code == FIXED):
        show([FIXED], a=ws.capacity * ws.active, b=ws.peak, c=ws.replicas,
             d=ws.replicas_needed)
    return code, figures


def _memory(ws: WorkloadFleet) -> dict:
    """A replica's need (weights and one request's KV cache at its full context) and what the
    serving engine gives weights and KV cache, in GB: the sizing's fit, which is
    kv_capacity_bytes ≥ one sequence's cache (serving.batch_cap), in whole-replica terms."""
    hw, shape = ws.hw, ws.shape
    weights = replica_weight_bytes(hw, shape)
    copies = kv_copies(hw, shape)
    one = shape.kv_bytes_per_token * np.maximum(np.asarray(ws.isl + ws.osl, float), 1.0)
    return {"a": (weights + one * copies) / 1e9,
            "b": (weights + kv_capacity_bytes(hw, shape) * copies) / 1e9}


def _slo(fleet: PoolFleet, ws: WorkloadFleet, inputs: Inputs) -> tuple[np.ndarray, dict]:
    """Which limit a replica misses even at a trickle of requests, and its latencies and
    limits (ms) there, as pool_sizing._problems reports it."""
    pool = fleet.pool
    share = None if pool.serving != "disaggregated" else inputs.value(
        f"pools.{pool.name}.prefill_share", pool.prefill_share)
    p = served_at_rate(ws.hw, ws.shape, ws.eff, TRICKLE_RPS, ws.isl, ws.osl, ws.cv, share)
    ttft = 1e3 * np.asarray(p.ttft_p99_s) + ws.kv_ms
    tpot = 1e3 * np.asarray(p.tpot_p99_s)
    ttft_limit, tpot_limit = (1e3 * np.asarray(lim, float) for lim in ws.limits_s)
    slow, halting = ttft > ttft_limit, tpot > tpot_limit
    which = np.select([slow & halting, slow, halting], [BOTH, TTFT, TPOT], NO_RATE)
    return which.astype(float), {"a": ttft, "b": ttft_limit, "c": tpot, "d": tpot_limit}
