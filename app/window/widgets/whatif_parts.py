"""The What-if panel's parts: a run's two-line note, a narrow choice box, a table of
results and its cells. Each keeps the panel within a 1280-pixel screen beside the editors."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
)


class Note(QLabel):
    """A run's summary: two lines, wrapped, whatever the text (a taller one would push the
    window past a 1280×800 screen); all of it in the tooltip."""

    def __init__(self, text: str = ""):
        super().__init__()
        self.setWordWrap(True)
        self.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 2)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setToolTip(text)


def narrow_combo() -> QComboBox:
    """A choice as wide as about twenty characters, whatever its longest item: the panel
    must fit a 1280-pixel screen beside the editors (the full text is in its list)."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(20)
    return box


def result_table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return t


def cell(text: str, number: bool = True, data=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item
