"""The command bar: commands that never vanish on a small screen.

QToolBar hides the commands that do not fit behind a 12-pixel extension arrow
(at 1024 px, Delete and Refresh simply disappeared).  This bar instead
compacts: first the secondary commands lose their text (icon, tooltip with the
name and keys stay), then every command does.  Icon-only, the whole bar needs
about 300 px, less than the window's minimum width allows it.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QToolBar, QToolButton, QWidget

FULL, SECONDARY_ICONS, ALL_ICONS = 0, 1, 2


class CommandBar(QToolBar):
    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setMovable(False)
        self.setFloatable(False)
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # The row gives the bar what is left beside the search box; the bar fits itself into that.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.secondary: list[QAction] = []
        self.level = FULL
        self._fitting = False

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()

    def needed_width(self) -> int:
        """Width of the visible commands at the current level (buttons, separators, spacing, margins)."""
        spacing = self.layout().spacing()
        margins = self.contentsMargins()
        total = margins.left() + margins.right() + 2 * self.layout().contentsMargins().left() + 8
        for action in self.actions():
            if not action.isVisible():
                continue
            if action.isSeparator():  # never asked for its widget: see _apply
                total += 13 + spacing
                continue
            widget = self.widgetForAction(action)
            if widget is None:
                continue
            total += widget.sizeHint().width() + spacing
        return total

    def fit(self) -> None:
        """Choose the widest look whose commands all fit in the bar's width."""
        if self._fitting:
            return
        row = self.parentWidget().layout() if self.parentWidget() is not None else None
        if row is not None:
            # Take the width the row gives now (the search box may have just been hidden): a look chosen
            # at the old width, then widened, keeps QToolBar's overflow arrow shown.
            row.activate()
        self._fitting = True
        try:
            for level in (FULL, SECONDARY_ICONS, ALL_ICONS):
                self._apply(level)
                if self.needed_width() <= self.width():
                    break
        finally:
            self._fitting = False

    def _apply(self, level: int) -> None:
        self.level = level
        for action in self.actions():
            if action.isSeparator():
                # A separator's widget is of a class private to Qt: handing it to Python makes
                # PySide try every widget type it knows (~60 enums, ~7 ms of the first window).
                continue
            button = self.widgetForAction(action)
            if not isinstance(button, QToolButton):
                continue
            icons_only = level == ALL_ICONS or (level == SECONDARY_ICONS and action in self.secondary)
            style = (Qt.ToolButtonStyle.ToolButtonIconOnly if icons_only
                     else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)
        self.layout().invalidate()
        self.layout().setGeometry(self.rect())  # lay out now, at this width (hides QToolBar's own overflow arrow)
