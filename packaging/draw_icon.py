"""Draws the app icon: ``resources/icons/prompt-workbench.svg`` and PNGs at the usual sizes.

The icon is a rounded indigo tile with a white chat bubble holding a prompt caret ``>_``. The SVG
is written by hand below; the PNGs are painted from the same geometry with QPainter, so no SVG
renderer (and no QtSvg in the bundle) is needed. Run it after changing the drawing:

    .venv/bin/python packaging/draw_icon.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
BACKGROUND = ("#4f46e5", "#7c3aed")  # gradient, top-left to bottom-right
BUBBLE = "#ffffff"
CARET = "#4f46e5"

SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="{BACKGROUND[0]}"/>
      <stop offset="1" stop-color="{BACKGROUND[1]}"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#tile)"/>
  <path d="M60 56 H196 A20 20 0 0 1 216 76 V160 A20 20 0 0 1 196 180 H112 L76 212 V180 H60
           A20 20 0 0 1 40 160 V76 A20 20 0 0 1 60 56 Z" fill="{BUBBLE}"/>
  <path d="M80 94 L112 118 L80 142" fill="none" stroke="{CARET}" stroke-width="16"
        stroke-linecap="round" stroke-linejoin="round"/>
  <rect x="124" y="134" width="52" height="16" rx="8" fill="{CARET}"/>
</svg>
"""


def paint_png(size: int, path: Path) -> None:
    """Paints the SVG's geometry at ``size`` pixels with QPainter."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import (
        QBrush,
        QColor,
        QImage,
        QLinearGradient,
        QPainter,
        QPainterPath,
        QPen,
    )

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 256, size / 256)
    gradient = QLinearGradient(QPointF(8, 8), QPointF(248, 248))
    gradient.setColorAt(0, QColor(BACKGROUND[0]))
    gradient.setColorAt(1, QColor(BACKGROUND[1]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 52, 52)

    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(40, 56, 176, 124), 20, 20)
    tail = QPainterPath()
    tail.moveTo(76, 176)
    tail.lineTo(112, 176)
    tail.lineTo(76, 212)
    tail.closeSubpath()
    painter.setBrush(QColor(BUBBLE))
    painter.drawPath(bubble.united(tail))

    pen = QPen(QColor(CARET), 16)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolyline([QPointF(80, 94), QPointF(112, 118), QPointF(80, 142)])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(CARET))
    painter.drawRoundedRect(QRectF(124, 134, 52, 16), 8, 8)
    painter.end()
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")


def write_ico(path: Path) -> None:
    """A Windows .ico holding the PNGs up to 256 px (ICO may embed PNG data as is)."""
    import struct

    sizes = [size for size in SIZES if size <= 256]
    blobs = [(ICONS / f"prompt-workbench-{size}.png").read_bytes() for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(blobs))
    offset = len(header) + 16 * len(blobs)
    entries = b""
    for size, blob in zip(sizes, blobs, strict=True):
        side = 0 if size == 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    path.write_bytes(header + entries + b"".join(blobs))


def write_icns(path: Path) -> None:
    """A macOS .icns holding the PNGs under their PNG element types."""
    import struct

    types = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
    body = b""
    for size, kind in types.items():
        blob = (ICONS / f"prompt-workbench-{size}.png").read_bytes()
        body += kind + struct.pack(">I", len(blob) + 8) + blob
    path.write_bytes(b"icns" + struct.pack(">I", len(body) + 8) + body)


def main() -> int:
    """Writes the SVG and the PNGs into resources/icons."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "prompt-workbench.svg").write_text(SVG, encoding="utf-8")
    for size in SIZES:
        paint_png(size, ICONS / f"prompt-workbench-{size}.png")
    write_ico(ICONS / "prompt-workbench.ico")
    write_icns(ICONS / "prompt-workbench.icns")
    print(f"wrote {ICONS}/prompt-workbench.svg, .ico, .icns and {len(SIZES)} PNGs")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
