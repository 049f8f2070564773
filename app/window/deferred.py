"""A tab whose panel is built when it is first shown (or first asked for): the What-if,
Compare, Evidence and Roadmap panels hold a dozen charts and their modules pandas and the
What-if engine, none of which the first screen needs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class Deferred(QWidget):
    def __init__(self, build: Callable[[], QWidget], built: Callable[[QWidget], None],
                 parent=None):
        """``build()`` makes the panel; ``built(panel)`` connects it (and hands it the open
        plan) once it exists."""
        super().__init__(parent)
        self._build, self._built = build, built
        self._panel: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def exists(self) -> bool:
        return self._panel is not None

    def panel(self) -> QWidget:
        if self._panel is None:
            self._panel = self._build()
            self._layout.addWidget(self._panel)
            self._built(self._panel)
        return self._panel

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.panel()
        super().showEvent(event)
