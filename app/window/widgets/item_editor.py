"""A list of named plan items (workloads or pools) above a form that edits the selected one.

Adding, duplicating, renaming and removing items changes the plan's structure, which
scenarios cannot override: those controls work on the base plan only and say so in a
scenario. Field edits go to the base plan or, in a scenario, become its overrides.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.window.document import Document
from app.window.widgets.catalog_browser import CATALOG_MIME
from app.window.widgets.fields import FieldBinder
from planner_core.plan import edits


class ItemEditor(QWidget):
    section = ""  # "workloads" or "pools"
    noun = ""
    selectionChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc: Document | None = None
        self.current: str | None = None
        self.binder = FieldBinder(self._prefix, self._edit, self)
        self.list = QListWidget()
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 4 + 8)
        self.list.currentTextChanged.connect(self._on_select)
        self.add_btn = QPushButton(f"Add {self.noun}")
        self.dup_btn = QPushButton("Duplicate")
        self.remove_btn = QPushButton("Remove")
        self.add_btn.clicked.connect(lambda: self.add_item())
        self.dup_btn.clicked.connect(self._duplicate)
        self.remove_btn.clicked.connect(self._remove)
        self.structure_note = QLabel()
        self.structure_note.setWordWrap(True)
        self.structure_note.setStyleSheet("color: palette(mid);")
        buttons = QHBoxLayout()
        for b in (self.add_btn, self.dup_btn, self.remove_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(f"The {self.noun}'s name (scenarios refer to it by name)")
        self.name_edit.editingFinished.connect(self._rename)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Name", self.name_edit)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(self.form)
        self.build_form(body_layout)
        body_layout.addStretch(1)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.structure_note)
        layout.addWidget(scroll, 1)
        self.setAcceptDrops(True)

    # -- subclass hooks: subclasses also define build_form(layout), add_item() and
    # _duplicate(); both editors do, and the base calls them. -----------------------------
    def sync_extra(self, data: dict, item: dict) -> None:
        """Syncs widgets the binder does not handle."""

    def accept_catalog(self, kind: str, ident: str) -> bool:
        return False

    # -- document ----------------------------------------------------------------------------
    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self.current = None
        doc.planChanged.connect(self.refresh)
        doc.scenarioChanged.connect(self.refresh)
        self.refresh()

    def _prefix(self) -> str | None:
        return f"{self.section}.{self.current}" if self.current else None

    def _edit(self, path: str, value, text: str, merge_key: str | None) -> bool:
        return self.doc is not None and self.doc.edit(path, value, text, merge_key)

    def select(self, name: str) -> None:
        items = self.list.findItems(name, Qt.MatchFlag.MatchExactly)
        if items:
            self.list.setCurrentItem(items[0])

    def _on_select(self, name: str) -> None:
        if name and name != self.current:
            self.current = name
            self.refresh()
            self.selectionChanged.emit(name)

    def refresh(self, *_signal_args) -> None:
        if self.doc is None:
            return
        plan = self.doc.view_plan()
        data = plan.model_dump(mode="json")
        names = [x["name"] for x in data[self.section]]
        if self.current not in names:
            self.current = names[0] if names else None
        was = self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(names)
        if self.current:
            self.list.setCurrentRow(names.index(self.current))
        self.list.blockSignals(was)
        in_base = self.doc.scenario == "base"
        for b in (self.add_btn, self.dup_btn):
            b.setEnabled(in_base)
        self.remove_btn.setEnabled(in_base and len(names) > 1)
        self.name_edit.setReadOnly(not in_base)
        self.structure_note.setText("" if in_base else (
            f"Editing scenario “{self.doc.scenario}”: changes become its overrides. Adding, "
            f"removing or renaming {self.section} is done in the base plan."))
        self.structure_note.setVisible(not in_base)
        self.name_edit.setText(self.current or "")
        self.binder.sync(data)
        item = next((x for x in data[self.section] if x["name"] == self.current), None)
        if item is not None:
            self.sync_extra(data, item)

    # -- structure ---------------------------------------------------------------------------
    def _rename(self) -> None:
        new = self.name_edit.text().strip()
        if self.doc is None or not self.current or new == self.current:
            return
        old = self.current
        if self.doc.apply(lambda p: edits.rename(p, self.section, old, new),
                          f"Rename {self.noun} {old} to {new}"):
            self.current = new
            self.refresh()

    def _remove(self) -> None:
        if self.doc is None or not self.current:
            return
        name = self.current
        self.doc.apply(lambda p: edits.remove(p, self.section, name), f"Remove {self.noun} {name}")

    def _after_add(self, before: list[str]) -> None:
        """Selects the item an add or duplicate created."""
        names = [x.name for x in getattr(self.doc.plan, self.section)]
        new = [n for n in names if n not in before]
        if new:
            self.current = new[0]
            self.refresh()
            self.selectionChanged.emit(new[0])

    # -- drops from the catalog --------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasFormat(CATALOG_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        raw = bytes(event.mimeData().data(CATALOG_MIME)).decode()
        kind, _, ident = raw.partition(":")
        if self.accept_catalog(kind, ident):
            event.acceptProposedAction()
