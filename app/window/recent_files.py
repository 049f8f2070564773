"""The recently opened or saved plans, newest first, kept in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "files/recent"
LIMIT = 10


def recent_paths() -> list[Path]:
    value = QSettings().value(KEY, [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list
        value = [value]
    return [Path(v) for v in value or [] if isinstance(v, str) and v]


def _store(paths: list[Path]) -> None:
    QSettings().setValue(KEY, [str(p) for p in paths[:LIMIT]])


def remember(path: Path) -> None:
    path = Path(path).resolve()
    _store([path] + [p for p in recent_paths() if p != path])


def forget(path: Path) -> None:
    path = Path(path).resolve()
    _store([p for p in recent_paths() if p != path])


def clear() -> None:
    _store([])
