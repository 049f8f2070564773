"""The dashboard's curves pass through the operating point the sizing reports."""

import numpy as np
import pytest

from planner_core import evaluate, read_plan
from planner_core.engine.curves import latency_vs_load
from planner_core.resources import resource_path


@pytest.mark.parametrize("example,scenario", [
    ("deepseek-v3-disagg-gb200.json", "base"),  # disaggregated
    ("deepseek-v3-disagg-gb200.json", "Aggregated"),
    ("llama70b-chat.json", "Groq LPU racks"),  # lognormal prompts: the queue uses their spread
])
def test_latency_curve_meets_the_sized_point(catalog, example, scenario):
    plan = read_plan(resource_path("examples", example), catalog)
    results = evaluate(plan, catalog, scenarios=[scenario])
    ws = results.sizings[scenario][0].workloads[0]
    rate = float(ws.point.rate_rps)
    curve = latency_vs_load(ws, points=400)
    on_curve = np.interp(rate, curve["rate_rps"], curve["ttft_p99_ms"])
    sized = 1e3 * float(ws.point.ttft_p99_s) + ws.kv_transfer_ms
    assert on_curve == pytest.approx(sized, rel=0.03)
