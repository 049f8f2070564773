"""Writing files safely: a temporary file in the same folder, fsync, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from planner_core.errors import PlannerError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replaces ``path`` with ``data`` all at once; on failure the old file is untouched."""
    path = Path(path)
    if path.is_dir():
        raise PlannerError("is a folder, not a file", source=str(path))
    if path.is_symlink():  # replace the file the link points to, and keep the link
        path = path.resolve()
    refuse_read_only(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise PlannerError(f"cannot write here: {_reason(exc)}", source=str(path)) from exc
    # mkstemp makes the file private (0600); give it the permissions the old file had, or
    # those a newly created file gets, so a shared plan stays readable by the team.
    with contextlib.suppress(OSError, AttributeError):  # no fchmod on Windows
        os.fchmod(fd, _mode_for(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:  # also an interrupt: never leave the temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise PlannerError(f"cannot write: {_reason(exc)}; the file was not changed",
                               source=str(path)) from exc
        raise


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def refuse_read_only(path: Path) -> None:
    """PlannerError if ``path`` is a file marked read-only. Replacing a file needs only a
    writable folder, and an administrator may write anything, so the mode bits are checked too:
    a file the user protected is never replaced behind their back."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PlannerError(f"cannot write: {_reason(exc)}", source=str(path)) from exc
    if stat.S_ISREG(mode) and (not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
                               or not os.access(path, os.W_OK)):
        raise PlannerError("is read-only; nothing was written (save under another name)",
                           source=str(path))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
