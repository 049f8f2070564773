"""Pages: the report's HTML laid out on A4, kept-together sections, a footer, a PDF in memory.

QTextDocument.print_() would do the pagination, but it numbers pages as a bare "N" and cannot
draw "Page N of M". So the document is laid out once with the PDF writer as its paint device
(text metrics of the 300 dpi page, not of the screen), and each page draws its slice of the
document plus the footer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextOption,
)

#: Dots per inch of the PDF's coordinate system. Text and lines are vectors whatever this is;
#: it only sets the rounding of positions.
RESOLUTION = 300
MARGINS_MM = QMarginsF(18, 16, 18, 12)
FOOTER_MM = 9.0
#: A heading closer than this to the page's foot (share of the page) starts a new page even
#: when what follows it is too long to keep on one page anyway.
ORPHAN_ZONE = 0.33
#: Sections shorter than this (share of the page) stay on the page of the section that follows.
KEEP_WITH_NEXT = 0.20
FONT_FAMILIES = ["DejaVu Sans", "Helvetica Neue", "Helvetica", "Arial", "Liberation Sans"]


@dataclass(frozen=True)
class Page:
    """Where the text goes on each page, in the writer's device pixels."""

    width: float
    height: float  # of the text, the footer excluded
    footer: float

    @staticmethod
    def of(writer: QPdfWriter) -> Page:
        paint = writer.pageLayout().paintRectPixels(writer.resolution())
        footer = FOOTER_MM / 25.4 * writer.resolution()
        return Page(paint.width(), paint.height() - footer, footer)


def text_width_px96() -> float:
    """The text's width in CSS pixels (1/96 inch), the unit an HTML image width is given in."""
    size = QPageSize(QPageSize.PageSizeId.A4).size(QPageSize.Unit.Millimeter)
    return (size.width() - MARGINS_MM.left() - MARGINS_MM.right()) / 25.4 * 96


def report_font() -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(9.5)
    # Without ligatures the PDF's text is plain letters: "fi" is searched, copied and read
    # back as "fi", not as the single glyph "ﬁ".
    font.setFeature(QFont.Tag("liga"), 0)
    return font


def render_pdf(html: str, stylesheet: str, images: dict[str, QImage], *, title: str,
               creator: str, footer: str, step: Callable[[float, str], None]) -> bytes:
    """The finished PDF file's bytes. ``step(fraction, label)`` reports progress; it may raise.

    ``images`` maps each ``<img src>`` name in the HTML to its picture.
    """
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, MARGINS_MM,
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(title)
    writer.setCreator(creator)
    page = Page.of(writer)

    step(0.0, "Laying out pages")
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(report_font())
    doc.setDefaultStyleSheet(stylesheet)
    doc.setDocumentMargin(0)
    # Qt's default wraps inside a word when a column is narrow ("1,038,3 / 12"); whole words
    # make each column at least as wide as its longest number instead.
    option = QTextOption(doc.defaultTextOption())
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(option)
    for name, image in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setPageSize(QRectF(0, 0, page.width, page.height).size())
    doc.setHtml(html)
    keep_sections_together(doc, page.height)
    pages = doc.pageCount()

    painter = QPainter()
    if not painter.begin(writer):
        raise RuntimeError("cannot draw on the PDF writer")
    try:
        for i in range(pages):
            step(0.1 + 0.9 * i / pages, f"Drawing page {i + 1} of {pages}")
            if i:
                writer.newPage()
            _draw_page(painter, doc, page, i, pages, footer)
    finally:
        painter.end()
    buffer.close()
    return bytes(buffer.data())


def _draw_page(painter: QPainter, doc: QTextDocument, page: Page, index: int, count: int,
               footer: str) -> None:
    painter.save()
    painter.translate(0, -index * page.height)
    doc.drawContents(painter, QRectF(0, index * page.height, page.width, page.height))
    painter.restore()
    # The footer: a hairline, the plan and the app on the left, the page number on the right.
    top = page.height + page.footer * 0.35
    painter.save()
    painter.setPen(QPen(QColor("#c9d1dc"), RESOLUTION / 300))
    painter.drawLine(QPointF(0, top), QPointF(page.width, top))
    font = report_font()
    font.setPointSizeF(7.5)
    painter.setFont(font)
    painter.setPen(QColor("#57606a"))
    box = QRectF(0, top, page.width, page.height + page.footer - top)
    number = f"Page {index + 1} of {count}"
    room = box.width() - painter.fontMetrics().horizontalAdvance(number) * 1.5
    left = painter.fontMetrics().elidedText(footer, Qt.TextElideMode.ElideRight, int(room))
    flags = Qt.AlignmentFlag.AlignVCenter
    painter.drawText(box, flags | Qt.AlignmentFlag.AlignLeft, left)
    painter.drawText(box, flags | Qt.AlignmentFlag.AlignRight, number)
    painter.restore()


# -- keeping sections together -----------------------------------------------------------------

def keep_sections_together(doc: QTextDocument, page_height: float) -> None:
    """Moves a heading to the next page rather than letting its table or picture split.

    A section runs from a heading (or a run of headings) to the next one. When it crosses a
    page boundary and would fit on one page, it starts a new page; when it is longer than a
    page, it moves only if its heading would sit in the last few lines of a page. Sections are
    settled in order, so each decision sees the layout that the earlier ones produced.
    """
    layout = doc.documentLayout()
    # The layout is built lazily, and a format change in a half-built layout leaves the rest
    # of it wrong: every decision is taken on a finished layout (pageCount() finishes it).
    doc.pageCount()
    starts = _section_starts(doc)
    i = 0
    while i < len(starts):
        first = starts[i]
        # A very short section (a chapter heading and its introduction) travels with the next.
        j = i
        end = starts[j + 1] if j + 1 < len(starts) else None
        top = layout.blockBoundingRect(first).top()
        bottom = _bottom(layout, first, end)
        while end is not None and bottom - top < KEEP_WITH_NEXT * page_height:
            j += 1
            end = starts[j + 1] if j + 1 < len(starts) else None
            bottom = _bottom(layout, first, end)
        # A pixel of slack: a block at the very top of page n may sit at n × height − ε.
        page = int((top + 1.0) // page_height)
        at_top = top - page * page_height < 1.0
        crosses = bottom > (page + 1) * page_height + 0.5
        room = (page + 1) * page_height - top
        if crosses and not at_top and (bottom - top <= page_height
                                       or room < ORPHAN_ZONE * page_height):
            fmt = first.blockFormat()
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            QTextCursor(first).setBlockFormat(fmt)
            doc.pageCount()
        i = j + 1


def _section_starts(doc: QTextDocument) -> list[QTextBlock]:
    starts, previous_heading = [], False
    block = doc.begin()
    while block.isValid():
        heading = block.blockFormat().headingLevel() > 0 and not _in_table(block)
        if heading and not previous_heading:
            starts.append(block)
        previous_heading = heading
        block = block.next()
    return starts


def _in_table(block: QTextBlock) -> bool:
    return QTextCursor(block).currentTable() is not None


def _bottom(layout, first: QTextBlock, end: QTextBlock | None) -> float:
    bottom = 0.0
    block = first
    while block.isValid() and (end is None or block != end):
        bottom = max(bottom, layout.blockBoundingRect(block).bottom())
        block = block.next()
    return bottom
