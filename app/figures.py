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

#: The thousands separator and decimal point numbers are shown with. The window sets the
#: user's own (where 40.000 reads as forty thousand, a decimal comma); the command line and
#: files keep "," and "." (files are read by programs, and tests compare text).
_SEPARATORS = {"group": ",", "decimal": "."}


def set_separators(group: str, decimal: str) -> None:
    _SEPARATORS.update(group=group, decimal=decimal)


def _localized(text: str) -> str:
    """Python's ``,`` and ``.`` as the reader's separators, and a real minus sign."""
    if _SEPARATORS["group"] != "," or _SEPARATORS["decimal"] != ".":
        text = text.translate(str.maketrans({",": _SEPARATORS["group"],
                                             ".": _SEPARATORS["decimal"]}))
    return text.replace("-", MINUS)


def tick(text: str) -> str:
    """A chart's tick label as the chart library wrote it ("12000", "0.25") with the
    reader's separators and thousands grouped ("12,000"; "0,25" in German)."""
    try:
        value = float(text)
    except ValueError:
        return text
    decimals = len(text.partition(".")[2])
    return _localized(f"{value:,.{decimals}f}")


def number(value, digits: int = 0) -> str:
    """Thousands separators and a fixed number of decimals, as the window's tiles show them."""
    if value is None or not finite(value):
        return MISSING
    return _localized(f"{float(value):,.{digits}f}")


#: Units that scale with the size of the number: each family's units, smallest first, with
#: their size in the family's first unit. Money is written before the number ($2.3M).
SCALES = {
    "W": (("W", 1.0), ("kW", 1e3), ("MW", 1e6), ("GW", 1e9)),
    "Wh": (("Wh", 1.0), ("kWh", 1e3), ("MWh", 1e6), ("GWh", 1e9)),
    "B": (("B", 1.0), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15)),
    "$": (("$", 1.0), ("$k", 1e3), ("$M", 1e6), ("$B", 1e9)),
    "tok/s": (("tok/s", 1.0), ("k tok/s", 1e3), ("M tok/s", 1e6), ("G tok/s", 1e9)),
    "B/s": (("GB/s", 1e9), ("TB/s", 1e12), ("PB/s", 1e15)),
    "FLOPS": (("TFLOPS", 1e12), ("PFLOPS", 1e15), ("EFLOPS", 1e18)),
}
#: A unit of a family, to its family and its size there.
_UNITS = {unit: (family, size) for family, units in SCALES.items() for unit, size in units}


def significant(value: float, sig: int = 3) -> str:
    """``value`` with ``sig`` significant digits but never its whole part cut (1,234 stays
    1,234; 0.0123 keeps its 3 digits), grouped, no exponent and no trailing zeros (40, 2.5)."""
    if value is None or not finite(value):
        return MISSING
    v = float(value)
    if v == 0:
        return "0"
    whole = math.floor(math.log10(abs(v))) + 1  # digits before the point
    if whole < sig:
        v = float(f"{v:.{sig}g}")  # 0.99996 rounds to 1, which has a digit more
        whole = math.floor(math.log10(abs(v))) + 1
    decimals = max(sig - whole, 0) if whole > 0 else min(sig - whole, 12)
    text = f"{v:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")  # 40 req/s, not 40.0
    return _localized(text)


def quantity(value, unit: str, sig: int = 3) -> str:
    """``value`` (in ``unit``) at the unit of its family that suits its size, with ``sig``
    significant digits: 0.0123 MW is "12.3 kW", 0.23 GB is "230 MB", 1.2e6 $ is "$1.2M".
    A unit without a family is kept as it is."""
    if value is None or not finite(value):
        return MISSING
    if unit not in _UNITS:
        return f"{significant(value, sig)} {unit}".strip()
    family = _UNITS[unit][0]
    if float(value) == 0:
        return "$0" if family == "$" else f"0 {unit}"
    name, factor = unit_for(value, unit)
    text = significant(float(value) * factor, sig)
    if family == "$":
        sign = MINUS if text.startswith(MINUS) else ""
        return f"{sign}${text.lstrip(MINUS)}{name[1:]}"
    return f"{text} {name}"


def unit_for(value, unit: str) -> tuple[str, float]:
    """The unit of ``unit``'s family that suits ``value`` (given in ``unit``), and the factor
    from ``unit`` to it: a chart scales all its values by the largest one's."""
    if unit not in _UNITS or not finite(value):
        return unit, 1.0
    family, size = _UNITS[unit]
    base = abs(float(value)) * size
    if base == 0:
        return unit, 1.0
    name, scale = SCALES[family][0]
    for candidate, candidate_scale in SCALES[family]:
        if base >= candidate_scale * 0.9995:  # 999.96 kW shows as 1 MW, not 1,000 kW
            name, scale = candidate, candidate_scale
    return name, size / scale


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
    return _localized(text)


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
