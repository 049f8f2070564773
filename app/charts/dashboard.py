"""The live dashboard: KPI tiles and charts drawn from a Results object."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.charts.load_curves import Curve, LoadCurves
from app.figures import MINUS, money, number, quantity, significant, tick, unit_for
from planner_core import Results
from planner_core.engine.curves import interactivity, latency_vs_load

TILES = [
    ("facility_mw_provisioned", "Facility power", lambda v: quantity(v, "MW"),
     "Facility power to provision: every system at its rated draw × PUE (what the halls "
     "and the colocation bill are sized for). Beneath it: the expected draw at the peak hour "
     "and the utility connection (the electrical chain at its redundancy, cooling on the "
     "design day)"),
    ("usd_per_m_output_tokens", "Cost", lambda v: f"${money(v)} /M tok",
     "TCO per million output tokens, USD: (annualized CapEx + yearly OpEx) / tokens per year"),
    ("ttft_p99_ms", "p99 TTFT", lambda v: f"{number(v)} ms",
     "Worst workload's p99 time to first token at peak, ms"),
    ("tpot_p99_ms", "p99 TPOT", lambda v: f"{significant(v)} ms",
     "Worst workload's p99 time per output token, ms"),
    ("utilization_peak_pct", "Utilization", lambda v: f"{number(v)} %",
     "Peak load as a share of the fleet's SLO capacity, %"),
    ("accelerators", "Accelerators", number, "Accelerators installed"),
    ("racks", "Racks", number, "Racks, within the power budget and the air-cooling limit"),
]
#: A money chart's axis, by the scale of its largest bar.
MONEY_AXIS = {"$": "USD", "$k": "thousand USD", "$M": "million USD", "$B": "billion USD"}
COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]


# KPIs where a fall is an improvement; the tile's change against the baseline is colored so.
LOWER_IS_BETTER = {"facility_mw_peak", "facility_mw_provisioned", "usd_per_m_output_tokens",
                   "ttft_p99_ms", "tpot_p99_ms", "accelerators", "racks"}
BETTER, WORSE = "#2e9d5b", "#d9534f"  # readable on light and dark backgrounds


class KpiTile(QFrame):
    def __init__(self, title: str, tooltip: str):
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(tooltip)
        self.title = QLabel(title)
        self.value = QLabel("—")
        self.value.setObjectName("kpiValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.value.setFont(font)
        self.delta = QLabel("")
        small = self.delta.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.delta.setFont(small)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        lay.setSpacing(1)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        lay.addWidget(self.delta)


def _plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    return style_plot(plot_widget(), title, left, bottom)


class LocalAxis(pg.AxisItem):
    """Tick labels in the reader's separators, thousands grouped (pyqtgraph writes 12000.5
    whatever the locale)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        if self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [tick(t) for t in super().tickStrings(values, scale, spacing)]


def local_axes() -> dict:
    return {"left": LocalAxis("left"), "bottom": LocalAxis("bottom")}


def plot_widget() -> pg.PlotWidget:
    """A chart without pyqtgraph's context menu (these charts are not for exploring), whose
    making costs more than the chart's."""
    return pg.PlotWidget(viewBox=pg.ViewBox(enableMenu=False), axisItems=local_axes())


def style_plot(w: pg.PlotWidget, title: str, left: str, bottom: str) -> pg.PlotWidget:
    """The look every chart of the app shares: title, labelled axes, a faint grid, no mouse
    panning (these charts answer questions; they are not for exploring)."""
    w.setTitle(title)
    w.setLabel("left", left)
    w.setLabel("bottom", bottom)
    w.showGrid(x=True, y=True, alpha=0.25)
    w.setMinimumHeight(150)  # three rows of them and their key fit a 1280×800 screen
    w.setMouseEnabled(x=False, y=False)
    w.setMenuEnabled(False)
    w.getAxis("left").enableAutoSIPrefix(False)  # the label carries the unit already
    return w


