"""Benchmark files as measurement cases: ``inference-planner measurements import``.

Each supported tool's output is recognised by its content, not its name, and read by its own
module into :class:`~planner_core.evidence.imports.run.Run` records; :mod:`.rows` completes
them from the user's hints and writes rows of the case format. Every file is read before
anything is written: one that cannot be read makes the whole import fail with one line per
bad file, so nothing is half-imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner_core.catalog import Catalog, load_catalog
from planner_core.errors import PlannerError
from planner_core.evidence.imports import (
    genai_perf,
    guidellm,
    mlperf,
    own_cases,
    sglang,
    trtllm_bench,
    vllm,
)
from planner_core.evidence.imports.rows import Hints, as_frame, case_rows
from planner_core.evidence.imports.run import FormatError, Run
from planner_core.files import read_text_file

#: Benchmark outputs are kilobytes to a few megabytes (per-request arrays included).
MAX_BYTES = 64 * 1024 * 1024

#: (name, recognises(text, parsed JSON or None), reads(text, parsed, path)) in the order tried.
Reader = tuple[str, Callable[[str, object], bool], Callable[[str, object, Path], list[Run]]]
READERS: tuple[Reader, ...] = (
    ("case CSV", own_cases.recognises, own_cases.read),
    ("MLPerf LoadGen summary", mlperf.recognises, mlperf.read),
    ("trtllm-bench report", trtllm_bench.recognises, trtllm_bench.read),
    ("genai-perf / AIPerf export", genai_perf.recognises, genai_perf.read),
    ("GuideLLM report", guidellm.recognises, guidellm.read),
    ("SGLang bench_serving output", sglang.recognises, sglang.read),
    ("vLLM bench serve result", vllm.recognises, vllm.read),
)
__all__ = ["Hints", "ImportResult", "import_measurements", "FormatError", "Run"]


@dataclass
class ImportResult:
    cases: pd.DataFrame  # rows of the case format, every file's
    formats: dict[str, str] = field(default_factory=dict)  # file -> format read
    notes: list[str] = field(default_factory=list)  # what was read how, per file


def _looks_like_json(text: str) -> bool:
    """An object, or an array of objects or arrays (a log line such as "[TensorRT-LLM] …"
    also starts with a bracket)."""
    return text[:1] == "{" or (text[:1] == "[" and text[1:].lstrip()[:1] in ("{", "[", "]"))


def parsed_json(text: str):
    """The text as JSON, as a list of JSON objects (JSON Lines), or None if neither."""
    stripped = text.lstrip()
    if not _looks_like_json(stripped):
        return None
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        pass
    objects = []
    for line in stripped.splitlines():
        if not line.strip():
            continue
        try:
            objects.append(json.loads(line))
        except (ValueError, RecursionError):
            return None
    return objects or None


def read_runs(path: Path) -> tuple[str, list[Run]]:
    """(format, runs) of one file; PlannerError naming the file and what is wrong."""
    text = read_text_file(path, MAX_BYTES, "a benchmark result")
    data = parsed_json(text)
    if data is None and _looks_like_json(text.lstrip()):
        raise PlannerError("is not well-formed JSON (truncated?)", source=str(path))
    for name, recognises, read in READERS:
        if recognises(text, data):
            try:
                runs = read(text, data, path)
            except FormatError as exc:
                raise PlannerError(f"{name}: {exc}", source=str(path)) from None
            if not runs:
                raise PlannerError(f"{name} with no completed run in it", source=str(path))
            return name, runs
    raise PlannerError("is not a benchmark result this planner reads (vLLM or SGLang "
                       "bench_serving, genai-perf/AIPerf, GuideLLM, trtllm-bench, an MLPerf "
                       "mlperf_log_summary.txt or a case CSV)", source=str(path))


def import_measurements(paths: Sequence[Path], hints: Hints | None = None,
                        catalog: Catalog | None = None) -> ImportResult:
    """Every file's runs as cases. Raises one PlannerError listing every file that cannot be
    imported (one line each); nothing is returned half-done."""
    catalog = catalog or load_catalog()
    hints = hints or Hints()
    _check_hints(hints, catalog)
    frames, formats, notes, problems = [], {}, [], []
    for path in map(Path, paths):
        try:
            name, runs = read_runs(path)
            rows = []
            for i, run in enumerate(runs, start=1):
                if isinstance(run, pd.DataFrame):  # a case CSV passes through as it is
                    frames.append(run)
                    continue
                try:
                    got, said = case_rows(run, hints, catalog, path.name, i)
                except FormatError as exc:
                    where = f" (run {i}, {run.label})" if len(runs) > 1 else ""
                    raise FormatError(f"{name}{where}: {exc}") from None
                rows += got
                notes += [f"{path.name}: {n}" for n in said]
        except FormatError as exc:
            problems.append(f"{path}: {exc}")
            continue
        except PlannerError as exc:
            problems.append(str(exc))
            continue
        formats[str(path)] = name
        if rows:
            frames.append(as_frame(rows))
    if problems:
        raise PlannerError("\n".join(problems))
    notes = list(dict.fromkeys(notes))  # runs of one file share their notes
    cases = pd.concat(frames, ignore_index=True) if frames else as_frame([])
    duplicated = cases["case_id"][cases["case_id"].duplicated()]
    if len(duplicated):
        raise PlannerError(f"case id {duplicated.iloc[0]!r} appears twice; files with the same "
                           "name in different folders give the same ids: rename one")
    return ImportResult(cases, formats, notes)


def _check_hints(hints: Hints, catalog: Catalog) -> None:
    """The user's hints name things the catalog has (one error before any file is read)."""
    if hints.system and hints.system not in catalog.accelerators \
            and hints.system not in catalog.systems:
        raise PlannerError(f"--system {hints.system!r} is neither an accelerator nor a system "
                           "in the catalog (inference-planner catalog lists them)")
    if hints.model:
        catalog.model(hints.model)
