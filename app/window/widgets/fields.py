"""Binding editor widgets to plan fields: show a field's value, turn a change into an undo step.

An editor names each widget's field by a dotted path relative to the item it shows
(``traffic.peak_rps`` under ``workloads.chat``). Syncing blocks the widgets' signals, so only
the user's changes become edits. A spin box whose special-value text is set shows ``None`` at
its minimum (``auto``, ``none``): optional plan fields need no extra check boxes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QWidget,
)

from planner_core import PlannerError
from planner_core.plan import get_path

_drags = itertools.count(1)


@dataclass
class _Binding:
    widget: QWidget
    path: str
    label: str
    scale: float = 1.0


class TrimmedSpinBox(QDoubleSpinBox):
    """Decimals only as far as the value needs them: 40 req/s, not "40.000" (which reads as
    forty thousand where the point groups thousands); 0.125 keeps its three."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text


def spin(minimum: float, maximum: float, decimals: int = 0, step: float = 1.0,
         suffix: str = "", special: str = "", tip: str = "") -> QAbstractSpinBox:
    """A spin box that edits on Enter / focus out, not on every keystroke."""
    box: QAbstractSpinBox = QSpinBox() if decimals == 0 else TrimmedSpinBox()
    if decimals:
        box.setDecimals(decimals)
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    box.setAccelerated(True)
    if suffix:
        box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    if maximum >= 10_000:
        box.setGroupSeparatorShown(True)
    if tip:
        box.setToolTip(tip)
    box.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    # Wide enough for the largest value and its unit, no wider: a form of full-width number
    # boxes pushes the values far from their labels.
    digits = len(f"{maximum:,.{decimals}f}")
    widest = max(special, "8" * digits + suffix, key=box.fontMetrics().horizontalAdvance)
    box.setMinimumWidth(box.fontMetrics().horizontalAdvance(widest) + 44)
    box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return box


class FieldBinder(QObject):
    """Connects widgets to paths under ``prefix()`` and pushes edits through ``edit``."""

    def __init__(self, prefix: Callable[[], str | None],
                 edit: Callable[[str, Any, str, str | None], bool], parent=None):
        super().__init__(parent)
        self._prefix = prefix
        self._edit = edit
        self._bindings: list[_Binding] = []

    def bind(self, widget: QWidget, path: str, label: str, scale: float = 1.0) -> QWidget:
        b = _Binding(widget, path, label, scale)
        self._bindings.append(b)
        if isinstance(widget, QSlider):
            drag = {"key": None}
            widget.sliderPressed.connect(lambda: drag.update(key=f"drag-{next(_drags)}"))
            widget.sliderReleased.connect(lambda: drag.update(key=None))
            widget.valueChanged.connect(
                lambda _v: self._changed(b, drag["key"] if widget.isSliderDown() else None))
        elif isinstance(widget, QAbstractSpinBox):
            widget.valueChanged.connect(lambda _v: self._changed(b))
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i: self._changed(b))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda _c: self._changed(b))
        else:
            raise TypeError(f"cannot bind {type(widget).__name__}")
        return widget

    def _value(self, b: _Binding) -> Any:
        w = b.widget
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        value = w.value()
        if isinstance(w, QAbstractSpinBox) and w.specialValueText() and value == w.minimum():
            return None
        if isinstance(w, QSpinBox | QSlider) and b.scale == 1.0:
            return int(value)
        return round(value / b.scale, 10)

    def _changed(self, b: _Binding, merge_key: str | None = None) -> None:
        prefix = self._prefix()
        if prefix is None:
            return
        path = f"{prefix}.{b.path}" if prefix else b.path
        self._edit(path, self._value(b), f"Set {b.label}", merge_key)

    def sync(self, data: dict) -> None:
        """Shows the values of ``data`` (the plan as JSON) under the current prefix."""
        prefix = self._prefix()
        for b in self._bindings:
            w = b.widget
            if prefix is None:
                w.setEnabled(False)
                continue
            w.setEnabled(True)
            try:
                value = get_path(data, f"{prefix}.{b.path}" if prefix else b.path)
            except PlannerError:
                value = None
            was = w.blockSignals(True)
            try:
                if isinstance(w, QComboBox):
                    i = w.findData(value)
                    w.setCurrentIndex(max(i, 0))
                elif isinstance(w, QCheckBox):
                    w.setChecked(bool(value))
                elif value is None:
                    w.setValue(w.minimum())
                elif isinstance(w, QSpinBox | QSlider):
                    w.setValue(int(round(value * b.scale)))
                else:
                    w.setValue(value * b.scale)
            finally:
                w.blockSignals(was)
