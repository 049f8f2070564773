"""vLLM's ``vllm bench serve --save-result`` JSON (and the older
``benchmarks/benchmark_serving.py`` one): one object, or one per line with
``--append-result``. The model is ``model_id``; ``--metadata tp=N`` adds a string ``tp``."""

from __future__ import annotations

from pathlib import Path

from planner_core.evidence.imports.run import Run, number
from planner_core.evidence.imports.serving_bench import objects, serving_run


def _is_result(obj) -> bool:
    return isinstance(obj, dict) and "model_id" in obj and "output_throughput" in obj \
        and "total_output_tokens_retokenized" not in obj


def recognises(text: str, data) -> bool:
    return data is not None and all(_is_result(o) for o in objects(data))


def read(text: str, data, path: Path) -> list[Run]:
    runs = []
    for obj in objects(data):
        run = serving_run(obj, "vLLM bench serve", input_tokens="total_input_tokens",
                          output_tokens="total_output_tokens")
        run.model = str(obj["model_id"])
        for key in ("tp", "tensor_parallel_size", "tensor-parallel-size"):
            if obj.get(key) not in (None, ""):
                run.tp = int(number(obj[key], f"metadata {key}"))
                break
        if obj.get("date"):
            run.label = f"{obj['date']}, {run.label}"
        runs.append(run)
    return runs
