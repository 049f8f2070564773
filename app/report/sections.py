"""What the report says: its sections as one HTML document for QTextDocument.

Every number comes from the Results object or the catalog; nothing is computed here beyond
formatting, sums of parts and shares, so the report and the window can never disagree.
The reader is a CFO or a fellow architect who never saw the app: units sit in every label,
and every assumption carries its source.
"""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd

from app.figures import KPI_ROWS, figure, money, number
from app.report.catalog_section import catalog_figures
from app.report.evidence_section import evidence
from app.report.roadmap_section import roadmap_section
from app.report.site_section import site
from app.report.tables import Group, nowrap, paragraphs, table, text
from planner_core import Catalog, Results, __version__
from planner_core.plan import Facility, Plan, describe_overrides

#: Scenario columns per table: more and the numbers no longer fit A4 portrait at a legible size.
SCENARIOS_PER_TABLE = 5
#: The roadmap's picture among the charts: a key no scenario can have (names hold no dots).
ROADMAP_PICTURE = ".roadmap"

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

STYLE = """
body { font-size: 9.5pt; color: #1f2328; }
h1 { font-size: 17pt; color: #1f3b5c; margin-top: 18px; margin-bottom: 8px; }
h2 { font-size: 12.5pt; color: #1f3b5c; margin-top: 16px; margin-bottom: 6px; }
h3 { font-size: 10.5pt; color: #1f2328; margin-top: 14px; margin-bottom: 4px; }
p { margin-top: 0px; margin-bottom: 6px; }
.lead { color: #444c56; }
.small { font-size: 8pt; color: #57606a; }
.sub { color: #57606a; }
.kicker { font-size: 9pt; color: #57606a; letter-spacing: 1px; }
.title { font-size: 26pt; color: #1f3b5c; margin-top: 6px; margin-bottom: 18px; }
.big { font-size: 17pt; font-weight: 600; color: #1f3b5c; }
.ok { color: #1a7f37; }
.bad { color: #c0262d; font-weight: 600; }
"""


POWER_PARTS = [
    ("power_accelerators_kw", "Accelerators"),
    ("power_host_kw", "Hosts: CPUs, memory, NICs, fans"),
    ("power_network_kw", "Scale-out network"),
    ("power_cooling_kw", "Cooling and losses (PUE − 1)"),
]
COST_PARTS = [
    ("annual_capex_usd", "Hardware CapEx, annualized"),
    ("opex_energy_usd_per_year", "Energy"),
    ("opex_facility_usd_per_year", "Facility: colocation or building"),
    ("opex_maintenance_usd_per_year", "Maintenance"),
]

#: Facility settings: label and unit, and how a value reads; fields not listed still appear.
FACILITY_FIELDS = {
    "pue": ("Power usage effectiveness (PUE)", "", figure),
    "electricity_usd_per_kwh": ("Electricity", "USD/kWh", figure),
    "rack_power_budget_kw": ("Rack power budget", "kW", figure),
    "max_air_cooled_rack_kw": ("Air-cooling limit per rack", "kW", figure),
    "cost_model": ("Facility cost model", "", str),
    "colocation_usd_per_kw_month": ("Colocation price", "USD per kW and month", figure),
    "facility_capex_usd_per_mw": ("Owned facility build cost", "USD per MW of IT", figure),
    "facility_life_years": ("Owned facility life", "years", figure),
    "amortization_years": ("Hardware amortization", "years", figure),
    "cost_of_capital": ("Cost of capital", "% per year", lambda v: figure(100 * v)),
    "maintenance_pct_per_year": ("Maintenance", "% of hardware CapEx per year", figure),
    "installation_capex_pct": ("Installation CapEx", "% of systems' price", figure),
}

SECTIONS = ["Key figures", "Fleet and racks", "Latency and throughput", "Power and cost",
            "Site", "Roadmap", "Charts", "Warnings", "Assumptions",
            "Catalog figures and sources"]


