"""A replica's capacity: the highest request rate at which it keeps up and its p99 TTFT and
TPOT stay within their limits (:func:`max_rate`).

The answer is defined by a search over the rate: from zero to the offline maximum ``top``,
rounds of ``grid`` rates each (64 for the app's few configurations, 2 for long sweeps) keep
the bracket around the last rate within the limits, down to ``top / 2^30``; each try solves
the running batch at that rate (:func:`planner_core.engine.serving.at_rate`). Feasibility
falls with the rate, so the answer is the largest multiple of that step within the limits.

Two ways reach that same answer for less:

- **Over the batch** (dense models, the app's path): at a batch b the rate is explicit,
  λ = b / (osl·t(b) + b·t_pf) (Little's law with the prefill's share of the time: the fixed
  point the rate search solves per try, read the other way), so the edge is bracketed over b
  without a Newton solve per try. The multiples of the rate search's steps around that edge
  (at its last three levels) are then checked by ``at_rate`` itself in one call; the search
  resumes from the finest level whose bracket that check confirms, usually the last, so
  the answer is the rate search's own. A mixture of experts is left to the rate search: its
  batch can climb between fixed points, where a batch does not name one rate.
- **Once per distinct configuration** (sweeps): token counts are whole numbers, so a million
  prompt lengths hold a few tens of thousands of distinct ones; each is searched once, in
  chunks, and the answers spread back.
"""

from __future__ import annotations

import numpy as np

from planner_core.engine.reuse import distinct, reused
from planner_core.engine.serving import (
    _ITERATIONS,
    Z99,
    LoadPoint,
    _decode_steps,
    _quiet,
    _rate_free,
    at_rate,
    decode_step,
    offline,
    prefill_queue,
)
from planner_core.engine.step_times import Efficiency

#: Configurations above which the search bisects (two rates a round, then one) rather than
#: trying 64 rates a round; sweeps this wide are searched per distinct value.
_WIDE = 1024
_CHUNK = 1 << 16
#: Rounds of 64 batches that bracket the edge over the batch (to 2^-36 of the batch cap,
#: finer than the rate search's last step).
_BATCH_ROUNDS = 6
#: Per level of the rate search (the last first), the multiples of its step around the
#: edge found over the batch that at_rate checks.
_LEVELS = ((0, np.arange(-2.0, 4.0)), (1, np.arange(-1.0, 3.0)), (2, np.arange(-1.0, 3.0)))


@reused
@_quiet
def max_rate(hw, shape, eff: Efficiency, isl, osl, ttft_p99_s, tpot_p99_s,
             prompt_cv: float = 0.0, *, prefill: bool = True) -> LoadPoint:
    """The highest request rate whose p99 TTFT and p99 TPOT stay within the limits.

    ``tpot_p99_s`` may be ``np.inf`` for no limit. Where even a trickle of requests misses
    the SLO, the returned rate is zero and ``feasible`` is False.
    """
    top = offline(hw, shape, eff, isl, osl, prefill=prefill).rate_rps
    size = int(np.prod(np.broadcast(top, ttft_p99_s, tpot_p99_s).shape))
    grid = 64 if size <= _WIDE else 2
    if size > _WIDE and _scalar(hw) and _scalar(eff) and np.ndim(prompt_cv) == 0:
        args = np.broadcast_arrays(*(np.asarray(a, float) for a in (
            isl, osl, ttft_p99_s, tpot_p99_s, top)))
        varying = [a.ravel() for a in args[:4] if np.ptp(a) > 0]
        keys, where = distinct(varying) if varying else (np.zeros(1, int), np.zeros(size, int))
        flat = [a.ravel()[keys] for a in args]
        parts = [_search(hw, shape, eff, *(a[i:i + _CHUNK] for a in flat), prompt_cv,
                         prefill, grid) for i in range(0, len(keys), _CHUNK)]
        return _spread(parts, where.reshape(args[0].shape))
    return _search(hw, shape, eff, isl, osl, ttft_p99_s, tpot_p99_s, top, prompt_cv,
                   prefill, grid)


