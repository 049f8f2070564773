"""Serving under load with continuous batching, for one replica.

The replica alternates prefill work and decode steps. Prefill is a queue of its own: at a
request rate λ it is busy a share ρ = λ·(prefill seconds per request) of the time, and decode
advances in the rest, so the inter-token latency is ``decode_step(b) / (1 − ρ)``. Little's law
ties the running batch b to λ: ``b = λ · output_tokens · ITL``. TTFT is the prefill service
time plus the wait in the prefill queue (Pollaczek–Khinchine) plus, on average, half a decode
step before the prompt is admitted, plus the engine's own handling of the request (its
``ttft_overhead_ms``). Everything broadcasts over numpy arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from planner_core.engine.memory import max_sequences
from planner_core.engine.replica import ModelShape, ReplicaHW, attention_dp
from planner_core.engine.reuse import reused
from planner_core.engine.step_times import (
    Efficiency,
    decode_step,
    prefill_per_request,
    prefill_time,
)

#: z-score of the 99th percentile of a normal distribution.
Z99 = 2.326
#: Bisection steps of a capacity search (the closed loop's too), from zero to the offline rate.
_ITERATIONS = 28
_NEWTON = 5
#: A Newton step that moves no batch by more than this share of it ends the steps.
_SETTLED = 1e-12
#: Further steps where a mixture of experts' concave step time made the map steeper than 1.
_CLIMB = 40


def _quiet(fn):
    """Saturated replicas carry +inf through the arithmetic on purpose; don't warn about it."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return fn(*args, **kwargs)

    return wrapper


@dataclass
class LoadPoint:
    """A replica at a request rate (or a user count). Arrays broadcast like the inputs."""

    rate_rps: np.ndarray
    batch: np.ndarray
    prefill_busy: np.ndarray
    tpot_s: np.ndarray
    tpot_p99_s: np.ndarray
    ttft_s: np.ndarray
    ttft_p99_s: np.ndarray
    output_tok_s: np.ndarray
    feasible: np.ndarray  # the replica keeps up (queue stable, KV cache holds the batch)
    max_batch: np.ndarray


def batch_cap(hw: ReplicaHW, shape: ModelShape, isl, osl) -> np.ndarray:
    """Sequences that may decode at once: the KV cache reserves each its full isl + osl.

    The scheduler's cap applies per scheduler: each data-parallel attention rank runs its own.
    """
    kv = max_sequences(hw, shape, np.asarray(isl, float) + np.asarray(osl, float))
    dp = attention_dp(hw, shape)
    cap = hw.max_batch
    return np.minimum(kv, cap if isinstance(dp, float) and dp == 1.0 else cap * dp)


def offline(hw, shape, eff: Efficiency, isl, osl, *, prefill: bool = True) -> LoadPoint:
    """Maximum throughput: the batch is as large as memory and the scheduler allow.

    ``prefill=False`` is a decode-only replica of disaggregated serving: it holds each
    sequence's whole KV cache (``isl + osl``) but never runs a prefill.
    """
    cap = batch_cap(hw, shape, isl, osl)
    point = offline_with_batch(hw, shape, eff, isl, osl, cap, prefill=prefill)
    point.feasible = cap >= 1
    point.max_batch = cap
    return point


