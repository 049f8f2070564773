"""Charts on paper as vectors: a widget's drawing recorded once, replayed on the PDF's pages.

A chart stored as an image is megabytes per page, soft when zoomed and slow to rasterize; the
same drawing replayed as painter commands is lines and real text, a few tens of kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QRectF, QSize, QSizeF
from PySide6.QtGui import (
    QPainter,
    QPicture,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QWidget

#: The document's object type for a chart, and the format property naming which one.
CHART_OBJECT = int(QTextFormat.ObjectTypes.UserObject) + 1
CHART_NAME = int(QTextFormat.Property.UserProperty) + 1
CHART_WIDTH = int(QTextFormat.Property.UserProperty) + 2


@dataclass(frozen=True)
class Chart:
    """A widget's drawing, ``size`` logical pixels, kept as painter commands."""

    picture: QPicture
    size: QSize

    def paint(self, painter: QPainter, target: QRectF) -> None:
        """Draws the chart scaled to fill ``target``."""
        # QPicture.play() sets each font at the resolution of the device it plays on (300 dpi
        # for the PDF) while its coordinates stay the widget's: text would come out three
        # times too large. Played inside a widget's paint event and rendered onto the page,
        # fonts resolve at the widget's resolution and only the output goes to the PDF.
        player = _Player(self)  # no parent: gone when this returns
        painter.save()
        try:
            painter.translate(target.topLeft())
            painter.scale(target.width() / self.size.width(),
                          target.height() / self.size.height())
            player.render(painter, QPoint(0, 0), renderFlags=QWidget.RenderFlag.DrawChildren)
        finally:
            painter.restore()


class _Player(QWidget):
    def __init__(self, chart: Chart) -> None:
        super().__init__()
        self._picture = chart.picture
        self.resize(chart.size)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        try:
            painter.drawPicture(0, 0, self._picture)
        finally:
            painter.end()


class ChartObjects(QPyTextObject):
    """The document layout's handler for charts: their size on the page and their drawing.

    (QPyTextObject is PySide's QObject that Qt can cast to QTextObjectInterface; a Python
    class deriving from both is not recognised as a handler.)

    A chart is ``width`` device pixels wide (at most the text's width) and keeps its aspect.
    """

    def __init__(self, charts: dict[str, Chart], text_width: float,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._charts = charts
        self._text_width = text_width

    def intrinsicSize(self, doc, position, fmt) -> QSizeF:  # noqa: N802 (Qt's name)
        chart = self._charts[fmt.property(CHART_NAME)]
        width = min(fmt.doubleProperty(CHART_WIDTH) or self._text_width, self._text_width)
        return QSizeF(width, width * chart.size.height() / chart.size.width())

    def drawObject(self, painter, rect, doc, position, fmt) -> None:  # noqa: N802 (Qt's name)
        self._charts[fmt.property(CHART_NAME)].paint(painter, rect)


def place_charts(doc: QTextDocument, charts: dict[str, Chart], text_width: float,
                 px_per_css_px: float) -> ChartObjects:
    """Puts each chart where the HTML has ``<img src="name" width="...">`` for it.

    ``px_per_css_px`` converts the HTML's widths (1/96 inch) to the layout's device pixels.
    The handler that sizes and draws them belongs to the document: the layout only points
    to it, and calls it whenever it draws a chart.
    """
    handler = ChartObjects(charts, text_width, parent=doc)
    doc.documentLayout().registerHandler(CHART_OBJECT, handler)
    found = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name() in charts:
                image = fmt.toImageFormat()
                found.append((it.fragment().position(), image.name(), image.width()))
            it += 1
        block = block.next()
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    for position, name, width in reversed(found):  # from the end: positions stay valid
        fmt = QTextCharFormat()
        fmt.setObjectType(CHART_OBJECT)
        fmt.setProperty(CHART_NAME, name)
        fmt.setProperty(CHART_WIDTH, width * px_per_css_px)
        cursor.setPosition(position)
        cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText("\ufffc", fmt)
    cursor.endEditBlock()
    return handler
