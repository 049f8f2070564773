"""The MIG editor: offers only layouts NVIDIA allows, and only asks; it never edits the plan."""

from __future__ import annotations

import html
import random

import pytest
from PySide6.QtCore import QPoint, Qt

from app.window.widgets.mig_drawing import MAX_DRAWN_GPUS
from app.window.widgets.mig_editor import MigEditor
from planner_core import PlannerError
from planner_core.catalog.mig import allowed, place
from planner_core.plan import MigSlice

H100 = "h100-sxm-80gb"


def _slices(*pairs: tuple[str, str]) -> list[MigSlice]:
    return [MigSlice(profile=p, workload=w) for p, w in pairs]


def _as_slices(layout: list[dict] | None) -> list[MigSlice] | None:
    return None if layout is None else [MigSlice(**s) for s in layout]


@pytest.fixture
def h100(catalog):
    return catalog.accelerator(H100)


@pytest.fixture
def editor(qtbot):
    w = MigEditor()
    qtbot.addWidget(w)
    w.resize(520, 420)
    return w


def _emitted(qtbot, editor, action) -> list[dict] | None:
    with qtbot.waitSignal(editor.layoutEdited, timeout=1000) as blocker:
        action()
    return blocker.args[0]


def test_full_compute_disables_more_slices_and_says_why(editor, h100):
    editor.set_pool(h100, 8, _slices(("4g.40gb", "chat"), ("3g.40gb", "chat")), ["chat"])
    button = editor.profile_buttons["1g.10gb"]
    assert not button.isEnabled()
    assert "8 compute slices" in button.toolTip() and "has 7" in button.toolTip()
    assert not any(b.isEnabled() for b in editor.profile_buttons.values())
    assert "7/7 compute, 8/8 memory" in editor.summary_label.text()


def test_eighth_small_slice_is_refused(editor, h100):
    editor.set_pool(h100, 8, _slices(*[("1g.10gb", "embed")] * 7), ["embed"])
    button = editor.profile_buttons["1g.10gb"]
    assert not button.isEnabled()
    assert "at most 7" in button.toolTip() or "compute" in button.toolTip()


def test_small_layout_leaves_several_choices(editor, h100):
    editor.set_pool(h100, 8, _slices(("1g.10gb", "chat")), ["chat"])
    enabled = {n for n, b in editor.profile_buttons.items() if b.isEnabled()}
    assert {"1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb"} <= enabled
    assert "7g.80gb" not in enabled
    for name, button in editor.profile_buttons.items():
        assert button.isEnabled() == allowed(h100.mig, ["1g.10gb", name]), name
        assert "SMs" in button.toolTip() and "per GPU" in button.toolTip()


def test_clicking_a_profile_appends_it_for_the_chosen_workload(qtbot, editor, h100):
    editor.set_pool(h100, 8, _slices(("3g.40gb", "chat")), ["chat", "embed"])
    editor.workload_box.setCurrentText("embed")
    layout = _emitted(qtbot, editor, lambda: qtbot.mouseClick(
        editor.profile_buttons["2g.20gb"], Qt.MouseButton.LeftButton))
    assert layout == [{"profile": "3g.40gb", "workload": "chat"},
                      {"profile": "2g.20gb", "workload": "embed"}]


def test_the_editor_only_asks(qtbot, editor, h100):
    """A click emits a request; what is on show changes only through set_pool."""
    editor.set_pool(h100, 8, _slices(("3g.40gb", "chat")), ["chat"])
    _emitted(qtbot, editor, editor.profile_buttons["1g.10gb"].click)
    assert editor.layout_now() == [{"profile": "3g.40gb", "workload": "chat"}]


def test_removing_slices(qtbot, editor, h100):
    editor.set_pool(h100, 8, _slices(("3g.40gb", "chat"), ("1g.10gb", "embed")),
                    ["chat", "embed"])
    assert not editor.remove_button.isEnabled()
    editor.select_slice(0)
    assert editor.remove_button.isEnabled()
    layout = _emitted(qtbot, editor, editor.remove_button.click)
    assert layout == [{"profile": "1g.10gb", "workload": "embed"}]

    editor.set_pool(h100, 8, _as_slices(layout), ["chat", "embed"])
    assert editor.selected_slice() == -1  # the old index would point at another slice
    editor.select_slice(0)
    assert _emitted(qtbot, editor, editor.remove_button.click) is None


def test_delete_key_and_click_select_a_drawn_slice(qtbot, editor, h100):
    editor.set_pool(h100, 8, _slices(("4g.40gb", "chat"), ("2g.20gb", "embed")),
                    ["chat", "embed"])
    editor.show()
    qtbot.waitExposed(editor)
    view = editor.view
    _, rows = view._layout()
    # The 2g.20gb slice sits at memory slices 4-5: click the middle of them on GPU 0.
    bar = rows[0]
    point = QPoint(bar.left() + int(bar.width() * 5 / 8), bar.center().y())
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point)
    assert editor.selected_slice() == 1
    layout = _emitted(qtbot, editor, lambda: qtbot.keyClick(view, Qt.Key.Key_Delete))
    assert layout == [{"profile": "4g.40gb", "workload": "chat"}]


