"""One open plan: the pydantic plan, its file, its undo stack, and its latest results.

Views subscribe to ``resultsChanged``; they never compute. Every edit is a QUndoCommand
pushed on ``undo_stack``; after each, the plan is re-evaluated (debounced).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from planner_core.catalog import Catalog
from planner_core.errors import PlannerError
from planner_core.evaluate import Results, evaluate
from planner_core.plan import Plan, plan_from_json


class Document(QObject):
    planChanged = Signal()
    resultsChanged = Signal(object)  # Results
    evaluationFailed = Signal(str)

    def __init__(self, catalog: Catalog, plan: Plan, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.catalog = catalog
        self.plan = plan
        self.path = path
        self.results: Results | None = None
        self.undo_stack = QUndoStack(self)
        self._timer = QTimer(self, singleShot=True, interval=30)
        self._timer.timeout.connect(self.evaluate_now)
        self.undo_stack.indexChanged.connect(lambda _i: self.schedule())

    @classmethod
    def open(cls, catalog: Catalog, path: Path, parent=None) -> Document:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PlannerError(f"cannot read: {exc}", source=str(path)) from exc
        return cls(catalog, plan_from_json(text, source=str(path)), Path(path), parent)

    def set_plan(self, plan: Plan) -> None:
        """Replaces the plan (called by undo commands, never by views directly)."""
        self.plan = plan
        self.planChanged.emit()

    def schedule(self) -> None:
        self._timer.start()

    def evaluate_now(self) -> None:
        self._timer.stop()
        try:
            self.results = evaluate(self.plan, self.catalog)
        except PlannerError as exc:
            self.evaluationFailed.emit(str(exc))
            return
        self.resultsChanged.emit(self.results)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()
