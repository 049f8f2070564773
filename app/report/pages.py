"""Pages: the report's HTML laid out on A4 with its charts, a footer, a PDF in memory.

QTextDocument.print_() would do the pagination, but it numbers pages as a bare "N" and cannot
draw "Page N of M". So the document is laid out once with the PDF writer as its paint device
(text metrics of the 300 dpi page, not of the screen), and each page draws its slice of the
document plus the footer. app.report.flow decides where pages break.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
    QTextOption,
)

from app.report.flow import fit_tables, paginate, split_line_tops
from app.report.pictures import Chart, place_charts

#: Dots per inch of the PDF's coordinate system. Text and lines are vectors whatever this is;
#: it only sets the rounding of positions.
RESOLUTION = 300
MARGINS_MM = QMarginsF(18, 16, 18, 12)
FOOTER_MM = 9.0
FONT_POINTS = 9.5
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
    font.setPointSizeF(FONT_POINTS)
    # Without ligatures the PDF's text is plain letters: "fi" is searched, copied and read
    # back as "fi", not as the single glyph "ﬁ".
    font.setFeature(QFont.Tag("liga"), 0)
    return font


def render_pdf(html: str, stylesheet: str, charts: dict[str, Chart], *, title: str,
               creator: str, footer: str, step: Callable[[float, str], None]) -> bytes:
    """The finished PDF file's bytes. ``step(fraction, label)`` reports progress; it may raise.

    ``charts`` maps each ``<img src>`` name in the HTML to its chart, drawn there as vectors.
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
    doc.setPageSize(QRectF(0, 0, page.width, page.height).size())
    doc.setHtml(html)
    place_charts(doc, charts, page.width, writer.logicalDpiX() / 96)
    fit_tables(doc, page.width, FONT_POINTS)
    paginate(doc, page.height)
    pages = doc.pageCount()
    below = split_line_tops(doc, page.height)

    painter = QPainter()
    if not painter.begin(writer):
        raise RuntimeError("cannot draw on the PDF writer")
    try:
        for i in range(pages):
            # Laying out and placing the page breaks took about four fifths of the time.
            step(0.8 + 0.2 * i / pages, f"Drawing page {i + 1} of {pages}")
            if i:
                writer.newPage()
            _draw_page(painter, doc, page, i, pages, footer, below.get(i, 0.0))
    finally:
        painter.end()
    buffer.close()
    return bytes(buffer.data())


def _draw_page(painter: QPainter, doc: QTextDocument, page: Page, index: int, count: int,
               footer: str, below: float = 0.0) -> None:
    """Draws page ``index``: its slice of the document, then the footer. ``below``: where the
    first line of a paragraph continued from the page before ends (flow.split_line_tops)."""
    origin = index * page.height
    painter.save()
    painter.translate(0, -origin)
    painter.setClipRect(QRectF(0, origin, page.width, page.height))
    context = QAbstractTextDocumentLayout.PaintContext()
    # The layout draws each paragraph from the last line ending above this clip and up to
    # the first line starting past it, both included: starting just below a continued
    # paragraph's first line, and ending just short of the next page, it draws this page's
    # lines only (others would be hidden by the painter's clip, yet remain in the PDF's text).
    start = origin + below + 0.5 if below else origin
    context.clip = QRectF(0, start, page.width, origin + page.height - 0.5 - start)
    doc.documentLayout().draw(painter, context)
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
