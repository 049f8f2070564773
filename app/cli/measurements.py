"""`measurements import`: benchmark files (vLLM, SGLang, genai-perf/AIPerf, GuideLLM,
trtllm-bench, MLPerf, case CSVs) as rows of the case format, for `validate` and `calibrate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.evaluate import EXIT_INVALID, EXIT_OK, EXIT_WRITE
from planner_core import PlannerError


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("must be between 1 and 100,000")
    return value


def _tokens(text: str) -> float:
    value = float(text)
    if not 1 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10,000,000 tokens")
    return value


def add_parsers(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("measurements", help="import benchmark results as measurement cases")
    msub = m.add_subparsers(dest="measurements_command", metavar="ACTION", required=True)
    i = msub.add_parser(
        "import", help="read benchmark files into the case format",
        description="Reads benchmark results, recognised by content: vLLM `bench serve` "
        "JSON (and benchmark_serving.py's), SGLang bench_serving JSONL, genai-perf/AIPerf "
        "profile exports (JSON or CSV), GuideLLM JSON reports, trtllm-bench reports (text or "
        "JSON), MLPerf mlperf_log_summary.txt, and case CSVs. What a file does not say comes "
        "from the options; nothing is guessed. Every file is read before anything is "
        "written: one bad file and nothing is imported (exit 3).")
    i.add_argument("files", type=Path, nargs="+", metavar="FILE")
    i.add_argument("--system", metavar="ID",
                   help="the accelerator or system that ran them (catalog id); required "
                   "unless every file is a case CSV")
    i.add_argument("--model", metavar="ID",
                   help="catalog model id, where a file does not name its model in words the "
                   "catalog knows")
    i.add_argument("--engine", choices=["trtllm", "vllm", "sglang", "vendor"],
                   help="the serving engine, where a file does not say")
    i.add_argument("--tp", type=_count, help="tensor-parallel size (blank: the planner "
                   "picks the best layout when predicting)")
    i.add_argument("--pp", type=_count, help="pipeline-parallel size")
    i.add_argument("--accelerators", type=_count,
                   help="accelerators in the measured setup (default: tp × pp)")
    i.add_argument("--concurrency", type=_count,
                   help="requests in flight the run was capped at, where the file does not "
                   "say (trtllm-bench --concurrency); without it such a run is read as "
                   "offline")
    i.add_argument("--isl", type=_tokens, help="mean prompt tokens (for files that do not "
                   "state them, such as MLPerf summaries)")
    i.add_argument("--osl", type=_tokens, help="mean output tokens (likewise)")
    i.add_argument("--out", type=Path, metavar="CASES.csv",
                   help="write the cases here (default: print them as CSV)")
    i.set_defaults(func=cmd_import)


def cmd_import(args) -> int:
    from planner_core.evidence.imports import Hints, import_measurements

    hints = Hints(system=args.system, model=args.model, engine=args.engine, tp=args.tp,
                  pp=args.pp, accelerators=args.accelerators, concurrency=args.concurrency,
                  isl=args.isl, osl=args.osl)
    try:
        result = import_measurements(args.files, hints)
    except PlannerError as exc:
        for line in str(exc).splitlines():
            print(f"inference-planner: {line}", file=sys.stderr)
        return EXIT_INVALID
    text = result.cases.to_csv(index=False)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    summary = (f"{len(result.cases)} case(s) from {len(result.formats)} file(s): "
               + "; ".join(f"{Path(f).name} ({name})" for f, name in result.formats.items()))
    if args.out is None:
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
        return EXIT_OK
    from planner_core.files import atomic_write_text

    try:
        atomic_write_text(args.out, text)
    except PlannerError as exc:
        print(f"inference-planner: {exc}", file=sys.stderr)
        return EXIT_WRITE
    print(f"{summary}\nwritten to {args.out}")
    return EXIT_OK
