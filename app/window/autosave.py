"""Recovery copies of unsaved work, and finding the ones a crashed session left behind.

A copy is written a moment after each edit while the plan has unsaved changes, and removed
when the plan is saved, closed or replaced. Each running window holds a QLockFile beside its
copy; Qt notices a lock whose process is gone, so a copy whose lock we can take belongs to a
session that ended without cleaning up, i.e. crashed. Copies of running sessions are never
offered.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer

from planner_core import PlannerError
from planner_core.plan.recovery import Recovered, read_recovery, write_recovery

DELAY_MS = 2000  # after the last edit: a drag writes one copy, not hundreds


def recovery_folder() -> Path:
    override = os.environ.get("INFERENCE_PLANNER_RECOVERY_DIR")
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base) / "recovery"


class Autosave(QObject):
    """Keeps the recovery copy of one window's document up to date."""

    def __init__(self, parent=None, folder: Path | None = None):
        super().__init__(parent)
        self.folder = folder or recovery_folder()
        session = uuid.uuid4().hex[:12]
        self.copy = self.folder / f"{session}.json"
        self._lock: QLockFile | None = None
        self._document = None
        self.error = ""  # the last write failure, shown in the status bar by the window
        self._timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._timer.timeout.connect(self.write_now)

    def watch(self, document) -> None:
        """Follows a new document; the previous one's copy is no longer needed."""
        self.discard()
        if self._document is not None:
            with contextlib.suppress(RuntimeError):  # already gone with its document
                self._document.undo_stack.indexChanged.disconnect(self._restart)
        self._document = document
        document.undo_stack.indexChanged.connect(self._restart)

    def _restart(self, _index: int = 0) -> None:
        self._timer.start()

    def write_now(self) -> None:
        doc = self._document
        if doc is None:
            return
        if not doc.modified:
            self.discard()
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                self._lock = QLockFile(str(self.copy.with_suffix(".lock")))
                self._lock.setStaleLockTime(0)  # only a dead owner makes a lock stale
                self._lock.tryLock(0)
            write_recovery(self.copy, doc.plan, doc.path)
            self.error = ""
        except (OSError, PlannerError) as exc:
            # Autosave must never interrupt work; the window says it in the status bar.
            self.error = f"Recovery copy not written: {exc}"

    def discard(self) -> None:
        """Removes the copy (after a save, or when the user chose to drop the changes)."""
        self._timer.stop()
        with contextlib.suppress(OSError):
            self.copy.unlink()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def orphaned_copies(folder: Path | None = None) -> list[tuple[Recovered | None, Path, str]]:
    """Copies left by sessions that are no longer running, newest first.

    Each is (what it holds or None if damaged, its file, why it is damaged). A damaged copy
    is reported rather than silently deleted: it may be the only trace of someone's work.
    """
    folder = folder or recovery_folder()
    if not folder.is_dir():
        return []
    found = []
    for copy in folder.glob("*.json"):
        lock = QLockFile(str(copy.with_suffix(".lock")))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # another window is running and owns it
        lock.unlock()
        try:
            found.append((read_recovery(copy), copy, ""))
        except PlannerError as exc:
            found.append((None, copy, str(exc)))
    found.sort(key=lambda f: f[1].stat().st_mtime if f[1].exists() else 0, reverse=True)
    return found


def remove_copy(copy: Path) -> None:
    for path in (copy, copy.with_suffix(".lock")):
        with contextlib.suppress(OSError):
            path.unlink()
