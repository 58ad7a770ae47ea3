"""The left navigation pane: the brand, the database's name and the list of views.

``NavPane`` shows the views either with their names (248 px) or, collapsed, as icons only
(56 px: the brand keeps only its logo, each item's tooltip names the view and its key),
so a narrow window gives its width to the lists and the editor.  The window decides
when it is collapsed (View > Collapse navigation, the toggle at the top of the pane, or
its own width while the user has never chosen) and remembers the choice.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

EXPANDED_WIDTH = 248
COLLAPSED_WIDTH = 56
LOGO_SIZE = 28
EXPANDED_BRAND_MARGINS = (16, 0, 6, 10)
# The rows' height, fixed: the style sheet's item padding would make them 40 px once the list is laid out
# again (as when the pane collapses), so the items would jump; 22 px is the look the console has always had.
ROW_HEIGHT = 22


class NavDelegate(QStyledItemDelegate):
    """Navigation items, with the Fluent selection mark: a short brand-coloured bar on the left."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        # The selection from the view, not option.state: QStyle's state enums cost the first paint ~8 ms.
        view = self.parent()
        if view is not None and view.selectionModel().isSelected(index):
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#0F6CBD"))
            bar = QRectF(option.rect.left() + 1, option.rect.center().y() - 8, 3, 16)
            painter.drawRoundedRect(bar, 1.5, 1.5)
            painter.restore()


class IconsOnlyNavDelegate(NavDelegate):
    """The collapsed pane's items: the icon alone (the name is in the tooltip).  A separate
    delegate, so the expanded pane's paint does not call into Python for every item's option."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802 — Qt's name
        super().initStyleOption(option, index)
        option.text = ""


class NavPane(QFrame):
    """The brand over the list of views; ``viewRequested(key)`` when the user picks one."""

    viewRequested = Signal(str)
    collapseRequested = Signal(bool)  # the toggle button: collapse (True) or expand; the window decides

    def __init__(self, title: str, logo: QIcon, views: list[tuple[str, str, QIcon, str]],
                 database_label: str, database_tip: str = "", toggle_keys: str = "", parent: QWidget | None = None):
        """``views``: (key, label, icon, shortcut text) in the pane's order; ``toggle_keys``: the shortcut of
        View > Collapse navigation, for the toggle's tooltip."""
        super().__init__(parent)
        self.toggle_keys = toggle_keys
        self.setObjectName("navPane")
        self.setFixedWidth(EXPANDED_WIDTH)
        self._collapsed = False
        self._keys = [key for key, _label, _icon, _keys in views]
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 14, 0, 12)
        column.setSpacing(2)

        # The brand: logo, name and database side by side; collapsed, the logo over the toggle.
        self.brand = QHBoxLayout()  # turned top to bottom when collapsed
        self.brand.setContentsMargins(*EXPANDED_BRAND_MARGINS)
        self.brand.setSpacing(0)
        self.logo = QLabel()
        self.logo.setObjectName("brandLogo")
        self.logo.setPixmap(logo.pixmap(QSize(LOGO_SIZE, LOGO_SIZE)))
        self.brand.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignHCenter)
        self.brand.addSpacing(10)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.brand_name = QLabel(title)
        self.brand_name.setObjectName("brandName")
        names.addWidget(self.brand_name)
        self.brand_db = QLabel(database_label)
        self.brand_db.setObjectName("brandDb")
        self.brand_db.setToolTip(database_tip)
        names.addWidget(self.brand_db)
        self.brand.addLayout(names, 1)
        self.toggle_button = QToolButton()
        self.toggle_button.setObjectName("navToggle")
        self.toggle_button.setAutoRaise(True)
        self.toggle_button.setFixedSize(22, 22)  # beside the brand's name, which needs ~165 px of the 248
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard's way: View > Collapse navigation
        self.toggle_button.clicked.connect(lambda: self.collapseRequested.emit(not self._collapsed))
        self.brand.addWidget(self.toggle_button, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        column.addLayout(self.brand)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self._named_items = NavDelegate(self.nav)
        self._icons_only = None  # made when first collapsed
        self.nav.setItemDelegate(self._named_items)
        self.nav.setUniformItemSizes(True)
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for key, label, item_icon, keys in views:
            item = QListWidgetItem(item_icon, label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({keys})")
            item.setSizeHint(QSize(0, ROW_HEIGHT))
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._row_changed)
        column.addWidget(self.nav, 1)
        self._show_toggle()

    # ------------------------------------------------------------------ views

    def set_current(self, key: str) -> None:
        """Mark ``key``'s item (without asking for the view again); "" marks none."""
        row = self._keys.index(key) if key in self._keys else -1
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self._keys):
            self.viewRequested.emit(self._keys[row])

    def set_database(self, label: str, tip: str) -> None:
        self.brand_db.setText(label)
        self.brand_db.setToolTip(tip)

    # ------------------------------------------------------------------ collapsed

    def is_collapsed(self) -> bool:
        return self._collapsed

    def set_collapsed(self, collapsed: bool) -> None:
        """Icons only (``COLLAPSED_WIDTH``), or the names beside them (``EXPANDED_WIDTH``)."""
        if collapsed == self._collapsed:
            return
        self._collapsed = collapsed
        self.brand_name.setVisible(not collapsed)
        self.brand_db.setVisible(not collapsed)
        if collapsed:
            self.brand.setDirection(QBoxLayout.Direction.TopToBottom)
            self.brand.setContentsMargins(0, 0, 0, 8)
            if self._icons_only is None:
                self._icons_only = IconsOnlyNavDelegate(self.nav)
            self.nav.setItemDelegate(self._icons_only)
            self.setFixedWidth(COLLAPSED_WIDTH)
        else:
            self.brand.setDirection(QBoxLayout.Direction.LeftToRight)
            self.brand.setContentsMargins(*EXPANDED_BRAND_MARGINS)
            self.nav.setItemDelegate(self._named_items)
            self.setFixedWidth(EXPANDED_WIDTH)
        self._show_toggle()

    def _show_toggle(self) -> None:
        # A chevron pointing where the pane will go; the tooltip names the key of View > Collapse navigation.
        collapsed = self._collapsed
        self.toggle_button.setText("»" if collapsed else "«")
        what = "Expand the navigation: show the views' names" if collapsed else \
            "Collapse the navigation to icons: more width for the page"
        self.toggle_button.setToolTip(f"{what} ({self.toggle_keys})" if self.toggle_keys else what)
        self.toggle_button.setAccessibleName("Expand navigation" if collapsed else "Collapse navigation")
