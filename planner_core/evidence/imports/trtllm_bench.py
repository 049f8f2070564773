"""TensorRT-LLM's ``trtllm-bench … throughput`` report: the text it prints (its labels changed
across releases; each field is read under any of its names) or its ``--report_json``.

trtllm-bench sends every request at once unless run with ``--concurrency N``, which neither
report records: a run is read as offline (maximum throughput) unless the user gives the
concurrency it was run at (``--concurrency``).
"""

from __future__ import annotations

import re
from pathlib import Path

from planner_core.evidence.imports.run import FormatError, Run, number, positive

#: field -> the labels it has had, newest first.
LABELS = {
    "model": ("Model",),
    "tp": ("TP Size",),
    "pp": ("PP Size",),
    "quantization": ("Quantization",),
    "dtype": ("Dtype",),
    "isl": ("Average Input Length (tokens)",),
    "osl": ("Average Output Length (tokens)",),
    "output_tok_s": ("Total Output Throughput (tokens/sec)", "Token Throughput (tokens/sec)"),
    "ttft_ms": ("Average time-to-first-token [TTFT] (ms)", "Average time-to-first-token (ms)"),
    "itl_ms": ("Average time-per-output-token [TPOT] (ms)", "Average inter-token latency (ms)"),
}
_QUANT = {"fp8": "fp8", "nvfp4": "fp4", "fp4": "fp4", "w4a16_awq": "int4", "int4_awq": "int4",
          "w8a16": "int8", "int8": "int8", "w4a8_awq": "int4"}
_DTYPE = {"bfloat16": "bf16", "float16": "fp16", "bf16": "bf16", "fp16": "fp16"}


def recognises(text: str, data) -> bool:
    if isinstance(data, dict):
        return "performance" in data and "world_info" in data
    return data is None and re.search(r"^=\s*PERFORMANCE OVERVIEW", text, re.MULTILINE) \
        is not None


def _text_fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for field, labels in LABELS.items():
        for label in labels:
            m = re.search(rf"^[ \t]*{re.escape(label)}:[ \t]*(.*?)[ \t]*$", text, re.MULTILINE)
            if m:
                found[field] = m.group(1)
                break
    return found


def _json_fields(data: dict) -> dict:
    def get(section, key):
        part = data.get(section)
        return part.get(key) if isinstance(part, dict) else None

    return {"model": get("engine", "model"), "quantization": get("engine", "quantization"),
            "dtype": get("engine", "dtype"), "tp": get("world_info", "tp_size"),
            "pp": get("world_info", "pp_size"),
            "isl": get("request_info", "avg_input_length"),
            "osl": get("request_info", "avg_output_length"),
            "output_tok_s": get("performance", "system_output_throughput_tok_s"),
            "ttft_ms": get("streaming_metrics", "avg_ttft_ms"),
            "itl_ms": get("streaming_metrics", "avg_tpot_ms")}


def _precision(f: dict) -> str | None:
    quant = str(f.get("quantization") or "").strip().lower()
    if quant and quant != "none":
        if quant not in _QUANT:
            raise FormatError(f"quantization {f['quantization']!r} is not one the planner "
                              "models (FP8, NVFP4, INT8, INT4 AWQ)")
        return _QUANT[quant]
    return _DTYPE.get(str(f.get("dtype") or "").strip().lower())


def read(text: str, data, path: Path) -> list[Run]:
    f = _json_fields(data) if isinstance(data, dict) else _text_fields(text)
    if f.get("output_tok_s") is None:
        raise FormatError("no output throughput ('Total Output Throughput (tokens/sec)')")
    for key in ("isl", "osl"):
        if f.get(key) is None:
            raise FormatError("no average input and output lengths ('Average Input Length "
                              "(tokens)')")
    run = Run(tool="trtllm-bench", scenario="offline",
              isl=positive(f["isl"], "average input length"),
              osl=positive(f["osl"], "average output length"),
              metrics={"output_tok_s": positive(f["output_tok_s"], "output throughput")},
              engine="trtllm", precision=_precision(f), label="throughput",
              load_stated=False)
    model = str(f.get("model") or "").strip()
    run.model = model if model and model != "None" else None
    for key in ("tp", "pp"):
        if f.get(key) not in (None, "", "None"):
            setattr(run, key, int(number(f[key], f"{key.upper()} size")))
    # Latencies mean something only at a known load (rows.case_rows).
    run.latencies = {k: positive(f[k], k) for k in ("ttft_ms", "itl_ms")
                     if f.get(k) not in (None, "", "None")}
    return [run]
