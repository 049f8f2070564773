"""Checks, before Qt starts, that a window can be shown, so Qt never aborts with a core dump.

Qt's xcb plugin calls qFatal (abort) when it cannot load its libraries or reach the X server.
We test both beforehand with the same dynamic loader and turn failure into one sentence that
names the fix.
"""

from __future__ import annotations

import ctypes
import ntpath
import os
import re
import sys
import time
from pathlib import Path

#: Shared libraries Qt's xcb plugin needs, and the Debian/Ubuntu package providing each.
XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
#: Pauses before each try to reach the X server (seconds): about 1.5 s in all.
CONNECT_RETRIES_S = (0.0, 0.05, 0.1, 0.2, 0.4, 0.75)
#: The one line a user can paste to get every library a real display needs.
APT_LINE = (
    "sudo apt-get install " + " ".join(sorted(set(XCB_PACKAGES.values())))
)


def _xcb_plugin() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    root = Path(PySide6.__file__).parent
    for candidate in (root / "Qt" / "plugins" / "platforms" / "libqxcb.so",
                      root / "plugins" / "platforms" / "libqxcb.so"):
        if candidate.exists():
            return candidate
    return None


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """None when Qt can open a window; otherwise one sentence saying what is missing and the fix."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: Qt reports its own errors for these
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return (
            "No display found (DISPLAY is not set): run this from a desktop session, or set "
            "QT_QPA_PLATFORM=offscreen to run without a screen (for example with --screenshot)."
        )
    plugin = _xcb_plugin()
    if plugin is not None:
        try:
            ctypes.CDLL(str(plugin))
        except OSError as exc:
            # A frozen app's ctypes (PyInstaller) re-raises with a generic message naming the
            # plugin; the loader's own message, naming the missing library, is the cause.
            detail = str(exc.__cause__ or exc)
            missing = re.findall(r"(lib[\w.+-]+\.so[\d.]*)", detail)
            packages = sorted({XCB_PACKAGES.get(m, m) for m in missing})
            need = ", ".join(missing) if missing else detail
            return (
                f"Qt cannot load its X11 display support (missing {need}): install the "
                f"system packages with `{APT_LINE}` "
                f"(at least: {' '.join(packages)}), or set QT_QPA_PLATFORM=offscreen."
            )
    try:
        libxcb = ctypes.CDLL("libxcb.so.1")
        libxcb.xcb_connect.restype = ctypes.c_void_p
        libxcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        libxcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
        libxcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    except OSError:
        return (
            f"Qt cannot load libxcb.so.1: install the system packages with `{APT_LINE}`, "
            "or set QT_QPA_PLATFORM=offscreen."
        )
    # An X server that is resetting (Xvfb after its last client left, a display manager
    # restarting) refuses connections for a moment; one refusal was reported as an
    # unreachable display (issue 19 saw about 1 launch in 5 fail so on a bare Xvfb). Only a
    # display that stays unreachable is reported.
    for wait in CONNECT_RETRIES_S:
        time.sleep(wait)
        conn = libxcb.xcb_connect(env["DISPLAY"].encode(), None)
        failed = libxcb.xcb_connection_has_error(conn)
        libxcb.xcb_disconnect(conn)
        if not failed:
            break
    if failed:
        return (
            f"Cannot connect to the X display {env['DISPLAY']!r}: check that the display is "
            "running and that you may use it (xhost/XAUTHORITY), or set "
            "QT_QPA_PLATFORM=offscreen."
        )
    return None


def offscreen_fonts(environ: dict[str, str] | None = None) -> None:
    """Points Qt's offscreen platform at the system's fonts on Windows.

    There it looks only in QT_QPA_FONTDIR or Qt's own lib/fonts, which PySide6 does not ship,
    and draws every letter as an empty box: a PDF report or screenshot with no text.
    """
    env = os.environ if environ is None else environ
    if (sys.platform == "win32" and env.get("QT_QPA_PLATFORM", "").startswith("offscreen")
            and not env.get("QT_QPA_FONTDIR")):
        env["QT_QPA_FONTDIR"] = ntpath.join(env.get("WINDIR", "C:\\Windows"), "Fonts")
