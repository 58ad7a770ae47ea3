"""The main window: left navigation, a command bar, lists, and the work stream editor.

Layout (after the Customer Service admin center)::

    +-----------+--------------------------------------------------+
    | brand     | command bar: New Save Save&Close Copy ... Search |
    | nav list  +--------------------------------------------------+
    |           | page: title, view filter, table (or empty state) |
    |           |   or, for a work stream: breadcrumb + editor     |
    +-----------+--------------------------------------------------+
    | status: last action's result                        counts   |

The work stream editor (``ui.workstreams.editor.WorkStreamEditor``) and the live
agent panel (``ui.panel.agent_panel.AgentPanel``) are imported when first needed; when
a module is not there yet a placeholder stands in.  Every way of leaving an
editor (navigation, opening another record, closing the window, reset, import)
goes through ``editor.maybe_close()``.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QByteArray, QModelIndex, QRectF, QSettings, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStatusBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import ConflictError, DocumentInvalid, InUseError, NotFound, UserError
from models.choices import (
    CHANNEL_LABELS,
    CHANNELS,
    DISTRIBUTION_MODE_LABELS,
    NOTIFICATION_LABELS,
)
from ui.common import messages
from ui.common.icons import app_icon, icon
from ui.records.list_models import (
    MODEL_FOR_VIEW,
    ROW_ROLE,
    WORKSTREAM_STATES,
    ListProxyModel,
    RowTableModel,
)

if TYPE_CHECKING:  # the record dialogs are imported when one is first opened
    from ui.records.editors import EntityDialog

APP_TITLE = "Workstream Console"
RECORD_DIALOG_VIEWS = ("queues", "agents", "presences", "channels")

# key, navigation label, icon
VIEWS: tuple[tuple[str, str, str], ...] = (
    ("workstreams", "Work streams", "workstream"),
    ("queues", "Queues", "queue"),
    ("agents", "Agents", "agent"),
    ("presences", "Presences", "presence"),
    ("channels", "Channels", "channel"),
    ("agent-panel", "Live agent panel", "panel"),
)
LIST_VIEWS = tuple(MODEL_FOR_VIEW)
VIEW_LABELS = {key: label for key, label, _ in VIEWS}
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
TABS = ("work-distribution", "context-variables", "routing-rules")

SETTINGS_GEOMETRY = "mainWindow/geometry"
SETTINGS_STATE = "mainWindow/state"
SETTINGS_VIEW = "mainWindow/view"
SETTINGS_WS_FILTER = "mainWindow/workstreamFilter"


# --------------------------------------------------------------------------- pluggable pages


def editor_class() -> Callable[..., QWidget]:
    """``ui.workstreams.editor.WorkStreamEditor``, or the placeholder while it does not exist."""
    try:
        module = importlib.import_module("ui.workstreams.editor")
    except ModuleNotFoundError as error:
        if error.name == "ui.workstreams.editor":
            return PlaceholderEditor
        raise
    return module.WorkStreamEditor


def agent_panel_class() -> Callable[..., QWidget] | None:
    """``ui.panel.agent_panel.AgentPanel``, or None while it does not exist."""
    try:
        module = importlib.import_module("ui.panel.agent_panel")
    except ModuleNotFoundError as error:
        if error.name == "ui.panel.agent_panel":
            return None
        raise
    return module.AgentPanel


class PlaceholderEditor(QWidget):
    """Stands in for the work stream editor (same contract) until ui/workstreams/editor.py exists."""

    saved = Signal(str)
    dirtyChanged = Signal(bool)
    titleChanged = Signal(str)

    def __init__(self, services, workstream_id: str | None = None, parent=None, channel: str = "live_chat"):
        super().__init__(parent)
        self.services = services
        self.undo_stack = QUndoStack(self)
        self._id = workstream_id
        self._version: int | None = None
        self._tab = TABS[0]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        note = QLabel("The full work stream editor is not part of this build yet; this page shows the "
                      "stream's settings read-only.")
        note.setProperty("role", "note")
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        layout.addLayout(form)
        layout.addStretch(1)
        if workstream_id is None:
            self._title = "New work stream"
            form.addRow("Channel", QLabel(CHANNEL_LABELS.get(channel, channel)))
        else:
            loaded = services.load_workstream(workstream_id)
            doc = loaded.doc
            self._version = loaded.version
            self._title = doc.name
            for label, value in (
                ("Name", doc.name),
                ("Channel", CHANNEL_LABELS.get(doc.channel, doc.channel)),
                ("Status", "Active" if doc.active else "Inactive"),
                ("Work distribution mode", DISTRIBUTION_MODE_LABELS.get(doc.distribution_mode, "")),
                ("Notification", NOTIFICATION_LABELS.get(doc.notification, "")),
                ("Capacity", str(doc.capacity)),
                ("Default queue", doc.default_queue or "—"),
                ("Context variables", str(len(doc.context_variables))),
                ("Routing rules", str(len(doc.routing_rules))),
            ):
                form.addRow(label, QLabel(value))

    def title(self) -> str:
        return self._title

    def save(self) -> bool:
        return True

    def is_dirty(self) -> bool:
        return False

    def maybe_close(self) -> bool:
        return True

    def set_tab(self, name: str) -> None:
        if name not in TABS:
            raise ValueError(f"unknown tab '{name}'")
        self._tab = name

    def current_tab(self) -> str:
        return self._tab

    def workstream_id(self) -> str | None:
        return self._id

    def version(self) -> int | None:
        return self._version


def placeholder_panel() -> QWidget:
    return EmptyState("panel", "The live agent panel is coming",
                      "Trainers will practise here: screen pops with Accept and Decline and a 120-second "
                      "countdown, driven by the routing and distribution settings you configure.")


# --------------------------------------------------------------------------- widgets


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


class NavDelegate(QStyledItemDelegate):
    """Navigation items, with the Fluent selection mark: a short brand-coloured bar on the left."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#0F6CBD"))
            bar = QRectF(option.rect.left() + 1, option.rect.center().y() - 8, 3, 16)
            painter.drawRoundedRect(bar, 1.5, 1.5)
            painter.restore()


class ListPage(QWidget):
    """One list: a title, an optional view filter, the table or its empty state."""

    STRETCH_COLUMN = {"workstreams": 0, "queues": 3, "agents": 3, "presences": 2, "channels": 0}

    def __init__(self, key: str, services, parent=None, loading_text: str | None = None):
        super().__init__(parent)
        self.key = key
        self.model: RowTableModel = MODEL_FOR_VIEW[key](services, self)
        self.proxy = ListProxyModel(self.model, self)
        self.search_text = ""
        self.loading_text: str | None = None  # set while the database is being opened

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
        current = keep_id or getattr(self.selected_row(), "id", None)
        self.model.refresh()
        self.select_id(current)


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


