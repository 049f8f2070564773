"""Your own accelerator, system or model: copy a catalog entry, change its figures, save it to
your catalog file.

Every figure the catalog keeps with a source keeps one here too: a value with its unit, where
it comes from and its grade (P primary … assumption). Other plain fields (names, counts,
model dimensions) are edited as they are; fields the form does not show (MIG rules, MoE and
MLA blocks) stay as in the copied entry. Nothing is written until the entry and the whole
catalog with it validate: a bad value is named in the dialog, and the file is written all at
once, so it never holds half an entry.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.window import user_catalogs
from app.window.widgets.fields import TrimmedSpinBox
from planner_core import Catalog, PlannerError, load_catalog
from planner_core.catalog.entries import Accelerator, Model, System
from planner_core.catalog.overrides import is_spec
from planner_core.errors import from_validation_error
from planner_core.files import atomic_write_text

#: kind → (catalog section, entry model, label)
KINDS = {"accelerator": ("accelerators", Accelerator, "Accelerator"),
         "system": ("systems", System, "System"),
         "model": ("models", Model, "Model")}
GRADES = ["P", "S", "S?", "claim", "derived", "assumption"]
#: A field's unit, read from how its name ends.
UNITS = (("_gbs", "GB/s"), ("_gbps", "Gb/s"), ("_gib", "GiB"), ("_gb", "GB"), ("_w", "W"),
         ("_usd", "USD"), ("_kg", "kg"), ("params_b", "billion"))


def unit_of(field: str) -> str:
    return next((unit for end, unit in UNITS if field.endswith(end)), "")


def default_file() -> Path:
    """Where a first entry goes unless the user picks another file."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "my-catalog.json"


class _SpecRow(QWidget):
    """A sourced figure: value (with its unit), source, grade."""

    def __init__(self, spec: dict, unit: str):
        super().__init__()
        self.note = spec.get("note")
        self.value = TrimmedSpinBox()
        self.value.setRange(0.0, 1e13)
        self.value.setDecimals(3)
        self.value.setGroupSeparatorShown(True)
        self.value.setValue(float(spec["value"]))
        if unit:
            self.value.setSuffix(f" {unit}")
        self.source = QLineEdit(str(spec["source"]))
        self.source.setCursorPosition(0)  # a long source reads from its start
        self.source.setToolTip("Where the figure comes from: a datasheet, a measurement, "
                               "or why you assume it")
        self.grade = QComboBox()
        self.grade.addItems(GRADES)
        self.grade.setCurrentText(str(spec["grade"]))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.value)
        row.addWidget(self.source, 1)
        row.addWidget(self.grade)

    def data(self) -> dict:
        out = {"value": self.value.value(), "source": self.source.text().strip(),
               "grade": self.grade.currentText()}
        return out | ({"note": self.note} if self.note else {})


