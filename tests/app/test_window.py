"""The main window with pytest-qt."""

from app.window.main_window import MainWindow


def test_window_shows_example_kpis(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.render_now()
    tiles = w.dashboard.tiles
    assert tiles["usd_per_m_output_tokens"].value.text().startswith("$")
    assert tiles["accelerators"].value.text() != "—"
    assert w.fleet.rowCount() == 1
    assert w.scenario_box.count() == 4


def test_switching_scenario_changes_kpis(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.render_now()
    base = w.dashboard.tiles["accelerators"].value.text()
    w.scenario_box.setCurrentText("HGX H200")
    assert w.fleet.item(0, 1).text() == "hgx-h200"
    assert w.dashboard.tiles["accelerators"].value.text() != base


def test_broken_plan_does_not_replace_the_open_one(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    w = MainWindow()
    qtbot.addWidget(w)
    before = w.document
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "inference-planner-plan", "schema_version": 1, "workl')
    assert not w.open_plan(bad)
    assert w.document is before and "not valid JSON" in shown[0]


def test_the_window_fits_a_1280_by_800_screen(window):
    # Every panel's minimum together: a taller window would be cut off on such a screen.
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 800, hint


def test_the_latency_charts_update_in_place_and_follow_the_workloads(window, settle):
    """An edit moves the curves without rebuilding them; a workload added or removed adds or
    removes its curves and its name in the charts' key."""
    dash = window.dashboard
    items = dash.curves.items
    assert len(items) == 1
    ttft = items[0].ttft
    before = ttft.getData()[1].copy()
    settle(lambda: window.document.edit("workloads.chat.input_tokens.mean", 4000,
                                        "Longer prompts"))
    assert dash.curves.items[0].ttft is ttft  # the same item, new data
    assert len(ttft.getData()[1]) and not (
        len(before) == len(ttft.getData()[1]) and (before == ttft.getData()[1]).all())
    assert dash.curves.names == ["chat"]
    assert "chat" in dash.curves_key.text()
    doc = window.document
    from planner_core.plan import edits

    settle(lambda: doc.apply(lambda p: edits.add_workload(p, "llama-3.1-70b", name="batch"),
                             "Add a workload"))
    assert len(dash.curves.items) == 2 and dash.curves.items[0].ttft is ttft
    assert dash.curves.names == ["chat", "batch"]
    assert "batch" in dash.curves_key.text()
    settle(doc.undo_stack.undo)
    assert len(dash.curves.items) == 1
    assert dash.curves.names == ["chat"] and "batch" not in dash.curves_key.text()
    assert len(dash.latency.getPlotItem().listDataItems()) == 3  # TTFT, TPOT, the point


def test_the_dashboard_is_drawn_once_per_new_result(window, settle, monkeypatch):
    """The full pass after a partial one brings the scenario on show back unchanged: the
    dashboard is not drawn again. After a failure the same results are drawn anew."""
    drawn = []
    show = window.dashboard.show_results
    monkeypatch.setattr(window.dashboard, "show_results",
                        lambda *a: (drawn.append(a[1]), show(*a)))
    doc = window.document
    assert len(doc.plan.scenario_names()) > 2  # a partial pass comes first
    settle(lambda: doc.edit("workloads.chat.traffic.peak_rps", 41.0, "Peak"))
    assert drawn == ["base"] and doc.results_complete
    window._on_failed("the plan cannot be evaluated")
    assert window.dashboard.tiles["usd_per_m_output_tokens"].value.text() == "—"
    doc.evaluate_now()  # every scenario's results reused from the evaluation before
    assert drawn == ["base", "base"]
    assert window.dashboard.tiles["usd_per_m_output_tokens"].value.text() != "—"


def test_a_rented_pool_shows_its_rent_among_the_costs(qtbot, tmp_path):
    """A pool of a cloud-only part: the cost chart gains a rent bar, and loses it again."""
    from planner_core.plan import plan_to_json
    from tests.core.test_rent import _plan

    path = tmp_path / "tpu.json"
    path.write_text(plan_to_json(_plan(own_pool=True)), encoding="utf-8")
    w = MainWindow(open_example=False)
    w.ask_before_discarding = False
    qtbot.addWidget(w)
    assert w.open_plan(path, interactive=False)
    w.render_now()

    def bars():
        return [name for _x, name in w.dashboard.cost.getAxis("bottom")._tickLevels[0]]

    assert bars() == ["CapEx", "energy", "facility", "maint.", "rent"]
    # The pool editor says what an unset rent means for each pool.
    w.pools.select("tpu")
    assert w.pools.rent.specialValueText() == "catalog's ($2.7)"
    w.pools.select("own")
    assert w.pools.rent.specialValueText() == "owned (no rent)"
    with qtbot.waitSignal(w.document.resultsChanged, timeout=10000):
        w.document.apply(lambda p: p.model_copy(update={"pools": [
            q for q in p.pools if q.name != "tpu"], "workloads": [
            x for x in p.workloads if x.name != "chat"]}), "Remove the TPU pool")
    qtbot.waitUntil(lambda: w.document.results_complete, timeout=10000)
    assert bars() == ["CapEx", "energy", "facility", "maint."]
    w.shutdown()
