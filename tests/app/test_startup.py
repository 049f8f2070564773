"""The first screen loads only what it shows: the panels behind other tabs are built when first
shown, with the open plan, and pandas is not imported until something needs a table."""

import os
import subprocess
import sys

CHILD = r"""
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.window.main_window import MainWindow
w = MainWindow()
w.ask_before_discarding = False
w.resize(1280, 800)
w.show()
app.processEvents()
w.grab()
assert w.dashboard.tiles["accelerators"].value.text() not in ("", "—")
built = [t.exists for t in (w._compare, w._whatif, w._evidence, w._roadmap)]
print("pandas" in sys.modules, built)
w.show_panel("roadmap")
app.processEvents()
print(w._roadmap.exists, w.roadmap.doc is w.document)
w.show_panel("compare")
app.processEvents()
print(w.compare.table.columnCount() > 1)
w.shutdown()
"""


def test_the_first_screen_builds_and_imports_only_what_it_shows():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0] == "False [False, False, False, False]"
    assert lines[1] == "True True"  # built on first show, with the open plan
    assert lines[2] == "True"  # the Compare view filled on first show
