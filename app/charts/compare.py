"""Scenarios side by side: a KPI table with changes against a baseline, and small bar charts.

The table answers "what does this scenario buy me compared with that one"; the bar charts show
the same few headline numbers at a glance. Both are redrawn from a Results object and never
edit anything: double-clicking a scenario's column header only asks the owner to switch to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.charts.bar_rows import ROW_PX, BarRows
from app.figures import MINUS, MISSING, number
from planner_core import Results

#: Item data role holding "better", "worse" or None for a cell, so tests and delegates can read
#: the verdict without parsing colors.
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Item data role holding the cell's value as a float, in the unit its row label names.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Row:
    key: str  # column of Results.kpis
    label: str  # with unit
    digits: int
    better: int  # -1: lower is better, +1: higher is better, 0: neutral
    scale: float = 1.0


ROWS = [
    Row("usd_per_m_output_tokens", "Cost per million output tokens (USD)", 2, -1),
    Row("tco_usd_per_year", "TCO per year (million USD)", 2, -1, 1e-6),
    Row("capex_usd", "CapEx (million USD)", 2, -1, 1e-6),
    Row("utility_mw", "Utility power at the meter (MW)", 3, -1),
    Row("facility_mw_provisioned", "Facility power provisioned (MW)", 3, -1),
    Row("facility_mw_peak", "Facility power expected at peak (MW)", 3, -1),
    Row("energy_mwh_per_day", "Energy per day (MWh)", 2, -1),
    Row("output_tokens_per_kwh", "Output tokens per kWh", 0, +1),
    Row("ttft_p99_ms", "p99 TTFT (ms)", 0, -1),
    Row("tpot_p99_ms", "p99 TPOT (ms)", 1, -1),
    Row("accelerators", "Accelerators", 0, 0),
    Row("racks", "Racks", 0, 0),
    Row("utilization_peak_pct", "Peak utilization (%)", 0, 0),
]
ISSUES_LABEL = "Errors / warnings"
#: Longer scenario names are elided in the column header; the header tooltip has them in full.
HEADER_MAX_WIDTH = 180

#: (kpi key, chart title, digits) for the small multiples.
CHARTS = [
    ("usd_per_m_output_tokens", "$/M output tokens", 2),
    ("facility_mw_provisioned", "MW provisioned", 1),
    ("ttft_p99_ms", "TTFT p99 ms", 0),
    ("accelerators", "Accelerators", 0),
]


def format_change(value: float, base: float) -> tuple[str, float | None]:
    """The change of value against base as display text, and the relative change (None: n/a)."""
    if not (math.isfinite(value) and math.isfinite(base)) or base == 0:
        return "", None
    rel = value / base - 1.0
    pct = rel * 100.0
    if abs(pct) < 0.05:
        return "±0%", 0.0
    if value / base >= 10:
        # Percentages in the thousands are hard to read; a factor is what people say.
        ratio = value / base
        text = f"×{ratio:,.1f}" if ratio < 100 else f"×{ratio:,.0f}"
        return text, rel
    # One decimal where whole percent would round to a misleading 0% or −100%.
    text = f"{pct:+.1f}%" if abs(pct) < 1 or pct < -99 else f"{pct:+.0f}%"
    return text.replace("-", MINUS), rel


def format_exact(value: float, digits: int) -> str:
    """A value for tooltips: at least six significant digits, never in scientific notation."""
    if value is None or not math.isfinite(value):
        return "not available"
    if value == 0:
        return "0"
    whole = int(math.floor(math.log10(abs(value)))) + 1
    decimals = min(max(digits + 2, 6 - whole), 9)
    return f"{value:,.{decimals}f}".replace("-", MINUS)


def verdict_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """(better, worse) text colors with enough contrast on the palette's base color."""
    if palette.color(QPalette.ColorRole.Base).lightness() < 128:
        return QColor("#6fdc8c"), QColor("#ff8f86")
    return QColor("#1a7f37"), QColor("#c0262d")


def _elide(text: str, metrics: QFontMetrics, width: int) -> str:
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 24))


