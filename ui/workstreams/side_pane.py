"""A splitter whose side pane (the editor's Test routing pane) can be hidden and shown.

At 1024 pixels the rules table beside the Test routing pane had about 410 px and elided every
column, so the pane can be hidden (the table takes the whole width) or shown (the splitter is
the user's to resize) with a checkable button, ``PaneToggleButton``.  Until the user chooses,
the pane follows the width: hidden while the splitter is narrower than what the main side and
the pane need together.  The choice and the splitter's sizes are kept in QSettings, unless the
window says it remembers nothing (``remember_settings`` False: screenshots, the window's tests),
so a screenshot depends on its size only.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

# Its own padding (the app's buttons have a 64 px minimum, too wide for the icon alone) and a
# checked look (the app's style sheet has none for buttons).
TOGGLE_QSS = """
QPushButton { min-width: 20px; padding: 6px 9px; }
QPushButton:checked { background: #EBF3FC; border-color: #0F6CBD; color: #0F548C; }
QPushButton:checked:hover { background: #DCEBFA; }
"""


def side_pane_icon() -> QIcon:
    """A window with its right-hand pane filled in: "the pane beside" (drawn, two sizes)."""
    result = QIcon()
    for size in (16, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        unit = size / 16
        painter.setPen(QPen(QColor("#424242"), 1.2 * unit))
        painter.drawRoundedRect(1.5 * unit, 2.5 * unit, 13 * unit, 11 * unit, 1.5 * unit, 1.5 * unit)
        painter.fillRect(int(9.5 * unit), int(4 * unit), int(3.5 * unit), int(8 * unit), QColor("#0F6CBD"))
        painter.end()
        result.addPixmap(pixmap)
    return result


class PaneToggleButton(QPushButton):
    """A checkable button: icon and text while its row has room, the icon alone when the row is
    narrow (the text stays its tooltip and accessible name), so it never makes the row wider
    than the buttons beside it need."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = text
        self.setCheckable(True)
        self.setIcon(side_pane_icon())
        self.setText(text)
        self.setAccessibleName(text)
        self.setStyleSheet(TOGGLE_QSS)
        # Preferred: the row gives it its whole text when it can, and takes from it first when it can't.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _hint(self, text: str) -> QSize:
        """QPushButton.sizeHint's arithmetic for ``text`` (whatever the button shows now)."""
        self.ensurePolished()
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = text
        metrics = self.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, text or "XXXX")
        width = self.iconSize().width() + 4 + (metrics.width() if text else 0)
        height = max(self.iconSize().height(), metrics.height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, QSize(width, height), self)

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt's name
        return self._hint(self.full_text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self._hint("")

    def compact(self) -> bool:
        """True while only the icon shows."""
        return not self.text()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        # The hints do not depend on the text shown, so changing it never moves the row.
        text = self.full_text if self.width() >= self.sizeHint().width() else ""
        if self.text() != text:
            self.setText(text)


# A compact row's buttons: padding around their text, without the app's 64 px minimum.
COMPACT_QSS = "QPushButton { min-width: 0px; padding: 6px 12px; }"


class CompactingRow(QObject):
    """A row of buttons in ``container`` whose ``buttons`` give up their minimum width while the row
    has less room than it needs (the rules' row beside the Test routing pane at 1024 px: about 430 px
    for 470 px of buttons), so no button is squeezed under another or under its text."""

    def __init__(self, container: QWidget, row: QBoxLayout, buttons: list[QPushButton]):
        super().__init__(container)
        self.container, self.row, self.buttons = container, row, buttons
        self.compact = False
        self._full_width = 0
        container.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.Resize:  # (a hidden widget gets its pending one before it shows)
            self.fit()
        return False

    def fit(self) -> None:
        if not self.compact:  # what the row needs at full width (compact, it needs less)
            self._full_width = self.row.sizeHint().width()
        margins = self.container.layout().contentsMargins()
        room = self.container.width() - margins.left() - margins.right()
        compact = room < self._full_width
        if compact != self.compact:
            self.compact = compact
            for button in self.buttons:
                button.setStyleSheet(COMPACT_QSS if compact else "")
            # At once: the style sheet's minimum width resizes each button now, over its neighbour
            # until the row is laid out again.
            self.container.layout().activate()


class SidePaneSplitter(QSplitter):
    """``main`` beside ``pane``; the pane shown or hidden by the user (remembered) or, until the user
    chooses, by the width: shown when the splitter is at least ``main_needs`` + the pane's minimum
    width (+ the handle) wide."""

    paneShownChanged = Signal(bool)

    def __init__(self, main: QWidget, pane: QWidget, *, main_needs: int, settings_group: str,
                 parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.main, self.pane, self.main_needs = main, pane, main_needs
        self.settings_group = settings_group
        self.setChildrenCollapsible(False)
        self.addWidget(main)
        self.addWidget(pane)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.chosen: bool | None = None  # the user's choice; None: the width decides
        self._remembered_sizes: list[int] | None = None
        self._loaded = False
        self.splitterMoved.connect(lambda _pos, _index: self._remember_sizes())

    # ------------------------------------------------------------------ settings
    def _remembers(self) -> bool:
        return bool(getattr(self.window(), "remember_settings", True))

    def _key(self, name: str) -> str:
        return f"{self.settings_group}/{name}"

    def _load(self) -> None:
        """The user's choice and sizes, read once (at the first resize: by then the window is known)."""
        self._loaded = True
        if not self._remembers():
            return
        settings = QSettings()
        shown = settings.value(self._key("shown"))
        if shown is not None:
            self.chosen = str(shown).lower() in ("true", "1")
        sizes = settings.value(self._key("sizes"))
        try:
            parsed = [int(size) for size in sizes] if isinstance(sizes, (list, tuple)) else None
        except (TypeError, ValueError):
            parsed = None
        if parsed and len(parsed) == 2 and all(size > 0 for size in parsed):
            self._remembered_sizes = parsed

    def _remember_sizes(self) -> None:
        """The user dragged the handle: keep the sizes for the next time the pane shows."""
        if not self.pane.isVisibleTo(self):
            return
        self._remembered_sizes = self.sizes()
        if self._remembers():
            QSettings().setValue(self._key("sizes"), self._remembered_sizes)

    # ------------------------------------------------------------------ showing
    def needed_width(self) -> int:
        """What the main side and the pane need side by side."""
        return self.main_needs + self.pane.minimumWidth() + self.handleWidth()

    def pane_shown(self) -> bool:
        return not self.pane.isHidden()

    def set_pane_shown(self, shown: bool, *, chosen: bool = True) -> None:
        """Show or hide the pane; ``chosen``: the user's choice, kept from now on (and remembered)."""
        if not self._loaded:
            self._load()
        if chosen:
            self.chosen = shown
            if self._remembers():
                QSettings().setValue(self._key("shown"), shown)
        if self._set_visible(shown) and shown:
            self._restore_sizes()

    def _set_visible(self, shown: bool) -> bool:
        """True when it changed."""
        if shown == self.pane_shown():
            return False
        self.pane.setVisible(shown)
        self.paneShownChanged.emit(shown)
        return True

    def _restore_sizes(self) -> None:
        """The user's sizes (scaled by the splitter to its width), else two fifths for the pane, less
        when the main side would get less than it needs."""
        width = self.width() - self.handleWidth()
        if width <= 0:
            return
        if self._remembered_sizes:
            self.setSizes(self._remembered_sizes)
        else:
            pane = max(self.pane.minimumWidth(), min(width * 2 // 5, width - self.main_needs))
            self.setSizes([width - pane, pane])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 — Qt's name
        first = not self._loaded
        if first:
            self._load()
        # Decided before the splitter lays out, so its sides are laid out once, at their final widths.
        shown = self.chosen if self.chosen is not None else event.size().width() >= self.needed_width()
        changed = self._set_visible(shown)
        super().resizeEvent(event)
        if shown and (first or changed):
            self._restore_sizes()