class CatalogEditor(QDialog):
    """Copy an entry, change it, save it to a catalog file; ``saved`` holds the catalog
    with it (the window takes it) once saved."""

    def __init__(self, catalog: Catalog, files: list[Path], parent=None,
                 kind: str = "system", like: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Your own hardware or model")
        self.catalog, self.files = catalog, list(files)
        self.saved: Catalog | None = None
        self.saved_file: Path | None = None
        self.kind = QComboBox()
        for key, (_s, _m, label) in KINDS.items():
            self.kind.addItem(label, key)
        self.like = QComboBox()
        self.ident = QLineEdit()
        self.ident.setPlaceholderText("a new id, e.g. my-h200-server")
        self.file = QLineEdit(str(files[-1] if files else default_file()))
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_file)
        self.fields: dict[str, object] = {}
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_box)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet("color: #c0262d")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        top = QFormLayout()
        top.addRow("Kind", self.kind)
        top.addRow("Copy of", self.like)
        top.addRow("New id", self.ident)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(choose)
        top.addRow("Save to", file_row)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(QLabel("Figures with a source keep one: say where yours come from and "
                             "how firm they are. Fields not shown stay as in the copy."))
        lay.addWidget(scroll, 1)
        lay.addWidget(self.problem)
        lay.addWidget(buttons)
        self.resize(760, 640)
        self.kind.currentIndexChanged.connect(self._fill_likes)
        self.like.currentIndexChanged.connect(self._fill_form)
        self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self._fill_likes()
        if like is not None:
            self.like.setCurrentIndex(max(self.like.findData(like), 0))

    # -- the form --------------------------------------------------------------------------
    def _section(self) -> str:
        return KINDS[self.kind.currentData()][0]

    def _fill_likes(self) -> None:
        entries = getattr(self.catalog, self._section())
        was = self.like.blockSignals(True)
        self.like.clear()
        for ident, entry in sorted(entries.items(), key=lambda kv: kv[1].name):
            self.like.addItem(f"{entry.name} ({ident})", ident)
        self.like.blockSignals(was)
        self._fill_form()

    def _source_entry(self) -> dict:
        entry = getattr(self.catalog, self._section())[self.like.currentData()]
        return entry.model_dump(mode="json", exclude_none=True)

    def _fill_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        if self.like.currentData() is None:
            return
        for key, value in self._source_entry().items():
            if key == "id":
                continue
            if is_spec(value):
                self._add(key, _SpecRow(value, unit_of(key)), key)
            elif isinstance(value, dict) and value and all(is_spec(v) for v in value.values()):
                for sub, spec in value.items():  # dense TFLOPS per precision
                    self._add((key, sub), _SpecRow(spec, "TFLOPS" if "tflops" in key else ""),
                              f"{key} {sub}")
            elif isinstance(value, bool):
                box = QCheckBox()
                box.setChecked(value)
                self._add(key, box, key)
            elif isinstance(value, int | float):
                spin = TrimmedSpinBox()
                spin.setRange(0.0, 1e13)
                spin.setDecimals(0 if isinstance(value, int) else 3)
                spin.setGroupSeparatorShown(True)
                spin.setValue(float(value))
                if unit_of(key):
                    spin.setSuffix(f" {unit_of(key)}")
                self._add(key, spin, key)
            elif isinstance(value, str):
                self._add(key, QLineEdit(value), key)

    def _add(self, key, widget, label: str) -> None:
        self.fields[key] = widget
        self.form.addRow(label.replace("_", " "), widget)

    def entry(self) -> dict:
        """The new entry as JSON: the copy with the form's values and the new id."""
        out = self._source_entry()
        for key, widget in self.fields.items():
            if isinstance(widget, _SpecRow):
                value = widget.data()
            elif isinstance(widget, QCheckBox):
                value = widget.isChecked()
            elif isinstance(widget, QDoubleSpinBox):
                value = int(widget.value()) if widget.decimals() == 0 else widget.value()
            else:
                value = widget.text().strip()
            if isinstance(key, tuple):
                out[key[0]] = {**out[key[0]], key[1]: value}
            else:
                out[key] = value
        out["id"] = self.ident.text().strip()
        if "aliases" in out:
            out["aliases"] = []  # a copy's aliases would shadow the entry it copied
        return out

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Catalog file", self.file.text(),
                                              "Catalog files (*.json)")
        if name:
            self.file.setText(name)

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> None:
        """Validates the entry, then the catalog with the file as it would be written; writes
        the file only if both hold, and keeps the catalog in :attr:`saved`."""
        self.problem.setText("")
        try:
            self.saved, self.saved_file = self._write(self.entry(), Path(self.file.text()))
        except PlannerError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()

    def _write(self, entry: dict, path: Path) -> tuple[Catalog, Path]:
        section, model, label = KINDS[self.kind.currentData()]
        ident = entry["id"]
        if not ident:
            raise PlannerError("give the new entry an id")
        if self.catalog.origin.get(ident) == "built-in":
            raise PlannerError(f"{ident!r} is built in: give your entry an id of its own "
                               "(to change a built-in figure, use a catalog file that names "
                               "only that field; see the README)")
        try:
            model.model_validate(entry)
        except ValidationError as exc:
            raise from_validation_error(exc, source=f"{label.lower()} {ident}") from exc
        data = _read(path)
        entries = data.setdefault(section, [])
        if isinstance(entries, dict):
            entries[ident] = {k: v for k, v in entry.items() if k != "id"}
        else:
            data[section] = [e for e in entries if e.get("id") != ident] + [entry]
        data.setdefault("format", "inference-planner-catalog")
        text = json.dumps(data, indent=2) + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        trial = path.with_name(f".{path.name}.check")
        try:
            atomic_write_text(trial, text)
            files = [f for f in self.files if Path(f).resolve() != path.resolve()]
            load_catalog([*files, trial])  # the whole catalog, with the file, must hold
        finally:
            trial.unlink(missing_ok=True)
        atomic_write_text(path, text)
        return load_catalog([*files, path]), path


def _read(path: Path) -> dict:
    """The catalog file's JSON to add to (empty if it does not exist yet)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlannerError(f"cannot read {path.name} to add to it: {exc}") from exc
    if not isinstance(data, dict):
        raise PlannerError(f"{path.name} is not a catalog file (not a JSON object)")
    return data


def edit_catalog(window, kind: str = "system", like: str | None = None) -> bool:
    """The dialog over ``window``'s catalog; once an entry is saved the window, its document
    and the next start use the catalog with it. True if one was saved."""
    files = user_catalogs.remembered()
    dialog = CatalogEditor(window.catalog, files, window, kind, like)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.saved is None:
        return False
    kept = [f for f in files if Path(f).resolve() != dialog.saved_file.resolve()]
    user_catalogs.remember([*kept, dialog.saved_file])
    window.use_catalog(dialog.saved)
    window.statusBar().showMessage(f"Saved {dialog.entry()['id']} to {dialog.saved_file}", 8000)
    return True
