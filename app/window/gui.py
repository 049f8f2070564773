"""Starts the Qt application: display check, QApplication, main window, optional screenshot."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from planner_core import PlannerError, __version__


def run_gui(plan: Path | None = None, screenshot: Path | None = None, panel: str | None = None,
            scenario: str | None = None, whatif: str | None = None,
            catalogs: list[Path] | None = None, builtin_catalog: bool = False) -> int:
    from app.display import display_problem, offscreen_fonts

    if screenshot is not None and "QT_QPA_PLATFORM" not in os.environ:
        problem = display_problem()
        if problem:  # a screenshot needs no screen: render offscreen instead of failing
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem()
    if problem:
        print(f"inference-planner: {problem}", file=sys.stderr)
        return 1
    offscreen_fonts()

    from PySide6.QtCore import QTimer

    from app.start_up import done as start_up_done

    try:
        qapp, window = open_window(catalogs, builtin_catalog)
    except PlannerError as exc:  # a catalog file named on the command line is broken
        print(f"inference-planner: {exc}", file=sys.stderr)
        return 3
    if (plan is not None and not window.open_plan(Path(plan), interactive=screenshot is None)
            and screenshot is not None):
        window.shutdown()
        return 3
    if scenario is not None:
        if scenario not in window.document.plan.scenario_names():
            print(f"inference-planner: no scenario named {scenario!r}; the plan has "
                  f"{', '.join(window.document.plan.scenario_names())}", file=sys.stderr)
            window.shutdown()
            return 2
        window.document.set_scenario(scenario)
    if panel is not None:
        window.show_panel(panel)
    window.show()
    if panel == "evidence" and screenshot is not None:
        # A picture of the panel with something in it: the built-in measurements.
        window.render_now()
        window.evidence.show_builtin()
    if panel == "roadmap" and screenshot is not None:
        window.render_now()
        window.roadmap.run_and_wait()
    if whatif is not None:
        window.show_panel("whatif")
        window.render_now()
        window.whatif.run_and_wait(whatif)
    if screenshot is not None:
        try:
            return save_screenshot(window, Path(screenshot))
        finally:
            window.shutdown()
    QTimer.singleShot(0, window.raise_)
    QTimer.singleShot(0, window.offer_recovery)  # after a crash: the work left unsaved
    QTimer.singleShot(0, start_up_done)  # after the first paint
    return qapp.exec()


def open_window(catalogs: list[Path] | None = None, builtin_catalog: bool = False):
    """The application and its main window on the built-in example, not yet shown:
    ``(QApplication, MainWindow)``, with the user's catalog files (named now or remembered:
    :mod:`app.window.user_catalogs`)."""
    from PySide6.QtCore import QLocale
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.figures import set_separators
    from app.window.main_window import MainWindow
    from app.window.user_catalogs import describe, window_catalog
    from planner_core.resources import resource_path

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    # Numbers in the window read with the user's own separators (1.234,5 in much of Europe).
    locale = QLocale()
    set_separators(locale.groupSeparator(), locale.decimalPoint())
    qapp.setApplicationName("Inference Planner")
    qapp.setOrganizationName("Inference Planner")
    qapp.setApplicationVersion(__version__)
    # Wayland desktops match the window to the installed inference-planner.desktop by this
    # name, which gives the taskbar its icon and title.
    qapp.setDesktopFileName("inference-planner")
    qapp.setWindowIcon(QIcon(str(resource_path("icons", "app.svg"))))
    # Settings are read once the application has its names: they say where settings live.
    catalog, problem = window_catalog(catalogs, builtin_catalog)
    window = MainWindow(catalog=catalog)
    window.statusBar().showMessage(problem or f"Catalog: {describe(catalog)}", 0 if problem
                                   else 8000)
    return qapp, window


def save_screenshot(window, path: Path) -> int:
    from PySide6.QtWidgets import QApplication

    # Let layouts, deferred evaluations and charts settle before grabbing the pixels.
    window.resize(1440, 900)
    for _ in range(5):
        QApplication.processEvents()
    window.render_now()
    QApplication.processEvents()
    image = window.grab()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"inference-planner: cannot write the screenshot {path}: {err.strerror}",
              file=sys.stderr)
        return 4
    if not image.save(str(path), "PNG"):
        print(f"inference-planner: cannot write the screenshot {path}", file=sys.stderr)
        return 4
    return 0
