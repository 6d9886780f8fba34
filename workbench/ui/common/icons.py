"""Small line icons drawn with QPainter, so cards look the same whatever fonts are installed."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSize
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPixmap,
    QTransform,
)

from workbench.ui.common.palette import colours, pen, solid, transparent

SIZE = 16


class _Ink:
    """What an icon is drawn with: lines and dots with round ends and joins, in one colour.

    Icons are drawn in the window's first paint, before which PySide's ``Qt`` namespace is not
    made (see :func:`workbench.ui.common.palette.pen`): no pen with Qt.PenCapStyle.RoundCap, but
    each line filled as the outline such a pen strokes (a bar with half-circle ends), a dot as a
    circle.
    """

    def __init__(self, painter: QPainter, colour: QColor, width: float) -> None:
        self._painter = painter
        self._half = width / 2
        self._pen = pen(colour, width)
        self._brush = solid(colour)

    def _bar(self, x1: float, y1: float, x2: float, y2: float) -> QPainterPath:
        half = self._half
        outline = QPainterPath()
        length = math.hypot(x2 - x1, y2 - y1)
        outline.addRoundedRect(QRectF(-half, -half, length + 2 * half, 2 * half), half, half)
        place = QTransform()
        place.translate(x1, y1)
        place.rotate(math.degrees(math.atan2(y2 - y1, x2 - x1)))
        return place.map(outline)

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._painter.fillPath(self._bar(x1, y1, x2, y2), self._brush)

    def polyline(self, *points: tuple[float, float]) -> None:
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            self.line(x1, y1, x2, y2)  # the round ends of two lines make a round join

    def dot(self, x: float, y: float) -> None:
        outline = QPainterPath()
        outline.addEllipse(QPointF(x, y), self._half, self._half)
        self._painter.fillPath(outline, self._brush)

    def rounded_rect(self, rect: QRectF, radius: float) -> None:
        outline = QPainterPath()
        outline.addRoundedRect(rect, radius, radius)
        self._painter.strokePath(outline, self._pen)  # closed, round corners: no ends or joins


_Drawing = Callable[[_Ink], None]


def _plus(ink: _Ink, cx: float, cy: float, r: float) -> None:
    ink.line(cx - r, cy, cx + r, cy)
    ink.line(cx, cy - r, cx, cy + r)


def _arrow(ink: _Ink, up: bool) -> None:
    top, bottom = (3.0, 13.0) if up else (13.0, 3.0)
    ink.line(8, bottom, 8, top)
    step = 4.0 if up else -4.0
    ink.polyline((4, top + step), (8, top), (12, top + step))


def _insert(ink: _Ink, above: bool) -> None:
    bar = 2.5 if above else 13.5
    ink.line(2, bar, 14, bar)
    _plus(ink, 8, 9.5 if above else 6.5, 3.5)


def _duplicate(ink: _Ink) -> None:
    ink.rounded_rect(QRectF(2.5, 2.5, 8, 8), 1.5)
    ink.rounded_rect(QRectF(5.5, 5.5, 8, 8), 1.5)


def _delete(ink: _Ink) -> None:
    ink.line(4, 4, 12, 12)
    ink.line(12, 4, 4, 12)


def _grip(ink: _Ink) -> None:
    for x in (6.0, 10.0):
        for y in (4.0, 8.0, 12.0):
            ink.dot(x, y)


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
        _DRAWINGS[self._name](_Ink(painter, colour, 2.2 if self._name == "grip" else 1.6))
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
        pixmap.fill(transparent())
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
