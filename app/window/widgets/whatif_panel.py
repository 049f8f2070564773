"""The What-if panel: sweeps, optimize, sensitivity and uncertainty for the plan on show.

Every run happens off the GUI thread (:class:`app.window.whatif_runner.WhatIfRunner`) with a
progress bar and a Cancel button; results say which plan they belong to and are marked out of
date when the plan changes. The panel never edits the plan itself: "Apply as scenario" asks the
window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.charts.whatif_charts import BandChart, OptionsChart, SweepChart, TornadoChart
from app.figures import KPI_ROWS, show_kpi
from app.window.whatif_runner import WhatIfRunner
from app.window.widgets.sweep_inputs import sweep_inputs
from app.window.widgets.whatif_parts import Note, cell, narrow_combo, result_table
from planner_core import PlannerError

#: KPIs a sweep or tornado may chart: key → (label, scale).
CHART_KPIS = {r.key: (r.label, r.scale) for r in KPI_ROWS}
TABLE_ROWS = 200
#: The sweep table's columns; the first is renamed for the input swept (its path and unit).
SWEEP_HEADERS = ["value", "$/M out", "MW", "accelerators", "TTFT p99 ms", "TPOT p99 ms",
                 "meets SLOs", "reason"]
#: Figures of the sweep table, after its value: a value that misses shows "—" for each.
SWEEP_FIGURES = ["usd_per_m_output_tokens", "facility_mw_peak", "accelerators", "ttft_p99_ms",
                 "tpot_p99_ms"]


class WhatIfPanel(QWidget):
    #: workload, the chosen option (a row of the optimize table), the scenario it was for
    applyRequested = Signal(str, object, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.document = None
        self.runner = WhatIfRunner(self)
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.results: dict[str, object] = {}
        self._job_plan: tuple | None = None  # (plan, scenario) the running job reads
        self._inputs_dirty = True
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_sweep(), "Sweep")
        self.tabs.addTab(self._build_optimize(), "Optimize")
        self.tabs.addTab(self._build_sensitivity(), "Sensitivity")
        self.tabs.addTab(self._build_uncertainty(), "Uncertainty")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress_label = QLabel("")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.runner.cancel)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.progress_label, 1)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.cancel_button)
        self.busy_row = QWidget()
        self.busy_row.setLayout(bar)
        self.stale = QLabel("")
        # A run's progress takes the place of the note on stale results, so starting one
        # does not make the panel (and the window, at 1280×800) taller.
        self.status = QStackedWidget()
        self.status.addWidget(self.stale)
        self.status.addWidget(self.busy_row)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.status)

    # -- construction ------------------------------------------------------------------------
    def _build_sweep(self) -> QWidget:
        self.sweep_param = narrow_combo()
        self.sweep_param.currentIndexChanged.connect(self._sweep_param_changed)
        self.sweep_values = QLineEdit()
        self.sweep_values.setToolTip("Comma-separated values, or START:STOP:COUNT for numbers")
        self.sweep_kpi = narrow_combo()
        for key, (label, _) in CHART_KPIS.items():
            self.sweep_kpi.addItem(label, key)
        self.sweep_kpi.setCurrentIndex(self.sweep_kpi.findData("usd_per_m_output_tokens"))
        self.sweep_kpi.currentIndexChanged.connect(lambda _i: self._draw_sweep())
        self.sweep_run = QPushButton("Run sweep")
        self.sweep_run.clicked.connect(self.run_sweep)
        form = QFormLayout()
        form.addRow("Vary", self.sweep_param)
        form.addRow("Values", self.sweep_values)
        form.addRow("Chart", self.sweep_kpi)
        self.sweep_chart = SweepChart()
        self.sweep_table = result_table(SWEEP_HEADERS)
        self.sweep_note = Note()
        return self._page(form, self.sweep_run, self.sweep_note, self.sweep_chart,
                          self.sweep_table)

    def _build_optimize(self) -> QWidget:
        self.opt_workload = narrow_combo()
        self.opt_shipping = QCheckBox("Shipping systems only")
        # A plan should not rest on a part nobody can buy yet: announced ones on request.
        self.opt_shipping.setChecked(True)
        self.opt_shipping.setToolTip("Uncheck to try announced and claimed systems too "
                                     "(Vera Rubin, Maia 200, ...)")
        self.opt_engines = QCheckBox("Every serving engine")
        self.opt_engines.setToolTip("Tries TensorRT-LLM, vLLM, SGLang and the vendors' own "
                                    "stacks; without it, each system runs the workload's pool "
                                    "engine")
        self.opt_site = QCheckBox("Within the site's power")
        self.opt_site.setToolTip("Ranks only options with which the whole site (the plan's "
                                 "other pools included) stays within the plan's site limit "
                                 "on utility power (Facility → Site → Site limits)")
        self.opt_run = QPushButton("Find the cheapest fleet")
        self.opt_run.clicked.connect(self.run_optimize)
        self.opt_apply = QPushButton("Apply as scenario")
        self.opt_apply.setEnabled(False)
        self.opt_apply.setToolTip("Adds a scenario in which the workload's pool is this option")
        self.opt_apply.clicked.connect(self._apply_selected)
        form = QFormLayout()
        form.addRow("Workload", self.opt_workload)
        form.addRow("", self.opt_shipping)
        form.addRow("", self.opt_engines)
        form.addRow("", self.opt_site)
        self.opt_chart = OptionsChart()
        self.opt_chart.pointClicked.connect(self._select_option)
        self.opt_table = result_table(["rank", "system", "engine", "precision", "serving",
                                       "layout", "$/M out", "site MW", "accelerators",
                                       "TTFT p99 ms", "TPOT p99 ms", "pick"])
        self.opt_table.itemSelectionChanged.connect(self._option_selection_changed)
        self.opt_note = Note()
        buttons = QHBoxLayout()
        buttons.addWidget(self.opt_run)
        buttons.addWidget(self.opt_apply)
        buttons.addStretch(1)
        return self._page(form, buttons, self.opt_note, self.opt_chart, self.opt_table)

    def _build_sensitivity(self) -> QWidget:
        self.sens_pct = QDoubleSpinBox()
        self.sens_pct.setRange(1, 90)
        self.sens_pct.setValue(20)
        self.sens_pct.setSuffix(" %")
        self.sens_kpi = narrow_combo()
        for key in ("usd_per_m_output_tokens", "usd_per_m_tokens", "facility_mw_peak",
                    "ttft_p99_ms", "tpot_p99_ms"):
            self.sens_kpi.addItem(CHART_KPIS[key][0], key)
        self.sens_run = QPushButton("Run sensitivity")
        self.sens_run.clicked.connect(self.run_sensitivity)
        form = QFormLayout()
        form.addRow("Move each assumption by ±", self.sens_pct)
        form.addRow("Of", self.sens_kpi)
        self.sens_chart = TornadoChart()
        self.sens_table = result_table(["assumption", "grade", "value", "at −", "at +", "swing"])
        self.sens_note = Note()
        return self._page(form, self.sens_run, self.sens_note, self.sens_chart, self.sens_table)

    def _build_uncertainty(self) -> QWidget:
        self.unc_samples = QSpinBox()
        self.unc_samples.setRange(50, 20000)
        self.unc_samples.setSingleStep(250)
        self.unc_samples.setValue(500)
        self.unc_run = QPushButton("Run Monte Carlo")
        self.unc_run.clicked.connect(self.run_uncertainty)
        form = QFormLayout()
        form.addRow("Draws per traffic level", self.unc_samples)
        self.unc_cost = BandChart("Cost per million output tokens: P10–P90 band, P50 line")
        self.unc_power = BandChart("Facility power at peak: P10–P90 band, P50 line")
        self.unc_latency = BandChart("p99 time per output token, worst workload: P10–P90, P50")
        self.unc_note = Note("Each catalog and facility figure is drawn around its value with "
                             "a spread set by its source grade (P 3% … claim 30%).")
        charts = QSplitter(Qt.Orientation.Vertical)
        for chart in (self.unc_cost, self.unc_power, self.unc_latency):
            # Three charts' default minimums would make the window taller than a 1280×800
            # screen; each can be dragged taller in the splitter.
            chart.setMinimumHeight(110)
            charts.addWidget(chart)
        return self._page(form, self.unc_run, self.unc_note, charts, None)

    def _page(self, form, button, note, chart, table) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        if isinstance(button, QPushButton):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        else:
            top.addLayout(button)
        lay.addLayout(top)
        lay.addWidget(note)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(chart)
        if table is not None:
            split.addWidget(table)
            split.setSizes([300, 200])
        lay.addWidget(split, 1)
        return page

    # -- the plan ----------------------------------------------------------------------------
    def set_document(self, doc) -> None:
        """Another plan: whatever ran or was drawn for the old one goes."""
        self.runner.discard()
        self.status.setCurrentWidget(self.stale)
        self.document = doc
        doc.planChanged.connect(self._plan_changed)
        doc.scenarioChanged.connect(lambda _n: self._plan_changed())
        self.results.clear()
        for table in (self.sweep_table, self.opt_table, self.sens_table):
            table.setRowCount(0)
        for chart in (self.sweep_chart, self.opt_chart, self.sens_chart, self.unc_cost,
                      self.unc_power, self.unc_latency):
            chart.clear()
        for note in (self.sweep_note, self.opt_note, self.sens_note):
            note.setText("")
        self.stale.setText("")
        self.opt_apply.setEnabled(False)
        self.opt_site.setEnabled(False)  # a new plan: its limit, if any, is used
        self._fill_site_limit()
        self._fill_inputs()

    def _plan_changed(self) -> None:
        self._fill_site_limit()
        # Refilled when the panel is next shown: an edit elsewhere costs nothing here.
        self._inputs_dirty = True
        if self.isVisible():
            self._fill_inputs()
        if self.results:
            self.stale.setText("The plan or scenario has changed since these results were "
                               "computed: run again to update them.")
        self.opt_apply.setEnabled(self._option_applicable())

    def _fill_site_limit(self) -> None:
        """The Optimize page's site box follows the plan's utility limit (cheap, so at once)."""
        limit = self.document.view_plan().site.limits.utility_mw
        known = self.opt_site.isEnabled()
        self.opt_site.setEnabled(limit is not None)
        if limit is not None and not known:
            self.opt_site.setChecked(True)  # a limit just set is meant to be used
        self.opt_site.setText(f"Within the site's {limit:g} MW" if limit is not None
                              else "Within the site's power (set its limit in Site)")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._inputs_dirty and self.document is not None:
            self._fill_inputs()
        super().showEvent(event)

    def _fill_inputs(self) -> None:
        self._inputs_dirty = False
        doc = self.document
        plan = doc.view_plan()
        current = self.sweep_param.currentData()
        was = self.sweep_param.blockSignals(True)
        self.sweep_param.clear()
        for label, path, default in sweep_inputs(plan, doc.catalog):
            self.sweep_param.addItem(label, (path, default))
        paths = [self.sweep_param.itemData(i)[0] for i in range(self.sweep_param.count())]
        index = paths.index(current[0]) if current and current[0] in paths else 0
        self.sweep_param.setCurrentIndex(index)
        self.sweep_param.blockSignals(was)
        if not current or current[0] not in paths:
            self._sweep_param_changed()
        name = self.opt_workload.currentText()
        self.opt_workload.clear()
        self.opt_workload.addItems([w.name for w in plan.workloads])
        if name:
            self.opt_workload.setCurrentText(name)

    def _sweep_param_changed(self, *_):
        data = self.sweep_param.currentData()
        if data:
            self.sweep_values.setText(data[1])

    # -- running -----------------------------------------------------------------------------
    def _start(self, kind: str, job, label: str) -> None:
        self.stale.setText("")
        self._job_plan = (self.document.plan, self.document.scenario)
        self.progress.setValue(0)
        self.progress_label.setText(label)
        self.status.setCurrentWidget(self.busy_row)
        self.runner.start(kind, job)

    def run_sweep(self) -> None:
        from planner_core.whatif.sweep import is_numeric, parse_values, sweep

        doc = self.document
        path = self.sweep_param.currentData()[0]
        try:
            values = parse_values(self.sweep_values.text(), is_numeric(path))
        except PlannerError as exc:
            self.sweep_note.setText(f"Not run: {exc}")
            return
        plan, scenario, catalog = doc.plan, doc.scenario, doc.catalog
        label = self.sweep_param.currentText()
        self._start("sweep", lambda report: (label, path, sweep(
            plan, path, values, scenario, catalog, progress=report)), f"Sweeping {label}…")

    def run_optimize(self) -> None:
        from planner_core.whatif.optimize import optimize

        doc = self.document
        workload = self.opt_workload.currentText()
        plan, scenario, catalog = doc.plan, doc.scenario, doc.catalog
        systems = ([s.id for s in catalog.systems.values() if s.status == "shipping"]
                   if self.opt_shipping.isChecked() else None)
        engines = (["trtllm", "vllm", "sglang", "vendor"] if self.opt_engines.isChecked()
                   else None)
        limit = plan.variant(scenario).site.limits.utility_mw
        site_mw = limit if self.opt_site.isChecked() and self.opt_site.isEnabled() else None
        self.opt_apply.setEnabled(False)
        # The plan and scenario travel with the result: Apply must change the plan the
        # options were computed for, and only that one.
        self._start("optimize", lambda report: (workload, optimize(
            plan, workload, catalog, scenario=scenario, systems=systems, progress=report,
            engines=engines, site_mw=site_mw),
            plan, scenario), f"Optimizing {workload} over the catalog…")

    def run_sensitivity(self) -> None:
        from planner_core.whatif.sensitivity import tornado

        doc = self.document
        plan, scenario, catalog = doc.plan, doc.scenario, doc.catalog
        pct, kpi = self.sens_pct.value(), self.sens_kpi.currentData()

        def job(report):
            report(0.1, "moving every assumption")
            return pct, kpi, tornado(plan, pct, kpi, scenario, catalog)

        self._start("sensitivity", job, "Moving each assumption…")

    def run_uncertainty(self) -> None:
        from planner_core.whatif.uncertainty import uncertainty_bands

        doc = self.document
        plan, scenario, catalog = doc.plan, doc.scenario, doc.catalog
        samples = self.unc_samples.value()

        def job(report):
            report(0.1, f"{samples:,} draws at each traffic level")
            return uncertainty_bands(plan, samples, 0, scenario, catalog=catalog)

        self._start("uncertainty", job, "Drawing the figures by source grade…")

    def _on_progress(self, fraction: float, label: str) -> None:
        self.progress.setValue(int(100 * fraction))
        if label:
            self.progress_label.setText(label)

    def _on_failed(self, kind: str, message: str) -> None:
        self.status.setCurrentWidget(self.stale)
        note = {"sweep": self.sweep_note, "optimize": self.opt_note,
                "sensitivity": self.sens_note, "uncertainty": self.unc_note}[kind]
        note.setText("Cancelled." if message == "cancelled" else f"Not run: {message}")

    def _on_finished(self, kind: str, result) -> None:
        self.status.setCurrentWidget(self.stale)
        self.results[kind] = result
        getattr(self, f"_draw_{kind}")()
        doc = self.document
        if self._job_plan != (doc.plan, doc.scenario):  # edited while it ran
            self.stale.setText("The plan or scenario changed while this ran: run again to "
                               "update it.")

    # -- drawing -----------------------------------------------------------------------------
    def _draw_sweep(self) -> None:
        from planner_core.whatif.sweep import value_column

        if "sweep" not in self.results:
            return
        label, path, frame = self.results["sweep"]
        key = self.sweep_kpi.currentData()
        kpi_label, scale = CHART_KPIS[key]
        self.sweep_chart.show(frame, key, kpi_label, label, scale)
        n = len(frame)
        picks = np.unique(np.linspace(0, n - 1, min(n, TABLE_ROWS)).round().astype(int))
        self.sweep_table.setHorizontalHeaderLabels([value_column(path), *SWEEP_HEADERS[1:]])
        self.sweep_table.setRowCount(len(picks))
        for r, i in enumerate(picks):
            row = frame.iloc[int(i)]
            value = row["value"]
            cells = [f"{value:,.6g}" if isinstance(value, float | np.floating) else str(value),
                     *(show_kpi(k, row[k]) for k in SWEEP_FIGURES),
                     "yes" if row["meets_slo"] else "NO", row["reason"]]
            for c, text in enumerate(cells):
                item = cell(text, c < len(cells) - 2)
                if c == len(cells) - 1:
                    item.setToolTip(text)  # a long reason is cut off at the table's edge
                self.sweep_table.setItem(r, c, item)
        ok = int(frame["meets_slo"].sum())
        self.sweep_note.setText(f"{path}: {n:,} values, {ok:,} meet every SLO"
                                + (f" (table shows {len(picks)})" if len(picks) < n else ""))

    def _draw_optimize(self) -> None:
        workload, frame, _, _ = self.results["optimize"]
        meets = frame[frame["meets_slo"]]
        ok = meets[meets["within_site"]]
        shown = pd.concat([ok.head(100), ok[(ok["pick"] != "") & ~ok.index.isin(
            ok.head(100).index)]])
        self.opt_table.setRowCount(len(shown))
        for r, (index, row) in enumerate(shown.iterrows()):
            system = row["system"] + ("" if row["status"] == "shipping"
                                      else f" ({row['status']})")
            cells = [str(int(row["rank"])), system, row["engine"], row["precision"],
                     row["serving"], row["layout"], show_kpi("usd_per_m_output_tokens",
                                          row["usd_per_m_output_tokens"]),
                     show_kpi("utility_mw", row["site_utility_mw"]),
                     show_kpi("accelerators", row["accelerators"]),
                     show_kpi("ttft_p99_ms", row["ttft_p99_ms"]),
                     show_kpi("tpot_p99_ms", row["tpot_p99_ms"]), row["pick"]]
            for c, text in enumerate(cells):
                self.opt_table.setItem(r, c, cell(text, c in (0, 6, 7, 8, 9, 10), index))
        self.opt_chart.show(frame)
        front = int(ok["pareto"].sum())
        # Short enough for two lines at 1280 pixels; the definitions are in the tooltip.
        self.opt_note.setText(
            f"{workload}: {len(frame):,} options tried, {len(meets):,} meet every SLO"
            + (f", {len(ok):,} of them within the site's power" if len(ok) < len(meets)
               or not frame["within_site"].all() else "")
            + f"; {front} on the Pareto front (red). Select a row or a point, then Apply.")
        self.opt_note.setToolTip(
            self.opt_note.text() + "\n\nMeeting the SLOs: at the peak, with the pool's "
            "redundancy. The Pareto front: no other option is better on cost, latency "
            "(p99 TTFT + answer × p99 TPOT) and power at once.")
        if len(shown):
            self.opt_table.selectRow(0)

    def _option_applicable(self) -> bool:
        """An option is selected, the plan is still the one it was computed for, and the
        workload has a pool of its own for the option to replace."""
        rows = self.opt_table.selectionModel().selectedRows()
        if not (rows and "optimize" in self.results and self.document is not None
                and self.results["optimize"][2] is self.document.plan):
            return False
        workload, _, plan, scenario = self.results["optimize"]
        pools = [p for p in plan.variant(scenario).pools if workload in p.workloads]
        own = len(pools) == 1 and pools[0].workloads == [workload]
        self.opt_apply.setToolTip(
            "Adds a scenario in which the workload's pool is this option" if own else
            f"{workload} shares its pool with other workloads (or is served by several "
            "pools): an option can only replace a pool of its own")
        return own

    def _option_selection_changed(self) -> None:
        rows = self.opt_table.selectionModel().selectedRows()
        self.opt_apply.setEnabled(self._option_applicable())
        if rows:
            index = self.opt_table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
            self.opt_chart.show(self.results["optimize"][1], index)

    def _select_option(self, index: int) -> None:
        for r in range(self.opt_table.rowCount()):
            if self.opt_table.item(r, 0).data(Qt.ItemDataRole.UserRole) == index:
                self.opt_table.selectRow(r)
                self.opt_table.scrollToItem(self.opt_table.item(r, 0))
                return

    def selected_option(self):
        rows = self.opt_table.selectionModel().selectedRows()
        if not rows or "optimize" not in self.results:
            return None
        index = self.opt_table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return self.results["optimize"][1].loc[index]

    def _apply_selected(self) -> None:
        row = self.selected_option()
        if row is not None and self._option_applicable():
            workload, _, _, scenario = self.results["optimize"]
            self.applyRequested.emit(workload, row, scenario)

    def _draw_sensitivity(self) -> None:
        pct, kpi, frame = self.results["sensitivity"]
        label, scale = CHART_KPIS[kpi]
        scaled = frame.copy()
        for c in ("kpi_base", "kpi_low", "kpi_high", "swing"):
            scaled[c] = scaled[c] * scale
        if not len(scaled) or not np.isfinite(scaled["kpi_base"].iloc[0]):
            self.sens_chart.clear()
            self.sens_table.setRowCount(0)
            self.sens_note.setText(f"{label} has no value for the plan as it is (it serves no "
                                   "tokens, or nothing meets the SLOs): nothing to move.")
            return
        self.sens_chart.show(scaled, label, pct)
        self.sens_table.setRowCount(len(scaled))
        for r, (_, row) in enumerate(scaled.iterrows()):
            base = row["base_value"]
            cells = [row["label"], row["grade"],
                     f"{base:,.0f}" if abs(base) >= 1e4 else f"{base:,.4g}",
                     show_kpi(kpi, row["kpi_low"] / scale), show_kpi(kpi, row["kpi_high"] / scale),
                     f"{row['swing']:,.3g}"]
            for c, text in enumerate(cells):
                self.sens_table.setItem(r, c, cell(text, c >= 2))
        missed = scaled[~(scaled["meets_low"] & scaled["meets_high"])]
        self.sens_note.setText(
            f"Base: {show_kpi(kpi, scaled['kpi_base'].iloc[0] / scale)}. "
            + (f"{len(missed)} move(s) leave an SLO unmet: {', '.join(missed['label'][:4])}."
               if len(missed) else "Every move still meets the SLOs."))

    def _draw_uncertainty(self) -> None:
        bands = self.results["uncertainty"]
        self.unc_cost.show(bands, "usd_per_m_output_tokens", "$/M")
        self.unc_power.show(bands, "facility_mw_peak", "MW")
        self.unc_latency.show(bands, "tpot_p99_ms", "ms")
        today = bands.set_index("traffic_factor").loc[1.0]
        # Two lines at 1280 pixels: the spread's rule is in the tooltip.
        self.unc_note.setText(
            "Today's peak, P10 · P50 · P90: ${} · {} · {} per M output tokens; {} · {} · {} MW; "
            "p99 TPOT {} · {} · {} ms. {:.0%} of draws meet every SLO.".format(
                *(show_kpi("usd_per_m_output_tokens", today[f"usd_per_m_output_tokens_p{p}"])
                  for p in (10, 50, 90)),
                *(f"{today[f'facility_mw_peak_p{p}']:.3f}" for p in (10, 50, 90)),
                *(f"{today[f'tpot_p99_ms_p{p}']:.1f}" for p in (10, 50, 90)),
                today["feasible_share"]))
        self.unc_note.setToolTip(self.unc_note.text() + "\n\nEach catalog and facility figure "
                                 "is drawn around its value with a spread set by its source "
                                 "grade (P 3% … claim 30%).")

    def run_and_wait(self, kind: str, timeout_ms: int = 120_000) -> bool:
        """Runs one page's job with its current settings and waits (screenshots, scripts)."""
        from PySide6.QtCore import QEventLoop, QTimer

        pages = ["sweep", "optimize", "sensitivity", "uncertainty"]
        self.tabs.setCurrentIndex(pages.index(kind))
        if self._inputs_dirty:
            self._fill_inputs()
        loop = QEventLoop()
        self.runner.finished.connect(loop.quit)
        self.runner.failed.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        getattr(self, f"run_{kind}")()
        if self.runner.running:
            loop.exec()
        self.runner.finished.disconnect(loop.quit)
        self.runner.failed.disconnect(loop.quit)
        return kind in self.results

    def shutdown(self) -> None:
        self.runner.shutdown()
