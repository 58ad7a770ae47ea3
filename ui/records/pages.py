"""The record lists: a page per kind (title, view filter, table or its empty state), built on first use.

Each page knows which kinds of change it shows (``ListPage.SHOWS``): after an
operation the window hands every page the ``Changes`` it made, and a page that
shows one of them reloads now when on screen, or when next shown.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.common.icons import icon
from ui.common.operations import Changes
from ui.common.widgets import fit_columns
from ui.records.list_models import (
    MODEL_FOR_VIEW,
    ROW_ROLE,
    WORKSTREAM_STATES,
    ListProxyModel,
    RowTableModel,
)

VIEW_LABELS = {"workstreams": "Work streams", "queues": "Queues", "agents": "Agents", "presences": "Presences",
               "channels": "Channels"}
LIST_VIEWS = tuple(MODEL_FOR_VIEW)
KIND = {"workstreams": "work stream", "queues": "queue", "agents": "agent", "presences": "presence",
        "channels": "channel"}
DELETE_SERVICE = {"workstreams": "delete_workstream", "queues": "delete_queue", "agents": "delete_agent",
                  "presences": "delete_presence", "channels": "delete_channel"}
EMPTY_STATES = {
    "workstreams": ("No work streams yet", "Click New to create one; a work stream decides how conversations "
                                           "of a channel are routed and distributed to agents."),
    "queues": ("No queues yet", "Click New to create one, then add agents as its members."),
    "agents": ("No agents yet", "Click New to add an agent, with a capacity and the queues they work in."),
    "presences": ("No presences", "Click New to create a custom presence on top of a base presence."),
    "channels": ("No channels yet", "Click New to add a channel to a work stream (a chat widget, an SMS number, ...)."),
}

class EmptyState(QWidget):
    """A calm, centred 'nothing here yet — here is what to do' message."""

    def __init__(self, icon_name: str, title: str, text: str, parent=None):
        super().__init__(parent)
        self.setObjectName("emptyStatePage")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        picture = QLabel()
        picture.setPixmap(icon(icon_name).pixmap(QSize(48, 48)))
        picture.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(picture)
        self.title_label = QLabel(title)
        self.title_label.setProperty("role", "emptyTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title_label)
        self.text_label = QLabel(text)
        self.text_label.setProperty("role", "emptyText")
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.text_label.setFixedWidth(460)
        text_row = QHBoxLayout()
        text_row.addStretch(1)
        text_row.addWidget(self.text_label)
        text_row.addStretch(1)
        layout.addLayout(text_row)
        layout.addSpacing(8)
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        self.button_row.addStretch(1)
        layout.addLayout(self.button_row)
        layout.addStretch(3)

    def set_text(self, title: str, text: str) -> None:
        self.title_label.setText(title)
        self.text_label.setText(text)

    def add_button(self, button: QPushButton) -> None:
        self.button_row.insertWidget(1, button)


class ListTable(QTableView):
    """A read-only, row-selecting table; Enter or a double-click asks to open the row."""

    openRequested = Signal(QModelIndex)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # Shift/Ctrl: delete many
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSortingEnabled(True)
        self.setMouseTracking(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFrameShape(QFrame.Shape.NoFrame)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform row heights
        vertical.setDefaultSectionSize(36)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(60)
        self.doubleClicked.connect(self.openRequested)
        # Never sideways at 1024 px: the stretching column takes the slack (elided, with a tooltip).
        self.column_fitter = fit_columns(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.openRequested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class ViewSelector(QComboBox):
    """The page title that is also the view filter ("Active work streams ⌄"), as wide as its text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currentIndexChanged.connect(lambda _index: self.updateGeometry())

    PADDING = 48  # the style sheet's paddings, the 26 px drop-down, the frame and a little air

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance(self.currentText()) + self.PADDING)
        return hint

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class ListPage(QWidget):
    """One list: a title, an optional view filter, the table or its empty state."""

    STRETCH_COLUMN = {"workstreams": 0, "queues": 3, "agents": 3, "presences": 2, "channels": 0}
    # The kinds of record each list shows something of (a work stream row shows its default queue's name,
    # a queue row its agent count, an agent row its presence and queues, a channel row its work stream).
    SHOWS = {"workstreams": {"workstreams", "queues"}, "queues": {"queues", "agents"},
             "agents": {"agents", "presences", "queues"}, "presences": {"presences"},
             "channels": {"channels", "workstreams"}}

    def __init__(self, key: str, services, parent=None, loading_text: str | None = None):
        super().__init__(parent)
        self.key = key
        self.model: RowTableModel = MODEL_FOR_VIEW[key](services, self)
        self.proxy = ListProxyModel(self.model, self)
        self.search_text = ""
        self.loading_text: str | None = None  # set while the database is being opened
        self.stale = False  # changed while hidden: reloads when next shown

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = QWidget()
        header.setObjectName("pageHeader")
        header.setFixedHeight(64)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(6, 10, 24, 8)  # titles line up with the first column's text
        header_layout.setSpacing(12)
        self.title_label = QLabel(VIEW_LABELS[key])
        self.title_label.setProperty("role", "pageTitle")
        header_layout.addWidget(self.title_label)
        self.state_combo: QComboBox | None = None
        if key == "workstreams":
            self.title_label.hide()  # the view selector is the title, as in the product
            self.state_combo = ViewSelector()
            self.state_combo.setObjectName("viewSelector")
            for state, label in WORKSTREAM_STATES.items():
                self.state_combo.addItem(label, state)
            self.state_combo.setToolTip("Which work streams to list")
            header_layout.addWidget(self.state_combo)
        header_layout.addStretch(1)
        layout.addWidget(header)

        self.stack = QStackedWidget()
        self._table: ListTable | None = None
        self.table_hooks: list[Callable[[ListTable], None]] = []  # run once the table exists
        title, text = EMPTY_STATES[key]
        self.empty = EmptyState(key[:-1] if key != "workstreams" else "workstream", title, text)
        self.empty_new = QPushButton(f"New {KIND[key]}")
        self.empty_new.setProperty("role", "primary")
        self.empty.add_button(self.empty_new)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        if loading_text is None:
            self.table  # noqa: B018 — built now; only the start-up shell waits for data first
        else:
            self.set_loading(loading_text)

        self.model.modelReset.connect(self.update_state)
        self.proxy.rowsInserted.connect(self.update_state)
        self.proxy.rowsRemoved.connect(self.update_state)
        self.proxy.layoutChanged.connect(self.update_state)

    @property
    def table(self) -> ListTable:
        """The table, built on first use (a page that opens in its loading state paints sooner)."""
        if self._table is None:
            table = ListTable()
            table.setObjectName(f"{self.key}Table")
            table.setModel(self.proxy)
            table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
            head = table.horizontalHeader()
            stretch = self.STRETCH_COLUMN.get(self.key, 0)
            for column in range(self.model.columnCount()):
                mode = (QHeaderView.ResizeMode.Stretch if column == stretch
                        else QHeaderView.ResizeMode.ResizeToContents)
                head.setSectionResizeMode(column, mode)
            self.stack.insertWidget(0, table)
            self._table = table
            for hook in self.table_hooks:
                hook(table)
        return self._table

    def focus_list(self) -> None:
        (self._table or self).setFocus()

    # ------------------------------------------------------------------ state

    def set_search(self, text: str) -> None:
        self.search_text = text
        self.proxy.set_search(text)
        self.update_state()

    def set_loading(self, text: str | None) -> None:
        """Show 'Opening the database…' instead of the list (None: show the list again)."""
        self.loading_text = text
        self.update_state()

    def update_state(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if self.loading_text is not None:
            self.stack.setCurrentWidget(self.empty)
            self.empty.set_text("Opening the database…", self.loading_text)
            self.empty_new.hide()
        elif shown:
            self.stack.setCurrentWidget(self.table)
        else:
            self.stack.setCurrentWidget(self.empty)
            if total and self.search_text.strip():
                self.empty.set_text("No matches", f"Nothing in this list matches '{self.search_text.strip()}'. "
                                                  "Clear the search box to see everything.")
                self.empty_new.hide()
            elif self.key == "workstreams" and self.model.state != "all":
                self.empty.set_text(f"No {self.model.state} work streams",
                                    "Choose All work streams to see every stream, or click New to create one.")
                self.empty_new.show()
            else:
                self.empty.set_text(*EMPTY_STATES[self.key])
                self.empty_new.show()

    def count_text(self) -> str:
        if self.loading_text is not None:
            return ""
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown != total:
            return f"{shown} of {self.model.describe_count(total)}"
        return self.model.describe_count(total)

    def selected_row(self) -> Any | None:
        """The one selected row (None when none, or several, are selected)."""
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def selected_rows(self) -> list[Any]:
        """Every selected row, top to bottom."""
        if self._table is None:
            return []
        indexes = self._table.selectionModel().selectedRows() if self._table.selectionModel() else []
        return [index.data(ROW_ROLE) for index in sorted(indexes, key=lambda index: index.row())]

    def select_id(self, row_id: str | None) -> bool:
        if row_id is None:
            return False
        row = self.proxy.row_for_id(row_id)
        if row < 0:
            return False
        index = self.proxy.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)
        return True

    def refresh(self, keep_id: str | None = None) -> None:
        """Reload; select ``keep_id`` when listed, else what was selected."""
        current = getattr(self.selected_row(), "id", None)
        self.stale = False
        self.model.refresh()
        if not self.select_id(keep_id):
            self.select_id(current)

    def apply_changes(self, changes: Changes, keep_id: str | None = None) -> bool:
        """Reload when ``changes`` touch what this list shows: now if on screen, else when next shown."""
        if not changes.touches(self.SHOWS[self.key]):
            return False
        if self.isVisible():
            self.refresh(keep_id=keep_id)
        else:
            self.stale = True
        return True

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self.stale and self.loading_text is None:
            self.refresh()


class ListPages(dict):
    """The list pages by view key, each built the first time it is looked up.

    Start-up builds only the work streams list (the first thing shown); the
    other four are built, and loaded, when first shown or asked for.  Iterating
    gives the pages built so far, which are the ones that need refreshing.
    """

    def __init__(self, build: Callable[[str], "ListPage"]):
        super().__init__()
        self._build = build

    def __missing__(self, key: str) -> "ListPage":
        if key not in LIST_VIEWS:
            raise KeyError(key)
        return self._build(key)
