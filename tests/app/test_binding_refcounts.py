"""Guards against a Qt binding that loses references to Python objects.

PySide6 6.12.0 handed Python objects through ``Signal(object)`` and ``QComboBox`` item data
without a reference of their own, so after enough edits ``True`` or ``None`` was freed and the
app aborted. The window relies on both, so a binding that does this must fail the tests.
"""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox


class _Emitter(QObject):
    value = Signal(object)


def test_signal_object_payloads_keep_their_references(qtbot):
    emitter, got = _Emitter(), []
    emitter.value.connect(got.append)
    for payload in (True, object(), 1.5e300):
        before = sys.getrefcount(payload)
        for _ in range(50):
            emitter.value.emit(payload)
        assert sys.getrefcount(payload) - before == 50  # exactly the 50 held by `got`
        got.clear()


def test_combo_item_data_keeps_its_references(qtbot):
    box = QComboBox()
    qtbot.addWidget(box)
    box.addItem("automatic", None)
    before = sys.getrefcount(None)
    for _ in range(500):
        assert box.currentData() is None
        box.findData(None)
    # A broken binding loses one reference per call (-500 here); other code moves None's
    # count by a few at most.
    assert sys.getrefcount(None) - before > -50
