"""Rack elevation of a fleet: each pool's racks as 42U cabinets with their systems and power.

One band per pool: a header (systems, accelerators, racks, cooling), then the racks side by
side, each with its systems at their unit height and, underneath, the rack's expected peak
draw against its power budget, with the maximum at TDP as a marker. Drawn at a fixed scale so
text stays readable; the view scrolls when the fleet is larger than the window. Only the first
``MAX_RACKS_PER_POOL`` racks of a pool are drawn, the rest summarised in one box, so a fleet of
thousands of racks costs no more to draw than a dozen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from planner_core.engine.pool_sizing import PoolSizing
from planner_core.engine.sizing import RACK_UNITS
from planner_core.plan import Facility

if TYPE_CHECKING:
    import pandas as pd

#: Racks drawn per pool before the rest are summarised as "+ N more racks like these".
MAX_RACKS_PER_POOL = 12
#: Servers the catalog gives no height are drawn 2U tall. A drawing choice only: sizing
#: itself budgets such a server a whole rack of space, and the catalog requires a height for
#: every server today, so this only keeps the drawing from failing on incomplete data.
DEFAULT_SERVER_UNITS = 2
#: Share of the budget at which a rack turns amber.
NEAR_BUDGET = 0.9

# Item data keys: tests and click handling find items through them.
KIND = 0  # "band", "header", "cabinet", "system", "power-bar", "overflow", "empty-pool", ...
POOL = 1  # pool name of every item in a band
DETAIL = 2  # per kind: power level of a power bar, cooling of a tag

# Status colours of mid lightness read on both light and dark backgrounds.
STATUS_COLORS = {
    "ok": QColor(40, 167, 69),
    "near": QColor(230, 150, 0),
    "over": QColor(220, 53, 53),
}
COOLING_COLORS = {"liquid": QColor(40, 110, 200), "air": QColor(120, 120, 120)}
TAG_TEXT = QColor(255, 255, 255)  # on the saturated cooling tags in either palette

# Geometry, scene pixels at scale 1.
U_PX = 7  # per rack unit: an 8U server is 56 px, room for three lines of its name
CAB_W = 140
RAIL = 8  # side rails of the cabinet
CAP = 8  # top and bottom frame
CAB_H = 2 * CAP + RACK_UNITS * U_PX
GAP = 22  # between cabinets
OVERFLOW_W = 170
MARGIN = 12  # around the scene
PAD = 12  # inside a band
BAND_GAP = 14
BAR_H = 10


@dataclass
class _Rack:
    index: int  # 0-based position in the pool
    systems: int
    expected_kw: float | None  # share of the pool's expected peak draw
    max_kw: float  # all its systems at TDP
    budget_kw: float
    level: str  # "ok", "near" or "over"


def _level(expected_kw: float | None, max_kw: float, budget_kw: float) -> str:
    # A rack that can exceed its budget at TDP is over it even when the expected peak fits:
    # the feed is sized for the maximum (the planner warns "rack-over-budget" for it too).
    if max_kw > budget_kw + 1e-9 or (expected_kw is not None and expected_kw > budget_kw):
        return "over"
    if expected_kw is not None and expected_kw >= NEAR_BUDGET * budget_kw:
        return "near"
    return "ok"


def _kw(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if abs(value) < 10 else f"{value:,.0f}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _wrap(text: str, fm: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines, eliding what does not fit."""
    if max_lines < 1:
        return []
    lines: list[str] = []
    current = ""
    words = text.split()
    for i, word in enumerate(words):
        trial = f"{current} {word}" if current else word
        if fm.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    elide = Qt.TextElideMode.ElideRight
    return [fm.elidedText(line, elide, width) for line in lines[:max_lines]]


