"""The Roadmap tab: the plan's timeline (periods, demand paths, power phases, options) edited
as undo steps, the roadmap run on a worker thread (progress, Cancel), the strategies side by
side with their charts, *Apply* writing the chosen purchases into the timeline, *Save as
scenarios* storing each strategy as a scenario of the plan, and *Compare scenarios* running
every scenario's own sequence side by side."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.charts.roadmap_charts import RoadmapCharts
from app.window.whatif_runner import WhatIfRunner
from app.window.widgets.fields import spin
from app.window.widgets.list_table import ListTable
from planner_core import PlannerError

DEMAND = [("workload", "Workload", None), ("growth_per_year", "Peak ×/yr", 2),
          ("input_tokens_growth_per_year", "Prompt ×/yr", 2),
          ("output_tokens_growth_per_year", "Answer ×/yr", 2)]
POWER = [("start", "From", None), ("utility_mw", "Utility MW", 1)]
OPTIONS = [("name", "Option", None), ("pool", "Like pool", None),
           ("system", "System (empty: the pool's)", None), ("tp", "TP", 0), ("ep", "EP", 0),
           ("price_decline_per_year", "Price fall/yr", 2)]


class RoadmapPanel(QWidget):
    ran = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc = None
        self.strategies: list = []
        self._ran_for = None  # the plan the strategies were computed for
        self.compared = False  # the strategies are the plan's scenarios, one each
        self.runner = WhatIfRunner(self)
        self.runner.progressed.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        refused = self._refuse
        self.none = QLabel("This plan is one snapshot: it has no timeline yet.")
        self.create = QPushButton("Add a timeline")
        self.create.clicked.connect(self._create)
        self.start = QLineEdit()
        self.start.setPlaceholderText("2026-01")
        self.start.setMaximumWidth(110)
        self.start.editingFinished.connect(lambda: self._set("start", self.start.text().strip()))
        self.period = QComboBox()
        self.period.addItem("years", "year")
        self.period.addItem("quarters", "quarter")
        self.period.currentIndexChanged.connect(
            lambda _i: self._set("period", self.period.currentData()))
        self.periods = spin(1, 40, tip="Periods in the timeline (at most ten years)")
        self.periods.valueChanged.connect(lambda v: self._set("periods", int(v)))
        self.retire = spin(0, 20, 1, 0.5, " years", special="after amortization",
                           tip="Systems retire this long after they are bought (nothing is "
                           "recovered); 'after amortization' = the facility's amortization "
                           "period")
        self.retire.valueChanged.connect(lambda v: self._set(
            "retire_after_years", None if v == self.retire.minimum() else float(v)))
        self.refresh_policy = QComboBox()
        self.refresh_policy.addItem("at an age", "age")
        self.refresh_policy.addItem("while they earn", "earns")
        self.refresh_policy.setToolTip(
            "While they earn: past their write-off, systems stay while running them costs "
            "less per request than the best option on sale would (the age, if set, is then "
            "the latest)")
        self.refresh_policy.currentIndexChanged.connect(
            lambda _i: self._set("refresh", self.refresh_policy.currentData()))
        self.hardware = QLabel("")
        self.hardware.setWordWrap(True)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.start)
        row.addWidget(self.periods)
        row.addWidget(self.period)
        row.addStretch(1)
        form.addRow("Starts, runs for", row)
        retire = QHBoxLayout()
        retire.addWidget(self.refresh_policy)
        retire.addWidget(self.retire)
        retire.addStretch(1)
        form.addRow("Retire", retire)
        form.addRow("Hardware", self.hardware)
        self.demand = ListTable("Demand paths", "", DEMAND, {"growth_per_year"},
                                self._new_demand, lambda r, t: self._set("demand", r, t),
                                refused)
        self.power = ListTable("Power phases", "Utility MW from each month (YYYY-MM) on; "
                               "none: the site's limit throughout.", POWER, {"utility_mw"},
                               self._new_phase, lambda r, t: self._set("power", r, t), refused)
        self.options = ListTable("Options to buy", "", OPTIONS, set(), self._new_option,
                                 lambda r, t: self._set("options", r, t), refused)
        editor = QWidget()
        grid = QGridLayout(editor)
        grid.addWidget(self.none, 0, 0)
        grid.addWidget(self.create, 0, 1)
        grid.addLayout(form, 1, 0, 1, 2)
        grid.addWidget(self.demand, 2, 0)
        grid.addWidget(self.power, 2, 1)
        grid.addWidget(self.options, 3, 0, 1, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(editor)
        self.run_button = QPushButton("Run the roadmap")
        self.run_button.clicked.connect(self.run)
        self.apply_button = QPushButton("Apply purchases")
        self.apply_button.setToolTip("Apply the chosen purchases: writes the chosen sequence "
                                     "into the timeline's purchases (one undo step)")
        self.apply_button.clicked.connect(self.apply_chosen)
        self.save_button = QPushButton("Save as scenarios")
        self.save_button.setToolTip(
            "Adds one scenario per strategy (the same sequences once), each storing the "
            "strategy's purchases in its timeline (one undo step); Compare scenarios then "
            "runs them side by side with the plan's other what-ifs")
        self.save_button.clicked.connect(self.save_as_scenarios)
        self.compare_button = QPushButton("Compare scenarios")
        self.compare_button.setToolTip(
            "Runs every scenario with a timeline: its stored purchases as they are, or where "
            "it stores none, the sequence chosen for it")
        self.compare_button.clicked.connect(lambda: self.run(scenarios=True))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        bar = QHBoxLayout()
        for w in (self.run_button, self.compare_button, self.apply_button, self.save_button,
                  self.progress, self.cancel_button):
            bar.addWidget(w)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["strategy", "NPV of cost $M", "meets",
                                              "purchases"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.charts = RoadmapCharts()
        results = QSplitter(Qt.Orientation.Vertical)
        results.addWidget(self.table)
        results.addWidget(self.charts)
        results.setSizes([120, 400])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(results)
        split.setSizes([260, 520])
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.note)
        lay.addWidget(split, 1)
        self._busy(False)

    # -- the plan ----------------------------------------------------------------------------
    def set_document(self, doc) -> None:
        self.runner.discard()
        self.doc = doc
        self.strategies, self._ran_for, self.compared = [], None, False
        self.table.setRowCount(0)
        self.charts.clear()
        self.note.setText("")
        doc.planChanged.connect(self.refresh)
        doc.scenarioChanged.connect(lambda _n: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if self.doc is None:
            return
        t = self.doc.view_plan().timeline
        has = t is not None
        for w in (self.start, self.period, self.periods, self.refresh_policy, self.retire,
                  self.demand, self.power, self.options, self.run_button):
            w.setEnabled(has)
        self.compare_button.setEnabled(self.run_button.isEnabled() or self._other_timelines())
        self.none.setVisible(not has)
        self.create.setVisible(not has)
        fresh = bool(self.strategies) and self._current() and not self.compared
        self.apply_button.setEnabled(fresh)
        self.save_button.setEnabled(fresh)
        if not has:
            for table in (self.demand, self.power, self.options):
                table.show_rows([])
            return
        for w, value in ((self.start, t.start),):
            w.setText(value)
        was = self.period.blockSignals(True)
        self.period.setCurrentIndex(self.period.findData(t.period))
        self.period.blockSignals(was)
        was = self.periods.blockSignals(True)
        self.periods.setValue(t.periods)
        self.periods.blockSignals(was)
        was = self.refresh_policy.blockSignals(True)
        self.refresh_policy.setCurrentIndex(self.refresh_policy.findData(t.refresh))
        self.refresh_policy.blockSignals(was)
        was = self.retire.blockSignals(True)
        self.retire.setValue(self.retire.minimum() if t.retire_after_years is None
                             else t.retire_after_years)
        self.retire.blockSignals(was)
        self.hardware.setText(self._hardware(t))
        self.demand.show_rows([d.model_dump(mode="json") for d in t.demand])
        self.power.show_rows([p.model_dump(mode="json") for p in t.power])
        self.options.show_rows([o.model_dump(mode="json") for o in t.options])
        if self.strategies and not self._current():
            self.note.setText("The plan has changed since this roadmap was run: run it again.")

    def _hardware(self, t) -> str:
        """Each option's system: whether it ships, from when, and how firm that is."""
        plan, lines = self.doc.view_plan(), []
        pools = {p.name: p for p in plan.pools}
        for o in t.options:
            try:
                sys_ = self.doc.catalog.system(o.system or pools[o.pool].system)
            except PlannerError as exc:  # an unknown id: say so here too
                lines.append(f"{o.name}: {exc}")
                continue
            when = (f"from {sys_.available_from.value} [{sys_.available_from.grade}]"
                    if sys_.available_from else "available now")
            lines.append(f"{o.name}: {sys_.name}, {sys_.status}, {when}")
        return "<br>".join(lines)

    def _other_timelines(self) -> bool:
        """Whether some scenario may have a timeline to run, read off the plan without
        applying every scenario's overrides on each edit (Compare scenarios checks exactly)."""
        plan = self.doc.plan
        return bool(plan.timeline and plan.timeline.options) or any(
            k == "timeline" or k.startswith("timeline.")
            for s in plan.scenarios for k in s.overrides)

    def _current(self) -> bool:
        return self._ran_for == (self.doc.plan, self.doc.scenario)

    def _set(self, field: str, value, text: str | None = None) -> None:
        if self.doc is not None and self.doc.view_plan().timeline is not None:
            self.doc.edit(f"timeline.{field}", value, text or f"Set the timeline's {field}")

    def _refuse(self, message: str) -> None:
        if self.doc is not None:
            self.doc.editRefused.emit(message)

    def _create(self) -> None:
        plan = self.doc.view_plan()
        timeline = {"start": f"{date.today().year}-01", "period": "year", "periods": 5,
                    "demand": [{"workload": w.name} for w in plan.workloads],
                    "options": [{"name": p.name[:72], "pool": p.name} for p in plan.pools]}
        self.doc.edit("timeline", timeline, "Add a timeline")

    def _new_demand(self, rows: list[dict]) -> dict:
        listed = {r["workload"] for r in rows}
        free = [w.name for w in self.doc.view_plan().workloads if w.name not in listed]
        return {"workload": free[0] if free else "", "growth_per_year": 1.0}

    def _new_phase(self, rows: list[dict]) -> dict:
        t = self.doc.view_plan().timeline
        return {"start": rows[-1]["start"] if rows else t.start,
                "utility_mw": (rows[-1]["utility_mw"] * 2) if rows else 10.0}

    def _new_option(self, rows: list[dict]) -> dict:
        pool = self.doc.view_plan().pools[0].name
        taken = {r["name"] for r in rows}
        n = len(rows) + 1
        while f"option {n}" in taken:
            n += 1
        return {"name": f"option {n}", "pool": pool}

    # -- running -----------------------------------------------------------------------------
    def run(self, scenarios: bool = False) -> None:
        from planner_core.engine.calibration import for_plan
        from planner_core.roadmap.scenarios import compare, scenario_names
        from planner_core.roadmap.search import choose

        plan, scenario, catalog = self.doc.plan, self.doc.scenario, self.doc.catalog
        variant = plan.variant(scenario)
        if scenarios and not scenario_names(plan):
            self.note.setText("Not run: no scenario has a timeline with options to buy.")
            return
        if not scenarios and (variant.timeline is None or not variant.timeline.options):
            self.note.setText("Not run: the timeline has no options to buy.")
            return
        self._pending = (plan, scenario)
        self._busy(True)
        if scenarios:
            self.note.setText("Running every scenario's roadmap…")
            self.runner.start("scenarios", lambda report: compare(
                plan, catalog, lambda v: for_plan(v, None), report))
        else:
            self.note.setText("Running the roadmap…")
            self.runner.start("roadmap", lambda report: choose(
                variant, catalog, for_plan(variant, None), progress=report))

    def run_and_wait(self) -> None:
        """Runs the roadmap on the GUI thread (a screenshot's picture needs the result)."""
        from planner_core.engine.calibration import for_plan
        from planner_core.roadmap.search import choose

        variant = self.doc.plan.variant(self.doc.scenario)
        if variant.timeline is None or not variant.timeline.options:
            return
        self._pending = (self.doc.plan, self.doc.scenario)
        self._finished("roadmap", choose(variant, self.doc.catalog, for_plan(variant, None)))

    def _busy(self, on: bool) -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        self.run_button.setEnabled(not on and self.doc is not None
                                   and self.doc.view_plan().timeline is not None)
        self.compare_button.setEnabled(not on and self.doc is not None
                                       and self._other_timelines())

    def _progress(self, fraction: float, label: str) -> None:
        self.progress.setValue(int(1000 * fraction))
        self.note.setText(label)

    def _failed(self, _kind: str, message: str) -> None:
        self._busy(False)
        self.note.setText("Cancelled." if message == "cancelled" else f"Not run: {message}")

    def _finished(self, kind: str, strategies) -> None:
        self._busy(False)
        self.strategies, self._ran_for = strategies, self._pending
        self.compared = kind == "scenarios"
        self.table.setHorizontalHeaderItem(0, QTableWidgetItem(
            "scenario (its sequence)" if self.compared else "strategy"))
        self.table.setRowCount(len(strategies))
        for r, s in enumerate(strategies):
            cells = [f"{s.name} ({s.basis})" if s.basis else s.name,
                     f"{s.run.npv_usd / 1e6:,.1f}", "yes" if s.run.meets else "NO",
                     "; ".join(f"{s.run.rows[b.period].period.label}: {b.systems:,} × "
                               f"{b.option}" for b in s.purchases) or "none"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(text)  # a long sequence of purchases is elided in its cell
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.charts.show(strategies, "scenario" if self.compared else "strategy")
        chosen = strategies[0] if strategies else None
        if self.compared:
            short = [s.name for s in strategies if not s.run.meets]
            self.note.setText(
                f"{len(strategies)} scenarios, each with its stored purchases or the sequence "
                "chosen for it; " + (f"falling short in some period: {', '.join(short)}."
                                     if short else "every one meets every period."))
        else:
            self.note.setText(
                "No option can be bought." if chosen is None else
                f"Chosen: NPV ${chosen.run.npv_usd / 1e6:,.1f}M, "
                + ("meets every period's demand within its power."
                   if chosen.run.meets else "no sequence meets every period: see the table."))
        self.apply_button.setEnabled(chosen is not None and not self.compared)
        self.save_button.setEnabled(chosen is not None and not self.compared)
        self.ran.emit()

    def apply_chosen(self) -> None:
        if not self.strategies or not self._current() or self.compared:
            return
        buys = [b.model_dump(mode="json") for b in self.strategies[0].purchases]
        self.doc.edit("timeline.purchases", buys, "Apply the roadmap's chosen purchases")

    def save_as_scenarios(self) -> None:
        from planner_core.roadmap.scenarios import saved_as_scenarios

        if not self.strategies or not self._current() or self.compared:
            return
        strategies, like = self.strategies, self.doc.scenario
        self.doc.apply(lambda plan: saved_as_scenarios(plan, strategies, like),
                       "Save the roadmap's strategies as scenarios")

    def shutdown(self) -> None:
        self.runner.shutdown()
