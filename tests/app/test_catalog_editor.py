"""The catalog editor: a copy of an entry with your figures (each with a source and grade),
saved to your catalog file only when it validates, then listed and used by the window."""

import json

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit

from app.window.widgets.catalog_editor import CatalogEditor, _SpecRow, unit_of
from planner_core import load_catalog


@pytest.fixture
def editor(qtbot, tmp_path):
    dialog = CatalogEditor(load_catalog(), [], kind="system", like="hgx-h200")
    dialog.file.setText(str(tmp_path / "mine.json"))
    qtbot.addWidget(dialog)
    return dialog


def test_the_form_shows_the_copy_with_units_sources_and_grades(editor):
    price = editor.fields["price_usd"]
    assert isinstance(price, _SpecRow)
    assert price.value.value() == load_catalog().system("hgx-h200").price_usd.value
    assert price.value.suffix() == " USD" and price.grade.currentText() == "assumption"
    assert isinstance(editor.fields["accelerators"], QDoubleSpinBox)
    assert isinstance(editor.fields["name"], QLineEdit)
    assert unit_of("memory_bw_gbs") == "GB/s" and unit_of("tdp_w") == "W"


def test_a_new_system_is_saved_and_the_catalog_holds_it(editor, tmp_path):
    editor.ident.setText("my-h200-server")
    editor.fields["name"].setText("Our H200 server (negotiated price)")
    price = editor.fields["price_usd"]
    price.value.setValue(260_000)
    price.source.setText("quote from our reseller, 2026-11")
    price.grade.setCurrentText("S")
    editor.save()
    assert editor.result() == editor.DialogCode.Accepted
    saved = json.loads((tmp_path / "mine.json").read_text())
    entry = saved["systems"][0]
    assert entry["id"] == "my-h200-server" and entry["price_usd"]["grade"] == "S"
    mine = editor.saved.system("my-h200-server")
    assert mine.price_usd.value == 260_000 and mine.host_power_w == \
        load_catalog().system("hgx-h200").host_power_w  # the rest as copied
    assert editor.saved.origin["my-h200-server"] == str(tmp_path / "mine.json")


def test_a_built_in_id_or_a_bad_value_is_named_and_nothing_is_written(editor, tmp_path):
    editor.ident.setText("hgx-h200")
    editor.save()
    assert "built in" in editor.problem.text()
    editor.ident.setText("my-server")
    editor.fields["cooling"].setText("steam")
    editor.save()
    assert "cooling" in editor.problem.text()
    assert not (tmp_path / "mine.json").exists()
    assert editor.result() != editor.DialogCode.Accepted


def test_a_model_copy_drops_the_aliases_it_would_shadow(qtbot, tmp_path):
    dialog = CatalogEditor(load_catalog(), [], kind="model", like="llama-3.1-70b")
    qtbot.addWidget(dialog)
    dialog.file.setText(str(tmp_path / "models.json"))
    dialog.ident.setText("acme-70b")
    dialog.save()
    assert dialog.saved.model("acme-70b").aliases == []
    assert dialog.saved.model("llama-3.3-70b").id == "llama-3.1-70b"


def test_the_window_lists_and_uses_a_saved_entry(window, qtbot, tmp_path):
    dialog = CatalogEditor(window.catalog, [], kind="system", like="hgx-h200")
    qtbot.addWidget(dialog)
    dialog.file.setText(str(tmp_path / "mine.json"))
    dialog.ident.setText("my-h200-server")
    dialog.save()
    window.use_catalog(dialog.saved)
    assert window.browser.select("system", "my-h200-server")
    assert "my-h200-server" in window.document.catalog.systems
    doc = window.document
    with qtbot.waitSignal(doc.resultsChanged, timeout=10000):
        doc.edit("pools.serving.system", "my-h200-server", "Use our server")
    qtbot.waitUntil(lambda: doc.results_complete, timeout=10000)
    assert doc.results.pools[doc.results.pools.scenario == "base"].system.iloc[0] == \
        "my-h200-server"
