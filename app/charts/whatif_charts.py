"""The What-if panel's charts: a sweep's line, the options' cost/latency scatter with its
Pareto front, the tornado of assumptions and the uncertainty bands. They only draw what
they are given."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics

from app.charts.dashboard import COLORS, local_axes, style_plot
from app.figures import money, significant

INFEASIBLE = "#d9534f"
FRONT = "#e15759"


class SweepChart(pg.PlotWidget):
    """A KPI against the swept values; values missing an SLO are drawn as red crosses, and
    values with no figure at all (nothing fits, or it cannot be served) as red dashed lines
    across the chart: drawn at 0 they read as a cost of nothing."""

    def __init__(self):
        super().__init__(viewBox=pg.ViewBox(enableMenu=False), axisItems=local_axes())
        _style(self, "Sweep", "", "")

    def show(self, frame: pd.DataFrame, kpi: str, label: str, param_label: str,
             scale: float = 1.0) -> None:
        self.clear()
        # The KPI in the title, its unit alone on the axis, the swept input below: a title
        # naming both was cut beside the editors at 1280 pixels.
        self.setTitle(label)
        unit = label[label.rfind("(") + 1:-1] if label.endswith(")") and "(" in label else ""
        self.setLabel("left", unit)
        self.setLabel("bottom", param_label)
        y = frame[kpi].to_numpy(float) * scale
        ok = frame["meets_slo"].to_numpy(bool) & np.isfinite(y)
        numeric = pd.api.types.is_numeric_dtype(frame["value"])
        x = frame["value"].to_numpy(float) if numeric else np.arange(len(frame), dtype=float)
        bottom = self.getAxis("bottom")
        bottom.setTicks(None if numeric else [[(i, str(v)) for i, v in enumerate(
            frame["value"])]])
        # A line only joins values that meet the SLOs; gaps show where they do not.
        line_y = np.where(ok, y, np.nan)
        if numeric and len(x) > 1:
            self.plot(x, line_y, pen=pg.mkPen(COLORS[0], width=2), connect="finite")
        self.plot(x[ok], y[ok], pen=None, symbol="o", symbolSize=5 if len(x) < 200 else 2,
                  symbolBrush=COLORS[0], symbolPen=None)
        missed = ~ok & np.isfinite(y)  # a figure, but the SLOs are not met
        if missed.any():
            self.plot(x[missed], y[missed], pen=None, symbol="x", symbolSize=8,
                      symbolBrush=INFEASIBLE, symbolPen=pg.mkPen(INFEASIBLE),
                      name="misses an SLO")
        blank = ~np.isfinite(y)  # no figure at all: a dashed line across the chart, not a 0
        if blank.any():
            finite = y[np.isfinite(y)]
            lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
            if hi <= lo:
                lo, hi = lo - 1.0, hi + 1.0
            xs = np.repeat(x[blank], 2)
            ys = np.tile([lo, hi], int(blank.sum()))
            self.plot(xs, ys, connect="pairs", name="no value (see the table's reason)",
                      pen=pg.mkPen(INFEASIBLE, width=1, style=Qt.PenStyle.DashLine))


#: Systems coloured one by one in the options chart, cheapest first; the rest are "other"
#: (with "other" and the Pareto front, two rows of four in the key: it fits 1280 pixels).
SHOWN_SYSTEMS = 6
SYSTEM_COLORS = COLORS + ["#ff9da7", "#9c755f", "#17becf"]
OTHER = "#bab0ac"
#: A precision's marker, and the same shape as text for the title that explains them.
SYMBOLS = {"fp4": "t", "int4": "t1", "fp8": "o", "int8": "d", "bf16": "s", "fp16": "s"}
GLYPHS = {"t": "▼", "t1": "▲", "o": "●", "d": "◆", "s": "■"}


class LogAxis(pg.AxisItem):
    """Log-scale ticks written as plain numbers (20, 0.5, 1,000), never as 2·10¹."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        # Only 1, 2 and 5 of each decade are named: all nine crowd into each other. On a
        # short vertical axis (a 1280×800 screen) even those touch: then only 1, 10, 100.
        mantissas = [round(10.0 ** (v - np.floor(v)), 6) for v in values]
        named = (1.0, 2.0, 5.0)
        if self.orientation in ("left", "right"):
            shown = sum(m in named for m in mantissas)
            if shown and self.size().height() / shown < 18:
                named = (1.0,)
        return [significant(10.0 ** v * scale, 2) if m in named else ""
                for v, m in zip(values, mantissas, strict=True)]


