"""The console's look: Fusion, a light palette, the system UI font and resources/style.qss.

``style.qss`` may refer to icons as ``@icons@/name.svg``; the placeholder is
replaced by the folder the icons are installed in.
"""
from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

import resources

PRIMARY = "#0F6CBD"
TEXT = "#242424"
# Segoe UI first (Windows, like the Dynamics 365 admin centres), then the usual system UI fonts.
FONT_FAMILIES = ["Segoe UI", "Segoe UI Variable Text", "-apple-system", "SF Pro Text", "Helvetica Neue",
                 "Inter", "Cantarell", "Ubuntu", "Noto Sans", "Open Sans", "Arial", "DejaVu Sans", "Sans Serif"]
FONT_POINT_SIZE = 9.5 if sys.platform != "darwin" else 13
# Plain Fusion, not a QProxyStyle subclass: a Python style makes PySide create QStyle's
# enums (~8 ms of start-up) and wraps every widget it polishes.  What the subclass used to
# add, the spin boxes' text inset, ui/common/spin_boxes.py does.
STYLE_NAME = "Fusion"


def stylesheet() -> str:
    text = resources.path("style.qss").read_text(encoding="utf-8")
    return text.replace("@icons@", str(resources.path("icons")).replace("\\", "/"))


def palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#F5F7FA",
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: "#FFFFFF",
        QPalette.ColorRole.AlternateBase: "#F7F9FC",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#FFFFFF",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#FFFFFF",
        QPalette.ColorRole.Highlight: PRIMARY,
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.Link: PRIMARY,
        QPalette.ColorRole.LinkVisited: "#0C3B5E",
        QPalette.ColorRole.ToolTipBase: "#FFFFFF",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#707070",
        QPalette.ColorRole.Light: "#FFFFFF",
        QPalette.ColorRole.Midlight: "#EDEBE9",
        QPalette.ColorRole.Mid: "#C8C6C4",
        QPalette.ColorRole.Dark: "#A19F9D",
        QPalette.ColorRole.Shadow: "#605E5C",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#A19F9D"))
    return pal


def ui_font() -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(FONT_POINT_SIZE)
    return font


def apply(app: QApplication, *, with_stylesheet: bool = True, set_style: bool = True) -> None:
    """Give the whole application the console's look.

    ``with_stylesheet=False`` leaves the style sheet for ``apply_stylesheet``:
    building the first window before the sheet is set, then setting it (one
    polish of the finished tree), is about 30 ms quicker than re-polishing each
    widget as it is added.  ``set_style=False``: the application was made with
    ``-style Fusion`` (ui.shell.startup.application), so no QStyle object is needed here.
    """
    if set_style:
        app.setStyle(STYLE_NAME)
    app.setPalette(palette())
    app.setFont(ui_font())
    if with_stylesheet:
        apply_stylesheet(app)


def apply_stylesheet(app: QApplication) -> None:
    if not app.styleSheet():
        app.setStyleSheet(stylesheet())
