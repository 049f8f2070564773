"""A sweep says why each value that misses does (in the words of the limit that stops it, from
the engine's own sizing), leaves its figures missing rather than 0 or infinity, and names its
first column with the input's path and unit."""

import re

import numpy as np
import pytest

from planner_core import evaluate_scenario, load_catalog, read_plan
from planner_core.plan import apply_overrides, plan_from_dict
from planner_core.resources import resource_path
from planner_core.whatif.evaluate_many import KPI_NAMES, evaluate_many
from planner_core.whatif.numeric_inputs import NUMERIC_PATHS, UNITS
from planner_core.whatif.sweep import labelled, sweep, value_column

FIGURES = [k for k in KPI_NAMES if k != "meets_slo"]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def chat(catalog):
    return read_plan(resource_path("examples", "llama70b-chat.json"), catalog)


def _engine_errors(plan, scenario, path, value, catalog):
    """The normal evaluation's errors for the plan with ``path`` set to ``value``."""
    one = apply_overrides(plan.variant(scenario), {path: value})
    return [w for w in evaluate_scenario(one, scenario, catalog).warnings
            if w["severity"] == "error" or w["kind"] == "slo-missed"]


def _check_table(frame):
    """Missing figures exactly where a value misses, a reason exactly there, no infinity."""
    meets = frame["meets_slo"].to_numpy(bool)
    figures = frame[FIGURES].to_numpy(float)
    assert not np.isinf(figures).any()
    assert np.isnan(figures[~meets]).all()
    assert np.isfinite(figures[meets]).all()
    assert ((frame["reason"] == "").to_numpy() == meets).all()


def test_every_numeric_input_has_a_unit_and_names_the_first_column():
    assert set(UNITS) == set(NUMERIC_PATHS)
    assert value_column("workloads.chat.input_tokens.mean") == \
        "workloads.chat.input_tokens.mean (tokens)"
    assert value_column("facility.electricity_usd_per_kwh") == \
        "facility.electricity_usd_per_kwh ($/kWh)"
    assert value_column("catalog.systems.hgx-h200.price_usd") == \
        "catalog.systems.hgx-h200.price_usd ($)"
    assert value_column("pools.serving.system") == "pools.serving.system"


def test_a_ttft_limit_below_the_unloaded_latency_says_so(chat, catalog):
    path = "workloads.chat.slo.ttft_p99_ms"
    frame = sweep(chat, path, [100.0, 200.0, 600.0], catalog=catalog)
    _check_table(frame)
    assert list(frame["meets_slo"]) == [False, False, True]
    for limit, reason in zip((100, 200), frame["reason"][:2], strict=True):
        found = re.fullmatch(rf"chat: TTFT p99 limit {limit} ms not met even at low load "
                             r"\(([\d,]+) ms\)", reason)
        assert found, reason
        assert float(found[1].replace(",", "")) > limit
        # The normal engine finds the same: even one request at a time misses.
        errors = _engine_errors(chat, "base", path, float(limit), catalog)
        assert [e["kind"] for e in errors] == ["slo-missed"]
        assert "even one request at a time" in errors[0]["message"]
    assert labelled(frame, path).columns[0] == "workloads.chat.slo.ttft_p99_ms (ms)"


def test_a_tpot_limit_below_one_decode_step_says_so(chat, catalog):
    frame = sweep(chat, "workloads.chat.slo.tpot_p99_ms", [2.0, 40.0], catalog=catalog)
    _check_table(frame)
    assert frame["reason"][0].startswith("chat: TPOT p99 limit 2.0 ms not met even at low load")
    assert frame["reason"][1] == ""


def test_a_model_that_does_not_fit_gives_its_need_and_the_memory_there_is(chat, catalog):
    scenario = "HGX H200"
    acc = catalog.system(chat.variant(scenario).pools[0].system).accelerator
    path = f"catalog.accelerators.{acc}.memory_gb"
    frame = sweep(chat, path, [10.0, 141.0], scenario=scenario, catalog=catalog)
    _check_table(frame)
    found = re.fullmatch(r"chat: llama-3\.1-70b \(fp8\) does not fit in memory: a replica needs "
                         r"([\d.,]+) GB \(weights and one request's KV cache\), has ([\d.,]+) GB",
                         frame["reason"][0])
    assert found, frame["reason"][0]
    need, has = (float(g.replace(",", "")) for g in found.groups())
    # 70 B parameters at one byte each, and less than the 4 × 10 GB of the TP4 replica.
    assert 70 < need < 80 and has < 40
    assert frame["reason"][1] == ""


