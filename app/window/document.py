"""One open plan: the pydantic plan, its file, its undo stack, the scenario on show, its results.

Views subscribe to ``planChanged`` / ``scenarioChanged`` / ``resultsChanged``; they never
compute. Every edit goes through :meth:`Document.edit` (or :meth:`Document.apply` for
structural edits), which pushes a :class:`PlanCommand`. After each change the plan is
re-evaluated on a worker thread, debounced; only scenarios whose effective plan changed are
evaluated again, so an edit inside one what-if does not redo the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack

from app.window.commands import PlanCommand
from app.window.plan_io import save_plan
from planner_core import (
    Calibration,
    Catalog,
    PlannerError,
    Results,
    default_calibration,
    evaluate_scenario,
    merge_results,
    read_plan,
)
from planner_core.engine.reuse import Bounded, shared
from planner_core.plan import Plan, edits
from planner_core.plan.embedded import embed, with_embedded


class Evaluator(QObject):
    """Evaluates plans; lives on a worker thread, also callable directly (synchronously)."""

    finished = Signal(int, object, str, bool)  # generation, Results or None, error, complete

    def __init__(self, catalog: Catalog, calibration: Calibration):
        super().__init__()
        self.catalog = catalog
        self.calibration = calibration
        self.latest = 0  # newest generation asked for; older queued requests are skipped
        self._cache: dict[tuple[str, str], Results] = {}
        # The capacity questions of recent plans: most edits (a price, a peak rate, a count)
        # ask the same ones again.
        self._capacity = Bounded(512)
        self._lock = threading.Lock()

    def use_catalog(self, catalog: Catalog) -> None:
        """A changed catalog: results kept for the old one would be stale."""
        with self._lock:
            self.catalog = catalog
            self._cache.clear()

    def compute(self, plan: Plan, only: list[str] | None = None,
                generation: int | None = None) -> Results | None:
        """Results for ``only`` these scenarios (default all), reusing unchanged ones; None
        if a newer plan than ``generation`` was asked for meanwhile (its results would be
        dropped: the worker turns to the newer plan at once)."""
        with self._lock, shared(self._capacity):
            parts, keep = [], dict(self._cache) if only else {}
            for name in only or plan.scenario_names():
                if generation is not None and generation != self.latest:
                    return None
                variant = plan.variant(name)
                key = (name, variant.model_dump_json())
                part = self._cache.get(key)
                if part is None:
                    part = evaluate_scenario(variant, name, self.catalog, self.calibration)
                keep[key] = part
                parts.append(part)
            # A full pass keeps only the current plan's scenarios, so the cache stays small.
            self._cache = keep
            return merge_results(parts)

    @Slot(int, object, object)
    def run(self, generation: int, plan: Plan, only: list[str] | None) -> None:
        """Evaluates ``only`` these scenarios (None: all) unless a newer plan is queued."""
        if generation != self.latest:
            return
        try:
            results = self.compute(plan, only, generation)
            if results is None:
                return
        except PlannerError as exc:
            self.finished.emit(generation, None, str(exc), True)
            return
        except Exception as exc:  # a bug in the engine must not take the window down
            self.finished.emit(generation, None, f"internal error: {exc!r}", True)
            return
        self.finished.emit(generation, results, "", only is None)


class Document(QObject):
    planChanged = Signal()
    scenarioChanged = Signal(str)
    resultsChanged = Signal(object)  # Results
    evaluationFailed = Signal(str)
    editRefused = Signal(str)
    busyChanged = Signal(bool)
    _request = Signal(int, object, object)

    def __init__(self, catalog: Catalog, plan: Plan, path: Path | None = None, parent=None,
                 calibration: Calibration | None = None):
        super().__init__(parent)
        # A plan opened with entries of someone's catalog files carries them: the editors
        # list them and the evaluation uses them.
        self.catalog = with_embedded(plan, catalog)
        self.calibration = calibration or default_calibration()
        self.plan = plan
        self.path = path
        self.scenario = "base"
        self.results: Results | None = None
        self.results_complete = False  # False while only the scenarios on show are fresh
        self.busy = False  # an evaluation is queued or running
        self.last_error = ""  # why the newest evaluation failed ("" when it did not)
        self.undo_stack = QUndoStack(self)
        self._variant: tuple[Plan, str, Plan] | None = None
        self._generation = 0
        self._shown = 0
        self._evaluator = Evaluator(catalog, self.calibration)
        self._thread = QThread(self)
        self._thread.setObjectName("evaluator")
        self._evaluator.moveToThread(self._thread)
        self._request.connect(self._evaluator.run)
        self._evaluator.finished.connect(self._on_finished)
        self._thread.start()
        # Zero: the edits already queued (a drag) are handled before the evaluation starts.
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._dispatch)

    @classmethod
    def open(cls, catalog: Catalog, path: Path, parent=None) -> Document:
        """The plan in ``path``, fully checked; PlannerError (and no document) otherwise."""
        return cls(catalog, read_plan(path, catalog), Path(path), parent)

    def save(self, path: Path | None = None) -> None:
        """Writes the plan (QSaveFile: all or nothing), keeping the previous file as .bak."""
        target = Path(path or self.path)
        # The file carries the entries of your catalog files the plan uses, so it opens with
        # the same figures where those files are not; the plan on show stays as edited.
        save_plan(target, embed(self.plan, self.catalog))
        self.path = target
        self.undo_stack.setClean()

    def set_catalog(self, catalog: Catalog) -> None:
        """Your catalog changed (an entry added or edited): the editors list it anew and the
        plan is evaluated with it."""
        self.catalog = with_embedded(self.plan, catalog)
        self._evaluator.use_catalog(self.catalog)
        self.planChanged.emit()
        self.schedule()

    def shutdown(self) -> None:
        """Stops the worker thread (before the document goes away)."""
        self._timer.stop()
        self._thread.quit()
        self._thread.wait()

    # -- what the views show -----------------------------------------------------------------
    def view_plan(self) -> Plan:
        """The plan as the current scenario sees it (the base plan for ``base``)."""
        cached = self._variant
        if cached is None or cached[0] is not self.plan or cached[1] != self.scenario:
            try:
                variant = self.plan.variant(self.scenario)
            except PlannerError:
                variant = self.plan
            self._variant = cached = (self.plan, self.scenario, variant)
        return cached[2]

    def set_scenario(self, name: str) -> None:
        if name not in self.plan.scenario_names():
            name = "base"
        if name != self.scenario:
            self.scenario = name
            self.scenarioChanged.emit(name)

    # -- edits -------------------------------------------------------------------------------
    def edit(self, path: str, value, text: str, merge_key: str | None = None) -> bool:
        """Sets one field (in the base plan or as an override of the scenario on show)."""
        return self.apply(lambda p: edits.set_value(p, path, value, self.scenario), text,
                          merge_key)

    def apply(self, change: Callable[[Plan], Plan], text: str,
              merge_key: str | None = None) -> bool:
        """Pushes ``change(plan)`` as one undo step; a refused change leaves the plan as is."""
        try:
            after = change(self.plan)
        except PlannerError as exc:
            self.editRefused.emit(str(exc))
            self.planChanged.emit()  # editors snap back to the plan's real values
            return False
        if after == self.plan:
            return True
        self.undo_stack.push(PlanCommand(self, self.plan, after, text, merge_key,
                                         self.scenario))
        return True

    def set_plan(self, plan: Plan, scenario: str | None = None) -> None:
        """Replaces the plan (called by undo commands, never by views directly)."""
        self.plan = plan
        before = self.scenario
        if scenario is not None and scenario in plan.scenario_names():
            self.scenario = scenario
        elif self.scenario not in plan.scenario_names():
            self.scenario = "base"
        changed = self.scenario != before
        self.planChanged.emit()
        if changed:
            self.scenarioChanged.emit(self.scenario)
        self.schedule()

    # -- evaluation --------------------------------------------------------------------------
    def schedule(self) -> None:
        # A new generation at once: results still in flight for the old plan are dropped
        # rather than drawn over the edit.
        self._generation += 1
        self._evaluator.latest = self._generation
        self._timer.start()

    def _dispatch(self) -> None:
        self.busy = True
        self.busyChanged.emit(True)
        # The dashboard needs only the scenario on show and the baseline: those first, drawn,
        # then the rest for the comparison. Drawing and the rest do not compete for the GIL.
        self._request.emit(self._generation, self.plan, self._shown_first())

    @Slot(int, object, str, bool)
    def _on_finished(self, generation: int, results: Results | None, error: str,
                     complete: bool) -> None:
        if generation != self._generation or generation < self._shown:
            return  # an older plan's results: a newer evaluation is on its way
        self._shown = generation
        if complete:
            self.busy = False
            self.busyChanged.emit(False)
        self._publish(results, error, complete)
        if not complete and results is not None:
            self._request.emit(generation, self.plan, None)

    def evaluate_now(self, shown_first: bool = False) -> None:
        """Evaluates on the calling thread and publishes (screenshots, tests, first render).

        ``shown_first``: only the scenario on show and the baseline here, the rest on the
        worker thread afterwards (the first screen needs no more)."""
        self._timer.stop()
        self._generation += 1
        self._evaluator.latest = self._generation
        self._shown = self._generation
        only = self._shown_first() if shown_first else None
        try:
            results, error = self._evaluator.compute(self.plan, only), ""
        except PlannerError as exc:
            results, error = None, str(exc)
        except Exception as exc:  # a bug in the engine must not take the window down
            results, error = None, f"internal error: {exc!r}"
        complete = only is None or results is None
        self.busy = not complete
        self.busyChanged.emit(self.busy)
        self._publish(results, error, complete)
        if not complete:
            self._request.emit(self._generation, self.plan, None)

    def _shown_first(self) -> list[str] | None:
        """The scenarios a draw needs (the one on show and the baseline), or None when that
        is all of them."""
        names = self.plan.scenario_names()
        first = [n for n in dict.fromkeys([self.scenario, self.plan.baseline]) if n in names]
        return first if len(first) < len(names) else None

    def _publish(self, results: Results | None, error: str, complete: bool) -> None:
        self.last_error = error
        if results is None:
            self.evaluationFailed.emit(error)
            return
        self.results = results
        self.results_complete = complete
        self.resultsChanged.emit(results)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()
