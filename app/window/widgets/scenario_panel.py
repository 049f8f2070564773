"""Scenarios: duplicate the plan as a what-if, see what it changes, choose the baseline.

A scenario is the base plan plus overrides. Choosing a scenario here makes the whole window
show it, and edits made in the other editors become its overrides, listed below.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner_core import PlannerError
from planner_core.plan import edits, get_path
from planner_core.plan.describe import describe_overrides

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def _show(value) -> str:
    if value is None:
        return "automatic / none"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


class ScenarioPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc = None
        self.list = QListWidget()
        self.list.setMaximumHeight(130)
        self.list.currentItemChanged.connect(self._on_select)
        self.duplicate_btn = QPushButton("Duplicate as what-if")
        self.duplicate_btn.setToolTip("A new scenario starting as a copy of the one selected")
        self.remove_btn = QPushButton("Remove")
        self.baseline_btn = QPushButton("Set as baseline")
        self.baseline_btn.setToolTip("Comparisons show every scenario's change against this one")
        self.duplicate_btn.clicked.connect(self.duplicate)
        self.remove_btn.clicked.connect(self._remove)
        self.baseline_btn.clicked.connect(self._set_baseline)
        row = QHBoxLayout()
        for b in (self.duplicate_btn, self.remove_btn, self.baseline_btn):
            row.addWidget(b)
        row.addStretch(1)
        self.name_edit = QLineEdit()
        self.name_edit.editingFinished.connect(self._rename)
        self.description = QLineEdit()
        self.description.setPlaceholderText("What this what-if asks")
        self.description.editingFinished.connect(self._describe)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Question", self.description)
        self.overrides = QTableWidget(0, 3)
        self.overrides.setHorizontalHeaderLabels(["Field", "Base plan", "This scenario"])
        self.overrides.verticalHeader().setVisible(False)
        self.overrides.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.overrides.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.overrides.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.overrides.horizontalHeader().setStretchLastSection(True)
        self.revert_btn = QPushButton("Revert selected to the base plan")
        self.revert_btn.clicked.connect(self._revert)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>What this scenario changes</b>"))
        layout.addWidget(self.overrides, 1)
        layout.addWidget(self.revert_btn)
        layout.addWidget(self.hint)

    def set_document(self, doc) -> None:
        self.doc = doc
        doc.planChanged.connect(self.refresh)
        doc.scenarioChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_signal_args) -> None:
        doc = self.doc
        if doc is None:
            return
        plan = doc.plan
        was = self.list.blockSignals(True)
        self.list.clear()
        for name in plan.scenario_names():
            text = "Base plan" if name == "base" else name
            if name == plan.baseline:
                text += "   ★ baseline"
            item = QListWidgetItem(text)
            item.setData(NAME_ROLE, name)
            self.list.addItem(item)
            if name == doc.scenario:
                self.list.setCurrentItem(item)
        self.list.blockSignals(was)
        in_scenario = doc.scenario != "base"
        self.remove_btn.setEnabled(in_scenario)
        self.baseline_btn.setEnabled(plan.baseline != doc.scenario)
        self.name_edit.setEnabled(in_scenario)
        self.description.setEnabled(in_scenario)
        self.revert_btn.setEnabled(in_scenario)
        self.overrides.setRowCount(0)
        if not in_scenario:
            self.name_edit.setText("base")
            self.description.setText("")
            self.hint.setText("The base plan. Duplicate it as a what-if, then edit the copy in "
                              "any panel: its changes are listed here and compared side by "
                              "side under Compare.")
            return
        scenario = plan.scenario(doc.scenario)
        self.name_edit.setText(scenario.name)
        self.description.setText(scenario.description)
        # Unwritten, the question reads as what the overrides change (as the report says it).
        self.description.setPlaceholderText(
            describe_overrides(plan, scenario.name) or "What this what-if asks")
        base = plan.model_dump(mode="json")
        self.overrides.setRowCount(len(scenario.overrides))
        for r, (path, value) in enumerate(sorted(scenario.overrides.items())):
            try:
                before = _show(get_path(base, path))
            except PlannerError:
                before = "—"
            for c, text in enumerate((path, before, _show(value))):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.overrides.setItem(r, c, cell)
        self.hint.setText(f"{len(scenario.overrides)} change(s) from the base plan. Edits in "
                          "the other panels now go into this scenario.")

    def _on_select(self, item) -> None:
        if item is not None and self.doc is not None:
            self.doc.set_scenario(item.data(NAME_ROLE))

    def duplicate(self) -> None:
        doc = self.doc
        if doc is None:
            return
        like = doc.scenario
        before = doc.plan.scenario_names()
        if doc.apply(lambda p: edits.add_scenario(p, like), f"Duplicate {like} as a what-if"):
            new = [n for n in doc.plan.scenario_names() if n not in before]
            if new:
                doc.set_scenario(new[0])

    def _remove(self) -> None:
        doc = self.doc
        if doc is None or doc.scenario == "base":
            return
        name = doc.scenario
        doc.apply(lambda p: edits.remove(p, "scenarios", name), f"Remove scenario {name}")
        doc.set_scenario("base")

    def _set_baseline(self) -> None:
        doc = self.doc
        if doc is not None:
            name = doc.scenario
            doc.apply(lambda p: edits.set_baseline(p, name), f"Make {name} the baseline")

    def _rename(self) -> None:
        doc = self.doc
        new = self.name_edit.text().strip()
        if doc is None or doc.scenario == "base" or new == doc.scenario:
            return
        old = doc.scenario
        if doc.apply(lambda p: edits.rename(p, "scenarios", old, new),
                     f"Rename scenario {old} to {new}"):
            doc.set_scenario(new)

    def _describe(self) -> None:
        doc = self.doc
        if doc is None or doc.scenario == "base":
            return
        name, text = doc.scenario, self.description.text()
        if text != doc.plan.scenario(name).description:
            doc.apply(lambda p: edits.set_value(p, f"scenarios.{name}.description", text),
                      f"Describe scenario {name}")

    def _revert(self) -> None:
        doc = self.doc
        if doc is None or doc.scenario == "base":
            return
        rows = sorted({i.row() for i in self.overrides.selectedIndexes()})
        paths = [self.overrides.item(r, 0).text() for r in rows]
        if not paths:
            return
        name = doc.scenario

        def change(plan):
            for path in paths:
                plan = edits.revert_override(plan, name, path)
            return plan

        doc.apply(change, f"Revert {len(paths)} change(s) in {name}")
