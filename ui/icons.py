"""The console's icons: SVGs drawn for it, in the ``resources.icons`` package.

Each SVG is rendered with QtSvg at the usual sizes into one QIcon (Qt derives
the greyed disabled look from those pixmaps), and cached per name.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICON_PACKAGE = "resources.icons"
SIZES = (16, 20, 24, 32, 48, 64, 128, 256)

NAMES = (
    "app", "new", "save", "save-close", "copy", "activate", "deactivate", "delete", "refresh",
    "import", "export", "back", "search", "info",
    "workstream", "queue", "agent", "presence", "channel", "panel",
)


def svg_bytes(name: str) -> bytes:
    """The SVG source of an icon (FileNotFoundError for an unknown name)."""
    return resources.files(ICON_PACKAGE).joinpath(f"{name}.svg").read_bytes()


def render(name: str, size: int, ratio: float = 1.0) -> QPixmap:
    """One icon drawn at ``size`` device-independent pixels."""
    renderer = QSvgRenderer(QByteArray(svg_bytes(name)))
    pixels = max(1, round(size * ratio))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The named icon; needs a QGuiApplication."""
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if app is not None else 1.0
    result = QIcon()
    for size in SIZES:
        result.addPixmap(render(name, size, ratio))
    return result


def app_icon() -> QIcon:
    return icon("app")