def test_a_fixed_pool_short_of_the_peak_names_its_replicas(chat, catalog):
    data = chat.model_dump(mode="json")
    data["pools"][0]["count"] = 1
    fixed = plan_from_dict(data)
    path = "workloads.chat.traffic.peak_rps"
    frame = sweep(fixed, path, [1.0, 400.0], catalog=catalog)
    _check_table(frame)
    assert frame["reason"][0] == ""
    found = re.fullmatch(r"chat: pool serving's (\d+) replica\(s\) carry ([\d.,]+) req/s within "
                         r"the SLOs, below the peak of 400\.0 req/s \(it needs (\d+)\)",
                         frame["reason"][1])
    assert found, frame["reason"][1]
    assert float(found[2].replace(",", "")) < 400 and int(found[3]) > int(found[1])
    assert [e["kind"] for e in _engine_errors(fixed, "base", path, 400.0, catalog)] == \
        ["slo-missed"]


def test_disaggregated_serving_with_one_replica_or_none(catalog):
    plan = read_plan(resource_path("examples", "deepseek-v3-disagg-gb200.json"), catalog)
    pool = plan.pools[0].name
    frame = sweep(plan, f"pools.{pool}.count", [0.0], catalog=catalog)
    _check_table(frame)
    assert frame["reason"][0] == (
        "reasoning-api: disaggregated serving needs at least two replicas (one prefill, one "
        f"decode); pool {pool} has 0 serving")


def test_a_pool_that_cannot_be_built_gives_the_engines_words(chat, catalog):
    data = chat.model_dump(mode="json")
    data["scenarios"].append({"name": "short chain", "overrides": {
        "pools.serving.system": "groq-rack", "workloads.chat.weight_precision": None,
        "pools.serving.layout.chips": 3}})
    plan = plan_from_dict(data)
    numeric = sweep(plan, "facility.pue", [1.2, 1.4], scenario="short chain", catalog=catalog)
    categorical = sweep(chat, "pools.serving.system", ["hgx-h200", "groq-rack"],
                        catalog=catalog)
    for frame in (numeric, categorical):
        _check_table(frame)
    assert set(numeric["reason"]) == {
        "pool serving: chat: 3 chips hold 0.6 GB; llama-3.1-70b needs 686 chips"}
    # The chat example asks for fp8, which a GroqChip does not run.
    assert categorical["reason"][0] == ""
    assert categorical["reason"][1].startswith("pool serving: chat: Groq LPU")
    assert "does not run fp8" in categorical["reason"][1]


def test_the_first_workload_that_misses_is_named_and_the_others_counted(catalog):
    plan = read_plan(resource_path("examples", "mig-h100-8b-tenants.json"), catalog)
    data = plan.model_dump(mode="json")
    for w in data["workloads"]:
        if w["name"] == "summarizer":
            w["slo"]["ttft_p99_ms"] = 10.0
    plan = plan_from_dict(data)
    frame = sweep(plan, "workloads.assistant.slo.ttft_p99_ms", [10.0, 2000.0], catalog=catalog)
    _check_table(frame)
    assert frame["reason"][0].startswith("assistant: TTFT p99 limit 10 ms")
    assert frame["reason"][0].endswith("; 1 more workload(s) or pool(s) miss too")
    assert frame["reason"][1].startswith("summarizer: TTFT p99 limit 10 ms")
    assert "more" not in frame["reason"][1]


def test_a_long_sweep_gives_a_reason_to_each_value_that_misses(chat, catalog):
    """Longer than a part (evaluate_many.CHUNK) and repeating: the parts and the distinct
    values are spread back to every value, the reasons with them."""
    tokens = np.round(np.linspace(128, 400_000, 80_000))
    frame = sweep(chat, "workloads.chat.input_tokens.mean", tokens, catalog=catalog)
    _check_table(frame)
    misses = ~frame["meets_slo"].to_numpy(bool)
    assert 0 < misses.sum() < len(frame)
    assert frame["reason"][misses].str.startswith("chat: TTFT p99 limit 1,500 ms").all()
    # The reason's latency is the same at the same prompt length, wherever it falls.
    first = int(np.flatnonzero(misses)[0])
    again = sweep(chat, "workloads.chat.input_tokens.mean", [tokens[first]], catalog=catalog)
    assert again["reason"][0] == frame["reason"][first]


def test_evaluate_many_alone_gives_only_the_kpis(chat, catalog):
    kpis = evaluate_many(chat, {"workloads.chat.slo.ttft_p99_ms": np.array([100.0, 600.0])},
                         catalog)
    assert set(kpis) == set(KPI_NAMES)
