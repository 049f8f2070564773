"""What the facility and site forms share: a scrolling column of groups bound to one part of
the plan (``facility``, ``site``), edits as undo steps, and field ranges read from the model."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.window.widgets.fields import FieldBinder


def model_bounds(model, name: str, decimals: int) -> tuple[float, float]:
    """The field's allowed range; an open lower bound starts one display step above it."""
    lo, hi = 0.0, 1e9
    for m in model.model_fields[name].metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo = m.gt + 10.0 ** -decimals
        if getattr(m, "le", None) is not None:
            hi = m.le
    return lo, hi


class PlanForm(QWidget):
    """A form over the plan's ``prefix`` part; subclasses build ``body`` and ``refresh``."""

    def __init__(self, prefix: str, parent=None):
        super().__init__(parent)
        self.doc = None
        self.binder = FieldBinder(lambda: prefix if self.doc else None, self._edit, self)
        self.fields: dict[str, QWidget] = {}
        self.note = QLabel()  # where edits go; the subclass places it
        self.note.setWordWrap(True)
        self.body = QWidget()
        self.column = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(scroll)

    def set_document(self, doc) -> None:
        self.doc = doc
        doc.planChanged.connect(self.refresh)
        doc.scenarioChanged.connect(self.refresh)
        self.refresh()

    def _edit(self, path: str, value, text: str, merge_key: str | None) -> bool:
        return self.doc is not None and self.doc.edit(path, value, text, merge_key)

    def where(self) -> str:
        """Where edits go, as the form's note says it."""
        return ("the base plan" if self.doc.scenario == "base"
                else f"scenario “{self.doc.scenario}” (as overrides)")

    def refresh(self, *_signal_args) -> None:
        """Shows the plan on show (the scenario's, overrides applied)."""
        if self.doc is None:
            return
        plan = self.doc.view_plan()
        self.binder.sync(plan.model_dump(mode="json"))
        self.shown(plan)
        self.note.setText(f"Edits apply to {self.where()}. Hover a field for its source.")

    def shown(self, plan) -> None:
        """What a form does beyond its bound fields once the plan is on show."""
