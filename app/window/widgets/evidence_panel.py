"""The Evidence panel: how far to trust the plan's numbers, and your own measurements.

Import benchmark files (the command line's ``measurements import``, with the hardware and
what else the files do not say chosen from the catalog), see them measured against predicted
with the error per group, fit a calibration profile on them, and apply it to the plan (one
undo step; Undo takes it off). "Check built-in" predicts the shipped published
cases the same way. Predictions use the plan on show, its profile included.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.charts.evidence_chart import EvidenceChart
from app.window.messages import warn
from planner_core import PlannerError

GROUP_COLUMNS = [("system", "Accelerator"), ("model", "Model"), ("engine", "Engine"),
                 ("metric", "Metric"), ("count", "Cases"), ("median_abs_error_pct", "p50 |err|"),
                 ("worst_abs_error_pct", "max |err|"), ("median_error_pct", "Bias")]
SHIPPED = ("calibration_cases.csv", "calibration_cases_more.csv", "power_cases.csv")


class Cancelled(Exception):
    """The user pressed Cancel in a progress dialog."""


class HintsDialog(QDialog):
    """What the files do not say: the hardware (always), and model, engine, layout and
    lengths where a format lacks them ("as the file says" leaves them to the file)."""

    def __init__(self, catalog, parent=None):
        super().__init__(parent)
        self.setWindowTitle("What ran these benchmarks?")
        form = QFormLayout(self)
        self.system = QComboBox()
        for ident, s in sorted(catalog.systems.items(), key=lambda kv: kv[1].name):
            self.system.addItem(f"{s.name} (system)", ident)
        for ident, a in sorted(catalog.accelerators.items(), key=lambda kv: kv[1].name):
            self.system.addItem(f"{a.name} (accelerator)", ident)
        self.model = QComboBox()
        self.model.addItem("as the file says", None)
        for ident, m in sorted(catalog.models.items(), key=lambda kv: kv[1].name):
            self.model.addItem(m.name, ident)
        self.engine = QComboBox()
        self.engine.addItem("as the file says", None)
        for ident, name in (("trtllm", "TensorRT-LLM"), ("vllm", "vLLM"), ("sglang", "SGLang"),
                            ("vendor", "the vendor's own stack")):
            self.engine.addItem(name, ident)
        self.tp = _spin(0, 1024, "as the file says")
        self.concurrency = _spin(0, 100_000, "as the file says")
        self.isl = _spin(0, 10_000_000, "as the file says")
        self.osl = _spin(0, 10_000_000, "as the file says")
        form.addRow("Hardware", self.system)
        form.addRow("Model", self.model)
        form.addRow("Serving engine", self.engine)
        form.addRow("Tensor parallel", self.tp)
        form.addRow("Concurrency (trtllm-bench)", self.concurrency)
        form.addRow("Prompt tokens (MLPerf)", self.isl)
        form.addRow("Output tokens (MLPerf)", self.osl)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def hints(self):
        from planner_core.evidence.imports import Hints

        def value(spin):
            return spin.value() or None

        return Hints(system=self.system.currentData(), model=self.model.currentData(),
                     engine=self.engine.currentData(), tp=value(self.tp),
                     concurrency=value(self.concurrency), isl=value(self.isl),
                     osl=value(self.osl))


def _spin(lo: int, hi: int, special: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setSpecialValueText(special)
    box.setGroupSeparatorShown(True)
    return box


class EvidencePanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.document = None
        self.cases = pd.DataFrame()  # imported cases, in the case columns
        self.profile: dict | None = None  # fitted, not yet (or already) applied
        self.table = pd.DataFrame()  # the validation rows on show
        self._shown_key = None  # (plan, scenario, what is shown) the table was computed for
        self._showing = "imported"
        layout = QVBoxLayout(self)
        self.basis = QLabel()
        self.basis.setWordWrap(True)
        self.basis.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.basis)
        row = QHBoxLayout()
        # Short labels, the detail in tooltips: the row must leave the editors beside the
        # panel their width at 1280 pixels.
        self.import_btn = QPushButton("Import benchmarks…")
        self.import_btn.setToolTip("Import benchmark files: vLLM / SGLang bench_serving, "
                                   "genai-perf / AIPerf, GuideLLM, trtllm-bench, MLPerf "
                                   "summaries, case CSVs")
        self.import_btn.clicked.connect(self._choose_files)
        self.builtin_btn = QPushButton("Check built-in")
        self.builtin_btn.setToolTip("Check the built-in measurements: predict the published "
                                    "measurements the built-in "
                                    "calibration was fitted on, with this plan's calibration")
        self.builtin_btn.clicked.connect(self.show_builtin)
        self.fit_btn = QPushButton("Fit profile")
        self.fit_btn.setToolTip("Fit the imported cases' engine × accelerator families on top "
                                "of the built-in calibration")
        self.fit_btn.clicked.connect(self.fit)
        self.apply_btn = QPushButton("Apply to plan")
        self.apply_btn.clicked.connect(self.apply_profile)
        self.remove_btn = QPushButton("Use built-in")
        self.remove_btn.setToolTip("Take the plan's calibration profile off")
        self.remove_btn.clicked.connect(self.remove_profile)
        for b in (self.import_btn, self.builtin_btn, self.fit_btn, self.apply_btn,
                  self.remove_btn):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Vertical)
        self.chart = EvidenceChart()
        split.addWidget(self.chart)
        self.groups = QTableWidget(0, len(GROUP_COLUMNS))
        self.groups.setHorizontalHeaderLabels([c[1] for c in GROUP_COLUMNS])
        self.groups.verticalHeader().setVisible(False)
        self.groups.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.groups.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.groups)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self._update_buttons()

    # -- document ----------------------------------------------------------------------------
    def set_document(self, doc) -> None:
        self.document = doc
        self._shown_key = None
        doc.planChanged.connect(self._plan_changed)
        doc.scenarioChanged.connect(lambda _n: self._plan_changed())
        self._plan_changed()

    def _plan_changed(self) -> None:
        doc = self.document
        if doc is None:
            return
        ref = doc.view_plan().calibration_profile
        self.basis.setText(
            "This plan's numbers use the built-in calibration." if ref is None else
            f"This plan's numbers use calibration profile {ref.name!r} (sha256 "
            f"{ref.sha256[:12]}…) on top of the built-in calibration: "
            f"{', '.join(ref.profile.get('fits', {}))}.")
        self._update_buttons()
        # Imported cases are few: they follow the plan's calibration at once. The built-in
        # ones (hundreds, with a progress dialog) wait until the panel is shown.
        if self.isVisible() or self._showing == "imported":
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def _update_buttons(self) -> None:
        doc = self.document
        has_profile = doc is not None and doc.view_plan().calibration_profile is not None
        self.fit_btn.setEnabled(len(self.cases) > 0)
        self.apply_btn.setEnabled(self.profile is not None)
        self.remove_btn.setEnabled(has_profile)

    # -- importing ---------------------------------------------------------------------------
    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import benchmark results", "",
            "Benchmark results (*.json *.jsonl *.csv *.txt);;All files (*)")
        if not paths or self.document is None:
            return
        dialog = HintsDialog(self.document.catalog, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.import_files([Path(p) for p in paths], dialog.hints())

    def import_files(self, paths: list[Path], hints) -> bool:
        """Reads the files into the panel's cases; a failure says why and adds nothing."""
        from planner_core.evidence.imports import import_measurements

        try:
            result = import_measurements(paths, hints, self.document.catalog)
        except PlannerError as exc:
            warn(self, "Cannot import", str(exc))
            return False
        new = result.cases
        if len(self.cases):
            kept = self.cases[~self.cases["case_id"].isin(new["case_id"])]
            new = pd.concat([kept, new], ignore_index=True)
        self.cases = new
        self.profile = None
        self.status.setText(f"{len(result.cases)} case(s) imported from "
                            f"{len(result.formats)} file(s); {len(self.cases)} in all. "
                            + " ".join(f"{n}." for n in result.notes[:4]))
        self._showing = "imported"
        self._shown_key = None
        self._update_buttons()
        self.refresh()
        return True

    # -- predicting --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Predicts the cases on show with the plan's calibration, if anything changed."""
        doc = self.document
        if doc is None:
            return
        ref = doc.view_plan().calibration_profile
        key = (ref.sha256 if ref else None, self._showing, len(self.cases))
        if key == self._shown_key:
            return
        self._shown_key = key
        if self._showing == "built-in":
            self.show_builtin()
            return
        self.table = self._validate([self._cases_file()] if len(self.cases) else [])
        self._draw()

    def show_builtin(self) -> None:
        from planner_core.resources import resource_path

        self._showing = "built-in"
        ref = self.document.view_plan().calibration_profile
        self._shown_key = (ref.sha256 if ref else None, self._showing, len(self.cases))
        self.table = self._validate([resource_path(n) for n in SHIPPED], progress=True)
        self._draw()

    def show_group(self, accelerator: str, engine: str) -> None:
        """Selects the groups of ``accelerator`` under ``engine`` (the built-in measurements
        when nothing is imported); says so where there are none."""
        if not len(self.cases) and self._showing != "built-in":
            self.show_builtin()
        from planner_core.engine.replica import resolve

        def family(ident: str) -> str:
            try:
                return resolve(self.document.catalog, ident)[0].family
            except PlannerError:
                return ""

        # The calibration is per accelerator family: a GB200 pool rests on B200 cases.
        mine = family(accelerator)
        self.groups.clearSelection()
        self.groups.setSelectionMode(QTableWidget.SelectionMode.MultiSelection)
        found = 0
        for r in range(self.groups.rowCount()):
            if family(self.groups.item(r, 0).text()) == mine and \
                    self.groups.item(r, 2).text() == engine:
                self.groups.selectRow(r)
                if not found:
                    self.groups.scrollToItem(self.groups.item(r, 0))
                found += 1
        self.groups.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)
        self.status.setText(
            f"{found} group(s) of the {mine} family ({accelerator}'s) under {engine} selected "
            "below." if found else
            f"No measurement of the {mine} family ({accelerator}'s) under {engine}: its "
            "figures rest on another pair's fit (see the pool's basis). Import your own "
            "benchmark files to calibrate it.")

    def _calibration(self):
        from planner_core.engine.calibration import for_plan

        doc = self.document
        return for_plan(doc.view_plan(), doc.calibration)

    def _validate(self, paths: list[Path], progress: bool = False) -> pd.DataFrame:
        from planner_core.evidence.validation import validate_cases

        if not paths:
            return pd.DataFrame()
        cal = self._calibration()
        dialog = _progress(self, "Predicting measurements…") if progress else None
        frames = []
        try:
            for i, path in enumerate(paths):
                def step(f, i=i):
                    if dialog is not None:
                        dialog.setValue(int(100 * (i + f) / len(paths)))
                        if dialog.wasCanceled():
                            raise Cancelled

                frames.append(validate_cases(path, self.document.catalog, cal,
                                             progress=step).table)
        except Cancelled:
            self.status.setText("Cancelled: nothing predicted.")
            return self.table
        except PlannerError as exc:
            warn(self, "Cannot predict these cases", str(exc))
            return pd.DataFrame()
        finally:
            if dialog is not None:
                dialog.close()
        return pd.concat(frames, ignore_index=True)

    def _cases_file(self) -> Path:
        self._tmp = getattr(self, "_tmp", None) or tempfile.TemporaryDirectory(
            prefix="inference-planner-evidence-")
        path = Path(self._tmp.name) / "imported.csv"
        self.cases.to_csv(path, index=False)
        return path

    def _draw(self) -> None:
        t = self.table
        self.chart.show(t if len(t) else pd.DataFrame(columns=[
            "case_id", "system", "metric", "measured", "predicted", "error_pct"]))
        self.groups.setRowCount(0)
        if not len(t):
            return
        from planner_core.evidence.validation import GROUP_BY

        g = t.assign(abs_error_pct=t["error_pct"].abs()).groupby(GROUP_BY, sort=True).agg(
            count=("abs_error_pct", "size"),
            median_abs_error_pct=("abs_error_pct", "median"),
            worst_abs_error_pct=("abs_error_pct", "max"),
            median_error_pct=("error_pct", "median")).reset_index()
        self.groups.setRowCount(len(g))
        for r, row in enumerate(g.itertuples(index=False)):
            for c, (key, _title) in enumerate(GROUP_COLUMNS):
                value = getattr(row, key)
                if key == "count":
                    text = f"{value:,}"
                elif key.endswith("_pct"):
                    text = "—" if value != value else (
                        f"{value:+.1f} %" if key == "median_error_pct" else f"{value:.1f} %")
                else:
                    text = str(value)
                item = QTableWidgetItem(text)
                if key == "count" or key.endswith("_pct"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.groups.setItem(r, c, item)

    # -- fitting and applying ----------------------------------------------------------------
    def fit(self) -> bool:
        """Fits a profile on the imported cases (progress, Cancel)."""
        from planner_core.evidence.profile import fit_profile

        if not len(self.cases):
            return False
        dialog = _progress(self, "Fitting the calibration profile…")

        def step(pair, f):
            dialog.setLabelText(f"Fitting {pair}…")
            dialog.setValue(int(100 * f))
            if dialog.wasCanceled():
                raise Cancelled

        try:
            name = f"{len(self.cases)} imported cases"
            self.profile = fit_profile([self._cases_file()], name,
                                       base=self.document.calibration,
                                       catalog=self.document.catalog, progress=step)
        except Cancelled:
            self.status.setText("Fitting cancelled: no profile.")
            return False
        except PlannerError as exc:
            warn(self, "Cannot fit a profile", str(exc))
            return False
        finally:
            dialog.close()
        lines = [f"{pair}: median |error| {fit['before_median_abs_error_pct']:.1f} % → "
                 f"{fit['median_abs_error_pct']:.1f} % on {len(fit['cases'])} cases"
                 for pair, fit in self.profile["fits"].items()]
        self.status.setText("Profile fitted. " + "; ".join(lines)
                            + ". Apply it to use it in the plan.")
        self._update_buttons()
        return True

    def apply_profile(self) -> bool:
        from planner_core.evidence.profile import plan_reference

        if self.profile is None or self.document is None:
            return False
        ref = plan_reference(self.profile)
        return self.document.edit("calibration_profile", ref,
                                  f"Apply calibration profile {ref['name']!r}")

    def remove_profile(self) -> bool:
        if self.document is None:
            return False
        return self.document.edit("calibration_profile", None, "Use the built-in calibration")


def _progress(parent, text: str) -> QProgressDialog:
    dialog = QProgressDialog(text, "Cancel", 0, 100, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setValue(0)
    return dialog
