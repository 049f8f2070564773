"""The capacity search over the batch gives the rate search's answer: the same rate, to the
last step of the rate search, on many dense configurations; where it cannot confirm a
bracket, the rate search answers alone."""

import numpy as np
import pytest

from planner_core import load_catalog
from planner_core.engine import capacity
from planner_core.engine.calibration import default_calibration
from planner_core.engine.sizing import replica_for
from planner_core.plan import plan_from_dict

CATALOG = load_catalog()
CAL = default_calibration()
FIELDS = ("rate_rps", "batch", "ttft_p99_s", "tpot_p99_s", "tpot_s", "prefill_busy")


def _replica(system: str, model: str, precision: str = "fp8", **pool):
    plan = plan_from_dict({
        "name": "t", "facility": {},
        "workloads": [{"name": "w", "model": model, "weight_precision": precision,
                       "traffic": {"peak_rps": 10.0},
                       "input_tokens": {"mean": 1000}, "output_tokens": {"mean": 200}}],
        "pools": [{"name": "p", "system": system, "workloads": ["w"], **pool}]})
    hw, shape, _per, _ = replica_for(CATALOG, plan.pools[0], plan.workloads[0])
    return hw, shape, CAL.efficiency(hw.family, CATALOG, hw.engine)


CASES = [("hgx-h100", "llama-3.1-70b", {}), ("hgx-h200", "llama-3.1-8b", {}),
         ("hgx-b200", "llama-3.1-405b", {}), ("mi300x-8", "llama-3.1-70b", {}),
         ("gb200-nvl72", "llama-3.1-70b", {"layout": {"tp": 4}}),
         ("hgx-h100", "llama-3.1-70b", {"speculative": {"draft_tokens": 3,
                                                        "acceptance": 0.7}}),
         ("groq-rack", "llama-3.1-8b", {"precision": "int8"})]


@pytest.mark.parametrize(("system", "model", "pool"), CASES)
@pytest.mark.parametrize("prefill", [True, False])
def test_the_batch_search_lands_where_the_rate_search_does(system, model, pool, prefill,
                                                           monkeypatch):
    hw, shape, eff = _replica(system, model, **pool)
    rng = np.random.default_rng(11)
    n = 400  # the app's path: 64 rates a round
    isl = rng.integers(50, 30_000, n).astype(float)
    osl = rng.integers(10, 3000, n).astype(float)
    ttft = rng.uniform(0.05, 10.0, n)
    tpot = np.where(rng.random(n) < 0.2, np.inf, rng.uniform(0.002, 0.2, n))
    cv = 0.6
    calls = []
    by_batch = capacity._by_batch

    def spy(*args, **kwargs):
        calls.append(out := by_batch(*args, **kwargs))
        return out

    monkeypatch.setattr(capacity, "_by_batch", spy)
    fast = capacity.max_rate(hw, shape, eff, isl, osl, ttft, tpot, cv, prefill=prefill)
    assert len(calls) == 1 and calls[0] is not None  # a bracket confirmed, or the answer
    monkeypatch.setattr(capacity, "_by_batch", lambda *a, **k: None)
    slow = capacity.max_rate(hw, shape, eff, isl, osl, ttft, tpot, cv, prefill=prefill)
    np.testing.assert_array_equal(fast.feasible, slow.feasible)
    for name in FIELDS:
        a, b = (np.broadcast_to(getattr(p, name), (n,)) for p in (fast, slow))
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=name)


def test_where_no_bracket_is_confirmed_the_rate_search_answers(monkeypatch):
    hw, shape, eff = _replica("hgx-h100", "llama-3.1-70b")
    args = (hw, shape, eff, 2000.0, 400.0, 1.5, 0.04, 0.6)
    expected = capacity.max_rate(*args)
    # An edge found far too high: no level's bracket holds the answer.
    real = capacity._edge_over_batch
    monkeypatch.setattr(capacity, "_edge_over_batch", lambda *a, **k: real(*a, **k) * 3.0)
    calls = []
    by_batch = capacity._by_batch
    monkeypatch.setattr(capacity, "_by_batch",
                        lambda *a, **k: calls.append(out := by_batch(*a, **k)) or out)
    again = capacity.max_rate(*args)
    assert calls == [None]
    assert float(again.rate_rps) == pytest.approx(float(expected.rate_rps), rel=1e-12)
    assert bool(again.feasible) and float(again.rate_rps) > 0
