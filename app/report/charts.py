"""The dashboard's charts as pictures for the report: the app's own Dashboard, drawn offscreen.

Drawing the real Dashboard (rather than a second set of report charts) keeps the pictures in
the PDF identical to what the architect saw in the window.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication

from app.charts.dashboard import Dashboard
from planner_core import Results

#: Logical size of the drawn dashboard. The report shows it 17.4 cm wide, so this width keeps
#: the charts' text at about 7 points on paper; the height fills a page under its heading.
CHART_SIZE = QSize(740, 860)
#: Pixels per logical pixel: about 215 dpi at the printed width, sharp on paper and on zoom
#: while four scenarios' pictures stay around two megabytes.
PIXEL_RATIO = 2.0

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
                      step: Callable[[int, str], None] | None = None) -> dict[str, QImage]:
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
        images: dict[str, QImage] = {}
        for i, scenario in enumerate(scenarios):
            if step is not None:
                step(i, scenario)
            with warnings.catch_warnings():
                # A workload without an operating point plots a NaN dot; pyqtgraph then asks
                # numpy for the bounds of all-NaN data, which only warns. Not news in a report.
                warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                dashboard.show_results(results, scenario, baseline)
                images[scenario] = _settled_picture(dashboard)
        return images
    finally:
        dashboard.tile_strip.deleteLater()
        dashboard.deleteLater()
        pg.setConfigOptions(**saved)


def _settled_picture(widget) -> QImage:
    """The widget drawn once its charts have stopped re-laying themselves out.

    pyqtgraph measures tick labels while drawing and widens an axis afterwards (five-digit
    kW need more room than two-digit ones), so the first drawing after new data can be stale.
    """
    picture = None
    for _ in range(4):
        QApplication.processEvents()
        again = _picture(widget)
        if again == picture:
            break
        picture = again
    return picture


def _picture(widget) -> QImage:
    size = widget.size()
    image = QImage(round(size.width() * PIXEL_RATIO), round(size.height() * PIXEL_RATIO),
                   QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(PIXEL_RATIO)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    return image


#: The roadmap's four charts, drawn the width of the dashboard's and two rows tall.
ROADMAP_SIZE = QSize(740, 560)


def render_roadmap(strategies: list) -> QImage:
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

