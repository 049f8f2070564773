"""Board power limits: the clock an accelerator keeps when its draw is held below its TDP.

Operators cap boards (``nvidia-smi -pl``, ``amd-smi set --power-cap``) to fit more
accelerators into a site's power or to get more tokens per joule, and vendors' power-optimised
MLPerf submissions ("MaxQ") do the same. Under a limit the firmware lowers the clock until the
draw fits. Matmuls slow with the clock; memory streams at the memory's own clock, so
memory-bound decode barely slows; and each operation takes less energy at the lower voltage
(:func:`planner_core.engine.power.activity`). We find the clock at which a replica serving
flat out draws the limit, relative to the one at which it would draw its TDP: calibrated
efficiencies come from runs at the default limit and already hold whatever throttling happens
there. Everything broadcasts over arrays.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from planner_core.engine.power import PowerKnobs, activity
from planner_core.engine.replica import ReplicaHW
from planner_core.engine.serving import offline

#: Lowest clock share a limit can push a board to. Assumption: GPUs' lowest sustained
#: graphics clock is about a third of their boost clock (H100 SXM: 345 of 1,980 MHz is the
#: floor nvidia-smi reports; firmware holds far above it under load).
MIN_CLOCK = 0.3
#: Clock shares tried at once; the answer is interpolated between neighbours.
_GRID = 29


def at_clock(hw: ReplicaHW, clock) -> ReplicaHW:
    """The replica with its accelerators' matmul peaks at ``clock`` of the default."""
    scale = np.asarray(clock, float) / hw.clock
    return hw.with_(flops=hw.flops * scale, attn_flops=hw.attn_flops * scale, clock=clock)


def _ndim(*values) -> int:
    return max((np.ndim(v) for v in values), default=0)


def limited_clock(hw: ReplicaHW, shape, eff, knobs: PowerKnobs, isl, osl, idle_w, tdp_w,
                  limit_w, *, prefill: bool = True):
    """Share of the default clock a replica runs at, serving flat out, when each board may
    draw at most ``limit_w`` (1 where the limit is at or above the draw)."""
    nd = _ndim(isl, osl, idle_w, tdp_w, limit_w,
               *(getattr(hw, f.name) for f in fields(ReplicaHW)
                 if not isinstance(getattr(hw, f.name), str | type(None) | bool)),
               *(getattr(knobs, f.name) for f in fields(PowerKnobs)),
               *(getattr(eff, f.name) for f in fields(eff)))
    grid = np.linspace(MIN_CLOCK, 1.0, _GRID).reshape((_GRID,) + (1,) * nd)
    trial = at_clock(hw, grid * hw.clock)
    point = offline(trial, shape, eff, isl, osl, prefill=prefill)
    act = activity(trial, shape, knobs, point.rate_rps, isl, osl, point.batch, prefill,
                   capped=False)
    # The draw the work would need, uncapped: above the TDP where the firmware throttles.
    draw = idle_w + (tdp_w - idle_w) * act
    s_limit = _clock_at(grid, draw, limit_w)
    s_tdp = _clock_at(grid, draw, tdp_w)
    return np.minimum(s_limit / s_tdp, 1.0)


def _clock_at(grid, draw, watts):
    """Highest clock on ``grid`` whose ``draw`` (rising with the clock) stays within
    ``watts``, interpolated between grid points; MIN_CLOCK if none does."""
    draw = np.broadcast_to(draw, np.broadcast_shapes(draw.shape, np.shape(watts)))
    grid = np.broadcast_to(grid, draw.shape)
    ok = draw <= np.asarray(watts, float) * (1 + 1e-9)
    n = ok.sum(axis=0)
    lo = np.maximum(n - 1, 0)[None]
    hi = np.minimum(n, _GRID - 1)[None]
    g_lo, g_hi = np.take_along_axis(grid, lo, 0)[0], np.take_along_axis(grid, hi, 0)[0]
    d_lo, d_hi = np.take_along_axis(draw, lo, 0)[0], np.take_along_axis(draw, hi, 0)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip((np.asarray(watts, float) - d_lo) / (d_hi - d_lo), 0.0, 1.0)
    inside = (n > 0) & (n < _GRID) & (d_hi > d_lo)
    out = np.where(inside, g_lo + (g_hi - g_lo) * frac, np.where(n >= _GRID, 1.0, MIN_CLOCK))
    return out



def limit_problem(limit_w, idle_w, tdp_w, name: str) -> tuple[str, str, str] | None:
    """(kind, message, severity) for a power limit the boards cannot keep (an error) or one
    that changes nothing (a note); None for a limit between idle and TDP."""
    limit = np.asarray(limit_w, float)
    if np.any(limit <= idle_w):
        return ("invalid-power-limit", f"a power limit of {float(np.min(limit)):,.0f} W per "
                f"accelerator is at or below {name}'s idle draw of "
                f"{float(np.max(idle_w)):,.0f} W", "error")
    if np.all(limit >= tdp_w):
        return ("power-limit-above-tdp", f"a power limit of {float(np.min(limit)):,.0f} W per "
                f"accelerator changes nothing: {name} draws at most its TDP of "
                f"{float(np.min(tdp_w)):,.0f} W", "note")
    return None
