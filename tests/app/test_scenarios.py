"""Scenarios in the window: duplicate as a what-if, edit it as overrides, compare, baseline."""



def test_what_if_edits_become_overrides_and_base_is_untouched(qtbot, window, settle, tile):
    doc = window.document
    settle(window.what_if_act.trigger)
    assert doc.scenario == "What-if"
    assert window.scenario_box.currentData() == "What-if"
    settle(lambda: window.workloads.peak.setValue(400.0))
    assert doc.plan.workload("chat").traffic.peak_rps == 40.0
    assert doc.plan.scenario("What-if").overrides == {"workloads.chat.traffic.peak_rps": 400.0}
    what_if_acc = tile("accelerators")
    assert window.scenarios.overrides.rowCount() == 1
    assert window.dashboard.tiles["accelerators"].delta.text() != ""
    # Structure is edited in the base plan only.
    assert not window.pools.add_btn.isEnabled() and window.pools.name_edit.isReadOnly()
    window.scenario_box.setCurrentIndex(window.scenario_box.findData("base"))
    assert doc.scenario == "base"
    assert window.workloads.peak.value() == 40.0
    assert tile("accelerators") < what_if_acc


def test_compare_shows_every_scenario_and_follows_the_baseline(qtbot, window, settle, tile):
    doc = window.document
    window.show_panel("compare")
    table = window.compare.table
    assert table.columnCount() == 4
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert any("baseline" in h for h in headers)
    window.scenario_box.setCurrentIndex(window.scenario_box.findData("HGX H200"))
    settle(window.scenarios.baseline_btn.click)
    assert doc.plan.baseline == "HGX H200"
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "baseline" in headers[1] and "baseline" not in headers[0]
    assert window.dashboard.tiles["accelerators"].delta.text() == "baseline"
    doc.undo_stack.undo()
    assert doc.plan.baseline == "base"


def test_revert_and_remove_a_scenario_with_undo(qtbot, window, settle, tile):
    doc = window.document
    window.show_panel("compare")
    window.scenario_box.setCurrentIndex(window.scenario_box.findData("HGX H200"))
    panel = window.scenarios
    assert panel.overrides.rowCount() == 3
    panel.overrides.selectRow(0)
    settle(panel.revert_btn.click)
    assert len(doc.plan.scenario("HGX H200").overrides) == 2
    settle(panel.remove_btn.click)
    assert "HGX H200" not in doc.plan.scenario_names() and doc.scenario == "base"
    assert window.compare.table.columnCount() == 3
    settle(doc.undo_stack.undo)
    assert "HGX H200" in doc.plan.scenario_names()
    assert window.compare.table.columnCount() == 4


def test_hidden_comparison_is_drawn_when_shown(qtbot, window, settle, tile):
    doc = window.document
    window.show_panel("dashboard")
    settle(window.what_if_act.trigger)
    assert "What-if" in doc.results.sizings
    window.show_panel("compare")
    assert window.compare.table.columnCount() == 5


def test_an_unwritten_question_reads_as_what_the_scenario_changes(window):
    doc = window.document
    doc.apply(lambda p: p.model_copy(update={"scenarios": [
        s.model_copy(update={"description": ""}) if s.name == "Power +50%" else s
        for s in p.scenarios]}), "Clear a question")
    doc.set_scenario("Power +50%")
    panel = window.scenarios
    assert panel.description.text() == ""
    assert "0.121" in panel.description.placeholderText()