def _batch_at_rate(hw, shape, eff, rate, isl, osl, rho, limit=np.inf):
    """Fixed point b = λ·osl·decode_step(b)/(1 − ρ), by Newton steps on a nearly linear map.

    decode_step is close to a + c·b, so a few Newton steps (with a numeric slope) converge;
    they stop early once a step moves no batch by more than a part in 10^12 (each step
    shrinks the change by orders of magnitude, so the rest would not move it further).
    Where the map's slope reaches 1 the batch grows without bound: the replica cannot keep up,
    and the result is +inf. A mixture of experts is the exception: its step time is concave
    at small batches (each added sequence still routes to experts no other one touched), so
    the map can be steeper than 1 below a stable fixed point. Where it is, and the map is
    still above the diagonal, b climbs to the map's value (it cannot overshoot: the map rises)
    until Newton takes over; such points count only if they converge below ``limit`` (the
    batch cap: beyond it the replica cannot keep up anyway).
    """
    ctx = isl + osl / 2.0
    k = rate * osl / np.maximum(1.0 - rho, 1e-9)
    b = k * decode_step(hw, shape, eff, 1.0, ctx)
    concave = bool(shape.moe_experts)
    climbed = np.zeros(np.shape(b), dtype=bool)

    def newton(b):
        step = np.maximum(0.05 * b, 1.0)
        t0, t1 = _decode_steps(hw, shape, eff, b, b + step, ctx)
        f0, f1 = k * t0, k * t1
        slope = (f1 - f0) / step
        stable = slope < 0.999
        climb = ~stable & (f0 > b) & concave
        b_new = np.where(stable, b + (f0 - b) / (1.0 - np.minimum(slope, 0.999)),
                         np.where(climb, f0, np.inf))
        return np.maximum(b_new, 0.0), climb, f0

    for _ in range(_NEWTON):
        b_next, climb, _ = newton(b)
        climbed = climbed | climb
        settled = np.all((b_next == b) | (np.abs(b_next - b) <= _SETTLED * b_next))
        b = b_next
        if settled:
            break
    if np.any(climbed):
        for _ in range(_CLIMB):
            b_next, _, f0 = newton(b)
            converged = np.abs(f0 - b) <= 1e-3 * np.maximum(b, 1.0)
            b = np.where(climbed & ~converged, np.where(b_next > limit, np.inf, b_next), b)
            if not np.any(climbed & np.isfinite(b) & ~converged):
                break
        residual = np.abs(k * decode_step(hw, shape, eff, b, ctx) - b)
        b = np.where(climbed & ~(residual <= 1e-3 * np.maximum(b, 1.0)), np.inf, b)
    return np.where(np.isfinite(b) & (rho < 1.0), np.maximum(b, 0.0), np.inf)


def _decode_steps(hw, shape, eff, b1, b2, ctx):
    """decode_step at two batches of one shape in one pass over the arrays (the same
    figures as two calls; the Newton steps and the p99 ask for pairs)."""
    b1, b2 = np.asarray(b1, float), np.asarray(b2, float)
    if b1.shape != b2.shape:
        b1, b2 = np.broadcast_arrays(b1, b2)
    both = decode_step(hw, shape, eff, np.concatenate((b1[None], b2[None])), ctx)
    return both[0], both[1]


def prefill_queue(rate, t_pf_req, t_pf1, prompt_cv: float = 0.0):
    """The prefill queue at ``rate`` prompts a second: (busy share ρ, mean wait, p99 wait).

    ``t_pf_req`` is the replica-time one prompt costs when prompts are batched into chunks,
    ``t_pf1`` the time to prefill one prompt alone. M/G/1 mean wait (Pollaczek–Khinchine),
    and an exponential tail for the 99th percentile.
    """
    rho = np.asarray(rate, float) * t_pf_req
    free = np.maximum(1.0 - rho, 1e-9)
    wait = rho / free * t_pf1 * (1.0 + prompt_cv**2) / 2.0
    cond = np.where(rho > 0, wait / np.maximum(rho, 1e-12), 0.0)
    wait99 = np.where(rho > 0.01, cond * np.log(np.maximum(rho, 0.01) / 0.01), 0.0)
    return rho, wait, wait99


