"""Work done once and shared: a capacity question asked by many workloads within one
evaluation, and the distinct values of a long sweep. The answers must be the ones computed
one by one, exactly."""

import numpy as np
import pytest

from planner_core import evaluate, load_catalog
from planner_core.engine import capacity, serving
from planner_core.engine.reuse import reused, shared
from planner_core.plan import plan_from_dict, plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif import evaluate_many as many_module
from planner_core.whatif.evaluate_many import DISTINCT_FROM, evaluate_many
from tests.bench.plans import many_workloads

CATALOG = load_catalog()
CHAT = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())


def test_identical_workloads_share_one_capacity_search(monkeypatch):
    plan = many_workloads(CHAT, 12, per_pool=4)  # 4 token shapes over 12 workloads
    calls = []
    search = capacity._search

    def counted(*args, **kwargs):
        calls.append(1)
        return search(*args, **kwargs)

    monkeypatch.setattr(capacity, "_search", counted)
    shared_run = evaluate(plan, CATALOG)
    assert len(calls) == 4
    # Each workload asked alone (nothing shared) gets the very same figures.
    calls.clear()
    for w in plan.workloads:
        alone = plan.model_dump(mode="json")
        alone["workloads"] = [x for x in alone["workloads"] if x["name"] == w.name]
        alone["pools"] = [dict(next(p for p in alone["pools"] if w.name in p["workloads"]),
                               workloads=[w.name])]
        mine = evaluate(plan_from_dict(alone), CATALOG).workloads.iloc[0]
        row = shared_run.workloads.set_index("workload").loc[w.name]
        assert row.capacity_rps_per_replica == mine.capacity_rps_per_replica
        assert row.ttft_p99_ms == mine.ttft_p99_ms
    assert len(calls) == len(plan.workloads)


def test_nothing_is_kept_outside_an_evaluation():
    seen = []

    @reused
    def answer(x):
        seen.append(x)
        return [x]

    answer(1.0)
    answer(1.0)
    assert len(seen) == 2  # no memo outside `shared`
    with shared():
        a, b = answer(2.0), answer(2.0)
        answer(np.array([1.0, 2.0]))  # arrays are never keyed
        answer(np.array([1.0, 2.0]))
    assert seen == [1.0, 1.0, 2.0, pytest.approx([1.0, 2.0]), pytest.approx([1.0, 2.0])]
    assert a == b and a is not b  # each caller its own copy


def test_a_long_sweep_is_evaluated_once_per_distinct_value_with_the_same_figures(monkeypatch):
    rng = np.random.default_rng(7)
    distinct = np.unique(rng.integers(100, 30_000, 3000)).astype(float)
    assert 1024 < len(distinct) < DISTINCT_FROM  # the same search either way: bisection
    sweep = rng.permutation(np.concatenate([distinct, distinct, distinct[:100]]))
    assert len(sweep) >= DISTINCT_FROM
    path = "workloads.chat.input_tokens.mean"
    sizes = []
    swept = many_module.swept_kpis

    def spy(plan, catalog, cal, inputs, pools=None, explain=None):
        sizes.append(np.size(inputs.values[path]))
        return swept(plan, catalog, cal, inputs, pools, explain=explain)

    monkeypatch.setattr(many_module, "swept_kpis", spy)
    long = evaluate_many(CHAT, {path: sweep}, CATALOG)
    short = evaluate_many(CHAT, {path: distinct}, CATALOG)
    assert sizes == [len(distinct), len(distinct)]
    at = np.searchsorted(distinct, sweep)
    for name, values in long.items():
        assert values.shape == sweep.shape
        np.testing.assert_array_equal(values, np.broadcast_to(short[name], distinct.shape)[at],
                                      err_msg=name)


def test_the_capacity_search_spreads_distinct_configurations_back_exactly():
    from planner_core.engine.sizing import replica_for

    hw, shape, _per, _ = replica_for(CATALOG, CHAT.pools[0], CHAT.workloads[0])
    eff = serving.Efficiency()
    rng = np.random.default_rng(3)
    distinct = np.unique(rng.integers(100, 20_000, 1500)).astype(float)
    sweep = np.concatenate([distinct[::-1], distinct[:700]])
    whole = capacity.max_rate(hw, shape, eff, sweep, 400.0, 1.5, 0.04)
    once = capacity.max_rate(hw, shape, eff, distinct, 400.0, 1.5, 0.04)
    at = np.searchsorted(distinct, sweep)
    for name in ("rate_rps", "batch", "ttft_p99_s", "tpot_p99_s", "feasible", "max_batch"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(once, name)[at],
                                      err_msg=name)


def test_a_long_sweep_in_parts_gives_the_figures_of_one_pass(monkeypatch):
    rng = np.random.default_rng(5)
    values = {"workloads.chat.traffic.peak_rps": rng.uniform(1.0, 500.0, 9000),
              "facility.electricity_usd_per_kwh": 0.12}
    monkeypatch.setattr(many_module, "CHUNK", 10 ** 9)
    whole = evaluate_many(CHAT, values, CATALOG)
    monkeypatch.setattr(many_module, "CHUNK", 2000)  # five parts of 1,800
    parts = evaluate_many(CHAT, values, CATALOG)
    assert list(parts) == list(whole)
    for name in whole:
        np.testing.assert_array_equal(parts[name], whole[name], err_msg=name)
        assert many_module._constant(parts[name]) == many_module._constant(whole[name])
