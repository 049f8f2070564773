"""Plan files on disk: reading with every check, writing atomically with a backup.

Reading either returns a complete, valid plan whose every scenario applies and whose every
catalog id exists, or raises one :class:`PlannerError` naming the file, the field and (where
known) the line. Nothing is half-loaded. Writing never leaves a partial file: the new text
goes to a temporary file that replaces the old one in one step, and the old one is kept as
``NAME.bak`` first.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .catalog import Catalog
from .errors import PlannerError
from .files import atomic_write_bytes, atomic_write_text
from .plan import Plan, plan_from_json, plan_to_json

#: Real plans are a few kilobytes; anything this big is not one, and reading it would only
#: tie up memory.
MAX_PLAN_BYTES = 16 * 1024 * 1024


def read_plan(path: Path | str, catalog: Catalog | None = None) -> Plan:
    """The plan in ``path``, checked against ``catalog`` when given."""
    path = Path(path)
    text = read_plan_text(path)
    plan = plan_from_json(text, source=str(path))
    if catalog is not None:
        check_against_catalog(plan, catalog, source=str(path))
    return plan


def read_plan_text(path: Path) -> str:
    """The file's text, refusing what cannot be a plan before parsing it."""
    where = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise PlannerError("no such file", source=where) from None
    except OSError as exc:
        raise PlannerError(f"cannot read: {exc.strerror or exc}", source=where) from exc
    if stat.S_ISDIR(st.st_mode):
        raise PlannerError("is a folder, not a plan file", source=where)
    if not stat.S_ISREG(st.st_mode):
        raise PlannerError("is not a regular file", source=where)
    if st.st_size > MAX_PLAN_BYTES:
        raise PlannerError(f"is {st.st_size / 2**20:,.0f} MB; a plan file is at most "
                           f"{MAX_PLAN_BYTES // 2**20} MB, so this is not one", source=where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlannerError(f"cannot read: {exc.strerror or exc}", source=where) from exc
    if not data.strip():
        raise PlannerError("the file is empty", source=where)
    zero = data.find(b"\0")
    if zero >= 0:
        raise PlannerError(f"is a binary file, not a plan (a zero byte at offset {zero})",
                           source=where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlannerError(f"is not UTF-8 text (byte {exc.start}, line {line})",
                           source=where) from exc


def check_against_catalog(plan: Plan, catalog: Catalog, source: str | None = None) -> None:
    """Every scenario applies and names only systems and models the catalog has."""
    for name in plan.scenario_names():
        where = "" if name == "base" else f"scenarios.{name}: "
        try:
            variant = plan.variant(name)
        except PlannerError as exc:
            raise PlannerError(f"{where}{exc.detail}", field=exc.field, source=source) from exc
        for pool in variant.pools:
            try:
                catalog.system(pool.system)
            except PlannerError as exc:
                raise PlannerError(exc.detail, field=f"{where}pools.{pool.name}.system",
                                   source=source) from None
        for w in variant.workloads:
            try:
                catalog.model(w.model)
            except PlannerError as exc:
                raise PlannerError(exc.detail, field=f"{where}workloads.{w.name}.model",
                                   source=source) from None


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def check_writable(path: Path) -> None:
    """Refuses a folder, or a file marked read-only (even for an administrator)."""
    where = str(path)
    if path.is_dir():
        raise PlannerError("is a folder; choose a file name", source=where)
    if path.exists():
        mode = path.stat().st_mode
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path,
                                                                                os.W_OK):
            raise PlannerError("is read-only; nothing was written (save under another name)",
                               source=where)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise PlannerError(f"the folder {parent} does not exist", source=where)


def keep_backup(path: Path) -> Path | None:
    """Copies the file about to be replaced to ``NAME.bak``; None when there was none."""
    if not path.is_file():
        return None
    bak = backup_path(path)
    try:
        old = path.read_bytes()
    except OSError as exc:
        raise PlannerError(f"cannot read the current file to back it up: "
                           f"{exc.strerror or exc}", source=str(path)) from exc
    atomic_write_bytes(bak, old)
    return bak


def write_plan(path: Path | str, plan: Plan, backup: bool = True) -> None:
    """Writes ``plan`` to ``path`` atomically, the previous file kept as ``NAME.bak``."""
    path = Path(path)
    check_writable(path)
    text = plan_to_json(plan)
    if backup:
        keep_backup(path)
    atomic_write_text(path, text)
