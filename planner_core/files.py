"""Files on disk: reading text with every check before parsing it, and writing safely (a
temporary file in the same folder, fsync, then an atomic rename)."""

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
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None  # a new file
    if mode is not None and not stat.S_ISREG(mode):
        # A device, a pipe or a socket would be replaced by a regular file (as root) or
        # refused with a misleading reason: say what it is instead.
        raise PlannerError("is not a regular file (a device, pipe or socket); nothing was "
                           "written", source=str(path))
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


def read_text_file(path: Path, max_bytes: int, kind: str) -> str:
    """A UTF-8 text file's contents (a BOM dropped), refusing folders, devices, FIFOs, files
    over ``max_bytes``, binary and non-UTF-8 files with a PlannerError naming the file. ``kind``
    names what the file should be ("a plan file")."""
    where = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise PlannerError("no such file", source=where) from None
    except OSError as exc:
        raise PlannerError(f"cannot read: {exc.strerror or exc}", source=where) from exc
    if stat.S_ISDIR(st.st_mode):
        raise PlannerError(f"is a folder, not {kind}", source=where)
    if not stat.S_ISREG(st.st_mode):
        raise PlannerError("is not a regular file", source=where)
    if st.st_size > max_bytes:
        raise PlannerError(f"is {st.st_size / 2**20:,.0f} MB; {kind} is at most "
                           f"{max_bytes // 2**20} MB, so this is not one", source=where)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlannerError(f"cannot read: {exc.strerror or exc}", source=where) from exc
    if not data.strip():
        raise PlannerError("the file is empty", source=where)
    zero = data.find(b"\0")
    if zero >= 0:
        raise PlannerError(f"is a binary file, not {kind} (a zero byte at offset {zero})",
                           source=where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = PlannerError(f"is not UTF-8 text (byte {exc.start}, line {line})", source=where)
        error.line = line
        raise error from exc
