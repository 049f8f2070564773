"""`make bench`: prints speed and memory figures (targets in brackets); asserts nothing."""

from __future__ import annotations

import resource
import statistics
import time

import numpy as np


def _ms(fn, repeat=15) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    from planner_core.catalog import load_catalog
    from planner_core.engine.evaluate import evaluate
    from planner_core.engine.replica import model_shape, replica_hw
    from planner_core.engine.serving import offline
    from planner_core.engine.step_times import Efficiency
    from planner_core.plan import plan_from_json
    from planner_core.resources import resource_path

    catalog = load_catalog()
    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    evaluate(plan, catalog)
    one = _ms(lambda: evaluate(plan, catalog, scenarios=["base"]))
    every = _ms(lambda: evaluate(plan, catalog), repeat=5)
    print(f"evaluate example plan, base scenario : {one:8.2f} ms   [target <= 5 ms]")
    print(f"evaluate example plan, 4 scenarios   : {every:8.2f} ms")

    n = 1_000_000
    rng = np.random.default_rng(0)
    shape = model_shape(catalog.model("llama-3.1-70b"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"), tp=8)
    hw = hw.with_(bw=hw.bw * rng.uniform(0.5, 2.0, n), flops=hw.flops * rng.uniform(0.5, 2.0, n))
    isl = rng.integers(64, 8192, n).astype(float)
    osl = rng.integers(64, 4096, n).astype(float)
    eff = Efficiency()
    t = time.perf_counter()
    out = offline(hw, shape, eff, isl, osl)
    dt = time.perf_counter() - t
    assert out.output_tok_s.shape == (n,)
    print(f"offline throughput, {n:,} configs  : {dt * 1e3:8.1f} ms = "
          f"{n / dt:,.0f} configs/s   [target >= 1,000,000/s on one core]")
    from planner_core.whatif.evaluate_many import evaluate_many
    from planner_core.whatif.optimize import optimize

    rps = np.linspace(1.0, 2000.0, n)
    sweep_s = min(_timed(lambda: evaluate_many(plan, {"workloads.chat.traffic.peak_rps": rps},
                                                catalog)) for _ in range(3))
    print(f"sweep of peak requests/s, {n:,} values: {sweep_s * 1e3:8.1f} ms   [target <= 1 s]")
    price = np.linspace(0.02, 0.4, n)
    price_s = min(_timed(lambda: evaluate_many(
        plan, {"facility.electricity_usd_per_kwh": price}, catalog)) for _ in range(3))
    print(f"sweep of electricity price, {n:,} values: {price_s * 1e3:6.1f} ms")
    optimize(plan, "chat", catalog)
    opt_s = min(_timed(lambda: optimize(plan, "chat", catalog)) for _ in range(3))
    options = len(optimize(plan, "chat", catalog))
    print(f"optimize the chat workload, full catalog ({options:,} options): "
          f"{opt_s * 1e3:6.0f} ms   [target <= 1 s]")
    deepseek = plan_from_json(resource_path("examples", "deepseek-v3-disagg-gb200.json")
                              .read_text())
    ds_s = min(_timed(lambda: optimize(deepseek, "reasoning-api", catalog)) for _ in range(2))
    print(f"optimize DeepSeek-V3 (MoE: EP layouts too), full catalog: {ds_s * 1e3:6.0f} ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory (core)          : {rss:8.1f} MB")

    from . import gui

    gui.main()


if __name__ == "__main__":
    main()
