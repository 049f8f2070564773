"""`inference-planner evaluate PLAN`: the plan's figures as a summary, CSV, PDF or JSON.

Everything but ``--pdf`` runs without Qt; the PDF report is drawn by Qt on an offscreen
surface, so it too needs no display.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from app.cli.progress import ProgressBar
from app.cli.tables import fmt, table
from app.figures import KPI_ROWS
from planner_core import (
    Catalog,
    Plan,
    PlannerError,
    Results,
    evaluate_scenario,
    load_catalog,
    merge_results,
    read_plan,
)

EXIT_OK, EXIT_USAGE, EXIT_INVALID, EXIT_WRITE = 0, 2, 3, 4
#: evaluate only: a scenario could not be evaluated, or a pool of it cannot serve a workload
#: (an error among its warnings). The other scenarios are still printed and written.
EXIT_SCENARIO = 5


def add_parser(sub) -> None:
    e = sub.add_parser("evaluate", help="evaluate a plan: summary, CSV, PDF report or JSON",
                       description="Evaluates every scenario of a plan (or one) and prints a "
                       "summary. Exit codes: 0 ok, 2 usage, 3 invalid plan or catalog, "
                       "4 cannot write an output, 5 a scenario failed (it could not be "
                       "evaluated, or has an error: a pool that cannot serve a workload; one "
                       "line on stderr per such scenario, the others' results still printed "
                       "and written).")
    e.add_argument("plan", type=Path, help="plan file (.json)")
    e.add_argument("--scenario", metavar="NAME", help="only this scenario (default: all)")
    e.add_argument("--csv", type=Path, metavar="OUT.csv",
                   help="write results per scenario, pool and workload as CSV")
    e.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="write the PDF report")
    e.add_argument("--json", action="store_true",
                   help="print the results as JSON instead of the summary")
    add_catalog_option(e)
    add_calibration_option(e)
    e.set_defaults(func=cmd_evaluate)


def add_calibration_option(parser) -> None:
    parser.add_argument("--calibration", type=Path, metavar="PROFILE.json",
                        help="a calibration profile (calibrate --cases … --out PROFILE.json) "
                        "to use in place of the plan's own")


def with_calibration(plan, path: Path | None):
    """The plan with the profile in ``path`` as its calibration (PlannerError if unusable)."""
    if path is None:
        return plan
    from planner_core.evidence.profile import plan_reference, read_profile
    from planner_core.plan import plan_from_dict

    data = plan.model_dump(mode="json")
    data["calibration_profile"] = plan_reference(read_profile(path))
    return plan_from_dict(data)


def add_catalog_option(parser) -> None:
    parser.add_argument("--catalog", type=Path, action="append", default=[],
                        metavar="FILE", help="a user catalog file adding or overriding "
                        "entries (may be given more than once)")


def fail(message: str, code: int) -> int:
    print(f"inference-planner: {message}", file=sys.stderr)
    return code


def cmd_evaluate(args) -> int:
    try:
        catalog = load_catalog(args.catalog)
        plan = with_calibration(read_plan(args.plan, catalog), args.calibration)
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    names = plan.scenario_names()
    if args.scenario is not None:
        if args.scenario not in names:
            return fail(f"no scenario named {args.scenario!r}; the plan has "
                        f"{', '.join(repr(n) for n in names)}", EXIT_USAGE)
        names = [args.scenario]
    parts, failed = evaluate_each(plan, names, catalog)
    failed.update(scenario_errors(parts))
    for name, reason in failed.items():
        fail(f"scenario {name!r}: {reason}", EXIT_SCENARIO)
    names = [n for n in names if any(n in p.sizings for p in parts)]
    if not names:
        return EXIT_SCENARIO
    results = merge_results(parts)
    if args.csv is not None:
        from planner_core.exports.results_csv import write_results_csv

        try:
            write_results_csv(args.csv, results)
        except PlannerError as exc:
            return fail(str(exc), EXIT_WRITE)
    if args.pdf is not None:
        code = write_pdf(args.pdf, plan, results, catalog)
        if code:
            return code
    if args.json:
        print(json.dumps(results_json(plan, results), indent=2, allow_nan=False))
    else:
        print(summary(plan, results, names))
        for kind, path in (("CSV", args.csv), ("PDF report", args.pdf)):
            if path is not None:
                print(f"{kind} written to {path}")
    return EXIT_SCENARIO if failed else EXIT_OK


def evaluate_each(plan: Plan, names: list[str], catalog: Catalog
                  ) -> tuple[list[Results], dict[str, str]]:
    """Each scenario's results, and why each that raised could not be evaluated: one
    scenario's failure leaves the others' results to print and write."""
    parts, failed = [], {}
    with ProgressBar("evaluating") as bar:
        for i, name in enumerate(names):
            bar(i / len(names), f"evaluating {name}")
            try:
                parts.append(evaluate_scenario(plan.variant(name), name, catalog))
            except PlannerError as exc:
                failed[name] = f"could not be evaluated: {exc}"
    return parts, failed


def scenario_errors(parts: list[Results]) -> dict[str, str]:
    """Per scenario whose evaluation found errors (a pool that cannot serve a workload), the
    first of them, and how many more the summary's warnings list."""
    out = {}
    for part in parts:
        for name in part.sizings:
            errors = [w for w in part.warnings
                      if w["scenario"] == name and w["severity"] == "error"]
            if errors:
                more = len(errors) - 1
                out[name] = f"{errors[0]['item']}: {errors[0]['message']}" + (
                    f" (and {more} more error(s) among the warnings)" if more else "")
    return out


