"""The plan's notes: what the plan is for, what its scenarios ask, which warnings are meant.
They travel in the plan file; here they are shown and edited.

Typing is one undo step per stretch of writing (the steps merge until the editor loses focus
or a pause of a few seconds), and the notes change the plan like any other field, so undo,
the title's unsaved mark and autosave all see them. The notes belong to the plan, not to a
scenario: an edit on a scenario's page still changes the plan's one text.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from planner_core.plan import edits

_sessions = itertools.count(1)
#: Seconds without a keystroke after which more typing is a new undo step.
PAUSE_S = 3.0


class NotesPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc = None
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            "What this plan is for, where its figures come from, what each scenario asks…")
        self.editor.textChanged.connect(self._typed)
        self.hint = QLabel("Saved with the plan. Each stretch of typing is one undo step.")
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.editor)
        lay.addWidget(self.hint)
        self._session = ""
        # A pause ends a stretch of typing: what follows is an undo step of its own.
        self._pause = QTimer(self, singleShot=True, interval=int(PAUSE_S * 1000))
        self._pause.timeout.connect(self._end_session)
        self.editor.installEventFilter(self)

    def set_document(self, doc) -> None:
        self.doc = doc
        doc.planChanged.connect(self.refresh)
        self._end_session()
        self.refresh()

    def refresh(self) -> None:
        """Shows the plan's notes unless they are what the editor holds already (an edit
        from here comes back as a plan change: the cursor must not jump)."""
        if self.doc is None:
            return
        notes = self.doc.plan.notes or ""
        if notes != self.editor.toPlainText():
            was = self.editor.blockSignals(True)
            try:
                self.editor.setPlainText(notes)
            finally:
                self.editor.blockSignals(was)

    def _typed(self) -> None:
        if self.doc is None:
            return
        if not self._session:
            self._session = f"notes-{next(_sessions)}"
        self._pause.start()
        text = self.editor.toPlainText()
        self.doc.apply(lambda p: edits.set_value(p, "notes", text), "Edit the plan's notes",
                       self._session)

    def _end_session(self) -> None:
        self._session = ""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.editor and event.type() == QEvent.Type.FocusOut:
            self._end_session()
        return False
