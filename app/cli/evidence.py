"""The evidence commands: `validate` predicts published measurements and reports the error,
`calibrate` fits the efficiency knobs per accelerator family."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.evaluate import EXIT_INVALID, EXIT_OK, EXIT_USAGE, EXIT_WRITE
from app.cli.progress import ProgressBar
from planner_core import PlannerError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Registers ``validate`` and ``calibrate``; each sets ``func``."""
    v = sub.add_parser("validate", help="predict published measurements and report the error")
    v.add_argument("cases", type=Path, nargs="+",
                   help="cases CSV(s) in the calibration_cases.csv layout (performance or "
                   "power rows; optional engine, ep and dp_attention columns)")
    v.add_argument("--out", type=Path, metavar="PRED.csv",
                   help="write the rows with predicted and error_pct columns (all files)")
    v.add_argument("--quiet", action="store_true",
                   help="print only the summaries and the per-group tables, not every case")
    v.add_argument("--calibration", type=Path, metavar="PROFILE.json",
                   help="predict with this calibration profile on top of the built-in one")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("calibrate",
                       help="fit the efficiency knobs per serving engine and accelerator family")
    c.add_argument("--cases", type=Path, nargs="+", default=None,
                   help="your cases CSV(s) (measurements import writes them): fitted as a "
                   "profile on top of the built-in calibration, written to --out. Without "
                   "--cases the built-in calibration is refitted on the shipped files")
    c.add_argument("--out", type=Path, default=None,
                   help="where to write the profile (or, with --built-in, the fit)")
    c.add_argument("--name", default=None, help="the profile's name (default: --out's stem)")
    c.add_argument("--built-in", dest="built_in", action="store_true",
                   help="refit the built-in calibration itself on --cases (default: the "
                   "shipped files) and write it to --out (default: resources/calibration.json)")
    c.set_defaults(func=cmd_calibrate)


def _fail(exc: PlannerError) -> int:
    print(f"inference-planner: {exc}", file=sys.stderr)
    return EXIT_INVALID


def cmd_validate(args) -> int:
    import pandas as pd

    from planner_core.evidence.validation import validate_cases

    summaries = []
    try:
        cal = None
        if args.calibration is not None:
            from planner_core.engine.calibration import default_calibration
            from planner_core.evidence.profile import plan_reference, read_profile

            ref = plan_reference(read_profile(args.calibration))
            cal = default_calibration().with_profile(ref["profile"], ref["sha256"])
        for path in args.cases:
            with ProgressBar(f"predicting {path.name}") as bar:
                summaries.append((path, validate_cases(path, calibration=cal, progress=bar)))
    except PlannerError as exc:
        return _fail(exc)
    if args.out:
        from planner_core.files import atomic_write_text

        table = pd.concat([s.table.assign(file=p.name) for p, s in summaries],
                          ignore_index=True)
        try:
            atomic_write_text(args.out, table.to_csv(index=False))
        except PlannerError as exc:
            print(f"inference-planner: {exc}", file=sys.stderr)
            return EXIT_WRITE
    for path, summary in summaries:
        t = summary.table
        if not args.quiet:
            width = max(12, int(t["case_id"].str.len().max())) if len(t) else 12
            print(f"{'case':<{width}}  {'metric':<12} {'measured':>10} {'predicted':>10} "
                  f"{'error':>8}")
            for _, r in t.iterrows():
                print(f"{r['case_id']:<{width}}  {r['metric']:<12} {r['measured']:>10,.4g} "
                      f"{r['predicted']:>10,.4g} {r['error_pct']:>+7.1f}%")
            print()
        print(f"{path.name}: {summary.count} cases: median |error| "
              f"{summary.median_abs_error_pct:.1f}%, worst |error| "
              f"{summary.worst_abs_error_pct:.1f}% ({summary.worst_case})")
        if summary.unpredicted:
            print(f"  not predicted ({len(summary.unpredicted)}): no layout the planner tries "
                  "carries the measured load: " + ", ".join(summary.unpredicted[:5])
                  + (" …" if len(summary.unpredicted) > 5 else ""))
        print(group_table(summary.groups()))
        print()
    if args.out:
        print(f"predictions written to {args.out}")
    return EXIT_OK