class OptionsChart(pg.PlotWidget):
    """Cost against p99 request latency of every option meeting the SLOs (log axes), a
    colour per system and a marker per precision; the Pareto front joined; hovering a point
    names its option; a clicked point emits its row index."""

    pointClicked = Signal(int)

    def __init__(self):
        super().__init__(viewBox=pg.ViewBox(enableMenu=False), axisItems={
            "left": LogAxis("left"), "bottom": LogAxis("bottom")})
        # Short axis titles: at 1280×800 the plot is a few rows of points high.
        _style(self, "Options that meet the SLOs", "p99, s",
               "cost per million output tokens, USD (both axes log; latency: p99 TTFT + "
               "answer)")
        self.setMinimumHeight(180)  # the points and, below them, their key (1280×800)
        self.setLogMode(x=True, y=True)
        self._scatter = pg.ScatterPlotItem()
        self._scatter.sigClicked.connect(self._clicked)
        self._frame: pd.DataFrame | None = None
        # The key sits below the axes, in rows: a legend inside covered the points.
        self.key = pg.LegendItem(colCount=4, labelTextSize="8pt", verSpacing=-6)
        self.key.setParentItem(None)
        self.getPlotItem().layout.addItem(self.key, 4, 1)
        self.colors: dict[str, str] = {}

    def show(self, frame: pd.DataFrame, selected: int | None = None) -> None:
        self.clear()
        self.key.clear()
        ok = frame[frame["meets_slo"]]
        self._frame = ok
        if not len(ok):
            return
        cost = ok["usd_per_m_output_tokens"].to_numpy(float)
        lat = ok["latency_p99_ms"].to_numpy(float) / 1e3
        ranked = ok.groupby("system", sort=False)["usd_per_m_output_tokens"].min().sort_values()
        self.colors = {name: SYSTEM_COLORS[i] for i, name in
                       enumerate(ranked.index[:SHOWN_SYSTEMS])}
        brushes = [pg.mkBrush(self.colors.get(sys_, OTHER)) for sys_ in ok["system"]]
        symbols = [SYMBOLS.get(p, "o") for p in ok["precision"]]
        self._scatter = pg.ScatterPlotItem(
            x=np.log10(cost), y=np.log10(lat), data=ok.index.to_numpy(), size=7,
            brush=brushes, symbol=symbols, pen=None, hoverable=True, tip=self._describe,
            hoverPen=pg.mkPen("k", width=1.5))
        self._scatter.sigClicked.connect(self._clicked)
        self.addItem(self._scatter)
        front = ok[ok["pareto"]].sort_values("usd_per_m_output_tokens")
        if len(front):
            self.plot(front["usd_per_m_output_tokens"].to_numpy(float),
                      front["latency_p99_ms"].to_numpy(float) / 1e3,
                      pen=pg.mkPen(FRONT, width=2))
        if selected is not None and selected in ok.index:
            row = ok.loc[selected]
            self.plot([row["usd_per_m_output_tokens"]], [row["latency_p99_ms"] / 1e3],
                      pen=None, symbol="star", symbolSize=18, symbolBrush="#edc948",
                      symbolPen=pg.mkPen("k"))
        self._fill_key(ok, ranked)

    def _fill_key(self, ok: pd.DataFrame, ranked: pd.Series) -> None:
        for system, color in self.colors.items():
            self.key.addItem(_marker(color, "s"), html.escape(str(system)))
        if len(ranked) > SHOWN_SYSTEMS:
            self.key.addItem(_marker(OTHER, "s"),
                             f"{len(ranked) - SHOWN_SYSTEMS} other systems")
        self.key.addItem(pg.PlotDataItem(pen=pg.mkPen(FRONT, width=2)), "Pareto front")
        # Marker shapes are named in the title, so the key keeps to two rows.
        shapes: dict[str, list[str]] = {}
        for precision in sorted(set(ok["precision"]), key=lambda p: list(SYMBOLS).index(p)
                                if p in SYMBOLS else len(SYMBOLS)):
            shapes.setdefault(GLYPHS[SYMBOLS.get(precision, "o")], []).append(precision)
        # Every point meets the SLOs (the note above says how many): saying so in the title
        # cut it at 1280 px.
        self.setTitle("Options: " + "  ".join(
            f"{glyph} {'/'.join(names)}" for glyph, names in shapes.items()))

    def _describe(self, x: float, y: float, data) -> str:
        """The hovered option in words (the table below has every figure)."""
        if self._frame is None or data not in self._frame.index:
            return ""
        row = self._frame.loc[data]
        return (f"{row.get('system_name', row['system'])}\n{row['layout']} · "
                f"{row['precision']} · {row['engine']}\n"
                f"${money(row['usd_per_m_output_tokens'])} per M output tokens · "
                f"p99 {significant(row['latency_p99_ms'] / 1e3)} s")

    def _clicked(self, _item, points, *_):
        if len(points):
            self.pointClicked.emit(int(points[0].data()))


def _marker(color: str, symbol: str) -> pg.ScatterPlotItem:
    return pg.ScatterPlotItem(symbol=symbol, brush=pg.mkBrush(color), pen=None, size=9)