def write_pdf(path: Path, plan: Plan, results: Results, catalog: Catalog) -> int:
    # Qt loads only here, inside the report, which draws offscreen: no display is needed.
    from app.report import ReportCancelled, write_pdf_report_offscreen

    with ProgressBar("writing the PDF report") as bar:
        try:
            write_pdf_report_offscreen(path, plan, results, catalog,
                                       progress=lambda f, label: bar(f, label) or True)
        except PlannerError as exc:
            return fail(str(exc), EXIT_WRITE)
        except ReportCancelled:
            return fail("the PDF report was cancelled; nothing was written", EXIT_WRITE)
    return EXIT_OK


def summary(plan: Plan, results: Results, names: list[str]) -> str:
    kpis = results.kpis.set_index("scenario")
    rows = [[r.label, *(r.show(kpis.loc[n, r.key]) for n in names)] for r in KPI_ROWS]
    baseline = f" (baseline: {plan.baseline})" if len(names) > 1 else ""
    out = [f"{plan.name}: {len(names)} scenario{'s' if len(names) > 1 else ''}{baseline}", "",
           table(["", *names], rows)]
    w = results.workloads
    if len(w):
        out += ["", "Workloads", table(
            ["scenario", "pool", "workload", "layout", "replicas", "TTFT p99 ms", "SLO",
             "TPOT p99 ms", "SLO", "tok/s per user", "meets SLOs"],
            [[r.scenario, r.pool, r.workload, r.layout, fmt(r.replicas, "{:,}"),
              fmt(r.ttft_p99_ms, "{:,.0f}"), fmt(r.slo_ttft_p99_ms, "{:,.0f}"),
              fmt(r.tpot_p99_ms, "{:,.1f}"), fmt(r.slo_tpot_p99_ms, "{:,.1f}"),
              fmt(r.user_tok_s, "{:,.1f}"), fmt(bool(r.meets_slo))]
             for r in w.itertuples()], left=4)]
    limits = [(n, lim) for n in names for lim in results.sites.get(n, {}).get("limits", [])]
    if limits:
        what = {"utility_mw": "utility power", "it_mw": "IT load",
                "rack_positions": "rack positions"}
        out += ["", "Site limits", table(
            ["scenario", "limit", "site has", "needs", "headroom", ""],
            [[n, what[lim["limit"]], _amount(lim["value"], lim["unit"]),
              _amount(lim["used"], lim["unit"]), _amount(lim["headroom"], lim["unit"]),
              "EXCEEDED" if lim["exceeded"] else ""] for n, lim in limits], left=2)]
    warnings = results.warnings
    out += ["", f"Warnings: {len(warnings) if warnings else 'none'}"]
    for wn in warnings:
        out.append(f"  [{wn['scenario']}] {wn['severity']}: {wn['item']}: {wn['message']}")
    return "\n".join(out)


def _amount(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}" if unit == "MW" else f"{value:,.0f} {unit}"


def json_value(value):
    """JSON has no NaN or infinity: those become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return json_value(value.item())
    return value


def _records(frame) -> list[dict]:
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def results_json(plan: Plan, results: Results) -> dict:
    from planner_core import __version__

    return {
        "plan": plan.name,
        "app_version": __version__,
        "baseline": plan.baseline,
        "scenarios": _records(results.kpis),
        "pools": _records(results.pools),
        "workloads": _records(results.workloads),
        "warnings": [{k: json_value(v) for k, v in w.items()} for w in results.warnings],
        "site": {name: json_tree(site) for name, site in results.sites.items()},
    }


def json_tree(value):
    """``value`` with every NaN or infinity, at any depth, as null."""
    if isinstance(value, dict):
        return {k: json_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_tree(v) for v in value]
    return json_value(value)
