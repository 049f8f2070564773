"""Expert load imbalance against a simulation of uniform routing."""

import numpy as np
import pytest

from planner_core.engine.expert_balance import expert_imbalance


def _simulated(experts, active, groups, tokens, trials=4000, seed=7):
    """Busiest group's distinct experts touched and token assignments, over their means."""
    rng = np.random.default_rng(seed)
    per = experts // groups
    w_max, c_max = [], []
    for _ in range(trials):
        picks = np.array([rng.choice(experts, active, replace=False) for _ in range(tokens)])
        group = picks.ravel() // per
        counts = np.bincount(group, minlength=groups)
        touched = np.bincount(np.unique(picks) // per, minlength=groups)
        w_max.append(touched.max())
        c_max.append(counts.max())
    p = 1 - (1 - active / experts) ** tokens
    return np.mean(w_max) / (per * p), np.mean(c_max) / (tokens * active / groups)


@pytest.mark.parametrize("experts,active,groups,tokens", [
    (256, 8, 8, 8), (256, 8, 8, 64), (256, 8, 32, 32), (8, 2, 8, 16), (64, 6, 8, 4)])
def test_the_busiest_group_matches_a_simulation_of_uniform_routing(experts, active, groups,
                                                                   tokens):
    f_w, f_c = expert_imbalance(experts, active, float(groups), float(tokens))
    s_w, s_c = _simulated(experts, active, groups, tokens, trials=600)
    assert f_w == pytest.approx(s_w, rel=0.12)
    assert f_c == pytest.approx(s_c, rel=0.12)


def test_no_imbalance_without_expert_parallelism_and_less_with_more_tokens():
    assert expert_imbalance(256, 8, 1.0, 8.0) == (1.0, 1.0)
    f_w, f_c = expert_imbalance(256, 8, 8.0, np.array([4.0, 16.0, 64.0, 1024.0, 8192.0]))
    assert np.all(np.diff(f_w) <= 1e-12) and np.all(np.diff(f_c) < 0)
    assert f_w[-1] == pytest.approx(1.0, abs=1e-6) and f_c[-1] < 1.02
    wide = expert_imbalance(256, 8, np.array([8.0, 32.0, 64.0]), 64.0)[1]
    assert np.all(np.diff(wide) > 0)  # wider expert parallelism, busier busiest rank
