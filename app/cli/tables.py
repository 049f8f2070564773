"""Plain-text tables for the terminal: aligned columns, numbers right-aligned."""

from __future__ import annotations

import math


def fmt(value, spec: str = "{:,.1f}") -> str:
    """A number as the table shows it; missing or infinite values as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return "—"
        return spec.format(value)
    return str(value)


def table(headers: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)