class CompareView(QWidget):
    """Scenarios side by side, against a baseline scenario."""

    scenarioActivated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: list[str] = []
        self.baseline = ""
        self.current = ""
        self._results: Results | None = None

        self.table = QTableWidget(len(ROWS) + 1, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setVerticalHeaderLabels([r.label for r in ROWS] + [ISSUES_LABEL])
        vh = self.table.verticalHeader()
        vh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        # As tall as its rows and no taller, so the charts get the rest of the height.
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        hh.setToolTip("Double-click a scenario to switch to it")
        hh.sectionDoubleClicked.connect(self._header_double_clicked)

        self.charts: dict[str, BarRows] = {}
        self.chart_box = QWidget()
        grid = QGridLayout(self.chart_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        for i, (key, title, digits) in enumerate(CHARTS):
            # Two charts a row; the left one of each row names the scenarios.
            chart = BarRows(title, digits, names_axis=i % 2 == 0)
            self.charts[key] = chart
            grid.addWidget(chart, i // 2, i % 2)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip(
            "Bars on a log scale, so that a scenario many times larger than the others does "
            "not flatten them (on a linear scale such a bar is cut short, marked ≫, with its "
            "value printed)")
        self.log_scale.toggled.connect(self._set_log)
        # The table, then the charts below it, in one scrolling page: many scenarios make
        # both taller rather than squeezing their rows below a readable height.
        page = QWidget()
        inner = QVBoxLayout(page)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.table)
        inner.addWidget(self.log_scale)
        inner.addWidget(self.chart_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)
        self._style_charts()

    # -- public ---------------------------------------------------------------------------------

    def show_results(self, results: Results, baseline: str, current: str) -> None:
        self._results = results
        self.names = [str(n) for n in results.kpis["scenario"]]
        # A baseline that no longer exists (renamed or deleted scenario) falls back to the first.
        self.baseline = baseline if baseline in self.names else (self.names or [""])[0]
        self.current = current
        self._fill_table(results)
        self._fill_charts(results)
        self._fit_columns()
        self._fit_table_height()

    def cell(self, key: str, scenario: str) -> QTableWidgetItem:
        """The table item for a KPI key (or "issues") and a scenario name."""
        r = len(ROWS) if key == "issues" else [row.key for row in ROWS].index(key)
        return self.table.item(r, self.names.index(scenario))

    # -- table ----------------------------------------------------------------------------------

    def _fill_table(self, results: Results) -> None:
        kpis = results.kpis.set_index("scenario")
        pal = self.palette()
        good, bad = verdict_colors(pal)
        tint = QColor(pal.color(QPalette.ColorRole.Highlight))
        tint.setAlpha(40)
        t = self.table
        t.setColumnCount(len(self.names))
        for c, name in enumerate(self.names):
            font = QFont(t.horizontalHeader().font())
            font.setBold(name == self.current)
            # Qt's header clips a long centered name at both ends; elide it ourselves instead.
            shown = _elide(name, QFontMetrics(font), HEADER_MAX_WIDTH - 16)
            head = QTableWidgetItem(f"{shown}\n(baseline)" if name == self.baseline else shown)
            head.setFont(font)
            tips = [name]
            if name == self.baseline:
                tips.append("baseline: changes in the other columns are relative to it")
            if name == self.current:
                tips.append("the scenario open in the editor")
            tips.append("double-click to switch to this scenario")
            head.setToolTip("\n".join(tips))
            t.setHorizontalHeaderItem(c, head)
            for r, row in enumerate(ROWS):
                value = self._kpi(kpis, name, row)
                base = self._kpi(kpis, self.baseline, row)
                item = self._value_item(row, name, value, base, good, bad)
                if name == self.current:
                    item.setBackground(QBrush(tint))
                t.setItem(r, c, item)
            item = self._issues_item(results, name, bad)
            if name == self.current:
                item.setBackground(QBrush(tint))
            t.setItem(len(ROWS), c, item)
        # No cell starts out current, so none looks selected.
        t.setCurrentCell(-1, -1)

    @staticmethod
    def _kpi(kpis, scenario: str, row: Row) -> float:
        try:
            value = float(kpis.at[scenario, row.key])
        except (KeyError, TypeError, ValueError):
            return math.nan
        return value * row.scale

    def _value_item(self, row: Row, name: str, value: float, base: float,
                    good: QColor, bad: QColor) -> QTableWidgetItem:
        text = number(value, row.digits)
        unit = row.label[row.label.rfind("(") + 1:-1] if row.label.endswith(")") else ""
        exact = f"{format_exact(value, row.digits)} {unit}".strip()
        tip = [f"{name}: {exact}"]
        verdict = None
        if name != self.baseline:
            change, rel = format_change(value, base)
            base_exact = f"{format_exact(base, row.digits)} {unit}".strip()
            tip.append(f"{self.baseline} (baseline): {base_exact}")
            if change and text != MISSING:
                text = f"{text}  ({change})"
                if rel and row.better:
                    verdict = "better" if rel * row.better > 0 else "worse"
                tip.append(f"change: {change}" + (f", {verdict}" if verdict else ""))
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip("\n".join(tip))
        item.setData(VERDICT_ROLE, verdict)
        item.setData(VALUE_ROLE, value)
        if verdict:
            item.setForeground(QBrush(good if verdict == "better" else bad))
        return item

    def _issues_item(self, results: Results, name: str, bad: QColor) -> QTableWidgetItem:
        mine = [w for w in results.warnings if w.get("scenario") == name]
        errors = [w for w in mine if w.get("severity") == "error"]
        item = QTableWidgetItem(f"{len(errors)} / {len(mine) - len(errors)}")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        lines = [f"{w.get('severity', 'warning')}: {w.get('item', '')}: {w.get('message', '')}"
                 for w in errors + [w for w in mine if w not in errors]]
        if len(lines) > 12:
            lines = lines[:12] + [f"… and {len(lines) - 12} more"]
        item.setToolTip("\n".join(lines) if lines else f"{name}: no errors or warnings")
        # Errors are bad whatever the baseline says, so they are flagged on their own.
        item.setData(VERDICT_ROLE, "worse" if errors else None)
        if errors:
            item.setForeground(QBrush(bad))
        return item

    def _header_double_clicked(self, section: int) -> None:
        if 0 <= section < len(self.names):
            self.scenarioActivated.emit(self.names[section])

    # -- charts ---------------------------------------------------------------------------------

    def _fill_charts(self, results: Results) -> None:
        kpis = results.kpis.set_index("scenario")
        base_idx = self.names.index(self.baseline) if self.baseline in self.names else -1
        slo = self._shared_ttft_slo(results)
        for key, _title, _digits in CHARTS:
            values = []
            for name in self.names:
                try:
                    values.append(float(kpis.at[name, key]))
                except (KeyError, TypeError, ValueError):
                    values.append(math.nan)
            self.charts[key].set_bars(self.names, values, base_idx,
                                      slo if key == "ttft_p99_ms" else None)
        # Room for every row of both rows of charts: a title, the rows, the value axis.
        lines = QFontMetrics(self.font()).lineSpacing()
        self.chart_box.setMinimumHeight(2 * (len(self.names) * ROW_PX + 4 * lines + 16))

    def _set_log(self, log: bool) -> None:
        for chart in self.charts.values():
            chart.set_log(log)

    @staticmethod
    def _shared_ttft_slo(results: Results) -> float | None:
        """The TTFT limit every workload shares, or None. The bars are each scenario's worst
        workload: against one workload's tighter limit, another's slower but allowed TTFT
        read as a miss."""
        wl = results.workloads
        if wl is None or "slo_ttft_p99_ms" not in getattr(wl, "columns", ()):
            return None
        limits = {float(v) for v in wl["slo_ttft_p99_ms"] if np.isfinite(v) and v > 0}
        return limits.pop() if len(limits) == 1 else None

    # -- looks ----------------------------------------------------------------------------------

    def _style_charts(self) -> None:
        for chart in self.charts.values():
            chart.apply_palette(self.palette())

    def _fit_columns(self) -> None:
        t = self.table
        hh = t.horizontalHeader()
        n = t.columnCount()
        if not n:
            return
        # Each column as wide as its numbers or its (elided) header, whichever is wider.
        natural = [max(t.sizeHintForColumn(c), hh.sectionSizeFromContents(c).width(), 70) + 10
                   for c in range(n)]
        room = t.viewport().width()
        if t.verticalScrollBar().isVisible():
            room = t.width() - t.verticalHeader().width() - 2 * t.frameWidth() \
                - t.verticalScrollBar().width()
        if max(natural) * n <= room:
            # Equal columns read as a grid of peers; only when they all fit.
            natural = [room // n] * n
        else:
            spare = max(room - sum(natural), 0) // n
            natural = [w + spare for w in natural]
        for c, width in enumerate(natural):
            hh.resizeSection(c, width)

    def _fit_table_height(self) -> None:
        """The table shows all its rows: the page scrolls, not the table inside it."""
        t = self.table
        bar = t.horizontalScrollBar().sizeHint().height()
        t.setFixedHeight(t.horizontalHeader().height() + t.verticalHeader().length()
                         + 2 * t.frameWidth() + bar)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if self.names:
            self._fit_columns()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange and hasattr(self, "charts"):
            self._style_charts()
            if self._results is not None:
                self.show_results(self._results, self.baseline, self.current)
