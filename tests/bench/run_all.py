"""`make bench`: the speed and memory figures of issue 18, each as min / median / max over
repeats against its target; asserts nothing (tests check behaviour, not timings)."""

from __future__ import annotations

import numpy as np

from tests.bench.figures import HEAD, line, repeat
from tests.bench.plans import many_workloads


def main() -> None:
    from planner_core.catalog import load_catalog
    from planner_core.engine.evaluate import evaluate
    from planner_core.plan import plan_from_json
    from planner_core.resources import resource_path
    from planner_core.whatif.evaluate_many import evaluate_many
    from planner_core.whatif.optimize import optimize

    catalog = load_catalog()
    plan = plan_from_json(resource_path("examples", "llama70b-chat.json").read_text())
    evaluate(plan, catalog)
    print(HEAD)
    print(line("evaluate, chat example, base scenario", repeat(
        lambda: evaluate(plan, catalog, scenarios=["base"]), 30), "ms", 2, 1e3))
    print(line("evaluate, chat example, 4 scenarios", repeat(
        lambda: evaluate(plan, catalog), 10), "ms", None, 1e3))
    n = 1_000_000
    print(offline_throughput(catalog, n))
    big = many_workloads(plan, 500)
    print(line("evaluate, 500 workloads", repeat(
        lambda: evaluate(big, catalog, scenarios=["base"]), 3), "s", 0.5))
    prompts = np.round(np.linspace(128.0, 32_768.0, n))
    print(line(f"evaluate_many, {n:,} prompt lengths", repeat(lambda: evaluate_many(
        plan, {"workloads.chat.input_tokens.mean": prompts}, catalog), 3), "s", 1.0))
    rps = np.linspace(1.0, 2000.0, n)
    print(line(f"evaluate_many, {n:,} peak request rates", repeat(lambda: evaluate_many(
        plan, {"workloads.chat.traffic.peak_rps": rps}, catalog), 3), "s", 1.0))
    price = np.linspace(0.02, 0.4, n)
    print(line(f"evaluate_many, {n:,} electricity prices", repeat(lambda: evaluate_many(
        plan, {"facility.electricity_usd_per_kwh": price}, catalog), 3), "s"))
    options = len(optimize(plan, "chat", catalog))
    print(line(f"optimize chat, full catalog ({options:,} options)", repeat(
        lambda: optimize(plan, "chat", catalog), 3), "s", 1.0))
    deepseek = plan_from_json(resource_path("examples", "deepseek-v3-disagg-gb200.json")
                              .read_text())
    print(line("optimize DeepSeek-V3 (EP layouts too)", repeat(
        lambda: optimize(deepseek, "reasoning-api", catalog), 2), "s"))
    print(line("core peak memory (this process)", [peak_rss_mb()], "MB", 300))

    from . import gui

    gui.main()


def offline_throughput(catalog, n: int) -> str:
    """The engine on a million configurations at once (hardware figures varied)."""
    from planner_core.engine.replica import model_shape, replica_hw
    from planner_core.engine.serving import offline
    from planner_core.engine.step_times import Efficiency

    rng = np.random.default_rng(0)
    shape = model_shape(catalog.model("llama-3.1-70b"), "fp8", "fp8")
    hw = replica_hw(catalog.accelerator("h100-sxm-80gb"), tp=8)
    hw = hw.with_(bw=hw.bw * rng.uniform(0.5, 2.0, n), flops=hw.flops * rng.uniform(0.5, 2.0, n))
    isl = rng.integers(64, 8192, n).astype(float)
    osl = rng.integers(64, 4096, n).astype(float)
    times = repeat(lambda: offline(hw, shape, Efficiency(), isl, osl), 3)
    return line(f"offline throughput, {n:,} configs", [n / t / 1e6 for t in times], "M/s",
                1.0, at_least=True)


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for row in status.read().splitlines():
                if row.startswith("VmHWM:"):
                    return int(row.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
