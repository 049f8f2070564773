"""A plain progress bar on standard error for long command-line work (silent when not a TTY)."""

from __future__ import annotations

import sys


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30):
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = -1

    def __call__(self, fraction: float, label: str | None = None) -> None:
        if not self.enabled:
            return
        pct = int(100 * min(max(fraction, 0.0), 1.0))
        if pct == self._last and label is None:
            return
        self._last = pct
        filled = self.width * pct // 100
        text = label or self.label
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{text:<24.24} [{bar}] {pct:3d}%")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 34) + "\r")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
