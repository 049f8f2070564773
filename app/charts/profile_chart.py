"""The 24-hour load profile as bars the user shapes with the mouse.

Each bar is one hour's load as a share of the workload's peak. Pressing on an hour sets it to
the height under the pointer; dragging sideways paints every hour passed over, interpolating
between the previous and the current pointer position so a fast sweep leaves no gaps. Every
change is emitted with the id of the drag it belongs to, so the owner can fold a whole
press-drag-release into one undo step.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QToolTip

from app.charts.dashboard import COLORS

HOURS = 24
#: Shared by all charts so a drag id never repeats within the process, even if the owner keeps
#: one undo stack for several charts.
_drag_ids = itertools.count(1)


def _clamp_fraction(value: float) -> float:
    if not math.isfinite(value):
        return 0.0
    return round(min(max(value, 0.0), 1.0), 2)


def _hour_of(x: float) -> int:
    return min(max(int(math.floor(x + 0.5)), 0), HOURS - 1)


class ProfileChart(pg.PlotWidget):
    """24 bars of load (% of peak); left-drag to reshape them."""

    profileEdited = Signal(list, int)

    def __init__(self, parent=None):
        super().__init__(parent, viewBox=pg.ViewBox(enableMenu=False))
        self._values = [1.0] * HOURS
        self._peak_rps: float | None = None
        # Our own record of the drag, because a synthetic move event may not carry the held
        # button in event.buttons().
        self._drag_id: int | None = None
        self._last: tuple[float, float] | None = None  # (hour, fraction) of the last drag event

        pi = self.getPlotItem()
        pi.setMouseEnabled(x=False, y=False)
        pi.setMenuEnabled(False)
        pi.hideButtons()
        vb = pi.getViewBox()
        vb.disableAutoRange()
        # A little room above 100 % so a full bar does not merge with the frame.
        vb.setRange(xRange=(-0.5, HOURS - 0.5), yRange=(0, 104), padding=0.0)
        pi.setLabel("bottom", "hour of day")
        pi.setLabel("left", "load (% of peak)")
        pi.getAxis("bottom").setTicks([
            [(h, str(h)) for h in range(0, HOURS, 3)],
            [(h, "") for h in range(HOURS)],
        ])
        pi.getAxis("left").setTicks([[(v, str(v)) for v in range(0, 101, 25)]])
        pi.showAxis("right")
        right = pi.getAxis("right")
        right.setLabel("req/s")
        right.setWidth(58)  # four-digit rates beside the axis title
        # Room above the plot for the "100" label, and keep the 0 and 100 labels that pyqtgraph
        # would hide for poking past the axis ends.
        pi.setContentsMargins(2, 8, 2, 2)
        for name in ("left", "right"):
            pi.getAxis(name).setStyle(hideOverlappingLabels=False)

        # Grid lines of our own at the percentage ticks: an axis grid would also follow the req/s
        # ticks, and it clips the axis' own "0" label.
        self.grid_lines = []
        for level in (25, 50, 75, 100):
            line = pg.InfiniteLine(pos=level, angle=0, movable=False)
            line.setZValue(-10)
            pi.addItem(line)
            self.grid_lines.append(line)
        self.bars = pg.BarGraphItem(x=np.arange(HOURS), height=self._heights(), width=0.78)
        pi.addItem(self.bars)
        self.setMinimumSize(280, 160)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        # Not a tooltip: the hover tooltip is the hour's value, and a static one would replace it.
        self.setAccessibleDescription("Press and drag to shape the daily load profile")
        self.setWhatsThis("Press and drag to shape the daily load profile: drag up or down to "
                          "set an hour, sideways to paint the hours you pass over.")
        self._apply_palette()
        self._update_right_axis()

    # -- public ---------------------------------------------------------------------------------

    def set_profile(self, values: list[float], peak_rps: float | None = None) -> None:
        """Show a profile (24 fractions of peak). Never emits profileEdited."""
        if len(values) != HOURS:
            raise ValueError(f"a daily profile has {HOURS} values, got {len(values)}")
        self._values = [_clamp_fraction(float(v)) for v in values]
        self._peak_rps = peak_rps if peak_rps is not None and math.isfinite(peak_rps) else None
        self._redraw()
        self._update_right_axis()

    def values(self) -> list[float]:
        return list(self._values)

    @property
    def peak_rps(self) -> float | None:
        return self._peak_rps

    def point_for(self, hour: float, fraction: float) -> QPoint:
        """Viewport pixel of a data point (hour, fraction of peak), for driving the mouse."""
        scene = self.getPlotItem().getViewBox().mapViewToScene(QPointF(hour, fraction * 100.0))
        return self.mapFromScene(scene)

    def hour_text(self, hour: int) -> str:
        """The hover text for one hour, e.g. "14:00 — 100% of peak (40.0 req/s)"."""
        v = self._values[hour]
        text = f"{hour:02d}:00 — {v * 100:.0f}% of peak"
        if self._peak_rps is not None:
            text += f" ({v * self._peak_rps:,.1f} req/s)"
        return text

    # -- mouse ----------------------------------------------------------------------------------

    def _data_at(self, pos: QPointF) -> tuple[float, float]:
        view = self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(pos.toPoint()))
        return view.x(), view.y() / 100.0

    def _in_plot(self, pos: QPointF) -> bool:
        rect = self.getPlotItem().getViewBox().sceneBoundingRect()
        return rect.contains(self.mapToScene(pos.toPoint()))

    def mousePressEvent(self, ev) -> None:
        # Every press is ours: pyqtgraph's pan, zoom and menus stay out of this chart.
        ev.accept()
        if ev.button() != Qt.MouseButton.LeftButton or self._drag_id is not None:
            return
        if not self._in_plot(ev.position()):
            return
        self._drag_id = next(_drag_ids)
        x, f = self._data_at(ev.position())
        self._last = (x, f)
        hour = _hour_of(x)
        self._change({hour: f})
        self._show_tip(ev, hour)

    def mouseDoubleClickEvent(self, ev) -> None:
        # The second click of a quick double click arrives as a double-click event; it is still
        # a press that should set a value.
        self.mousePressEvent(ev)

    def mouseMoveEvent(self, ev) -> None:
        ev.accept()
        if self._drag_id is None:
            if self._in_plot(ev.position()):
                self._show_tip(ev, _hour_of(self._data_at(ev.position())[0]))
            else:
                QToolTip.hideText()
            return
        self._drag_to(ev.position())
        self._show_tip(ev, _hour_of(self._data_at(ev.position())[0]))

    def mouseReleaseEvent(self, ev) -> None:
        ev.accept()
        if ev.button() != Qt.MouseButton.LeftButton or self._drag_id is None:
            return
        self._drag_to(ev.position())
        self._drag_id = None
        self._last = None

    def wheelEvent(self, ev) -> None:
        # Let the surrounding scroll area scroll instead of zooming the chart.
        ev.ignore()

    def leaveEvent(self, ev) -> None:
        super().leaveEvent(ev)
        if self._drag_id is None:
            QToolTip.hideText()

    def _drag_to(self, pos: QPointF) -> None:
        x1, f1 = self._data_at(pos)
        x0, f0 = self._last if self._last is not None else (x1, f1)
        self._last = (x1, f1)
        h0, h1 = _hour_of(x0), _hour_of(x1)
        if h0 == h1:
            self._change({h1: f1})
            return
        step = 1 if h1 > h0 else -1
        # Interpolate by hour index: each hour passed over gets the height the pointer's path
        # had when it crossed that hour.
        changes = {}
        for h in range(h0, h1 + step, step):
            t = (h - h0) / (h1 - h0)
            changes[h] = f0 + (f1 - f0) * t
        self._change(changes)

    def _change(self, changes: dict[int, float]) -> None:
        new = list(self._values)
        for hour, fraction in changes.items():
            new[hour] = _clamp_fraction(fraction)
        if new == self._values or not any(v > 0 for v in new):
            # A profile of all zeros has no peak to scale by, so that edit is refused.
            return
        self._values = new
        self._redraw()
        self.profileEdited.emit(list(new), self._drag_id)

    def _show_tip(self, ev, hour: int) -> None:
        QToolTip.showText(ev.globalPosition().toPoint(), self.hour_text(hour), self.viewport())

    # -- looks ----------------------------------------------------------------------------------

    def _heights(self) -> list[float]:
        return [v * 100.0 for v in self._values]

    def _redraw(self) -> None:
        self.bars.setOpts(height=self._heights())

    def _update_right_axis(self) -> None:
        axis = self.getPlotItem().getAxis("right")
        if self._peak_rps is None or self._peak_rps <= 0:
            # Without a peak the right axis would repeat the percentages; keep it as a blank
            # margin so the plot does not jump when a peak arrives.
            axis.setScale(1.0)
            axis.setTicks([[], []])
            axis.setLabel("")
            return
        axis.setTicks(None)
        axis.setScale(self._peak_rps / 100.0)
        axis.setLabel("req/s")

    def _apply_palette(self) -> None:
        pal = self.palette()
        fg = pal.color(QPalette.ColorRole.Text)
        self.setBackground(pal.color(QPalette.ColorRole.Base))
        for name in ("left", "bottom", "right"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(fg))
            axis.setTextPen(pg.mkPen(fg))
            axis.label.setDefaultTextColor(fg)
        self.bars.setOpts(brush=pg.mkBrush(COLORS[0]), pen=pg.mkPen(fg, width=0.6))
        grid = QColor(fg)
        grid.setAlpha(60)
        for line in self.grid_lines:
            line.setPen(pg.mkPen(grid, width=1))

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        # pyqtgraph's constructor already changes the palette, before the bars exist.
        if ev.type() == QEvent.Type.PaletteChange and getattr(self, "bars", None) is not None:
            self._apply_palette()
