"""Horizontal bars, one row per scenario: the Compare view's small multiples.

Rows rather than columns, because scenario names are long and there may be many: a name reads
along its row, once, at the left of the first chart; the other charts line up with it. Every
bar carries its value, so a bar is never the only way to read a number. One outlier (a fleet
ten times the others') would flatten every other bar on a linear axis: the axis then stops a
little past the second-longest bar and the outlier's bar runs to the edge with a break mark and
its value printed; a log scale is the other way to see them all, and the owner may switch it on.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette

from app.charts.dashboard import COLORS
from app.figures import number

#: Pixels of a row at the least: a name in the tick font fits.
ROW_PX = 18
#: Longest name column, in pixels; longer names are elided (the tooltip has them whole).
NAMES_PX = 124
#: A bar this many times the next longest is an outlier: the linear axis breaks before it.
OUTLIER = 4.0
#: Bar thickness, as a share of a row.
THICKNESS = 0.62


def broken_axis(values: list[float]) -> float | None:
    """Where a linear axis stops so that one outlier does not flatten the other bars: a
    little past the second-longest bar, if the longest is ``OUTLIER`` times it; else None."""
    finite = sorted(v for v in values if math.isfinite(v) and v > 0)
    if len(finite) < 3 or finite[-1] < OUTLIER * finite[-2]:
        return None
    return finite[-2] * 1.6


def decade_label(power: int) -> str:
    """10^power as a reader says it: 0.01, 1, 100, 10k, 1M."""
    value = 10.0 ** power
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


class BarRows(pg.PlotWidget):
    """One KPI over the scenarios: a bar per row, its value at its end."""

    def __init__(self, title: str, digits: int, names_axis: bool, parent=None):
        super().__init__(parent, viewBox=pg.ViewBox(enableMenu=False))
        self.title = title
        self.digits = digits
        self.names_axis = names_axis
        self.names: list[str] = []
        self.values: list[float] = []
        self.baseline = -1
        self.slo: float | None = None
        self.log = False
        self.cut: float | None = None  # where a broken linear axis stops
        self.bars: pg.BarGraphItem | None = None
        self.slo_line: pg.InfiniteLine | None = None
        self.labels: list[pg.TextItem] = []
        pi = self.getPlotItem()
        pi.setMouseEnabled(x=False, y=False)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        pi.showGrid(x=True, y=False, alpha=0.2)
        pi.getViewBox().invertY(True)  # the first scenario on top, as in the table
        left = pi.getAxis("left")
        left.setStyle(tickLength=0, hideOverlappingLabels=False)
        left.setWidth(NAMES_PX if names_axis else 4)
        if not names_axis:
            left.setStyle(showValues=False)
        bottom = pi.getAxis("bottom")
        bottom.enableAutoSIPrefix(False)
        bottom.setStyle(maxTickLevel=0)
        self.setMinimumWidth(NAMES_PX + 90 if names_axis else 90)
        self.scene().sigMouseMoved.connect(self._hover)
        # Labels depend on the pixels per row and per value, known once the box is laid out.
        pi.getViewBox().sigResized.connect(self._fit)

    # -- public ---------------------------------------------------------------------------------

    def apply_palette(self, palette: QPalette) -> None:
        fg = palette.color(QPalette.ColorRole.Text)
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setPen(pg.mkPen(fg))
            axis.setTextPen(pg.mkPen(fg))
        self._set_title()

    def set_bars(self, names: list[str], values: list[float], baseline: int,
                 slo: float | None = None) -> None:
        self.names, self.values, self.baseline, self.slo = names, values, baseline, slo
        self._draw()

    def set_log(self, log: bool) -> None:
        if log != self.log:
            self.log = log
            self._draw()

    def shown_width(self, value: float) -> float:
        """A value's bar length in the chart's own coordinates (log10 on a log scale)."""
        if not math.isfinite(value) or value <= 0:
            return 0.0
        if self.log:
            return math.log10(value) - self._log_floor()
        return min(value, self.cut) if self.cut is not None else value

    # -- drawing --------------------------------------------------------------------------------

    def _log_floor(self) -> float:
        positive = [v for v in self.values if math.isfinite(v) and v > 0]
        return math.floor(math.log10(min(positive))) if positive else 0.0

    def _draw(self) -> None:
        """Updates bars, value labels and the SLO line in place (rebuilding pyqtgraph items
        on every result cost more than drawing them)."""
        fg = self.palette().color(QPalette.ColorRole.Text)
        n = len(self.values)
        while len(self.labels) > n:
            self.removeItem(self.labels.pop())
        if not n:
            for item in (self.bars, self.slo_line):
                if item is not None:
                    item.setVisible(False)
            return
        self.cut = None if self.log else broken_axis(self.values)
        y = np.arange(n, dtype=float)
        widths = [self.shown_width(v) for v in self.values]
        x0 = self._log_floor() if self.log else 0.0
        # The baseline bar gets a thick outline in the text color: visible on any palette and
        # whichever fill color the scenario happens to get.
        pens = [pg.mkPen(fg, width=2.5) if i == self.baseline else pg.mkPen(None)
                for i in range(n)]
        brushes = [pg.mkBrush(COLORS[i % len(COLORS)]) for i in range(n)]
        if self.bars is None:
            self.bars = pg.BarGraphItem(x0=x0, y=y, width=widths, height=THICKNESS, pens=pens,
                                        brushes=brushes)
            self.addItem(self.bars)
        else:
            self.bars.setOpts(x0=x0, y=y, width=widths, pens=pens, brushes=brushes)
            self.bars.setVisible(True)
        while len(self.labels) < n:
            label = pg.TextItem("", anchor=(0.0, 0.5))
            self.addItem(label)
            self.labels.append(label)
        for i, (label, v, w) in enumerate(zip(self.labels, self.values, widths, strict=True)):
            broken = self.cut is not None and math.isfinite(v) and v > self.cut
            # A broken bar's value sits inside its end, after the mark of the break.
            label.setText(number(v, self.digits) + (" ≫" if broken else ""), color=fg)
            label.setPos(x0 + w, float(i))
        self._draw_slo(fg, x0)
        self._set_ticks()
        self.setYRange(-0.5, n - 0.5, padding=0)
        self._fit()

    def _draw_slo(self, fg, x0: float) -> None:
        if self.slo is None:
            if self.slo_line is not None:
                self.slo_line.setVisible(False)
            return
        if self.slo_line is None:
            self.slo_line = pg.InfiniteLine(angle=90)
            self.addItem(self.slo_line)
        self.slo_line.setPen(pg.mkPen(fg, width=1, style=Qt.PenStyle.DashLine))
        self.slo_line.setValue(self.shown_width(self.slo) + x0)
        self.slo_line.setVisible(True)

    def _set_ticks(self) -> None:
        bottom = self.getAxis("bottom")
        if self.log:
            lo = int(self._log_floor())
            top = max((self.shown_width(v) for v in self.values), default=1.0) + lo
            bottom.setTicks([[(float(p), decade_label(p))
                              for p in range(lo, int(math.ceil(top)) + 1)], []])
        else:
            bottom.setTicks(None)  # pyqtgraph's own, in the values' unit

    def _set_title(self) -> None:
        fg = self.palette().color(QPalette.ColorRole.Text)
        metrics = QFontMetrics(self.font())
        # The title sits over the bars only: wider, it would push them past the chart's edge.
        room = max(self.width() - self.getAxis("left").width() - 20, 40)
        # The SLO is named in the title: a label on its line would sit on the bars' values.
        title = self.title if self.slo is None else f"{self.title} · SLO {number(self.slo, 0)}"
        self.getPlotItem().setTitle(
            metrics.elidedText(title, Qt.TextElideMode.ElideRight, room), color=fg, size="9pt")
        self.setToolTip(title)

    def _fit(self) -> None:
        """Names that fit their column, value labels that fit beside their bars (smaller, or
        inside a broken bar), and an x range with room for them."""
        self._set_title()
        if not self.names:
            return
        if self.names_axis:
            metrics = QFontMetrics(self.getAxis("left").style.get("tickFont") or self.font())
            ticks = []
            for i, name in enumerate(self.names):
                text = f"{name} (baseline)" if i == self.baseline else name
                ticks.append((float(i), metrics.elidedText(
                    text, Qt.TextElideMode.ElideRight, NAMES_PX - 10)))
            self.getAxis("left").setTicks([ticks, []])
        vb = self.getPlotItem().getViewBox()
        px = max(vb.width(), 1.0)
        font = QFont(self.font())
        if vb.height() / max(len(self.names), 1) < QFontMetrics(font).height():
            font.setPointSizeF(font.pointSizeF() * 0.8)
        metrics = QFontMetrics(font)
        x0 = self._log_floor() if self.log else 0.0
        span = 0.0  # the x range that leaves every label room beside its bar
        for label, v in zip(self.labels, self.values, strict=True):
            label.setFont(font)
            w = self.shown_width(v)
            room = px - metrics.horizontalAdvance(label.toPlainText()) - 8
            broken = self.cut is not None and math.isfinite(v) and v > self.cut
            if not broken and room > 20:
                span = max(span, w * px / room)
        span = max(span, max((self.shown_width(v) for v in self.values), default=0.0), 1e-9)
        if self.slo is not None:
            span = max(span, self.shown_width(self.slo) * 1.08)
        if self.cut is not None:
            span = self.cut * 1.02  # the broken bar ends at the edge, its value inside it
        self.setXRange(x0, x0 + span, padding=0)
        for label, v in zip(self.labels, self.values, strict=True):
            broken = self.cut is not None and math.isfinite(v) and v > self.cut
            label.setAnchor((1.0, 0.5) if broken else (0.0, 0.5))
            if broken:
                label.setPos(x0 + self.cut * 1.02 - span * 0.01, label.pos().y())

    def _hover(self, scene_pos: QPointF) -> None:
        # Full names and exact values live in the tooltip, since labels may be elided.
        vb = self.getPlotItem().vb
        if not self.names or not vb.sceneBoundingRect().contains(scene_pos):
            self.setToolTip(self.title)
            return
        i = int(math.floor(vb.mapSceneToView(scene_pos).y() + 0.5))
        if 0 <= i < len(self.names):
            tip = f"{self.names[i]}: {number(self.values[i], max(self.digits, 2))}"
            if i == self.baseline:
                tip += " (baseline)"
            self.setToolTip(f"{self.title}\n{tip}")