#: A pool's basis as the badge shows it, weakest last.
BASIS_KINDS = ("calibrated", "borrowed", "uncalibrated")


class Dashboard(QWidget):
    """Charts of one scenario; ``tile_strip`` (the KPI tiles, and a badge saying what the
    performance figures rest on) is placed by the window."""

    #: The badge was clicked: the accelerator and engine of the pool with the weakest basis.
    basisClicked = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tile_strip = QWidget()
        strip = QHBoxLayout(self.tile_strip)
        strip.setContentsMargins(0, 0, 0, 0)
        self.tiles = {}
        for key, title, _fmt, tip in TILES:
            tile = KpiTile(title, tip)
            self.tiles[key] = tile
            strip.addWidget(tile)
        self.basis = QToolButton()
        self.basis.setObjectName("basisBadge")
        self.basis.setAutoRaise(True)
        self.basis.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.basis.clicked.connect(self._basis_clicked)
        self._weakest: tuple[str, str] = ("", "")
        strip.addWidget(self.basis)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        # Titles and axis labels short enough for a third of a 1280-pixel window; the
        # tooltips say the rest.
        self.latency = _plot("Latency vs load", "p99 ms", "requests/s per replica")
        self.latency.setToolTip("p99 time to first token (solid) and per output token "
                                "(dashed) of one replica as its load grows, ms; the dot is "
                                "the plan's peak, the dotted lines the SLOs")
        self.interactivity = _plot("Interactivity", "tok/s/accel.", "tokens/s per user")
        self.interactivity.setToolTip(
            "The trade-off a replica offers: output tokens/s per accelerator (throughput) "
            "against tokens/s each user sees (speed); the dot is the plan's peak")
        self.power = _plot("Power at peak", "kW", "")
        self.cost = _plot("Cost per year", "million USD", "")
        self.power.setToolTip("Facility power at the peak hour: accelerators (accel.), host "
                              "CPUs/memory/fans, scale-out network, and cooling and losses "
                              "(PUE − 1)")
        self.cost.setToolTip("Cost per year, USD: annualized hardware CapEx, energy, "
                             "facility (colocation or owned building), maintenance (maint.), "
                             "and the rent of pools of cloud-only parts, which covers their "
                             "energy, space and upkeep")
        self.day = _plot("24 hours", "%", "hour")
        self.day.setToolTip("Over the day: utilization of the fleet, % of its SLO capacity, "
                            "and facility power, % of its peak")
        self.curves_key = QLabel()
        self.curves = LoadCurves(self.latency, self.interactivity, self.curves_key)
        self.plots = [self.latency, self.interactivity, self.power, self.cost, self.day]
        grid.addWidget(self.curves_key, 0, 0, 1, 2)
        grid.addWidget(self.latency, 1, 0)
        grid.addWidget(self.interactivity, 1, 1)
        grid.addWidget(self.power, 2, 0)
        grid.addWidget(self.cost, 2, 1)
        grid.addWidget(self.day, 3, 0, 1, 2)
        self.scenario = "base"
        self._last: tuple[Results, str, str] | None = None
        self._items: dict = {}  # plot → its reusable items
        self.apply_palette()

    def apply_palette(self) -> None:
        """Follows the window's light or dark palette (also when the system switches)."""
        pal = self.palette()
        fg = pal.color(QPalette.ColorRole.Text)
        bg = pal.color(QPalette.ColorRole.Base)
        pg.setConfigOptions(antialias=True, foreground=fg, background=bg)
        for p in self.plots:
            p.setBackground(bg)
            for side in ("left", "bottom"):
                axis = p.getAxis(side)
                axis.setPen(fg)
                axis.setTextPen(fg)
            p.setTitle(p.plotItem.titleLabel.text, color=fg)
        if self._last is not None:
            self.show_results(*self._last)

    def show_results(self, results: Results, scenario: str = "base",
                     baseline: str = "base") -> None:
        self.scenario = scenario
        self._last = (results, scenario, baseline)
        # The KPI rows as plain dicts: the first screen needs no DataFrame (nor pandas).
        k = results.records("kpis", scenario)[0]
        ref = results.records("kpis", baseline)[0] if baseline in results.sizings else None
        for key, _title, fmt, _tip in TILES:
            value = float(k[key])
            tile = self.tiles[key]
            tile.value.setText(fmt(value) if np.isfinite(value) else "—")
            delta = self._delta(key, value, ref, scenario, baseline)
            if key == "facility_mw_provisioned":
                delta = (f"expected {quantity(k['facility_mw_peak'], 'MW')} · utility "
                         f"{quantity(k['utility_mw'], 'MW')} · {delta}")
            tile.delta.setText(delta)
        self._latency(results, scenario)
        self._bars(self.power, ["accel.", "host", "network", "cooling"],
                   [k["power_accelerators_kw"], k["power_host_kw"], k["power_network_kw"],
                    k["power_cooling_kw"]], "kW")
        costs = {"CapEx": k["annual_capex_usd"], "energy": k["opex_energy_usd_per_year"],
                 "facility": k["opex_facility_usd_per_year"],
                 "maint.": k["opex_maintenance_usd_per_year"]}
        if k.get("opex_rent_usd_per_year", 0.0) > 0:  # a pool of rented (cloud-only) parts
            costs["rent"] = k["opex_rent_usd_per_year"]
        self._bars(self.cost, list(costs), list(costs.values()), "$")
        self._day(results, scenario)
        self._show_basis(results, scenario)

    def _show_basis(self, results: Results, scenario: str) -> None:
        """The badge: the weakest basis among the scenario's pools; each pool's in the tip."""
        bases = [(str(p.get("calibration_basis", "") or ""), p)
                 for p in results.records("pools", scenario)]
        bases = [(b, p) for b, p in bases if b]
        if not bases:
            self.basis.setText("")
            self.basis.setVisible(False)
            return

        def kind(text: str) -> int:
            return next((i for i, k in enumerate(BASIS_KINDS) if text.startswith(k)), 2)

        worst_text, worst = max(bases, key=lambda bp: kind(bp[0]))
        label = BASIS_KINDS[kind(worst_text)]
        if label == "calibrated" and "profile" in worst_text:
            label = "calibrated (your profile)"
        self.basis.setText(f"Basis:\n{label}")
        color = {0: BETTER, 1: "#c77c02", 2: WORSE}[kind(worst_text)]
        self.basis.setStyleSheet(f"QToolButton#basisBadge {{ color: {color}; "
                                 "font-weight: bold; }")
        self.basis.setToolTip("What the performance figures rest on (click for the evidence):"
                              + "".join(f"\n• {p['pool']} ({p['engine']} on "
                                        f"{p['accelerator']}): {b}" for b, p in bases))
        self._weakest = (str(worst["accelerator"]), str(worst["engine"]))
        self.basis.setVisible(True)

    def _basis_clicked(self) -> None:
        self.basisClicked.emit(*self._weakest)

    def show_unavailable(self) -> None:
        """Blanks the figures while the plan cannot be evaluated."""
        self._last = None
        for tile in self.tiles.values():
            tile.value.setText("—")
            tile.delta.setText("not evaluated")
        self.curves.clear()

    @staticmethod
    def _delta(key: str, value: float, ref, scenario: str, baseline: str) -> str:
        if ref is None or scenario == baseline:
            return "baseline" if ref is not None else ""
        base = float(ref[key])
        if not (np.isfinite(value) and np.isfinite(base)) or base == 0:
            return ""
        change = 100 * (value / base - 1)
        if abs(change) < 0.05:
            return f"= {baseline}"
        color = ""
        if key in LOWER_IS_BETTER:
            color = BETTER if change < 0 else WORSE
        text = f"{change:+,.1f}% vs {baseline}".replace("-", MINUS)
        return f'<span style="color:{color}">{text}</span>' if color else text

    def _latency(self, results: Results, scenario: str) -> None:
        sizings = results.sizings.get(scenario, [])
        wss = [ws for ps in sizings for ws in ps.workloads]
        shared = {ws.workload for ws in wss if sum(o.workload == ws.workload for o in wss) > 1}
        rows = results.records("workloads", scenario)
        by_name = {r["workload"]: r for r in rows}
        curves = []
        for i, ws in enumerate(wss):
            c = latency_vs_load(ws)
            it = interactivity(ws)
            r = by_name.get(ws.workload)
            point = inter = None
            if r is not None and ws.point is not None:
                point = (float(ws.point.rate_rps), r["ttft_p99_ms"], r["tpot_p99_ms"])
                inter = (1.0 / float(ws.point.tpot_s),
                         float(ws.point.output_tok_s) / ws.acc_per_replica)
            curves.append(Curve(
                # A workload split between pools: each pool's curve says whose it is.
                f"{ws.workload} on {ws.pool}" if ws.workload in shared else ws.workload,
                COLORS[i % len(COLORS)], c["rate_rps"], c["ttft_p99_ms"], c["tpot_p99_ms"],
                (r["slo_ttft_p99_ms"], r["slo_tpot_p99_ms"]) if r is not None
                else (np.inf, np.inf),
                point, it["user_tok_s"], it["tok_s_per_accelerator"], inter))
        limits = [r["slo_ttft_p99_ms"] for r in rows]
        self.curves.show(curves, float(max(limits)) * 1.3 if limits else None)

    def _bars(self, plot: pg.PlotWidget, names: list[str], values: list[float],
              unit: str) -> None:
        """Bars in the unit that suits the largest (kW or MW; $k, $M or $B a year), each
        with its value. The bars and labels are made once and updated in place: rebuilding
        pyqtgraph items on every edit costs more than drawing them."""
        shown, factor = unit_for(max((abs(float(v)) for v in values), default=0.0), unit)
        values = [float(v) * factor for v in values]
        plot.setLabel("left", MONEY_AXIS.get(shown, shown))
        x = np.arange(len(names))
        color = self.palette().color(QPalette.ColorRole.Text)
        items = self._items.get(plot)
        if items is not None and len(items[1]) != len(names):  # a bar came or went (rent)
            for item in (items[0], *items[1]):
                plot.removeItem(item)
            items = None
        if items is None:
            bars = pg.BarGraphItem(x=x, height=values, width=0.6,
                                   brushes=[pg.mkBrush(c) for c in COLORS[:len(names)]])
            plot.addItem(bars)
            labels = [pg.TextItem("", anchor=(0.5, 1.0)) for _ in names]
            for label in labels:
                plot.addItem(label)
            plot.getAxis("bottom").setTicks([list(zip(x, names, strict=True))])
            self._items[plot] = items = (bars, labels)
        bars, labels = items
        bars.setOpts(height=values)
        for xi, v, label in zip(x, values, labels, strict=True):
            label.setText(significant(v), color=color)
            label.setPos(xi, v)
        plot.setYRange(0, max(max(values), 1e-9) * 1.2)

    def _day(self, results: Results, scenario: str) -> None:
        h = results.records("hourly", scenario)
        hours = np.array([r["hour"] for r in h], float)
        facility = np.array([r["facility_kw"] for r in h], float)
        peak = max(float(facility.max()), 1e-9)
        items = self._items.get(self.day)
        if items is None:
            util = self.day.plot(pen=pg.mkPen(COLORS[0], width=2))
            power = self.day.plot(pen=pg.mkPen(COLORS[1], width=2))
            self.day.setYRange(0, 105)
            self._items[self.day] = items = (util, power)
        util, power = items
        util.setData(hours, np.array([r["utilization_pct"] for r in h], float))
        power.setData(hours, 100 * facility / peak)
        # The key is the title: a legend inside this short chart covered the afternoon.
        self.day.setTitle(f'24 hours: <span style="color:{COLORS[0]}">━ utilization</span> '
                          f'<span style="color:{COLORS[1]}">━ facility power</span>, % of '
                          f"{quantity(peak, 'kW')}")
