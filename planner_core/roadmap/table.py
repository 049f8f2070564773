"""A strategy's run as a table: one row per period and cohort in service (a period with none
gets one row), plain column names with their units."""

from __future__ import annotations

import pandas as pd

from planner_core.roadmap.search import Strategy


def period_table(strategy: Strategy) -> pd.DataFrame:
    rows = []
    for r in strategy.run.rows:
        period = {
            "strategy": strategy.name, "period": r.period.label,
            "period_start": r.period.start,
            "demand_peak_rps": sum(r.demand_rps.values()),
            "capacity_rps": sum(r.capacity_rps.values()), "meets_demand": r.meets,
            "utility_mw": r.utility_mw, "power_available_mw": r.power_available_mw,
            "within_power": r.within_power, "it_kw_provisioned": r.it_kw_provisioned,
            "capex_usd": r.capex_usd, "opex_usd": r.opex_usd, "writeoff_usd": r.writeoff_usd,
            "output_tokens": r.output_tokens,
            "usd_per_m_output_tokens": r.usd_per_m_output_tokens,
        }
        cohorts = r.cohorts or [None]
        for c in cohorts:
            rows.append({**period,
                         "cohort_option": c.option if c else "",
                         "cohort_bought": strategy.run.rows[c.bought].period.label if c else "",
                         "cohort_systems": c.systems if c else 0,
                         "cohort_capex_usd": c.capex_usd if c else 0.0})
    frame = pd.DataFrame(rows)
    frame["npv_usd"] = strategy.run.npv_usd
    return frame
