"""The roadmap's four charts: capacity against demand (stacked by option), utility power drawn
against the power available, cumulative cash per strategy, and $ per million tokens per
period per strategy. Each chart's key is a line of text below it: inside plots this small,
the names covered the bars and lines they named."""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.charts.dashboard import COLORS, plot_widget, style_plot

DEMAND = "#d9534f"


def _plot(title: str, left: str) -> pg.PlotWidget:
    w = style_plot(plot_widget(), title, left, "period")
    w.getAxis("bottom").showLabel(False)  # the ticks are the periods; the height is scarce
    # Four charts share the panel with the timeline's editor: a smaller title leaves the
    # period ticks their room at 1280×800 (they were cut at the charts' bottom edge).
    w.setTitle(title, size="9pt")
    return w


def _pen(i: int) -> dict:
    return {"color": COLORS[i % len(COLORS)], "width": 3 if i == 0 else 1.5}


def _entry(color: str, name: str, mark: str = "&#9644;", bold: bool = False) -> str:
    weight = "bold" if bold else "normal"
    return (f'<span style="color:{color}; font-weight:{weight}">{mark}</span>'
            f"&nbsp;{escape(name)}")


def _key() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    # Two lines, fixed: a wrapped label's height is not counted in the panel's splitter, so
    # one taller than its room was drawn over the periods of the chart above it.
    label.setFixedHeight(2 * label.fontMetrics().lineSpacing() + 2)
    return label


class RoadmapCharts(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        self.capacity = _plot("Capacity and demand at peak", "req/s")
        self.power = _plot("Utility power", "MW")
        self.cash = _plot("Cumulative cash out", "$M")
        self.cost = _plot("Cost per M output tokens", "USD")
        self.capacity_key, self.power_key, self.key = _key(), _key(), _key()
        for i, chart in enumerate((self.capacity, self.power, self.cash, self.cost)):
            # Two rows of the dashboard's minimum would make the window taller than a
            # 1280×800 screen once the timeline editor sits above them.
            chart.setMinimumHeight(95)
            grid.addWidget(chart, 2 * (i // 2), i % 2)
        grid.addWidget(self.capacity_key, 1, 0)
        grid.addWidget(self.power_key, 1, 1)
        grid.addWidget(self.key, 3, 0, 1, 2)  # the strategies: both lower charts share it

    def clear(self) -> None:
        for chart in (self.capacity, self.power, self.cash, self.cost):
            chart.clear()
        for key in (self.capacity_key, self.power_key, self.key):
            key.setText("")

    def show(self, strategies: list, per: str = "strategy") -> None:
        """``strategies``: planner_core.roadmap.search.choose's, the chosen one first (or
        planner_core.roadmap.scenarios.compare's, one per scenario: ``per="scenario"``)."""
        self.clear()
        if not strategies:
            return
        chosen = strategies[0]
        # The strategy's name leads the keys below the charts: in a title it was cut at
        # 1280 pixels.
        whose = f"<b>{escape(chosen.name)}</b>: "
        rows = chosen.run.rows
        x = np.arange(len(rows), dtype=float)
        labels = [[(i, r.period.label) for i, r in enumerate(rows)]]
        for chart in (self.capacity, self.power, self.cash, self.cost):
            chart.getAxis("bottom").setTicks(labels)
            # Half a period of room at each end: the first and last periods' names were
            # dropped for want of it on the line charts.
            chart.setXRange(-0.5, len(rows) - 0.5, padding=0)
        options = list(dict.fromkeys(o for r in rows for o in r.option_capacity_rps))
        base = np.zeros(len(rows))
        key = []
        for i, option in enumerate(options):
            height = np.array([r.option_capacity_rps.get(option, 0.0) for r in rows])
            color = COLORS[i % len(COLORS)]
            self.capacity.addItem(pg.BarGraphItem(
                x=x, y0=base, height=height, width=0.6, brush=color, name=option))
            key.append(_entry(color, option, "&#9632;"))
            base = base + height
        demand = np.array([sum(r.demand_rps.values()) for r in rows])
        self.capacity.plot(x, demand, pen=pg.mkPen(DEMAND, width=2), symbol="o", name="demand")
        self.capacity_key.setText(whose + " &nbsp; ".join(
            key + [_entry(DEMAND, "demand", "&#9679;")]))
        drawn = np.array([r.utility_mw for r in rows])
        self.power.plot(x, drawn, pen=pg.mkPen(COLORS[0], width=2), symbol="o",
                        name="at the meter, provisioned")
        self.power.plot(x, np.array([r.facility_mw_peak for r in rows]),
                        pen=pg.mkPen(COLORS[1], width=2), name="expected at peak")
        key = [_entry(COLORS[0], "at the meter, provisioned"),
               _entry(COLORS[1], "expected at peak")]
        avail = [r.power_available_mw for r in rows]
        if all(a is not None for a in avail):
            self.power.plot(x, np.array(avail, float), pen=pg.mkPen(
                DEMAND, width=2, style=pg.QtCore.Qt.PenStyle.DashLine), name="available")
            key.append(_entry(DEMAND, "available", "-&nbsp;-"))
        self.power_key.setText(whose + " &nbsp; ".join(key))
        key = []
        for i, s in enumerate(strategies):
            pen = pg.mkPen(**_pen(i))
            cash = np.cumsum([(r.capex_usd + r.opex_usd) / 1e6 for r in s.run.rows])
            self.cash.plot(x, cash, pen=pen, name=s.name)
            cost = np.array([r.usd_per_m_output_tokens if math.isfinite(
                r.usd_per_m_output_tokens) else np.nan for r in s.run.rows])
            self.cost.plot(x, cost, pen=pen, name=s.name, connect="finite")
            key.append(_entry(_pen(i)["color"], s.name, bold=i == 0))
        self.key.setText(f"Cash and cost per {per}: " + " &nbsp; ".join(key))
