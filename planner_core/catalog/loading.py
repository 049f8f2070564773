"""The catalog as loaded: every entry by id, the built-in files first, then the user's.

A user catalog file (same layout as the built-in ones) adds entries or overrides built-in ones
by id, whole or field by field (:mod:`planner_core.catalog.overrides`); references between
entries are checked after every file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from planner_core.catalog.entries import Accelerator, CatalogFile, Model, System
from planner_core.catalog.overrides import SECTIONS, expand
from planner_core.errors import PlannerError, from_validation_error
from planner_core.files import read_text_file
from planner_core.json_guard import loads as read_json
from planner_core.resources import resource_path

#: A catalog file's largest size: the built-in ones together are well under 1 MB.
MAX_CATALOG_BYTES = 16 * 2**20


class Catalog:
    """All entries by id, built-in first, then user files overriding or adding."""

    def __init__(self) -> None:
        self.accelerators: dict[str, Accelerator] = {}
        self.systems: dict[str, System] = {}
        self.models: dict[str, Model] = {}
        self._aliases: dict[str, str] = {}
        self.origin: dict[str, str] = {}

    # -- loading ---------------------------------------------------------------------------
    def add_file(self, path: Path, origin: str | None = None) -> None:
        """Adds the entries of one catalog file; ``origin`` (default: the file's path) is
        what :attr:`origin` records for them."""
        # Regular files of sane size only (not a FIFO, /dev/zero or a folder), UTF-8 with or
        # without a byte-order mark; then the JSON guard every file read goes through.
        text = read_text_file(Path(path), MAX_CATALOG_BYTES, "a catalog file")
        raw = read_json(text, str(path), "a catalog file")
        if isinstance(raw, dict):
            # Entries keyed by id change only the fields they give (planner_core.catalog.
            # overrides); lists hold whole entries.
            raw = expand(raw, self._as_json(), f"your catalog file {Path(path).name}")
        try:
            data = CatalogFile.model_validate(raw)
        except ValidationError as exc:
            # Entries are named by their ids, not their places in the file's lists.
            raise from_validation_error(exc, source=str(path), data=raw) from exc
        self.add(data, origin=origin or str(path))

    def add(self, data: CatalogFile, origin: str = "built-in") -> None:
        for a in data.accelerators:
            self.accelerators[a.id] = a
            self.origin[a.id] = origin
        for s in data.systems:
            self.systems[s.id] = s
            self.origin[s.id] = origin
        for m in data.models:
            self.models[m.id] = m
            self.origin[m.id] = origin
            for alias in m.aliases:
                self._aliases[alias] = m.id
        self._check_references()

    def _as_json(self) -> dict[str, dict[str, dict]]:
        """Every entry as JSON, by section and id: what an override by id is laid over."""
        return {section: {ident: entry.model_dump(mode="json", exclude_none=True)
                          for ident, entry in getattr(self, section).items()}
                for section in SECTIONS}

    def _check_references(self) -> None:
        for s in self.systems.values():
            if s.accelerator not in self.accelerators:
                raise PlannerError(
                    f"system {s.id!r} names unknown accelerator {s.accelerator!r}",
                    field=f"systems.{s.id}.accelerator",
                )

    # -- lookup ----------------------------------------------------------------------------
    def accelerator(self, ident: str) -> Accelerator:
        try:
            return self.accelerators[ident]
        except KeyError:
            raise PlannerError(_unknown("accelerator", ident, self.accelerators)) from None

    def system(self, ident: str) -> System:
        try:
            return self.systems[ident]
        except KeyError:
            raise PlannerError(_unknown("system", ident, self.systems)) from None

    def model(self, ident: str) -> Model:
        ident = self._aliases.get(ident, ident)
        try:
            return self.models[ident]
        except KeyError:
            raise PlannerError(_unknown("model", ident, self.models)) from None

    def system_accelerator(self, system_id: str) -> Accelerator:
        return self.accelerator(self.system(system_id).accelerator)

    def systems_for(self, accelerator_id: str) -> list[System]:
        return [s for s in self.systems.values() if s.accelerator == accelerator_id]


def _unknown(kind: str, ident: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = [n for n in names if ident.split("-")[0] in n][:5]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown {kind} id {ident!r}{hint}"


def builtin_catalog_files() -> list[Path]:
    return sorted(resource_path("catalog").glob("*.json"))


_BUILTIN: Catalog | None = None


def load_catalog(user_files: Iterable[Path] = ()) -> Catalog:
    """The built-in catalog, plus user files in order (later entries override earlier ones)."""
    global _BUILTIN
    user_files = list(user_files)
    if _BUILTIN is None or user_files:
        cat = Catalog()
        for f in builtin_catalog_files():
            cat.add_file(f, origin="built-in")
        if not user_files:
            _BUILTIN = cat
        else:
            for f in user_files:
                cat.add_file(Path(f))
            return cat
    return _BUILTIN