def report_html(plan: Plan, results: Results, catalog: Catalog, charts: dict[str, str],
                chart_width_px: float, today: date | None = None,
                roadmap: list | None = None, roadmap_scenarios: list | None = None) -> str:
    """The whole report. ``charts`` maps a scenario to the resource name of its picture."""
    today = today or date.today()
    scenarios = [s for s in plan.scenario_names() if s in set(results.kpis.scenario)]
    parts = [
        cover(plan, results, scenarios, today),
        _h1(1, new_page=True) + key_figures(plan, results, scenarios),
        _h1(2) + fleet(results, scenarios),
        _h1(3) + latency(results, scenarios),
        _h1(4) + power_and_cost(plan, results, scenarios),
        _h1(5) + site(plan, results, scenarios, _chunks),
        _h1(6) + roadmap_section(plan, roadmap, charts.get(ROADMAP_PICTURE),
                                 chart_width_px, roadmap_scenarios),
        _h1(7) + chart_pages(plan, scenarios, charts, chart_width_px),
        _h1(8) + warnings(results, scenarios),
        _h1(9) + assumptions(plan, scenarios, results),
        _h1(10) + catalog_figures(plan, catalog, scenarios),
    ]
    return f"<html><body>{''.join(parts)}</body></html>"


def _h1(n: int, new_page: bool = False) -> str:
    # The cover has a page to itself: the first section starts the second page.
    brk = ' style="page-break-before: always;"' if new_page else ""
    return f"<h1{brk}>{n}&nbsp;&nbsp;{text(SECTIONS[n - 1])}</h1>"


def _scenario_header(plan: Plan, scenario: str) -> str:
    mark = "<br>(baseline)" if scenario == plan.baseline else ""
    return text(scenario) + mark


def _chunks(items: list[str]) -> list[tuple[str, list[str]]]:
    """Scenarios in evenly filled groups of at most SCENARIOS_PER_TABLE, each with a caption.

    A caption is a small heading, so that each table of a long comparison stays whole.
    """
    tables = max(math.ceil(len(items) / SCENARIOS_PER_TABLE), 1)
    size = math.ceil(len(items) / tables) if items else 1
    groups = [items[i:i + size] for i in range(0, len(items), size)]
    if len(groups) == 1:
        return [("", groups[0])]
    out, first = [], 1
    for g in groups:
        last = first + len(g) - 1
        out.append((f"<h3>Scenarios {first} to {last} of {len(items)}</h3>", g))
        first = last + 1
    return out


def _counts(results: Results, scenario: str) -> tuple[int, int]:
    mine = [w for w in results.warnings if w["scenario"] == scenario]
    errors = sum(1 for w in mine if w.get("severity") == "error")
    return errors, len(mine) - errors


# -- cover ---------------------------------------------------------------------------------

def cover(plan: Plan, results: Results, scenarios: list[str], today: date) -> str:
    base = results.kpi(plan.baseline if plan.baseline in scenarios else scenarios[0])
    when = f"{today.day} {MONTHS[today.month - 1]} {today.year}"
    meta = table(None, [
        ["Date", when],
        ["Prepared with", f"Inference Planner {text(__version__)}"],
        ["Scenarios", f"{len(scenarios)} (baseline: {text(plan.baseline)})"],
    ], widths=[22, 78])
    glance = [
        ("Cost per million output tokens", f"${money(base.usd_per_m_output_tokens)}"),
        ("Utility power at the meter", f"{number(base.utility_mw, 3)} MW"),
        ("Facility power provisioned", f"{number(base.facility_mw_provisioned, 3)} MW"),
        ("Facility power expected at peak", f"{number(base.facility_mw_peak, 3)} MW"),
        ("Accelerators", number(base.accelerators)),
        ("Racks", number(base.racks)),
    ]
    # Rows of three: six big figures side by side run into one another.
    per_row = 3
    rows = ["".join(f'<td width="{100 // per_row}%" valign="top"><span class="big">{nowrap(v)}'
                    f'</span><br><span class="small">{text(k)}</span></td>'
                    for k, v in glance[i:i + per_row]) for i in range(0, len(glance), per_row)]
    notes = paragraphs(plan.notes) if plan.notes.strip() else '<p class="small">No notes.</p>'
    described = [[f"<b>{_scenario_header(plan, s)}</b>", _what_it_changes(plan, s)]
                 for s in scenarios]
    return (
        '<p class="kicker">INFERENCE PLANNER · PLAN REPORT</p>'
        f'<p class="title"><b>{text(plan.name)}</b></p>'
        f"{meta}"
        f"<h3>Baseline ({text(plan.baseline)}) at a glance</h3>"
        f'<table width="100%" cellspacing="0" cellpadding="4">'
        + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"
        # The scenarios before the notes: free text can run to pages, and what each scenario
        # changes belongs at a glance.
        f"<h3>Scenarios</h3>{table(['Scenario', 'What it changes'], described, widths=[25, 75])}"
        f"<h3>Notes</h3>{notes}"
    )


