"""The Site tab edits the electrical chain, cooling, fabric, limits and halls as undo steps;
the floor-plan view draws the halls' rows with each pool's racks."""

import pytest
from PySide6.QtCore import Qt

from app.window.widgets.floor_view import KIND, POOL, FloorView


def _choose(combo, value):
    combo.setCurrentIndex(combo.findData(value))


def test_redundancy_changes_utility_power_and_undo_restores(qtbot, window, settle):
    doc = window.document
    before = float(doc.results.kpi("base").utility_mw)  # N+1: one module and a spare
    settle(lambda: _choose(window.site.fields["electrical.redundancy"], "N"))
    assert doc.plan.site.electrical.redundancy == "N"
    assert float(doc.results.kpi("base").utility_mw) < before  # a fully loaded UPS
    assert "utility" in window.dashboard.tiles["facility_mw_provisioned"].delta.text()
    settle(doc.undo_stack.undo)
    assert doc.plan.site.electrical.redundancy == "N+1"
    assert window.site.fields["electrical.redundancy"].currentData() == "N+1"


def test_a_site_limit_warns_and_none_clears_it(qtbot, window, settle):
    doc = window.document
    box = window.site.fields["limits.utility_mw"]
    settle(lambda: box.setValue(0.05))
    assert doc.plan.site.limits.utility_mw == 0.05
    assert [w for w in doc.results.warnings
            if w["kind"] == "site-limit" and w["scenario"] == "base"]
    settle(lambda: box.setValue(box.minimum()))  # shown as "none"
    assert doc.plan.site.limits.utility_mw is None


def test_a_derived_pue_replaces_the_given_one(qtbot, window, settle):
    doc = window.document
    settle(lambda: _choose(window.site.fields["cooling.pue_source"], "derived"))
    assert float(doc.results.kpi("base").pue) != doc.plan.facility.pue
    settle(lambda: _choose(window.site.fields["cooling.climate"], "hot-humid"))
    hot = float(doc.results.kpi("base").pue)
    settle(lambda: _choose(window.site.fields["cooling.climate"], "cool"))
    assert float(doc.results.kpi("base").pue) < hot


def test_the_flat_fabric_fields_are_live_only_for_the_flat_design(qtbot, window, settle):
    fields = window.site.fields
    assert not fields["fabric.flat_w_per_system"].isEnabled()
    assert fields["fabric.oversubscription"].isEnabled()
    settle(lambda: _choose(fields["fabric.design"], "flat"))
    assert fields["fabric.flat_w_per_system"].isEnabled()
    assert not fields["fabric.oversubscription"].isEnabled()


def test_halls_are_added_edited_and_removed_as_undo_steps(qtbot, window, settle):
    doc = window.document
    n = len(doc.plan.site.floor.halls)
    settle(window.site.halls.add.click)
    assert len(doc.plan.site.floor.halls) == n + 1
    table = window.site.halls.table
    settle(lambda: table.item(n, 1).setText("7"))
    assert doc.plan.site.floor.halls[n].rows == 7
    settle(lambda: table.item(n, 5).setText("1500"))
    assert doc.plan.site.floor.halls[n].rack_kg_limit == 1500
    refused = []
    doc.editRefused.connect(refused.append)
    table.item(n, 2).setText("many")
    assert refused and "not a number" in refused[0] and "halls" in refused[0]
    assert table.item(n, 2).text() == "10"  # the table shows the plan again
    table.selectRow(n)
    settle(window.site.halls.remove.click)
    assert len(doc.plan.site.floor.halls) == n
    settle(doc.undo_stack.undo)
    assert doc.plan.site.floor.halls[n].rows == 7


def test_the_floor_plan_draws_each_placed_rack_and_the_free_positions(qtbot, window):
    window.show_panel("floor")
    window.render_now()
    floor = window.document.results.sites["base"]["floor"]
    items = window.floor.scene().items()
    racks = [i for i in items if i.data(KIND) == "rack"]
    free = [i for i in items if i.data(KIND) == "free"]
    assert len(racks) == floor["placed"] > 0
    assert len(free) == floor["positions"] - floor["placed"]
    assert {i.data(POOL) for i in racks} == {"serving"}
    assert "kW" in racks[0].toolTip()
    totals = [i.text() for i in items if i.data(KIND) == "row-total"]
    assert any("/ 600 kW" in t for t in totals)  # the example's row limit


def test_network_racks_are_hatched_and_unplaced_racks_are_named(qtbot):
    view = FloorView()
    qtbot.addWidget(view)
    rack = {"pool": "a", "kind": "compute", "count": 2, "kw": 40.0, "kg": 700.0}
    net = {"pool": "a", "kind": "network", "count": 1, "kw": 10.0, "kg": None}
    view.show_floor({"racks": 5, "positions": 4, "placed": 3, "unplaced": {"a": 2},
                     "m2_used": 9.0, "m2_total": 12.0,
                     "rows": [{"hall": "H", "row": 1, "positions": 4, "used": 3, "kw": 90.0,
                               "kw_limit": None, "kg": 1400.0, "racks": [rack, net]}]},
                    ["a"])
    items = view.scene().items()
    styles = [i.brush().style() for i in items if i.data(KIND) == "rack"]
    assert styles.count(Qt.BrushStyle.SolidPattern) == 2
    assert styles.count(Qt.BrushStyle.BDiagPattern) == 1
    notes = [i.text() for i in items if i.data(KIND) == "note"]
    assert any("no position" in t and "a 2" in t for t in notes)


def test_without_halls_the_floor_says_what_it_would_need(qtbot):
    view = FloorView()
    qtbot.addWidget(view)
    view.show_floor({"racks": 12, "positions": 0, "placed": 0, "unplaced": {},
                     "m2_used": 36.0, "m2_total": None, "rows": []}, ["a"])
    notes = [i.text() for i in view.scene().items() if i.data(KIND) == "note"]
    assert notes and "12 racks" in notes[0] and "36 m²" in notes[0]


def test_the_pool_cooling_choice_is_offered_only_where_the_system_has_it(qtbot, window, settle):
    assert not window.pools.cooling.isEnabled()  # GB200 NVL72: liquid as built
    settle(lambda: window.pools.system_box.setCurrentIndex(
        window.pools.system_box.findData("hgx-h100")))
    assert window.pools.cooling.isEnabled()
    settle(lambda: _choose(window.pools.cooling, "liquid"))
    pool = window.document.plan.pools[0]
    assert pool.cooling == "liquid"
    row = window.document.results.pools.query("scenario == 'base'").iloc[0]
    assert row.cooling == "liquid"


def test_the_fleet_panel_edits_a_pools_share_of_a_shared_workload(qtbot, window, settle):
    from planner_core.plan import edits

    doc = window.document
    settle(lambda: doc.apply(lambda p: edits.add_pool(p, "hgx-h200", ["chat"]), "add"))
    new = [p.name for p in doc.plan.pools if p.system == "hgx-h200"][0]
    window.pools.select(new)
    box = window.pools.share_spins["chat"]
    assert box.value() == 50.0 and window.pools.shares_box.isVisibleTo(window.pools)
    box.setValue(30.0)
    settle(box.editingFinished.emit)
    shares = doc.plan.workload("chat").pool_shares
    assert shares[new] == pytest.approx(0.3) and sum(shares.values()) == pytest.approx(1.0)
    rows = doc.results.workloads.query("scenario == 'base'")
    assert sorted(rows.traffic_share_pct.round(1)) == [30.0, 70.0]
