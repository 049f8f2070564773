"""SGLang's ``bench_serving`` output: JSON Lines, one object appended per run. The model and
the tensor-parallel size are only in ``server_info`` (recent builds)."""

from __future__ import annotations

from pathlib import Path

from planner_core.evidence.imports.run import Run, number
from planner_core.evidence.imports.serving_bench import objects, serving_run


def _is_result(obj) -> bool:
    return isinstance(obj, dict) and "output_throughput" in obj and (
        "total_output_tokens_retokenized" in obj or "total_output_retokenized" in obj
        or "mean_e2e_latency_ms" in obj)


def recognises(text: str, data) -> bool:
    return data is not None and all(_is_result(o) for o in objects(data))


def read(text: str, data, path: Path) -> list[Run]:
    runs = []
    for obj in objects(data):
        # A refactored build writes the totals under shorter names.
        short = "total_input" in obj and "total_input_tokens" not in obj
        run = serving_run(obj, "SGLang bench_serving",
                          input_tokens="total_input" if short else "total_input_tokens",
                          output_tokens="total_output" if short else "total_output_tokens")
        info = obj.get("server_info")
        if isinstance(info, dict):
            if info.get("model_path"):
                run.model = str(info["model_path"])
            if info.get("tp_size") is not None:
                run.tp = int(number(info["tp_size"], "server_info.tp_size"))
        if obj.get("dataset_name"):
            run.label = f"{obj['dataset_name']}, {run.label}"
        runs.append(run)
    return runs