def _what_it_changes(plan: Plan, scenario: str) -> str:
    """The scenario's own description, or where it has none, its overrides in words."""
    written = plan.scenario(scenario).description.strip() if scenario != "base" else ""
    if written:
        return text(written)
    return text(describe_overrides(plan, scenario))


# -- results ---------------------------------------------------------------------------------

def key_figures(plan: Plan, results: Results, scenarios: list[str]) -> str:
    k = results.kpis.set_index("scenario")
    out = ['<p class="lead">Each scenario at its busiest hour and over a year: what it installs, '
           "what it draws, what a million tokens cost and what latency users see. Cost is "
           "TCO per million tokens = (annualized CapEx + yearly OpEx) / tokens served per "
           "year.</p>"]
    for caption, chunk in _chunks(scenarios):
        out.append(caption)
        rows = [[text(r.label)] + [r.show(k.at[s, r.key]) for s in chunk] for r in KPI_ROWS]
        rows.append(["Errors / warnings"]
                    + ["{} / {}".format(*_counts(results, s)) for s in chunk])
        width = (100 - 34) // len(chunk)
        out.append(table(["Figure"] + [_scenario_header(plan, s) for s in chunk], rows,
                         align="l" + "r" * len(chunk), widths=[34] + [width] * len(chunk)))
    out.append('<p class="small">The p99 latencies are those of the slowest workload that '
               "meets its SLO; section 3 lists every workload, those that miss it included. "
               "— : not available.</p>")
    return "".join(out)


def fleet(results: Results, scenarios: list[str]) -> str:
    # Ten columns share A4's width: the accelerator sits under its system, and the headers
    # are short, each with its unit.
    header = ["Pool", "System<br>accelerator", "Accel&shy;erators", "Sys&shy;tems", "Racks",
              "Systems per rack", "Cool&shy;ing", "Rack kW, max", "IT kW, peak", "CapEx, $M"]
    rows: list = []
    pools = results.pools
    for s in scenarios:
        mine = pools[pools.scenario == s] if len(pools) else pools
        rows.append(Group(f"Scenario: {text(s)}"))
        if not len(mine):
            rows.append(["no pools"] + [""] * (len(header) - 1))
        for p in mine.itertuples():
            rows.append([text(p.pool),
                         f'{text(p.system)}<br><span class="sub">{text(p.accelerator)}</span>',
                         number(p.accelerators), number(p.systems), number(p.racks),
                         number(p.systems_per_rack), text(p.cooling),
                         number(p.rack_kw_provisioned, 1),
                         number(p.it_kw_peak, 1), money(p.capex_usd / 1e6)])
    return ('<p class="lead">Each pool of identical systems: how many, how they are racked '
            "within the rack power budget and the air-cooling limit, their draw and their "
            "hardware CapEx (systems plus network and installation).</p>"
            + table(header, rows, align="llrrrrlrrr", small=True,
                    widths=[14, 20, 9, 7, 7, 8, 7, 9, 9, 10]))


def latency(results: Results, scenarios: list[str]) -> str:
    header = ["Pool", "Work&shy;load", "Layout", "Rep&shy;licas", "TTFT p99 / SLO, ms",
              "TPOT p99 / SLO, ms", "Tok/s per user", "Output tok/s per accel&shy;erator",
              "Utili&shy;zation at peak, %", "Meets SLO"]
    rows: list = []
    wl = results.workloads
    for s in scenarios:
        rows.append(Group(f"Scenario: {text(s)}"))
        mine = wl[wl.scenario == s]
        if not len(mine):
            rows.append(["no workload is served"] + [""] * (len(header) - 1))
        for w in mine.itertuples():
            ok = bool(w.meets_slo)
            rows.append([
                text(w.pool), text(w.workload), text(w.layout), number(w.replicas),
                _versus(w.ttft_p99_ms, w.slo_ttft_p99_ms, 0),
                _versus(w.tpot_p99_ms, w.slo_tpot_p99_ms, 1),
                number(w.user_tok_s, 0), number(w.output_tok_s_per_accelerator, 0),
                number(w.utilization_peak_pct, 0),
                '<span class="ok">yes</span>' if ok else '<span class="bad">no</span>'])
    return ('<p class="lead">Every workload on every pool at the peak hour: p99 time to first '
            "token (TTFT) and p99 time per output token (TPOT) against the workload's SLO, the "
            "speed one user sees and the throughput an accelerator delivers.</p>"
            + table(header, rows, align="lllrrrrrrc", small=True))


