"""Small line icons drawn with QPainter, so cards look the same whatever fonts are installed."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from workbench.ui.common.palette import colours

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


class _LineIconEngine(QIconEngine):
    """Draws a line icon in the theme's colour at paint time, so a theme switch recolours it."""

    def __init__(self, name: str, tone: str) -> None:
        super().__init__()
        self._name = name
        self._tone = tone
        #: Drawn pixmaps by size, mode, scale and colour: every card on screen shows these icons,
        #: and drawing them afresh on each repaint was most of a keystroke's repaint.
        self._pixmaps: dict[tuple[int, int, int, float, int], QPixmap] = {}

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        values = colours()
        colour = values.qcolor(self._tone)
        if mode == QIcon.Mode.Disabled:
            colour = values.qcolor("placeholder")
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        painter.scale(rect.width() / SIZE, rect.height() / SIZE)
        pen = QPen(colour, 2.2 if self._name == "grip" else 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        _DRAWINGS[self._name](painter)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        # The application palette's key stands for the theme (paint() reads its colours): one
        # call, where working out the colour set per icon per repaint added up.
        key = (size.width(), size.height(), mode.value, scale, QGuiApplication.palette().cacheKey())
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        if len(self._pixmaps) > 64:  # sizes and themes come and go: keep the recent ones
            self._pixmaps.clear()
        # QIconEngine's own pixmap() paints on uninitialised memory: start from transparent.
        pixmap = QPixmap(size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        self._pixmaps[key] = pixmap
        return pixmap

    def clone(self) -> QIconEngine:
        return _LineIconEngine(self._name, self._tone)


@cache
def icon(name: str, tone: str = "icon") -> QIcon:
    """The icon ``name`` (one of grip, insert_above, insert_below, duplicate, move_up, move_down,
    delete, add) in the palette colour ``tone`` (``icon``, ``grip``, ``danger_icon``) of the
    current theme, sharp at any scale."""
    return QIcon(_LineIconEngine(name, tone))
