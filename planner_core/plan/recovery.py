"""Recovery copies: unsaved work written aside so a crash loses at most a few seconds of it.

The app writes a copy after edits and removes it after a save or a clean close, so a copy
found on the next start means the app did not close cleanly. A copy records which file the
plan came from (None for a plan never saved) and when it was written. Copies are ordinary
plan files inside a small envelope, so they are upgraded by the same migrations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner_core.errors import PlannerError
from planner_core.files import atomic_write_text
from planner_core.json_guard import loads as read_json
from planner_core.plan import Plan, plan_from_json, plan_to_json
from planner_core.plan.storage import check_against_catalog, read_plan_text

RECOVERY_FORMAT = "inference-planner-recovery"


@dataclass(frozen=True)
class Recovered:
    path: Path  # the recovery copy itself
    plan: Plan
    original: Path | None  # the plan file it came from, None if never saved
    saved_at: datetime


def write_recovery(path: Path, plan: Plan, original: Path | None) -> None:
    envelope = {
        "format": RECOVERY_FORMAT,
        "original": str(original) if original is not None else None,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plan": json.loads(plan_to_json(plan)),
    }
    atomic_write_text(path, json.dumps(envelope, indent=1) + "\n")


def read_recovery(path: Path) -> Recovered:
    """The copy in ``path``; PlannerError if it is damaged (the caller may then delete it)."""
    text = read_plan_text(Path(path))
    try:
        envelope = read_json(text, str(path), "a recovery copy", values=False)
    except PlannerError as exc:
        raise PlannerError(f"damaged recovery copy ({exc.detail})", source=str(path)) from exc
    if not isinstance(envelope, dict) or envelope.get("format") != RECOVERY_FORMAT:
        raise PlannerError("not a recovery copy", source=str(path))
    try:
        saved_at = datetime.fromisoformat(str(envelope.get("saved_at")))
    except ValueError as exc:
        raise PlannerError("damaged recovery copy (no time)", source=str(path)) from exc
    original = envelope.get("original")
    if not isinstance(envelope.get("plan"), dict):
        raise PlannerError("damaged recovery copy (no plan in it)", source=str(path))
    plan = plan_from_json(json.dumps(envelope["plan"]), source=str(path))
    check_against_catalog(plan, None, source=str(path))
    return Recovered(Path(path), plan, Path(original) if isinstance(original, str) else None,
                     saved_at)
