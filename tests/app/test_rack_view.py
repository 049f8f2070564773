"""The rack elevation drawn from real sizings of the example plan, with pytest-qt."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from app.window.widgets.rack_view import (
    KIND,
    MAX_RACKS_PER_POOL,
    POOL,
    STATUS_COLORS,
    U_PX,
    RackView,
)
from planner_core import evaluate
from planner_core.engine.sizing import RACK_UNITS
from planner_core.plan import apply_overrides, plan_from_dict


@pytest.fixture(scope="module")
def results(example_plan, catalog):
    return evaluate(example_plan, catalog)


@pytest.fixture(scope="module")
def mixed(example_plan, catalog):
    """Three pools: the NVL72 rack, 29 fixed HGX H200 servers (15 racks), and an empty one."""
    data = example_plan.model_dump(mode="json")
    data["scenarios"] = []
    data["pools"] += [
        {"name": "batch", "system": "hgx-h200", "count": 29, "layout": {"tp": 4},
         "workloads": ["chat"]},
        {"name": "spare", "system": "mi355x-8", "count": 0, "layout": {"tp": 4},
         "workloads": ["chat"]},
    ]
    plan = plan_from_dict(data)
    return plan, evaluate(plan, catalog)


def _view(qtbot, sizings, pools, facility) -> RackView:
    view = RackView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show_fleet(sizings, pools, facility)
    view.show()
    qtbot.waitExposed(view)
    return view


def _scenario(qtbot, plan, res, scenario: str) -> RackView:
    pools = res.pools[res.pools.scenario == scenario]
    return _view(qtbot, res.sizings[scenario], pools, plan.variant(scenario).facility)


def _items(view: RackView, kind: str, pool: str | None = None) -> list:
    found = [i for i in view.scene().items() if i.data(KIND) == kind
             and (pool is None or i.data(POOL) == pool)]
    # Reading order: top to bottom, then left to right.
    return sorted(found, key=lambda i: (round(i.sceneBoundingRect().y()),
                                        i.sceneBoundingRect().x()))


def _texts(view: RackView, kind: str, pool: str | None = None) -> list[str]:
    return [i.text() for i in _items(view, kind, pool)]


def _inside(inner, outer) -> bool:
    return outer.contains(inner.sceneBoundingRect().center())


def test_base_scenario_is_one_whole_nvl72_rack(qtbot, example_plan, results):
    view = _scenario(qtbot, example_plan, results, "base")
    row = results.pools[results.pools.scenario == "base"].iloc[0]
    ps = results.sizings["base"][0]
    assert (ps.systems, ps.racks) == (1, 1)
    assert _texts(view, "header") == [
        "serving — 1 × NVIDIA GB200 NVL72 rack · 72 accelerators · 1 rack · liquid-cooled"]
    [cabinet] = _items(view, "cabinet")
    [system] = _items(view, "system")
    # A whole-rack system fills the cabinet's 42U.
    assert system.rect().height() >= RACK_UNITS * U_PX - 4
    assert _inside(system, cabinet.sceneBoundingRect())
    assert "NVIDIA GB200" in _texts(view, "system-label")[0]
    # One rack holds the whole pool, so its expected draw is the pool's.
    assert _texts(view, "power-text") == [f"{row.it_kw_peak:,.0f} / 132 kW"]
    assert _texts(view, "tdp-text") == [f"max {ps.system_kw_peak:,.0f} kW at TDP"]
    assert 0 < row.it_kw_peak < ps.system_kw_peak < 132
    [bar] = _items(view, "power-bar")
    assert bar.data(2) == "ok"
    assert bar.brush().color() == STATUS_COLORS["ok"]
    # The fill is the expected draw's share of the 132 kW budget.
    track = _items(view, "power-track")[0]
    assert bar.rect().width() == pytest.approx(track.rect().width() * row.it_kw_peak / 132)
    assert [t.data(2) for t in _items(view, "cooling-tag")] == ["liquid"]
    assert _items(view, "overflow") == []


def test_hgx_scenario_stacks_two_8u_servers_per_air_cooled_rack(qtbot, example_plan, results):
    view = _scenario(qtbot, example_plan, results, "HGX H200")
    row = results.pools[results.pools.scenario == "HGX H200"].iloc[0]
    assert row.systems_per_rack == 2 and row.racks == -(-row.systems // 2)
    cabinets = _items(view, "cabinet")
    systems = _items(view, "system")
    assert len(cabinets) == row.racks and len(systems) == row.systems
    held = []
    for cab in cabinets:
        inside = [s for s in systems if _inside(s, cab.sceneBoundingRect())]
        held.append(len(inside))
        # 8U each, stacked from the bottom of the cabinet.
        assert all(s.rect().height() == pytest.approx(8 * U_PX - 2) for s in inside)
        assert max(s.sceneBoundingRect().bottom() for s in inside) > \
            cab.sceneBoundingRect().bottom() - 12
    # Full racks of two, the last one holding what is left.
    assert sorted(held, reverse=True) == [2] * (row.systems // 2) + [1] * (row.systems % 2)
    assert sorted(_texts(view, "free")) == sorted(f"{42 - 8 * n}U free" for n in held)
    # The air-cooling limit (30 kW), not the 132 kW rack budget, is the budget.
    assert all(t.endswith(" / 30 kW") for t in _texts(view, "power-text"))
    assert "(air-cooling limit)" in _texts(view, "summary")[0]
    assert [t.data(2) for t in _items(view, "cooling-tag")] == ["air"] * row.racks


@pytest.mark.parametrize("scenario", ["base", "HGX H200", "Groq LPU racks", "Power +50%"])
def test_cabinets_are_capped_per_pool(qtbot, example_plan, results, scenario):
    view = _scenario(qtbot, example_plan, results, scenario)
    for ps in results.sizings[scenario]:
        name = ps.pool.name
        assert len(_items(view, "cabinet", name)) == min(ps.racks, MAX_RACKS_PER_POOL)
        hidden = ps.racks - MAX_RACKS_PER_POOL
        labels = " ".join(_texts(view, "overflow-label", name))
        if hidden > 0:
            assert labels == f"+ {hidden:,} more racks like these"
        else:
            assert labels == ""


def test_groq_fleet_of_hundreds_of_racks_draws_a_dozen(qtbot, example_plan, catalog):
    plan = apply_overrides(example_plan.variant("Groq LPU racks"),
                           {"workloads.chat.traffic.peak_rps": 2000})
    res = evaluate(plan, catalog)
    ps = res.sizings["base"][0]
    assert ps.racks > 100
    view = _view(qtbot, res.sizings["base"], res.pools, plan.facility)
    assert len(_items(view, "cabinet")) == MAX_RACKS_PER_POOL
    assert _texts(view, "overflow-label") == [f"+ {ps.racks - 12:,} more racks", "like these"]
    assert len(view.scene().items()) < 300
    # Not shrunk to fit: the drawing stays at full size and scrolls.
    assert view.transform().m11() == 1.0
    assert view.horizontalScrollBar().maximum() > 0


def test_heavy_traffic_on_servers_overflows_and_notes_a_partial_last_rack(
        qtbot, example_plan, catalog):
    plan = apply_overrides(example_plan.variant("HGX H200"),
                           {"workloads.chat.traffic.peak_rps": 2000})
    res = evaluate(plan, catalog)
    ps = res.sizings["base"][0]
    assert ps.racks > MAX_RACKS_PER_POOL
    view = _view(qtbot, res.sizings["base"], res.pools, plan.facility)
    assert len(_items(view, "cabinet")) == MAX_RACKS_PER_POOL
    assert " ".join(_texts(view, "overflow-label")) == \
        f"+ {ps.racks - MAX_RACKS_PER_POOL:,} more racks like these"
    notes = _texts(view, "overflow-note")
    assert notes[0] == f"{ps.racks:,} racks in all"
    last = ps.systems - (ps.racks - 1) * ps.systems_per_rack
    assert (len(notes) == 2) == (last != ps.systems_per_rack)


def test_rack_over_its_budget_is_red(qtbot, example_plan, results):
    facility = example_plan.facility.model_copy(update={"rack_power_budget_kw": 50})
    pools = results.pools[results.pools.scenario == "base"]
    view = _view(qtbot, results.sizings["base"], pools, facility)
    [bar] = _items(view, "power-bar")
    assert bar.data(2) == "over"
    assert bar.brush().color() == STATUS_COLORS["over"]
    assert _texts(view, "power-text") == [f"{pools.iloc[0].it_kw_peak:,.0f} / 50 kW"]
    assert _texts(view, "tdp-text")[0].startswith("over:")
    assert len(_items(view, "power-excess")) == 1


def test_rack_near_its_budget_is_amber(qtbot, example_plan, results):
    ps = results.sizings["base"][0]
    facility = example_plan.facility.model_copy(update={"rack_power_budget_kw": 125})
    assert ps.system_kw_peak < 125  # so only the expected draw can make it amber
    pools = results.pools[results.pools.scenario == "base"].copy()
    pools["it_kw_peak"] = 0.95 * 125
    view = _view(qtbot, results.sizings["base"], pools, facility)
    [bar] = _items(view, "power-bar")
    assert bar.data(2) == "near"
    assert bar.brush().color() == STATUS_COLORS["near"]


def test_clicking_a_system_or_the_overflow_box_emits_the_pool(qtbot, example_plan, results):
    view = _scenario(qtbot, example_plan, results, "Groq LPU racks")
    for kind in ("system", "overflow"):
        item = _items(view, kind)[-1]
        view.ensureVisible(item)
        pos = view.mapFromScene(item.sceneBoundingRect().center())
        assert view.viewport().rect().contains(pos)
        with qtbot.waitSignal(view.poolClicked, timeout=1000) as blocker:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert blocker.args == ["serving"]


def test_pools_get_their_own_bands_and_clicks(qtbot, mixed):
    plan, res = mixed
    view = _view(qtbot, res.sizings["base"], res.pools, plan.facility)
    bands = {b.data(POOL): b.sceneBoundingRect() for b in _items(view, "band")}
    assert set(bands) == {"serving", "batch", "spare"}
    assert not bands["serving"].intersects(bands["batch"])
    assert not bands["batch"].intersects(bands["spare"])
    assert len(_items(view, "cabinet", "serving")) == 1
    assert len(_items(view, "cabinet", "batch")) == MAX_RACKS_PER_POOL
    # 29 servers two to a rack: 15 racks, the last with one server.
    assert _texts(view, "overflow-note", "batch") == ["15 racks in all",
                                                      "the last holds 1 system"]
    cab = _items(view, "cabinet", "batch")[0]
    view.ensureVisible(cab)
    with qtbot.waitSignal(view.poolClicked, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.mapFromScene(cab.sceneBoundingRect().center()))
    assert blocker.args == ["batch"]


def test_pool_sized_to_zero_says_so(qtbot, mixed):
    plan, res = mixed
    view = _view(qtbot, res.sizings["base"], res.pools, plan.facility)
    assert _texts(view, "empty-pool", "spare") == ["Sized to zero systems: no racks to place."]
    assert _items(view, "cabinet", "spare") == []
    assert _texts(view, "header", "spare")[0].startswith("spare — 0 × AMD Instinct MI355X")


def test_select_pool_outlines_that_band_only(qtbot, mixed):
    plan, res = mixed
    view = _view(qtbot, res.sizings["base"], res.pools, plan.facility)
    assert _items(view, "highlight") == []
    bands = {b.data(POOL): b.sceneBoundingRect() for b in _items(view, "band")}
    view.select_pool("batch")
    [hl] = _items(view, "highlight")
    assert hl.data(POOL) == "batch"
    assert hl.sceneBoundingRect().contains(bands["batch"])
    assert not hl.sceneBoundingRect().intersects(bands["serving"])
    assert hl.pen().color() == view.palette().color(QPalette.ColorRole.Highlight)
    view.select_pool("serving")
    assert [h.data(POOL) for h in _items(view, "highlight")] == ["serving"]
    view.select_pool("no such pool")
    assert _items(view, "highlight") == []
    view.select_pool("batch")
    view.select_pool(None)
    assert _items(view, "highlight") == []


def test_selecting_another_pool_scrolls_to_it_but_reselecting_does_not(qtbot, mixed):
    plan, res = mixed
    view = _view(qtbot, res.sizings["base"], res.pools, plan.facility)
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    view.select_pool("spare")
    [band] = _items(view, "band", "spare")
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    rect = band.sceneBoundingRect()
    assert visible.contains(rect.topLeft()) and visible.contains(rect.bottomLeft())
    bar.setValue(0)
    view.select_pool("spare")  # as the main window does after each redraw
    assert bar.value() == 0
    view.show_fleet(res.sizings["base"], res.pools, plan.facility)
    view.verticalScrollBar().setValue(40)
    view.show_fleet(res.sizings["base"], res.pools, plan.facility)
    assert view.verticalScrollBar().value() == 40


def test_tooltips_carry_units(qtbot, example_plan, results):
    view = _scenario(qtbot, example_plan, results, "HGX H200")
    rack_tip = _items(view, "cabinet")[0].toolTip()
    for part in ("16 of 42 U used", "16 accelerators", "kW", "Budget 30 kW"):
        assert part in rack_tip
    system_tip = _items(view, "system")[0].toolTip()
    assert "8U server" in system_tip and "kW at TDP" in system_tip
    assert "8 × NVIDIA H200" in system_tip


def test_palette_change_redraws_in_the_new_colours(qtbot, example_plan, results):
    view = _scenario(qtbot, example_plan, results, "HGX H200")
    view.select_pool("serving")
    light_text = view.palette().color(QPalette.ColorRole.Text)
    assert _items(view, "header")[0].brush().color() == light_text
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3d8ee0"))
    view.setPalette(dark)
    assert _items(view, "header")[0].brush().color() == QColor("#e6e6e6")
    assert _items(view, "power-text")[0].brush().color() == QColor("#e6e6e6")
    assert view.scene().backgroundBrush().color() == QColor("#1e1e1e")
    # Same drawing, same selection.
    row = results.pools[results.pools.scenario == "HGX H200"].iloc[0]
    assert len(_items(view, "cabinet")) == row.racks
    assert _items(view, "highlight")[0].pen().color() == QColor("#3d8ee0")
