"""Power: accelerators between idle and TDP by utilization, plus host, network and cooling (PUE).

Vectorized over hours (and anything else): pass arrays of utilization.
"""

from __future__ import annotations

import numpy as np

#: Host power (CPUs, memory, fans, NICs) swings less than the accelerators: assumption that it
#: draws 60% of its rating when idle and all of it when the accelerators are busy.
HOST_IDLE_SHARE = 0.6


def accelerator_watts(idle_w, tdp_w, utilization):
    u = np.clip(np.asarray(utilization, float), 0.0, 1.0)
    return idle_w + (tdp_w - idle_w) * u


def it_watts(n_acc, idle_w, tdp_w, n_systems, host_w, network_w_per_system, utilization):
    """IT power of a pool, split as (accelerators, host, network) in watts."""
    u = np.clip(np.asarray(utilization, float), 0.0, 1.0)
    acc = n_acc * accelerator_watts(idle_w, tdp_w, u)
    host = n_systems * host_w * (HOST_IDLE_SHARE + (1 - HOST_IDLE_SHARE) * u)
    net = n_systems * network_w_per_system * np.ones_like(u)
    return acc, host, net


def facility_watts(it_w, pue):
    """Facility power; the part above IT is cooling and power conversion."""
    return it_w * pue
