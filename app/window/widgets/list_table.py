"""A plan list (halls, power phases, roadmap options) edited as a table: each cell edit, added
row or removed row becomes the whole list, handed to ``commit`` as one undo step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

#: A column: (field, header, decimals; None = text). A number column may be left empty
#: (None) unless the field is in ``required``.
Column = tuple[str, str, int | None]


class ListTable(QGroupBox):
    def __init__(self, title: str, hint: str, columns: list[Column], required: set[str],
                 new_row: Callable[[list[dict]], dict],
                 commit: Callable[[list[dict], str], None],
                 refused: Callable[[str], None], parent=None):
        super().__init__(title, parent)
        self.columns, self.required = columns, required
        self._new_row, self._commit, self._refused = new_row, commit, refused
        self.rows: list[dict] = []
        v = QVBoxLayout(self)
        if hint:
            label = QLabel(hint)
            label.setWordWrap(True)
            v.addWidget(label)
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([h for _, h, _ in columns])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)
        self.table.itemChanged.connect(self._cell)
        v.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add = QPushButton("Add")
        self.add.clicked.connect(self._add)
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self._remove)
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        v.addLayout(buttons)

    def show_rows(self, rows: list[dict]) -> None:
        self.rows = [dict(r) for r in rows]
        was = self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, (name, _h, decimals) in enumerate(self.columns):
                    value = row.get(name)
                    shown = ("" if value is None else str(value) if decimals is None
                             else f"{value:,.{decimals}f}")
                    self.table.setItem(r, c, QTableWidgetItem(shown))
        finally:
            self.table.blockSignals(was)
        self.remove.setEnabled(bool(rows))

    def _cell(self, item: QTableWidgetItem) -> None:
        name, header, decimals = self.columns[item.column()]
        raw = item.text().strip().replace(",", "")
        if decimals is None:
            value = raw
        elif raw == "" and name not in self.required:
            value = None
        else:
            try:
                value = int(float(raw)) if decimals == 0 else float(raw)
            except ValueError:
                self._refused(f"{self.title().lower()} {header.lower()}: {raw!r} is not a "
                              "number")
                self.show_rows(self.rows)
                return
        rows = [dict(r) for r in self.rows]
        rows[item.row()][name] = value
        self._commit(rows, f"Set {self.title().lower()} {header.lower()}")

    def _add(self) -> None:
        self._commit([*self.rows, self._new_row(self.rows)], f"Add to {self.title().lower()}")

    def _remove(self) -> None:
        if not self.rows:
            return
        row = self.table.currentRow()
        rows = [dict(r) for r in self.rows]
        del rows[row if 0 <= row < len(rows) else -1]
        self._commit(rows, f"Remove from {self.title().lower()}")
