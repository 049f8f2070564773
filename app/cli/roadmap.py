"""`roadmap`: a plan's timeline period by period, the chosen purchases and the fixed
strategies beside them."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from app.cli.evaluate import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_calibration_option,
    add_catalog_option,
    fail,
    json_value,
)
from app.cli.progress import ProgressBar
from app.cli.tables import table
from app.cli.whatif import _write_csv, load_plan_and_scenario
from planner_core import PlannerError


def add_parsers(sub) -> None:
    r = sub.add_parser(
        "roadmap", help="the plan's timeline period by period: what to buy, when, at what cost",
        description="Runs the plan's timeline (demand paths, power phases, options): chooses "
        "the purchase sequence of least NPV that meets every period's demand within its "
        "power, compares it with fixed strategies (one option only, the newest available, "
        "the cheapest per request), and prints the period table.")
    r.add_argument("plan", type=Path, help="plan file (.json) with a timeline")
    r.add_argument("--strategy", metavar="NAME", default=None,
                   help="the strategy (with --scenarios: the scenario) whose period table to "
                   "print (default: the chosen one; with --scenarios: the first)")
    r.add_argument("--csv", type=Path, metavar="OUT.csv",
                   help="write a row per period and cohort of every strategy (or scenario)")
    r.add_argument("--scenarios", action="store_true",
                   help="compare the plan's scenarios instead: each runs its timeline's stored "
                   "purchases as they are, or where it stores none, the sequence chosen for it")
    r.add_argument("--json", action="store_true", help="print the answer as JSON")
    r.add_argument("--scenario", default="base", metavar="NAME",
                   help="the scenario whose timeline to run (default: the base plan)")
    add_catalog_option(r)
    add_calibration_option(r)
    r.set_defaults(func=cmd_roadmap)


def cmd_roadmap(args) -> int:
    import pandas as pd

    from planner_core.engine.calibration import for_plan
    from planner_core.roadmap.scenarios import compare, scenario_names
    from planner_core.roadmap.search import choose
    from planner_core.roadmap.table import period_table

    loaded = load_plan_and_scenario(args)
    if isinstance(loaded, int):
        return loaded
    catalog, plan = loaded
    variant = plan.variant(args.scenario)
    missing = (not scenario_names(plan)) if args.scenarios else (
        variant.timeline is None or not variant.timeline.options)
    if missing:
        return fail(f"{args.plan.name}: the plan has no timeline with options to buy "
                    "(\"timeline\": start, periods, demand, power, options)", EXIT_USAGE)
    try:
        with ProgressBar("running the roadmap") as bar:
            strategies = (compare(plan, catalog, lambda v: for_plan(v, None), bar)
                          if args.scenarios else
                          choose(variant, catalog, for_plan(variant, None), progress=bar))
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    names = [s.name for s in strategies]
    args.strategy = args.strategy or names[0]
    if args.strategy not in names:
        what = "scenario" if args.scenarios else "strategy"
        return fail(f"no {what} {args.strategy!r}; the {what}s are "
                    f"{', '.join(names)}", EXIT_USAGE)
    frames = [period_table(s) for s in strategies]
    if args.scenarios:  # the rows are scenarios, and say where each one's sequence came from
        frames = [f.rename(columns={"strategy": "scenario"}).assign(basis=s.basis)
                  for f, s in zip(frames, strategies, strict=True)]
    if args.csv is not None and (code := _write_csv(args.csv, pd.concat(frames))):
        return code
    shown = strategies[names.index(args.strategy)]
    if args.json:
        json.dump({"plan": plan.name, "strategies": [{
            "name": s.name, **({"basis": s.basis} if args.scenarios else {}),
            "npv_usd": s.run.npv_usd, "meets": s.run.meets,
            "purchases": [b.model_dump() for b in s.purchases],
            "periods": [{k: json_value(v) for k, v in row.items()}
                         for row in period_table(s).drop_duplicates("period")
                         .drop(columns=[c for c in frames[0].columns
                                        if c.startswith("cohort_")]).to_dict("records")]}
            for s in strategies]}, sys.stdout, indent=2, allow_nan=False)
        print()
        return EXIT_OK
    print(f"{plan.name}: {len(variant.timeline.options)} options over "
          f"{variant.timeline.periods} {variant.timeline.period}s from "
          f"{variant.timeline.start}" if not args.scenarios else
          f"{plan.name}: {len(strategies)} scenarios, each with its timeline's stored "
          "purchases or, where it stores none, the sequence chosen for it")
    print()
    print(table(["scenario" if args.scenarios else "strategy", "NPV of cost ($M)",
                 "meets every period", "purchases"],
                [[f"{s.name} ({s.basis})" if s.basis else s.name,
                  f"{s.run.npv_usd / 1e6:,.1f}", "yes" if s.run.meets else "NO",
                  "; ".join(f"{shown_period(s, b.period)}: {b.systems:,} × {b.option}"
                            for b in s.purchases) or "none"] for s in strategies], left=4))
    print()
    print(f"{shown.name}, period by period:")
    print(table(["period", "demand req/s", "capacity req/s", "meets", "utility MW",
                 "MW available", "CapEx $M", "OpEx $M", "$/M out"],
                [[r.period.label, f"{sum(r.demand_rps.values()):,.0f}",
                  f"{sum(r.capacity_rps.values()):,.0f}",
                  "yes" if r.meets and r.within_power else "NO",
                  f"{r.utility_mw:,.2f}",
                  "—" if r.power_available_mw is None else f"{r.power_available_mw:,.1f}",
                  f"{r.capex_usd / 1e6:,.1f}", f"{r.opex_usd / 1e6:,.1f}",
                  "—" if not math.isfinite(r.usd_per_m_output_tokens)
                  else f"{r.usd_per_m_output_tokens:,.2f}"] for r in shown.run.rows], left=1))
    if args.csv is not None:
        print(f"\nCSV written to {args.csv}")
    return EXIT_OK


def shown_period(strategy, index: int) -> str:
    return strategy.run.rows[index].period.label

