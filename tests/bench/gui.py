"""GUI figures for `make bench`: start to first full render, edit to redraw, resident memory.

Run as ``python -m tests.bench.gui [--child]``: the parent starts a fresh interpreter so the
start-up figure includes imports and Qt's own start, as a user sees it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time


def child() -> None:
    """The steps of ``inference-planner gui`` (:func:`app.main.main`, then
    :func:`app.window.gui.run_gui`) up to the first paint, then the edits."""
    t0 = float(os.environ["BENCH_T0"])
    from app import start_up

    start_up.begin()
    from app.cli.parser import build_parser

    build_parser().parse_args(["gui"])
    from app.display import display_problem, offscreen_fonts

    assert display_problem() is None
    offscreen_fonts()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QGraphicsView

    from app.start_up import done as start_up_done
    from app.window.gui import open_window

    app, window = open_window()
    window.ask_before_discarding = False
    window.resize(1440, 900)
    charts = _chart_paints()
    app.installEventFilter(charts)
    window.show()
    app.processEvents()  # the first paint of the window, charts included
    if charts.count < len(window.dashboard.findChildren(QGraphicsView)):
        window.grab()  # a platform that paints only on request: paint it all once
    first = time.time() - t0
    app.removeEventFilter(charts)
    start_up_done()

    doc = window.document
    loop = QEventLoop()
    # The window's own slots were connected first, so when this one runs the dashboard has
    # taken the new results.
    doc.resultsChanged.connect(lambda _r: loop.quit())
    changed, full = [], []
    for i in range(1, 31):
        # A new value every time, so no results are reused: odd edits move the peak rate (a
        # replica's capacity stands), even ones the TTFT limit (its capacity is searched anew).
        if i % 2:
            edit = (window.workloads.peak, 40.0 + i * 0.01)
        else:
            edit = (window.workloads.ttft, 1500.0 + i)
        for painted, out in ((_changed_widgets, changed), (window.repaint, full)):
            t = time.perf_counter()
            edit[0].setValue(round(edit[1] * (1.05 if out is full else 1.0), 2))
            guard = QTimer(singleShot=True, interval=10_000)
            guard.timeout.connect(loop.quit)  # never hang the benchmark on a lost signal
            guard.start()
            loop.exec()
            painted()
            out.append(time.perf_counter() - t)
            guard.stop()
            app.processEvents()  # the rest of the evaluation (other scenarios) lands here
            time.sleep(0.05)
            app.processEvents()
    window.shutdown()
    print(first, _peak_rss_mb(), len(changed), *changed, *full)


def _chart_paints():
    """An event filter that counts the paints of chart views (a chart is a QGraphicsView;
    its viewport paints). Made on demand: the child imports Qt only on the timed path."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QGraphicsView

    class ChartPaints(QObject):
        count = 0

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and isinstance(obj.parent(), QGraphicsView):
                self.count += 1
            return False

    return ChartPaints()


def _changed_widgets() -> None:
    """Paints what the edit changed, as the screen would: the update requests pending. (A
    full window repaint also redraws the catalog tree, the scroll bars and every other
    widget the edit did not touch; it is reported beside, without a target.)"""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)


def _peak_rss_mb() -> float:
    # ru_maxrss of a child started from a large parent can carry the parent's peak over the
    # fork; VmHWM belongs to this process's own address space.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            lines = status.read().splitlines()
        for line in lines:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(starts: int = 3) -> None:
    from tests.bench.figures import line

    firsts, rss, edits, repaints = [], [], [], []
    for _ in range(starts):  # each a fresh interpreter: imports and Qt's start included
        env = dict(os.environ, BENCH_T0=repr(time.time()))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        out = subprocess.run([sys.executable, "-m", "tests.bench.gui", "--child"], env=env,
                             capture_output=True, text=True, check=True).stdout.split()
        numbers = [float(x) for x in out]
        firsts.append(numbers[0])
        rss.append(numbers[1])
        n = int(numbers[2])
        edits += numbers[3:3 + n]
        repaints += numbers[3 + n:]
    print(line("GUI start to first full render", firsts, "s", 1.0))
    print(line("GUI edit to redraw (what changed)", edits, "ms", 30, 1e3))
    print(line("GUI edit to full-window repaint", repaints, "ms", None, 1e3))
    print(line("GUI resident memory (peak)", rss, "MB"))


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
