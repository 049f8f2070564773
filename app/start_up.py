"""How the program starts without wasting time on memory management.

Start-up builds hundreds of thousands of objects (Qt's and pydantic's types, the catalog)
that all live as long as the program: collecting cycles among them while they are made is
time lost. The program starts with the collector off (:func:`begin`) and turns it back on
once the window has first painted, or before a command runs (:func:`done`).
"""

from __future__ import annotations

import gc


def begin() -> None:
    gc.disable()


def done() -> None:
    """Back to normal memory management: what start-up built is set aside for good (it lives
    as long as the program), so later collections need not walk it again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
