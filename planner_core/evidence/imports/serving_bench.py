"""What vLLM's and SGLang's serving benchmarks share: a run's load (a request rate, a cap on
requests in flight, or everything at once) and its summary statistics, in milliseconds."""

from __future__ import annotations

import math

from planner_core.evidence.imports.run import FormatError, Run, number, positive

#: The benchmark's ``backend`` as the serving engine it names (an OpenAI-compatible client
#: says nothing about the server behind it).
ENGINES = (("sglang", "sglang"), ("vllm", "vllm"), ("tensorrt", "trtllm"), ("trt", "trtllm"))


def engine_of(backend) -> str | None:
    name = str(backend or "").lower()
    return next((e for prefix, e in ENGINES if name.startswith(prefix)), None)


def request_rate(value) -> float:
    """Requests a second; inf for "as fast as possible" ("inf", Infinity or absent)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("inf", "infinity")):
        return math.inf
    if isinstance(value, str) and value.strip().lower() == "trace":
        raise FormatError("request_rate is 'trace' (a replayed trace): its load is not a rate "
                          "or a concurrency the planner can reproduce")
    rate = float(value) if isinstance(value, int | float) else number(value, "request_rate")
    if not rate > 0:
        raise FormatError(f"request_rate must be above 0 (it is {rate:g})")
    return rate


def serving_run(obj: dict, tool: str, *, input_tokens: str, output_tokens: str) -> Run:
    """A run from one result object; ``input_tokens``/``output_tokens`` name its token totals."""
    if not isinstance(obj, dict):
        raise FormatError("a result is not a JSON object")
    completed = positive(obj.get("completed"), "completed")
    for key in (input_tokens, output_tokens, "output_throughput"):
        if key not in obj:
            raise FormatError(f"no {key!r} in the result")
    isl = positive(obj[input_tokens], input_tokens) / completed
    osl = positive(obj[output_tokens], output_tokens) / completed
    rate = request_rate(obj.get("request_rate"))
    cap = obj.get("max_concurrency")
    metrics = {"output_tok_s": positive(obj["output_throughput"], "output_throughput")}
    if math.isfinite(rate):
        # At a set rate the output is the rate's, not the server's capacity: only the
        # latencies measure the server.
        metrics = {}
        scenario, label = "rate", f"{rate:g} req/s"
    elif cap is not None:
        scenario, label = "concurrency", f"concurrency {int(positive(cap, 'max_concurrency'))}"
    else:
        # Every request sent at once: the replica runs as full as it can, as offline.
        scenario, label = "offline", "all requests at once"
    if scenario != "offline":
        if "mean_ttft_ms" in obj:
            metrics["ttft_ms"] = positive(obj["mean_ttft_ms"], "mean_ttft_ms")
        if scenario == "rate" and "p99_ttft_ms" in obj:
            metrics["ttft_p99_ms"] = positive(obj["p99_ttft_ms"], "p99_ttft_ms")
        if "mean_tpot_ms" in obj:
            metrics["itl_ms"] = positive(obj["mean_tpot_ms"], "mean_tpot_ms")
    return Run(tool=tool, scenario=scenario, isl=isl, osl=osl, metrics=metrics,
               engine=engine_of(obj.get("backend") or obj.get("endpoint_type")),
               concurrency=None if scenario != "concurrency" else int(float(cap)),
               rate_rps=rate if scenario == "rate" else None, label=label)


def objects(data) -> list:
    """The result objects of a file: one, or one per line (appended runs)."""
    return data if isinstance(data, list) else [data]
