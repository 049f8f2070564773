"""The main window: menus, the catalog and warnings docks, the fleet table and the dashboard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
)

from planner_core import __version__
from planner_core.catalog import load_catalog
from planner_core.errors import PlannerError
from planner_core.evaluate import Results
from planner_core.plan import plan_from_json
from planner_core.resources import resource_path

from .charts.dashboard import Dashboard
from .document import Document
from .widgets.catalog_browser import CatalogBrowser

EXAMPLE_PLAN = "llama70b-chat.json"
STATE_VERSION = 1
FLEET_COLUMNS = [
    ("pool", "Pool", "{}"), ("system", "System", "{}"), ("accelerators", "Accelerators", "{:,}"),
    ("systems", "Systems", "{:,}"), ("racks", "Racks", "{:,}"), ("cooling", "Cooling", "{}"),
    ("rack_kw_peak", "Rack kW (max)", "{:,.1f}"), ("it_kw_peak", "IT kW (peak)", "{:,.1f}"),
    ("capex_usd", "CapEx (USD)", "{:,.0f}"),
    ("utilization_peak_pct", "Utilization peak (%)", "{:,.0f}"),
]


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.catalog = load_catalog()
        self.document: Document | None = None
        self.setWindowTitle("Inference Planner[*]")
        self.dashboard = Dashboard()
        self.setCentralWidget(self.dashboard)
        self._build_docks()
        self._build_actions()
        self._restore_state()
        self.open_example()

    # -- construction ------------------------------------------------------------------------
    def _build_docks(self) -> None:
        self.browser = CatalogBrowser(self.catalog)
        self.catalog_dock = self._dock("Catalog", self.browser,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings_dock = self._dock("Warnings", self.warnings,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.fleet = QTableWidget(0, len(FLEET_COLUMNS))
        self.fleet.setHorizontalHeaderLabels([c[1] for c in FLEET_COLUMNS])
        self.fleet.verticalHeader().setVisible(False)
        self.fleet.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.fleet_dock = self._dock("Fleet", self.fleet, Qt.DockWidgetArea.BottomDockWidgetArea)

    def _dock(self, title: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        open_act = QAction("&Open…", self, shortcut=QKeySequence.StandardKey.Open)
        open_act.triggered.connect(self._on_open)
        example = QAction("Open &Example Plan", self)
        example.triggered.connect(self.open_example)
        quit_act = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_act.triggered.connect(self.close)
        file_menu.addActions([open_act, example])
        file_menu.addSeparator()
        file_menu.addAction(quit_act)
        self.edit_menu = bar.addMenu("&Edit")
        view = bar.addMenu("&View")
        for dock in (self.catalog_dock, self.fleet_dock, self.warnings_dock):
            view.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        about = QAction("&About Inference Planner", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        tools = QToolBar("Scenario", self)
        tools.setObjectName("toolbar-scenario")
        tools.addWidget(QLabel(" Scenario: "))
        self.scenario_box = QComboBox()
        self.scenario_box.setMinimumContentsLength(18)
        self.scenario_box.setToolTip("Which what-if scenario the dashboard shows")
        self.scenario_box.currentTextChanged.connect(self._show_scenario)
        tools.addWidget(self.scenario_box)
        self.addToolBar(tools)

    # -- documents ---------------------------------------------------------------------------
    def open_example(self) -> None:
        path = resource_path("examples", EXAMPLE_PLAN)
        plan = plan_from_json(path.read_text(encoding="utf-8"), source=str(path))
        self._set_document(Document(self.catalog, plan, None, self))

    def open_plan(self, path: Path) -> bool:
        try:
            doc = Document.open(self.catalog, path, self)
        except PlannerError as exc:
            QMessageBox.warning(self, "Cannot open plan", str(exc))
            return False
        self._set_document(doc)
        return True

    def _on_open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open plan", "", "Plans (*.json)")
        if name:
            self.open_plan(Path(name))

    def _set_document(self, doc: Document) -> None:
        if self.document is not None:
            self.document.deleteLater()
        self.document = doc
        self.edit_menu.clear()
        undo = doc.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = doc.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.edit_menu.addActions([undo, redo])
        doc.resultsChanged.connect(self._on_results)
        doc.evaluationFailed.connect(self._on_failed)
        doc.undo_stack.cleanChanged.connect(lambda clean: self.setWindowModified(not clean))
        title = doc.path.name if doc.path else doc.plan.name
        self.setWindowTitle(f"{title}[*] — Inference Planner")
        self.scenario_box.blockSignals(True)
        self.scenario_box.clear()
        self.scenario_box.addItems(doc.plan.scenario_names())
        self.scenario_box.blockSignals(False)
        doc.evaluate_now()

    def render_now(self) -> None:
        """Evaluates and draws synchronously (used before a screenshot)."""
        if self.document is not None:
            self.document.evaluate_now()

    def _on_results(self, results: Results) -> None:
        self._show_scenario(self.scenario_box.currentText() or "base")

    def _on_failed(self, message: str) -> None:
        self.warnings.clear()
        item = QListWidgetItem(f"Cannot evaluate the plan: {message}")
        item.setForeground(Qt.GlobalColor.red)
        self.warnings.addItem(item)

    def _show_scenario(self, name: str) -> None:
        doc = self.document
        if doc is None or doc.results is None or not name:
            return
        results = doc.results
        self.dashboard.show_results(results, name)
        pools = results.pools[results.pools.scenario == name]
        self.fleet.setRowCount(len(pools))
        for r, (_, row) in enumerate(pools.iterrows()):
            for c, (key, _title, fmt) in enumerate(FLEET_COLUMNS):
                item = QTableWidgetItem(fmt.format(row[key]))
                if fmt != "{}":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.fleet.setItem(r, c, item)
        self.fleet.resizeColumnsToContents()
        self.warnings.clear()
        shown = [w for w in results.warnings if w["scenario"] == name]
        for w in shown:
            item = QListWidgetItem(f"[{w['severity']}] {w['item']}: {w['message']}")
            item.setData(Qt.ItemDataRole.UserRole, w["item"])
            self.warnings.addItem(item)
        if not shown:
            self.warnings.addItem("No warnings: every workload fits and meets its SLOs.")

    # -- window state ------------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = QSettings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        if isinstance(state, QByteArray):
            self.restoreState(state, STATE_VERSION)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(STATE_VERSION))
        super().closeEvent(event)

    def _about(self) -> None:
        QMessageBox.about(self, "About Inference Planner", (
            f"<h3>Inference Planner {__version__}</h3>"
            "<p>What-if planning of AI-inference data centers: racks, megawatts, latency, "
            "throughput and cost per million tokens.</p>"
            "<p>Every figure in the catalog carries its public source and a grade "
            "(P primary, S secondary, S? weak, claim, assumption).</p>"))