def test_clear_asks_for_mig_off(qtbot, editor, h100):
    editor.set_pool(h100, 8, _slices(("7g.80gb", "chat")), ["chat"])
    assert _emitted(qtbot, editor, editor.clear_button.click) is None


def test_checking_the_box_starts_with_one_large_slice(qtbot, editor, h100):
    editor.set_pool(h100, 8, None, ["chat", "embed"])
    assert not editor.enable_box.isChecked()
    layout = _emitted(qtbot, editor, editor.enable_box.click)
    assert layout == [{"profile": "7g.80gb", "workload": "chat"}]
    # The box shows the plan until the owner applies the request.
    assert not editor.enable_box.isChecked()


def test_unchecking_the_box_asks_for_mig_off(qtbot, editor, h100):
    editor.set_pool(h100, 8, _slices(("3g.40gb", "chat"), ("3g.40gb", "chat")), ["chat"])
    assert editor.enable_box.isChecked()
    assert _emitted(qtbot, editor, editor.enable_box.click) is None


def test_accelerator_without_mig_disables_everything(qtbot, editor, catalog):
    mi300x = catalog.accelerator("mi300x")
    assert mi300x.mig is None
    with qtbot.assertNotEmitted(editor.layoutEdited):
        editor.set_pool(mi300x, 8, None, ["chat"])
        editor.enable_box.click()
        editor.clear_button.click()
        editor.remove_button.click()
    assert not editor.enable_box.isEnabled()
    assert not editor.workload_box.isEnabled()
    assert not editor.clear_button.isEnabled() and not editor.remove_button.isEnabled()
    assert editor.profile_buttons == {}
    assert editor.status_label.text() == f"{mi300x.name} does not offer MIG"


def test_set_pool_never_emits(qtbot, editor, catalog, h100):
    with qtbot.assertNotEmitted(editor.layoutEdited):
        editor.set_pool(h100, 8, None, ["chat", "embed"])
        editor.set_pool(h100, 8, _slices(("3g.40gb", "chat")), ["chat", "embed"])
        editor.set_pool(h100, 8, _slices(("3g.40gb", "embed")), ["embed"])
        editor.set_pool(catalog.accelerator("gb200"), 72, None, [])
        editor.set_pool(catalog.accelerator("mi300x"), 8, None, ["chat"])
        editor.set_pool(h100, 8, _slices(("3g.40gb", "chat")), ["chat"])
    assert editor.enable_box.isChecked()
    assert editor.workload_box.currentText() == "chat"


def test_workload_choice_survives_set_pool(editor, h100):
    editor.set_pool(h100, 8, None, ["chat", "embed"])
    editor.workload_box.setCurrentText("embed")
    editor.set_pool(h100, 8, _slices(("1g.10gb", "embed")), ["chat", "embed"])
    assert editor.workload_box.currentText() == "embed"


def test_summary_caption_and_source(editor, h100):
    editor.set_pool(h100, 8, _slices(*[("2g.20gb", "chat")] * 3), ["chat"])
    assert editor.summary_label.text() == (
        "3 slices: 6/7 compute, 6/8 memory slices used · 3×\u00a02g.20gb")
    assert "same layout" in editor.caption_label.text()
    assert "24 MIG instances per system" in editor.caption_label.text()
    assert editor.source_label.full_text().endswith(f"[{h100.mig.grade}]")
    assert html.escape(h100.mig.source) in editor.source_label.toolTip()


def test_many_gpus_are_drawn_capped(editor, h100):
    editor.set_pool(h100, 72, _slices(("7g.80gb", "chat")), ["chat"])
    assert editor.view._drawn() == MAX_DRAWN_GPUS
    assert editor.view.gpus == 72


def test_a_layout_that_is_not_allowed_can_still_be_repaired(qtbot, editor, h100):
    """A plan from elsewhere may hold a bad layout: it is shown, explained, and removable."""
    editor.set_pool(h100, 8, _slices(("7g.80gb", "chat"), ("1g.10gb", "chat")), ["chat"])
    assert "not allowed" in editor.status_label.text()
    assert not any(b.isEnabled() for b in editor.profile_buttons.values())
    editor.select_slice(1)
    assert _emitted(qtbot, editor, editor.remove_selected) == [
        {"profile": "7g.80gb", "workload": "chat"}]


def test_slices_of_another_gpu_are_shown_as_not_allowed(editor, catalog, h100):
    editor.set_pool(catalog.accelerator("h200-sxm-141gb"), 8,
                    _slices(("3g.40gb", "chat")), ["chat"])
    assert "unknown MIG profile" in editor.status_label.text()
    editor.grab()  # painting a foreign profile must not raise


