"""Packing replicas into whole systems: how many accelerators a number of replicas buys, and
how many replicas a number of accelerators holds.

A replica is pipeline stages of tensor-parallel groups; a group must share one scale-up
domain. Where that domain is one system (an HGX server, an NVL72 rack) a group never straddles
two systems; where it spans systems (a TPU pod) or the replica is an SRAM chain, groups pack
chip by chip. Broadcasts over arrays.
"""

from __future__ import annotations

import numpy as np


def _exact(group, per_system, fluid):
    """True where groups fill systems with nothing left over (or may cross systems)."""
    group = np.asarray(group, float)
    return (np.asarray(fluid, bool) | (np.mod(per_system, group) == 0)
            | (np.mod(group, per_system) == 0))


def packed_accelerators(replicas, group, per_system, fluid, groups_per_replica=1):
    """Accelerators bought for ``replicas`` whole replicas.

    A replica is ``groups_per_replica`` pipeline stages, each a tensor-parallel group of
    ``group`` accelerators that must share one scale-up domain. Where that domain is one
    system (an HGX server, an NVL72 rack), a group never straddles two systems: TP16 on a
    72-GPU rack fits 4 groups and leaves 8 GPUs idle. Where the domain spans systems (a TPU
    pod) or the replica is an SRAM chain (``fluid``), groups pack chip by chip. Pipeline
    stages may sit in different systems. Broadcasts over arrays.
    """
    groups = np.asarray(replicas, float) * groups_per_replica
    group = np.asarray(group, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = np.floor(per_system / group)  # groups per system (narrow groups)
        narrow = np.ceil(groups / np.where(fit >= 1, fit, 1.0)) * per_system
        wide = groups * np.ceil(group / per_system) * per_system
    return np.where(_exact(group, per_system, fluid), groups * group,
                    np.where(group < per_system, narrow, wide))


def replicas_in(accelerators, group, per_system, fluid, groups_per_replica=1):
    """Whole replicas that ``accelerators`` hold (the inverse of :func:`packed_accelerators`)."""
    group = np.asarray(group, float)
    systems, rest = np.floor(accelerators / per_system), np.mod(accelerators, per_system)
    narrow = systems * np.floor(per_system / group) + np.floor(rest / group)
    wide = np.floor(accelerators / (np.ceil(group / per_system) * per_system))
    groups = np.where(_exact(group, per_system, fluid), np.floor(accelerators / group),
                      np.where(group < per_system, narrow, wide))
    return np.floor(groups / groups_per_replica)
