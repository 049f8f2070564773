"""Searchable tree of the catalog: accelerators, systems and models, with key specs and grades."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QRect, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.figures import MISSING, quantity, significant
from planner_core.catalog import Catalog, Spec

ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
CATALOG_MIME = "application/x-inference-planner-catalog"  # payload "kind:id"


class _CatalogModel(QStandardItemModel):
    """Drags carry only "kind:id": the drop target looks the entry up in its own catalog."""

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt's name)
        return [CATALOG_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802 (Qt's name)
        data = QMimeData()
        for index in indexes:
            item = self.itemFromIndex(index.siblingAtColumn(0))
            if item is not None and item.data(ID_ROLE):
                payload = f"{item.data(KIND_ROLE)}:{item.data(ID_ROLE)}"
                data.setData(CATALOG_MIME, payload.encode())
                data.setText(item.data(ID_ROLE))
                break
        return data


def _fmt(spec: Spec | None, unit: str, scale: float = 1.0, scaled: bool = True) -> str:
    """A catalog figure at the unit that suits it (Groq's SRAM is 230 MB, not "0 GB"), with
    its grade; ``scaled=False`` keeps the unit (a chip's TDP reads in W)."""
    if spec is None:
        return MISSING
    value = spec.value * scale
    shown = quantity(value, unit) if scaled else f"{significant(value)} {unit}"
    return f"{shown} [{spec.grade}]"


def _tip(label: str, spec: Spec | None) -> str:
    if spec is None:
        return ""
    note = f" — {spec.note}" if spec.note else ""
    return f"<b>{label}</b>: {spec.value:,g} [{spec.grade}]<br><i>{spec.source}</i>{note}"


class _WrappedRows(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the column (Qt's own size hint ignores the
    wrap and cuts an entry to the lines its text breaks itself)."""

    def __init__(self, tree: QTreeView):
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index):  # noqa: N802 (Qt's name)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = self.tree.columnWidth(0) - self.tree.indentation() * (depth + 1) - 8
        text = str(index.data() or "")
        rect = option.fontMetrics.boundingRect(QRect(0, 0, max(width, 40), 10_000),
                                               Qt.TextFlag.TextWordWrap, text)
        return QSize(max(width, 40), rect.height() + 6)


class CatalogBrowser(QWidget):
    """Shows the catalog; emits ``activated(kind, id)`` when an entry is chosen."""

    activated = Signal(str, str)
    #: "New entry…": a copy of the current entry (kind, id; empty when none is current).
    newEntry = Signal(str, str)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalog = catalog
        self.search = QLineEdit(placeholderText="Search name, vendor, id…")
        self.search.setClearButtonEnabled(True)
        self.model = _CatalogModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Entry", "Key specs [grade]"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterKeyColumn(-1)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        # One column as wide as the dock, each entry its name over its key figures, wrapped:
        # in a dock a fifth of the window wide, side-by-side columns cut every name.
        self.tree.setHeaderHidden(True)
        self.tree.setColumnHidden(1, True)  # still searched by the filter
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        # Rows are as tall as their wrapped text at the width the dock has now.
        self.tree.viewport().installEventFilter(self)
        self.tree.setItemDelegateForColumn(0, _WrappedRows(self.tree))
        self.tree.setAlternatingRowColors(True)
        self.tree.doubleClicked.connect(self._on_double_click)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.search.textChanged.connect(self._filter)
        self.add_btn = QPushButton("Add to plan")
        self.add_btn.setToolTip("A system or accelerator becomes a new pool; a model a new "
                                "workload. Or drag the entry onto the Fleet or Workloads panel.")
        self.add_btn.clicked.connect(self._add_current)
        hint = QLabel("Grades: P primary · S secondary · S? weak · claim · assumption")
        hint.setWordWrap(True)
        self.new_btn = QPushButton("New entry…")
        self.new_btn.setToolTip("Your own accelerator, system or model: a copy of the entry "
                                "selected here, with your figures, saved to your catalog file")
        self.new_btn.clicked.connect(lambda: self.newEntry.emit(*(self.current() or ("", ""))))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_btn)
        buttons.addWidget(self.new_btn)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        self.populate()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and obj is self.tree.viewport():
            self.tree.doItemsLayout()
        return False

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    def populate(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        cat = self.catalog
        groups = [("Accelerators", "accelerator"), ("Systems", "system"), ("Models", "model")]
        for title, kind in groups:
            parent = QStandardItem(title)
            parent.setEditable(False)
            entries = {"accelerator": cat.accelerators, "system": cat.systems,
                       "model": cat.models}[kind]
            for ident, entry in sorted(entries.items(), key=lambda kv: kv[1].name):
                name = QStandardItem(entry.name)
                name.setData(ident, ID_ROLE)
                name.setData(kind, KIND_ROLE)
                name.setEditable(False)
                specs, tip = self._describe(kind, entry)
                spec_item = QStandardItem(specs)
                spec_item.setEditable(False)
                status = getattr(entry, "status", "shipping")
                suffix = "" if status == "shipping" else f" — {status}"
                origin = cat.origin.get(ident, "built-in")
                if origin != "built-in":  # the user's own entry, or a built-in they changed
                    suffix += f" — from {Path(origin).name}"
                name.setText(f"{entry.name} ({ident}){suffix}\n{specs}")
                name.setToolTip(tip)
                spec_item.setToolTip(tip)
                parent.appendRow([name, spec_item])
            parent.setText(f"{title} ({len(entries)})")
            self.model.appendRow([parent, QStandardItem(f"{len(entries)} entries")])
        self.tree.expandToDepth(0)

    def _describe(self, kind: str, e) -> tuple[str, str]:
        if kind == "accelerator":
            flops = e.dense_tflops.get("fp8") or e.dense_tflops.get("bf16")
            key = "FP8" if "fp8" in e.dense_tflops else "BF16"
            text = (f"{_fmt(e.memory_gb, 'GB')} · {_fmt(e.memory_bw_gbs, 'TB/s', 1e-3)} · "
                    f"{key} {_fmt(flops, 'TFLOPS')} · {_fmt(e.tdp_w, 'W', scaled=False)}")
            tip = "<br>".join(filter(None, [
                _tip("Memory (GB)", e.memory_gb),
                _tip("Memory the driver reports (GiB)", e.memory_reported_gib),
                _tip("Bandwidth (GB/s)", e.memory_bw_gbs),
                *(_tip(f"Dense {k} TFLOPS", v) for k, v in e.dense_tflops.items()),
                _tip("TDP (W)", e.tdp_w), _tip("Idle (W)", e.idle_w),
                _tip("Scale-up (GB/s per direction)", e.scaleup_bw_gbs),
                _tip("Price (USD)", e.price_usd),
                _tip("Rent (USD per accelerator-hour)", e.rent_usd_per_hour)]))
        elif kind == "system":
            acc = self.catalog.accelerators.get(e.accelerator)
            rent = acc.rent_usd_per_hour if acc is not None else None
            cost = (f"rented, {_fmt(rent, '$')}/acc·h" if e.rented and rent is not None
                    else "rented only" if e.rented else _fmt(e.price_usd, "$"))
            text = (f"{e.accelerators}× {e.accelerator} · {e.cooling}-cooled · "
                    f"{'whole rack' if e.form == 'rack' else f'{e.rack_units} U'} · {cost}")
            tip = "<br>".join(filter(None, [
                _tip("Host power (W)", e.host_power_w), _tip("Price (USD)", e.price_usd),
                _tip("Scale-up (GB/s per accelerator)", e.scaleup_bw_gbs),
                _tip("Scale-out (Gb/s)", e.scaleout_gbps), _tip("Max power (W)", e.max_power_w)]))
        else:
            moe = (f" · MoE {e.moe.active_experts}/{e.moe.experts} experts" if e.moe else "")
            text = (f"{e.params_b:g} B params ({e.active_params_b:g} B active) · {e.layers} layers"
                    f" · {e.kv_layout.upper()}{moe} [{e.grade}]")
            tip = f"<b>{e.name}</b><br><i>{e.source}</i> [{e.grade}]"
        return text, tip

    def _on_double_click(self, index) -> None:
        src = self.proxy.mapToSource(index.siblingAtColumn(0))
        item = self.model.itemFromIndex(src)
        if item is not None and item.data(ID_ROLE):
            self.activated.emit(item.data(KIND_ROLE), item.data(ID_ROLE))

    def _add_current(self) -> None:
        chosen = self.current()
        if chosen is not None:
            self.activated.emit(*chosen)

    def select(self, kind: str, ident: str) -> bool:
        """Makes an entry current (for tests and for links from other panels)."""
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(group)):
                index = self.proxy.index(child, 0, group)
                item = self.model.itemFromIndex(self.proxy.mapToSource(index))
                if item.data(KIND_ROLE) == kind and item.data(ID_ROLE) == ident:
                    self.tree.setCurrentIndex(index)
                    return True
        return False

    def current(self) -> tuple[str, str] | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        item = self.model.itemFromIndex(self.proxy.mapToSource(index.siblingAtColumn(0)))
        if item is None or not item.data(ID_ROLE):
            return None
        return item.data(KIND_ROLE), item.data(ID_ROLE)
