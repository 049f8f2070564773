"""Runs what-if work (sweeps, optimize, sensitivity, uncertainty) off the GUI thread.

One job at a time: starting a new one cancels the one running. A job is a function of a
``progress(fraction, label)`` callback; the callback raises :class:`JobCancelled` once the
user has cancelled, so a job stops at its next report (a single vectorized call cannot be
interrupted; its result is then dropped).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from planner_core import PlannerError


class JobCancelled(Exception):
    pass


class _Worker(QObject):
    done = Signal(int, str, object, str)  # job id, kind, result, error ("" when none)
    progress = Signal(int, float, str)

    def __init__(self):
        super().__init__()
        self.cancelled: set[int] = set()

    @Slot(int, str, object)
    def run(self, job: int, kind: str, fn: Callable) -> None:
        def report(fraction: float, label: str = "") -> None:
            if job in self.cancelled:
                raise JobCancelled
            self.progress.emit(job, float(fraction), label)

        try:
            result = fn(report)
            if job in self.cancelled:
                raise JobCancelled
            self.done.emit(job, kind, result, "")
        except JobCancelled:
            self.done.emit(job, kind, None, "cancelled")
        except PlannerError as exc:
            self.done.emit(job, kind, None, str(exc))
        except Exception as exc:  # noqa: BLE001 (a thread boundary: report, never hang)
            # A what-if past the model's range, or a bug, must neither take the window down
            # nor leave the panel waiting for a job that died: say what happened.
            self.done.emit(job, kind, None, f"internal error ({type(exc).__name__}: {exc})")


class WhatIfRunner(QObject):
    started = Signal(str)  # kind
    progressed = Signal(float, str)
    finished = Signal(str, object)  # kind, result
    failed = Signal(str, str)  # kind, message ("cancelled" when the user cancelled)
    _request = Signal(int, str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._job = 0
        self.running = False
        self._worker = _Worker()
        self._thread = QThread(self)
        self._thread.setObjectName("what-if")
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.done.connect(self._on_done)
        self._worker.progress.connect(self._on_progress)
        self._thread.start()

    def start(self, kind: str, fn: Callable) -> None:
        self.cancel()
        self._job += 1
        self.running = True
        self.started.emit(kind)
        self._request.emit(self._job, kind, fn)

    def cancel(self) -> None:
        if self.running:
            self._worker.cancelled.add(self._job)

    def discard(self) -> None:
        """Cancels the job and drops whatever it still reports (another plan is open)."""
        self.cancel()
        self._job += 1  # a finished job's queued report no longer matches
        self.running = False

    def shutdown(self) -> None:
        self.cancel()
        self._thread.quit()
        self._thread.wait()

    def _on_progress(self, job: int, fraction: float, label: str) -> None:
        if job == self._job:
            self.progressed.emit(fraction, label)

    def _on_done(self, job: int, kind: str, result, error: str) -> None:
        if job != self._job:
            return  # a job replaced by a newer one
        self.running = False
        if error:
            self.failed.emit(kind, error)
        else:
            self.finished.emit(kind, result)
