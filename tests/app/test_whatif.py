"""The What-if panel: runs off the GUI thread, can be cancelled, and applies an option as a
scenario in one undo step."""

import pytest


@pytest.fixture
def panel(window):
    window.show_panel("whatif")
    return window.whatif


def _finish(qtbot, panel, run):
    with qtbot.waitSignal(panel.runner.finished, timeout=60000):
        run()


def test_optimize_then_apply_as_a_scenario_and_undo(qtbot, window, panel, settle):
    panel.tabs.setCurrentIndex(1)
    _finish(qtbot, panel, panel.run_optimize)
    assert panel.opt_table.rowCount() > 10
    assert panel.opt_table.item(0, 0).text() == "1"
    assert "cheapest" in panel.opt_table.item(0, 11).text()
    assert panel.opt_table.item(0, 2).text() in ("trtllm", "vllm", "sglang", "vendor")
    assert panel.opt_apply.isEnabled()
    option = panel.selected_option()
    doc = window.document
    settle(panel._apply_selected)
    name = doc.scenario
    assert name.startswith("Optimized:") and name in doc.plan.scenario_names()
    # The normal engine agrees with the option it was given.
    kpi = doc.results.kpi(name)
    assert kpi["usd_per_m_output_tokens"] == pytest.approx(option["usd_per_m_output_tokens"],
                                                           rel=1e-6)
    assert doc.results.workloads.query("scenario == @name")["meets_slo"].all()
    doc.undo_stack.undo()
    assert name not in doc.plan.scenario_names() and doc.scenario == "base"


def test_sweep_draws_a_row_per_value_and_refuses_bad_values(qtbot, panel):
    panel.sweep_param.setCurrentIndex(panel.sweep_param.findText("chat: peak requests/s"))
    panel.sweep_values.setText("5:80:16")
    _finish(qtbot, panel, panel.run_sweep)
    assert panel.sweep_table.rowCount() == 16
    assert "16 values" in panel.sweep_note.text()
    panel.sweep_values.setText("5:80:many")
    panel.run_sweep()
    assert panel.sweep_note.text().startswith("Not run:")
    assert not panel.runner.running


def test_sweep_table_names_the_input_and_says_why_a_value_misses(qtbot, panel):
    panel.sweep_param.setCurrentIndex(panel.sweep_param.findText("chat: p99 TPOT SLO (ms)"))
    panel.sweep_values.setText("2,40")
    _finish(qtbot, panel, panel.run_sweep)
    table = panel.sweep_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[0] == "workloads.chat.slo.tpot_p99_ms (ms)" and headers[-1] == "reason"
    missed = [table.item(0, c).text() for c in range(table.columnCount())]
    assert missed[1:6] == ["—"] * 5 and missed[6] == "NO"
    assert missed[7].startswith("chat: TPOT p99 limit 2.0 ms not met even at low load")
    met = [table.item(1, c).text() for c in range(table.columnCount())]
    assert "—" not in met[1:6] and met[6] == "yes" and met[7] == ""


def test_sensitivity_and_uncertainty_fill_their_views(qtbot, panel):
    _finish(qtbot, panel, panel.run_sensitivity)
    assert panel.sens_table.rowCount() > 10
    assert "Base:" in panel.sens_note.text()
    panel.unc_samples.setValue(100)
    _finish(qtbot, panel, panel.run_uncertainty)
    assert "P50" in panel.unc_note.text()


def test_a_cancelled_run_changes_nothing(qtbot, panel):
    with qtbot.waitSignal(panel.runner.failed, timeout=60000) as failed:
        panel.run_optimize()
        assert panel.busy_row.isVisibleTo(panel)
        panel.cancel_button.click()
    assert failed.args == ["optimize", "cancelled"]
    assert panel.opt_note.text() == "Cancelled."
    assert "optimize" not in panel.results and panel.opt_table.rowCount() == 0
    assert not panel.busy_row.isVisibleTo(panel)


def test_results_are_marked_out_of_date_after_an_edit(qtbot, window, panel, settle):
    panel.unc_samples.setValue(50)
    _finish(qtbot, panel, panel.run_uncertainty)
    assert panel.stale.text() == ""
    settle(lambda: window.document.edit("facility.pue", 1.5, "PUE"))
    assert "run again" in panel.stale.text()


def test_a_job_that_breaks_is_reported_and_the_panel_recovers(qtbot, panel):
    def broken(report):
        report(0.5, "half way")
        raise KeyError("no such thing")

    with qtbot.waitSignal(panel.runner.failed, timeout=10000) as failed:
        panel._start("sweep", broken, "Sweeping…")
    assert failed.args[0] == "sweep" and "KeyError" in failed.args[1]
    assert panel.sweep_note.text().startswith("Not run: internal error")
    assert not panel.runner.running and not panel.busy_row.isVisibleTo(panel)