class RackView(QGraphicsView):
    """Rack elevation of a fleet; emits ``poolClicked(name)`` when a pool's item is clicked."""

    poolClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._data: tuple[list[PoolSizing], pd.DataFrame, Facility] | None = None
        self._selected: str | None = None
        self._bands: dict[str, QRectF] = {}
        self._highlight: QGraphicsRectItem | None = None

    # -- public API --------------------------------------------------------------------------

    def show_fleet(self, sizings: list[PoolSizing], pools: pd.DataFrame,
                   facility: Facility) -> None:
        """Draw ``sizings`` (one scenario) with the per-pool rows of ``pools`` for power."""
        self._data = (list(sizings), pools, facility)
        # Edits redraw the whole fleet; staying put (Qt clamps to the new size) keeps the
        # rack being looked at in view.
        self._redraw(keep_scroll=True)

    def select_pool(self, name: str | None) -> None:
        """Outline that pool's band and scroll it into view; None clears it."""
        changed = name != self._selected
        self._set_highlight(name)
        band = self._bands.get(name) if name is not None else None
        # Only a new selection scrolls: the host re-selects after every redraw, and that must
        # not undo the user's own scrolling.
        if band is not None and changed:
            # As much of the band as the window holds, from its top-left corner: asking for
            # more than fits would make Qt centre it and hide the header.
            vp = self.viewport().size()
            width = min(band.width(), max(vp.width() - 2 * MARGIN, 1))
            height = min(band.height(), max(vp.height() - 2 * MARGIN, 1))
            self.ensureVisible(QRectF(band.left(), band.top(), width, height), MARGIN, MARGIN)

    # -- events ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Qt may send these while the base class is still being built, before our state exists.
        redraw_on = (QEvent.Type.PaletteChange, QEvent.Type.FontChange)
        if event.type() in redraw_on and hasattr(self, "_bands"):
            self._redraw(keep_scroll=True)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.position().toPoint())
            while item is not None and item.data(POOL) is None:
                item = item.parentItem()
            if item is not None:
                name = str(item.data(POOL))
                self._set_highlight(name)
                self.poolClicked.emit(name)
        super().mousePressEvent(event)

    # -- drawing -----------------------------------------------------------------------------

    def _colors(self) -> tuple[QColor, QColor, QColor]:
        pal = self.palette()
        return (pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base),
                pal.color(QPalette.ColorRole.Mid))

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        body = QFont(self.font())
        title = QFont(body)
        title.setBold(True)
        small = QFont(body)
        # Never below 8 pt: the drawing is not scaled, so this is the smallest text shown.
        size = body.pointSizeF() if body.pointSizeF() > 0 else 9.0
        small.setPointSizeF(max(8.0, size - 1))
        return title, body, small

    def _redraw(self, keep_scroll: bool) -> None:
        h, v = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        scene = self.scene()
        scene.clear()
        self._bands = {}
        self._highlight = None
        text, base, _mid = self._colors()
        scene.setBackgroundBrush(base)
        if self._data is None:
            return
        sizings, pools, facility = self._data
        y = float(MARGIN)
        if not sizings:
            self._text("No pools to draw.", MARGIN, y, self._fonts()[1], text)
        for ps in sizings:
            y = self._draw_pool(ps, self._pool_row(pools, ps.pool.name), facility, y) + BAND_GAP
        # Every band as wide as the widest, so the outlines line up.
        width = max((r.width() for r in self._bands.values()), default=0.0)
        for name, rect in self._bands.items():
            rect.setWidth(width)
            band = QGraphicsRectItem(rect)
            band.setPen(QPen(Qt.PenStyle.NoPen))
            band.setBrush(self.palette().color(QPalette.ColorRole.AlternateBase))
            band.setZValue(-2)
            self._tag(band, "band", name)
            scene.addItem(band)
        bounds = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        scene.setSceneRect(bounds.united(QRectF(0, 0, 1, 1)))
        self._set_highlight(self._selected)
        if keep_scroll:
            self.horizontalScrollBar().setValue(h)
            self.verticalScrollBar().setValue(v)

    @staticmethod
    def _pool_row(pools: pd.DataFrame, name: str) -> pd.Series | None:
        if pools is None or pools.empty or "pool" not in pools.columns:
            return None
        rows = pools[pools["pool"] == name]
        return None if rows.empty else rows.iloc[0]

    def _set_highlight(self, name: str | None) -> None:
        self._selected = name
        if self._highlight is not None:
            self.scene().removeItem(self._highlight)
            self._highlight = None
        band = self._bands.get(name) if name is not None else None
        if band is None:
            return
        item = QGraphicsRectItem(band.adjusted(-3, -3, 3, 3))
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 3)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        item.setPen(pen)
        item.setBrush(Qt.BrushStyle.NoBrush)
        item.setZValue(-1)  # above the band's fill, below its content
        self._tag(item, "highlight", name)
        self.scene().addItem(item)
        self._highlight = item

    def _draw_pool(self, ps: PoolSizing, row: pd.Series | None, fac: Facility,
                   top: float) -> float:
        """Draw one pool's band from ``top``; returns its bottom."""
        name, s = ps.pool.name, ps.system
        text = self._colors()[0]
        title_f, body_f, small_f = self._fonts()
        x0, y = MARGIN + PAD, top + PAD
        is_rack = s.form == "rack"
        budget = fac.rack_power_budget_kw
        air_limited = not is_rack and s.cooling == "air" and fac.max_air_cooled_rack_kw < budget
        if air_limited:
            budget = fac.max_air_cooled_rack_kw
        pool_peak = _num(row, "it_kw_peak")
        util = _num(row, "utilization_peak_pct")

        per_rack = "" if is_rack or not ps.systems else f" ({ps.systems_per_rack:,} per rack)"
        header = (f"{name} — {ps.systems:,} × {s.name} · {ps.accelerators:,} accelerators · "
                  f"{_plural(ps.racks, 'rack')}{per_rack} · {s.cooling}-cooled")
        item = self._text(header, x0, y, title_f, text, "header", name)
        right = item.sceneBoundingRect().right()
        y = item.sceneBoundingRect().bottom() + 2
        budget_note = (f"rack budget {_kw(budget)} kW"
                       + (" (air-cooling limit)" if air_limited else ""))
        if ps.systems:
            peak = (f"expected peak {_kw(pool_peak)} kW" if pool_peak is not None
                    else "expected peak —")
            if util is not None:
                # Utilization is of the replicas the load needs; accelerators beyond them
                # (spares, whole-system leftovers) draw idle power.
                peak += f", replicas {util:.0f}% busy"
            summary = (f"{peak} · {_kw(ps.systems * ps.system_kw_peak)} kW at TDP · "
                       f"{budget_note}")
        else:
            summary = f"{s.accelerators:,} accelerators per system · {budget_note}"
        item = self._text(summary, x0, y, body_f, text, "summary", name)
        right = max(right, item.sceneBoundingRect().right())
        y = item.sceneBoundingRect().bottom() + 8

        if ps.systems <= 0:
            item = self._text("Sized to zero systems: no racks to place.", x0, y, body_f,
                              text, "empty-pool", name)
            bottom = item.sceneBoundingRect().bottom() + PAD
            self._bands[name] = QRectF(MARGIN, top, right + PAD - MARGIN, bottom - top)
            return bottom

        racks = []
        for i in range(min(ps.racks, MAX_RACKS_PER_POOL)):
            n = min(ps.systems_per_rack, ps.systems - i * ps.systems_per_rack)
            expected = pool_peak * n / ps.systems if pool_peak is not None else None
            max_kw = n * ps.system_kw_peak
            racks.append(_Rack(i, n, expected, max_kw, budget,
                               _level(expected, max_kw, budget)))
        label_h = QFontMetricsF(small_f).height() + 6
        cab_top = y + label_h
        x = x0
        bottom = cab_top
        for rack in racks:
            bottom = max(bottom, self._draw_rack(ps, rack, x, y, cab_top, air_limited, util))
            x += CAB_W + GAP
        hidden = ps.racks - len(racks)
        if hidden > 0:
            self._draw_overflow(ps, hidden, x, cab_top)
            x += OVERFLOW_W + GAP
        right = max(right, x - GAP)
        bottom += PAD
        self._bands[name] = QRectF(MARGIN, top, right + PAD - MARGIN, bottom - top)
        return bottom

    def _draw_rack(self, ps: PoolSizing, rack: _Rack, x: float, label_y: float,
                   top: float, air_limited: bool, util: float | None) -> float:
        """Draw one cabinet at ``x``; returns the bottom of its power figures."""
        name, s = ps.pool.name, ps.system
        text, base, mid = self._colors()
        small_f = self._fonts()[2]
        tip = self._rack_tip(ps, rack, air_limited, util)

        # Label and cooling tag above the cabinet.
        self._text(f"rack {rack.index + 1:,}", x, label_y, small_f, text, "rack-label", name,
                   tip)
        self._cooling_tag(s.cooling, x + CAB_W, label_y, small_f, name)

        cab = QGraphicsRectItem(x, top, CAB_W, CAB_H)
        cab.setPen(QPen(text, 1.5))
        cab.setBrush(mid)
        self._tag(cab, "cabinet", name, tip)
        self.scene().addItem(cab)
        inner = QRectF(x + RAIL, top + CAP, CAB_W - 2 * RAIL, RACK_UNITS * U_PX)
        slots = QGraphicsPathItem(self._unit_ticks(inner))
        slots.setBrush(base)
        slots.setPen(QPen(_alpha(text, 60), 1))
        self._tag(slots, "slots", name, tip)
        self.scene().addItem(slots)

        if s.form == "rack":
            units = RACK_UNITS
            self._draw_system(ps, QRectF(inner).adjusted(2, 2, -2, -2), units, whole=True)
        else:
            # Servers fill from the bottom, U1 up, as they are racked.
            units = min(s.rack_units or DEFAULT_SERVER_UNITS, RACK_UNITS)
            for k in range(rack.systems):
                y_top = inner.bottom() - (k + 1) * units * U_PX
                if y_top < inner.top() - 1e-6:
                    break  # more systems than 42U hold; the tooltip still counts them all
                box = QRectF(inner.left() + 2, y_top + 1, inner.width() - 4, units * U_PX - 2)
                self._draw_system(ps, box, units, whole=False)
            used = min(rack.systems * units, RACK_UNITS)
            free = RACK_UNITS - used
            if free * U_PX >= QFontMetricsF(small_f).height() + 4:
                free_rect = QRectF(inner.left(), inner.top(), inner.width(), free * U_PX)
                item = self._text(f"{free}U free", 0, 0, small_f, _alpha(text, 150), "free",
                                  name, tip)
                br = item.boundingRect()
                item.setPos(free_rect.center().x() - br.width() / 2,
                            free_rect.center().y() - br.height() / 2)

        return self._draw_power(rack, x, top + CAB_H + 6, name, tip)

    @staticmethod
    def _unit_ticks(inner: QRectF) -> QPainterPath:
        """The empty slot area with short tick marks on both rails at every unit."""
        path = QPainterPath()
        path.addRect(inner)
        for u in range(1, RACK_UNITS):
            y = inner.top() + u * U_PX
            length = 5 if u % 6 == 0 else 2  # longer every 6U to make counting easy
            path.moveTo(inner.left(), y)
            path.lineTo(inner.left() + length, y)
            path.moveTo(inner.right(), y)
            path.lineTo(inner.right() - length, y)
        return path

    def _draw_system(self, ps: PoolSizing, box: QRectF, units: int, whole: bool) -> None:
        s, name = ps.system, ps.pool.name
        text, base, _mid = self._colors()
        _title_f, body_f, small_f = self._fonts()
        item = QGraphicsRectItem(box)
        accent = COOLING_COLORS.get(s.cooling, COOLING_COLORS["air"])
        item.setBrush(_blend(accent, base, 0.35))
        item.setPen(QPen(_blend(accent, text, 0.5), 1))
        size = "whole rack" if whole else f"{units}U server"
        unknown = "" if whole or s.rack_units else " (height not in the catalog; drawn 2U)"
        tip = (f"<b>{s.name}</b><br>{s.id} · {s.vendor}<br>{size}{unknown}, {s.cooling}-cooled"
               f"<br>{s.accelerators:,} × {ps.accelerator.name}"
               f"<br>{_kw(ps.system_kw_peak)} kW at TDP, host included (its share of the "
               "scale-out switches sits in network racks)")
        self._tag(item, "system", name, tip)
        self.scene().addItem(item)
        font = body_f if whole else small_f
        fm = QFontMetricsF(font)
        pad = 4
        width = box.width() - 2 * pad
        max_lines = int((box.height() - 2) // fm.height())
        if max_lines < 1:
            return  # too thin for text; the tooltip carries the name
        if whole:
            lines = _wrap(s.name, fm, width, 4) + [
                "", f"{s.accelerators:,} accelerators", f"{_kw(ps.system_kw_peak)} kW at TDP"]
            lines = lines[:max_lines]
        else:
            lines = _wrap(s.name, fm, width, max_lines)
        label = self._text("\n".join(lines), box.left() + pad, 0, font, text, "system-label",
                           name, tip)
        br = label.boundingRect()
        if whole:
            label.setY(box.top() + pad)
        else:
            label.setY(box.center().y() - br.height() / 2)

    def _draw_power(self, rack: _Rack, x: float, y: float, name: str, tip: str) -> float:
        """Power bar and figures under a cabinet; returns their bottom."""
        text, _base, mid = self._colors()
        _title_f, body_f, small_f = self._fonts()
        color = STATUS_COLORS[rack.level]
        # The bar spans the budget, or the largest figure when that is over it, so an overrun
        # shows as fill and TDP notch reaching into the hatched part past the budget.
        scale = max(rack.budget_kw, rack.max_kw, rack.expected_kw or 0.0)
        budget_w = CAB_W * rack.budget_kw / scale if scale else CAB_W
        track = QGraphicsRectItem(x, y, budget_w, BAR_H)
        track.setPen(QPen(mid, 1))
        track.setBrush(_alpha(mid, 90))
        self._tag(track, "power-track", name, tip)
        self.scene().addItem(track)
        if budget_w < CAB_W - 0.5:
            # Beyond the budget: hatched, so the overrun reads without relying on colour.
            excess = QGraphicsRectItem(x + budget_w, y, CAB_W - budget_w, BAR_H)
            excess.setPen(QPen(STATUS_COLORS["over"], 1))
            excess.setBrush(QBrush(STATUS_COLORS["over"], Qt.BrushStyle.BDiagPattern))
            self._tag(excess, "power-excess", name, tip)
            self.scene().addItem(excess)
        shown = rack.expected_kw if rack.expected_kw is not None else rack.max_kw
        fill = QGraphicsRectItem(x, y, CAB_W * min(shown / scale, 1.0) if scale else 0, BAR_H)
        fill.setPen(QPen(Qt.PenStyle.NoPen))
        fill.setBrush(color)
        self._tag(fill, "power-bar", name, tip)
        fill.setData(DETAIL, rack.level)
        self.scene().addItem(fill)
        # The provisioned maximum: a notch reaching above and below the bar.
        mx = x + CAB_W * min(rack.max_kw / scale, 1.0) if scale else x
        notch = QGraphicsRectItem(min(mx, x + CAB_W) - 1.5, y - 4, 3, BAR_H + 8)
        notch.setPen(QPen(Qt.PenStyle.NoPen))
        notch.setBrush(text)
        self._tag(notch, "tdp-mark", name, tip)
        self.scene().addItem(notch)

        line = self._text(f"{_kw(rack.expected_kw)} / {_kw(rack.budget_kw)} kW", x,
                          y + BAR_H + 5, body_f, text, "power-text", name, tip)
        over = rack.max_kw > rack.budget_kw
        line2 = self._text(f"{'over:' if over else 'max'} {_kw(rack.max_kw)} kW at TDP",
                           x, line.sceneBoundingRect().bottom(), small_f,
                           STATUS_COLORS["over"] if over else text, "tdp-text", name, tip)
        return line2.sceneBoundingRect().bottom()

    def _draw_overflow(self, ps: PoolSizing, hidden: int, x: float, top: float) -> None:
        name = ps.pool.name
        text = self._colors()[0]
        title_f, _body_f, small_f = self._fonts()
        tip = (f"<b>{name}</b>: {ps.racks:,} racks of {ps.systems:,} × {ps.system.name}; "
               f"the first {ps.racks - hidden:,} are drawn, the other {hidden:,} are alike")
        box = QGraphicsRectItem(x, top, OVERFLOW_W, CAB_H)
        box.setPen(QPen(text, 1.5, Qt.PenStyle.DashLine))
        box.setBrush(_alpha(text, 12))  # a faint fill keeps the whole box clickable
        self._tag(box, "overflow", name, tip)
        self.scene().addItem(box)
        lines = [(f"+ {hidden:,} more racks", title_f, "overflow-label"),
                 ("like these", title_f, "overflow-label"),
                 (f"{ps.racks:,} racks in all", small_f, "overflow-note")]
        last = ps.systems - (ps.racks - 1) * ps.systems_per_rack
        if ps.system.form != "rack" and last != ps.systems_per_rack:
            lines.append((f"the last holds {_plural(last, 'system')}", small_f, "overflow-note"))
        heights = [QFontMetricsF(f).height() for _, f, _ in lines]
        y = top + (CAB_H - sum(heights) - 8) / 2
        for i, ((line, font, kind), h) in enumerate(zip(lines, heights, strict=True)):
            if i == 2:
                y += 8  # the count and the note read as a footnote to the headline
            item = self._text(line, 0, y, font, text, kind, name, tip)
            item.setX(x + (OVERFLOW_W - item.boundingRect().width()) / 2)
            y += h

    def _cooling_tag(self, cooling: str, right: float, y: float, font: QFont,
                     name: str) -> None:
        fm = QFontMetricsF(font)
        w, h = fm.horizontalAdvance(cooling) + 10, fm.height() + 2
        path = QPainterPath()
        path.addRoundedRect(QRectF(right - w, y - 1, w, h), 4, 4)
        tag = QGraphicsPathItem(path)
        tag.setPen(QPen(Qt.PenStyle.NoPen))
        tag.setBrush(COOLING_COLORS.get(cooling, COOLING_COLORS["air"]))
        tip = "Liquid-cooled" if cooling == "liquid" else "Air-cooled"
        self._tag(tag, "cooling-tag", name, tip)
        tag.setData(DETAIL, cooling)
        self.scene().addItem(tag)
        self._text(cooling, right - w + 5, y, font, TAG_TEXT, "cooling-text", name, tip)

    def _rack_tip(self, ps: PoolSizing, rack: _Rack, air_limited: bool,
                  util: float | None) -> str:
        s = ps.system
        n = rack.systems
        if s.form == "rack":
            space = f"1 × {s.name}, the whole {RACK_UNITS}U rack"
        else:
            units = s.rack_units or DEFAULT_SERVER_UNITS
            space = (f"{n:,} × {s.name}, {units}U each: {n * units:,} of {RACK_UNITS} U used")
        expected = (f"Expected peak draw {_kw(rack.expected_kw)} kW"
                    if rack.expected_kw is not None else "Expected peak draw unknown")
        if rack.expected_kw is not None:
            expected += (f" (this rack's {n:,} of {ps.systems:,} systems"
                         + (f", replicas {util:.0f}% busy at peak" if util is not None
                            else "")
                         + ")")
        limit = " (air-cooling limit)" if air_limited else ""
        status = {"ok": "within budget", "near": f"at or above {NEAR_BUDGET:.0%} of budget",
                  "over": "over budget"}[rack.level]
        return (f"<b>{ps.pool.name} — rack {rack.index + 1:,} of {ps.racks:,}</b><br>{space}"
                f"<br>{n * s.accelerators:,} accelerators ({ps.accelerator.name})"
                f"<br>{expected}"
                f"<br>Max at TDP {_kw(rack.max_kw)} kW ({n:,} × {_kw(ps.system_kw_peak)} kW)"
                f"<br>Budget {_kw(rack.budget_kw)} kW{limit}: {status}"
                f"<br>{s.cooling.capitalize()}-cooled")

    # -- small helpers -----------------------------------------------------------------------

    def _text(self, text: str, x: float, y: float, font: QFont, color: QColor,
              kind: str | None = None, pool: str | None = None,
              tip: str | None = None) -> QGraphicsSimpleTextItem:
        item = QGraphicsSimpleTextItem(text)
        item.setFont(font)
        item.setBrush(color)
        item.setPos(x, y)
        if kind is not None:
            self._tag(item, kind, pool, tip)
        self.scene().addItem(item)
        return item

    @staticmethod
    def _tag(item: QGraphicsItem, kind: str, pool: str | None, tip: str | None = None) -> None:
        item.setData(KIND, kind)
        if pool is not None:
            item.setData(POOL, pool)
        if tip:
            item.setToolTip(tip)


def _num(row: pd.Series | None, column: str) -> float | None:
    if row is None or column not in row.index:
        return None
    value = row[column]
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _alpha(color: QColor, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    """``t`` of ``a`` over ``1 - t`` of ``b``: opaque, so text on it reads in either palette."""
    return QColor(round(a.red() * t + b.red() * (1 - t)),
                  round(a.green() * t + b.green() * (1 - t)),
                  round(a.blue() * t + b.blue() * (1 - t)))
