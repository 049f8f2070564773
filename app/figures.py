"""How the app writes a figure, the same in the window, the command line and the report:
numbers and money with a real minus sign and a dash for what is missing, catalog values at
the precision they were written with, and the scenario KPIs every summary shows (label, unit
and format), so the PDF report's key figures, the command line's summary and the What-if
panel never disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass

MISSING = "—"
MINUS = "\u2212"  # a real minus sign lines up with "+" in proportional fonts


def number(value, digits: int = 0) -> str:
    """Thousands separators and a fixed number of decimals, as the window's tiles show them."""
    if value is None or not finite(value):
        return MISSING
    return f"{float(value):,.{digits}f}".replace("-", MINUS)


def money(value, digits: int = 2) -> str:
    """A price or cost: ``digits`` decimals, more below one so that three figures remain."""
    if value is None or not finite(value):
        return MISSING
    v = abs(float(value))
    if 0 < v < 1:
        digits = max(digits, min(2 - math.floor(math.log10(v)), 6))
    return number(value, digits)


def figure(value) -> str:
    """A catalog or setting value at the precision it was written with, never exponential."""
    if value is None or not finite(value):
        return MISSING
    v = float(value)
    if v == int(v) and abs(v) < 1e15:
        return number(v, 0)
    if abs(v) >= 100:
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{v:,.6f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


def finite(value) -> bool:
    """A number that is neither NaN nor infinite (None and text are not)."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


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
    KpiRow("utility_mw", "Utility power at the meter (MW)", "n", 3),
    KpiRow("facility_mw_provisioned", "Facility power provisioned (MW)", "n", 3),
    KpiRow("facility_mw_peak", "Facility power expected at peak (MW)", "n", 3),
    KpiRow("it_kw_provisioned", "IT power provisioned (kW)", "n", 1),
    KpiRow("it_kw_peak", "IT power expected at peak (kW)", "n", 1),
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
