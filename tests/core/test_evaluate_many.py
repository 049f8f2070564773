"""evaluate_many must give, value for value, the KPI row the normal engine gives for the plan
with that value set: it is the same model on arrays, not an approximation."""

import copy

import numpy as np
import pytest

from planner_core import PlannerError, evaluate, load_catalog
from planner_core.plan import apply_overrides, plan_from_json
from planner_core.resources import resource_path
from planner_core.whatif.evaluate_many import KPI_NAMES, evaluate_many

CATALOG = load_catalog()


def _plan(name):
    return plan_from_json(resource_path("examples", name).read_text())


def _engine(plan, path, value):
    """The normal engine's KPIs (and whether every workload meets its SLOs without errors)."""
    if path.startswith("catalog."):
        _, kind, ident, field = path.split(".")
        entry = getattr(CATALOG, kind)[ident]
        if field == "dense_tflops":  # every precision scaled like the default one
            factor = float(value) / entry.tflops(entry.default_precision)
            figure = {k: s.model_copy(update={"value": s.value * factor})
                      for k, s in entry.dense_tflops.items()}
        else:
            figure = getattr(entry, field).model_copy(update={"value": float(value)})
        catalog = copy.copy(CATALOG)
        setattr(catalog, kind, {**getattr(CATALOG, kind),
                                ident: entry.model_copy(update={field: figure})})
        results = evaluate(plan, catalog)
    else:
        v = int(value) if float(value).is_integer() and path.rsplit(".", 1)[1] in (
            "count", "redundancy", "tp", "pp", "ep", "chips", "mean", "max_batch") else \
            float(value)
        results = evaluate(apply_overrides(plan, {path: v}), CATALOG)
    kpi = results.kpi("base")
    ok = bool(results.workloads["meets_slo"].all()) and not any(
        w["severity"] == "error" for w in results.warnings)
    return kpi, ok


