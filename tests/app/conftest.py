"""A main window on the example plan, evaluated, that never asks questions on close."""

import pytest


@pytest.fixture
def window(qtbot):
    from app.main_window import MainWindow

    w = MainWindow()
    w.ask_before_discarding = False
    qtbot.addWidget(w)
    w.render_now()
    yield w
    w.shutdown()

