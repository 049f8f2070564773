"""The floor plan: halls, their rows of rack positions, each rack coloured by its pool.

Compute racks are solid, network racks (the fabric's switches) hatched, free positions
outlined. Each row starts with its racks against its positions and its power against its limit;
each hall's header says what is used and what is left. Hovering a rack gives its pool, kind,
power and weight. A floor of many thousand positions draws its first ``MAX_ROWS`` rows and
summarises the rest, so it never costs more than a few thousand items.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsView

from app.charts.dashboard import COLORS
from app.figures import quantity

CELL, GAP = 14.0, 3.0
TOTAL_X = 52.0  # after "Row 12"; the row's numbers come before its racks, so stay in view
MAX_ROWS = 120  # drawn rows over all halls; the rest are summarised
KIND = 0  # item data keys, for tests: "rack", "free", "hall", "row-total", "note"
POOL = 1


class FloorView(QGraphicsView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.colors: dict[str, QColor] = {}

    def show_floor(self, floor: dict, pools: list[str]) -> None:
        """``floor``: a scenario's ``Results.sites[...]["floor"]``; ``pools`` fix the colours."""
        scene = self.scene()
        scene.clear()
        self.colors = {p: QColor(COLORS[i % len(COLORS)]) for i, p in enumerate(pools)}
        text = self.palette().color(QPalette.ColorRole.Text)
        bold = QFont(self.font())
        bold.setBold(True)
        y = 0.0
        y = self._legend(y, text)
        if floor["m2_total"] is None:
            self._text(0, y, f"No halls set: {floor['racks']:,} racks need about "
                       f"{floor['m2_used']:,.0f} m² of white space. Add halls in Facility → Site "
                       "tab to place them row by row.", text, "note")
            self._fit()
            return
        by_hall: dict[str, list[dict]] = {}
        for row in floor["rows"]:
            by_hall.setdefault(row["hall"], []).append(row)
        metrics = QFontMetricsF(self.font())
        racks_x = TOTAL_X + 12 + max((metrics.horizontalAdvance(self._total(r))
                                      for r in floor["rows"][:MAX_ROWS]), default=0.0)
        drawn = 0
        for hall, rows in by_hall.items():
            used = sum(r["used"] for r in rows)
            positions = sum(r["positions"] for r in rows)
            kw = sum(r["kw"] for r in rows)
            head = self._text(0, y, f"{hall}: {used:,} of {positions:,} positions used, "
                              f"{positions - used:,} left · {quantity(kw, 'kW')}", text, "hall")
            head.setFont(bold)
            y += 22
            for row in rows:
                if drawn >= MAX_ROWS:
                    break
                self._row(row, y, text, racks_x)
                y += CELL + GAP + 2
                drawn += 1
            y += 10
        rest = sum(1 for r in floor["rows"]) - drawn
        if rest > 0:
            self._text(0, y, f"+ {rest:,} more rows not drawn", text, "note")
            y += 20
        if floor["unplaced"]:
            lost = ", ".join(f"{p} {n:,}" for p, n in floor["unplaced"].items())
            self._text(0, y, f"Racks with no position: {lost}", QColor(220, 53, 53), "note")
        self._fit()

    def _legend(self, y: float, text: QColor) -> float:
        x = 0.0
        for pool, color in self.colors.items():
            self.addRect(x, y + 2, color, solid=True)
            label = self._text(x + CELL + 4, y, pool, text, "legend")
            x += CELL + 16 + label.boundingRect().width()
        hatch = self.addRect(x, y + 2, text, solid=False)
        hatch.setBrush(QBrush(text, Qt.BrushStyle.BDiagPattern))
        label = self._text(x + CELL + 4, y, "network rack", text, "legend")
        x += CELL + 16 + label.boundingRect().width()
        self.addRect(x, y + 2, None, solid=False)
        self._text(x + CELL + 4, y, "free position", text, "legend")
        return y + 28

    @staticmethod
    def _total(row: dict) -> str:
        limit = f" / {row['kw_limit']:,.0f}" if row["kw_limit"] else ""
        return f"{row['used']}/{row['positions']} · {row['kw']:,.0f}{limit} kW"

    def _row(self, row: dict, y: float, text: QColor, racks_x: float) -> None:
        self._text(0, y - 1, f"Row {row['row']}", text, "row")
        total = self._text(TOTAL_X, y - 1, self._total(row), text, "row-total")
        if row["kw_limit"] and row["kw"] > row["kw_limit"]:
            total.setBrush(QColor(220, 53, 53))
        x = racks_x
        for seg in row["racks"]:
            color = self.colors.get(seg["pool"], QColor("#888888"))
            kg = f", {seg['kg']:,.0f} kg" if seg["kg"] else ""
            tip = f"{seg['pool']}: {seg['kind']} rack, {seg['kw']:,.1f} kW{kg}"
            for _ in range(seg["count"]):
                item = self.addRect(x, y, color, solid=seg["kind"] == "compute")
                if seg["kind"] != "compute":
                    item.setBrush(QBrush(color, Qt.BrushStyle.BDiagPattern))
                item.setToolTip(tip)
                item.setData(KIND, "rack")
                item.setData(POOL, seg["pool"])
                x += CELL + GAP
        for _ in range(row["positions"] - row["used"]):
            item = self.addRect(x, y, None, solid=False)
            item.setData(KIND, "free")
            item.setToolTip(f"Row {row['row']}: free position")
            x += CELL + GAP

    def addRect(self, x: float, y: float, color: QColor | None, solid: bool
                ) -> QGraphicsRectItem:
        item = QGraphicsRectItem(QRectF(x, y, CELL, CELL))
        edge = self.palette().color(QPalette.ColorRole.Mid)
        item.setPen(QPen(color.darker(130) if color is not None else edge, 1))
        item.setBrush(QBrush(color) if solid and color is not None else QBrush())
        self.scene().addItem(item)
        return item

    def _text(self, x: float, y: float, value: str, color: QColor, kind: str):
        item = self.scene().addSimpleText(value)
        item.setBrush(color)
        item.setPos(x, y)
        item.setData(KIND, kind)
        return item

    def _fit(self) -> None:
        self.setSceneRect(self.scene().itemsBoundingRect().adjusted(-8, -8, 8, 8))
