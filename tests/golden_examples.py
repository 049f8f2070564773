"""The numbers of the three example plans, kept to catch any change that was not meant.

``tests/data/golden_examples.json`` holds, for each example and every scenario, every value of
``evaluate()``'s tables (KPIs, pools, workloads, hours) and its warnings, plus the KPI rows
``evaluate_many`` gives over a traffic sweep and a prompt-length sweep and the first options of
optimize. It was written before the core moved into its rooms (issue 13) and checked equal
afterwards to 5e-16; the roadmap example and the prompt-length sweep were added before the
speed work of issue 18, with the other numbers unchanged.

When the engine's numbers change on purpose, write it anew and say so in the commit:

    .venv/bin/python -m tests.golden_examples --write
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

EXAMPLES = ("llama70b-chat", "mig-h100-8b-tenants", "deepseek-v3-disagg-gb200",
            "roadmap-2026-2030")
GOLDEN = Path(__file__).parent / "data" / "golden_examples.json"
SWEEP_FACTORS = (0.1, 0.5, 1.0, 1.7, 3.0)
OPTIONS = 8


def _plain(v):
    """A value as JSON can hold it: NaN and infinities as strings."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def snapshot() -> dict:
    from planner_core import evaluate, evaluate_many, read_plan
    from planner_core.resources import resource_path
    from planner_core.whatif.optimize import optimize

    out = {}
    for name in EXAMPLES:
        plan = read_plan(resource_path("examples", f"{name}.json"))
        r = evaluate(plan)
        snap = {t: [{c: _plain(v) for c, v in row.items()}
                    for row in getattr(r, t).to_dict("records")]
                for t in ("kpis", "pools", "workloads", "hourly")}
        snap["warnings"] = r.warnings
        base = plan.variant(plan.baseline)
        w = base.workloads[0]
        many = evaluate_many(base, {f"workloads.{w.name}.traffic.peak_rps":
                                    w.traffic.peak_rps * np.array(SWEEP_FACTORS)})
        snap["traffic_sweep"] = {k: [_plain(x) for x in np.asarray(v).tolist()]
                                 for k, v in many.items()}
        many = evaluate_many(base, {f"workloads.{w.name}.input_tokens.mean":
                                    w.input_tokens.mean * np.array(SWEEP_FACTORS)})
        snap["prompt_sweep"] = {k: [_plain(x) for x in np.asarray(v).tolist()]
                                for k, v in many.items()}
        options = optimize(plan, w.name).sort_values("rank").head(OPTIONS)
        snap["optimize"] = [{c: _plain(v) for c, v in row.items()}
                            for row in options.to_dict("records")]
        out[name] = snap
    return out


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print(__doc__)
        return 2
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(snapshot(), indent=0) + "\n", encoding="utf-8")
    print(f"written {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
