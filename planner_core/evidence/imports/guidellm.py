"""GuideLLM's JSON report (``guidellm benchmark --output-path report.json``, v0.2–v0.3): one
benchmark per rate strategy the run tried (a sweep gives about ten), each with its strategy
(synchronous, concurrent, throughput, constant or poisson), the model behind the target, and
per-metric distributions whose ``successful`` part holds the headline figures."""

from __future__ import annotations

from pathlib import Path

from planner_core.evidence.imports.run import FormatError, Run, number, positive


def recognises(text: str, data) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        return False
    first = data["benchmarks"][0] if data["benchmarks"] else None
    return isinstance(first, dict) and first.get("type_") == "generative_benchmark"


def _mean(metrics: dict, key: str, stat: str = "mean") -> float | None:
    part = (metrics.get(key) or {}).get("successful")
    if not isinstance(part, dict):
        return None
    if stat == "mean":
        value = part.get("mean")
    else:
        value = (part.get("percentiles") or {}).get(stat)
    return None if value is None else number(value, f"{key}.{stat}")


def _run(bench: dict, index: int) -> Run:
    if not isinstance(bench, dict) or bench.get("type_") != "generative_benchmark":
        raise FormatError(f"benchmark {index} is not a generative benchmark")
    strategy = ((bench.get("args") or {}).get("strategy")) or {}
    kind = strategy.get("type_")
    metrics = bench.get("metrics") or {}
    isl = _mean(metrics, "prompt_token_count")
    osl = _mean(metrics, "output_token_count")
    out = _mean(metrics, "output_tokens_per_second")
    if out is None or not isl or not osl:
        raise FormatError(f"benchmark {index} ({kind}) has no successful requests' output "
                          "throughput and token counts")
    run = Run(tool="GuideLLM", scenario="concurrency", isl=positive(isl, "prompt tokens"),
              osl=positive(osl, "output tokens"),
              metrics={"output_tok_s": positive(out, "output tokens per second")},
              model=(bench.get("worker") or {}).get("backend_model"))
    if kind == "synchronous":
        run.concurrency, run.label = 1, "synchronous"
    elif kind == "concurrent":
        streams = int(positive(strategy.get("streams"), "strategy.streams"))
        run.concurrency, run.label = streams, f"concurrent, {streams} streams"
    elif kind in ("constant", "poisson"):
        rate = positive(strategy.get("rate"), "strategy.rate")
        run.scenario, run.rate_rps, run.label = "rate", rate, f"{kind}, {rate:g} req/s"
        run.metrics = {}  # the output follows the rate: only the latencies measure the server
        if kind == "constant":
            run.notes.append(f"{run.label}: evenly spaced arrivals, predicted as random "
                             "(Poisson) ones at that rate")
    elif kind == "throughput":
        run.scenario, run.concurrency, run.label = "offline", None, "throughput"
    else:
        raise FormatError(f"benchmark {index}: strategy {kind!r} is not synchronous, "
                          "concurrent, throughput, constant or poisson")
    if run.scenario != "offline":
        ttft = _mean(metrics, "time_to_first_token_ms")
        if ttft:
            run.metrics["ttft_ms"] = positive(ttft, "time_to_first_token_ms")
        if run.scenario == "rate":
            p99 = _mean(metrics, "time_to_first_token_ms", "p99")
            if p99:
                run.metrics["ttft_p99_ms"] = positive(p99, "time_to_first_token_ms p99")
        tpot = _mean(metrics, "time_per_output_token_ms") or \
            _mean(metrics, "inter_token_latency_ms")
        if tpot:
            run.metrics["itl_ms"] = positive(tpot, "time_per_output_token_ms")
    return run


def read(text: str, data, path: Path) -> list[Run]:
    return [_run(b, i) for i, b in enumerate(data["benchmarks"], start=1)]
