"""The Roadmap tab: the timeline edited as undo steps, the roadmap run off the GUI thread,
the strategies and charts shown, and Apply writing the chosen purchases."""

import pytest

from planner_core.resources import resource_path


@pytest.fixture
def roadmap(qtbot, window):
    assert window.open_plan(resource_path("examples", "roadmap-2026-2030.json"))
    window.render_now()
    window.show_panel("roadmap")
    return window.roadmap


def test_run_shows_the_strategies_and_apply_writes_the_chosen_purchases(qtbot, window,
                                                                       roadmap, settle):
    assert roadmap.run_button.isEnabled() and not roadmap.create.isVisibleTo(roadmap)
    with qtbot.waitSignal(roadmap.ran, timeout=60000):
        roadmap.run()
    assert roadmap.table.rowCount() == 5
    assert roadmap.table.item(0, 0).text() == "chosen" and roadmap.table.item(0, 2).text() == "yes"
    assert "Vera Rubin NVL144" in roadmap.table.item(0, 3).text()
    assert roadmap.charts.capacity.getPlotItem().listDataItems()
    assert len(roadmap.charts.cash.getPlotItem().listDataItems()) == 5
    doc = window.document
    settle(roadmap.apply_chosen)
    assert [b.model_dump() for b in doc.plan.timeline.purchases] == [
        b.model_dump() for b in roadmap.strategies[0].purchases]
    settle(doc.undo_stack.undo)
    assert doc.plan.timeline.purchases == []


def test_strategies_saved_as_scenarios_are_compared_with_the_plans_own(qtbot, window,
                                                                       roadmap, settle):
    doc = window.document
    with qtbot.waitSignal(roadmap.ran, timeout=60000):
        roadmap.run()
    assert roadmap.save_button.isEnabled()
    before = [s.name for s in doc.plan.scenarios]
    settle(roadmap.save_as_scenarios)
    added = [s.name for s in doc.plan.scenarios if s.name not in before]
    distinct = {tuple((b.period, b.option, b.systems) for b in s.purchases)
                for s in roadmap.strategies if s.purchases}
    assert len(added) == len(distinct) and "Buy the chosen sequence" in added
    with qtbot.waitSignal(roadmap.ran, timeout=120000):
        roadmap.compare_button.click()
    assert roadmap.compared and not roadmap.apply_button.isEnabled()
    assert roadmap.table.horizontalHeaderItem(0).text() == "scenario (its sequence)"
    rows = [roadmap.table.item(r, 0).text() for r in range(roadmap.table.rowCount())]
    assert rows[:2] == ["base (chosen for it)", "Grid a year late (chosen for it)"]
    assert "Buy only GB300 NVL72 (its purchases)" in rows
    gb300 = rows.index("Buy only GB300 NVL72 (its purchases)")
    assert roadmap.table.item(gb300, 2).text() == "NO"  # it needs more than the 40 MW
    assert "per scenario" in roadmap.charts.key.text()
    assert len(roadmap.charts.cash.getPlotItem().listDataItems()) == len(rows)
    settle(doc.undo_stack.undo)  # the scenarios were one undo step
    assert [s.name for s in doc.plan.scenarios] == before


def test_timeline_edits_are_undo_steps_and_bad_cells_are_refused(qtbot, window, roadmap,
                                                                settle):
    doc = window.document
    settle(lambda: roadmap.demand.table.item(0, 1).setText("4"))
    assert doc.plan.timeline.demand[0].growth_per_year == 4.0
    settle(roadmap.power.add.click)
    assert len(doc.plan.timeline.power) == 3
    refused = []
    doc.editRefused.connect(refused.append)
    roadmap.power.table.item(2, 0).setText("next spring")
    assert refused and doc.plan.timeline.power[2].start == "2028-01"
    roadmap.periods.setValue(3)
    assert doc.plan.timeline.periods == 3
    settle(doc.undo_stack.undo)
    assert doc.plan.timeline.periods == 5
    roadmap.refresh_policy.setCurrentIndex(roadmap.refresh_policy.findData("earns"))
    assert doc.plan.timeline.refresh == "earns"
    roadmap.retire.setValue(4.0)
    assert doc.plan.timeline.retire_after_years == 4.0
    roadmap.retire.setValue(roadmap.retire.minimum())
    assert doc.plan.timeline.retire_after_years is None
    text = roadmap.hardware.text()
    assert "Vera Rubin NVL144" in text and "announced, from 2026-07 [S]" in text


def test_a_plan_without_a_timeline_offers_to_add_one(qtbot, window, settle):
    window.show_panel("roadmap")
    panel = window.roadmap
    assert window.document.plan.timeline is None
    assert panel.create.isVisibleTo(panel) and not panel.run_button.isEnabled()
    settle(panel.create.click)
    t = window.document.plan.timeline
    assert t is not None and [o.pool for o in t.options] == [p.name for p in
                                                              window.document.plan.pools]
    assert panel.run_button.isEnabled()
