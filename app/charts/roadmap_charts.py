"""The roadmap's four charts: capacity against demand (stacked by option), utility power drawn
against the power available, cumulative cash per strategy, and $ per million tokens per
period per strategy."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QWidget

from app.charts.dashboard import COLORS, style_plot


def _plot(title: str, left: str) -> pg.PlotWidget:
    w = style_plot(pg.PlotWidget(), title, left, "period")
    w.addLegend(offset=(8, 8))
    return w


class RoadmapCharts(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.capacity = _plot("Capacity and demand (chosen)", "requests/s at peak")
        self.power = _plot("Utility power (chosen)", "MW")
        self.cash = _plot("Cumulative cash out", "million USD")
        self.cost = _plot("Cost per million output tokens", "USD")
        for i, chart in enumerate((self.capacity, self.power, self.cash, self.cost)):
            # Two rows of the dashboard's minimum would make the window taller than a
            # 1280×800 screen once the timeline editor sits above them.
            chart.setMinimumHeight(120)
            grid.addWidget(chart, i // 2, i % 2)

    def clear(self) -> None:
        for chart in (self.capacity, self.power, self.cash, self.cost):
            chart.clear()

    def show(self, strategies: list) -> None:
        """``strategies``: planner_core.roadmap.search.choose's, the chosen one first."""
        self.clear()
        if not strategies:
            return
        chosen = strategies[0]
        rows = chosen.run.rows
        x = np.arange(len(rows), dtype=float)
        labels = [[(i, r.period.label) for i, r in enumerate(rows)]]
        for chart in (self.capacity, self.power, self.cash, self.cost):
            chart.getAxis("bottom").setTicks(labels)
        options = list(dict.fromkeys(o for r in rows for o in r.option_capacity_rps))
        base = np.zeros(len(rows))
        for i, option in enumerate(options):
            height = np.array([r.option_capacity_rps.get(option, 0.0) for r in rows])
            self.capacity.addItem(pg.BarGraphItem(
                x=x, y0=base, height=height, width=0.6, brush=COLORS[i % len(COLORS)],
                name=option))
            base = base + height
        demand = np.array([sum(r.demand_rps.values()) for r in rows])
        self.capacity.plot(x, demand, pen=pg.mkPen("#d9534f", width=2), symbol="o",
                           name="demand")
        drawn = np.array([r.utility_mw for r in rows])
        self.power.plot(x, drawn, pen=pg.mkPen(COLORS[0], width=2), symbol="o",
                        name="at the meter, provisioned")
        self.power.plot(x, np.array([r.facility_mw_peak for r in rows]),
                        pen=pg.mkPen(COLORS[1], width=2), name="expected at peak")
        avail = [r.power_available_mw for r in rows]
        if all(a is not None for a in avail):
            self.power.plot(x, np.array(avail, float), pen=pg.mkPen(
                "#d9534f", width=2, style=pg.QtCore.Qt.PenStyle.DashLine), name="available")
        for i, s in enumerate(strategies):
            pen = pg.mkPen(COLORS[i % len(COLORS)], width=3 if i == 0 else 1.5)
            cash = np.cumsum([(r.capex_usd + r.opex_usd) / 1e6 for r in s.run.rows])
            self.cash.plot(x, cash, pen=pen, name=s.name)
            cost = np.array([r.usd_per_m_output_tokens if math.isfinite(
                r.usd_per_m_output_tokens) else np.nan for r in s.run.rows])
            self.cost.plot(x, cost, pen=pen, name=s.name, connect="finite")
