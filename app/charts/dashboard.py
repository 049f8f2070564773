"""The live dashboard: KPI tiles and charts drawn from a Results object."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from planner_core.curves import interactivity, latency_vs_load
from planner_core.evaluate import Results

TILES = [
    ("facility_mw_peak", "Facility power", "{:,.2f} MW", "Peak facility power (IT × PUE), MW"),
    ("usd_per_m_output_tokens", "Cost", "${:,.2f} /M tok",
     "TCO per million output tokens, USD: (annualized CapEx + yearly OpEx) / tokens per year"),
    ("ttft_p99_ms", "p99 TTFT", "{:,.0f} ms",
     "Worst workload's p99 time to first token at peak, ms"),
    ("tpot_p99_ms", "p99 TPOT", "{:,.1f} ms", "Worst workload's p99 time per output token, ms"),
    ("utilization_peak_pct", "Utilization", "{:,.0f} %",
     "Peak load as a share of the fleet's SLO capacity, %"),
    ("accelerators", "Accelerators", "{:,.0f}", "Accelerators installed"),
    ("racks", "Racks", "{:,.0f}", "Racks, within the power budget and the air-cooling limit"),
]
COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]


class KpiTile(QFrame):
    def __init__(self, title: str, tooltip: str):
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(tooltip)
        self.title = QLabel(title)
        self.value = QLabel("—")
        self.value.setObjectName("kpiValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.value)


def _plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    w.setTitle(title)
    w.setLabel("left", left)
    w.setLabel("bottom", bottom)
    w.showGrid(x=True, y=True, alpha=0.25)
    w.setMinimumHeight(190)
    w.setMouseEnabled(x=False, y=False)
    return w


class Dashboard(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        pal = self.palette()
        pg.setConfigOptions(antialias=True, foreground=pal.color(QPalette.ColorRole.Text),
                            background=pal.color(QPalette.ColorRole.Base))
        grid = QGridLayout(self)
        self.tiles = {}
        for i, (key, title, _fmt, tip) in enumerate(TILES):
            tile = KpiTile(title, tip)
            self.tiles[key] = tile
            grid.addWidget(tile, 0, i)
        self.latency = _plot("Latency vs load (one replica)", "p99 latency (ms)",
                             "requests/s per replica")
        self.latency.addLegend(offset=(-10, 10))
        self.interactivity = _plot("Interactivity trade-off", "output tok/s per accelerator",
                                   "tokens/s per user")
        self.power = _plot("Power at peak", "kW", "")
        self.cost = _plot("Cost per year", "million USD", "")
        self.day = _plot("24 hours", "utilization (%) · facility kW", "hour")
        self.day.addLegend(offset=(-10, 10))
        grid.addWidget(self.latency, 1, 0, 1, 4)
        grid.addWidget(self.interactivity, 1, 4, 1, 3)
        grid.addWidget(self.power, 2, 0, 1, 2)
        grid.addWidget(self.cost, 2, 2, 1, 2)
        grid.addWidget(self.day, 2, 4, 1, 3)
        self.scenario = "base"

    def show_results(self, results: Results, scenario: str = "base") -> None:
        self.scenario = scenario
        k = results.kpi(scenario)
        for key, _title, fmt, _tip in TILES:
            value = k[key]
            text = fmt.format(value) if np.isfinite(value) else "—"
            self.tiles[key].value.setText(text)
        self._latency(results, scenario)
        self._bars(self.power, ["accelerators", "host", "network", "cooling"],
                   [k.power_accelerators_kw, k.power_host_kw, k.power_network_kw,
                    k.power_cooling_kw])
        self._bars(self.cost, ["CapEx", "energy", "facility", "maintenance"],
                   [k.annual_capex_usd / 1e6, k.opex_energy_usd_per_year / 1e6,
                    k.opex_facility_usd_per_year / 1e6, k.opex_maintenance_usd_per_year / 1e6])
        self._day(results, scenario)

    def _latency(self, results: Results, scenario: str) -> None:
        self.latency.clear()
        self.interactivity.clear()
        sizings = results.sizings.get(scenario, [])
        wss = [ws for ps in sizings for ws in ps.workloads]
        for i, ws in enumerate(wss):
            color = COLORS[i % len(COLORS)]
            c = latency_vs_load(ws)
            if len(c["rate_rps"]):
                self.latency.plot(c["rate_rps"], c["ttft_p99_ms"], pen=pg.mkPen(color, width=2),
                                  name=f"{ws.workload} TTFT")
                self.latency.plot(c["rate_rps"], c["tpot_p99_ms"],
                                  pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine),
                                  name=f"{ws.workload} TPOT")
            w_row = results.workloads[(results.workloads.scenario == scenario)
                                      & (results.workloads.workload == ws.workload)]
            if len(w_row):
                r = w_row.iloc[0]
                for limit in (r.slo_ttft_p99_ms, r.slo_tpot_p99_ms):
                    if np.isfinite(limit):
                        self.latency.addItem(pg.InfiniteLine(
                            pos=limit, angle=0, pen=pg.mkPen(color, width=1,
                                                             style=Qt.PenStyle.DotLine)))
                if ws.point is not None:
                    x = float(ws.point.rate_rps)
                    self.latency.plot([x, x], [r.ttft_p99_ms, r.tpot_p99_ms], pen=None,
                                      symbol="o", symbolBrush=color, symbolSize=9)
            it = interactivity(ws)
            if len(it["user_tok_s"]):
                self.interactivity.plot(it["user_tok_s"], it["tok_s_per_accelerator"],
                                        pen=pg.mkPen(color, width=2))
                if ws.point is not None:
                    self.interactivity.plot(
                        [1.0 / float(ws.point.tpot_s)],
                        [float(ws.point.output_tok_s) / ws.acc_per_replica],
                        pen=None, symbol="o", symbolBrush=color, symbolSize=9)
        limits = results.workloads[results.workloads.scenario == scenario].slo_ttft_p99_ms
        if len(limits):
            self.latency.setYRange(0, float(limits.max()) * 1.3)

    def _bars(self, plot: pg.PlotWidget, names: list[str], values: list[float]) -> None:
        plot.clear()
        x = np.arange(len(names))
        plot.addItem(pg.BarGraphItem(x=x, height=values, width=0.6,
                                     brushes=[pg.mkBrush(c) for c in COLORS[:len(names)]]))
        plot.getAxis("bottom").setTicks([list(zip(x, names, strict=True))])
        for xi, v in zip(x, values, strict=True):
            label = pg.TextItem(f"{v:,.2f}", anchor=(0.5, 1.0),
                                color=self.palette().color(QPalette.ColorRole.Text))
            label.setPos(xi, v)
            plot.addItem(label)
        plot.setYRange(0, max(max(values), 1e-9) * 1.2)

    def _day(self, results: Results, scenario: str) -> None:
        self.day.clear()
        h = results.hourly[results.hourly.scenario == scenario]
        self.day.plot(h.hour.to_numpy(), h.utilization_pct.to_numpy(),
                      pen=pg.mkPen(COLORS[0], width=2), name="utilization %")
        peak = max(float(h.facility_kw.max()), 1e-9)
        self.day.plot(h.hour.to_numpy(), 100 * h.facility_kw.to_numpy() / peak,
                      pen=pg.mkPen(COLORS[1], width=2),
                      name=f"facility power, % of {peak:,.0f} kW")
        self.day.setYRange(0, 105)
