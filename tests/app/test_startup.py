"""The first screen loads only what it shows: the panels behind other tabs (the Workloads,
Facility and Scenarios editors, the Compare, What-if, Evidence and Roadmap views) are built
when first shown or asked for, with the open plan, and pandas is not imported until something
needs a table (not by the command-line parser the window starts through either). Start-up
runs without the garbage collector, which comes back once it is over."""

import os
import subprocess
import sys

CHILD = r"""
import sys
from app.cli.parser import build_parser  # `inference-planner gui` starts by parsing its line
build_parser().parse_args(["gui"])
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
built = [t.exists for t in w._later_panels()]
print("pandas" in sys.modules, built)
w.show_panel("roadmap")
app.processEvents()
print(w._roadmap.exists, w.roadmap.doc is w.document)
w.show_panel("compare")
app.processEvents()
print(w.compare.table.columnCount() > 1)
w.show_panel("site")
app.processEvents()
print(w._facility_tabs.exists, w.site.doc is w.document, w.facility.doc is w.document,
      w._workloads.exists)
w.select_item("workloads.chat")
app.processEvents()
print(w.workloads.doc is w.document, w.workloads.current)
w.shutdown()
"""


def test_the_first_screen_builds_and_imports_only_what_it_shows():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    assert lines[0] == "False [False, False, False, False, False, False, False]"
    assert lines[1] == "True True"  # built on first show, with the open plan
    assert lines[2] == "True"  # the Compare view filled on first show
    assert lines[3] == "True True True False"  # both editors of the Facility tab
    assert lines[4] == "True chat"  # built when asked for, and the workload selected



def test_the_collector_is_back_once_start_up_is_over(tmp_path):
    shot = tmp_path / "shot.png"
    code = ("import gc, sys\n"
            "from app.main import main\n"
            "for line in (['catalog'], ['gui', '--screenshot', sys.argv[1]],\n"
            "             ['gui', '--screenshot', '/dev/null/x.png']):\n"
            "    print(main(line), gc.isenabled(), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code, str(shot)], capture_output=True,
                         text=True, timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert [ln for ln in out.stderr.splitlines() if ln.endswith(("True", "False"))] \
        == ["0 True", "0 True", "4 True"], out.stderr
    # A folder that cannot be made is a clear line, not a traceback.
    assert "cannot write the screenshot /dev/null/x.png" in out.stderr
    assert "Traceback" not in out.stderr
    assert shot.stat().st_size > 10_000
