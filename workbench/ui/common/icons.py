"""Small line icons drawn with QPainter, so cards look the same whatever fonts are installed."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

SIZE = 16
_Drawing = Callable[[QPainter], None]


def _plus(p: QPainter, cx: float, cy: float, r: float) -> None:
    p.drawLine(QPointF(cx - r, cy), QPointF(cx + r, cy))
    p.drawLine(QPointF(cx, cy - r), QPointF(cx, cy + r))


def _arrow(p: QPainter, up: bool) -> None:
    top, bottom = (3.0, 13.0) if up else (13.0, 3.0)
    p.drawLine(QPointF(8, bottom), QPointF(8, top))
    step = 4.0 if up else -4.0
    path = QPainterPath(QPointF(4, top + step))
    path.lineTo(QPointF(8, top))
    path.lineTo(QPointF(12, top + step))
    p.drawPath(path)


def _insert(p: QPainter, above: bool) -> None:
    bar = 2.5 if above else 13.5
    p.drawLine(QPointF(2, bar), QPointF(14, bar))
    _plus(p, 8, 9.5 if above else 6.5, 3.5)


def _duplicate(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2.5, 2.5, 8, 8), 1.5, 1.5)
    p.drawRoundedRect(QRectF(5.5, 5.5, 8, 8), 1.5, 1.5)


def _delete(p: QPainter) -> None:
    p.drawLine(QPointF(4, 4), QPointF(12, 12))
    p.drawLine(QPointF(12, 4), QPointF(4, 12))


def _grip(p: QPainter) -> None:
    for x in (6.0, 10.0):
        for y in (4.0, 8.0, 12.0):
            p.drawPoint(QPointF(x, y))


_DRAWINGS: dict[str, _Drawing] = {
    "grip": _grip,
    "insert_above": lambda p: _insert(p, True),
    "insert_below": lambda p: _insert(p, False),
    "duplicate": _duplicate,
    "move_up": lambda p: _arrow(p, True),
    "move_down": lambda p: _arrow(p, False),
    "delete": _delete,
    "add": lambda p: _plus(p, 8, 8, 5),
}


@cache
def icon(name: str, colour: str = "#5f6368") -> QIcon:
    """The icon ``name`` (one of grip, insert_above, insert_below, duplicate, move_up, move_down,
    delete, add) drawn in ``colour``, sharp at 1x and 2x."""
    result = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(SIZE * scale, SIZE * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(colour), 2.2 if name == "grip" else 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        _DRAWINGS[name](painter)
        painter.end()
        result.addPixmap(pixmap)
    return result