def _versus(value, limit, digits: int) -> str:
    return nowrap(f"{number(value, digits)} / {number(limit, 0)}")


def power_and_cost(plan: Plan, results: Results, scenarios: list[str]) -> str:
    k = results.kpis.set_index("scenario")
    out = ["<h2>Power at the peak hour</h2>",
           '<p class="lead">Facility power by consumer, kW, with each part\'s share. Each pool '
           "counts at its own peak hour.</p>"]
    out += _breakdown(plan, k, scenarios, POWER_PARTS, "Total (kW)", lambda v: number(v, 1))
    out += ["<h2>Cost per year</h2>",
            '<p class="lead">Total cost of ownership per year, thousand USD, with each part\'s '
            "share. CapEx is annualized over the amortization period at the cost of "
            "capital.</p>"]
    parts = COST_PARTS
    if "opex_rent_usd_per_year" in k and (k.loc[scenarios, "opex_rent_usd_per_year"] > 0).any():
        parts = [*COST_PARTS, ("opex_rent_usd_per_year",
                               "Rent of cloud-only pools (their energy and space included)")]
    out += _breakdown(plan, k, scenarios, parts, "TCO per year (thousand USD)",
                      lambda v: number(v / 1e3, 0))
    return "".join(out)


def _breakdown(plan: Plan, k: pd.DataFrame, scenarios: list[str], parts, total_label: str,
               show) -> list[str]:
    out = []
    for caption, chunk in _chunks(scenarios):
        out.append(caption)
        totals = {s: sum(float(k.at[s, key]) for key, _ in parts) for s in chunk}
        rows = []
        for key, label in parts:
            cells = [text(label)]
            for s in chunk:
                v = float(k.at[s, key])
                share = f" ({number(100 * v / totals[s], 0)}%)" if totals[s] > 0 else ""
                cells.append(show(v) + share)
            rows.append(cells)
        rows.append([f"<b>{text(total_label)}</b>"] + [f"<b>{show(totals[s])}</b>" for s in chunk])
        width = (100 - 34) // len(chunk)
        out.append(table([""] + [_scenario_header(plan, s) for s in chunk], rows,
                         align="l" + "r" * len(chunk), widths=[34] + [width] * len(chunk)))
    return out


def chart_pages(plan: Plan, scenarios: list[str], charts: dict[str, str], width: float) -> str:
    out = ['<p class="lead">The dashboard of each scenario, as the window draws it. Top left: '
           "p99 TTFT (solid) and TPOT (dashed) of one replica against its load, the dot at the "
           "peak hour, dotted lines the SLOs. Top right: the interactivity trade-off, output "
           "tokens/s per accelerator against tokens/s per user. Middle: power at the peak "
           "hour (kW) and cost per year (million USD). Bottom: utilization and facility power "
           "over the 24 hours.</p>"]
    first = True
    for s in scenarios:
        name = charts.get(s)
        if name is None:
            continue
        # A dashboard fills most of a page: each after the first starts one (the pagination
        # would move it there anyway, at the cost of laying the document out again).
        brk = "" if first else ' style="page-break-before: always;"'
        first = False
        out.append(f"<h2{brk}>Scenario: {_scenario_header(plan, s).replace('<br>', ' ')}</h2>")
        out.append(f'<p><img src="{name}" width="{width:.0f}"></p>')
    return "".join(out)


def warnings(results: Results, scenarios: list[str]) -> str:
    if not any(w["scenario"] in scenarios for w in results.warnings):
        return "<p>No scenario has warnings: every workload fits its pool and meets its SLO, " \
               "and every rack stays within its power and cooling limits.</p>"
    out = []
    for s in scenarios:
        mine = [w for w in results.warnings if w["scenario"] == s]
        out.append(f"<h2>Scenario: {text(s)}</h2>")
        if not mine:
            out.append("<p>No warnings.</p>")
            continue
        rows = [['<span class="bad">error</span>' if w.get("severity") == "error"
                 else text(w.get("severity", "warning")), text(w["item"]), text(w["message"])]
                for w in mine]
        out.append(table(["Severity", "Concerns", "Message"], rows, widths=[10, 20, 70]))
    return "".join(out)


# -- assumptions -------------------------------------------------------------------------------

