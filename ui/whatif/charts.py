"""A widget showing one of the lab's SVG charts (``app.simulation.report``), scaled to fit.

The charts are drawn once, as SVG text, by the Qt-free report module: the view
and the HTML report show the same pictures, and tests can read the SVG.  QtSvg
ships with PySide6-Essentials (QtCharts does not); it is imported only when the
What-if view is opened.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QSizePolicy, QWidget


MAX_WIDTH = 840  # px a chart is drawn at, at most (centred in wider room)


class SvgChart(QWidget):
    """Paints an SVG keeping its aspect ratio; empty until ``set_svg``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.svg = ""
        self._renderer = QSvgRenderer(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(280, 130)

    def set_svg(self, svg: str) -> None:
        self.svg = svg
        self._renderer.load(QByteArray(svg.encode("utf-8")))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(560, 260)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        # at most 1.5x its natural size: one run across a wide window gets a readable chart, not a poster
        return max(130, min(width, MAX_WIDTH) * 260 // 560)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self.svg:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        size = self._renderer.defaultSize().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        self._renderer.render(painter, QRectF(x, 0, size.width(), size.height()))
        painter.end()
