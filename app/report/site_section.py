"""The report's site: utility power, the electrical chain and its redundancy, the cooling plant,
the scale-out fabric, the floor, and each site limit's headroom, scenario by scenario."""

from __future__ import annotations

from app.figures import money, number
from app.report.tables import table, text
from planner_core import Results
from planner_core.plan import Plan

#: (label, function of one scenario's site details → cell)
ROWS = [
    ("Utility power at the meter", lambda s: f"{number(s['utility_mw'], 3)} MW"),
    ("UPS redundancy", lambda s: s["electrical"]["redundancy"]),
    ("UPS modules installed", lambda s: f"{s['electrical']['ups_modules']:,} "
     f"({number(s['electrical']['ups_installed_mw'], 2)} MW)"),
    ("UPS load, normal operation", lambda s: f"{s['electrical']['ups_load_pct']:.0f}%"),
    ("Meter-to-rack efficiency", lambda s: f"{s['electrical']['chain_efficiency_pct']:.1f}%"),
    ("PUE", lambda s: f"{s['cooling']['pue']:.2f} (" + (
        "derived, an estimate" if s["cooling"]["pue_source"] == "derived" else "given") + ")"),
    ("Heat to liquid / air", lambda s: f"{number(s['cooling']['heat_to_liquid_mw'], 2)} / "
     f"{number(s['cooling']['heat_to_air_mw'], 2)} MW"),
    ("CDUs (spares included)", lambda s: f"{s['cooling']['cdus']:,}"),
    ("Chillers / dry coolers", lambda s: f"{s['cooling']['heat_rejection_units']:,}"),
    ("Cooling, design day", lambda s: f"{number(s['cooling']['cooling_design_day_mw'], 2)} MW"),
    ("Fabric switches", lambda s: f"{s['fabric'].get('switches', 0):,}"),
    ("Fabric transceivers", lambda s: f"{s['fabric'].get('transceivers', 0):,}"),
    ("Fabric power", lambda s: f"{number(s['fabric']['kw'], 1)} kW"),
    ("Fabric CapEx", lambda s: f"${money(s['fabric']['capex_usd'] / 1e6)}M"),
    ("Racks (network racks included)", lambda s: f"{s['floor']['racks']:,}"),
    ("Racks placed / positions", lambda s: (
        f"{s['floor']['placed']:,} / {s['floor']['positions']:,}"
        if s["floor"]["m2_total"] is not None else "no halls set")),
    ("Floor area", lambda s: f"{number(s['floor']['m2_used'], 0)} m²"),
]


def site(plan: Plan, results: Results, scenarios: list[str], chunks) -> str:
    """``chunks``: how the report splits scenarios into tables (sections._chunks)."""
    parts = ['<p class="lead">Utility power is what the site\'s meter must deliver with every '
             "system at its rated draw: the IT load through the transformer, the UPS (at the "
             "load its redundancy leaves it) and distribution, plus cooling on the design day "
             "and lighting. The fabric is each pool's own rail-optimised fat tree of its "
             "systems' scale-out ports.</p>"]
    for caption, group in chunks([s for s in scenarios if s in results.sites]):
        rows = [[text(label)] + [text(cell(results.sites[s])) for s in group]
                for label, cell in ROWS]
        for s in group:
            for lim in results.sites[s]["limits"]:
                label = {"utility_mw": "Headroom: utility", "it_mw": "Headroom: IT load",
                         "rack_positions": "Headroom: positions"}[lim["limit"]]
                row = next((r for r in rows if r[0] == label), None)
                if row is None:
                    row = [label] + [""] * len(group)
                    rows.append(row)
                mark = " (over)" if lim["exceeded"] else ""
                row[1 + group.index(s)] = (f"{lim['headroom']:,.2f} {lim['unit']}{mark}"
                                           if lim["unit"] == "MW" else
                                           f"{lim['headroom']:,.0f} {lim['unit']}{mark}")
        parts.append(caption + table([""] + [text(s) for s in group], rows,
                                     align="l" + "r" * len(group), small=True))
    base = results.sites.get(plan.baseline)
    if base and base["floor"]["rows"]:
        parts.append(f"<h3>Floor of the baseline ({text(plan.baseline)})</h3>")
        parts.append(table(
            ["Hall", "Row", "Racks / positions", "Row kW", "Limit kW", "Pools"],
            [[text(r["hall"]), str(r["row"]), f"{r['used']} / {r['positions']}",
              number(r["kw"], 0), number(r["kw_limit"], 0) if r["kw_limit"] else "—",
              text(", ".join(f"{g['pool']} {g['kind']} ×{g['count']}" for g in r["racks"]))]
             for r in base["floor"]["rows"] if r["used"]],
            align="lrrrrl", small=True, widths=[14, 7, 15, 11, 11, 42]))
    return "".join(parts)