def assumptions(plan: Plan, scenarios: list[str], results: Results | None = None) -> str:
    variants = {s: plan.variant(s) for s in scenarios}
    return "".join([
        *(["<h2>What each pool's performance rests on</h2>",
           '<p class="lead">The serving engine on the pool\'s accelerators, and whether its '
           "speeds were calibrated on published measurements of that pair, borrowed from "
           "the nearest calibrated pair (and how far borrowed fits are measured to miss), or "
           "assumed. The uncertainty analysis spreads each pool's performance by that "
           "error.</p>", performance_basis(results, scenarios)] if results is not None
          else []),
        evidence(plan, scenarios),
        "<h2>Facility and cost settings</h2>",
        '<p class="lead">The base plan\'s settings. The source describes the reference '
        "default; a value set in the plan says so.</p>",
        facility_settings(plan, variants),
        "<h2>Workloads</h2>",
        '<p class="lead">Demand as the base plan states it; scenarios may change it (see '
        "below).</p>",
        workload_settings(plan),
        "<h2>Scenarios and their overrides</h2>",
        scenario_overrides(plan, scenarios),
    ])


def performance_basis(results: Results, scenarios: list[str]) -> str:
    pools = results.pools
    rows = []
    for s in scenarios:
        for _, p in pools[pools.scenario == s].iterrows():
            basis = str(p.get("calibration_basis", "") or "")
            shown = f'<span class="bad">{text(basis)}</span>' if not basis.startswith(
                "calibrated") else text(basis)
            rows.append([text(s), text(p["pool"]), text(p["accelerator"]),
                         text(str(p.get("engine", "") or "")), shown])
    return table(["Scenario", "Pool", "Accelerator", "Engine", "Basis"], rows,
                 widths=[16, 14, 18, 10, 42])


def facility_settings(plan: Plan, variants: dict[str, Plan]) -> str:
    rows = []
    for name, info in Facility.model_fields.items():
        label, unit, show = FACILITY_FIELDS.get(name, (name.replace("_", " "), "", figure))
        value = getattr(plan.facility, name)
        default = info.default
        described = info.description or "a choice made in the plan"
        if value == default:
            source = text(described)
        else:
            source = (f"<b>set in the plan</b>; default {text(show(default))}: "
                      f"{text(described)}")
        changes = [f"{text(s)}: {text(show(getattr(v.facility, name)))}"
                   for s, v in variants.items()
                   if s != "base" and getattr(v.facility, name) != value]
        rows.append([text(label) + (f' <span class="small">({text(unit)})</span>' if unit
                                    else ""),
                     text(show(value)), "<br>".join(changes), source])
    return table(["Setting (unit)", "Value", "Scenario changes", "Source or assumption"], rows,
                 align="lrll", widths=[30, 11, 17, 42])


def workload_settings(plan: Plan) -> str:
    rows = []
    for w in plan.workloads:
        prec = w.weight_precision or "model default"
        # The binding limit: a p99 TPOT, or a minimum speed per user, whichever is stricter.
        limit = 1e3 * w.slo.tpot_limit_s()
        tpot = number(limit, 1 if limit < 10 else 0) if math.isfinite(limit) else "none"
        rows.append([text(w.name), text(w.model), text(prec), number(w.traffic.peak_rps, 1),
                     _tokens(w.input_tokens), _tokens(w.output_tokens),
                     number(w.slo.ttft_p99_ms, 0), tpot])
    return table(["Workload", "Model", "Weights", "Peak requests/s", "Prompt tokens (mean)",
                  "Answer tokens (mean)", "SLO TTFT p99 (ms)", "SLO TPOT p99 (ms)"], rows,
                 align="lllrrrrr", small=True, widths=[13, 17, 11, 10, 14, 14, 10, 11])


def _tokens(t) -> str:
    spread = "" if t.distribution == "fixed" else (
        f" {t.distribution}" + (f", cv {figure(t.cv)}" if t.distribution == "lognormal" else ""))
    return number(t.mean) + (f'<br><span class="small">{text(spread.strip())}</span>'
                             if spread else "")


def scenario_overrides(plan: Plan, scenarios: list[str]) -> str:
    others = [s for s in scenarios if s != "base"]
    if not others:
        return "<p>The plan has no scenarios besides the base plan.</p>"
    rows = []
    for s in others:
        sc = plan.scenario(s)
        changes = "<br>".join(f"{text(path)} = {text(_json(value))}"
                              for path, value in sc.overrides.items()) or "nothing"
        rows.append([f"<b>{text(s)}</b>", text(sc.description), changes])
    return table(["Scenario", "Description", "Overrides (plan field = value)"], rows,
                 widths=[18, 37, 45])


def _json(value) -> str:
    if value is None:
        return "none (default)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return figure(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
