"""`sweep` and `optimize`: what-if questions from the command line, without Qt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.cli.evaluate import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRITE,
    add_calibration_option,
    add_catalog_option,
    fail,
    with_calibration,
)
from app.cli.progress import ProgressBar
from app.cli.tables import table
from app.figures import kpi_label, show_kpi
from planner_core import PlannerError, load_catalog, read_plan

if TYPE_CHECKING:  # the window starts through the parser, which imports this module:
    import pandas as pd  # pandas is imported where a table is made, never at start-up

#: Figures the sweep table prints (--csv writes every KPI).
SWEEP_COLUMNS = ["usd_per_m_output_tokens", "facility_mw_peak", "accelerators", "racks",
                 "ttft_p99_ms", "tpot_p99_ms", "utilization_peak_pct"]
#: A sweep prints at most this many rows, evenly spread over its values.
SHOWN_ROWS = 25


def add_parsers(sub) -> None:
    s = sub.add_parser(
        "sweep", help="vary one plan input over values; KPIs for each value",
        description="Varies one input of a plan and prints the key figures for each value. "
        "PATH is an override path, like workloads.chat.traffic.peak_rps, facility.pue, "
        "pools.serving.layout.tp, catalog.systems.hgx-h200.price_usd, or a categorical one: "
        "workloads.chat.weight_precision, pools.serving.system, pools.serving.serving. "
        "A value that misses an SLO says why (reason column); its figures are left blank. "
        "Exit codes: 0 ok, 2 usage, 3 invalid plan, path or value, 4 cannot write.")
    s.add_argument("plan", type=Path, help="plan file (.json)")
    s.add_argument("--param", required=True, metavar="PATH", help="the input to vary")
    s.add_argument("--values", required=True, metavar="VALUES",
                   help="comma-separated values, or START:STOP:COUNT for numbers")
    s.add_argument("--scenario", default="base", metavar="NAME",
                   help="vary this scenario's plan (default: base)")
    s.add_argument("--csv", type=Path, metavar="OUT.csv", help=(
        "write every row as CSV: the input named with its unit, every KPI, meets_slo and the "
        "reason; a value that misses has empty cells, not 0"))
    add_catalog_option(s)
    add_calibration_option(s)
    s.set_defaults(func=cmd_sweep)

    o = sub.add_parser(
        "optimize", help="the cheapest fleet for a workload within its SLOs, and alternatives",
        description="Tries every catalog system, replica layout (TP/PP/EP, MIG slicing, SRAM "
        "chain length), weight precision and aggregated or disaggregated serving for one "
        "workload, sized for its peak with the plan's facility, target utilization and "
        "redundancy, and ranks the options that meet every SLO by cost per million output "
        "tokens. Exit codes: 0 ok, 2 usage, 3 invalid plan or filter, 4 cannot write.")
    o.add_argument("plan", type=Path, help="plan file (.json)")
    o.add_argument("--workload", metavar="NAME",
                   help="the workload to serve (default: the plan's only workload)")
    o.add_argument("--top", type=int, default=10, metavar="N", help="rows to print (10)")
    o.add_argument("--scenario", default="base", metavar="NAME",
                   help="start from this scenario's plan (default: base)")
    o.add_argument("--system", action="append", metavar="ID",
                   help="only this catalog system (may be given more than once)")
    o.add_argument("--precision", action="append", metavar="P",
                   help="only this weight precision (fp8, bf16, fp4...; repeatable)")
    o.add_argument("--serving", choices=["aggregated", "disaggregated"], action="append",
                   help="only this serving mode (repeatable)")
    o.add_argument("--engine", choices=["auto", "trtllm", "vllm", "sglang", "vendor"],
                   action="append", help="try this serving engine on every system that runs "
                   "it (repeatable; default: the pool's own engine)")
    o.add_argument("--announced", action="store_true",
                   help="also try systems that do not ship yet (announced or claimed); by "
                   "default only systems that ship today, unless named with --system")
    o.add_argument("--shipping", action="store_true",
                   help="only systems that ship today (the default; kept for older scripts)")
    o.add_argument("--site-mw", type=float, metavar="MW", help=(
        "the site's power at the utility meter: rank only options with which the site "
        "(the plan's other pools included) needs no more"))
    o.add_argument("--alongside", metavar="POOL", help=(
        "a pool of fixed size already serving the workload: it keeps the largest share it "
        "carries within the SLOs, and the options are sized for the rest"))
    o.add_argument("--csv", type=Path, metavar="OUT.csv", help="write every option as CSV")
    add_catalog_option(o)
    add_calibration_option(o)
    o.set_defaults(func=cmd_optimize)


def load_plan_and_scenario(args):
    """(catalog, plan), or the exit code after saying what is wrong with them or --scenario."""
    try:
        catalog = load_catalog(args.catalog)
        plan = with_calibration(read_plan(args.plan, catalog), args.calibration)
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    if args.scenario not in plan.scenario_names():
        return fail(f"no scenario named {args.scenario!r}; the plan has "
                    f"{', '.join(repr(n) for n in plan.scenario_names())}", EXIT_USAGE)
    return catalog, plan


def _write_csv(path: Path, frame: pd.DataFrame) -> int:
    """Writes every row (atomically); the exit code, 0 when written."""
    from planner_core.exports.results_csv import to_csv_bytes
    from planner_core.files import atomic_write_bytes

    try:
        atomic_write_bytes(path, to_csv_bytes(frame))
    except PlannerError as exc:
        return fail(str(exc), EXIT_WRITE)
    return EXIT_OK


def cmd_sweep(args) -> int:
    from planner_core.whatif.sweep import is_numeric, labelled, parse_values, sweep, value_column

    loaded = load_plan_and_scenario(args)
    if isinstance(loaded, int):
        return loaded
    catalog, plan = loaded
    try:
        values = parse_values(args.values, is_numeric(args.param))
        with ProgressBar(f"sweeping {args.param}") as bar:
            frame = sweep(plan, args.param, values, args.scenario, catalog, progress=bar)
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    if args.csv is not None and (code := _write_csv(args.csv, labelled(frame, args.param))):
        return code
    n = len(frame)
    picks = np.unique(np.linspace(0, n - 1, min(n, SHOWN_ROWS)).round().astype(int))
    rows = []
    for i in picks:
        r = frame.iloc[int(i)]
        value = r["value"]
        shown = f"{value:,.6g}" if isinstance(value, float | np.floating) else str(value)
        rows.append([shown, *(show_kpi(k, r[k]) for k in SWEEP_COLUMNS),
                     "yes" if r["meets_slo"] else "NO", r["reason"]])
    # Text reads from the left: the reasons are padded alike, so the table's right-alignment
    # of every column after the first leaves them flush left.
    wide = max(len(row[-1]) for row in [["reason"], *rows])
    for row in rows:
        row[-1] = row[-1].ljust(wide)
    print(f"{plan.name}, scenario {args.scenario}: {args.param} over {n:,} value(s)")
    print()
    print(table([value_column(args.param), *(kpi_label(k) for k in SWEEP_COLUMNS),
                 "meets SLOs", "reason".ljust(wide)], rows))
    if len(picks) < n:
        print(f"\n{len(picks)} of {n:,} rows shown" + (
            "" if args.csv else "; --csv OUT.csv writes them all"))
    feasible = frame[frame["meets_slo"]]
    if len(feasible) and len(feasible) < n:
        print(f"{len(feasible):,} of {n:,} values meet every SLO.")
    elif not len(feasible):
        print("No value meets every SLO.")
    if args.csv is not None:
        print(f"CSV written to {args.csv}")
    return EXIT_OK



OPTIMIZE_COLUMNS = [("usd_per_m_output_tokens", "$/M out"), ("site_utility_mw", "site MW"),
                    ("accelerators", "accel."), ("racks", "racks"),
                    ("ttft_p99_ms", "TTFT p99 ms"), ("tpot_p99_ms", "TPOT p99 ms")]


def cmd_optimize(args) -> int:
    from planner_core.whatif.optimize import optimize

    loaded = load_plan_and_scenario(args)
    if isinstance(loaded, int):
        return loaded
    catalog, plan = loaded
    names = [w.name for w in plan.variant(args.scenario).workloads]
    workload = args.workload or (names[0] if len(names) == 1 else None)
    if workload is None:
        return fail(f"the plan has {len(names)} workloads; choose one with --workload "
                    f"({', '.join(names)})", EXIT_USAGE)
    if args.top < 1:
        return fail("--top must be at least 1", EXIT_USAGE)
    # Systems named are tried whatever their status; otherwise what ships today, unless the
    # user asks for announced parts too (a plan should not rest on a part nobody can buy).
    systems = args.system
    if not systems and not args.announced:
        systems = [s.id for s in catalog.systems.values() if s.status == "shipping"]
    try:
        with ProgressBar(f"optimizing {workload}") as bar:
            frame = optimize(plan, workload, catalog, scenario=args.scenario, systems=systems,
                             precisions=args.precision,
                             servings=args.serving or ("aggregated", "disaggregated"),
                             progress=bar, engines=args.engine, site_mw=args.site_mw,
                             alongside=args.alongside)
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    if args.csv is not None and (code := _write_csv(args.csv, frame)):
        return code
    meets = frame[frame["meets_slo"]]
    feasible = meets[meets["within_site"]]
    print(f"{plan.name}: {workload}, {len(frame):,} options tried, {len(meets):,} meet "
          f"every SLO at the peak with the plan's redundancy")
    if args.alongside is not None:
        share = float(frame["alongside_share_pct"].iloc[0])
        print(f"Pool {args.alongside!r} keeps {share:.1f}% of {workload} (the most it carries "
              f"within the SLOs); the options serve the other {100 - share:.1f}%")
    if args.site_mw is not None:
        print(f"{len(feasible):,} of them fit the site's {args.site_mw:g} MW at the utility "
              "meter, the plan's other pools included")
    if not len(feasible):
        print("No option meets the SLOs: relax them, or lower the peak." if not len(meets)
              else "No option fits the site: raise --site-mw, or lower the peak.")
    else:
        shown = feasible.head(args.top)
        picks = feasible[(feasible["pick"] != "") & ~feasible.index.isin(shown.index)]
        rows = [_option_row(r) for _, r in shown.iterrows()]
        if len(picks):
            rows.append(["…"] + [""] * (len(rows[0]) - 1))
            rows += [_option_row(r) for _, r in picks.iterrows()]
        print()
        print(table(["rank", "system", "engine", "precision", "serving", "layout",
                     *(label for _, label in OPTIMIZE_COLUMNS), "pick"], rows, left=5))
        front = int(feasible["pareto"].sum())
        print(f"\n{front} option(s) on the Pareto front of cost, p99 latency and power "
              "(pareto column in --csv). Latency: p99 TTFT + answer × p99 TPOT.")
        announced = shown[shown["status"] != "shipping"]
        if len(announced):
            print(f"{len(announced)} of the rows shown are systems not shipping yet "
                  "(without --announced only shipping systems are tried).")
    if args.csv is not None:
        print(f"CSV written to {args.csv}")
    return EXIT_OK


def _option_row(r) -> list[str]:
    system = r["system"] + ("" if r["status"] == "shipping" else f" ({r['status']})")
    return [str(int(r["rank"])), system, r["engine"], r["precision"], r["serving"], r["layout"],
            *(show_kpi(k, r[k]) for k, _ in OPTIMIZE_COLUMNS), r["pick"]]
