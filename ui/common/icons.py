"""The console's icons: SVGs drawn for it, in the ``resources.icons`` package.

Each icon is a QIcon over its SVG file, drawn by Qt's SVG icon engine at the
size asked for, when it is asked for (rendering every size up front cost about
90 ms of the first window).  Without Qt's SVG icon engine each is rendered at
the usual sizes instead.  Cached per name.
"""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

import resources

SIZES = (16, 20, 24, 32, 48, 64, 128, 256)

NAMES = (
    "app", "new", "save", "save-close", "copy", "activate", "deactivate", "delete", "refresh",
    "import", "export", "back", "search", "info",
    "workstream", "queue", "agent", "presence", "channel", "panel", "skill", "capacity-profile", "rating-model",
)


def svg_bytes(name: str) -> bytes:
    """The SVG source of an icon (FileNotFoundError for an unknown name)."""
    return resources.path("icons", f"{name}.svg").read_bytes()


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
    path = resources.path("icons", f"{name}.svg")
    if not path.is_file():
        raise FileNotFoundError(path)
    lazy = QIcon(str(path))
    if not lazy.isNull():
        return lazy
    return rendered_icon(name)  # no SVG icon engine in this Qt


def rendered_icon(name: str) -> QIcon:
    """The icon rendered at every size in ``SIZES`` now (the fallback of ``icon``)."""
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if app is not None else 1.0
    result = QIcon()
    for size in SIZES:
        result.addPixmap(render(name, size, ratio))
    return result


def app_icon() -> QIcon:
    return icon("app")
