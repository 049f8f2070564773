"""The 24-hour profile chart, driven with real mouse events on its viewport."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.charts.profile_chart import ProfileChart

FLAT = [0.5] * 24


@pytest.fixture
def chart(qtbot):
    c = ProfileChart()
    qtbot.addWidget(c)
    c.resize(640, 320)
    c.show()
    qtbot.waitExposed(c)
    c.set_profile(FLAT, peak_rps=40.0)
    return c


def _record(chart):
    seen = []
    chart.profileEdited.connect(lambda values, drag: seen.append((list(values), drag)))
    return seen


def _press(qtbot, chart, hour, fraction):
    qtbot.mousePress(chart.viewport(), Qt.MouseButton.LeftButton,
                     pos=chart.point_for(hour, fraction))


def _move(qtbot, chart, hour, fraction):
    qtbot.mouseMove(chart.viewport(), pos=chart.point_for(hour, fraction))


def _release(qtbot, chart, hour, fraction):
    qtbot.mouseRelease(chart.viewport(), Qt.MouseButton.LeftButton,
                       pos=chart.point_for(hour, fraction))


def test_set_profile_does_not_emit(chart, qtbot):
    seen = _record(chart)
    chart.set_profile([0.1 * (h % 10) + 0.05 for h in range(24)], peak_rps=10.0)
    assert seen == []
    assert chart.values()[3] == pytest.approx(0.35)
    assert chart.bars.opts["height"][3] == pytest.approx(35.0)


def test_set_profile_clamps_and_checks_length(chart):
    chart.set_profile([1.7] + [-0.2] + [0.333] * 22)
    assert chart.values()[:3] == [1.0, 0.0, 0.33]
    with pytest.raises(ValueError):
        chart.set_profile([0.5] * 23)


def test_drag_across_hours_paints_and_interpolates(chart, qtbot):
    seen = _record(chart)
    _press(qtbot, chart, 2, 0.9)
    assert seen, "the press itself sets the hour under the pointer"
    assert seen[-1][0][2] == pytest.approx(0.9, abs=0.015)
    # A fast move that skips hours 3..5 still paints them, interpolated on the way to 0.1.
    _move(qtbot, chart, 6, 0.1)
    _move(qtbot, chart, 8, 0.3)
    _release(qtbot, chart, 8, 0.3)

    assert len(seen) >= 3
    drag_ids = {drag for _values, drag in seen}
    assert len(drag_ids) == 1
    final = chart.values()
    assert seen[-1][0] == final
    assert final[2] == pytest.approx(0.9, abs=0.015)
    assert final[3] == pytest.approx(0.7, abs=0.015)
    assert final[4] == pytest.approx(0.5, abs=0.015)
    assert final[5] == pytest.approx(0.3, abs=0.015)
    assert final[6] == pytest.approx(0.1, abs=0.015)
    assert final[7] == pytest.approx(0.2, abs=0.015)
    assert final[8] == pytest.approx(0.3, abs=0.015)
    # Hours the pointer never reached keep their value.
    assert final[:2] == [0.5, 0.5]
    assert final[9:] == [0.5] * 15
    # Values are rounded to hundredths.
    assert all(round(v, 2) == v for v in final)


def test_vertical_drag_within_one_hour(chart, qtbot):
    seen = _record(chart)
    _press(qtbot, chart, 14, 0.2)
    _move(qtbot, chart, 14.2, 0.6)
    _release(qtbot, chart, 14.2, 0.8)
    assert chart.values()[14] == pytest.approx(0.8, abs=0.015)
    assert [v[14] for v, _ in seen] == pytest.approx([0.2, 0.6, 0.8], abs=0.015)
    assert chart.values()[13] == 0.5 and chart.values()[15] == 0.5


def test_next_drag_gets_a_new_id(chart, qtbot):
    seen = _record(chart)
    _press(qtbot, chart, 1, 0.8)
    _release(qtbot, chart, 1, 0.8)
    first = seen[-1][1]
    _press(qtbot, chart, 10, 0.2)
    _move(qtbot, chart, 11, 0.3)
    _release(qtbot, chart, 11, 0.3)
    second = {drag for _v, drag in seen if drag != first}
    assert len(second) == 1 and first not in second
    assert chart.values()[1] == pytest.approx(0.8, abs=0.015)
    assert chart.values()[11] == pytest.approx(0.3, abs=0.015)


def test_values_are_clamped_when_dragging_outside(chart, qtbot):
    seen = _record(chart)
    _press(qtbot, chart, 20, 0.5 + 0.2)
    _move(qtbot, chart, 20, 1.6)  # far above the plot
    assert chart.values()[20] == 1.0
    _move(qtbot, chart, 20, -0.7)  # far below
    assert chart.values()[20] == 0.0
    _release(qtbot, chart, 20, -0.7)
    assert seen
    assert all(0.0 <= v <= 1.0 for values, _ in seen for v in values)


def test_edit_that_zeros_every_hour_is_refused(chart, qtbot):
    only_one = [0.0] * 24
    only_one[9] = 0.4
    chart.set_profile(only_one, peak_rps=40.0)
    seen = _record(chart)
    _press(qtbot, chart, 9, 0.1)
    _move(qtbot, chart, 9, -0.5)  # dragging below the axis would make every hour zero
    _release(qtbot, chart, 9, -0.5)
    assert [v[9] for v, _ in seen] == pytest.approx([0.1], abs=0.015)
    assert chart.values()[9] == pytest.approx(0.1, abs=0.015)
    assert all(any(x > 0 for x in values) for values, _ in seen)
    # With another hour above zero, hour 9 may go to zero.
    _press(qtbot, chart, 3, 0.5)
    _release(qtbot, chart, 3, 0.5)
    _press(qtbot, chart, 9, 0.1)
    _move(qtbot, chart, 9, -0.5)
    _release(qtbot, chart, 9, -0.5)
    assert chart.values()[9] == 0.0
    assert chart.values()[3] == pytest.approx(0.5, abs=0.015)


def test_press_outside_the_plot_does_nothing(chart, qtbot):
    seen = _record(chart)
    # The left axis area, left of hour 0.
    pos = chart.point_for(0, 0.5)
    pos.setX(4)
    qtbot.mousePress(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseRelease(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert seen == []


def test_pan_and_zoom_are_off(chart, qtbot):
    vb = chart.getPlotItem().getViewBox()
    before = vb.viewRange()
    _press(qtbot, chart, 5, 0.5)
    _move(qtbot, chart, 15, 0.9)
    _release(qtbot, chart, 15, 0.9)
    assert vb.viewRange() == before
    assert vb.state["mouseEnabled"] == [False, False]
    assert not chart.getPlotItem().menuEnabled()


def test_hover_text(chart):
    values = [0.5] * 24
    values[14] = 1.0
    chart.set_profile(values, peak_rps=40.0)
    assert chart.hour_text(14) == "14:00 — 100% of peak (40.0 req/s)"
    assert chart.hour_text(3) == "03:00 — 50% of peak (20.0 req/s)"
    chart.set_profile(values)
    assert chart.hour_text(14) == "14:00 — 100% of peak"
