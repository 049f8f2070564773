"""Plans of realistic size for `make bench`."""

from __future__ import annotations

from planner_core.plan import Plan

#: (prompt, answer) tokens the workloads cycle through: chat, RAG, summarising, coding.
SHAPES = ((2000, 400), (8000, 300), (16000, 800), (1200, 1200))


def many_workloads(plan: Plan, n: int, per_pool: int = 50) -> Plan:
    """``plan``'s first workload copied ``n`` times (token shapes cycled, peak rates varied),
    ``per_pool`` of them on each copy of its first pool: a large enterprise's tenants."""
    data = plan.model_dump(mode="json", exclude={"scenarios", "baseline", "timeline"})
    w0, p0 = data["workloads"][0], data["pools"][0]
    workloads, pools = [], []
    for i in range(n):
        isl, osl = SHAPES[i % len(SHAPES)]
        w = {**w0, "name": f"tenant-{i:03d}", "pool_shares": {},
             "traffic": {**w0["traffic"], "peak_rps": 1.0 + (i * 7) % 40},
             "input_tokens": {**w0["input_tokens"], "mean": isl},
             "output_tokens": {**w0["output_tokens"], "mean": osl}}
        workloads.append(w)
        if i % per_pool == 0:
            pools.append({**p0, "name": f"pool-{i // per_pool:02d}", "workloads": []})
        pools[-1]["workloads"].append(w["name"])
    data.update(workloads=workloads, pools=pools)
    return Plan.model_validate(data)