#: The tornado's room for its assumptions' names: wider left the bars no room beside the
#: editors at 1280 pixels.
LABELS_PX = 190


class TornadoChart(pg.PlotWidget):
    """Each assumption's low and high end as bars from the base value, largest first."""

    def __init__(self):
        super().__init__(viewBox=pg.ViewBox(enableMenu=False), axisItems=local_axes())
        _style(self, "Sensitivity", "", "")
        left = self.getAxis("left")
        left.setWidth(LABELS_PX + 10)
        # One label per bar: never thin them out for lack of room.
        left.setStyle(textFillLimits=[(0, 1.0)])
        self._font = QFont()
        self._font.setPointSizeF(self._font.pointSizeF() * 0.85)
        left.setStyle(tickFont=self._font)

    def show(self, frame: pd.DataFrame, label: str, pct: float, top: int = 12) -> None:
        self.clear()
        rows = frame.head(top).iloc[::-1]  # largest at the top
        if not len(rows):
            return
        base = float(rows["kpi_base"].iloc[0])
        y = np.arange(len(rows), dtype=float)
        low = rows["kpi_low"].to_numpy(float)
        high = rows["kpi_high"].to_numpy(float)
        finite = np.isfinite(low) & np.isfinite(high)
        low, high = np.where(finite, low, base), np.where(finite, high, base)
        self.addItem(pg.BarGraphItem(x0=np.minimum(low, base), x1=np.maximum(low, base), y=y,
                                     height=0.7, brush=COLORS[0], pen=None))
        self.addItem(pg.BarGraphItem(x0=np.minimum(high, base), x1=np.maximum(high, base), y=y,
                                     height=0.7, brush=COLORS[1], pen=None))
        self.addItem(pg.InfiniteLine(pos=base, angle=90, pen=pg.mkPen("#888", width=1)))
        # Long names shortened in the middle to the axis' width (whole, with their grades,
        # in the table below).
        metrics = QFontMetrics(self._font)
        self.getAxis("left").setTicks([[(float(i), metrics.elidedText(
            lab, Qt.TextElideMode.ElideMiddle, LABELS_PX - 10))
            for i, lab in enumerate(rows["label"])]])
        self.setTitle(f'<span style="color:{COLORS[0]}">■ −{pct:g}%</span> &nbsp; '
                      f'<span style="color:{COLORS[1]}">■ +{pct:g}%</span> each assumption alone')
        self.setLabel("bottom", label)
        self.setYRange(-0.6, len(rows) - 0.4, padding=0)
        ends = np.concatenate([low, high, [base]])
        span = max(float(ends.max() - ends.min()), abs(base) * 1e-3, 1e-12)
        self.setXRange(float(ends.min()) - 0.05 * span, float(ends.max()) + 0.05 * span,
                       padding=0)


class BandChart(pg.PlotWidget):
    """P10–P90 band and P50 line of a KPI over traffic levels."""

    def __init__(self, title: str):
        super().__init__(viewBox=pg.ViewBox(enableMenu=False), axisItems=local_axes())
        _style(self, title, "", "traffic, × today's peak")

    def show(self, bands: pd.DataFrame, kpi: str, label: str, scale: float = 1.0) -> None:
        self.clear()
        self.setLabel("left", label)
        x = bands["traffic_factor"].to_numpy(float)
        p10, p50, p90 = (bands[f"{kpi}_p{p}"].to_numpy(float) * scale for p in (10, 50, 90))
        ok = np.isfinite(p10) & np.isfinite(p90)
        if ok.sum() >= 2:
            lo = pg.PlotDataItem(x[ok], p10[ok], pen=pg.mkPen(COLORS[0], width=1))
            hi = pg.PlotDataItem(x[ok], p90[ok], pen=pg.mkPen(COLORS[0], width=1))
            fill = QColor(COLORS[0])
            fill.setAlpha(70)
            self.addItem(lo)
            self.addItem(hi)
            self.addItem(pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(fill)))
        self.plot(x[ok], p50[ok], pen=pg.mkPen(COLORS[0], width=2), symbol="o", symbolSize=5,
                  symbolBrush=COLORS[0], symbolPen=None)
        self.addItem(pg.InfiniteLine(pos=1.0, angle=90, pen=pg.mkPen(
            "#888", width=1, style=Qt.PenStyle.DashLine)))


def _style(w: pg.PlotWidget, title: str, left: str, bottom: str) -> None:
    # Colors come from pyqtgraph's configuration, which the Dashboard sets from the palette.
    style_plot(w, title, left, bottom)
    w.setMinimumHeight(170)  # with the form and the table, a 1280×800 screen
    w.getAxis("bottom").enableAutoSIPrefix(False)
    w.addLegend(offset=(-10, 10))
