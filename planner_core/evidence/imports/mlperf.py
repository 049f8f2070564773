"""MLPerf Inference LoadGen's ``mlperf_log_summary.txt``.

The summary gives the scenario, the throughput (``Tokens per second`` for the LLM benchmarks,
``Completed tokens per second`` in the server scenario) and, in its "Test Parameters Used"
block, the server scenario's latency limits. It does not name the model or the hardware: the
benchmark and the system are the folder names of a results tree
(``…/<system>/<benchmark>/<Scenario>/performance/run_1/``), read from the path where it has
that shape, else from the user's flags. It never states the token lengths (the benchmark's
dataset fixes them): those come from ``--isl``/``--osl``.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner_core.evidence.imports.run import FormatError, Run, positive

_LINE = re.compile(r"^\s*([^:]+?)\s*:\s*(.*?)\s*$")
_SCENARIOS = {"offline": "offline", "server": "server", "singlestream": "single_stream",
              "interactive": "server"}


def recognises(text: str, data) -> bool:
    return data is None and "MLPerf Results Summary" in text[:2000]


def _fields(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m and m.group(1) not in out:
            out[m.group(1).lower()] = m.group(2)
    return out


def _ns_to_ms(fields: dict[str, str], key: str) -> float | None:
    return positive(fields[key], key) / 1e6 if key in fields else None


def read(text: str, data, path: Path) -> list[Run]:
    f = _fields(text)
    scenario_name = f.get("scenario", "").lower().replace(" ", "")
    if scenario_name not in _SCENARIOS:
        raise FormatError(f"scenario {f.get('scenario')!r} is not Offline, Server or "
                          "SingleStream")
    if f.get("mode", "").lower().replace(" ", "") not in ("performanceonly", ""):
        raise FormatError(f"mode {f.get('mode')!r} is not a performance run")
    scenario = _SCENARIOS[scenario_name]
    tokens = next((f[k] for k in ("tokens per second", "completed tokens per second")
                   if k in f), None)
    if tokens is None:
        raise FormatError("no 'Tokens per second' line: only the LLM benchmarks' summaries "
                          "(MLPerf v4.0 on) give output tokens per second")
    metrics = {"output_tok_s": positive(tokens, "Tokens per second")}
    validity = f.get("result is", "").upper()
    label = f"{f.get('sut name', 'SUT')}, {f.get('scenario')}" + \
        ("" if validity == "VALID" else f", result {validity or 'not stated'}")
    run = Run(tool="MLPerf LoadGen", scenario=scenario, isl=None, osl=None, metrics=metrics,
              label=label)
    if scenario == "server":
        run.ttft_limit_ms = _ns_to_ms(f, "ttft_latency (ns)")
        run.tpot_limit_ms = _ns_to_ms(f, "tpot_latency (ns)")
    elif scenario == "single_stream":
        first = _ns_to_ms(f, "mean first token latency (ns)")
        if first is not None:
            metrics["ttft_ms"] = first
        tpot = _ns_to_ms(f, "mean time to output token (ns)")
        if tpot is not None:
            metrics["itl_ms"] = tpot
    # A results tree: …/<system>/<benchmark>/<Scenario>/performance/run_N/<this file>.
    parts = path.resolve().parts
    # Since v5.1 an "Interactive" folder holds a summary that says Server.
    if len(parts) >= 6 and parts[-3] == "performance" and \
            parts[-4].lower() in (scenario_name, "interactive"):
        run.model = re.sub(r"(-interactive)?(-99(\.9)?)?$", "", parts[-5])
        run.hardware = parts[-6]
        m = re.search(r"x(\d+)(?:_|$)", run.hardware)
        if m:
            run.accelerators = int(m.group(1))
        run.notes.append(f"benchmark {parts[-5]!r} and system {run.hardware!r} read from the "
                         "results folder's names")
    return [run]
