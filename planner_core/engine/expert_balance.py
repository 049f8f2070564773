"""Expert load imbalance: in expert parallelism the busiest rank sets the pace.

A mixture of experts spreads its experts over ``ep`` groups of accelerators. Each token picks
``k`` of the ``E`` experts, so in one step a rank's share of the work is a random draw: how
many of its ``E/ep`` experts the batch touches (weights it must read) and how many token
assignments land on it (its matmul work). The layer waits for the rank that drew most. We
take routing as uniform over experts, as the models are trained to route (DeepSeek-V3's
auxiliary-loss-free balancing, Mixtral's load-balancing loss; DeepSeek-V3 technical report,
arXiv:2412.19437 §2.1.2), and use the expected maximum of ``ep`` such draws: the imbalance
follows from the batch, top-k, expert count and EP alone, with nothing fitted. It is large
where interactive serving runs (a few dozen tokens a step: +20–50%) and vanishes for the
thousands of tokens a prefill chunk routes. Skew beyond chance (some experts more popular on
some traffic) is not modelled: engines rebalance it away by replicating hot experts (EPLB).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

#: Expected largest of g standard normal draws, g = 1 … 4096 (Blom's approximation,
#: Φ⁻¹((g − 0.375)/(g + 0.25))); tabulated once, read by interpolation over arrays.
_GROUPS = np.arange(1.0, 4097.0)
_MAX_Z = np.array([0.0] + [NormalDist().inv_cdf((g - 0.375) / (g + 0.25))
                           for g in _GROUPS[1:]])


def expert_imbalance(experts: int, active: int, groups, tokens):
    """(weights factor, work factor): the busiest of ``groups`` expert-parallel groups' routed
    weights read and routed token assignments, each over the mean, for ``tokens`` tokens
    routed to ``active`` of ``experts`` experts each. 1 where the experts are not split."""
    g = np.maximum(np.asarray(groups, float), 1.0)
    t = np.maximum(np.asarray(tokens, float), 1.0)
    z = np.interp(g, _GROUPS, _MAX_Z)
    per_group = experts / g
    # Each of a group's experts is touched by the batch with probability p.
    p = 1.0 - (1.0 - active / experts) ** t
    mean_w = per_group * p
    f_w = 1.0 + z * np.sqrt(per_group * p * (1.0 - p)) / np.maximum(mean_w, 1e-12)
    # Token assignments landing on a group: t·k draws, each on it with probability 1/g.
    mean_c = t * active / g
    f_c = 1.0 + z * np.sqrt(mean_c * (1.0 - 1.0 / g)) / mean_c
    # Never more than the whole of a group's experts or every assignment.
    f_w = np.minimum(f_w, 1.0 / np.maximum(p, 1e-12))
    f_c = np.minimum(f_c, g)
    return f_w, f_c