@_quiet
def at_rate(hw, shape, eff: Efficiency, rate, isl, osl, prompt_cv: float = 0.0, *,
            prefill: bool = True, _fixed: tuple | None = None) -> LoadPoint:
    """A replica serving Poisson arrivals at ``rate`` requests per second.

    ``prefill=False``: a decode-only replica (disaggregated serving). Its sequences arrive
    with their ``isl``-token KV caches already filled, so it spends no time on prefill; its
    TTFT is only the wait for the next decode step. ``_fixed``: :func:`_rate_free`'s figures,
    which the capacity search computes once for all the rates it tries.
    """
    rate = np.asarray(rate, float)
    isl = np.asarray(isl, float)
    osl = np.asarray(osl, float)
    cap, t_pf_req, t_pf1 = _fixed or _rate_free(hw, shape, eff, isl, osl, prefill)
    rho, wait, wait99 = prefill_queue(rate, t_pf_req, t_pf1, prompt_cv)
    b = _batch_at_rate(hw, shape, eff, rate, isl, osl, rho, limit=cap)
    ctx = isl + osl / 2.0
    free = np.maximum(1.0 - rho, 1e-9)
    b99 = b + Z99 * np.sqrt(b)
    t_d, t_d99 = _decode_steps(hw, shape, eff, b, b99, ctx)
    tpot = t_d / free
    tpot99 = t_d99 / free
    # Outside the model: receiving, tokenising and admitting the prompt, streaming back.
    extra = eff.ttft_overhead_ms * 1e-3
    ttft = t_pf1 + wait + 0.5 * t_d + extra
    ttft99 = t_pf1 + wait99 + t_d + extra
    # The batch solver lands on the cap itself at the offline top rate; a rounding hair
    # above it is the cap, not an overflow.
    feasible = (rho < 1.0) & (b <= cap * (1 + 1e-9)) & (cap >= 1)
    return LoadPoint(
        rate_rps=rate, batch=b, prefill_busy=rho, tpot_s=tpot, tpot_p99_s=tpot99, ttft_s=ttft,
        ttft_p99_s=ttft99, output_tok_s=rate * osl, feasible=feasible, max_batch=cap,
    )


@reused
def _rate_free(hw, shape, eff, isl, osl, prefill: bool):
    """What :func:`at_rate` needs that does not depend on the rate: (batch cap, replica-
    seconds per prompt, seconds to prefill one prompt alone)."""
    isl = np.asarray(isl, float)
    runs_prefill = 1.0 if prefill else 0.0
    return (batch_cap(hw, shape, isl, osl),
            prefill_per_request(hw, shape, eff, isl) * runs_prefill,
            prefill_time(hw, shape, eff, 1.0, isl) * runs_prefill)


def served_at_rate(hw, shape, eff: Efficiency, rate, isl, osl, prompt_cv: float = 0.0,
                   prefill_share=None) -> LoadPoint:
    """One replica of a pool at ``rate``, served as the pool serves: aggregated, or with a
    share ``prefill_share`` of its replicas only prefilling (:func:`disaggregated_at_rate`)."""
    if prefill_share is None:
        return at_rate(hw, shape, eff, rate, isl, osl, prompt_cv)
    return disaggregated_at_rate(hw, shape, eff, rate, isl, osl, prefill_share, prompt_cv)


@_quiet
def disaggregated_at_rate(hw, shape, eff: Efficiency, rate, isl, osl, prefill_share,
                          prompt_cv: float = 0.0) -> LoadPoint:
    """Disaggregated serving at ``rate`` requests per second per replica of the pool.

    A share ``prefill_share`` of the replicas only prefill, the rest only decode, so each
    prefill replica takes ``rate / prefill_share`` prompts a second (batched into chunks, the
    same queue as in :func:`at_rate`) and each decode replica ``rate / (1 − prefill_share)``
    sequences, whose KV caches hold the whole prompt. TTFT is the prefill, its queue and one
    decode step (the KV transfer between the two is added by the caller); TPOT and the batch
    are the decode replicas'. Throughput is per replica of the pool, prefill ones included.
    """
    rate = np.asarray(rate, float)
    share = np.asarray(prefill_share, float)
    dec = at_rate(hw, shape, eff, rate / (1.0 - share), isl, osl, prefill=False)
    t_pf = prefill_time(hw, shape, eff, 1.0, isl)
    t_pf_req = prefill_per_request(hw, shape, eff, isl)
    rho, wait, wait99 = prefill_queue(rate / share, t_pf_req, t_pf, prompt_cv)
    return LoadPoint(
        rate_rps=rate, batch=dec.batch, prefill_busy=rho, tpot_s=dec.tpot_s,
        tpot_p99_s=dec.tpot_p99_s, ttft_s=t_pf + wait + dec.ttft_s,
        ttft_p99_s=t_pf + wait99 + dec.ttft_p99_s, output_tok_s=rate * np.asarray(osl, float),
        feasible=(rho < 1.0) & dec.feasible, max_batch=dec.max_batch,
    )


