"""The MIG editor's drawing: each GPU as a bar of memory slices over a strip of compute
slices, coloured by the workload each slice serves, with hover tips and click selection.

Kept apart from the editor's controls (:mod:`app.window.widgets.mig_editor`): this part only paints
a layout it is given and reports clicks; it knows nothing of the plan or the undo stack.
"""
from __future__ import annotations

import html
from collections import defaultdict, deque

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QSizePolicy,
    QToolTip,
    QWidget,
)

from planner_core import PlannerError
from planner_core.catalog import MigProfile, MigSpec
from planner_core.catalog.mig import place

#: GPUs drawn at most; a pool's GPUs all share one layout, so more bars would add nothing.
MAX_DRAWN_GPUS = 8
#: Tableau-10 hues: distinct for the usual handful of workloads, and not tied to light or dark
#: themes because fills are blended with the palette's base colour before use.
WORKLOAD_HUES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def place_indexed(spec: MigSpec, names: list[str]) -> list[tuple[int, int]]:
    """(index into ``names``, memory-slice offset) for each slice; PlannerError if not allowed.

    ``place`` reports slices by name in its own order; equal names are interchangeable, so the
    k-th placed copy of a name is paired with the k-th copy in the layout.
    """
    waiting: dict[str, deque[int]] = defaultdict(deque)
    for i, name in enumerate(names):
        waiting[name].append(i)
    return [(waiting[name].popleft(), offset) for name, offset in place(spec, names)]


def profile_facts(p: MigProfile, spec: MigSpec) -> str:
    memory = f"{p.memory_gib:g} GiB" if p.memory_gib else "memory size not in the catalog"
    sms = f"{p.sms} SMs" if p.sms else "SM count not in the catalog"
    parts = [f"{memory}, {sms}",
             f"{p.compute_slices} of {spec.compute_slices} compute slices, "
             f"{p.memory_slices} of {spec.memory_slices} memory slices",
             f"at most {p.max_instances} per GPU"]
    if p.media_extensions:
        parts.append("with the media engines (video decoders, JPEG); one such slice per GPU")
    return "<br>".join(parts)


# set_pool runs after every plan edit and most of what it shows stays the same, so widgets are
# touched only when a value really changes: no needless relayouts, repaints or tooltip churn.

