"""Plan files on disk: reading with every check, writing atomically with a backup.

Reading either returns a complete, valid plan whose every scenario applies and whose every
catalog id exists, or raises one :class:`PlannerError` naming the file, the field and (where
known) the line. Nothing is half-loaded. Writing never leaves a partial file: the new text
goes to a temporary file that replaces the old one in one step, and the old one is kept as
``NAME.bak`` first.
"""

from __future__ import annotations

import stat
from pathlib import Path

from planner_core.catalog import Catalog
from planner_core.errors import PlannerError
from planner_core.files import (
    atomic_write_bytes,
    atomic_write_text,
    read_text_file,
    refuse_read_only,
)
from planner_core.json_lines import field_lines, line_of
from planner_core.plan import Plan, Scenario, parse_plan, plan_to_json
from planner_core.plan.embedded import with_embedded

#: Real plans are a few kilobytes; anything this big is not one, and reading it would only
#: tie up memory.
MAX_PLAN_BYTES = 16 * 1024 * 1024


def read_plan(path: Path | str, catalog: Catalog | None = None) -> Plan:
    """The plan in ``path`` with every scenario applied and checked, its catalog ids checked
    against ``catalog`` when given."""
    path = Path(path)
    text = read_plan_text(path)
    plan, migrated = parse_plan(text, source=str(path))
    check_against_catalog(plan, catalog, source=str(path), text=None if migrated else text)
    return plan


def read_plan_text(path: Path) -> str:
    """The file's text, refusing what cannot be a plan before parsing it."""
    return read_text_file(path, MAX_PLAN_BYTES, "a plan file")


def check_against_catalog(plan: Plan, catalog: Catalog | None, source: str | None = None,
                          text: str | None = None) -> None:
    """Every scenario applies and, with a catalog, names only systems and models it has.

    An error names the scenario and the override behind it; ``text`` (the plan's JSON, as
    read) lets it give the line too.
    """
    lines = _Lines(text)
    if catalog is not None:
        # The entries the plan brought with it count: a mailed plan opens without the
        # sender's catalog files.
        catalog = with_embedded(plan, catalog)
        _check_ids(plan, catalog, source, lines, None)
    for index, scenario in enumerate(plan.scenarios):
        try:
            variant = plan.variant(scenario.name)
        except PlannerError as exc:
            raise _scenario_error(scenario, index, exc, source, lines) from exc
        if catalog is not None:
            _check_ids(variant, catalog, source, lines, (index, scenario))


class _Lines:
    """Field paths to lines of the plan's text, worked out only when an error needs them."""

    def __init__(self, text: str | None):
        self.text = text
        self.lines: dict[tuple, int] | None = None

    def __call__(self, loc: tuple) -> int | None:
        if not self.text:
            return None
        if self.lines is None:
            self.lines = field_lines(self.text)
        return line_of(self.lines, loc)


def _check_ids(variant: Plan, catalog: Catalog, source: str | None, lines: _Lines,
               scenario: tuple[int, Scenario] | None) -> None:
    checks = [("pools", "system", catalog.system), ("workloads", "model", catalog.model)]
    for section, key, lookup in checks:
        for i, item in enumerate(getattr(variant, section)):
            try:
                lookup(getattr(item, key))
            except PlannerError as exc:
                field, loc = f"{section}.{item.name}.{key}", (section, i, key)
                raise _located(exc.detail, field, loc, source, lines, scenario) from None


def _located(message: str, field: str, loc: tuple, source: str | None, lines: _Lines,
             scenario: tuple[int, Scenario] | None) -> PlannerError:
    """An error at ``field`` of the base plan, or of a scenario (then at its override)."""
    if scenario is None:
        return PlannerError(message, field=field, source=source, line=lines(loc))
    index, s = scenario
    key = _override_for(s, field)
    if key is None:
        message = f"{field}: {message}" if field else message
        return PlannerError(message, field=f"scenarios.{s.name}", source=source,
                            line=lines(("scenarios", index)))
    return PlannerError(message, field=f"scenarios.{s.name}.overrides.{key}", source=source,
                        line=lines(("scenarios", index, "overrides", key)))


def _override_for(scenario: Scenario, field: str) -> str | None:
    """The scenario's override that sets ``field`` or a field enclosing or inside it."""
    found = [k for k in scenario.overrides
             if field == k or field.startswith((k + ".", k + "["))
             or k.startswith(field + ".")]
    return max(found, key=len) if found else None


def _scenario_error(scenario: Scenario, index: int, exc: PlannerError, source: str | None,
                    lines: _Lines) -> PlannerError:
    """A scenario that does not apply, named by the override behind it where one is."""
    problems = getattr(exc, "problems", None)
    if not problems:  # an override path that leads nowhere: exc.field is that path
        return _located(exc.detail, exc.field or "", (), source, lines, (index, scenario))
    key = _override_for(scenario, problems[0][0] or "")
    parts = [msg if name == key and len(problems) == 1 else f"{name or '(top level)'}: {msg}"
             for name, _line, msg in problems[:3]]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    message = "; ".join(parts) + more
    if key is None:
        return PlannerError(message, field=f"scenarios.{scenario.name}", source=source,
                            line=lines(("scenarios", index)))
    return PlannerError(message, field=f"scenarios.{scenario.name}.overrides.{key}",
                        source=source, line=lines(("scenarios", index, "overrides", key)))


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def check_writable(path: Path) -> None:
    """Refuses a folder, or a file marked read-only (even for an administrator), or a path
    whose folder does not exist."""
    where = str(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        if path.is_dir():
            raise PlannerError("is a folder; choose a file name", source=where)
        if path.exists():
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                raise PlannerError("is not a regular file; choose another name", source=where)
            refuse_read_only(path)
        if not parent.is_dir():
            what = "is a file, not a folder" if parent.exists() else "does not exist"
            raise PlannerError(f"cannot save here: {parent} {what}", source=where)
    except OSError as exc:
        raise PlannerError(f"cannot save here: {exc.strerror or exc}", source=where) from exc


def keep_backup(path: Path) -> Path | None:
    """Copies the file about to be replaced to ``NAME.bak``; None when there was none."""
    if not path.is_file():
        return None
    bak = backup_path(path)
    if bak.is_symlink():
        # The backup is this plan's own file: a link there (planted, or left by a tool)
        # would have the old plan written over whatever it points to. The link goes.
        try:
            bak.unlink()
        except OSError as exc:
            raise PlannerError(f"cannot replace {bak.name}, a link: {exc.strerror or exc}; "
                               "nothing was saved", source=str(path)) from exc
    try:
        old = path.read_bytes()
    except OSError as exc:
        raise PlannerError(f"cannot read the current file to back it up: "
                           f"{exc.strerror or exc}", source=str(path)) from exc
    try:
        atomic_write_bytes(bak, old)
    except PlannerError as exc:
        reason = exc.detail.split(";")[0]
        raise PlannerError(f"cannot keep the previous version as {bak.name} ({reason}); "
                           "nothing was saved", source=str(path)) from exc
    return bak


def write_plan(path: Path | str, plan: Plan, backup: bool = True) -> None:
    """Writes ``plan`` to ``path`` atomically, the previous file kept as ``NAME.bak``."""
    path = Path(path)
    check_writable(path)
    text = plan_to_json(plan)
    if backup:
        keep_backup(path)
    atomic_write_text(path, text)
