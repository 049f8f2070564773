"""Calibration profiles: your measurements fitted on top of the built-in calibration, used by
a plan that embeds them, without touching the families you did not measure."""

import json
from pathlib import Path

import numpy as np
import pytest

from planner_core import Plan, PlannerError, evaluate
from planner_core.engine.calibration import default_calibration
from planner_core.evidence.imports import Hints, import_measurements
from planner_core.evidence.profile import fit_profile, plan_reference, read_profile, write_profile
from planner_core.evidence.validation import validate_cases
from planner_core.plan import plan_from_json, plan_to_json
from planner_core.resources import resource_path

DATA = Path(__file__).parent.parent / "data" / "benchmarks"
MLPERF = DATA / "mlperf/H200-SXM-141GBx8_TRT/llama2-70b-99/Offline/performance/run_1" \
    / "mlperf_log_summary.txt"


@pytest.fixture(scope="module")
def mine(tmp_path_factory):
    """Imported fixtures (vLLM, GuideLLM, MLPerf) as cases, and the profile fitted on them."""
    folder = tmp_path_factory.mktemp("profile")
    cases = folder / "mine.csv"
    parts = [import_measurements([DATA / "vllm_bench_serve.json", DATA / "guidellm_report.json"],
                                 Hints(system="h100-sxm-80gb", engine="vllm")).cases,
             import_measurements([MLPERF], Hints(system="h200-sxm-141gb", engine="vllm",
                                                 isl=300, osl=291)).cases]
    import pandas as pd

    pd.concat(parts).to_csv(cases, index=False)
    profile = fit_profile([cases], "lab node")
    path = write_profile(profile, folder / "lab.json")
    return cases, profile, path


def test_the_profile_fits_only_the_pairs_its_cases_cover_and_lowers_their_error(mine):
    cases, profile, _ = mine
    assert set(profile["fits"]) == {"vllm/hopper"}
    fit = profile["fits"]["vllm/hopper"]
    assert fit["median_abs_error_pct"] < fit["before_median_abs_error_pct"]
    cal = default_calibration()
    before = validate_cases(cases, calibration=cal)
    after = validate_cases(cases, calibration=cal.with_profile(profile))
    assert after.median_abs_error_pct < before.median_abs_error_pct
    for g in profile["groups"]:
        assert {"before_median_abs_error_pct", "after_median_abs_error_pct"} <= set(g)


def test_the_built_in_cases_of_other_families_move_less_than_a_point(mine):
    _, profile, _ = mine
    cal = default_calibration()
    for name in ("calibration_cases.csv", "calibration_cases_more.csv"):
        a = validate_cases(resource_path(name), calibration=cal)
        b = validate_cases(resource_path(name), calibration=cal.with_profile(profile))
        assert abs(a.median_abs_error_pct - b.median_abs_error_pct) < 1.0, name
        # Nothing the profile did not measure changes at all.
        other = a.table.engine != "vllm"
        assert np.allclose(a.table.predicted[other], b.table.predicted[other])


def test_a_handful_of_cases_is_pulled_toward_the_built_in_knobs(mine, tmp_path):
    cases, _, _ = mine
    import pandas as pd

    one = tmp_path / "one.csv"
    pd.read_csv(cases).head(2).to_csv(one, index=False)
    from planner_core.evidence import profile as prof

    anchored = prof.fit_profile([one], "two cases")["fits"]["vllm/hopper"]
    free = prof.PULL
    try:
        prof.PULL = 0.0
        loose = prof.fit_profile([one], "unregularised")["fits"]["vllm/hopper"]
    finally:
        prof.PULL = free
    base = default_calibration().efficiency("hopper", None, "vllm")
    moved = lambda fit: sum(abs(fit[k] - getattr(base, k)) / max(abs(getattr(base, k)), 1e-9)  # noqa: E731
                            for k in fit["fitted"])
    assert moved(anchored) <= moved(loose)


def _plan() -> Plan:
    return Plan.model_validate({"name": "lab", "workloads": [
        {"name": "chat", "model": "llama-3.1-8b", "traffic": {"peak_rps": 20.0},
         "input_tokens": {"mean": 1024}, "output_tokens": {"mean": 256},
         "slo": {"ttft_p99_ms": 2000, "tpot_p99_ms": 60}}],
        "pools": [{"name": "gpus", "system": "hgx-h100", "engine": "vllm",
                   "workloads": ["chat"]}]})


def test_a_plan_embeds_the_profile_and_its_numbers_follow_it(mine):
    _, profile, _ = mine
    plain = _plan()
    data = plain.model_dump(mode="json")
    data["calibration_profile"] = plan_reference(profile)
    with_profile = Plan.model_validate(data)
    a, b = evaluate(plain), evaluate(with_profile)
    assert a.workloads.iloc[0].capacity_rps_per_replica != pytest.approx(
        b.workloads.iloc[0].capacity_rps_per_replica, rel=1e-3)
    assert "profile 'lab node'" in b.pools.iloc[0].calibration_basis
    # Saved and read back (a mailed plan), the numbers are the same.
    again = evaluate(plan_from_json(plan_to_json(with_profile)))
    assert again.kpi().usd_per_m_tokens == pytest.approx(b.kpi().usd_per_m_tokens)


def test_a_damaged_profile_in_a_plan_is_refused(mine):
    _, profile, _ = mine
    data = _plan().model_dump(mode="json")
    ref = plan_reference(profile)
    ref["profile"] = json.loads(json.dumps(ref["profile"]))
    ref["profile"]["fits"]["vllm/hopper"]["compute"] = 0.99
    data["calibration_profile"] = ref
    with pytest.raises(PlannerError, match="does not match its sha256"):
        plan_from_json(json.dumps(data))


def test_profile_files_are_checked(tmp_path, mine):
    _, _, path = mine
    assert read_profile(path)["name"] == "lab node"
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "inference-planner-plan"}')
    with pytest.raises(PlannerError, match="not a calibration profile"):
        read_profile(bad)
    bad.write_text('{"format": "inference-planner-calibration-profile", "fits": {"x": 1}}')
    with pytest.raises(PlannerError, match="not an engine/family fit"):
        read_profile(bad)
