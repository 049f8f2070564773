"""At 1280×800 and at 1920×1080, with the six-scenario 5,000 req/s example, nothing that
carries a figure is cut: the KPI tiles, the Compare table's cells, and every chart's title and
axis titles fit in the room they are given."""

import re

import pytest
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import QApplication

from app.window.main_window import MainWindow
from planner_core.resources import resource_path

PLAN = resource_path("examples", "platform-5000rps.json")
SIZES = [(1280, 800), (1920, 1080)]


def _plain(text: str) -> str:
    if "<" not in text:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def _settle(window, panel: str) -> None:
    window.show_panel(panel)
    for _ in range(4):
        QApplication.processEvents()
    window.render_now()
    QApplication.processEvents()


def _cut_labels(widgets) -> list[str]:
    cut = []
    for label in widgets:
        if not label.isVisible() or label.wordWrap():
            continue
        text = _plain(label.text())
        if not text:
            continue
        width = QFontMetrics(label.font()).horizontalAdvance(text)
        if width > label.contentsRect().width() + 1:
            cut.append(f"{text!r}: {width} px in {label.contentsRect().width()}")
    return cut


def _cut_chart_titles(plots) -> list[str]:
    """A title or axis title wider than its room (pyqtgraph clips it), or elided."""
    cut = []
    for plot in plots:
        item = plot.getPlotItem()
        # A chart whose least size exceeds its widget is clipped at the right and bottom.
        room = plot.viewport().rect()
        if item.geometry().width() > room.width() + 1 \
                or item.geometry().height() > room.height() + 1:
            cut.append(f"{_plain(item.titleLabel.text)!r}: {item.geometry().width():.0f}×"
                       f"{item.geometry().height():.0f} px in {room.width()}×{room.height()}")
        title = item.titleLabel
        if title.isVisible() and title.text:
            shown = title.item.boundingRect().width()
            if shown > title.boundingRect().width() + 1 or "…" in title.text:
                cut.append(f"title {_plain(title.text)!r}")
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            if not axis.isVisible() or not axis.label.isVisible():
                continue
            text = axis.label.toPlainText()
            length = item.getViewBox().height() if side == "left" \
                else item.getViewBox().width()
            if text and axis.label.boundingRect().width() > length + 1:
                cut.append(f"{side} axis {text!r}")
    return cut


@pytest.fixture(scope="module")
def window(qapp):
    w = MainWindow(open_example=False)
    w.ask_before_discarding = False
    assert w.open_plan(PLAN, interactive=False)
    w.show()
    yield w
    w.shutdown()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scenario", ["base", "Groq LPU racks"])
def test_tiles_and_dashboard_charts_are_not_cut(window, size, scenario):
    window.resize(*size)
    window.document.set_scenario(scenario)
    _settle(window, "dashboard")
    dash = window.dashboard
    labels = [lab for tile in dash.tiles.values()
              for lab in (tile.title, tile.value, tile.delta)]
    assert not _cut_labels(labels)
    assert not _cut_chart_titles(dash.plots)
    # The tiles say what they measure in units that suit the number.
    assert re.fullmatch(r"[\d.,]+ (kW|MW|GW)", dash.tiles["facility_mw_provisioned"]
                        .value.text())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_cells_and_charts_are_not_cut(window, size):
    window.resize(*size)
    window.document.set_scenario("base")
    _settle(window, "compare")
    view = window.compare
    table = view.table
    assert table.columnCount() == 6
    cut = []
    for c in range(table.columnCount()):
        width = table.columnWidth(c)
        for r in range(table.rowCount()):
            item = table.item(r, c)
            text_width = QFontMetrics(item.font()).horizontalAdvance(item.text())
            if text_width + 6 > width:
                cut.append(f"{item.text()!r} in column {c}: {text_width} px in {width}")
    assert not cut
    assert not _cut_chart_titles(view.charts.values())
    names = view.charts["usd_per_m_output_tokens"].getAxis("left")._tickLevels[0]
    assert [n for _i, n in names if "…" in n] == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["dashboard", "evidence", "whatif", "roadmap"])
def test_the_fleet_panel_fits_its_column(window, size, view):
    """No sideways scrolling of the pool editor, whichever view is beside it: only the MIG
    drawing may scroll, inside it."""
    from PySide6.QtWidgets import QScrollArea

    window.resize(*size)
    window.document.set_scenario("base")
    _settle(window, view)
    _settle(window, "fleet")
    outer = max((s for s in window.pools.findChildren(QScrollArea) if s.isVisible()),
                key=lambda s: s.viewport().width())
    assert outer.widget().minimumSizeHint().width() <= outer.viewport().width()


def test_every_view_and_editor_fits_a_1280_by_800_screen(window):
    """Whichever view or What-if tab is on show, the window's minimum fits the screen: a
    wider or taller one would push the window past its edges."""
    from PySide6.QtWidgets import QTabWidget

    window.resize(1280, 800)
    too_big = []
    for panel in ("compare", "whatif", "evidence", "roadmap", "dashboard", "workloads",
                  "facility", "site", "scenarios", "racks", "floor", "fleet"):
        _settle(window, panel)
        pages = [None]
        if panel == "whatif":
            tabs = window.whatif.findChild(QTabWidget)
            pages = range(tabs.count())
        for page in pages:
            if page is not None:
                tabs.setCurrentIndex(page)
                QApplication.processEvents()
            hint = window.minimumSizeHint()
            if hint.width() > 1280 or hint.height() > 800:
                too_big.append(f"{panel} {page}: {hint.width()}×{hint.height()}")
    assert not too_big


def test_what_if_and_roadmap_charts_are_not_cut(qtbot, window):
    """At 1280×800 beside the editors, each What-if chart after its run, and the Roadmap's
    after its run: no title or axis title cut, no chart clipped by its room."""
    from PySide6.QtWidgets import QTabWidget

    window.resize(1280, 800)
    window.document.set_scenario("base")
    _settle(window, "whatif")
    panel = window.whatif
    tabs = panel.findChild(QTabWidget)
    runs = [(0, panel.run_sweep, [panel.sweep_chart]),
            (1, panel.run_optimize, [panel.opt_chart]),
            (2, panel.run_sensitivity, [panel.sens_chart]),
            (3, panel.run_uncertainty, [panel.unc_cost, panel.unc_power, panel.unc_latency])]
    cut = []
    for index, run, charts in runs:
        tabs.setCurrentIndex(index)
        with qtbot.waitSignal(panel.runner.finished, timeout=120_000):
            run()
        for _ in range(3):
            QApplication.processEvents()
        cut += _cut_chart_titles(charts)
    assert not cut
    assert window.open_plan(resource_path("examples", "roadmap-2026-2030.json"),
                            interactive=False)
    window.resize(1280, 800)
    _settle(window, "roadmap")
    road = window.roadmap
    with qtbot.waitSignal(road.runner.finished, timeout=120_000):
        road.run()
    for _ in range(3):
        QApplication.processEvents()
    charts = road.charts
    assert not _cut_chart_titles([charts.capacity, charts.power, charts.cash, charts.cost])
    # The keys sit below their charts, never over the periods' names.
    for key, chart in ((charts.capacity_key, charts.capacity), (charts.power_key, charts.power),
                       (charts.key, charts.cash), (charts.key, charts.cost)):
        assert key.geometry().top() >= chart.geometry().bottom(), key.text()
        assert key.sizeHint().height() <= key.height() or key.heightForWidth(
            key.width()) <= key.height() + 1, key.text()
    assert window.open_plan(PLAN, interactive=False)  # the module's other tests use it
