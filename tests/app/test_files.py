"""The File menu as a user meets it: new, open, recent, save with .bak, exports, recovery."""

import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtWidgets import QMessageBox

from app.window import recent_files
from app.window.autosave import orphaned_copies
from planner_core import read_plan
from planner_core.plan.recovery import write_recovery
from planner_core.resources import resource_path


@pytest.fixture
def dialogs(monkeypatch):
    """Records warning dialogs instead of showing them."""
    shown = []

    def warning(_parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def saved(window, tmp_path):
    """The example plan saved as plan.json, then edited (unsaved)."""
    path = tmp_path / "plan.json"
    assert window.export_csv  # the window has the File actions
    assert window._write(path)
    window.document.edit("facility.pue", 1.45, "PUE")
    return path


def test_save_keeps_the_previous_file_as_bak(window, saved, dialogs):
    before = saved.read_bytes()
    assert window.save()
    assert (saved.parent / "plan.json.bak").read_bytes() == before
    assert read_plan(saved).facility.pue == 1.45
    assert not window.document.modified and dialogs == []
    assert recent_files.recent_paths()[0] == saved.resolve()


def test_a_broken_file_leaves_the_open_plan_alone(window, tmp_path, dialogs):
    doc, plan = window.document, window.document.plan
    cases = {
        "truncated.json": b'{"format": "inference-planner-plan", "schema_version": 2, "na',
        "binary.json": bytes(range(256)),
        "types.json": re.sub(rb'"peak_rps": [0-9.]+', b'"peak_rps": "forty"',
                             resource_path("examples", "llama70b-chat.json").read_bytes()),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert not window.open_plan(tmp_path / name)
    assert not window.open_plan(tmp_path)  # a folder
    assert window.document is doc and window.document.plan is plan
    assert [t for t, _ in dialogs] == ["Cannot open plan"] * 4
    texts = [text for _, text in dialogs]
    assert "truncated.json" in texts[0] and "line 1" in texts[0]
    assert "binary" in texts[1]
    assert "workloads.chat.traffic.peak_rps" in texts[2] and "line" in texts[2]
    assert "folder" in texts[3]
    assert all("unchanged" in t for t in texts)


def test_saving_onto_a_read_only_file_changes_nothing(window, saved, dialogs):
    before = saved.read_bytes()
    saved.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        assert not window.save()
    finally:
        saved.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert saved.read_bytes() == before
    assert dialogs and dialogs[0][0] == "Cannot save plan" and "read-only" in dialogs[0][1]
    assert window.document.modified  # the edit is still there to save elsewhere
    assert not (saved.parent / "plan.json.bak").exists()


def test_new_plan_starts_unsaved_and_evaluates(window):
    window.new_act.trigger()
    doc = window.document
    assert doc.path is None and doc.plan.name == "Untitled plan"
    assert doc.results is not None and doc.results.kpi("base")["accelerators"] > 0


def test_examples_menu_lists_every_example(window):
    titles = [a.text() for a in window.examples_menu.actions()]
    assert len(titles) == len(list(resource_path("examples").glob("*.json"))) >= 3
    assert "Llama-3.1-70B chat service" in titles


def test_recent_menu_opens_and_forgets_missing_files(window, saved, tmp_path, dialogs):
    window.document.undo_stack.setClean()
    window.open_plan(saved)
    window._fill_recent()
    entries = [a for a in window.recent_menu.actions() if a.toolTip() == str(saved.resolve())]
    assert len(entries) == 1
    gone = tmp_path / "gone.json"
    recent_files.remember(gone)
    window._open_recent(gone.resolve())
    assert gone.resolve() not in recent_files.recent_paths()
    assert "no longer exists" in dialogs[-1][1]


def test_export_csv_reads_back_with_pandas(window, tmp_path, dialogs):
    out = tmp_path / "results.csv"
    assert window.export_csv(out)
    table = pd.read_csv(out)
    scenarios = window.document.plan.scenario_names()
    assert sorted(set(table.scenario)) == sorted(scenarios)
    kpi = window.document.results.kpi("base")
    assert table[table.scenario == "base"].scenario_usd_per_m_output_tokens.iloc[0] == \
        pytest.approx(kpi["usd_per_m_output_tokens"])


def test_export_to_a_folder_says_why_and_writes_nothing(window, tmp_path, dialogs):
    assert not window.export_csv(tmp_path)
    assert dialogs[-1][0] == "Cannot export CSV" and "folder" in dialogs[-1][1]


def test_autosave_copy_follows_unsaved_changes(window, saved):
    keeper = window.autosave
    keeper.write_now()
    assert keeper.copy.exists()
    assert window.save()
    assert not keeper.copy.exists()  # saved: nothing left to recover


def test_recovery_after_a_crash(window, tmp_path, monkeypatch):
    """A real crash: another process edits, writes its recovery copy and dies."""
    folder = Path(os.environ["INFERENCE_PLANNER_RECOVERY_DIR"]) / "crash"
    script = textwrap.dedent("""
        import os
        from PySide6.QtWidgets import QApplication
        from app.window.main_window import MainWindow
        app = QApplication([])
        w = MainWindow()
        w.document.edit("facility.pue", 1.61, "PUE")
        w.autosave.write_now()
        os._exit(9)  # no clean close: the copy and its lock stay behind
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               INFERENCE_PLANNER_RECOVERY_DIR=str(folder))
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                       timeout=120)
    assert r.returncode == 9, r.stderr
    monkeypatch.setattr(window.autosave, "folder", folder)
    found = orphaned_copies(folder)
    assert len(found) == 1 and found[0][0].plan.facility.pue == 1.61
    monkeypatch.setattr(window, "_ask_recovery", lambda _r: "recover")
    assert window.offer_recovery()
    assert window.document.plan.facility.pue == 1.61
    assert window.document.modified and window.document.path is None
    assert orphaned_copies(folder) == []


def test_a_running_sessions_copy_is_not_offered(window, tmp_path):
    window.document.edit("facility.pue", 1.5, "PUE")
    window.autosave.write_now()  # this window is alive and holds the lock
    assert all(copy != window.autosave.copy
               for _r, copy, _p in orphaned_copies(window.autosave.folder))


def test_discarding_a_recovery_copy_deletes_it(window, tmp_path, monkeypatch):
    folder = tmp_path / "recovery"
    folder.mkdir()
    write_recovery(folder / "old.json", window.document.plan, tmp_path / "mine.json")
    monkeypatch.setattr(window.autosave, "folder", folder)
    monkeypatch.setattr(window, "_ask_recovery", lambda _r: "discard")
    before = window.document
    assert not window.offer_recovery()
    assert window.document is before and not (folder / "old.json").exists()


def test_export_pdf_from_the_window(window, tmp_path, dialogs):
    out = tmp_path / "report.pdf"
    assert window.export_pdf(out)
    assert out.read_bytes()[:5] == b"%PDF-" and dialogs == []
    from pypdf import PdfReader

    words = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert window.document.plan.name in words


def test_cancelled_pdf_export_writes_nothing(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda _self: True)
    out = tmp_path / "report.pdf"
    assert not window.export_pdf(out)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.is_file()]
    assert "cancelled" in window.statusBar().currentMessage()


def test_names_from_a_file_are_shown_as_written_and_shortened(dialogs, qtbot, tmp_path,
                                                              monkeypatch):
    """A model id like <h1>HUGE</h1> is text in the dialog, not a heading; a huge message is
    cut; a bug while opening is a dialog and the open plan stays."""
    from app.window.main_window import MainWindow
    from app.window.messages import MAX_CHARS, safe

    assert safe("<h1>HUGE</h1> is not in the catalog") == (
        "<p>&lt;h1&gt;HUGE&lt;/h1&gt; is not in the catalog</p>")
    assert safe("plain words") == "plain words"
    assert len(safe("x" * 1_000_000)) == MAX_CHARS
    w = MainWindow()
    qtbot.addWidget(w)
    before = w.document
    plan = tmp_path / "plan.json"
    from planner_core.resources import resource_path

    data = json.loads(resource_path("examples", "llama70b-chat.json").read_text())
    data["workloads"][0]["model"] = "<h1>HUGE</h1>"
    plan.write_text(json.dumps(data))
    assert not w.open_plan(plan)
    _title, text = dialogs[-1]
    assert "&lt;h1&gt;HUGE" in text and "<h1>" not in text

    def broken(*_a, **_k):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr("app.window.document.Document.open", broken)
    assert not w.open_plan(plan)
    assert "internal error (ZeroDivisionError: bug)" in dialogs[-1][1]
    assert w.document is before
