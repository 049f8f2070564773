"""How the report's content flows onto pages: tables no wider than the page, and page breaks
that keep a heading with the start of what it heads without leaving pages half empty.

Qt's layout repeats a table's header row on each page and never splits a picture, but it
splits paragraphs and table rows between any two lines, and cannot know which headings and
rows belong together.
"""

from __future__ import annotations

from PySide6.QtGui import (
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)

#: A section shorter than this (share of the page) that opens a deeper one (a chapter's heading
#: and introduction, then its first section) stays on the page of the section it opens.
KEEP_WITH_NEXT = 0.20
#: What must stay on the page of its heading: this many rows of a table (its header counted)
#: or paragraphs, and of a paragraph its first LEAD_LINES lines.
LEAD_UNITS = 4
LEAD_LINES = 3
#: A section that would fit on one page but crosses the page's foot flows on, its table's
#: header repeated, unless moving it whole leaves less than MOVE_IF_ROOM_BELOW of the page
#: blank, or only a sliver of it (less than SLIVER of a page) would spill over and moving it
#: leaves at most SLIVER_ROOM blank: never the half-empty page the issue saw.
MOVE_IF_ROOM_BELOW = 0.25
SLIVER = 0.08
SLIVER_ROOM = 1 / 3
#: A table row shorter than this share of a page is never split between pages.
MAX_ROW = 0.4
#: Tables wider than the page shrink their text, down to this size (points).
SMALLEST_TABLE_PT = 5.5


# -- tables that fit the page --------------------------------------------------------------------

def fit_tables(doc: QTextDocument, width: float, default_pt: float) -> int:
    """Shrinks the text of each table wider than ``width`` until it fits; returns how many did.

    Column widths follow their longest unbreakable word, so a long name can widen a table past
    the page's edge, where its last column would be cut. The report's tables are designed to
    fit; this catches what a plan's own names do to them. ``default_pt``: the document's size.
    """
    layout = doc.documentLayout()
    shrunk = set()
    for _ in range(4):
        doc.pageCount()  # a finished layout to measure
        wide = [(t, right) for t in _tables(doc.rootFrame())
                if (right := _right_edge(doc, layout, t)) > width + 0.5]
        if not wide:
            break
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()  # one relayout for all of them
        changed = False
        for table, right in wide:
            factor = max(width / right * 0.97, 0.8)
            changed |= _scale_text(doc, cursor, table, factor, default_pt)
            shrunk.add(table.firstPosition())
        cursor.endEditBlock()
        if not changed:
            break
    return len(shrunk)


def _right_edge(doc: QTextDocument, layout, table: QTextTable) -> float:
    # Where the cells' text ends: the frame's own rectangle is offset by the cell padding.
    right, block = 0.0, doc.findBlock(table.firstPosition())
    while block.isValid() and block.position() <= table.lastPosition():
        right = max(right, layout.blockBoundingRect(block).right())
        block = block.next()
    return right


def _tables(frame: QTextFrame) -> list[QTextTable]:
    # Only the outermost: a nested table is measured as part of its table.
    out = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            out.append(child)
        else:
            out += _tables(child)
    return out


def _scale_text(doc: QTextDocument, cursor: QTextCursor, table: QTextTable, factor: float,
                default_pt: float) -> bool:
    runs = []
    block = doc.findBlock(table.firstPosition())
    while block.isValid() and block.position() < table.lastPosition():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            size = fragment.charFormat().fontPointSize() or default_pt
            runs.append((fragment.position(), fragment.length(), size))
            it += 1
        block = block.next()
    changed = False
    for position, length, size in runs:
        smaller = max(size * factor, SMALLEST_TABLE_PT)
        if smaller >= size:
            continue
        fmt = QTextCharFormat()
        fmt.setFontPointSize(smaller)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(fmt)
        changed = True
    return changed


# -- page breaks ---------------------------------------------------------------------------------

def paginate(doc: QTextDocument, page_height: float) -> None:
    """Places the page breaks: each section's start with its heading, each table row whole
    (a group's title with its first row). Either may move content the other already settled,
    so they take turns until neither moves anything (each only ever adds breaks)."""
    # The layout is built lazily, and a format change in a half-built layout leaves the rest
    # of it wrong: every decision is taken on a finished layout (pageCount() finishes it).
    doc.pageCount()
    for _ in range(4):
        moved = keep_sections_together(doc, page_height)
        if not keep_rows_whole(doc, page_height) and not moved:
            break


