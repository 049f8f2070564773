"""HTML building blocks of the report: numbers as the app shows them, escaped text, ruled tables.

Qt's rich-text engine understands a subset of HTML 4 and CSS 2, so the markup here sticks to
what it renders faithfully: attributes for widths, alignment and colors, per-cell borders.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

ZWSP = "\u200b"
NBSP = "\u00a0"

ZEBRA = "#f3f5f8"
GROUP = "#e4e9f0"
RULE = "#c9d1dc"
HEAD = "#1f3b5c"


_LONG_TOKEN = re.compile(r"\S{26,}")
_BREAK_AFTER = re.compile(r"([/._\-=&?,;:)])(?=\S)")
_LONG_PIECE = re.compile(r"[^\s\u200b]{20}(?=[^\s\u200b]{4})")


def text(value: str) -> str:
    """Escaped text whose long unbroken tokens (URLs, paths) may wrap inside a table cell.

    A zero-width space after separators gives the layout a place to break; without it one
    long URL widens its column until the table runs off the page.
    """
    def breakable(match: re.Match) -> str:
        pieces = _BREAK_AFTER.sub(lambda m: m.group(1) + ZWSP, match.group(0))
        # A long name without separators may still break, every 20 characters.
        return _LONG_PIECE.sub(lambda m: m.group(0) + ZWSP, pieces)

    return html.escape(_LONG_TOKEN.sub(breakable, str(value)))


def paragraphs(value: str) -> str:
    """Free text (plan notes, descriptions) as paragraphs, its blank lines kept."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]
    return "".join("<p>" + text(p).replace("\n", "<br>") + "</p>" for p in parts)


def nowrap(value: str) -> str:
    """Joins a short phrase (a value and its unit) so a line break never splits it."""
    return value.replace(" ", NBSP)


@dataclass(frozen=True)
class Group:
    """A row spanning the table, heading the rows below it (a scenario, a pool)."""

    title: str  # HTML


Row = list[str] | Group  # cells are HTML


def table(header: list[str] | None, rows: list[Row], *, align: str = "",
          widths: list[int] | None = None, small: bool = False,
          spanning: list[str] | None = None) -> str:
    """A ruled, zebra-striped table the width of the page; its header repeats on every page.

    ``align`` gives each column ``l``, ``r`` or ``c``; ``widths`` are percentages.
    ``spanning`` fills the last columns once, down the whole table (one source for all rows);
    the rows then hold only the other columns.
    """
    n = len(header) if header else max(len(r) for r in rows if not isinstance(r, Group))
    align = (align or "l" * n).ljust(n, "l")
    sides = {"l": "left", "r": "right", "c": "center"}
    size = "7.5pt" if small else "8.5pt"
    cell = "border-bottom: 0.5px solid " + RULE + ";"
    head_cells = []
    for i, h in enumerate(header or []):
        width = _width(widths, i)
        side = sides[align[i]]
        head_cells.append(
            f'<th{width} align="{side}" valign="bottom" bgcolor="{HEAD}" '
            f'style="color: #ffffff; font-weight: 600;">{h}</th>')
    body, stripe = [], False
    span = ""
    if spanning:
        first = n - len(spanning)
        span = "".join(f'<td rowspan="{len(rows)}" align="{sides[align[first + i]]}" '
                       f'valign="top" style="{cell}">{c}</td>' for i, c in enumerate(spanning))
    for row in rows:
        if isinstance(row, Group):
            body.append(f'<tr><td colspan="{n}" bgcolor="{GROUP}" style="{cell} '
                        f'font-weight: 600;">{row.title}</td></tr>')
            stripe = False
            continue
        bg = f' bgcolor="{ZEBRA}"' if stripe else ""
        stripe = not stripe
        # Without a header row, the first row carries the column widths.
        sized = widths if widths and not head_cells and not body else None
        tds = "".join(f'<td{_width(sized, i)} align="{sides[align[i]]}" valign="top"{bg} '
                      f'style="{cell}">{c}</td>' for i, c in enumerate(row))
        body.append(f"<tr>{tds}{span}</tr>")
        span = ""
    return (f'<table width="100%" cellspacing="0" cellpadding="3" border="0" '
            f'style="font-size: {size}; border-collapse: collapse;">'
            + (f"<thead><tr>{''.join(head_cells)}</tr></thead>" if head_cells else "")
            + f"{''.join(body)}</table>")


def _width(widths: list[int] | None, i: int) -> str:
    return f' width="{widths[i]}%"' if widths else ""
