"""`inference-planner catalog [accelerators|systems|models]`: what the planner knows, sourced."""

from __future__ import annotations

import json

from app.cli.evaluate import EXIT_INVALID, EXIT_OK, add_catalog_option, fail
from app.cli.tables import fmt, table
from app.figures import quantity
from planner_core import Catalog, PlannerError, load_catalog

KINDS = ("accelerators", "systems", "models")


def add_parser(sub) -> None:
    c = sub.add_parser("catalog", help="list the catalog's accelerators, systems and models",
                       description="Lists the catalog (built-in plus any --catalog files). "
                       "Every figure carries its source and grade: see --json.")
    c.add_argument("kind", nargs="?", choices=KINDS, help="one part only (default: all)")
    c.add_argument("--json", action="store_true",
                   help="print the entries as JSON, each figure with its source and grade")
    add_catalog_option(c)
    c.set_defaults(func=cmd_catalog)


def cmd_catalog(args) -> int:
    try:
        catalog = load_catalog(args.catalog)
    except PlannerError as exc:
        return fail(str(exc), EXIT_INVALID)
    kinds = [args.kind] if args.kind else list(KINDS)
    if args.json:
        doc = {k: [e.model_dump(mode="json") | {"origin": catalog.origin.get(e.id, "built-in")}
                   for e in getattr(catalog, k).values()] for k in kinds}
        print(json.dumps(doc if len(kinds) > 1 else doc[kinds[0]], indent=2))
        return EXIT_OK
    parts = [f"{k.capitalize()} ({len(getattr(catalog, k))})\n{RENDER[k](catalog)}"
             for k in kinds]
    print("\n\n".join(parts))
    return EXIT_OK


def _short(text: str, width: int = 44) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _spec(spec, pattern="{:,.0f}", scale=1.0) -> str:
    return "—" if spec is None else f"{fmt(spec.value * scale, pattern)} [{spec.grade}]"


def _memory(spec) -> str:
    """Memory at the unit that suits it: an SRAM chip holds 230 MB, not "0" GB."""
    return "—" if spec is None else f"{quantity(spec.value, 'GB')} [{spec.grade}]"


def _accelerators(catalog: Catalog) -> str:
    rows = []
    for a in catalog.accelerators.values():
        best = max(a.dense_tflops.values(), key=lambda s: s.value)
        rows.append([a.id, _short(a.name), a.status, a.architecture,
                     _memory(a.memory_gb), _spec(a.memory_bw_gbs, "{:,.2f}", 1e-3),
                     _spec(a.dense_tflops.get("bf16")), _spec(best), _spec(a.tdp_w),
                     ",".join(a.precisions)])
    return table(["id", "name", "status", "weights in", "memory", "bandwidth TB/s",
                  "BF16 TFLOPS", "peak dense TFLOPS", "TDP W", "precisions"], rows, left=4)


def _systems(catalog: Catalog) -> str:
    rows = [[s.id, _short(s.name), s.status, s.accelerator, fmt(s.accelerators, "{:,}"), s.form,
             s.cooling, _spec(s.host_power_w),
             "rented only" if s.rented else _spec(s.price_usd)]
            for s in catalog.systems.values()]
    return table(["id", "name", "status", "accelerator", "count", "form", "cooling",
                  "host W", "price USD"], rows, left=4)


def _models(catalog: Catalog) -> str:
    rows = [[m.id, _short(m.name), fmt(m.params_b, "{:,.1f}"), fmt(m.active_params_b, "{:,.1f}"),
             fmt(m.layers, "{:,}"), m.kv_layout, "MoE" if m.moe else "dense",
             fmt(m.max_context, "{:,}"), m.grade]
            for m in catalog.models.values()]
    return table(["id", "name", "params B", "active B", "layers", "KV", "type", "context",
                  "grade"], rows, left=2)


RENDER = {"accelerators": _accelerators, "systems": _systems, "models": _models}
