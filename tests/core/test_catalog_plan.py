"""Catalog content and validation, the plan model, scenarios, MIG rules, evaluation."""

import json

import pytest

from planner_core import Catalog, PlannerError, evaluate, load_catalog
from planner_core.catalog.mig import allowed
from planner_core.plan import apply_overrides, plan_from_json, plan_to_json

REQUIRED_ACCELERATORS = [
    "a100-sxm-80gb", "h100-sxm-80gb", "h200-sxm-141gb", "b200-sxm-180gb", "gb200", "gb300",
    "mi300x", "mi325x", "mi355x", "tpu-v5e", "tpu-v6e", "inferentia2", "trainium2", "gaudi3",
    "groq-lpu", "cerebras-cs3", "d-matrix-corsair"]


def test_catalog_has_required_entries_with_sources(catalog):
    for ident in REQUIRED_ACCELERATORS:
        acc = catalog.accelerator(ident)
        assert acc.memory_gb.source and acc.memory_gb.grade
    for ident in ["llama-2-7b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b",
                  "llama-3.1-405b", "mixtral-8x7b", "deepseek-v3", "deepseek-r1"]:
        catalog.model(ident)
    for ident in ["hgx-h100", "hgx-h200", "hgx-b200", "gb200-nvl72", "gb300-nvl72", "mi300x-8",
                  "mi325x-8", "groq-node", "groq-rack", "cerebras-cs3-system", "tpu-v6e-8",
                  "inf2-48xlarge"]:
        catalog.system(ident)
    claims = [a for a in catalog.accelerators.values() if a.status != "shipping"]
    assert {"rubin", "groq-3-lpu", "etched-sohu", "taalas-hc1"} <= {a.id for a in claims}
    for a in ("a100-sxm-80gb", "h100-sxm-80gb", "h200-sxm-141gb", "b200-sxm-180gb", "gb200"):
        assert catalog.accelerator(a).mig is not None


def test_user_catalog_overrides_and_is_validated(tmp_path):
    base = load_catalog()
    h100 = base.accelerator("h100-sxm-80gb").model_dump(mode="json")
    h100["price_usd"] = {"value": 12345, "source": "our quote", "grade": "P"}
    good = tmp_path / "mine.json"
    good.write_text(json.dumps({"accelerators": [h100]}))
    cat = load_catalog([good])
    assert cat.accelerator("h100-sxm-80gb").price_usd.value == 12345
    h100["memory_bw_gbs"]["value"] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"accelerators": [h100]}))
    with pytest.raises(PlannerError, match="memory_bw_gbs"):
        Catalog().add_file(bad)


@pytest.mark.parametrize("layout,ok", [
    (["3g.40gb", "3g.40gb"], True), (["4g.40gb", "3g.40gb"], True),
    (["1g.10gb"] * 7, True), (["1g.10gb"] * 8, False), (["4g.40gb", "4g.40gb"], False),
    (["7g.80gb", "1g.10gb"], False), (["2g.20gb"] * 3 + ["1g.10gb"], True),
    (["1g.20gb"] * 4, True), (["1g.20gb"] * 5, False),
])
def test_mig_layouts_follow_nvidia_rules(catalog, layout, ok):
    assert allowed(catalog.accelerator("h100-sxm-80gb").mig, layout) is ok


def test_example_plan_round_trips_and_evaluates(example_plan, catalog):
    again = plan_from_json(plan_to_json(example_plan))
    assert again == example_plan
    r = evaluate(example_plan, catalog)
    assert list(r.kpis.scenario) == example_plan.scenario_names()
    base = r.kpi("base")
    assert base.accelerators >= 32 and base.usd_per_m_output_tokens > 0
    assert (r.workloads.meets_slo).all()
    dearer = r.kpi("Power +50%")
    assert dearer.opex_energy_usd_per_year == pytest.approx(
        base.opex_energy_usd_per_year * 0.121 / 0.0806)
    assert {"usd_per_m_output_tokens", "facility_mw_peak", "ttft_p99_ms"} <= set(r.kpis.columns)


def test_warnings_name_their_item(example_plan, catalog):
    tight = apply_overrides(example_plan, {"pools.serving.count": 1,
                                          "workloads.chat.traffic.peak_rps": 500.0})
    r = evaluate(tight, catalog, scenarios=["base"])
    kinds = {(w["kind"], w["item"]) for w in r.warnings}
    assert ("slo-missed", "pools.serving") in kinds
    low = apply_overrides(example_plan, {"facility.rack_power_budget_kw": 50})
    r = evaluate(low, catalog, scenarios=["base"])
    assert any(w["kind"] == "rack-over-budget" for w in r.warnings)


def test_mig_pool_serves_small_tenants(catalog, example_plan):
    data = json.loads(plan_to_json(example_plan))
    data["workloads"][0].update(model="llama-3.1-8b", weight_precision="fp8")
    data["workloads"][0]["traffic"]["peak_rps"] = 3.0
    data["pools"][0].update(system="hgx-h100", layout={"mig": [
        {"profile": "3g.40gb", "workload": "chat"}, {"profile": "3g.40gb", "workload": "chat"}]})
    data["scenarios"] = []
    plan = plan_from_json(json.dumps(data))
    r = evaluate(plan, catalog)
    row = r.workloads.iloc[0]
    assert row.layout == "MIG 3g.40gb" and row.meets_slo
    data["pools"][0]["layout"]["mig"].append({"profile": "4g.40gb", "workload": "chat"})
    r = evaluate(plan_from_json(json.dumps(data)), catalog)
    assert any(w["kind"] == "invalid-mig" for w in r.warnings)
