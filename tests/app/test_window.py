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
