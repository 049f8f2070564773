"""Undo commands: every change to a plan is one QUndoCommand holding the plan before and after.

Plans are immutable pydantic values here (an edit builds a new Plan), so a command only swaps
two references; undo history never pickles or deep-copies anything. A run of edits that share
a merge key (one slider drag, one drag on the load-profile chart) collapses into one step.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoCommand

from planner_core import Plan


class PlanHolder(Protocol):
    """What a command changes: the document, seen only through the one call it needs (so the
    document may import its commands without the commands importing it back)."""

    def set_plan(self, plan: Plan, scenario: str | None = None) -> None: ...

MERGEABLE = 1  # QUndoCommand.id() of commands that may merge with the next one


class PlanCommand(QUndoCommand):
    def __init__(self, doc: PlanHolder, before: Plan, after: Plan, text: str,
                 merge_key: str | None = None, scenario: str | None = None):
        super().__init__(text)
        self.doc = doc
        self.before = before
        self.after = after
        self.merge_key = merge_key
        # The scenario the edit was made in: undo shows that scenario again, so the user sees
        # what was undone.
        self.scenario = scenario

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return MERGEABLE if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, PlanCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.doc.set_plan(self.after, self.scenario)

    def undo(self) -> None:
        self.doc.set_plan(self.before, self.scenario)
