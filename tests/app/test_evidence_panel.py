"""The Evidence panel: import benchmark files, see them against predictions, fit a profile,
apply it to the plan in one undo step."""

from pathlib import Path

import pytest

from planner_core.evidence.imports import Hints

DATA = Path(__file__).parent.parent / "data" / "benchmarks"
GB200 = Hints(system="gb200", engine="trtllm")


@pytest.fixture
def panel(window, monkeypatch):
    warnings = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning",
                        lambda _parent, title, text: warnings.append((title, text)))
    window.show_panel("evidence")
    window.evidence.warnings = warnings
    return window.evidence


def test_import_fit_apply_and_undo(qtbot, window, panel, settle):
    doc = window.document
    assert "built-in calibration" in panel.basis.text()
    assert not panel.fit_btn.isEnabled() and not panel.apply_btn.isEnabled()
    assert panel.import_files([DATA / "vllm_bench_serve.json", DATA / "guidellm_report.json"],
                              GB200)
    assert len(panel.cases) == 12 and len(panel.table) == 12
    assert panel.groups.rowCount() >= 3
    assert "12 case(s) imported from 2 file(s)" in panel.status.text()
    assert panel.fit_btn.isEnabled()
    before = doc.results.pools.query("scenario == 'base'").iloc[0]
    errors_before = panel.table["error_pct"].abs().median()

    assert panel.fit()
    assert set(panel.profile["fits"]) == {"trtllm/blackwell"}
    assert "Profile fitted" in panel.status.text() and panel.apply_btn.isEnabled()

    settle(panel.apply_profile)
    assert doc.plan.calibration_profile is not None
    assert doc.undo_stack.undoText().startswith("Apply calibration profile")
    after = doc.results.pools.query("scenario == 'base'").iloc[0]
    assert "calibrated on profile" in after.calibration_basis
    assert after.calibration_basis != before.calibration_basis
    assert "calibration profile" in panel.basis.text()
    assert panel.remove_btn.isEnabled()
    # The imported cases are now predicted with the profile: nearer their measurements.
    assert panel.table["error_pct"].abs().median() < errors_before

    settle(doc.undo_stack.undo)
    assert doc.plan.calibration_profile is None
    assert doc.results.pools.query("scenario == 'base'").iloc[0].calibration_basis == \
        before.calibration_basis
    assert "built-in calibration" in panel.basis.text()


def test_a_bad_file_imports_nothing_and_says_why(panel, tmp_path):
    assert panel.import_files([DATA / "vllm_bench_serve.json"], GB200)
    bad = tmp_path / "truncated.json"
    bad.write_text('{"model_id": "x", "outp')
    assert not panel.import_files([DATA / "guidellm_report.json", bad], GB200)
    assert len(panel.cases) == 3  # the earlier import only
    [(title, text)] = panel.warnings
    assert title == "Cannot import" and "truncated.json" in text and "JSON" in text


def test_the_built_in_measurements_are_predicted_with_the_plans_calibration(panel):
    panel.show_builtin()
    assert len(panel.table) == 357 and panel.groups.rowCount() > 20
    assert "357 cases" in panel.chart.plotItem.titleLabel.text


def test_the_dashboard_badge_says_the_basis_and_opens_the_evidence(window, panel):
    badge = window.dashboard.basis
    assert badge.isVisible() or badge.text()
    assert "calibrated" in badge.text() and "serving (trtllm on gb200)" in badge.toolTip()
    window.show_panel("dashboard")
    badge.click()
    assert window.views.currentWidget() is window._evidence  # the tab holding the panel
    assert window._evidence.panel() is panel
    assert "group(s) of the blackwell family (gb200's) under trtllm" in panel.status.text()


def test_the_import_dialog_offers_catalog_entries_and_leaves_the_rest_to_the_file(window):
    from app.window.widgets.evidence_panel import HintsDialog

    dialog = HintsDialog(window.catalog, window)
    dialog.system.setCurrentIndex(dialog.system.findData("h100-sxm-80gb"))
    dialog.engine.setCurrentIndex(dialog.engine.findData("sglang"))
    dialog.isl.setValue(300)
    hints = dialog.hints()
    assert (hints.system, hints.engine, hints.isl) == ("h100-sxm-80gb", "sglang", 300)
    assert hints.model is None and hints.tp is None and hints.concurrency is None


def test_cancelling_the_fit_leaves_no_profile(panel, monkeypatch):
    assert panel.import_files([DATA / "vllm_bench_serve.json"], GB200)
    monkeypatch.setattr("app.window.widgets.evidence_panel.QProgressDialog.wasCanceled",
                        lambda _self: True)
    assert not panel.fit()
    assert panel.profile is None and not panel.apply_btn.isEnabled()
    assert "cancelled" in panel.status.text()
