"""NVIDIA genai-perf's ``profile_export_genai_perf.json``/``.csv`` and its successor AIPerf's
``profile_export_aiperf.json``/``.csv``.

The JSON holds one summary per metric (``avg``, percentiles, ``unit``) and the run's settings
under ``input_config``, whose shape changed over releases (flat argparse keys; nested
``perf_analyzer.stimulus``; AIPerf's ``endpoint``/``loadgen``; AIPerf 0.1's ``records``).
The CSVs hold the statistics only: the load and model are read from the artifact folder's
name (``<model>-<service>-<endpoint>-concurrency<N>``) where it has that shape.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from planner_core.evidence.imports.run import FormatError, Run, number, positive

#: JSON metric keys (genai-perf and AIPerf ≥ 0.2; AIPerf 0.1 tags in brackets).
_KEYS = {"output_tok_s": ("output_token_throughput",),
         "ttft_ms": ("time_to_first_token", "ttft"),
         "itl_ms": ("inter_token_latency",),
         "isl": ("input_sequence_length",), "osl": ("output_sequence_length",)}
#: CSV row labels (case-insensitive, units stripped).
_LABELS = {"output_tok_s": "output token throughput", "ttft_ms": "time to first token",
           "itl_ms": "inter token latency", "isl": "input sequence length",
           "osl": "output sequence length"}
_FOLDER = re.compile(r"^(?P<model>.+?)-(openai|triton|dynamic_grpc|tensorrtllm_engine)-.*?-"
                     r"(?P<kind>concurrency|request_rate)(?P<value>[0-9.]+)$")


def _is_json_export(data) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("records"), dict):  # AIPerf 0.1
        return True
    return isinstance(data.get("time_to_first_token") or data.get("output_token_throughput"),
                      dict) and "input_config" in data


def recognises(text: str, data) -> bool:
    if data is not None:
        return _is_json_export(data)
    return text.lstrip().lower().startswith("metric,avg,min,max,")


def _stat(entry, what: str, stat: str = "avg") -> float | None:
    if not isinstance(entry, dict) or entry.get(stat) in (None, ""):
        return None
    value = number(entry[stat], f"{what}.{stat}")
    return value / 1e6 if entry.get("unit") == "ns" else value


def _json_metrics(data: dict) -> tuple[dict, dict]:
    """(statistics by our name -> avg, p99 of TTFT) from either JSON layout."""
    table = data["records"] if isinstance(data.get("records"), dict) else data
    avg, p99 = {}, {}
    for ours, keys in _KEYS.items():
        entry = next((table[k] for k in keys if isinstance(table.get(k), dict)), None)
        value = _stat(entry, keys[0])
        if value is not None:
            avg[ours] = value
            if ours == "ttft_ms":
                p99[ours] = _stat(entry, keys[0], "p99")
    return avg, p99


def _json_settings(config) -> tuple[str | None, str | None, float | None, str | None]:
    """(model, load kind, load value, engine) from ``input_config`` in any of its shapes."""
    if not isinstance(config, dict):
        return None, None, None, None
    model = None
    names = (config.get("model_names") or (config.get("endpoint") or {}).get("model_names")
             or config.get("model"))
    if isinstance(names, list) and names:
        model = str(names[0])
    elif isinstance(names, str) and names:
        model = names
    load = (config.get("perf_analyzer") or {}).get("stimulus") or config.get("loadgen") \
        or config
    kind = value = None
    for key in ("concurrency", "request_rate"):
        if isinstance(load, dict) and load.get(key) not in (None, "", 0):
            kind, value = key, positive(load[key], key)
            break
    endpoint = config.get("endpoint") if isinstance(config.get("endpoint"), dict) else config
    engine = None
    # genai-perf's --backend defaults to "tensorrtllm" whatever the server: it names the
    # engine only when the service is Triton's own.
    if endpoint.get("service_kind") == "triton":
        engine = {"tensorrtllm": "trtllm", "vllm": "vllm"}.get(str(endpoint.get("backend")))
    return model, kind, value, engine


def _csv_metrics(text: str) -> tuple[dict, dict]:
    avg, p99 = {}, {}
    header: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        if not row or not any(c.strip() for c in row):
            continue
        if row[0].strip().lower() == "metric":
            header = [c.strip().lower() for c in row]
            continue
        label = re.sub(r"\s*\(.*\)\s*$", "", row[0]).strip().lower()
        ours = next((k for k, v in _LABELS.items() if v == label), None)
        if ours is None or len(row) < 2:
            continue
        cells = dict(zip(header, row, strict=False))
        raw = cells.get("avg", cells.get("value", row[1]))
        avg[ours] = number(str(raw).replace(",", ""), row[0])
        if ours == "ttft_ms" and cells.get("p99") not in (None, "", "N/A"):
            p99[ours] = number(str(cells["p99"]).replace(",", ""), f"{row[0]} p99")
    return avg, p99


def read(text: str, data, path: Path) -> list[Run]:
    tool = "AIPerf" if isinstance(data, dict) and ("was_cancelled" in data or "records" in data
                                                   or "aiperf" in path.name) else "genai-perf"
    if data is not None:
        avg, p99 = _json_metrics(data)
        model, kind, value, engine = _json_settings(data.get("input_config"))
        notes = []
    else:
        tool = "AIPerf" if "aiperf" in path.name.lower() else "genai-perf"
        avg, p99 = _csv_metrics(text)
        model = kind = value = engine = None
        m = _FOLDER.match(path.parent.name)
        notes = []
        if m:
            model, kind, value = m.group("model"), m.group("kind"), float(m.group("value"))
            notes.append(f"model and load read from the folder name {path.parent.name!r}")
    if "output_tok_s" not in avg:
        raise FormatError("no output token throughput (output_token_throughput)")
    if "isl" not in avg or "osl" not in avg:
        raise FormatError("no input and output sequence lengths")
    if kind is None:
        raise FormatError("the file does not say its load (concurrency or request rate); "
                          "use the JSON export, which records it")
    metrics = {"output_tok_s": positive(avg["output_tok_s"], "output token throughput")}
    for ours in ("ttft_ms", "itl_ms"):
        if avg.get(ours):
            metrics[ours] = positive(avg[ours], ours)
    run = Run(tool=tool, scenario="concurrency" if kind == "concurrency" else "rate",
              isl=positive(avg["isl"], "input sequence length"),
              osl=positive(avg["osl"], "output sequence length"), metrics=metrics,
              model=model, engine=engine, notes=notes)
    if kind == "concurrency":
        run.concurrency, run.label = int(value), f"concurrency {int(value)}"
    else:
        # At a set rate the output is the rate's: only the latencies measure the server.
        del metrics["output_tok_s"]
        run.rate_rps, run.label = value, f"{value:g} req/s"
        if p99.get("ttft_ms"):
            metrics["ttft_p99_ms"] = positive(p99["ttft_ms"], "time to first token p99")
    return [run]
