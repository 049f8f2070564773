"""Warnings in dialogs, safe for whatever a file put in them.

A message often quotes the user's own text (a pool's name, a model id from someone's plan).
Qt renders a message that looks like HTML as HTML, so a name like ``<h1>HUGE</h1>`` would be
shown huge; and a name a million characters long would block the window while it is laid
out. Every dialog's text goes through :func:`safe` first.
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QMessageBox

#: Longer messages are cut (the whole of it is what the command line prints).
MAX_CHARS = 2_000


def safe(text: str) -> str:
    """``text`` shortened, and shown as written even where Qt would take it for HTML."""
    text = str(text)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1] + "…"
    if Qt.mightBeRichText(text):
        # As HTML that shows the characters themselves (Qt picks plain or rich by looks).
        return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
    return text


def warn(parent, title: str, text: str):
    return QMessageBox.warning(parent, title, safe(text))
