"""Measured against predicted, one point per case, on log axes: the diagonal is a perfect
prediction and the band around it ±20%. Points are coloured by accelerator; hovering one
names its case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.charts.dashboard import COLORS, style_plot

BAND = 0.20


class EvidenceChart(pg.PlotWidget):
    def __init__(self):
        super().__init__(viewBox=pg.ViewBox(enableMenu=False))
        style_plot(self, "Measured against predicted", "predicted (log)", "measured (log)")
        self.setMinimumHeight(260)
        self.setLogMode(x=True, y=True)
        self.getAxis("bottom").enableAutoSIPrefix(False)
        self.addLegend(offset=(10, 10))

    def show(self, table: pd.DataFrame) -> None:
        """``table``: validation rows (case_id, system, metric, measured, predicted)."""
        self.clear()
        rows = table[np.isfinite(table["predicted"].to_numpy(float))
                     & (table["predicted"].to_numpy(float) > 0)]
        if not len(rows):
            self.setTitle("Measured against predicted: no case to show yet")
            return
        m = rows["measured"].to_numpy(float)
        p = rows["predicted"].to_numpy(float)
        lo, hi = np.log10(min(m.min(), p.min()) / 1.5), np.log10(max(m.max(), p.max()) * 1.5)
        x = np.array([lo, hi])
        self.plot(x, x, pen=pg.mkPen("#888", width=1))
        for f in (1 + BAND, 1 - BAND):
            self.plot(x, x + np.log10(f), pen=pg.mkPen("#aaa", width=1,
                                                       style=Qt.PenStyle.DashLine))
        for i, (system, group) in enumerate(rows.groupby("system", sort=True)):
            color = QColor(COLORS[i % len(COLORS)])
            tips = [f"{r.case_id}\n{r.metric}: measured {r.measured:,.4g}, predicted "
                    f"{r.predicted:,.4g} ({r.error_pct:+.1f}%)" for r in group.itertuples()]
            item = pg.ScatterPlotItem(
                x=np.log10(group["measured"].to_numpy(float)),
                y=np.log10(group["predicted"].to_numpy(float)), data=tips, size=7,
                brush=pg.mkBrush(color), pen=None, hoverable=True,
                # More accelerators than colours: the next round of colours gets another shape.
                symbol=("o", "t", "s", "d")[(i // len(COLORS)) % 4],
                tip=lambda x, y, data: data, name=system)
            self.addItem(item)
        within = float(np.mean(np.abs(p / m - 1) <= BAND))
        # Short enough for the panel beside the editors at 1280 pixels.
        self.setTitle(f"{len(rows):,} cases: {within:.0%} within ±{BAND:.0%} (dashed)")
        self.setXRange(lo, hi, padding=0)
        self.setYRange(lo, hi, padding=0)