class EditorHost(QWidget):
    """The editor page: a breadcrumb ('Work streams › Chat - Support *') over the editor."""

    backRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.editor: QWidget | None = None
        self._title = ""
        self._dirty = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        crumb = QWidget()
        crumb.setObjectName("breadcrumb")
        crumb.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        crumb_layout = QHBoxLayout(crumb)
        crumb_layout.setContentsMargins(16, 8, 24, 8)
        crumb_layout.setSpacing(4)
        self.back_button = QToolButton()
        self.back_button.setObjectName("breadcrumbBack")
        self.back_button.setText("Work streams")
        self.back_button.setIcon(icon("back"))
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.setToolTip("Back to the list of work streams")
        self.back_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.back_button.clicked.connect(self.backRequested)
        crumb_layout.addWidget(self.back_button)
        separator = QLabel("›")
        separator.setProperty("role", "crumbSeparator")
        crumb_layout.addWidget(separator)
        self.crumb_label = QLabel()
        self.crumb_label.setProperty("role", "crumb")
        crumb_layout.addWidget(self.crumb_label)
        crumb_layout.addStretch(1)
        layout.addWidget(crumb)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body, 1)

    def set_editor(self, editor: QWidget, title: str) -> None:
        self.editor = editor
        self.body.addWidget(editor)
        self._dirty = False
        self.set_title(title)

    def take_editor(self) -> QWidget | None:
        editor, self.editor = self.editor, None
        if editor is not None:
            self.body.removeWidget(editor)
        return editor

    def set_title(self, title: str) -> None:
        self._title = title.rstrip("*").rstrip() or "New work stream"
        self._show()

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self._show()

    def title(self) -> str:
        return self.crumb_label.text()

    def _show(self) -> None:
        self.crumb_label.setText(self._title + (" *" if self._dirty else ""))


# --------------------------------------------------------------------------- the window