def _scalar(figures) -> bool:
    """Every field of a hardware or efficiency record a plain number (no candidates stacked)."""
    return all(np.ndim(v) == 0 for v in vars(figures).values())


def _spread(parts: list[LoadPoint], where: np.ndarray) -> LoadPoint:
    """The searched distinct configurations' load points, each where it was asked for."""
    out = {}
    for name in LoadPoint.__dataclass_fields__:
        pieces = [np.broadcast_to(getattr(p, name), np.shape(p.rate_rps)) for p in parts]
        out[name] = np.concatenate(pieces)[where]
    return LoadPoint(**out)


def _search(hw, shape, eff, isl, osl, ttft_p99_s, tpot_p99_s, top, prompt_cv, prefill,
            grid: int) -> LoadPoint:
    lo = np.zeros(np.broadcast(top, ttft_p99_s, tpot_p99_s).shape)
    hi = lo + top
    rounds = -(-_ITERATIONS // int(np.log2(grid)))
    k = np.arange(1, grid + 1).reshape((grid,) + (1,) * lo.ndim) / grid
    fixed = _rate_free(hw, shape, eff, isl, osl, prefill)
    limits = (ttft_p99_s, tpot_p99_s)
    first = 0
    if grid > 2 and not shape.moe_experts:
        found = _by_batch(hw, shape, eff, isl, osl, limits, top, prompt_cv, prefill, fixed,
                          grid, rounds)
        if isinstance(found, LoadPoint):
            return found
        if found is not None:
            lo, hi, first = found

    def meets(rates):
        p = at_rate(hw, shape, eff, rates, isl, osl, prompt_cv, prefill=prefill, _fixed=fixed)
        return p.feasible & (p.ttft_p99_s <= ttft_p99_s) & (p.tpot_p99_s <= tpot_p99_s)

    for r in range(first, rounds):
        step = (hi - lo) / grid
        if grid == 2 and r > 0:
            # After the first round the bracket's top is a rate already found to miss (or
            # the bracket has closed on a feasible top, where the step is zero): only the
            # midpoint decides, as it did when both were tried.
            n_ok = meets(lo + (hi - lo) * k[0]).astype(float)
        else:
            # Feasibility falls with the rate, so the count of feasible rates marks the edge.
            n_ok = meets(lo + (hi - lo) * k).sum(axis=0)
        lo, hi = lo + step * n_ok, lo + step * np.minimum(n_ok + 1, grid)
    point = at_rate(hw, shape, eff, lo, isl, osl, prompt_cv, prefill=prefill, _fixed=fixed)
    point.feasible = point.feasible & (lo > 0)
    return point


def _edge_over_batch(hw, shape, eff, isl, osl, limits, prompt_cv, fixed, size_shape):
    """The rate at the highest batch within the limits, bracketed over the batch."""
    cap, t_pf_req, t_pf1 = fixed
    ttft_p99_s, tpot_p99_s = limits
    ctx = isl + osl / 2.0
    extra = eff.ttft_overhead_ms * 1e-3
    lo = np.zeros(size_shape)
    hi = lo + cap
    k = np.arange(1, 65).reshape((64,) + (1,) * lo.ndim) / 64
    for _ in range(_BATCH_ROUNDS):
        b = lo + (hi - lo) * k
        t, t99 = _decode_steps(hw, shape, eff, b, b + Z99 * np.sqrt(b), ctx)
        rate = b / (osl * t + b * t_pf_req)
        rho, _wait, wait99 = prefill_queue(rate, t_pf_req, t_pf1, prompt_cv)
        ok = (rho < 1.0) & (b <= cap * (1 + 1e-9)) \
            & (t_pf1 + wait99 + t + extra <= ttft_p99_s) \
            & (t99 / np.maximum(1.0 - rho, 1e-9) <= tpot_p99_s)
        n = ok.sum(axis=0)
        step = (hi - lo) / 64
        lo, hi = lo + step * n, lo + step * np.minimum(n + 1, 64)
    return lo / (osl * decode_step(hw, shape, eff, lo, ctx) + lo * t_pf_req)


def _pick(values, rows: np.ndarray, shape: tuple):
    """Per configuration (the trailing axes of ``shape``), ``values`` at its row ``rows``."""
    if rows.ndim == 0:  # one configuration: the app's common case, without fancy indexing
        return values[int(rows)] if np.ndim(values) else values
    flat = np.broadcast_to(values, shape).reshape(shape[0], -1)
    return flat[rows.ravel(), np.arange(rows.size)].reshape(rows.shape)


def _by_batch(hw, shape, eff, isl, osl, limits, top, prompt_cv, prefill, fixed, grid: int,
              rounds: int):
    """The rate search's answer (a LoadPoint), or its bracket at a later level to resume
    from ``(lo, hi, first round)``, from the edge found over the batch; None where no level's
    bracket is confirmed."""
    isl, osl = np.asarray(isl, float), np.asarray(osl, float)
    size_shape = np.broadcast(top, *limits).shape
    edge = _edge_over_batch(hw, shape, eff, isl, osl, limits, prompt_cv, fixed, size_shape)
    pad = (1,) * len(size_shape)
    top = np.broadcast_to(top, size_shape)
    picks = []  # per level: the multiples of its step tried
    for back, window in _LEVELS:
        steps = float(grid) ** (rounds - back)  # the level's multiples of its step to top
        unit = top / steps
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.floor(np.where(unit > 0, edge / unit, 0.0))
        picks.append((back, steps, unit,
                      np.clip(m + window.reshape((-1,) + pad), 0.0, steps)))
    tried = np.concatenate([j * unit for _b, _s, unit, j in picks])
    p = at_rate(hw, shape, eff, tried, isl, osl, prompt_cv, prefill=prefill, _fixed=fixed)
    ok_all = p.feasible & (p.ttft_p99_s <= limits[0]) & (p.tpot_p99_s <= limits[1])
    level = np.full(size_shape, -1)
    mult, offset, finest = np.zeros(size_shape), 0, None  # the step multiple confirmed
    for back, steps, _unit, j in picks:
        ok = ok_all[offset:offset + len(j)] | (j == 0)  # zero is the search's floor
        n = ok.sum(axis=0)
        falls = np.all(ok == (np.arange(len(j)).reshape((-1,) + pad) < n), axis=0)
        held = falls & (n >= 1) & ((n < len(j)) | (j[-1] == steps)) & (level < 0)
        last = np.take_along_axis(j, np.maximum(n - 1, 0).astype(int)[None], axis=0)[0]
        mult = np.where(held, last, mult)
        level = np.where(held, back, level)
        if back == 0:
            finest = (offset, n, held)
        offset += len(j)
    if np.any(level < 0):
        return None
    if np.all(level == 0):
        start, n, _ = finest
        rows = (start + np.maximum(n - 1, 0)).astype(int)  # per configuration, its answer
        point = LoadPoint(**{name: _pick(getattr(p, name), rows, tried.shape)
                             for name in LoadPoint.__dataclass_fields__})
        point.feasible = point.feasible & (point.rate_rps > 0)
        return point
    # Resume every configuration from the coarsest level confirmed: its bracket there holds
    # the one found finer.
    back = int(level.max())
    # Whole multiples divided by powers of the grid: exact in floating point.
    mult = np.floor(mult / float(grid) ** (back - level))
    lo = mult * (top / float(grid) ** (rounds - back))
    hi = np.where(mult >= float(grid) ** (rounds - back), top,
                  (mult + 1) * (top / float(grid) ** (rounds - back)))
    return lo, hi, rounds - back
