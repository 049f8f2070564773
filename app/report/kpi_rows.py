"""The scenario KPIs every summary shows, with label, unit and format: the PDF report's key
figures and the command line's summary table read this one list, so they never disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.report.tables import money, number


@dataclass(frozen=True)
class KpiRow:
    key: str  # column of Results.kpis
    label: str  # with its unit
    fmt: str  # "n" number, "$" money
    digits: int = 0
    scale: float = 1.0

    def show(self, value) -> str:
        v = float(value) * self.scale if value is not None else math.nan
        if self.key in WORST_LATENCY and v == 0:
            v = math.nan  # no workload meets its SLO: there is no worst latency to show
        return money(v, self.digits) if self.fmt == "$" else number(v, self.digits)


#: Latency KPIs that count only the workloads meeting their SLO (see planner_core.engine.evaluate).
WORST_LATENCY = {"ttft_p99_ms", "tpot_p99_ms"}


KPI_ROWS = [
    KpiRow("accelerators", "Accelerators", "n"),
    KpiRow("systems", "Systems", "n"),
    KpiRow("racks", "Racks", "n"),
    KpiRow("facility_mw_peak", "Facility power at peak (MW)", "n", 3),
    KpiRow("it_kw_peak", "IT power at peak (kW)", "n", 1),
    KpiRow("usd_per_m_output_tokens", "Cost per million output tokens (USD)", "$", 2),
    KpiRow("usd_per_m_tokens", "Cost per million tokens, prompt and answer (USD)", "$", 2),
    KpiRow("tco_usd_per_year", "TCO per year (million USD)", "$", 2, 1e-6),
    KpiRow("capex_usd", "CapEx (million USD)", "$", 2, 1e-6),
    KpiRow("energy_mwh_per_day", "Energy per day (MWh)", "n", 2),
    KpiRow("ttft_p99_ms", "p99 time to first token, worst workload (ms)", "n", 0),
    KpiRow("tpot_p99_ms", "p99 time per output token, worst workload (ms)", "n", 1),
    KpiRow("utilization_peak_pct", "Utilization at peak (%)", "n", 0),
    KpiRow("output_tokens_per_kwh", "Output tokens per kWh", "n", 0),
]

_BY_KEY = {r.key: r for r in KPI_ROWS}


def show_kpi(key: str, value) -> str:
    """A KPI value as every summary shows it (a figure without a row: 3 significant digits)."""
    row = _BY_KEY.get(key)
    if row is None:
        return f"{value:,.3g}" if isinstance(value, float) else str(value)
    return row.show(value)


def kpi_label(key: str) -> str:
    row = _BY_KEY.get(key)
    return row.label if row else key
