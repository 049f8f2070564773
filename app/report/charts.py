"""The dashboard's charts for the report: the app's own Dashboard, drawn offscreen.

Drawing the real Dashboard (rather than a second set of report charts) keeps the pictures in
the PDF identical to what the architect saw in the window. Each is recorded as painter
commands (app.report.pictures) and lands in the PDF as lines and text, not as an image.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QColor, QPainter, QPalette, QPicture
from PySide6.QtWidgets import QApplication, QGraphicsView

from app.charts.dashboard import Dashboard
from app.report.pictures import Chart
from planner_core import Results

#: Logical size of the drawn dashboard. The report shows it 17.4 cm wide, so this width keeps
#: the charts' text at about 7 points on paper; the height fills a page under its heading.
CHART_SIZE = QSize(740, 860)

# pyqtgraph's colors and antialiasing are process-wide; the window's dark charts must not
# turn light because a report was made.
_GLOBAL_OPTIONS = ("foreground", "background", "antialias")


def light_palette() -> QPalette:
    """Dark text on white, whatever the desktop's theme: paper is white."""
    pal = QPalette()
    ink, paper = QColor("#1f2328"), QColor("#ffffff")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                  QPalette.ColorGroup.Disabled):
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                     QPalette.ColorRole.ButtonText):
            pal.setColor(group, role, ink)
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window,
                     QPalette.ColorRole.Button, QPalette.ColorRole.AlternateBase):
            pal.setColor(group, role, paper)
    return pal


def render_dashboards(results: Results, scenarios: list[str], baseline: str,
                      step: Callable[[int, str], None] | None = None) -> dict[str, Chart]:
    """One picture of the dashboard's charts per scenario, keyed by scenario name.

    ``step(index, scenario)`` is called before each scenario is drawn; it may raise to stop.
    """
    if QApplication.instance() is None:
        raise RuntimeError("the report's charts need a QApplication")
    saved = {name: pg.getConfigOption(name) for name in _GLOBAL_OPTIONS}
    # Never shown: QWidget.render() lays out a hidden widget itself, and showing one, even
    # off screen, makes some platform plugins complain on the terminal.
    dashboard = Dashboard()
    try:
        dashboard.setPalette(light_palette())
        dashboard.resize(CHART_SIZE)
        dashboard.apply_palette()
        charts: dict[str, Chart] = {}
        for i, scenario in enumerate(scenarios):
            if step is not None:
                step(i, scenario)
            with warnings.catch_warnings():
                # A workload without an operating point plots a NaN dot; pyqtgraph then asks
                # numpy for the bounds of all-NaN data, which only warns. Not news in a report.
                warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                dashboard.show_results(results, scenario, baseline)
                charts[scenario] = _settled_picture(dashboard)
        return charts
    finally:
        dashboard.tile_strip.deleteLater()
        dashboard.deleteLater()
        pg.setConfigOptions(**saved)


def _settled_picture(widget) -> Chart:
    """The widget drawn once its charts have stopped re-laying themselves out.

    pyqtgraph measures tick labels while drawing and widens an axis afterwards (five-digit
    kW need more room than two-digit ones), so the first drawing after new data can be stale.
    """
    recorded = picture = None
    for _ in range(4):
        QApplication.processEvents()
        picture = _picture(widget)
        again = bytes(picture.data())
        if again == recorded:
            break
        recorded = again
    return Chart(picture, widget.size())


def _picture(widget) -> QPicture:
    _for_paper(widget)
    picture = QPicture()
    painter = QPainter(picture)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    return picture


def _for_paper(widget) -> None:
    """Every part of the charts drawn as vectors: no cached bitmaps in the recording.

    A view caches its background as a bitmap, and a scatter plot stamps its symbols from a
    bitmap atlas unless told it is being exported (pyqtgraph's own export mode); on paper
    those would be images, blurred when zoomed. The items are new with each scenario's data,
    so this runs before every drawing.
    """
    for view in widget.findChildren(QGraphicsView):
        view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        for item in view.scene().items() if view.scene() is not None else []:
            if isinstance(item, pg.GraphicsItem):
                item.setExportMode(True, {"antialias": True})


#: The roadmap's four charts, drawn the width of the dashboard's and two rows tall.
ROADMAP_SIZE = QSize(740, 560)


def render_roadmap(strategies: list) -> Chart:
    """The window's own Roadmap charts for ``strategies`` (the chosen one first), on paper."""
    from app.charts.roadmap_charts import RoadmapCharts

    if QApplication.instance() is None:
        raise RuntimeError("the report's charts need a QApplication")
    saved = {name: pg.getConfigOption(name) for name in _GLOBAL_OPTIONS}
    pg.setConfigOptions(foreground="#1f2328", background="#ffffff")
    charts = RoadmapCharts()
    try:
        charts.setPalette(light_palette())
        charts.resize(ROADMAP_SIZE)
        charts.show(strategies)
        return _settled_picture(charts)
    finally:
        charts.deleteLater()
        pg.setConfigOptions(**saved)

