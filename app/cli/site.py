"""`fits`: the most traffic a plan's fleet design serves within a site's power."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.evaluate import EXIT_INVALID, EXIT_OK, add_calibration_option, add_catalog_option, fail
from app.cli.whatif import load_plan_and_scenario
from planner_core import PlannerError


def _mw(text: str) -> float:
    value = float(text)
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError("must be above 0 and at most 100,000 MW")
    return value


def add_parsers(sub) -> None:
    f = sub.add_parser(
        "fits", help="the most traffic the plan's fleet design serves within a site's power",
        description="Scales every workload's peak by one factor (the plan's mix kept) and "
        "finds the largest that meets every SLO within the site: at most --site-mw at the "
        "utility meter (every system at its rated draw, the electrical chain's losses, "
        "cooling on the design day) and the plan's own site limits (IT MW, rack positions). "
        "Prints the traffic, the tokens per second, the fleet, and which limit binds.")
    f.add_argument("plan", type=Path, help="plan file (.json)")
    f.add_argument("--site-mw", type=_mw, metavar="MW",
                   help="power at the site's utility meter, MW (default: the plan's "
                   "site.limits.utility_mw)")
    f.add_argument("--system", metavar="ID", help="put every pool on this catalog system")
    f.add_argument("--scenario", default="base", metavar="NAME",
                   help="the scenario whose design to scale (default: the base plan)")
    f.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_catalog_option(f)
    add_calibration_option(f)
    f.set_defaults(func=cmd_fits)


def cmd_fits(args) -> int:
    from planner_core.whatif.site_fit import fits

    loaded = load_plan_and_scenario(args)
    if isinstance(loaded, int):
        return loaded
    catalog, plan = loaded
    try:
        r = fits(plan, args.site_mw, catalog, scenario=args.scenario, system=args.system)
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    if args.json:
        json.dump({"site_mw": r.site_mw, "scale": r.scale, "peak_rps": r.peak_rps,
                   "output_tok_s": r.output_tok_s, "tokens_s": r.tokens_s,
                   "binding": r.binding, "kpis": r.kpis}, sys.stdout, indent=2)
        print()
        return EXIT_OK
    k = r.kpis
    on = f" on {args.system}" if args.system else ""
    print(f"{plan.name}{on}, within {r.site_mw:g} MW at the utility meter:")
    print(f"  traffic: {r.scale:,.3g} x the plan's peak: "
          + ", ".join(f"{n} {v:,.1f} req/s" for n, v in r.peak_rps.items()))
    print(f"  tokens at the peak hour: {r.output_tok_s:,.0f} output tok/s, "
          f"{r.tokens_s:,.0f} prompt and answer tok/s")
    print(f"  fleet: {k['accelerators']:,.0f} accelerators in {k['racks']:,.0f} racks; "
          f"{k['utility_mw']:,.3f} MW at the utility meter, "
          f"{k['facility_mw_provisioned']:,.3f} MW provisioned (IT x PUE), "
          f"{k['facility_mw_peak']:,.3f} MW expected at peak; "
          f"${k['usd_per_m_output_tokens']:,.2f} per million output tokens")
    print(f"  binding limit: {r.binding}")
    return EXIT_OK