def test_apply_uses_the_scenario_the_options_were_found_for(qtbot, window, panel, settle):
    doc = window.document
    _finish(qtbot, panel, panel.run_optimize)
    option = panel.selected_option()
    doc.set_scenario("Power +50%")
    assert panel.opt_apply.isEnabled()  # same plan, another scenario on show
    settle(panel._apply_selected)
    kpi = doc.results.kpi(doc.scenario)
    assert kpi["usd_per_m_output_tokens"] == pytest.approx(option["usd_per_m_output_tokens"],
                                                           rel=1e-6)


def test_an_edit_or_another_plan_retires_the_options(qtbot, window, panel, settle):
    _finish(qtbot, panel, panel.run_optimize)
    assert panel.opt_apply.isEnabled()
    settle(lambda: window.document.edit("facility.pue", 1.6, "PUE"))
    assert not panel.opt_apply.isEnabled()  # computed for the plan before the edit
    from planner_core.resources import resource_path

    window.open_example(resource_path("examples", "mig-h100-8b-tenants.json"))
    assert "optimize" not in panel.results and panel.opt_table.rowCount() == 0
    assert panel.opt_note.text() == "" and not panel.opt_apply.isEnabled()


def test_sensitivity_of_a_plan_that_serves_nothing_says_so(qtbot, window, panel, settle):
    settle(lambda: window.document.edit("pools.serving.count", 0, "no systems"))
    _finish(qtbot, panel, panel.run_sensitivity)
    assert "nothing to move" in panel.sens_note.text()
    assert panel.sens_table.rowCount() == 0


def test_a_late_result_for_the_old_plan_is_dropped(qtbot, window, panel):
    """The job finished but its report was still queued when another plan was opened."""
    import time

    from planner_core.resources import resource_path

    panel._start("sweep", lambda report: ("label", "path", "OLD-PLAN-RESULT"), "…")
    time.sleep(0.3)  # the worker finishes; without an event loop its report stays queued
    window.open_example(resource_path("examples", "mig-h100-8b-tenants.json"))
    qtbot.wait(200)
    assert "sweep" not in panel.results


def test_apply_is_off_for_a_workload_that_shares_its_pool(qtbot, window, panel):
    from planner_core.resources import resource_path

    window.open_example(resource_path("examples", "mig-h100-8b-tenants.json"))
    panel.opt_shipping.setChecked(True)
    _finish(qtbot, panel, panel.run_optimize)
    assert panel.opt_table.rowCount() > 0
    assert not panel.opt_apply.isEnabled()
    assert "shares its pool" in panel.opt_apply.toolTip()


def test_optimize_over_engines_applies_the_engine_it_chose(qtbot, window, panel, settle):
    panel.tabs.setCurrentIndex(1)
    panel.opt_engines.setChecked(True)
    _finish(qtbot, panel, panel.run_optimize)
    _, frame, _, _ = panel.results["optimize"]
    ok = frame[frame["meets_slo"]]
    assert {"trtllm", "sglang"} <= set(ok["engine"])
    # Pick the best SGLang option and apply it: the scenario runs SGLang and agrees.
    row_index = ok[ok["engine"] == "sglang"].index[0]
    for r in range(panel.opt_table.rowCount()):
        if panel.opt_table.item(r, 0).data(0x0100) == row_index:
            panel.opt_table.selectRow(r)
            break
    option = panel.selected_option()
    assert option["engine"] == "sglang"
    doc = window.document
    settle(panel._apply_selected)
    name = doc.scenario
    assert doc.plan.variant(name).pools[0].engine == "sglang"
    assert doc.results.kpi(name)["usd_per_m_output_tokens"] == pytest.approx(
        option["usd_per_m_output_tokens"], rel=1e-6)


def test_optimize_within_the_sites_utility_limit(qtbot, window, panel, settle):
    settle(lambda: window.site.fields["limits.utility_mw"].setValue(0.1))
    window.resize(1280, 800)
    window.show_panel("whatif")
    panel.tabs.setCurrentIndex(1)
    assert panel.opt_site.isEnabled() and panel.opt_site.isChecked()
    assert "0.1 MW" in panel.opt_site.text()
    _finish(qtbot, panel, panel.run_optimize)
    _, frame, _, _ = panel.results["optimize"]
    ranked = frame[frame["rank"].notna()]
    assert len(ranked) and (ranked["site_utility_mw"] <= 0.1).all()
    assert "within the site's power" in panel.opt_note.text()
    # The run's progress and its summary did not make the window taller than the screen.
    assert window.height() <= 800
    for r in range(panel.opt_table.rowCount()):
        assert float(panel.opt_table.item(r, 7).text()) <= 0.1
