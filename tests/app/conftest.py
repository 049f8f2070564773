"""A main window on the example plan, evaluated, that never asks questions on close."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_settings_and_recovery(tmp_path_factory):
    """Tests never read or write the user's settings, recent files or recovery copies."""
    import os

    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    os.environ["INFERENCE_PLANNER_RECOVERY_DIR"] = str(tmp_path_factory.mktemp("recovery"))


@pytest.fixture
def window(qtbot):
    from app.window.main_window import MainWindow

    w = MainWindow()
    w.ask_before_discarding = False
    qtbot.addWidget(w)
    w.render_now()
    yield w
    w.shutdown()



@pytest.fixture
def settle(qtbot, window):
    """Runs a GUI action and waits for the background evaluation it triggers."""

    def run(action):
        with qtbot.waitSignal(window.document.resultsChanged, timeout=10000):
            action()
        # The scenario on show comes first; wait for the rest (the comparison needs them).
        qtbot.waitUntil(lambda: window.document.results_complete, timeout=10000)

    return run


@pytest.fixture
def tile(window):
    """The number a KPI tile shows, e.g. '$3.62 /M tok' → 3.62."""
    import re

    def read(key: str) -> float:
        text = window.dashboard.tiles[key].value.text()
        return float(re.search(r"-?[\d,]*\.?\d+", text).group().replace(",", ""))

    return read
