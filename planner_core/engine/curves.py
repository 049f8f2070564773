"""Curves the dashboard draws, computed in one vectorized call each, and remembered for the
replicas drawn last: an edit of a price, a count or a peak rate leaves a replica's curves as
they were."""

from __future__ import annotations

import copy
import functools

import numpy as np

from planner_core.engine.pool_sizing import WorkloadSizing
from planner_core.engine.reuse import Bounded

_RECENT = Bounded(64)


def _remembered(fn):
    @functools.wraps(fn)
    def wrapper(ws: WorkloadSizing, points: int = 60):
        key = (fn.__name__, points, ws.hw, ws.shape, ws.eff, ws.isl, ws.osl, ws.prompt_cv,
               ws.prefill_share, ws.capacity_rps, ws.kv_transfer_ms, ws.acc_per_replica)
        try:
            found = _RECENT.get(key)
        except TypeError:  # figures that are arrays: not remembered
            return fn(ws, points)
        if found is None:
            found = _RECENT[key] = fn(ws, points)
        return copy.copy(found)  # the arrays are never written to; the dict is the caller's

    return wrapper


@_remembered
def latency_vs_load(ws: WorkloadSizing, points: int = 60) -> dict[str, np.ndarray]:
    """p99 TTFT and TPOT of one replica from light load to just past its SLO capacity."""
    if ws.hw is None or ws.shape is None or ws.eff is None or ws.capacity_rps <= 0:
        return {k: np.array([]) for k in ("rate_rps", "ttft_p99_ms", "tpot_p99_ms")}
    rates = np.linspace(ws.capacity_rps * 0.02, ws.capacity_rps * 1.3, points)
    with np.errstate(all="ignore"):
        p = ws.load_point(rates)
    ok = p.feasible
    return {
        "rate_rps": rates[ok],
        "ttft_p99_ms": 1e3 * np.asarray(p.ttft_p99_s)[ok] + ws.kv_transfer_ms,
        "tpot_p99_ms": 1e3 * np.asarray(p.tpot_p99_s)[ok],
    }


@_remembered
def interactivity(ws: WorkloadSizing, points: int = 60) -> dict[str, np.ndarray]:
    """Throughput per accelerator against tokens/s per user as the load on a replica grows."""
    if ws.hw is None or ws.shape is None or ws.eff is None or ws.capacity_rps <= 0:
        return {"user_tok_s": np.array([]), "tok_s_per_accelerator": np.array([])}
    top = ws.capacity_rps * 3.0
    rates = np.geomspace(top * 1e-3, top, points)
    with np.errstate(all="ignore"):
        p = ws.load_point(rates)
    ok = p.feasible
    return {
        "user_tok_s": 1.0 / np.asarray(p.tpot_s)[ok],
        "tok_s_per_accelerator": np.asarray(p.output_tok_s)[ok] / ws.acc_per_replica,
    }

