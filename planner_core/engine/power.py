"""Power: accelerators between idle and TDP by the work they do, plus host, network and cooling.

An accelerator draws its idle power plus a share of the rest (TDP − idle) that follows its
work: ``active_share`` of it whenever it serves at all (clocks raised, kernels resident, however
small), plus ``compute_share`` of it in proportion to how near the matmul units run to their
dense peak and ``memory_share`` to how near memory streams to its peak bandwidth, capped at
TDP. A replica decoding small batches with its units mostly waiting on launches and memory
therefore draws far below TDP, as measured. The host (CPUs, memory, fans, NICs, in-system
switches) draws a share of its rating. The shares are fitted on measured wall and board power
(:func:`planner_core.evidence.fit.fit_power`); everything broadcasts over arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner_core.engine.step_times import decode_work, prefill_work

#: Host power swings less than the accelerators: assumption that it draws 60% of its loaded
#: draw when the accelerators idle.
HOST_IDLE_SHARE = 0.6


@dataclass(frozen=True)
class PowerKnobs:
    """Shares of the dynamic range each kind of work draws (fitted; defaults are assumptions:
    serving at all draws a tenth, dense matmuls at peak reach TDP, streaming HBM at peak
    about 60% of the dynamic range)."""

    active_share: float = 0.1
    compute_share: float = 1.0
    memory_share: float = 0.6
    #: Share of the host's rated power (catalog ``host_power_w``) drawn under load.
    host_share: float = 0.6


def activity(hw, shape, knobs: PowerKnobs, rate, isl, osl, batch, prefill: bool = True,
             *, capped: bool = True):
    """Share of an accelerator's dynamic power range a replica draws serving ``rate``
    requests a second with a running ``batch`` (a LoadPoint's numbers), averaged over its
    accelerators. ``capped=False`` leaves shares above 1 (work the board could not power at
    its TDP) for :mod:`planner_core.engine.power_cap`."""
    rate = np.asarray(rate, float)
    b = np.maximum(np.asarray(batch, float), 1.0)
    f_d, m_d = decode_work(hw, shape, b, np.asarray(isl, float) + np.asarray(osl, float) / 2.0)
    steps = rate * np.asarray(osl, float) / b  # decode steps a second
    flops, moved = f_d * steps, m_d * steps
    if prefill:
        f_p, m_p = prefill_work(hw, shape, isl)
        flops, moved = flops + f_p * rate, moved + m_p * rate
    n = hw.n_acc
    u_c = flops / (n * hw.flops)
    u_m = moved / (n * hw.bw)
    busy = np.where(rate > 0, knobs.active_share, 0.0)
    # Below the default clock (a board power limit) each operation also takes less energy:
    # DVFS lowers the voltage with the clock, and switching energy goes with its square. So
    # the matmul units flat out at clock s draw s³ of what they draw at the default clock.
    clock = hw.clock
    compute = knobs.compute_share * u_c * clock * clock * clock
    act = busy + compute + knobs.memory_share * u_m
    return np.clip(act, 0.0, 1.0) if capped else np.maximum(act, 0.0)


def busy_watts(idle_w, tdp_w, act, limit_w=None):
    """An accelerator's draw while serving at ``act`` (see :func:`activity`), never above
    its board power limit ``limit_w`` (None: the TDP)."""
    watts = idle_w + (tdp_w - idle_w) * np.clip(np.asarray(act, float), 0.0, 1.0)
    return watts if limit_w is None else np.minimum(watts, limit_w)


def accelerator_watts(idle_w, busy_w, utilization):
    u = np.clip(np.asarray(utilization, float), 0.0, 1.0)
    return idle_w + (busy_w - idle_w) * u


def it_watts(n_acc, idle_w, busy_w, n_systems, host_w, network_w_per_system, utilization):
    """IT power of a pool, split as (accelerators, host, network) in watts. ``busy_w`` is an
    accelerator's draw when its replica is fully used (:func:`busy_watts`); ``host_w`` the
    host's draw under load."""
    u = np.clip(np.asarray(utilization, float), 0.0, 1.0)
    acc = n_acc * accelerator_watts(idle_w, busy_w, u)
    host = n_systems * host_w * (HOST_IDLE_SHARE + (1 - HOST_IDLE_SHARE) * u)
    net = n_systems * network_w_per_system * np.ones_like(u)
    return acc, host, net


def facility_watts(it_w, pue):
    """Facility power; the part above IT is cooling and power conversion."""
    return it_w * pue