class MainWindow(QMainWindow):
    """The console's one window.

    ``services`` may be None: the window is then an empty shell ("Opening the
    database…", commands off) that can be shown at once while the database is
    opened off the GUI thread; ``attach_services`` fills it in.  That keeps
    SQLAlchemy and the migrations out of the time to the first window.
    """

    viewChanged = Signal(str)
    servicesAttached = Signal()
    longActionFinished = Signal(str)  # a background import/export/delete/generation ended: its outcome

    def __init__(self, services, *, editor_factory: Callable[..., QWidget] | None = None,
                 panel_factory: Callable[..., QWidget] | None = None, restore_settings: bool = True,
                 remember_settings: bool = True, database_label: str | None = None, parent=None):
        super().__init__(parent)
        self.services = services
        self._database_label = database_label
        self._built = False
        self.long_action = None  # the running background task (ui.common.background.BackgroundTask), if any
        self._editor_factory = editor_factory
        self._panel_factory = panel_factory
        self.remember_settings = remember_settings
        self.editor: QWidget | None = None
        self.current_dialog: EntityDialog | None = None
        self._view = ""
        self._editor_active: bool | None = None
        self._last_edited: str | None = None
        self.undo_group = QUndoGroup(self)

        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setWindowTitle(f"{APP_TITLE} — {self.database_label()}[*]")
        self.setMinimumSize(QSize(900, 560))
        self.resize(1280, 800)

        self._build_actions()
        self._build_menus()
        self._build_central()
        self._build_status_bar()

        self._built = True
        self._restore_view = restore_settings
        if services is None:
            for page in self.lists.values():
                page.set_loading(self._database_label or "")
            self.set_status("Opening the database…")
            self.show_view("workstreams")
            if restore_settings:
                self.restore_geometry()
            return
        loaded = self._load_lists()
        self.show_view("workstreams")
        if restore_settings:
            self.restore_settings()
        if loaded:
            self.set_status("Ready")

    def attach_services(self, services) -> bool:
        """Fill the shell in once the database is open: lists, labels, the last view."""
        if self.services is not None:
            raise RuntimeError("the window already has its services")
        self.services = services
        self._database_label = None
        self.setWindowTitle(f"{APP_TITLE} — {self.database_label()}[*]")
        self.brand_db.setText(self.database_label())
        self.brand_db.setToolTip(str(getattr(services.db, "path", "") or ""))
        for page in self.lists.values():
            page.model.services = services
            page.loading_text = None
        loaded = self._load_lists()
        for page in self.lists.values():
            page.update_state()
            if page is self.current_page():
                page.focus_list()
        self.nav.setEnabled(True)
        if self._restore_view:
            self.restore_view()
        self._update_actions()
        self._update_counts()
        if loaded:
            self.set_status("Ready")
        self.servicesAttached.emit()
        return loaded

    # ------------------------------------------------------------------ building

    def database_label(self) -> str:
        if self.services is None:
            return self._database_label or "database"
        db = self.services.db
        path = getattr(db, "path", None)
        if path is not None:
            return Path(path).name
        url = str(getattr(db, "url", "database"))
        return url.rsplit("@", 1)[-1]

    def _action(self, text: str, icon_name: str | None = None, shortcut=None, tip: str = "",
                slot: Callable | None = None) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        keys = ", ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText)
                         for s in (shortcut if isinstance(shortcut, list) else [shortcut] if shortcut else []))
        action.setToolTip(f"{tip or text.replace('&', '')}" + (f" ({keys})" if keys else ""))
        action.setStatusTip(tip)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action("New", "new", "Ctrl+N", "Create a new record in this list", self.new_record)
        self.act_save = self._action("Save", "save", "Ctrl+S", "Save the work stream", self.save_editor)
        self.act_save_close = self._action("Save && Close", "save-close", None,
                                           "Save the work stream and go back to the list", self.save_and_close)
        self.act_copy = self._action("Copy", "copy", None, "Copy the work stream (inactive, without channels)",
                                     self.copy_workstream)
        self.act_toggle_active = self._action("Deactivate", "deactivate", None, "Deactivate the work stream",
                                              self.toggle_active)
        self.act_delete = self._action("Delete", "delete", "Delete", "Delete the selected record", self.delete_selected)
        # Delete acts on lists only: in the editor the key belongs to the editor's own tables and fields.
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_refresh = self._action("Refresh", "refresh", "F5", "Reload from the database", self.refresh)
        self.act_find = self._action("Find", "search", "Ctrl+F", "Search this list", self.focus_search)
        self.act_import = self._action("Import configuration…", "import", None,
                                       "Merge a configuration document into this database", self.import_configuration)
        self.act_export = self._action("Export configuration…", "export", None,
                                       "Write the whole configuration as a document", self.export_configuration)
        self.act_export_bundle = self._action("Export bundle…", "export", "Ctrl+Shift+E",
                                              "Write work streams and what they use to a .wsbundle file",
                                              self.export_bundle)
        self.act_import_bundle = self._action("Import bundle…", "import", "Ctrl+Shift+I",
                                              "Preview a .wsbundle file, then import it", self.import_bundle)
        self.act_bundle_history = self._action("Bundle history…", None, None,
                                               "Bundles exported from and imported into this database",
                                               self.show_bundle_history)
        self.act_generate = self._action("Generate sample configuration…", None, None,
                                         "Add a generated configuration of a chosen size, to try the console at scale",
                                         self.generate_sample)
        self.act_reset_demo = self._action("Reset to demo data…", None, None,
                                           "Replace the configuration with the demo bank", self.reset_to_demo)
        self.act_quit = self._action("Quit", None, "Ctrl+Q", "Close Workstream Console", self.close)
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_about = self._action("About Workstream Console", "info", None, "", self.show_about)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.act_back = self._action("Back to list", "back", "Alt+Left", "Close the editor", self.close_editor)

        self.act_undo = self.undo_group.createUndoAction(self, "Undo")
        self.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.act_redo = self.undo_group.createRedoAction(self, "Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])

        self.new_menu = QMenu(self)
        self.new_channel_actions: dict[str, QAction] = {}
        for channel in CHANNELS:
            action = self.new_menu.addAction(f"{CHANNEL_LABELS[channel]} work stream")
            action.triggered.connect(lambda _checked=False, c=channel: self.new_workstream(c))
            self.new_channel_actions[channel] = action

        self.view_group = QActionGroup(self)
        self.view_actions: dict[str, QAction] = {}
        for number, (key, label, icon_name) in enumerate(VIEWS, start=1):
            action = self._action(label, icon_name, f"Ctrl+{number}", f"Show {label.lower()}")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, k=key: self.show_view(k))
            self.view_group.addAction(action)
            self.view_actions[key] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.act_new)
        file_menu.addAction(self.act_save)
        file_menu.addAction(self.act_save_close)
        file_menu.addSeparator()
        file_menu.addAction(self.act_import)
        file_menu.addAction(self.act_export)
        file_menu.addSeparator()
        file_menu.addAction(self.act_import_bundle)
        file_menu.addAction(self.act_export_bundle)
        file_menu.addAction(self.act_bundle_history)
        file_menu.addSeparator()
        file_menu.addAction(self.act_generate)
        file_menu.addAction(self.act_reset_demo)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_copy)
        edit_menu.addAction(self.act_toggle_active)
        edit_menu.addAction(self.act_delete)
        edit_menu.addSeparator()
        edit_menu.addAction(self.act_find)
        view_menu = bar.addMenu("&View")
        for action in self.view_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.act_back)
        view_menu.addAction(self.act_refresh)
        view_menu.addSeparator()  # the configuration doctor lives in ui/doctor

        def open_doctor() -> None:
            from ui.doctor.window import open_doctor_window
            open_doctor_window(self)
        view_menu.addAction(self._action("Configuration doctor…", None, "Ctrl+Shift+H",
                                         "Find routing rules that never fire and settings that cannot work",
                                         open_doctor))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_about)

    def _build_central(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)

        # left navigation
        nav_pane = QFrame()
        nav_pane.setObjectName("navPane")
        nav_pane.setFixedWidth(248)
        nav_layout = QVBoxLayout(nav_pane)
        nav_layout.setContentsMargins(0, 14, 0, 12)
        nav_layout.setSpacing(2)
        brand = QHBoxLayout()
        brand.setContentsMargins(18, 0, 12, 10)
        brand.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(28, 28)))
        brand.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        brand_name = QLabel(APP_TITLE)
        brand_name.setObjectName("brandName")
        names.addWidget(brand_name)
        self.brand_db = QLabel(self.database_label())
        self.brand_db.setObjectName("brandDb")
        self.brand_db.setToolTip(str(getattr(self.services.db, "path", "") or "") if self.services else "")
        names.addWidget(self.brand_db)
        brand.addLayout(names, 1)
        nav_layout.addLayout(brand)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setItemDelegate(NavDelegate(self.nav))
        self.nav.setUniformItemSizes(True)
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for key, label, icon_name in VIEWS:
            item = QListWidgetItem(icon(icon_name), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({self.view_actions[key].shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._nav_row_changed)
        nav_layout.addWidget(self.nav, 1)
        row.addWidget(nav_pane)

        # content: command bar over pages
        content = QWidget()
        content.setObjectName("content")
        content.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.command_bar = QToolBar("Command bar")
        self.command_bar.setObjectName("commandBar")
        self.command_bar.setMovable(False)
        self.command_bar.setFloatable(False)
        self.command_bar.setIconSize(QSize(18, 18))
        self.command_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.act_new, self.act_save, self.act_save_close):
            self.command_bar.addAction(action)
        self.command_separator = self.command_bar.addSeparator()
        for action in (self.act_copy, self.act_toggle_active, self.act_delete):
            self.command_bar.addAction(action)
        self.refresh_separator = self.command_bar.addSeparator()
        self.command_bar.addAction(self.act_refresh)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search this view")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setFixedWidth(280)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.textChanged.connect(self._search_changed)
        self.new_button: QToolButton = self.command_bar.widgetForAction(self.act_new)
        # the command bar row: the commands on the left, the list's search box on the right
        command_row = QWidget()
        command_row.setObjectName("commandRow")
        command_row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row_layout = QHBoxLayout(command_row)
        row_layout.setContentsMargins(4, 2, 12, 2)
        row_layout.setSpacing(8)
        row_layout.addWidget(self.command_bar, 1)
        row_layout.addWidget(self.search_box)
        column.addWidget(command_row)

        self.pages = QStackedWidget()
        self.workstream_stack = QStackedWidget()
        self.lists = ListPages(self._build_list_page)
        self.editor_host = EditorHost()
        self.editor_host.backRequested.connect(self.close_editor)
        self.workstream_stack.addWidget(self.editor_host)
        self.pages.addWidget(self.workstream_stack)
        self.lists["workstreams"]  # the first page; the others are built when first shown
        self.panel_page = QWidget()
        self.panel_page.setObjectName("agentPanelPage")
        QVBoxLayout(self.panel_page).setContentsMargins(0, 0, 0, 0)
        self.agent_panel: QWidget | None = None
        self.pages.addWidget(self.panel_page)
        column.addWidget(self.pages, 1)
        row.addWidget(content, 1)

        state_combo = self.lists["workstreams"].state_combo
        assert state_combo is not None
        self.state_combo = state_combo
        self.state_combo.currentIndexChanged.connect(self._state_changed)
        self.setCentralWidget(central)

    def _build_list_page(self, key: str) -> ListPage:
        page = ListPage(key, self.services, loading_text=(self._database_label or "") if self.services is None
                        else None)
        self.lists[key] = page

        def wire(table: ListTable) -> None:
            table.openRequested.connect(lambda index, k=key: self.open_row(k, index))
            table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        page.table_hooks.append(wire)
        if page._table is not None:
            wire(page._table)
        page.model.modelReset.connect(self._update_counts)
        page.empty_new.clicked.connect(self.new_record)
        page.addAction(self.act_delete)  # Delete works where the lists are (not inside the editor)
        if key == "workstreams":
            self.workstream_stack.insertWidget(0, page)
            self.workstream_stack.setCurrentWidget(page)
        else:
            self.pages.addWidget(page)
        if self.services is not None and self._built:  # pages built by __init__ are loaded by _load_lists
            try:
                page.model.refresh()
            except UserError as error:
                self.set_status(f"Could not load the {VIEW_LABELS[key].lower()}: {error}")
        return page

    def page_widget(self, key: str) -> QWidget:
        """The widget the content area shows for a view (building a list page on first use)."""
        if key == "workstreams":
            return self.workstream_stack
        if key == "agent-panel":
            return self.panel_page
        return self.lists[key]

    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        bar.setSizeGripEnabled(False)
        self.status_message = QLabel()
        self.status_message.setObjectName("statusMessage")
        self.status_counts = QLabel()
        self.status_counts.setObjectName("statusCounts")
        bar.addWidget(self.status_message, 1)
        bar.addPermanentWidget(self.status_counts)
        self.setStatusBar(bar)

    def _load_lists(self) -> bool:
        try:
            for page in self.lists.values():
                page.model.refresh()
        except UserError as error:
            self.set_status(f"Could not load the lists: {error}")
            return False
        return True

    # ------------------------------------------------------------------ settings

    def settings(self) -> QSettings:
        return QSettings()

    def restore_settings(self) -> None:
        self.restore_geometry()
        self.restore_view()

    def restore_geometry(self) -> None:
        """Size and place the window as it was (before it is shown, so it does not jump)."""
        settings = self.settings()
        geometry = settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, (QByteArray, bytes)):
            self.restoreGeometry(QByteArray(geometry))
        state = settings.value(SETTINGS_STATE)
        if isinstance(state, (QByteArray, bytes)):
            self.restoreState(QByteArray(state))

    def restore_view(self) -> None:
        """The list filter and the view that were showing (these need the data)."""
        settings = self.settings()
        ws_filter = settings.value(SETTINGS_WS_FILTER)
        if isinstance(ws_filter, str) and ws_filter in WORKSTREAM_STATES:
            self.set_workstream_filter(ws_filter)
        view = settings.value(SETTINGS_VIEW)
        if isinstance(view, str) and view in VIEW_LABELS:
            self.show_view(view)

    def save_settings(self) -> None:
        if not self.remember_settings:
            return
        settings = self.settings()
        settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        settings.setValue(SETTINGS_STATE, self.saveState())
        settings.setValue(SETTINGS_VIEW, self._view)
        settings.setValue(SETTINGS_WS_FILTER, self.workstream_filter())
        settings.sync()

    # ------------------------------------------------------------------ views

    def current_view(self) -> str:
        return self._view

    def current_page(self) -> ListPage | None:
        if self._view == "workstreams" and self.editor is not None:
            return None
        return self.lists[self._view] if self._view in LIST_VIEWS else None

    def show_view(self, key: str) -> bool:
        """Switch the content to a view; False when the user kept an unsaved editor open."""
        if key not in VIEW_LABELS:
            raise ValueError(f"unknown view '{key}'")
        if key == self._view:
            self._sync_nav()
            return True
        if self.editor is not None and not self.close_editor():
            self._sync_nav()
            return False
        self._view = key
        if key == "agent-panel":
            self._ensure_agent_panel()
        self.pages.setCurrentWidget(self.page_widget(key))
        self._sync_nav()
        if self.search_box.text():
            self.search_box.clear()
        page = self.current_page()
        if page is not None:
            page.set_search("")
            page.focus_list()
        self._update_actions()
        self._update_counts()
        self.viewChanged.emit(key)
        return True

    def _sync_nav(self) -> None:
        row = next(i for i, (k, _l, _i) in enumerate(VIEWS) if k == self._view) if self._view else -1
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)
        if self._view in self.view_actions:
            self.view_actions[self._view].setChecked(True)

    def _nav_row_changed(self, row: int) -> None:
        if 0 <= row < len(VIEWS):
            self.show_view(VIEWS[row][0])

    def _ensure_agent_panel(self) -> None:
        if self.agent_panel is not None:
            return
        factory = self._panel_factory or agent_panel_class()
        if factory is None:
            panel = placeholder_panel()
        else:
            panel = factory(self.services, self.panel_page)
        self.agent_panel = panel
        self.panel_page.layout().addWidget(panel)

    def workstream_filter(self) -> str:
        return self.state_combo.currentData() or "active"

    def set_workstream_filter(self, state: str) -> None:
        index = self.state_combo.findData(state)
        if index < 0:
            raise ValueError(f"unknown work stream view '{state}'")
        self.state_combo.setCurrentIndex(index)

    def _state_changed(self, _index: int) -> None:
        page = self.lists["workstreams"]
        selected = getattr(page.selected_row(), "id", None) or self._last_edited
        try:
            page.model.set_state(self.workstream_filter())
        except UserError as error:
            messages.error(self, "Can't load work streams", str(error))
        page.select_id(selected)
        self._update_actions()

    def _search_changed(self, text: str) -> None:
        page = self.current_page()
        if page is not None:
            page.set_search(text)
        self._update_counts()
        self._update_actions()

    def focus_search(self) -> None:
        if self.current_page() is None:
            return
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # ------------------------------------------------------------------ status

    def set_status(self, text: str) -> None:
        self.status_message.setText(text)

    def _update_counts(self) -> None:
        page = self.current_page()
        if page is not None:
            self.status_counts.setText(page.count_text())
        elif self.editor is not None:
            self.status_counts.setText("Editing a work stream")
        else:
            self.status_counts.setText("")

    def _update_actions(self) -> None:
        view = self._view
        editing = view == "workstreams" and self.editor is not None
        page = self.current_page()
        row = page.selected_row() if page is not None else None
        is_list = page is not None
        on_streams = view == "workstreams"
        saved_id = self.editor.workstream_id() if editing else None

        self.act_new.setEnabled(view != "agent-panel")
        self.act_new.setVisible(view != "agent-panel")
        self.act_new.setText(f"New {KIND.get(view, 'record')}" if view in KIND else "New")
        self.act_new.setToolTip(f"New {KIND.get(view, 'record')} (Ctrl+N)")
        mode = (QToolButton.ToolButtonPopupMode.MenuButtonPopup if on_streams
                else QToolButton.ToolButtonPopupMode.DelayedPopup)
        if self.new_button.popupMode() != mode:
            self.new_button.setMenu(self.new_menu if on_streams else None)
            self.new_button.setPopupMode(mode)
            self.new_button.style().unpolish(self.new_button)  # the style sheet keys on popupMode
            self.new_button.style().polish(self.new_button)
            self.new_button.updateGeometry()
        for action in (self.act_save, self.act_save_close):
            action.setVisible(editing)
            action.setEnabled(editing)
        self.act_back.setEnabled(editing)
        self.act_copy.setVisible(on_streams)
        self.act_copy.setEnabled(on_streams and (saved_id is not None or row is not None))
        self.act_toggle_active.setVisible(on_streams)
        active = self._editor_active if editing else (row.active if row is not None and on_streams else None)
        self.act_toggle_active.setEnabled(on_streams and active is not None and (not editing or saved_id is not None))
        if active:
            self.act_toggle_active.setText("Deactivate")
            self.act_toggle_active.setIcon(icon("deactivate"))
            self.act_toggle_active.setToolTip("Deactivate the work stream: it stops taking new conversations")
        else:
            self.act_toggle_active.setText("Activate")
            self.act_toggle_active.setIcon(icon("activate"))
            self.act_toggle_active.setToolTip("Activate the work stream (it needs a default queue)")
        self.act_delete.setVisible(view != "agent-panel")
        several = len(page.selected_rows()) if page is not None else 0
        self.act_delete.setEnabled((is_list and several > 0) or editing)
        self.act_delete.setText(f"Delete {several}" if is_list and several > 1 else "Delete")
        self.act_refresh.setEnabled(True)
        self.act_find.setEnabled(is_list)
        self.search_box.setVisible(is_list)
        self.command_separator.setVisible(editing or on_streams)
        self.refresh_separator.setVisible(view != "agent-panel")
        if self.services is None:  # the shell, while the database opens
            for action in self.data_actions():
                action.setEnabled(False)
            self.search_box.setEnabled(False)
            self.nav.setEnabled(False)
        else:
            self.search_box.setEnabled(True)
            for action in self._whole_database_actions():
                action.setEnabled(True)

    def _whole_database_actions(self) -> list[QAction]:
        """Commands that work whatever is selected (once the database is open)."""
        return [self.act_import, self.act_export, self.act_export_bundle, self.act_import_bundle,
                self.act_bundle_history, self.act_generate, self.act_reset_demo, *self.view_actions.values(),
                *self.new_channel_actions.values()]

    def data_actions(self) -> list[QAction]:
        """The commands that read or write the database."""
        return [self.act_new, self.act_save, self.act_save_close, self.act_copy, self.act_toggle_active,
                self.act_delete, self.act_refresh, self.act_find, *self._whole_database_actions()]

    # ------------------------------------------------------------------ opening records

    def open_row(self, view: str, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            return
        if view == "workstreams":
            self.open_workstream(row.id)
        else:
            self.open_entity(view, row.id)

    def new_record(self) -> None:
        view = self._view
        if view == "workstreams":
            self.new_workstream()
        elif view in RECORD_DIALOG_VIEWS:
            self.open_entity(view, None)

    def new_workstream(self, channel: str = "live_chat") -> bool:
        if not self.show_view("workstreams"):
            return False
        if self.editor is not None and not self.close_editor():
            return False
        return self._create_editor(None, channel=channel)

    def open_workstream(self, workstream_id: str, tab: str | None = None) -> bool:
        """Show a work stream in the editor (after the unsaved-changes guard)."""
        if not self.show_view("workstreams"):
            return False
        if self.editor is not None:
            if self.editor.workstream_id() == workstream_id:
                if tab:
                    self.editor.set_tab(tab)
                return True
            if not self.close_editor():
                return False
        if not self._create_editor(workstream_id):
            return False
        if tab:
            self.editor.set_tab(tab)
        return True

    def _create_editor(self, workstream_id: str | None, channel: str = "live_chat") -> bool:
        factory = self._editor_factory or editor_class()
        try:
            editor = factory(self.services, workstream_id, self.editor_host, channel=channel)
        except UserError as error:
            messages.error(self, "Can't open the work stream", str(error))
            self.lists["workstreams"].refresh()
            return False
        title = "New work stream"
        if hasattr(editor, "title"):
            title = editor.title()
        elif workstream_id is not None:
            row_number = self.lists["workstreams"].model.row_for_id(workstream_id)
            if row_number >= 0:
                title = self.lists["workstreams"].model.row_at(row_number).name
        self.editor = editor
        self.editor_host.set_editor(editor, title)
        editor.titleChanged.connect(self._editor_title_changed)
        editor.dirtyChanged.connect(self._editor_dirty_changed)
        editor.saved.connect(self._editor_saved)
        stack = getattr(editor, "undo_stack", None)
        if stack is not None:
            self.undo_group.addStack(stack)
            self.undo_group.setActiveStack(stack)
        self._editor_active = self._load_active(workstream_id)
        self.workstream_stack.setCurrentWidget(self.editor_host)
        self.setWindowModified(False)
        self._update_actions()
        self._update_counts()
        editor.setFocus()
        self.set_status(f"Opened '{title}'" if workstream_id else "New work stream: fill in the name and settings")
        return True

    def _load_active(self, workstream_id: str | None) -> bool | None:
        if workstream_id is None:
            return None
        try:
            return self.services.load_workstream(workstream_id).doc.active
        except UserError:
            return None

    def close_editor(self, force: bool = False) -> bool:
        """Back to the list; unless forced, asks the editor first (its Save/Discard/Cancel guard)."""
        editor = self.editor
        if editor is None:
            return True
        if not force and not editor.maybe_close():
            return False
        edited_id = editor.workstream_id()
        stack = getattr(editor, "undo_stack", None)
        if stack is not None:
            self.undo_group.removeStack(stack)
        for signal, slot in ((editor.titleChanged, self._editor_title_changed),
                             (editor.dirtyChanged, self._editor_dirty_changed),
                             (editor.saved, self._editor_saved)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self.editor_host.take_editor()
        editor.hide()
        editor.deleteLater()
        self.editor = None
        self._editor_active = None
        self.setWindowModified(False)
        self.workstream_stack.setCurrentWidget(self.lists["workstreams"])
        page = self.lists["workstreams"]
        self._last_edited = edited_id
        try:
            page.refresh(keep_id=edited_id)
        except UserError as error:
            self.set_status(f"Could not reload the list: {error}")
        if edited_id is not None and page.proxy.row_for_id(edited_id) < 0 and page.model.state != "all":
            other = "inactive" if page.model.state == "active" else "active"
            hint = (f"'{self.editor_host.title().rstrip(' *')}' is {other}, so this view does not list it: "
                    "choose All work streams to see it")
            current = self.status_message.text()
            self.set_status(f"{current} — {hint}" if current.startswith("Saved") else hint)
        page.table.setFocus()
        self._update_actions()
        self._update_counts()
        return True

    def _editor_title_changed(self, title: str) -> None:
        self.editor_host.set_title(title)

    def _editor_dirty_changed(self, dirty: bool) -> None:
        self.editor_host.set_dirty(dirty)
        self.setWindowModified(dirty)

    def _editor_saved(self, workstream_id: str) -> None:
        page = self.lists["workstreams"]
        try:
            page.refresh(keep_id=workstream_id)
        except UserError:
            pass
        self._editor_active = self._load_active(workstream_id)
        row_number = page.model.row_for_id(workstream_id)
        name = page.model.row_at(row_number).name if row_number >= 0 else self.editor_host.title().rstrip(" *")
        self.set_status(f"Saved work stream '{name}'")
        self._update_actions()

    # ------------------------------------------------------------------ commands

    def save_editor(self) -> bool:
        if self.editor is None:
            return False
        if self.editor.save():
            return True
        self.set_status("Not saved: fix the problems shown in the editor")
        return False

    def save_and_close(self) -> bool:
        if self.editor is None:
            return False
        if not self.save_editor():
            return False
        return self.close_editor(force=True)

    def _selected_workstream(self) -> tuple[str, str] | None:
        """(id, name) of the work stream the command applies to."""
        if self.editor is not None:
            workstream_id = self.editor.workstream_id()
            if workstream_id is None:
                return None
            return workstream_id, self.editor_host.title().rstrip(" *")
        row = self.lists["workstreams"].selected_row() if self._view == "workstreams" else None
        return (row.id, row.name) if row is not None else None

    def copy_workstream(self) -> bool:
        target = self._selected_workstream()
        if target is None:
            return False
        if self.editor is not None and not self.close_editor():
            return False
        try:
            saved = self.services.copy_workstream(target[0])
        except UserError as error:
            self._show_action_error("Can't copy the work stream", error)
            return False
        self.lists["workstreams"].refresh(keep_id=saved.id)
        self.open_workstream(saved.id)
        self.set_status(f"Copied '{target[1]}' to '{saved.name}' (inactive, without channels)")
        return True

    def toggle_active(self) -> bool:
        """Activate or deactivate the selected (or edited) work stream; an editor keeps its edits."""
        editor = self.editor
        if editor is not None:
            workstream_id = editor.workstream_id()
            if workstream_id is None or self._editor_active is None:
                return False
            keeps_edits = hasattr(editor, "set_active_state")
            if not keeps_edits and not editor.maybe_close():
                return False
            active, version, name = self._editor_active, editor.version(), self.editor_host.title().rstrip(" *")
        else:
            row = self.lists["workstreams"].selected_row() if self._view == "workstreams" else None
            if row is None:
                return False
            workstream_id, active, version, name = row.id, row.active, row.version, row.name
        try:
            saved = self.services.set_workstream_active(workstream_id, not active, expected_version=version)
        except UserError as error:
            self._show_action_error(f"Can't {'deactivate' if active else 'activate'} '{name}'", error)
            return False
        verb = "Deactivated" if active else "Activated"
        page = self.lists["workstreams"]
        if editor is not None:
            if hasattr(editor, "set_active_state"):
                editor.set_active_state(not active, saved.version)
            else:
                tab = editor.current_tab() if hasattr(editor, "current_tab") else None
                self.close_editor(force=True)
                self.open_workstream(saved.id, tab=tab)
            self._editor_active = not active
            try:
                page.refresh(keep_id=saved.id)
            except UserError:
                pass
            note = ""
        else:
            page.refresh(keep_id=saved.id)
            state = self.workstream_filter()
            now_active = not active
            note = ""
            if state != "all" and (state == "active") != now_active:
                note = f" — it now shows under {'Active' if now_active else 'Inactive'} work streams"
        self.set_status(f"{verb} '{saved.name}'{note}")
        self._update_actions()
        return True

    def delete_selected(self) -> bool:
        view = self._view
        if view not in DELETE_SERVICE:
            return False
        kind = KIND[view]
        if view == "workstreams" and self.editor is not None:
            workstream_id = self.editor.workstream_id()
            if workstream_id is None:  # never saved: nothing to delete but the draft
                if self.editor.is_dirty() and not messages.confirm(
                        self, "Discard the new work stream?", "The new work stream has not been saved. Discard it?"):
                    return False
                self.close_editor(force=True)
                self.set_status("Discarded the new work stream")
                return True
            target_id, name = workstream_id, self.editor_host.title().rstrip(" *")
        else:
            page = self.lists[view]
            rows = page.selected_rows()
            if len(rows) > 1:
                return self.delete_many(view, rows) is not None
            if not rows:
                return False
            target_id, name = rows[0].id, rows[0].name
        if not messages.confirm(self, f"Delete {kind}?", f"Delete {kind} '{name}'? This can't be undone."):
            return False
        try:
            getattr(self.services, DELETE_SERVICE[view])(target_id)
        except InUseError as error:
            messages.error(self, f"Can't delete {kind} '{name}'", f"{_sentence(str(error))}")
            self.set_status(f"Not deleted: {kind} '{name}' is in use")
            return False
        except UserError as error:
            self._show_action_error(f"Can't delete {kind} '{name}'", error)
            return False
        if view == "workstreams" and self.editor is not None:
            self.close_editor(force=True)
        else:
            self.lists[view].refresh()
        if view in ("queues", "workstreams", "agents", "presences"):
            self._refresh_related(view)
        self.set_status(f"Deleted {kind} '{name}'")
        self._update_actions()
        return True

    def _refresh_related(self, changed: str) -> None:
        """Lists that show names or counts from another list."""
        related = {"queues": ("agents", "workstreams"), "agents": ("queues",), "presences": ("agents",),
                   "workstreams": ("channels",), "channels": ()}.get(changed, ())
        for key in related:
            try:
                self.lists[key].refresh()
            except UserError:
                pass

    def refresh(self) -> None:
        """F5: reload the lists, or the open work stream (after the unsaved-changes guard)."""
        editor = self.editor
        if editor is not None:
            workstream_id = editor.workstream_id()
            if workstream_id is None:
                self.set_status("Nothing to reload: the new work stream is not saved yet")
                return
            if not editor.maybe_close():
                return
            try:
                if hasattr(editor, "reload"):
                    editor.reload()
                    self._editor_active = self._load_active(workstream_id)
                else:
                    tab = editor.current_tab() if hasattr(editor, "current_tab") else None
                    self.close_editor(force=True)
                    self.open_workstream(workstream_id, tab=tab)
            except UserError as error:
                self.close_editor(force=True)
                self._show_action_error("Can't reload the work stream", error)
                return
            self.set_status("Reloaded the work stream")
            self._update_actions()
            return
        if self._view == "agent-panel" and hasattr(self.agent_panel, "reload"):
            self.agent_panel.reload()  # a fresh simulation on the configuration as saved now
            self.set_status("Restarted the live agent panel on the current configuration")
        try:
            for page in self.lists.values():
                page.refresh()
        except UserError as error:
            messages.error(self, "Can't refresh", str(error))
            return
        self.set_status("Refreshed")
        self._update_actions()

    def _show_action_error(self, title: str, error: Exception) -> None:
        messages.error(self, title, _sentence(str(error)))
        self.set_status(f"{title}: {error}")
        if isinstance(error, (ConflictError, NotFound)):
            try:
                for page in self.lists.values():
                    page.refresh()
            except UserError:
                pass
            self._update_actions()

    # ------------------------------------------------------------------ entity dialogs

    def open_entity(self, view: str, object_id: str | None = None) -> EntityDialog | None:
        """Open the record dialog (non-blocking); the list refreshes when it saves."""
        from ui.records.editors import DIALOG_FOR_VIEW

        dialog_class = DIALOG_FOR_VIEW[view]
        if self.current_dialog is not None:
            self.current_dialog.raise_()
            return self.current_dialog
        try:
            dialog = dialog_class(self.services, object_id, self)
        except UserError as error:
            self._show_action_error(f"Can't open the {KIND[view]}", error)
            return None
        self.current_dialog = dialog
        dialog.saved.connect(lambda saved_id, v=view, d=dialog: self._entity_saved(v, saved_id, d))
        dialog.finished.connect(lambda _result, d=dialog: self._dialog_finished(d))
        dialog.open()
        return dialog

    def _entity_saved(self, view: str, saved_id: str, dialog: EntityDialog) -> None:
        page = self.lists[view]
        try:
            page.refresh(keep_id=saved_id)
        except UserError:
            pass
        self._refresh_related(view)
        if view == "channels":
            self._refresh_related("workstreams")
        self.set_status(f"Saved {KIND[view]} '{dialog.saved_name}'")
        self._update_actions()

    def _dialog_finished(self, dialog: EntityDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None
        dialog.deleteLater()

    # ------------------------------------------------------------------ file menu

    def ask_open_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, "Import configuration", "",
                                                    "Configuration documents (*.json);;All files (*)")
        return path

    def ask_save_path(self) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, "Export configuration", "workstream-console.json",
                                                    "Configuration documents (*.json)")
        return path

    # ------------------------------------------------------------------ long actions, off the GUI thread

    def _start_long_action(self, fn: Callable[..., Any], *args: Any, title: str, on_done: Callable[[Any], None],
                           on_error: Callable[[BaseException], None], cancelled_text: str):
        """Run a service call in the background with a cancellable progress dialog (ui.common.background).

        One at a time: the progress dialog is window-modal, and until it shows a
        second start is refused.  ``longActionFinished`` tells how it ended.
        """
        from ui.common.background import run_in_background

        if self._busy():
            return None

        def finish(outcome: str, callback: Callable[..., None], *values: Any) -> None:
            self.long_action = None
            try:
                callback(*values)
            finally:
                self.longActionFinished.emit(outcome)

        def cancelled() -> None:
            self.set_status(cancelled_text)

        self.set_status(f"{title}…")
        self.long_action = run_in_background(
            self, fn, *args, progress_title=title,
            on_done=lambda result: finish("done", on_done, result),
            on_error=lambda error: finish("failed", on_error, error),
            on_cancelled=lambda: finish("cancelled", cancelled))
        return self.long_action

    def _busy(self) -> bool:
        """True (and says so) while a long action runs: they go one at a time."""
        if self.long_action is not None and self.long_action.is_running():
            self.set_status("Wait for the running action to finish (or cancel it)")
            return True
        return False

    def _refuse(self, title: str, status: str, error: BaseException) -> None:
        from ui.common.background import describe_error

        if isinstance(error, DocumentInvalid):
            issues = "; ".join(str(issue) for issue in error.issues[:5])
            more = f" (and {len(error.issues) - 5} more)" if len(error.issues) > 5 else ""
            text = f"{issues}{more}"
        else:
            text = describe_error(error)
        messages.error(self, title, _sentence(text))
        self.set_status(f"{status}: {text}")

    def import_configuration(self):
        """File > Import configuration: check the document (in the background), ask, then merge it."""
        if self._busy():
            return None
        path = self.ask_open_path()
        if not path:
            return None
        if self.editor is not None and not self.close_editor():
            return None
        name = Path(path).name
        return self._start_long_action(
            self.services.preview_configuration_import, path, title=f"Checking {name}",
            on_done=self._confirm_import,
            on_error=lambda error: self._refuse("Can't import", f"Import refused: {name} is not valid"
                                                if isinstance(error, DocumentInvalid) else "Import failed", error),
            cancelled_text="Import cancelled: nothing was imported")

    def _confirm_import(self, preview) -> None:
        counts = preview.counts
        if not messages.confirm(
                self, "Import configuration?",
                f"Import {preview.name}? It creates {counts['created']} and updates {counts['updated']} objects; "
                "objects it does not name are kept."):
            self.set_status(f"Not imported: {preview.name}")
            return
        self._start_long_action(
            self.services.import_configuration, preview, title=f"Importing {preview.name}",
            on_done=lambda summary: self._imported(preview.name, summary.counts()),
            on_error=lambda error: self._refuse("Can't import", "Import failed", error),
            cancelled_text="Import cancelled: nothing was imported")

    def _imported(self, name: str, counts: dict[str, int]) -> None:
        self.refresh()
        self.set_status(f"Imported {name}: {counts['created']} created, {counts['updated']} updated")

    def export_configuration(self):
        """File > Export configuration: write the whole configuration as a document, in the background."""
        if self._busy():
            return None
        path = self.ask_save_path()
        if not path:
            return None
        target = Path(path)
        return self._start_long_action(
            self.services.export_configuration, str(target), title=f"Exporting to {target.name}",
            on_done=lambda result: self.set_status(
                f"Exported the configuration to {target} ({result.counts['workstreams']:,} work streams, "
                f"{_size(result.size)})"),
            on_error=lambda error: self._refuse("Can't export", "Export failed", error),
            cancelled_text="Export cancelled: no file was written")

    def delete_many(self, view: str, rows: list[Any]):
        """Delete several selected records, all or nothing, in the background."""
        if self._busy():
            return None
        kind = KIND[view]
        count = len(rows)
        names = ", ".join(f"'{row.name}'" for row in rows[:3]) + (f" and {count - 3} more" if count > 3 else "")
        if not messages.confirm(self, f"Delete {count} {kind}s?",
                                f"Delete {count} {kind}s ({names})? This can't be undone."):
            return None
        title = f"Can't delete {count} {kind}s"

        def deleted(ids: list[str]) -> None:
            self.lists[view].refresh()
            if view in ("queues", "workstreams", "agents", "presences"):
                self._refresh_related(view)
            gone = count - len(ids)
            self.set_status(f"Deleted {len(ids)} {kind}s" + (f" ({gone} were already gone)" if gone else ""))
            self._update_actions()

        def refused(error: BaseException) -> None:
            self._refuse(title, f"Not deleted: {count} {kind}s", error)

        return self._start_long_action(
            self.services.delete_many, view, [row.id for row in rows], title=f"Deleting {count} {kind}s",
            on_done=deleted, on_error=refused, cancelled_text="Delete cancelled: nothing was deleted")

    def generate_sample(self):
        """File > Generate sample configuration: ask for a size, then generate it in the background."""
        from ui.shell.generate_dialog import GenerateSampleDialog

        if self._busy() or (self.editor is not None and not self.close_editor()):
            return None
        dialog = GenerateSampleDialog(self)
        if not dialog.ask():
            return None
        streams, variables, rules = dialog.values()
        return self._start_long_action(
            self.services.generate_sample, streams, variables, rules,
            title=f"Generating {streams:,} work streams",
            on_done=lambda summary: self._generated(streams, summary.counts()),
            on_error=lambda error: self._refuse("Can't generate", "Generation failed", error),
            cancelled_text="Generation cancelled: nothing was added")

    def _generated(self, streams: int, counts: dict[str, int]) -> None:
        self.refresh()
        self.set_status(f"Generated a sample of {streams:,} work streams: {counts['created']:,} created, "
                        f"{counts['updated']:,} updated")

    # ------------------------------------------------------------------ bundles (ui/bundles/dialogs.py)

    def ask_bundle_path(self) -> str:
        from ui.bundles.dialogs import ask_bundle_path

        return ask_bundle_path(self)

    def export_bundle(self):
        from ui.bundles.dialogs import ExportBundleDialog

        dialog = ExportBundleDialog(self.services, self)
        dialog.exported.connect(lambda _result, text: self.set_status(text))
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        return dialog

    def import_bundle(self):
        """Choose a .wsbundle, preview it (after the unsaved-changes guard), apply from the preview."""
        from ui.bundles.dialogs import ImportBundleDialog

        if self.editor is not None and not self.close_editor():
            return None
        path = self.ask_bundle_path()
        if not path:
            return None
        dialog = ImportBundleDialog(self.services, self, path)
        dialog.message.connect(self.set_status)
        dialog.imported.connect(self._bundle_imported)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.start()
        return dialog

    def _bundle_imported(self, _plan) -> None:
        try:
            for page in self.lists.values():
                page.refresh()
        except UserError as error:
            self.set_status(f"Could not reload the lists: {error}")
        self._update_actions()
        self._update_counts()

    def show_bundle_history(self):
        from ui.bundles.history_view import BundleHistoryDialog

        dialog = BundleHistoryDialog(self.services, self)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        return dialog

    def reset_to_demo(self) -> bool:
        from app.config.demo import load_demo

        if self.editor is not None and not self.close_editor():
            return False
        if not messages.confirm(self, "Reset to demo data?",
                                "Replace the whole configuration with the demo bank? Work streams, queues, "
                                "agents, presences and channels you created are deleted (export first to keep them)."):
            return False
        try:
            load_demo(self.services.db)
        except (UserError, DocumentInvalid) as error:
            messages.error(self, "Can't reset", _sentence(str(error)))
            return False
        self.refresh()
        self.set_status("Reset to the demo data")
        return True

    def show_about(self) -> None:
        from importlib import metadata

        try:
            version = metadata.version("workstream-console")
        except metadata.PackageNotFoundError:
            version = "development"
        messages.info(self, "About Workstream Console",
                      f"Workstream Console {version}",
                      "Routing and work-distribution settings for a contact centre's work streams, "
                      "after Dynamics 365 Omnichannel for Customer Service.\n\n"
                      f"Database: {getattr(getattr(self.services, 'db', None), 'path', None) or self.database_label()}")

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.editor is not None and not self.close_editor():
            event.ignore()
            return
        self.save_settings()
        event.accept()


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
