"""The recently opened or saved plans, newest first, kept in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "files/recent"
LIMIT = 10


def stored_paths(key: str) -> list[Path]:
    """A list of paths kept in QSettings under ``key`` (also the user's catalog files)."""
    value = QSettings().value(key, [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list
        value = [value]
    return [Path(v) for v in value or [] if isinstance(v, str) and v]


def recent_paths() -> list[Path]:
    return stored_paths(KEY)


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