CASES = [
    ("llama70b-chat.json", "base", "workloads.chat.traffic.peak_rps", [1.0, 40.0, 333.0]),
    ("llama70b-chat.json", "base", "workloads.chat.input_tokens.mean", [128, 2000, 9000]),
    ("llama70b-chat.json", "base", "workloads.chat.output_tokens.mean", [50, 700, 3000]),
    ("llama70b-chat.json", "base", "workloads.chat.slo.tpot_p99_ms", [5.0, 12.0, 80.0]),
    ("llama70b-chat.json", "base", "workloads.chat.slo.ttft_p99_ms", [100.0, 400.0, 5000.0]),
    ("llama70b-chat.json", "base", "facility.electricity_usd_per_kwh", [0.0, 0.05, 0.4]),
    ("llama70b-chat.json", "base", "facility.pue", [1.05, 1.3, 2.0]),
    ("llama70b-chat.json", "base", "facility.rack_power_budget_kw", [20.0, 60.0, 140.0]),
    ("llama70b-chat.json", "HGX H200", "pools.serving.layout.tp", [1, 2, 4, 8]),
    # TP16 and TP32 do not divide a 72-GPU rack: whole replicas per rack.
    ("llama70b-chat.json", "base", "pools.serving.layout.tp", [8, 16, 32, 64]),
    ("llama70b-chat.json", "HGX H200", "pools.serving.layout.pp", [1, 2, 3]),
    ("llama70b-chat.json", "HGX H200", "pools.serving.target_utilization", [0.2, 0.6, 1.0]),
    ("llama70b-chat.json", "HGX H200", "pools.serving.layout.max_batch", [1, 8, 64, 4096]),
    ("deepseek-v3-disagg-gb200.json", "base", "pools.nvl72-wide-ep.layout.max_batch",
     [4, 64, 2048]),
    ("llama70b-chat.json", "HGX H200", "pools.serving.redundancy", [0, 1, 5]),
    ("llama70b-chat.json", "HGX H200", "pools.serving.count", [0, 1, 3, 20]),
    ("llama70b-chat.json", "HGX H200", "catalog.systems.hgx-h200.price_usd",
     [0.0, 150000.0, 600000.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.accelerators.h200-sxm-141gb.memory_bw_gbs",
     [2400.0, 4800.0, 9600.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.accelerators.h200-sxm-141gb.dense_tflops",
     [500.0, 1979.0, 4000.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.accelerators.h200-sxm-141gb.memory_gb",
     [80.0, 141.0, 300.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.accelerators.h200-sxm-141gb.tdp_w",
     [500.0, 700.0, 1000.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.accelerators.h200-sxm-141gb.idle_w",
     [50.0, 100.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.systems.hgx-h200.host_power_w",
     [1000.0, 3000.0]),
    ("llama70b-chat.json", "HGX H200", "catalog.systems.hgx-h200.scaleup_bw_gbs",
     [100.0, 450.0, 900.0]),
    ("llama70b-chat.json", "Groq LPU racks", "catalog.accelerators.groq-lpu.memory_bw_gbs",
     [40000.0, 80000.0]),
    ("llama70b-chat.json", "Groq LPU racks", "workloads.chat.input_tokens.mean", [256, 4000]),
    ("llama70b-chat.json", "Groq LPU racks", "catalog.accelerators.groq-lpu.memory_gb",
     [0.184, 0.23, 0.276]),
    ("mig-h100-8b-tenants.json", "base", "catalog.accelerators.h100-sxm-80gb.memory_gb",
     [40.0, 64.0, 96.0]),
    ("llama70b-chat.json", "Groq LPU racks", "pools.serving.layout.chips", [700, 1000]),
    ("mig-h100-8b-tenants.json", "base", "workloads.assistant.traffic.peak_rps",
     [0.5, 5.0, 50.0]),
    ("mig-h100-8b-tenants.json", "base", "pools.h100-mig.count", [1, 2, 6]),
    ("deepseek-v3-disagg-gb200.json", "base", "pools.nvl72-wide-ep.prefill_share", [0.2, 0.5, 0.8]),
    ("deepseek-v3-disagg-gb200.json", "base", "workloads.reasoning-api.traffic.peak_rps",
     [3.0, 400.0, 2000.0]),
    ("deepseek-v3-disagg-gb200.json", "base", "facility.cost_of_capital", [0.0, 0.08, 0.2]),
    ("deepseek-v3-disagg-gb200.json", "Aggregated", "pools.nvl72-wide-ep.layout.ep", [8, 24]),
]


@pytest.mark.parametrize("example,scenario,path,values", CASES,
                         ids=[f"{c[0].split('.')[0]}:{c[2]}" for c in CASES])
def test_every_value_matches_the_engine(example, scenario, path, values):
    plan = _plan(example).variant(scenario)
    many = evaluate_many(plan, {path: np.array(values, float)}, CATALOG)
    for i, value in enumerate(values):
        kpi, ok = _engine(plan, path, value)
        for name in KPI_NAMES:
            if name == "meets_slo":
                assert bool(many[name][i]) == ok, (value, name)
            else:
                assert many[name][i] == pytest.approx(kpi[name], rel=1e-6, abs=1e-9), \
                    (value, name, many[name][i], kpi[name])


def test_two_inputs_broadcast_to_a_grid():
    plan = _plan("llama70b-chat.json")
    rps = np.array([10.0, 80.0])[:, None]
    price = np.array([0.05, 0.1, 0.2])[None, :]
    many = evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps,
                                "facility.electricity_usd_per_kwh": price}, CATALOG)
    assert many["usd_per_m_output_tokens"].shape == (2, 3)
    kpi, _ = _engine(apply_overrides(plan, {"workloads.chat.traffic.peak_rps": 80.0}),
                     "facility.electricity_usd_per_kwh", 0.2)
    assert many["usd_per_m_output_tokens"][1, 2] == pytest.approx(
        kpi["usd_per_m_output_tokens"], rel=1e-6)


@pytest.mark.parametrize("path,values,message", [
    ("facility.pue", [0.5, 1.2], "pue"),
    ("workloads.chat.traffic.peak_rps", [float("nan")], "finite"),
    ("pools.serving.layout.tp", [1.5], "whole numbers"),
    ("pools.serving.layout.tp", [128], "scale-up domain"),
    ("workloads.nope.traffic.peak_rps", [1.0], "nope"),
    ("facility.cost_model", [1.0], "cannot be swept"),
    ("catalog.systems.no-such.price_usd", [1.0], "no system"),
])
def test_bad_values_are_refused_naming_the_input(path, values, message):
    with pytest.raises(PlannerError) as err:
        evaluate_many(_plan("llama70b-chat.json"), {path: np.array(values)}, CATALOG)
    assert message in str(err.value)


def test_a_huge_traffic_sweep_gives_exact_figures():
    """A sweep longer than a part (evaluate_many.CHUNK) is computed exactly, part by part:
    its figures are those of the same values asked on their own."""
    from planner_core.whatif.evaluate_many import CHUNK

    plan = _plan("llama70b-chat.json")
    rps = np.linspace(0.5, 900.0, 2 * CHUNK + 1001)
    big = evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps}, CATALOG)
    picks = np.random.default_rng(7).choice(rps.size, 300, replace=False)
    exact = evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps[picks]}, CATALOG)
    for name in ("ttft_p99_ms", "tpot_p99_ms", "usd_per_m_output_tokens", "accelerators"):
        np.testing.assert_allclose(big[name][picks], exact[name], rtol=1e-12, err_msg=name)


def test_mixed_mig_slices_for_one_workload_stop_at_tdp_like_the_engine():
    """Two slice sizes serving one workload (counted as the first size) can ask for more
    than a whole GPU's work; power stops at TDP in both engines (found in review)."""
    plan = _plan("mig-h100-8b-tenants.json")
    data = plan.model_dump(mode="json")
    pool = data["pools"][0]
    pool["workloads"] = ["assistant"]
    pool["count"] = 1
    pool["layout"]["mig"] = [{"profile": "4g.40gb", "workload": "assistant"},
                             {"profile": "3g.40gb", "workload": "assistant"}]
    data["workloads"] = [w for w in data["workloads"] if w["name"] == "assistant"]
    data["scenarios"] = []
    one = type(plan).model_validate(data)
    rps = np.array([30.0, 300.0, 3000.0])
    many = evaluate_many(one, {"workloads.assistant.traffic.peak_rps": rps}, CATALOG)
    for i, value in enumerate(rps):
        kpi, _ = _engine(one, "workloads.assistant.traffic.peak_rps", value)
        for name in ("energy_mwh_per_day", "facility_mw_peak", "usd_per_m_output_tokens"):
            assert many[name][i] == pytest.approx(kpi[name], rel=1e-6), (value, name)
