"""Saving from the app through QSaveFile, which commits the new file only when it is complete.

The core's :func:`planner_core.plan.storage.write_plan` does the same with a temporary file,
fsync and os.replace for the command line; the app uses Qt's own, which also copes with
platform quirks (Windows file locks, permissions kept on the replaced file).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSaveFile

from planner_core import PlannerError
from planner_core.plan import Plan, plan_to_json
from planner_core.plan.storage import check_writable, keep_backup


def save_bytes(path: Path, data: bytes) -> None:
    """Replaces ``path`` with ``data`` all at once, or raises PlannerError and changes nothing."""
    out = QSaveFile(str(path))
    if not out.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise PlannerError(f"cannot write: {out.errorString()}", source=str(path))
    if out.write(data) != len(data):
        reason = out.errorString()
        out.cancelWriting()
        out.commit()  # discards the temporary file; the old file stays as it was
        raise PlannerError(f"cannot write: {reason}", source=str(path))
    if not out.commit():
        raise PlannerError(f"cannot write: {out.errorString()}", source=str(path))


def save_plan(path: Path, plan: Plan) -> None:
    """Writes ``plan`` to ``path``, the previous file kept as ``NAME.bak``."""
    check_writable(path)
    data = plan_to_json(plan).encode("utf-8")
    keep_backup(path)
    save_bytes(path, data)
