"""The planner's own case CSV (``calibration_cases.csv`` layout): checked and passed through."""

from __future__ import annotations

from pathlib import Path

from planner_core.errors import PlannerError
from planner_core.evidence.cases import read_cases
from planner_core.evidence.imports.rows import COLUMNS
from planner_core.evidence.imports.run import FormatError


def recognises(text: str, data) -> bool:
    # Its first column is case_id: what else it has is read_cases's to check.
    header = text.lstrip().split("\n", 1)[0].lower()
    return data is None and header.split(",", 1)[0].strip().strip('"') == "case_id"


def read(text: str, data, path: Path) -> list:
    """[the cases as a DataFrame in the case columns] (passed through, not re-read as runs)."""
    try:
        df = read_cases(path)
    except PlannerError as exc:
        raise FormatError(exc.detail if not exc.field else f"{exc.field}: {exc.detail}") \
            from None
    return [df[COLUMNS]]
