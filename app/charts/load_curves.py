"""The dashboard's two per-workload charts, latency against load and the interactivity
trade-off, kept as one set of plot items per workload and updated in place: clearing and
rebuilding them on every edit cost more than drawing them (pyqtgraph items, legend rows).

Their key is a line of text above both charts, not a legend inside one: in a chart a third
of a 1280-pixel window high, a legend of three workloads' TTFT and TPOT covered the curves."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

_NONE = np.array([], float)


@dataclass
class Curve:
    """One workload's figures: its curves, SLO limits and operating point."""

    name: str
    color: str
    rate_rps: np.ndarray
    ttft_p99_ms: np.ndarray
    tpot_p99_ms: np.ndarray
    limits: tuple[float, float]  # p99 TTFT and TPOT limits, ms (inf: none)
    point: tuple[float, float, float] | None  # rate, p99 TTFT ms, p99 TPOT ms
    user_tok_s: np.ndarray
    tok_s_per_accelerator: np.ndarray
    inter_point: tuple[float, float] | None


class _Items:
    """The plot items of one workload, made once."""

    def __init__(self, latency: pg.PlotWidget, inter: pg.PlotWidget):
        self.ttft = latency.plot()
        self.tpot = latency.plot()
        self.limits = [pg.InfiniteLine(angle=0) for _ in range(2)]
        for line in self.limits:
            latency.addItem(line)
        self.point = latency.plot(pen=None, symbol="o", symbolSize=9)
        self.curve = inter.plot()
        self.inter_point = inter.plot(pen=None, symbol="o", symbolSize=9)
        self.name = self.color = None

    def remove(self, latency: pg.PlotWidget, inter: pg.PlotWidget) -> None:
        for item in (self.ttft, self.tpot, *self.limits, self.point):
            latency.removeItem(item)
        for item in (self.curve, self.inter_point):
            inter.removeItem(item)

    def show(self, c: Curve) -> None:
        if (c.name, c.color) != (self.name, self.color):
            self.ttft.setPen(pg.mkPen(c.color, width=2))
            self.tpot.setPen(pg.mkPen(c.color, width=2, style=Qt.PenStyle.DashLine))
            for line in self.limits:
                line.setPen(pg.mkPen(c.color, width=1, style=Qt.PenStyle.DotLine))
            self.point.setSymbolBrush(c.color)
            self.curve.setPen(pg.mkPen(c.color, width=2))
            self.inter_point.setSymbolBrush(c.color)
            self.name, self.color = c.name, c.color
        self.ttft.setData(c.rate_rps, c.ttft_p99_ms)
        self.tpot.setData(c.rate_rps, c.tpot_p99_ms)
        for line, limit in zip(self.limits, c.limits, strict=True):
            line.setVisible(bool(np.isfinite(limit)))
            if np.isfinite(limit):
                line.setValue(limit)
        if c.point is None:
            self.point.setData(_NONE, _NONE)
        else:
            x, ttft, tpot = c.point
            self.point.setData([x, x], [ttft, tpot])
        self.curve.setData(c.user_tok_s, c.tok_s_per_accelerator)
        self.inter_point.setData(*([[v] for v in c.inter_point] if c.inter_point
                                   else (_NONE, _NONE)))


class LoadCurves:
    def __init__(self, latency: pg.PlotWidget, interactivity: pg.PlotWidget, key: QLabel):
        self.latency, self.interactivity, self.key = latency, interactivity, key
        self.items: list[_Items] = []
        self.names: list[str] = []
        key.setTextFormat(Qt.TextFormat.RichText)
        key.setWordWrap(True)
        key.setToolTip("Latency vs load: p99 TTFT solid, p99 TPOT dashed, SLOs dotted, the "
                       "dot at the plan's peak. Interactivity: the same workloads' trade-off")

    def show(self, curves: list[Curve], y_max: float | None) -> None:
        while len(self.items) < len(curves):
            self.items.append(_Items(self.latency, self.interactivity))
        while len(self.items) > len(curves):
            self.items.pop().remove(self.latency, self.interactivity)
        for items, c in zip(self.items, curves, strict=True):
            items.show(c)
        names = [c.name for c in curves]
        if names != self.names or not curves:
            self.names = names
            # Names are the user's own text: shown as text, never as markup.
            self.key.setText("&nbsp;&nbsp; ".join(
                f'<span style="color:{c.color}">&#9632;</span>&nbsp;{html.escape(c.name)}'
                for c in curves) + ("&nbsp;&nbsp;&nbsp; TTFT ━ &nbsp;TPOT ╍ &nbsp;SLO ┈"
                                    if curves else ""))
        if y_max is not None:
            self.latency.setYRange(0, y_max)

    def clear(self) -> None:
        self.show([], None)