def keep_sections_together(doc: QTextDocument, page_height: float) -> bool:
    """Moves a heading to the next page where its start would otherwise be cut off from it;
    returns whether any moved.

    A section runs from a heading (or a run of headings) to the next one. It starts a new page
    when its heading and the first rows or lines below it (LEAD_UNITS, LEAD_LINES) do not fit
    in the room left on the page (a picture, which never splits, counts whole), or when it
    would fit on one page and splitting it would leave little on either side (see
    MOVE_IF_ROOM_BELOW). Otherwise it flows on. Sections are settled in order, so each
    decision sees the layout that the earlier ones produced.
    """
    layout = doc.documentLayout()
    starts = _section_starts(doc)
    moved, i = False, 0
    while i < len(starts):
        first, j = starts[i], i
        while j + 1 < len(starts) and _opens(layout, starts, j, page_height):
            j += 1
        end = starts[j + 1] if j + 1 < len(starts) else None
        top = layout.blockBoundingRect(first).top()
        bottom = _bottom(layout, first, end)
        lead = _lead_bottom(layout, starts[j], end)
        page = _page(top, page_height)
        at_top = top - page * page_height < 1.0
        foot = (page + 1) * page_height
        room, spill = foot - top, bottom - foot
        fits = spill > 0.5 and bottom - top <= page_height
        move = fits and (room < MOVE_IF_ROOM_BELOW * page_height
                         or (spill < SLIVER * page_height and room <= SLIVER_ROOM * page_height))
        if not at_top and (lead > foot + 0.5 or move):
            _break(doc, first, QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            moved = True
        i = j + 1
    return moved


def keep_rows_whole(doc: QTextDocument, page_height: float) -> bool:
    """Moves a table row that would straddle the page's foot to the next page, and a row that
    spans its table (a group's title: "Scenario: base") along with its group's first row;
    returns whether any moved.

    Qt splits a row between its lines instead, which reads badly (a source cut in two) and
    leaves the last line before the split in the PDF a second time, hidden above the next
    page (QTextLayout.draw draws one line before its clip). A row taller than MAX_ROW of a
    page may still split. The break goes after the row before: Qt honours a break after a
    cell's block, while one before a cell's own block is sometimes applied twice.
    """
    layout = doc.documentLayout()
    moved = False
    for table in _tables(doc.rootFrame()):
        header = table.format().headerRowCount()
        # The first row goes with the table's start and its heading (see LEAD_UNITS).
        for row in range(header + 1, table.rows()):
            if _is_title(table, row - 1):
                continue  # a break here would strand the title: it was settled with its row
            last = min(row + 1, table.rows() - 1) if _is_title(table, row) else row
            top, bottom = _row_top(layout, table, row), _row_bottom(layout, table, last)
            if (_page(top, page_height) < _page(bottom - 1.0, page_height)
                    and bottom - top < MAX_ROW * page_height):
                before = table.cellAt(row - 1, 0).lastCursorPosition().block()
                _break(doc, before, QTextFormat.PageBreakFlag.PageBreak_AlwaysAfter)
                moved = True
    return moved


def _is_title(table: QTextTable, row: int) -> bool:
    columns = table.columns()
    return columns > 1 and table.cellAt(row, 0).columnSpan() == columns


def _row_top(layout, table: QTextTable, row: int) -> float:
    return min(layout.blockBoundingRect(c.firstCursorPosition().block()).top()
               for c in _own_cells(table, row))


def _row_bottom(layout, table: QTextTable, row: int) -> float:
    return max(layout.blockBoundingRect(c.lastCursorPosition().block()).bottom()
               for c in _own_cells(table, row))


def _own_cells(table: QTextTable, row: int) -> list:
    """The row's cells, without those spanning other rows too (a source shared by the whole
    table reaches its end); a row made only of such cells falls back to all of them."""
    cells = [table.cellAt(row, c) for c in range(table.columns())]
    own = [c for c in cells if c.row() == row and c.rowSpan() == 1]
    return own or cells


def split_line_tops(doc: QTextDocument, page_height: float) -> dict[int, float]:
    """For each page that a paragraph outside tables runs onto from the page before, how far
    below the page's top its first line there ends.

    QTextLayout.draw starts at the last line that ends above its clip, so drawing the page
    from the page's top draws the previous page's last line again, hidden in the margin
    but still in the PDF's text. Drawing it from just below this line's end starts at it.
    """
    layout = doc.documentLayout()
    out: dict[int, float] = {}
    block = doc.begin()
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        first, last = _page(rect.top(), page_height), _page(rect.bottom() - 1.0, page_height)
        if last > first and QTextCursor(block).currentTable() is None:
            lines, origin = block.layout(), block.layout().position().y()
            for i in range(lines.lineCount()):
                line = lines.lineAt(i)
                page = _page(origin + line.y(), page_height)
                if page > first and page not in out:
                    out[page] = origin + line.y() + line.height() - page * page_height
        block = block.next()
    return out


def _page(y: float, page_height: float) -> int:
    # A pixel of slack: a block at the very top of page n may sit at n × height − ε.
    return int((y + 1.0) // page_height)


def _break(doc: QTextDocument, block: QTextBlock, where: QTextFormat.PageBreakFlag) -> None:
    fmt = block.blockFormat()
    fmt.setPageBreakPolicy(where)
    QTextCursor(block).setBlockFormat(fmt)
    doc.pageCount()


def _opens(layout, starts: list[QTextBlock], j: int, page_height: float) -> bool:
    """Whether section ``j`` is a short introduction to section ``j + 1``, a deeper one that
    does not start a page of its own."""
    this, following = starts[j], starts[j + 1]
    if following.blockFormat().pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore:
        return False
    last = this
    while last.next().isValid() and last.next() != following and _is_heading(last.next()):
        last = last.next()
    deeper = following.blockFormat().headingLevel() > last.blockFormat().headingLevel()
    short = (_bottom(layout, this, following) - layout.blockBoundingRect(this).top()
             < KEEP_WITH_NEXT * page_height)
    return deeper and short


def _section_starts(doc: QTextDocument) -> list[QTextBlock]:
    starts, previous_heading = [], False
    block = doc.begin()
    while block.isValid():
        heading = _is_heading(block)
        if heading and not previous_heading:
            starts.append(block)
        previous_heading = heading
        block = block.next()
    return starts


def _is_heading(block: QTextBlock) -> bool:
    return block.blockFormat().headingLevel() > 0 and QTextCursor(block).currentTable() is None


def _bottom(layout, first: QTextBlock, end: QTextBlock | None) -> float:
    bottom = 0.0
    block = first
    while block.isValid() and (end is None or block != end):
        bottom = max(bottom, layout.blockBoundingRect(block).bottom())
        block = block.next()
    return bottom


def _lead_bottom(layout, first: QTextBlock, end: QTextBlock | None) -> float:
    """Where the headings starting at ``first`` and the first LEAD_UNITS units below end.

    A unit is a table row (all its cells' blocks) or a block outside tables, of which only the
    first LEAD_LINES lines count: a long paragraph may flow onto the next page.
    """
    bottom, units, block = 0.0, [], first
    while block.isValid() and block != end and _is_heading(block):
        bottom = max(bottom, layout.blockBoundingRect(block).bottom())
        block = block.next()
    while block.isValid() and block != end:
        unit, rect = _unit(block), layout.blockBoundingRect(block)
        if unit not in units:
            if len(units) == LEAD_UNITS:
                break
            units.append(unit)
        lines = block.layout()
        if unit[0] == "block" and lines.lineCount() > LEAD_LINES:
            bottom = max(bottom, lines.position().y()
                         + lines.lineAt(LEAD_LINES - 1).rect().bottom())
        else:
            bottom = max(bottom, rect.bottom())
        block = block.next()
    return bottom


def _unit(block: QTextBlock) -> tuple:
    cursor = QTextCursor(block)
    table = cursor.currentTable()
    if table is None:
        return ("block", block.blockNumber())
    return ("row", table.firstPosition(), table.cellAt(cursor).row())