class GpuView(QWidget):
    """The drawing: one bar of memory slices per GPU, a thin compute-slice strip under each."""

    sliceClicked = Signal(int)  # index into the layout, -1 for "nothing"
    removeRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec: MigSpec | None = None
        self.names: list[str] = []  # profile of each slice, in layout order
        self.workloads: list[str] = []  # workload of each slice, in layout order
        # (layout index, first memory slice, memory slices wide); floats because a layout that
        # is not allowed is squeezed into one bar so it can still be seen and edited.
        self.boxes: list[tuple[int, float, float]] = []
        self.invalid = False
        self.message = ""  # label of an undivided GPU: MIG off, no MIG
        self.gpus = 1
        self.selected = -1
        self.colors: dict[str, QColor] = {}
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("MIG layout of every GPU in the pool")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # ----- geometry, all from the font so it scales with DPI and the user's font size -----

    def _metrics(self) -> dict[str, int]:
        fm = self.fontMetrics()
        fh = fm.height()
        pad = max(2, fh // 4)
        return {
            "fh": fh,
            "pad": pad,
            "gutter": fm.horizontalAdvance("GPU 8") + 2 * pad,
            "strip": max(3, fh // 3),
            "tall_bar": 2 * fh + 2 * pad,  # profile and workload on two lines
            "short_bar": fh + pad,  # one line, when space is short
            "row_gap": max(3, fh // 3),
            "legend": fh + pad,
            "slice_pref": fm.horizontalAdvance("1g.10gb") + 2 * pad,
            "slices": self.spec.memory_slices if self.spec else 8,
        }

    def _drawn(self) -> int:
        return max(1, min(self.gpus, MAX_DRAWN_GPUS))

    def _row_height(self, bar: int) -> int:
        m = self._metrics()
        return bar + 2 + m["strip"] + m["row_gap"]

    def _footer(self) -> int:
        m = self._metrics()
        return m["fh"] + m["pad"] if self.gpus > MAX_DRAWN_GPUS else 0

    def _content_height(self, bar: int) -> int:
        return self._metrics()["legend"] + self._drawn() * self._row_height(bar) + self._footer()

    def sizeHint(self) -> QSize:
        m = self._metrics()
        return QSize(m["gutter"] + m["slices"] * m["slice_pref"],
                     self._content_height(m["tall_bar"]))

    def minimumSizeHint(self) -> QSize:
        # Narrow enough for a dock, wide enough that a one-slice profile name still fits in
        # the smaller label font. All GPUs at their most compact: below that, the area scrolls.
        m = self._metrics()
        # + room for the slice's rounded border and its inner margin on both sides
        smallest = QFontMetrics(self._small_font()).horizontalAdvance("1g.10gb") + 8
        return QSize(m["gutter"] + m["slices"] * smallest + m["pad"],
                     self._content_height(m["short_bar"]))

    def least_height(self) -> int:
        """Height that shows the first two GPUs, the least worth showing before scrolling."""
        m = self._metrics()
        return m["legend"] + min(2, self._drawn()) * self._row_height(m["short_bar"])

    def _small_font(self) -> QFont:
        small = QFont(self.font())
        if small.pointSizeF() > 0:
            small.setPointSizeF(small.pointSizeF() * 0.85)
        else:  # the font was given in pixels by a style sheet: scale it the same way
            small.setPixelSize(max(1, round(small.pixelSize() * 0.85)))
        return small

    def _layout(self) -> tuple[int, list[QRect]]:
        """Bar height in use and the memory bar of each drawn GPU."""
        m = self._metrics()
        spare = self.height() - self._content_height(m["short_bar"])
        # Grow each bar towards two text lines when the panel is tall enough, never beyond.
        bar = m["short_bar"] + max(0, min(m["tall_bar"] - m["short_bar"], spare // self._drawn()))
        left = m["gutter"]
        width = max(8, self.width() - left - m["pad"])
        return bar, [QRect(left, m["legend"] + g * self._row_height(bar), width, bar)
                     for g in range(self._drawn())]

    def _box_rect(self, bar: QRect, offset: float, width: float) -> QRectF:
        per = bar.width() / (self.spec.memory_slices if self.spec else 8)
        return QRectF(bar.left() + offset * per, bar.top(), width * per, bar.height())

    def slice_at(self, pos: QPoint) -> int:
        if self.spec is None:
            return -1
        _, rows = self._layout()
        for bar in rows:
            for index, offset, width in self.boxes:
                if self._box_rect(bar, offset, width).contains(pos.toPointF()):
                    return index
        return -1

    def _profile(self, index: int) -> MigProfile | None:
        try:
            return self.spec.profile(self.names[index])
        except PlannerError:  # a slice left over from another accelerator
            return None

    def _hue(self, workload: str) -> QColor:
        return self.colors.get(workload, QColor(WORKLOAD_HUES[7]))

    def _fill(self, workload: str, strong: bool) -> QColor:
        # Tint the theme's base colour rather than using the hue itself, so the palette's text
        # colour stays readable on it in light and dark themes alike.
        base = self.palette().color(QPalette.ColorRole.Base)
        return mix(base, self._hue(workload), 0.55 if strong else 0.32)

    # ----- painting -----

    def paintEvent(self, event) -> None:
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        faint = pal.color(QPalette.ColorRole.PlaceholderText)
        outline = mix(pal.color(QPalette.ColorRole.Base), text, 0.35)
        m = self._metrics()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar_h, rows = self._layout()
        self._paint_legend(painter, m, text)
        for g, bar in enumerate(rows):
            painter.setPen(text)
            painter.drawText(QRect(0, bar.top(), m["gutter"] - m["pad"], bar.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"GPU {g}")
            painter.setPen(QPen(outline, 1))
            painter.setBrush(pal.color(QPalette.ColorRole.Base))
            painter.drawRect(QRectF(bar).adjusted(0.5, 0.5, -0.5, -0.5))
            strip = QRectF(bar.left(), bar.bottom() + 2, bar.width(), m["strip"])
            if self.spec is None or not self.boxes:
                self._paint_whole(painter, bar, strip, faint, outline, m)
                continue
            self._paint_memory_ticks(painter, bar, outline)
            for index, offset, width in self.boxes:
                self._paint_slice(painter, self._box_rect(bar, offset, width), index, bar_h, m)
            self._paint_compute(painter, strip, outline)
        if self.gpus > MAX_DRAWN_GPUS and rows:
            more = self.gpus - MAX_DRAWN_GPUS
            painter.setPen(text)
            painter.drawText(QRect(rows[0].left(), rows[-1].bottom() + m["strip"] + m["row_gap"],
                                   rows[0].width(), m["fh"] + m["pad"]),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"… and {more} more GPU{'s' if more != 1 else ''} "
                             "with the same layout")
        painter.end()

    def _paint_legend(self, painter: QPainter, m: dict[str, int], text: QColor) -> None:
        if self.spec is None or not self.boxes:
            return
        fm = self.fontMetrics()
        x = m["gutter"]
        if self.invalid:
            painter.setPen(text)
            painter.drawText(QRect(x, 0, self.width() - x, m["fh"]),
                             Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText("Not allowed, drawn squeezed: select a slice and "
                                           "remove it", Qt.TextElideMode.ElideRight,
                                           self.width() - x))
            return
        present = set(self.workloads)
        side = max(6, m["fh"] * 2 // 3)
        for workload in [w for w in self.colors if w in present]:
            needed = side + m["pad"] + fm.horizontalAdvance(workload) + 3 * m["pad"]
            if x + needed > self.width():
                break  # the slice labels still name the workload; the legend is a shortcut
            painter.setPen(QPen(self._hue(workload), 1.5))
            painter.setBrush(self._fill(workload, strong=True))
            painter.drawRect(QRectF(x, (m["fh"] - side) / 2, side, side))
            painter.setPen(text)
            painter.drawText(QRect(x + side + m["pad"], 0, fm.horizontalAdvance(workload) + 2,
                                   m["fh"]), Qt.AlignmentFlag.AlignVCenter, workload)
            x += needed
        # What the two strips mean, where there is room; the caption's tooltip says it too.
        key = (f"bar: {self.spec.memory_slices} memory slices · strip: "
               f"{self.spec.compute_slices} compute")
        if x + fm.horizontalAdvance(key) + m["pad"] <= self.width():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRect(x, 0, self.width() - x - m["pad"], m["fh"]),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, key)

    def _paint_whole(self, painter: QPainter, bar: QRect, strip: QRectF, faint: QColor,
                     outline: QColor, m: dict[str, int]) -> None:
        """A GPU without slices: one undivided block, with the reason as its label."""
        painter.setPen(faint)
        painter.drawText(bar, Qt.AlignmentFlag.AlignCenter,
                         self.fontMetrics().elidedText(self.message or "whole GPU",
                                                       Qt.TextElideMode.ElideRight,
                                                       bar.width() - 2 * m["pad"]))
        painter.setPen(QPen(outline, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(strip.adjusted(0.5, 0.5, -0.5, -0.5))

    def _paint_memory_ticks(self, painter: QPainter, bar: QRect, outline: QColor) -> None:
        """Dotted dividers between memory slices, so free space reads as countable slices."""
        total = self.spec.memory_slices
        painter.setPen(QPen(outline, 1, Qt.PenStyle.DotLine))
        for k in range(1, total):
            x = bar.left() + k * bar.width() / total
            painter.drawLine(QPointF(x, bar.top() + 2), QPointF(x, bar.bottom() - 1))

    def _paint_slice(self, painter: QPainter, rect: QRectF, index: int, bar_h: int,
                     m: dict[str, int]) -> None:
        workload = self.workloads[index]
        selected = index == self.selected
        rect = rect.adjusted(1.5, 1.5, -1.5, -1.5)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if selected:
            # The text colour contrasts with every fill; a highlight colour could match a hue.
            pen = QPen(text, max(2.0, m["pad"] * 0.75))
        else:
            pen = QPen(self._hue(workload), 1.5)
        if self.invalid:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(self._fill(workload, strong=selected))
        painter.drawRoundedRect(rect, m["pad"], m["pad"])
        painter.setPen(text)
        margin = max(2.0, pen.widthF())
        inner = rect.adjusted(margin, 0, -margin, 0)
        name = self.names[index]
        if bar_h >= 2 * m["fh"] + m["pad"]:
            inner = inner.adjusted(0, m["pad"] / 2, 0, -m["pad"] / 2)
            half = inner.height() / 2
            self._draw_fitted(painter, QRectF(inner.left(), inner.top(), inner.width(), half),
                              [name], Qt.AlignmentFlag.AlignBottom)
            self._draw_fitted(painter, QRectF(inner.left(), inner.top() + half, inner.width(),
                                              half), [workload], Qt.AlignmentFlag.AlignTop)
        else:
            self._draw_fitted(painter, inner, [f"{name} · {workload}", name],
                              Qt.AlignmentFlag.AlignVCenter)

    def _draw_fitted(self, painter: QPainter, rect: QRectF, choices: list[str],
                     valign: Qt.AlignmentFlag) -> None:
        """The first label that fits; else the last one a notch smaller; else elided."""
        fm = self.fontMetrics()
        align = Qt.AlignmentFlag.AlignHCenter | valign
        for label in choices:
            if fm.horizontalAdvance(label) <= rect.width():
                painter.drawText(rect, align, label)
                return
        label = choices[-1]
        small = self._small_font()
        sfm = QFontMetrics(small)
        painter.save()
        painter.setFont(small)
        painter.drawText(rect, align, sfm.elidedText(label, Qt.TextElideMode.ElideRight,
                                                     int(rect.width())))
        painter.restore()

    def _paint_compute(self, painter: QPainter, strip: QRectF, outline: QColor) -> None:
        """The compute slices, filled left to right in memory order by the slices using them."""
        total = self.spec.compute_slices
        cell = strip.width() / total
        cursor = 0
        painter.setPen(Qt.PenStyle.NoPen)
        for index, _offset, _width in sorted(self.boxes, key=lambda box: box[1]):
            p = self._profile(index)
            painter.setBrush(self._hue(self.workloads[index]))
            for _ in range(p.compute_slices if p else 0):
                if cursor >= total:
                    break  # a layout that is not allowed can ask for more than the GPU has
                painter.drawRect(QRectF(strip.left() + cursor * cell + 1, strip.top(),
                                        cell - 2, strip.height()))
                cursor += 1
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(outline, 1))
        for k in range(cursor, total):
            painter.drawRect(QRectF(strip.left() + k * cell + 1.5, strip.top() + 0.5,
                                    cell - 3, strip.height() - 1))

    # ----- interaction -----

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.sliceClicked.emit(self.slice_at(event.position().toPoint()))
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected >= 0:
            self.removeRequested.emit()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self.boxes:
            # Step through the slices in the order they sit on the GPU, not in layout order.
            order = [box[0] for box in sorted(self.boxes, key=lambda box: box[1])]
            step = 1 if key == Qt.Key.Key_Right else -1
            pos = order.index(self.selected) + step if self.selected in order else 0
            self.sliceClicked.emit(order[pos % len(order)])
            return
        if key == Qt.Key.Key_Escape and self.selected >= 0:
            self.sliceClicked.emit(-1)
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            index = self.slice_at(event.pos())
            if index >= 0:
                QToolTip.showText(event.globalPos(), self.slice_tooltip(index), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def slice_tooltip(self, index: int) -> str:
        name, workload = html.escape(self.names[index]), html.escape(self.workloads[index])
        head = f"<b>{name}</b> serving <b>{workload}</b> on every GPU"
        hint = "<br><i>Click to select; Delete removes it.</i>"
        p = self._profile(index)
        if p is None:
            return f"{head}<br>not a MIG profile of this GPU{hint}"
        if self.invalid:
            return f"{head}<br>{profile_facts(p, self.spec)}{hint}"
        offset = int(next(box[1] for box in self.boxes if box[0] == index))
        last = offset + p.memory_slices - 1
        where = f"memory slice {offset}" if last == offset else f"memory slices {offset}–{last}"
        return f"{head}<br>{where}<br>{profile_facts(p, self.spec)}{hint}"