def test_no_workloads_means_nothing_to_add(editor, h100):
    editor.set_pool(h100, 8, None, [])
    assert not editor.enable_box.isEnabled()
    assert not any(b.isEnabled() for b in editor.profile_buttons.values())
    assert "workload" in editor.profile_buttons["1g.10gb"].toolTip()


def test_drawn_slice_explains_itself(editor, h100):
    editor.set_pool(h100, 8, _slices(("3g.40gb", "chat"), ("1g.10gb", "embed")),
                    ["chat", "embed"])
    tip = editor.view.slice_tooltip(1)
    assert "1g.10gb" in tip and "embed" in tip
    assert "memory slice 4" in tip  # 3g.40gb takes slices 0-3, the 1g.10gb the next one
    assert "16 SMs" in tip and "9.75 GiB" in tip


def test_arrow_keys_step_through_slices_in_gpu_order(qtbot, editor, h100):
    editor.set_pool(h100, 8, _slices(("1g.10gb", "embed"), ("4g.40gb", "chat")),
                    ["chat", "embed"])
    qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    assert editor.selected_slice() == 1  # the 4g.40gb sits first, at memory slice 0
    qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    assert editor.selected_slice() == 0
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    assert editor.selected_slice() == -1


def test_buttons_come_back_right_after_the_editor_was_disabled(editor, h100):
    """The owner may disable the whole editor; re-enabling must not wake refused buttons."""
    editor.set_pool(h100, 8, _slices(("7g.80gb", "chat")), ["chat"])
    editor.setEnabled(False)
    editor.set_pool(h100, 8, _slices(("4g.40gb", "chat")), ["chat"])
    editor.set_pool(h100, 8, _slices(("7g.80gb", "chat")), ["chat"])
    editor.setEnabled(True)
    assert not any(b.isEnabled() for b in editor.profile_buttons.values())


def test_paints_in_every_state(editor, catalog, h100):
    """Smoke: each state draws without raising, at a tight and a roomy size."""
    states = [
        (h100, 8, None, ["chat"]),
        (h100, 72, _slices(("3g.40gb", "chat"), ("2g.20gb", "chat"), ("1g.10gb", "embed")),
         ["chat", "embed"]),
        (h100, 1, _slices(("7g.80gb", "chat"), ("1g.10gb", "chat")), ["chat"]),
        (catalog.accelerator("mi300x"), 8, None, ["chat"]),
    ]
    for size in ((444, 280), (700, 900)):
        editor.resize(*size)
        for state in states:
            editor.set_pool(*state)
            editor.select_slice(0)
            assert not editor.grab().isNull()


@pytest.mark.parametrize("accelerator", ["h100-sxm-80gb", "a100-sxm-80gb", "gb200"])
def test_random_clicking_only_ever_builds_allowed_layouts(editor, catalog, accelerator):
    """200 seeded random user actions; every layout asked for must be one NVIDIA allows."""
    acc = catalog.accelerator(accelerator)
    workloads = ["chat", "embed", "rag"]
    rng = random.Random(20240611)
    # Emission is synchronous; a plain collector keeps this long walk cheap.
    requests: list[list[dict] | None] = []
    editor.layoutEdited.connect(requests.append)
    slices: list[MigSlice] | None = None
    editor.set_pool(acc, 8, slices, workloads)
    seen = set()
    for _step in range(200):
        names = [s.profile for s in slices or []]
        for name, button in editor.profile_buttons.items():
            assert button.isEnabled() == allowed(acc.mig, names + [name]), (names, name)
        actions = [b.click for b in editor.profile_buttons.values() if b.isEnabled()]
        if slices:
            victim = rng.randrange(len(slices))

            def remove(i=victim):
                editor.select_slice(i)
                editor.remove_button.click()
            actions += [remove] * 3
            if rng.random() < 0.05:
                actions.append(editor.clear_button.click)
        if slices is None:
            actions.append(editor.enable_box.click)
        editor.workload_box.setCurrentIndex(rng.randrange(len(workloads)))
        rng.choice(actions)()
        assert len(requests) == 1, requests
        layout = requests.pop()
        if layout is not None:
            try:
                placed = place(acc.mig, [s["profile"] for s in layout])
            except PlannerError as exc:
                pytest.fail(f"the editor offered a layout NVIDIA refuses: {layout}: {exc}")
            assert len(placed) == len(layout)
            assert all(s["workload"] in workloads for s in layout)
            seen.add(tuple(sorted(s["profile"] for s in layout)))
        slices = _as_slices(layout)
        editor.set_pool(acc, 8, slices, workloads)
        assert requests == []  # set_pool asks for nothing
    assert len(seen) > 10  # the walk went somewhere, not back and forth between two states
