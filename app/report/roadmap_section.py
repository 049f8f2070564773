"""The report's roadmap: for a plan with a timeline, each strategy's NPV and purchases and the
chosen sequence period by period (the engine's figures, as `inference-planner roadmap`)."""

from __future__ import annotations

import math

from app.figures import number
from app.report.tables import table, text
from planner_core.plan import Plan


def roadmap_section(plan: Plan, strategies: list | None, picture: str | None,
                    width: float, scenarios: list | None = None) -> str:
    """``strategies``: planner_core.roadmap.search.choose's for the plan (None without a
    timeline); ``picture``: the resource name of its charts; ``scenarios``:
    planner_core.roadmap.scenarios.compare's, where the plan has more than one."""
    t = plan.timeline
    if t is None or not t.options or not strategies:
        return ("<p>This plan has no timeline with options to buy: it is one snapshot. A "
                "timeline (periods, demand paths, power phases, options) adds the years here "
                "and in the window's Roadmap tab.</p>")
    parts = [f'<p class="lead">{t.periods} {t.period}s from {text(t.start)}. The chosen '
             "sequence buys, in each period that falls short, the fewest systems of one option "
             "that cover the shortfall, chosen for the least NPV of cost that meets every "
             "period's demand within its power; each period's fleet is evaluated by the "
             "engine. Beside it, the fixed strategies.</p>"]
    parts.append(_sequences("Strategy", strategies))
    if scenarios:
        parts.append("<h3>The plan's scenarios over the years</h3><p>Each scenario runs its "
                     "timeline's stored purchases as they are (a strategy saved as a scenario, "
                     "or the purchases applied to the plan), or where it stores none, the "
                     "sequence chosen for it.</p>")
        parts.append(_sequences("Scenario (its sequence)", scenarios))
    chosen = strategies[0]
    parts.append("<h3>The chosen sequence, period by period</h3>")
    parts.append(table(
        ["Period", "Demand req/s", "Capacity req/s", "Meets", "Utility MW", "MW available",
         "CapEx $M", "OpEx $M", "$/M out"],
        [[text(r.period.label), number(sum(r.demand_rps.values()), 0),
          number(sum(r.capacity_rps.values()), 0),
          "yes" if r.meets and r.within_power else "no", number(r.utility_mw, 2),
          "—" if r.power_available_mw is None else number(r.power_available_mw, 1),
          number(r.capex_usd / 1e6, 1), number(r.opex_usd / 1e6, 1),
          "—" if not math.isfinite(r.usd_per_m_output_tokens)
          else number(r.usd_per_m_output_tokens, 2)] for r in chosen.run.rows],
        align="lrrcrrrrr", small=True))
    if picture:
        parts.append(f'<p><img src="{picture}" width="{width:.0f}"></p>')
    return "".join(parts)


def _sequences(head: str, strategies: list) -> str:
    return table([head, "NPV of cost", "Meets every period", "Purchases"], [
        [text(f"{s.name} ({s.basis})" if s.basis else s.name),
         f"${number(s.run.npv_usd / 1e6, 1)}M", "yes" if s.run.meets else "no",
         text("; ".join(f"{s.run.rows[b.period].period.label}: {b.systems:,} × {b.option}"
                        for b in s.purchases) or "none")] for s in strategies],
        align="lrcl", small=True, widths=[18, 12, 12, 58])
