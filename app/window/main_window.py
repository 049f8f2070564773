"""The main window: editors on the left, the live dashboard on the right, KPI tiles on top.

The window wires a Document to its views; it holds no planning logic. Docks (catalog, warnings,
fleet summary), the splitter and the window geometry are remembered between runs.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.charts.dashboard import Dashboard
from app.window.document import Document
from app.window.later_panels import LaterPanels, subtabs
from app.window.plan_files import PlanFiles
from app.window.widgets.catalog_browser import CatalogBrowser
from app.window.widgets.catalog_editor import edit_catalog
from app.window.widgets.floor_view import FloorView
from app.window.widgets.notes_panel import NotesPanel
from app.window.widgets.pool_editor import PoolEditor
from app.window.widgets.rack_summary import rack_summary
from app.window.widgets.rack_view import RackView
from planner_core import Results, __version__, load_catalog

EXAMPLE_PLAN = "llama70b-chat.json"
STATE_VERSION = 2
FLEET_COLUMNS = [
    ("pool", "Pool", "{}"), ("system", "System", "{}"), ("accelerators", "Accelerators", "{:,}"),
    ("systems", "Systems", "{:,}"), ("racks", "Racks", "{:,}"), ("cooling", "Cooling", "{}"),
    ("rack_kw_provisioned", "Rack kW (max)", "{:,.1f}"), ("it_kw_peak", "IT kW (peak)", "{:,.1f}"),
    ("capex_usd", "CapEx (USD)", "{:,.0f}"),
    ("utilization_peak_pct", "Utilization peak (%)", "{:,.0f}"),
]
# Panels by the names the command line's --panel takes: (tab widget attribute, index)
PANELS = {"fleet": ("editors", 0), "mig": ("editors", 0), "racks": ("editors", 1),
          "floor": ("editors", 1), "workloads": ("editors", 2), "facility": ("editors", 3),
          "site": ("editors", 3), "scenarios": ("editors", 4),
          "dashboard": ("views", 0), "compare": ("views", 1), "whatif": ("views", 2),
          "evidence": ("views", 3), "roadmap": ("views", 4)}


class MainWindow(PlanFiles, LaterPanels, QMainWindow):
    EXAMPLE_PLAN = EXAMPLE_PLAN

    def __init__(self, open_example: bool = True, catalog=None):
        super().__init__()
        self.catalog = catalog or load_catalog()
        self.document: Document | None = None
        self.ask_before_discarding = True  # tests turn the modal question off
        self.setWindowTitle("Inference Planner[*]")
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._restore_state()
        if open_example:
            self.open_example()

    # -- construction ------------------------------------------------------------------------
    def _build_central(self) -> None:
        self.dashboard = Dashboard()
        self.dashboard.basisClicked.connect(self._show_evidence)
        self._make_later_panels()
        self.pools = PoolEditor()
        self.racks = RackView()
        self.racks.poolClicked.connect(lambda name: self.pools.select(name))
        self.rack_summary = QLabel()
        self.rack_summary.setWordWrap(True)
        self.rack_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.rack_page = QWidget()
        rack_box = QVBoxLayout(self.rack_page)
        rack_box.setContentsMargins(4, 4, 4, 0)
        rack_box.addWidget(self.rack_summary)
        rack_box.addWidget(self.racks, 1)
        self.floor = FloorView()
        self.rack_tabs = subtabs("rack-tabs", (self.rack_page, "Elevations", ""), (
            self.floor, "Floor plan", "Halls, rows and rack positions, racks coloured by pool; "
            "hover a rack for its power and weight"))
        self.rack_tabs.currentChanged.connect(self._show_hidden_panels)
        self.editors = QTabWidget()
        self.editors.setObjectName("editors")
        self.editors.addTab(self.pools, "Fleet")
        self.editors.addTab(self.rack_tabs, "Racks")
        self.editors.addTab(self._workloads, "Workloads")
        self.editors.addTab(self._facility_tabs, "Facility")
        self.editors.addTab(self._scenarios, "Scenarios")
        self.editors.setTabToolTip(0, "Pools of systems, replica layout, MIG, serving mode")
        self.editors.setTabToolTip(1, "Rack elevations and the floor plan: systems in racks, "
                                      "racks on the halls' rows")
        self.editors.setTabToolTip(3, "Power and cost settings; the site: electrical chain, "
                                      "cooling plant, fabric, limits and halls")
        self.pools.selectionChanged.connect(self.racks.select_pool)
        self.views = QTabWidget()
        self.views.setObjectName("views")
        self.views.addTab(self.dashboard, "Dashboard")
        self.views.addTab(self._compare, "Compare scenarios")
        self.views.addTab(self._whatif, "What-if")
        self.views.setTabToolTip(2, "Sweeps, the cheapest fleet that meets the SLOs, "
                                    "sensitivity and uncertainty")
        self.views.addTab(self._evidence, "Evidence")
        self.views.setTabToolTip(3, "How far to trust the numbers: measured against "
                                    "predicted, your own benchmark files, calibration profiles")
        self.views.addTab(self._roadmap, "Roadmap")
        self.views.setTabToolTip(4, "Years, not a snapshot: demand growth, power phases, "
                                    "what to buy and when")
        self._stale: set[str] = set()  # panels whose drawing is older than the results
        self._drawn = None  # what the dashboard shows: scenario, baseline, their sizings
        self.editors.currentChanged.connect(self._show_hidden_panels)
        self.views.currentChanged.connect(self._show_hidden_panels)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.editors)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.dashboard.tile_strip)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        self.browser = CatalogBrowser(self.catalog)
        self.browser.activated.connect(self._add_from_catalog)
        self.browser.newEntry.connect(
            lambda kind, ident: edit_catalog(self, kind or "system", ident or None))
        self.catalog_dock = self._dock("Catalog", self.browser,
                                       Qt.DockWidgetArea.LeftDockWidgetArea)
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        # Two lines at least; the editors and views above need the height more.
        self.warnings.setMinimumHeight(44)
        self.warnings.setToolTip("Click a warning to select the item it names")
        self.warnings.itemClicked.connect(self._warning_clicked)
        self.warnings.itemActivated.connect(self._warning_clicked)
        self.warnings_dock = self._dock("Warnings", self.warnings,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.fleet = QTableWidget(0, len(FLEET_COLUMNS))
        self.fleet.setHorizontalHeaderLabels([c[1] for c in FLEET_COLUMNS])
        self.fleet.verticalHeader().setVisible(False)
        self.fleet.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.fleet.cellClicked.connect(
            lambda r, _c: self.select_item(f"pools.{self.fleet.item(r, 0).text()}"))
        self.fleet_dock = self._dock("Fleet summary", self.fleet,
                                     Qt.DockWidgetArea.BottomDockWidgetArea)
        self.notes = NotesPanel()
        self.notes_dock = self._dock("Notes", self.notes, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.warnings_dock, self.fleet_dock)
        self.tabifyDockWidget(self.fleet_dock, self.notes_dock)
        self.warnings_dock.raise_()

    def use_catalog(self, catalog) -> None:
        """The catalog with your new or changed entry: listed, and the plan evaluated on it."""
        self.catalog = self.browser.catalog = catalog
        self.browser.populate()
        if self.document is not None:
            self.document.set_catalog(catalog)

    def _dock(self, title: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower().replace(' ', '-')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        bar = self.menuBar()
        self._build_file_menu(bar)
        self.edit_menu = bar.addMenu("&Edit")
        self.add_pool_act = self._action("Add &Pool", lambda: self.pools.add_item(),
                                         tip="A new pool of the first pool's system")
        self.add_workload_act = self._action("Add &Workload", lambda: self.workloads.add_item(),
                                             tip="A new workload like the first one")
        self.what_if_act = self._action("&Duplicate as What-if",
                                        lambda: self.scenarios.duplicate(),
                                        QKeySequence("Ctrl+D"),
                                        "A new scenario copying the one on show, to edit")
        view = bar.addMenu("&View")
        for name, (attr, index) in PANELS.items():
            if name == "mig":
                continue  # a place within the Fleet panel, for screenshots
            tabs = getattr(self, attr)
            view.addAction(self._action(f"Show {tabs.tabText(index).replace('&&', '&')}",
                                        lambda _c=False, n=name: self.show_panel(n)))
        view.addSeparator()
        for dock in (self.catalog_dock, self.warnings_dock, self.fleet_dock, self.notes_dock):
            view.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About Inference Planner", self._about))
        tools = QToolBar("Scenario", self)
        tools.setObjectName("toolbar-scenario")
        tools.addWidget(QLabel(" Scenario: "))
        self.scenario_box = QComboBox()
        self.scenario_box.setMinimumContentsLength(18)
        self.scenario_box.setToolTip("Which scenario the window shows and edits")
        self.scenario_box.currentIndexChanged.connect(
            lambda _i: self._choose_scenario(self.scenario_box.currentData()))
        tools.addWidget(self.scenario_box)
        tools.addAction(self.what_if_act)
        self.addToolBar(tools)
        self.busy = QLabel("")
        self.statusBar().addPermanentWidget(self.busy)

    def _set_document(self, doc: Document) -> None:
        old = self.document
        self.document = doc
        if old is not None:
            old.shutdown()
            old.deleteLater()
        self.edit_menu.clear()
        undo = doc.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = doc.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.edit_menu.addActions([undo, redo])
        self.edit_menu.addSeparator()
        self.edit_menu.addActions([self.add_pool_act, self.add_workload_act, self.what_if_act])
        doc.resultsChanged.connect(self._on_results)
        doc.evaluationFailed.connect(self._on_failed)
        doc.editRefused.connect(self._on_refused)
        doc.busyChanged.connect(self._on_busy)
        doc.undo_stack.cleanChanged.connect(self._update_title)
        doc.planChanged.connect(self._sync_scenarios)
        self.autosave.watch(doc)
        doc.scenarioChanged.connect(self._on_scenario_changed)
        for editor in (self.pools, self.notes):
            editor.set_document(doc)
        for tab in self._later_panels():
            if tab.exists and tab is not self._compare:  # the others take it when built
                tab.panel().set_document(doc)
        self._sync_scenarios()
        self._update_title()
        doc.evaluate_now(shown_first=True)

    def _title(self) -> str:
        doc = self.document
        return doc.path.name if doc and doc.path else (doc.plan.name if doc else "")

    def _on_busy(self, busy: bool) -> None:
        self.busy.setText("Evaluating…" if busy else "")

    def _update_title(self, *_clean) -> None:
        self.setWindowTitle(f"{self._title()}[*] — Inference Planner")
        self.setWindowModified(bool(self.document and self.document.modified))

    def shutdown(self) -> None:
        """Stops background work; the window may be dropped without closing it after this."""
        for tab in (self._whatif, self._roadmap):
            if tab.exists:
                tab.panel().shutdown()
        if self.document is not None:
            self.document.shutdown()

    def _show_evidence(self, accelerator: str, engine: str) -> None:
        """The Evidence panel, on the measurements of the pool the badge stands for."""
        self.show_panel("evidence")
        self.evidence.show_group(accelerator, engine)

    def _apply_option(self, workload: str, row, scenario: str) -> None:
        """Optimize's chosen option becomes a new scenario (one undo step), then is shown.

        ``scenario`` is the one the options were computed for: the new scenario starts from
        its overrides, whichever scenario is on show now."""
        from planner_core.whatif.optimize import apply_option, option_name

        doc = self.document
        if doc is None:
            return
        name = option_name(doc.plan, row)
        if doc.apply(lambda p: apply_option(p, workload, row, name, scenario, doc.catalog),
                     f"Apply optimized option {name!r}"):
            doc.set_scenario(name)
            self.statusBar().showMessage(f"Added scenario {name!r}; Undo removes it", 10000)

    def render_now(self) -> None:
        """Evaluates and draws synchronously (used before a screenshot)."""
        if self.document is not None:
            self.document.evaluate_now()

    # -- scenarios ---------------------------------------------------------------------------
    def _sync_scenarios(self) -> None:
        doc = self.document
        was = self.scenario_box.blockSignals(True)
        self.scenario_box.clear()
        for name in doc.plan.scenario_names():
            label = "Base plan" if name == "base" else name
            if name == doc.plan.baseline:
                label += "  (baseline)"
            self.scenario_box.addItem(label, name)
        self.scenario_box.setCurrentIndex(max(self.scenario_box.findData(doc.scenario), 0))
        self.scenario_box.blockSignals(was)

    def _choose_scenario(self, name: str | None) -> None:
        if self.document is not None and name:
            self.document.set_scenario(name)

    def _on_scenario_changed(self, name: str) -> None:
        for act in (self.add_pool_act, self.add_workload_act):
            act.setEnabled(name == "base")  # structure is edited in the base plan
        was = self.scenario_box.blockSignals(True)
        self.scenario_box.setCurrentIndex(max(self.scenario_box.findData(name), 0))
        self.scenario_box.blockSignals(was)
        self._show_results()

    # -- results -----------------------------------------------------------------------------
    def _on_results(self, _results: Results) -> None:
        self._show_results()

    def _show_results(self) -> None:
        doc = self.document
        if doc is None or doc.results is None:
            return
        results = doc.results
        name = doc.scenario
        if name not in results.sizings:
            return  # the scenario's results are on their way (a partial evaluation)
        baseline = doc.plan.baseline if doc.plan.baseline in results.sizings else name
        drawn = (name, baseline, results.sizings[name], results.sizings[baseline])
        last = self._drawn
        if last and drawn[:2] == last[:2] and drawn[2] is last[2] and drawn[3] is last[3]:
            # The full pass after a partial one brings back the very same results for the
            # scenario on show (reused, not recomputed): only the comparison needs the rest.
            self._stale.add("compare")
            self._show_hidden_panels()
            return
        self._drawn = drawn
        self.dashboard.show_results(results, name, baseline)
        self._fill_fleet(results, name)
        self._fill_warnings(results, name)
        # Hidden panels are drawn when they are shown: an edit redraws only what is on screen.
        self._stale = {"racks", "floor", "compare"}
        self._show_hidden_panels()

    def _show_hidden_panels(self, *_tab) -> None:
        doc = self.document
        if doc is None or doc.results is None or doc.scenario not in doc.results.sizings:
            return
        results, name = doc.results, doc.scenario
        on_racks = self.editors.currentWidget() is self.rack_tabs
        if "floor" in self._stale and on_racks and self.rack_tabs.currentWidget() is self.floor:
            self.floor.show_floor(results.sites[name]["floor"],
                                  [p.name for p in doc.view_plan().pools])
            self._stale.discard("floor")
        if ("racks" in self._stale and on_racks
                and self.rack_tabs.currentWidget() is self.rack_page):
            self.racks.show_fleet(results.sizings[name],
                                  results.pools[results.pools.scenario == name],
                                  doc.view_plan().facility)
            self.rack_summary.setText(rack_summary(results.sizings[name], {
                r["pool"]: float(r["it_kw_peak"]) for r in results.records("pools", name)}))
            self.racks.select_pool(self.pools.current)
            self._stale.discard("racks")
        if ("compare" in self._stale and self.views.currentWidget() is self._compare
                and doc.results_complete):
            baseline = doc.plan.baseline if doc.plan.baseline in results.sizings else "base"
            self.compare.show_results(results, baseline, name)
            self._stale.discard("compare")

    def _fill_fleet(self, results: Results, name: str) -> None:
        pools = results.records("pools", name)
        self.fleet.setRowCount(len(pools))
        for r, row in enumerate(pools):
            for c, (key, _title, fmt) in enumerate(FLEET_COLUMNS):
                item = QTableWidgetItem(fmt.format(row[key]))
                if fmt != "{}":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.fleet.setItem(r, c, item)
        self.fleet.resizeColumnsToContents()

    def _fill_warnings(self, results: Results, name: str) -> None:
        self.warnings.clear()
        shown = [w for w in results.warnings if w["scenario"] == name]
        for w in shown:
            item = QListWidgetItem(f"[{w['severity']}] {w['item']}: {w['message']}")
            item.setData(Qt.ItemDataRole.UserRole, w["item"])
            if w["severity"] == "error":
                item.setForeground(Qt.GlobalColor.red)
            item.setToolTip("Click to select " + w["item"])
            self.warnings.addItem(item)
        if not shown:
            self.warnings.addItem("No warnings: every workload fits and meets its SLOs.")
        self.warnings_dock.setWindowTitle(f"Warnings ({len(shown)})")

    def _on_failed(self, message: str) -> None:
        # Figures of an older plan must not stand beside a plan that cannot be evaluated.
        self._drawn = None
        self.dashboard.show_unavailable()
        self.fleet.setRowCount(0)
        self.warnings.clear()
        item = QListWidgetItem(f"Cannot evaluate the plan: {message}")
        item.setForeground(Qt.GlobalColor.red)
        self.warnings.addItem(item)
        self.warnings_dock.raise_()

    def _on_refused(self, message: str) -> None:
        self.statusBar().showMessage(f"Not applied: {message}", 12000)

    # -- selection ---------------------------------------------------------------------------
    def _warning_clicked(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if target:
            self.select_item(target)

    def select_item(self, target: str) -> None:
        """Shows the editor of a plan item named like ``pools.serving`` or ``facility``."""
        section, _, name = target.partition(".")
        if section == "pools":
            self.show_panel("fleet")
            self.pools.select(name)
        elif section == "workloads":
            self.show_panel("workloads")
            self.workloads.select(name)
        elif section == "facility":
            self.show_panel("facility")
        elif section == "site":
            self.show_panel("site")

    def show_panel(self, name: str) -> None:
        attr, index = PANELS[name]
        getattr(self, attr).setCurrentIndex(index)
        if name in ("racks", "floor"):
            self.rack_tabs.setCurrentWidget(self.floor if name == "floor" else self.rack_page)
        if name in ("facility", "site"):
            self.facility_tabs.setCurrentWidget(self.site if name == "site" else self.facility)
        if name == "mig":
            self.pools.scroll.ensureWidgetVisible(self.pools.mig_group, 0, 0)

    def _add_from_catalog(self, kind: str, ident: str) -> None:
        doc = self.document
        if doc is None:
            return
        if doc.scenario != "base":
            self.statusBar().showMessage(
                "Adding pools and workloads is done in the base plan: choose “Base plan” "
                "in the scenario box first.", 10000)
            return
        if kind == "model":
            self.show_panel("workloads")
            self.workloads.accept_catalog(kind, ident)
        else:
            self.show_panel("fleet")
            if not self.pools.accept_catalog(kind, ident):
                self.statusBar().showMessage(f"No system in the catalog holds {ident}", 10000)

    # -- window state ------------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = QSettings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        splitter = s.value("window/splitter")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
            self.splitter.setSizes([560, 640])
        if isinstance(state, QByteArray):
            self.restoreState(state, STATE_VERSION)
        else:
            self.resizeDocks([self.catalog_dock], [270], Qt.Orientation.Horizontal)
            self.resizeDocks([self.warnings_dock], [90], Qt.Orientation.Vertical)
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._may_discard():
            event.ignore()
            return
        self.autosave.discard()  # saved or deliberately dropped: nothing to recover
        try:
            s = QSettings()
            s.setValue("window/geometry", self.saveGeometry())
            s.setValue("window/state", self.saveState(STATE_VERSION))
            s.setValue("window/splitter", self.splitter.saveState())
        finally:
            self.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # Light/dark follows the system: charts take their colors from the new palette.
        if event.type() == QEvent.Type.PaletteChange:
            self.dashboard.apply_palette()
        super().changeEvent(event)

    def _about(self) -> None:
        QMessageBox.about(self, "About Inference Planner", (
            f"<h3>Inference Planner {__version__}</h3>"
            "<p>What-if planning of AI-inference data centers: racks, megawatts, latency, "
            "throughput and cost per million tokens.</p>"
            "<p>Every figure in the catalog carries its public source and a grade "
            "(P primary, S secondary, S? weak, claim, assumption).</p>"))
