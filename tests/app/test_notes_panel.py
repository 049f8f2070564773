"""The plan's notes in the window: shown from the plan, edited as undo steps (a stretch of
typing is one), belonging to the plan whatever scenario is on show."""

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication


def _type(panel, text: str) -> None:
    for ch in text:
        panel.editor.insertPlainText(ch)


def test_the_notes_show_the_plans_own(window):
    notes = window.document.plan.notes
    assert notes and window.notes.editor.toPlainText() == notes
    assert window.notes_dock.windowTitle() == "Notes"


def test_a_stretch_of_typing_is_one_undo_step_and_undo_shows_the_old_text(window):
    doc, panel = window.document, window.notes
    before = doc.plan.notes
    steps = doc.undo_stack.count()
    panel.editor.moveCursor(panel.editor.textCursor().MoveOperation.End)
    _type(panel, " Checked by the site team.")
    assert doc.plan.notes == before + " Checked by the site team."
    assert doc.undo_stack.count() == steps + 1
    assert not doc.undo_stack.isClean()
    # Leaving the editor ends the stretch: more typing is a step of its own.
    QApplication.sendEvent(panel.editor, QFocusEvent(QEvent.Type.FocusOut))
    _type(panel, "!")
    assert doc.undo_stack.count() == steps + 2
    doc.undo_stack.undo()
    assert doc.plan.notes == before + " Checked by the site team."
    doc.undo_stack.undo()
    assert doc.plan.notes == before
    assert panel.editor.toPlainText() == before


def test_notes_belong_to_the_plan_not_to_the_scenario_on_show(window):
    doc, panel = window.document, window.notes
    what_if = doc.plan.scenario_names()[1]
    doc.set_scenario(what_if)
    panel.editor.setPlainText("Replaced.")
    assert doc.plan.notes == "Replaced."
    assert all("notes" not in s.overrides for s in doc.plan.scenarios)
