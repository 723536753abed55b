"""The app's icon, drawn at run time (no image files to ship): a magnifier on a blue tile."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(QColor(44, 110, 210))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        pen = QPen(QColor(255, 255, 255), max(1.5, size * 0.09))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        r = size * 0.24
        c = QPointF(size * 0.44, size * 0.44)
        p.drawEllipse(c, r, r)
        p.drawLine(QPointF(size * 0.61, size * 0.61), QPointF(size * 0.8, size * 0.8))
        p.end()
        icon.addPixmap(pm)
    return icon
