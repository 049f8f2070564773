"""Runs as rows of the case format: what the file does not say comes from the user's flags,
and nothing is guessed silently. The hardware must be named (files rarely say it); a model is
taken from the file only where its name matches one catalog model exactly (up to the usual
decorations: organisation, "-Instruct", a date); the engine from the file or the flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from planner_core.catalog import Catalog
from planner_core.catalog.engines import ENGINE_CHOICES
from planner_core.evidence.cases import CASE_COLUMNS, OPTIONAL_COLUMNS
from planner_core.evidence.imports.run import FormatError, Run

COLUMNS = CASE_COLUMNS + OPTIONAL_COLUMNS
_DECORATIONS = re.compile(
    r"(-(instruct|chat|hf|base|it|fp8|fp4|nvfp4|bf16|fp16|awq|gptq|int4|int8|dynamic|"
    r"v\d+(\.\d+)+|\d{4}|\d{6,8}))+$")


@dataclass(frozen=True)
class Hints:
    """What the user says of the files (command-line flags or the window's dialog)."""

    system: str | None = None  # a catalog accelerator or system id
    model: str | None = None  # a catalog model id (or alias)
    engine: str | None = None  # trtllm | vllm | sglang | vendor
    tp: int | None = None
    pp: int | None = None
    accelerators: int | None = None
    #: The cap on requests in flight, where the file does not state it (trtllm-bench).
    concurrency: int | None = None
    # Only for files that do not state the token lengths (MLPerf); the others' measured
    # lengths stand. The hints above override what a file says.
    isl: float | None = None
    osl: float | None = None


def normalised(name: str) -> str:
    """A model name without its organisation, case, and decorations ("-Instruct", "-0528")."""
    base = name.strip().rstrip("/").split("/")[-1].lower().replace("_", "-").replace(" ", "-")
    base = _DECORATIONS.sub("", base)
    return re.sub(r"^llama(\d)", r"llama-\1", base)


def catalog_model(catalog: Catalog, name: str) -> str | None:
    """The catalog model a file's model name denotes, where exactly one matches."""
    want = {normalised(name)}
    if "/" not in name and "_" in name:  # "meta-llama_Llama-3.1-8B": a folder-safe "org/model"
        want.add(normalised(name.split("_", 1)[1]))
    hits = {m.id for m in catalog.models.values()
            if want & {normalised(m.id), normalised(m.name), *map(normalised, m.aliases)}}
    return hits.pop() if len(hits) == 1 else None


def resolve(run: Run, hints: Hints, catalog: Catalog) -> tuple[str, str, str, list[str]]:
    """(system, model, engine, notes) for a run; FormatError naming what the user must add."""
    notes: list[str] = []
    if not hints.system:
        what = f" (it says {run.hardware!r})" if run.hardware else ""
        raise FormatError(f"the file does not name the hardware in catalog terms{what}; give "
                          "--system with an accelerator or system id (inference-planner "
                          "catalog lists them)")
    if hints.system not in catalog.accelerators and hints.system not in catalog.systems:
        raise FormatError(f"--system {hints.system!r} is not in the catalog")
    if hints.model:
        model = catalog.model(hints.model).id
    elif run.model:
        model = catalog_model(catalog, run.model)
        if model is None:
            raise FormatError(f"model {run.model!r} matches no catalog model by name; give "
                              "--model with a catalog model id")
        notes.append(f"model {run.model!r} read as catalog {model!r}")
    else:
        raise FormatError("the file does not name the model; give --model")
    engine = hints.engine or run.engine
    if engine is None:
        raise FormatError(f"the file does not say which serving engine ran ({run.tool}); give "
                          f"--engine ({', '.join(e for e in ENGINE_CHOICES if e != 'auto')})")
    if engine not in ENGINE_CHOICES:
        raise FormatError(f"engine {engine!r} is not one of {', '.join(ENGINE_CHOICES)}")
    return hints.system, model, engine, notes


def case_rows(run: Run, hints: Hints, catalog: Catalog, file_name: str, index: int
              ) -> tuple[list[dict], list[str]]:
    """The run's measured metrics as case rows, and notes on what was read how."""
    system, model, engine, notes = resolve(run, hints, catalog)
    notes = run.notes + notes
    # Measured lengths are facts of the run: the flags only fill them where a file has none.
    isl = run.isl if run.isl else hints.isl
    osl = run.osl if run.osl else hints.osl
    if not isl or not osl:
        raise FormatError(f"{run.tool} files do not state the mean prompt and output tokens; "
                          "give --isl and --osl")
    if not run.load_stated:
        if hints.concurrency is not None:
            run.scenario, run.concurrency = "concurrency", hints.concurrency
            run.metrics = {**run.metrics, **run.latencies}
            run.label = f"{run.label}, concurrency {hints.concurrency} (as given)"
        else:
            notes.append(f"read as {run.scenario} ({run.tool}'s default load); give "
                         "--concurrency if it ran with one")
    if not run.metrics:
        raise FormatError("no throughput or latency figure in the run")
    tp = hints.tp if hints.tp is not None else run.tp
    pp = hints.pp if hints.pp is not None else run.pp
    accelerators = hints.accelerators or run.accelerators
    if accelerators is None and tp is not None:
        accelerators = tp * (pp or 1)
    stem = re.sub(r"[^a-z0-9]+", "-", file_name.lower()).strip("-")
    settings = [f"{k}={v:g}" for k, v in (("tp", tp), ("pp", pp), ("concurrency",
                                                                    run.concurrency))
                if v is not None]
    source = (f"imported from {file_name} ({run.tool}{', ' + run.label if run.label else ''})"
              + (f"; {', '.join(notes)}" if notes else "")
              + (f"; {' '.join(settings)}" if settings else ""))
    rows = []
    for metric, value in run.metrics.items():
        rows.append({
            "case_id": f"{stem}-{index}-{metric}", "source": source, "system": system,
            "accelerators": accelerators, "model": model,
            "weight_precision": run.precision, "kv_precision": None, "tp": tp, "pp": pp,
            "scenario": run.scenario, "isl": round(float(isl)), "osl": round(float(osl)),
            "concurrency": None if run.concurrency is None else int(run.concurrency),
            "ttft_limit_ms": run.ttft_limit_ms,
            "tpot_limit_ms": run.tpot_limit_ms, "metric": metric, "measured": value,
            "engine": engine, "ep": None, "dp_attention": None, "power_limit_w": None,
            "rate_rps": run.rate_rps,
        })
    return rows, notes


def as_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)