@_quiet
def closed_loop(hw, shape, eff: Efficiency, users, isl, osl) -> LoadPoint:
    """``users`` clients, each sending its next request as soon as the last one finishes.

    While the users fit in the batch, the request rate solves users = λ·(TTFT + osl·ITL).
    Beyond the batch cap the replica is saturated: it runs at its offline rate with the cap,
    and the extra users wait, which lengthens TTFT: TTFT = users/λ − osl·ITL.
    """
    users = np.asarray(users, float)
    isl = np.asarray(isl, float)
    osl = np.asarray(osl, float)
    cap = np.maximum(batch_cap(hw, shape, isl, osl), 1.0)
    sat = offline_with_batch(hw, shape, eff, isl, osl, np.minimum(cap, users))
    lo = np.zeros(np.broadcast(users, isl, osl).shape)
    hi = lo + sat.rate_rps
    for _ in range(_ITERATIONS):
        mid = 0.5 * (lo + hi)
        p = at_rate(hw, shape, eff, mid, isl, osl)
        in_system = mid * (p.ttft_s + osl * p.tpot_s)
        below = (in_system < users) & (p.prefill_busy < 1.0)
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    p = at_rate(hw, shape, eff, lo, isl, osl)
    saturated = users > cap
    rate = np.where(saturated, sat.rate_rps, lo)
    tpot = np.where(saturated, sat.tpot_s, p.tpot_s)
    ttft = np.where(saturated, users / np.maximum(rate, 1e-12) - osl * tpot, p.ttft_s)
    return LoadPoint(
        rate_rps=rate, batch=np.where(saturated, cap, p.batch), prefill_busy=p.prefill_busy,
        tpot_s=tpot, tpot_p99_s=tpot, ttft_s=ttft, ttft_p99_s=ttft, output_tok_s=rate * osl,
        feasible=cap >= 1, max_batch=cap,
    )


def offline_with_batch(hw, shape, eff, isl, osl, batch, *, prefill: bool = True) -> LoadPoint:
    """Throughput with a given running batch (the closed loop's saturated state)."""
    isl = np.asarray(isl, float)
    osl = np.asarray(osl, float)
    b = np.maximum(np.asarray(batch, float), 1.0)
    t_d = decode_step(hw, shape, eff, b, isl + osl / 2.0)
    runs_prefill = 1.0 if prefill else 0.0
    t_pf = prefill_per_request(hw, shape, eff, isl) * runs_prefill
    rate = b / (osl * t_d + b * t_pf)
    tpot = t_d / (1.0 - rate * t_pf)
    ttft = prefill_time(hw, shape, eff, 1.0, isl) * runs_prefill + eff.ttft_overhead_ms * 1e-3
    return LoadPoint(
        rate_rps=rate, batch=b, prefill_busy=rate * t_pf, tpot_s=tpot, tpot_p99_s=tpot,
        ttft_s=ttft, ttft_p99_s=ttft, output_tok_s=rate * osl, feasible=b >= 1, max_batch=b,
    )


def single_stream(hw, shape, eff, isl, osl) -> LoadPoint:
    """One user: TTFT is the prefill alone, TPOT a decode step at batch one."""
    return closed_loop(hw, shape, eff, 1.0, isl, osl)
