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

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QWidget,
)

# Its own padding, and a minimum that is the icon alone (the style sheet's min-width becomes the
# widget's minimum width); a checked look (the app's style sheet has none for buttons).
TOGGLE_QSS = """
QPushButton { min-width: 20px; padding: 6px 9px; }
QPushButton:checked { background: #EBF3FC; border-color: #0F6CBD; color: #0F548C; }
QPushButton:checked:hover { background: #DCEBFA; }
"""
# An icon button that the row may not squeeze under its icon (the app's role="icon" has min-width 0).
ICON_BUTTON_QSS = "QPushButton { min-width: 20px; }"
COMPACT_PADDING = 12  # a compact button's padding each side of its text


# A side pane wider than this only spreads its fields out; the table beside it reads more.
PANE_COMFORTABLE = 460

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
    """A checkable button with an icon and its text, or the icon alone when its row is narrow
    (``set_compact``; the text stays its tooltip and accessible name)."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = text
        self.setCheckable(True)
        self.setIcon(side_pane_icon())
        self.setText(text)
        self.setAccessibleName(text)
        self.setStyleSheet(TOGGLE_QSS)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_compact(self, compact: bool) -> None:
        self.setText("" if compact else self.full_text)

    def compact(self) -> bool:
        return not self.text()


class CompactingRow(QObject):
    """A row of buttons in ``container`` that gives up width in steps while it has less room than
    it needs (the rules' row beside the Test routing pane at 1024 px: about 430 px for 530 px of
    buttons): first ``buttons`` lose the app's 64 px minimum (padding around their text instead),
    then ``toggle`` shows its icon alone.  No button is ever squeezed under its text or another."""

    def __init__(self, container: QWidget, row: QBoxLayout, buttons: list[QPushButton],
                 toggle: PaneToggleButton | None = None):
        super().__init__(container)
        self.container, self.row, self.buttons, self.toggle = container, row, buttons, toggle
        self.level = 0  # 0: all whole; 1: the buttons compact; 2: the toggle's icon alone too
        self._full_width = 0
        self._buttons_saving = 0
        container.installEventFilter(self)

    @property
    def compact(self) -> bool:
        return self.level > 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt's name
        if event.type() == QEvent.Type.Resize:  # (a hidden widget gets its pending one before it shows)
            self.fit()
        return False

    def _compact_width(self, button: QPushButton) -> int:
        return self._text_width(button) + 2 * COMPACT_PADDING + 2  # and its 1 px border each side

    @staticmethod
    def _text_width(button: QPushButton) -> int:
        return button.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, button.text()).width()

    def fit(self) -> None:
        if self.level == 0:  # what the row needs whole, and what compact buttons save (measured whole)
            self._full_width = self.row.sizeHint().width()
            self._buttons_saving = sum(max(0, button.sizeHint().width() - self._compact_width(button))
                                       for button in self.buttons)
        margins = self.container.layout().contentsMargins()
        room = self.container.width() - margins.left() - margins.right()
        if room >= self._full_width:
            level = 0
        elif self.toggle is None or room >= self._full_width - self._buttons_saving:
            level = 1
        else:
            level = 2
        if level == self.level:
            return
        for button in self.buttons:
            # min-width: the text's, so the row cannot squeeze it under its text (min-width is its minimum).
            button.setStyleSheet(f"QPushButton {{ min-width: {self._text_width(button)}px; "
                                 f"padding: 6px {COMPACT_PADDING}px; }}" if level else "")
        if self.toggle is not None:
            self.toggle.set_compact(level == 2)
        self.level = level
        # At once: a style sheet's minimum width resizes each button now, over its neighbour until
        # the row is laid out again.
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
        """The user's sizes (scaled by the splitter to its width), else two fifths for the pane (at most
        ``PANE_COMFORTABLE``: on a wide screen the rules' conditions want the room), less when the
        main side would get less than it needs."""
        width = self.width() - self.handleWidth()
        if width <= 0:
            return
        if self._remembered_sizes:
            self.setSizes(self._remembered_sizes)
        else:
            pane = max(self.pane.minimumWidth(), min(width * 2 // 5, PANE_COMFORTABLE, width - self.main_needs))
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
