"""Disaggregated serving's arithmetic: splitting replicas between prefill and decode, and the
rate a prefill replica takes within its share of the TTFT budget. Both broadcast over arrays."""

from __future__ import annotations

import numpy as np

from planner_core.engine.serving import prefill_queue

MAX_REPLICAS = 10_000_000  # beyond any fleet: a sizing past this is reported, not attempted


def split(start, share, need_pf, need_dec):
    """The fewest active replicas, from ``start``, whose split round(n·share) prefill and the
    rest decode gives each side at least ``need_pf`` / ``need_dec`` replicas' worth (a
    1-replica "split" would have no decode replica at all). Broadcasts over arrays."""
    n = np.maximum(np.maximum(start, 2.0),
                   np.ceil(need_pf - 1e-9) + np.ceil(need_dec - 1e-9))
    n = np.broadcast_to(n, np.broadcast_shapes(np.shape(n), np.shape(share))).astype(float)
    while True:
        n_pf = np.clip(np.round(n * share), 1.0, np.maximum(n - 1, 1.0))
        short = ~((n_pf >= need_pf - 1e-9) & (n - n_pf >= need_dec - 1e-9)) & (n < MAX_REPLICAS)
        if not short.any():
            return n
        n = n + short


def prefill_capacity(t_pf, t_pf_req, budget_s, cv: float):
    """Highest rate a prefill replica takes with the p99 TTFT within ``budget_s`` (0 where
    even one prompt alone misses it): a bisection of 40 halvings. Broadcasts over arrays.

    ``t_pf`` is one prompt's prefill alone, ``t_pf_req`` the replica-time a prompt costs when
    prompts are batched into chunks (the queue of
    :func:`planner_core.engine.serving.prefill_queue`).
    """
    t_pf, t_pf_req, budget_s = np.broadcast_arrays(*(np.asarray(x, float)
                                                     for x in (t_pf, t_pf_req, budget_s)))
    lo = np.zeros(t_pf.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hi = 1.0 / t_pf_req
        for _ in range(40):
            mid = (lo + hi) / 2
            _, _, wait99 = prefill_queue(mid, t_pf_req, t_pf, cv)
            good = (mid * t_pf_req < 1.0) & (t_pf + wait99 <= budget_s)
            lo = np.where(good, mid, lo)
            hi = np.where(good, hi, mid)
    return np.where(budget_s <= t_pf, 0.0, lo)