def group_table(g) -> str:
    """The per-group table: accelerator × model × engine × metric. Its columns are named
    p50/max |err| so that the file's one summary line stays the last that says "median"
    (what a script grepping validate's output reads)."""
    head = (f"  {'accelerator':<16} {'model':<15} {'engine':<7} {'metric':<12} {'cases':>5} "
            f"{'p50|err|':>8} {'max|err|':>8} {'bias':>7}")
    lines = [head]
    def pct(x, signed=False):
        return "      —" if x != x else (f"{x:>+6.1f}%" if signed else f"{x:>7.1f}%")

    for _, r in g.iterrows():
        lines.append(f"  {r['system']:<16} {r['model']:<15} {r['engine']:<7} {r['metric']:<12} "
                     f"{r['count']:>5} {pct(r['median_abs_error_pct'])} "
                     f"{pct(r['worst_abs_error_pct'])} {pct(r['median_error_pct'], True)}")
    return "\n".join(lines)


def cmd_profile(args) -> int:
    """``calibrate --cases … --out PROFILE.json``: your cases' profile, with the error per
    group before and after."""
    from planner_core.evidence.profile import fit_profile, write_profile

    if args.out is None:
        print("inference-planner: a profile needs --out PROFILE.json (the built-in "
              "calibration is refitted with --built-in)", file=sys.stderr)
        return EXIT_USAGE
    try:
        with ProgressBar("fitting") as bar:
            profile = fit_profile(args.cases, args.name or args.out.stem,
                                  progress=lambda pair, f: bar(f, f"fitting {pair}"))
    except PlannerError as exc:
        return _fail(exc)
    try:
        write_profile(profile, args.out)
    except PlannerError as exc:
        print(f"inference-planner: {exc}", file=sys.stderr)
        return EXIT_WRITE
    print(f"  {'accelerator':<16} {'model':<15} {'engine':<7} {'metric':<12} {'cases':>5} "
          f"{'before':>8} {'after':>8}")
    for g in profile["groups"]:
        print(f"  {g['system']:<16} {g['model']:<15} {g['engine']:<7} {g['metric']:<12} "
              f"{g['cases']:>5} {g['before_median_abs_error_pct']:>7.1f}% "
              f"{g['after_median_abs_error_pct']:>7.1f}%")
    for pair, fit in profile["fits"].items():
        print(f"{pair}: {len(fit['cases'])} cases, median |error| "
              f"{fit['before_median_abs_error_pct']:.1f}% -> "
              f"{fit['median_abs_error_pct']:.1f}% (started from: {fit['started_from']})")
        if fit.get("not_served"):
            print(f"  left out (no layout carries the measured load): "
                  f"{', '.join(fit['not_served'])}")
    print(f"profile {profile['name']!r} written to {args.out}; use it with --calibration "
          f"{args.out}, or apply it to a plan in the window")
    return EXIT_OK


def cmd_calibrate(args) -> int:
    from planner_core.evidence.fit import calibrate, write_calibration

    if args.cases and not args.built_in:
        return cmd_profile(args)

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
    print(f"{'engine/family':<18} {'compute':>8} {'memory':>7} {'layer µs':>9} {'step µs':>8} "
          f"{'MoE µs':>7} {'comm':>5} {'TTFT ms':>8} {'cases':>6} {'median':>7} {'worst':>7}")
    for pair, f in doc["fits"].items():
        print(f"{pair:<18} {f['compute']:>8.3f} {f['memory']:>7.3f} "
              f"{f['layer_overhead_us']:>9.1f} {f['step_overhead_us']:>8.0f} "
              f"{f['moe_overhead_us']:>7.1f} {f['comm']:>5.2f} {f['ttft_overhead_ms']:>8.0f} "
              f"{len(f['cases']):>6} {f['median_abs_error_pct']:>6.1f}% "
              f"{f['worst_abs_error_pct']:>6.1f}%")
    bounded = [f"{pair}: {', '.join(f['at_bounds'])}" for pair, f in doc["fits"].items()
               if f.get("at_bounds")]
    if doc.get("power") and doc["power"].get("at_bounds"):
        bounded.append(f"power: {', '.join(doc['power']['at_bounds'])}")
    if bounded:
        print("knobs left on a bound of their search box (the data asks for more than the "
              "physics allows there): " + "; ".join(bounded))
    if doc.get("borrowing_error_pct") is not None:
        print(f"borrowed fits miss by {doc['borrowing_error_pct']:.1f}% median (each fitted pair "
              "predicted with the fit it would borrow)")
    if doc.get("power"):
        pw = doc["power"]
        print(f"power: active {pw['active_share']:.2f}, compute {pw['compute_share']:.2f}, "
              f"memory {pw['memory_share']:.2f}, host {pw['host_share']:.2f} of rating; "
              f"{len(pw['cases'])} cases, median {pw['median_abs_error_pct']:.1f}%, worst "
              f"{pw['worst_abs_error_pct']:.1f}%")
    print(f"written to {path}")
    return EXIT_OK
