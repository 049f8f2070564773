"""The File menu's work: new, open, recent, save, export, and recovery after a crash.

A mixin of MainWindow (which provides ``document``, ``catalog``, ``_set_document`` and the
status bar), kept apart because it is about files, not about showing a plan. Every failure
ends in a dialog naming the file and the problem; the open plan is never replaced by a plan
that failed to load, and a failed save or export changes nothing on disk.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
)

from app.window import recent_files
from app.window.autosave import Autosave, orphaned_copies, remove_copy
from app.window.document import Document
from app.window.messages import warn
from planner_core import PlannerError
from planner_core.plan import edits
from planner_core.plan.storage import check_against_catalog, read_plan
from planner_core.resources import resource_path

PLAN_FILTER = "Plans (*.json);;All files (*)"


def example_files() -> list[Path]:
    return sorted(resource_path("examples").glob("*.json"))


class PlanFiles:
    """File menu actions and the unsaved-changes question (mixed into MainWindow)."""

    def _build_file_menu(self, bar) -> None:
        keys = QKeySequence.StandardKey
        menu = bar.addMenu("&File")
        self.new_act = self._action("&New Plan", self._on_new, keys.New,
                                    "A new plan with one workload and one pool to start from")
        self.open_act = self._action("&Open…", self._on_open, keys.Open)
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = QMenu("Open &Example", self)
        for path in example_files():
            self.examples_menu.addAction(self._action(
                _plan_title(path), lambda _c=False, p=path: self._on_example(p)))
        self.save_act = self._action("&Save", self.save, keys.Save)
        self.save_as_act = self._action("Save &As…", self.save_as, keys.SaveAs)
        self.export_csv_act = self._action(
            "Export &CSV…", self.export_csv,
            tip="Results per scenario, pool and workload as a spreadsheet table")
        self.export_pdf_act = self._action(
            "Export &PDF Report…", self.export_pdf, QKeySequence("Ctrl+P"),
            "A report to hand on: KPIs, fleet, latency, power, cost, charts, sources")
        menu.addActions([self.new_act, self.open_act])
        menu.addMenu(self.recent_menu)
        menu.addMenu(self.examples_menu)
        menu.addSeparator()
        menu.addActions([self.save_act, self.save_as_act])
        menu.addSeparator()
        menu.addActions([self.export_csv_act, self.export_pdf_act])
        menu.addSeparator()
        menu.addAction(self._action("&Quit", self.close, keys.Quit))
        self.autosave = Autosave(self)

    # -- opening -----------------------------------------------------------------------------
    def open_example(self, path: Path | None = None) -> None:
        """Opens a built-in example as an unsaved plan (Save asks where to put it)."""
        path = path or resource_path("examples", self.EXAMPLE_PLAN)
        self._set_document(Document(self.catalog, read_plan(path, self.catalog), None, self))

    def _on_example(self, path: Path) -> None:
        if self._may_discard():
            self.open_example(path)

    def _on_new(self) -> None:
        if self._may_discard():
            self._set_document(Document(self.catalog, edits.new_plan(), None, self))
            self.show_panel("workloads")

    def open_plan(self, path: Path, interactive: bool = True) -> bool:
        """Opens a plan; a broken file leaves the open plan as it was and says why."""
        try:
            doc = Document.open(self.catalog, path, self)
        except Exception as exc:  # a bug reading some file must not take the window down
            why = str(exc) if isinstance(exc, PlannerError) else \
                f"{path}: internal error ({type(exc).__name__}: {exc})"
            if interactive:
                warn(self, "Cannot open plan", f"{why}\n\nThe plan that was open is unchanged.")
            else:
                print(f"inference-planner: cannot open plan: {why}", file=sys.stderr)
            return False
        self._set_document(doc)
        recent_files.remember(path)
        return True

    def _on_open(self) -> None:
        if not self._may_discard():
            return
        start = str(self.document.path.parent) if self.document and self.document.path else ""
        name, _ = QFileDialog.getOpenFileName(self, "Open plan", start, PLAN_FILTER)
        if name:
            self.open_plan(Path(name))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = recent_files.recent_paths()
        for i, path in enumerate(paths, 1):
            act = self.recent_menu.addAction(f"&{i % 10} {path.name}  —  {path.parent}")
            act.setToolTip(str(path))
            act.triggered.connect(lambda _c=False, p=path: self._open_recent(p))
        if not paths:
            self.recent_menu.addAction("No recent plans").setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("&Clear Menu", recent_files.clear)
        clear.setEnabled(bool(paths))

    def _open_recent(self, path: Path) -> None:
        if not path.exists():
            warn(self, "Cannot open plan",
                 f"{path} no longer exists; it is removed from the list.")
            recent_files.forget(path)
            return
        if self._may_discard():
            self.open_plan(path)

    # -- saving ------------------------------------------------------------------------------
    @staticmethod
    def _commit_typing() -> None:
        """Takes a value still being typed (spin boxes edit on Enter or focus out) first."""
        focus = QApplication.focusWidget()
        if isinstance(focus, QAbstractSpinBox | QLineEdit):
            focus.clearFocus()

    def save(self) -> bool:
        self._commit_typing()
        doc = self.document
        if doc is None:
            return False
        if doc.path is None:
            return self.save_as()
        return self._write(doc.path)

    def save_as(self) -> bool:
        doc = self.document
        if doc is None:
            return False
        self._commit_typing()
        path = self._ask_target("Save plan", ".json", "Plans (*.json)")
        return self._write(path) if path else False

    def _ask_target(self, title: str, suffix: str, filters: str) -> Path | None:
        doc = self.document
        stem = doc.path.stem if doc.path else _safe_stem(doc.plan.name)
        folder = doc.path.parent if doc.path else Path.home()
        name, _ = QFileDialog.getSaveFileName(self, title, str(folder / f"{stem}{suffix}"),
                                              filters)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _write(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except PlannerError as exc:
            warn(self, "Cannot save plan",
                 f"{exc}\n\nNothing was overwritten; the plan is still open "
                 "with its changes.")
            return False
        self.autosave.discard()
        recent_files.remember(path)
        self._update_title()
        self.statusBar().showMessage(f"Saved {path} (the previous version is {path.name}.bak)"
                                     if path.with_name(path.name + ".bak").exists()
                                     else f"Saved {path}", 8000)
        return True

    def _may_discard(self) -> bool:
        """Asks before unsaved changes would be lost; True when it is fine to go on."""
        self._commit_typing()
        doc = self.document
        if doc is None or not doc.modified or not self.ask_before_discarding:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to “{self._title()}” first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -- exporting ---------------------------------------------------------------------------
    def _fresh_results(self):
        """All scenarios' results for the plan as it is now, or None after saying why not."""
        self._commit_typing()
        doc = self.document
        if doc is None:
            return None
        if doc.results is None or not doc.results_complete or doc.busy:
            doc.evaluate_now()
        if doc.results is None or doc.last_error:
            warn(self, "Cannot export",
                 f"The plan cannot be evaluated: {doc.last_error}")
            return None
        return doc.results

    def export_csv(self, path: Path | None = None) -> bool:
        results = self._fresh_results()
        if results is None:
            return False
        path = path or self._ask_target("Export CSV", ".csv", "CSV (*.csv)")
        if not path:
            return False
        from planner_core.exports.results_csv import write_results_csv

        try:
            table = write_results_csv(path, results)
        except PlannerError as exc:
            warn(self, "Cannot export CSV", f"{exc}\n\nNothing was written.")
            return False
        self.statusBar().showMessage(f"Exported {len(table)} rows to {path}", 8000)
        return True

    def export_pdf(self, path: Path | None = None) -> bool:
        results = self._fresh_results()
        if results is None:
            return False
        path = path or self._ask_target("Export PDF report", ".pdf", "PDF (*.pdf)")
        if not path:
            return False
        from app.report import ReportCancelled, write_pdf_report

        dialog = QProgressDialog("Writing the report…", "Cancel", 0, 100, self)
        dialog.setWindowTitle("Export PDF report")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def progress(fraction: float, label: str) -> bool:
            dialog.setValue(int(100 * fraction))
            dialog.setLabelText(label)
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            write_pdf_report(path, self.document.plan, results, self.catalog,
                             progress=progress)
        except ReportCancelled:
            self.statusBar().showMessage("PDF report cancelled; nothing was written", 8000)
            return False
        except PlannerError as exc:
            warn(self, "Cannot export PDF report",
                 f"{exc}\n\nNothing was written.")
            return False
        finally:
            dialog.reset()
        self.statusBar().showMessage(f"Exported the report to {path}", 8000)
        return True

    # -- recovery ----------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """After a crash: offers the newest unsaved work left behind; True if recovered."""
        for recovered, copy, problem in orphaned_copies(self.autosave.folder):
            if recovered is None:
                warn(self, "Damaged recovery copy",
                     f"A recovery copy could not be read ({problem}). It is "
                     f"left where it is: {copy}")
                continue
            try:
                check_against_catalog(recovered.plan, self.catalog, source=str(copy))
            except PlannerError as exc:  # e.g. a catalog entry removed since: say, keep it
                warn(self, "Cannot recover", f"{exc}\n\nThe recovery copy is "
                     f"left where it is: {copy}")
                continue
            answer = self._ask_recovery(recovered)
            if answer == "discard":
                remove_copy(copy)
            elif answer == "recover":
                self.restore(recovered.plan, recovered.original)
                # The old copy goes only once this session's own copy of the work exists.
                if self.autosave.copy.exists() and not self.autosave.error:
                    remove_copy(copy)
                return True
        return False

    def _ask_recovery(self, recovered) -> str:
        """'recover', 'discard' or 'later' (tests answer in place of the user)."""
        where = str(recovered.original) if recovered.original else "a plan never saved"
        local = recovered.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved changes?",
                          f"Inference Planner did not close properly. Unsaved changes to "
                          f"“{recovered.plan.name}” ({where}) from {local} can be recovered.",
                          parent=self)
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Not Now", QMessageBox.ButtonRole.RejectRole)
        box.setInformativeText("Discard deletes the recovery copy; Not Now asks again next "
                               "time.")
        box.exec()
        return {recover: "recover", discard: "discard"}.get(box.clickedButton(), "later")

    def restore(self, plan, original: Path | None) -> None:
        """Shows recovered work as unsaved changes to its original file."""
        doc = Document(self.catalog, plan, original, self)
        self._set_document(doc)
        doc.undo_stack.resetClean()  # unsaved: Save writes it to the original file
        self._update_title()
        self.autosave.write_now()


def _plan_title(path: Path) -> str:
    try:
        return read_plan(path).name
    except PlannerError:
        return path.stem


def _safe_stem(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_()" else "-" for c in name).strip(" -")
    return keep[:80] or "plan"
