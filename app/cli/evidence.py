"""The evidence commands: `validate` predicts published measurements and reports the error,
`calibrate` fits the efficiency knobs per accelerator family."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.evaluate import EXIT_INVALID, EXIT_OK, EXIT_WRITE
from app.cli.progress import ProgressBar
from planner_core import PlannerError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Registers ``validate`` and ``calibrate``; each sets ``func``."""
    v = sub.add_parser("validate", help="predict published measurements and report the error")
    v.add_argument("cases", type=Path, help="cases CSV (the calibration_cases.csv layout)")
    v.add_argument("--out", type=Path, metavar="PRED.csv",
                   help="write the rows with predicted and error_pct columns")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("calibrate", help="fit the efficiency knobs per accelerator family")
    c.add_argument("--cases", type=Path, default=None,
                   help="cases CSV (default: the shipped calibration_cases.csv)")
    c.add_argument("--out", type=Path, default=None,
                   help="where to write the fit (default: the shipped calibration.json)")
    c.set_defaults(func=cmd_calibrate)


def _fail(exc: PlannerError) -> int:
    print(f"inference-planner: {exc}", file=sys.stderr)
    return EXIT_INVALID


def cmd_validate(args) -> int:
    from planner_core.evidence.validation import validate_cases

    try:
        with ProgressBar("predicting cases") as bar:
            summary = validate_cases(args.cases, progress=bar)
    except PlannerError as exc:
        return _fail(exc)
    if args.out:
        from planner_core.files import atomic_write_text

        try:
            atomic_write_text(args.out, summary.table.to_csv(index=False))
        except PlannerError as exc:
            print(f"inference-planner: {exc}", file=sys.stderr)
            return EXIT_WRITE
    t = summary.table
    width = max(12, int(t["case_id"].str.len().max())) if len(t) else 12
    print(f"{'case':<{width}}  {'metric':<12} {'measured':>10} {'predicted':>10} {'error':>8}")
    for _, r in t.iterrows():
        print(f"{r['case_id']:<{width}}  {r['metric']:<12} {r['measured']:>10,.1f} "
              f"{r['predicted']:>10,.1f} {r['error_pct']:>+7.1f}%")
    print(f"\n{summary.count} cases: median |error| {summary.median_abs_error_pct:.1f}%, "
          f"worst |error| {summary.worst_abs_error_pct:.1f}% ({summary.worst_case})")
    if args.out:
        print(f"predictions written to {args.out}")
    return EXIT_OK


def cmd_calibrate(args) -> int:
    from planner_core.evidence.fit import calibrate, write_calibration

    try:
        with ProgressBar("fitting") as bar:
            doc = calibrate(args.cases, progress=lambda fam, f: bar(f, f"fitting {fam}"))
    except PlannerError as exc:
        return _fail(exc)
    try:
        path = write_calibration(doc, args.out)
    except PlannerError as exc:
        print(f"inference-planner: {exc}", file=sys.stderr)
        return EXIT_WRITE
    print(f"{'family':<12} {'compute':>8} {'memory':>8} {'layer µs':>9} {'sharp':>6} "
          f"{'cases':>6} {'median':>7} {'worst':>7}")
    for fam, f in doc["families"].items():
        print(f"{fam:<12} {f['compute']:>8.3f} {f['memory']:>8.3f} {f['layer_overhead_us']:>9.2f}"
              f" {f['sharpness']:>6.2f} {len(f['cases']):>6} {f['median_abs_error_pct']:>6.1f}%"
              f" {f['worst_abs_error_pct']:>6.1f}%")
    for fam, rule in doc["inherited"].items():
        print(f"{fam:<12} inherits {rule['inherits']} ({rule['rule']})")
    print(f"written to {path}")
    return EXIT_OK
