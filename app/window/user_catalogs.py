"""Which catalog files the window loads besides the built-in one: the files named with
``gui --catalog FILE`` (one or more), remembered in QSettings for the next start, until
``gui --builtin-catalog`` forgets them. A remembered file that has since moved or broken
does not stop the window: it starts on the built-in catalog and says why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.window.recent_files import stored_paths
from planner_core import Catalog, PlannerError, load_catalog

KEY = "catalog/files"


def remembered() -> list[Path]:
    return stored_paths(KEY)


def remember(paths: list[Path]) -> None:
    QSettings().setValue(KEY, [str(Path(p).resolve()) for p in paths])


def window_catalog(named: list[Path] | None, builtin_only: bool = False
                   ) -> tuple[Catalog, str | None]:
    """(the catalog to open the window with, a problem to tell the user or None). Files
    named now must load (the caller reports the error and stops); remembered ones may fail."""
    if builtin_only:
        remember([])
        return load_catalog(), None
    if named:
        catalog = load_catalog(named)  # a PlannerError here names the file and the field
        remember(named)
        return catalog, None
    files = remembered()
    if not files:
        return load_catalog(), None
    try:
        return load_catalog(files), None
    except PlannerError as exc:
        return load_catalog(), (f"Your catalog files could not be loaded ({exc}); the window "
                                "uses the built-in catalog. Start it with --catalog FILE to "
                                "choose again, or --builtin-catalog to stop trying.")


def describe(catalog: Catalog) -> str:
    """The catalog files in use, for the status bar: "built-in" or "built-in + mine.json"."""
    files = sorted({o for o in catalog.origin.values() if o != "built-in"})
    return "built-in" + "".join(f" + {Path(f).name}" for f in files)
