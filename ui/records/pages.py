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
from ui.common.column_fit import fit_columns
from ui.records.list_models import (
    MODEL_FOR_VIEW,
    ROW_ROLE,
    WORKSTREAM_STATES,
    ListProxyModel,
    RatingModelListModel,
    RowTableModel,
)

VIEW_LABELS = {"workstreams": "Work streams", "queues": "Queues", "agents": "Agents", "presences": "Presences",
               "channels": "Channels", "skills": "Skills", "capacity_profiles": "Capacity profiles"}
LIST_VIEWS = tuple(MODEL_FOR_VIEW)
# The kinds of record a command can act on: the list views, and the Skills page's rating models.
KIND = {"workstreams": "work stream", "queues": "queue", "agents": "agent", "presences": "presence",
        "channels": "channel", "skills": "skill", "capacity_profiles": "capacity profile",
        "rating_models": "rating model"}
DELETE_SERVICE = {"workstreams": "delete_workstream", "queues": "delete_queue", "agents": "delete_agent",
                  "presences": "delete_presence", "channels": "delete_channel", "skills": "delete_skill",
                  "capacity_profiles": "delete_capacity_profile", "rating_models": "delete_rating_model"}
# Lists whose records are deleted one at a time (each refusal names what uses that one record).
ONE_AT_A_TIME = ("skills", "rating_models", "capacity_profiles")
EMPTY_ICONS = {"workstreams": "workstream", "skills": "skill", "capacity_profiles": "capacity-profile"}
EMPTY_STATES = {
    "workstreams": ("No work streams yet", "Click New to create one; a work stream decides how conversations "
                                           "of a channel are routed and distributed to agents."),
    "queues": ("No queues yet", "Click New to create one, then add agents as its members."),
    "agents": ("No agents yet", "Click New to add an agent, with a capacity and the queues they work in."),
    "presences": ("No presences", "Click New to create a custom presence on top of a base presence."),
    "channels": ("No channels yet", "Click New to add a channel to a work stream (a chat widget, an SMS number, ...)."),
    "skills": ("No skills yet", "Click New to create a skill (Mortgages, Languages, ...), then give agents a rating "
                                "in it on their Skills & capacity tab."),
    "capacity_profiles": ("No capacity profiles yet",
                          "Click New to create one (Chat: 3 at once, Voice: 1). A work stream with profile-based "
                          "capacity uses it; an agent can have a limit of their own."),
}
# The Skills page when no rating model exists: a skill needs one first.
NO_RATING_MODELS = ("No skills yet", "A skill is rated on a rating model (for example Proficiency 1 to 5). "
                                     "Click New rating model below to create one, then New to create a skill.")

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
    """A read-only, row-selecting table; Enter or a double-click asks to open the row.

    ``view_key`` is the kind of record it lists (what opening a row opens)."""

    openRequested = Signal(QModelIndex)

    def __init__(self, parent=None, view_key: str = ""):
        super().__init__(parent)
        self.view_key = view_key
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

    STRETCH_COLUMN = {"workstreams": 0, "queues": 4, "agents": 3, "presences": 2, "channels": 0, "skills": 2,
                      "capacity_profiles": 0}
    # The kinds of record each list shows something of (a work stream row shows its default queue's name,
    # a queue row its agent count, an agent row its presence and queues, a channel row its work stream).
    SHOWS = {"workstreams": {"workstreams", "queues"}, "queues": {"queues", "agents"},
             "agents": {"agents", "presences", "queues"}, "presences": {"presences"},
             "channels": {"channels", "workstreams"}, "skills": {"skills", "rating_models", "agents"},
             "capacity_profiles": {"capacity_profiles", "agents", "workstreams"}}

    newRequested = Signal(str)  # a New button of the page: the kind of record to create

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
        self.empty = EmptyState(EMPTY_ICONS.get(key, key[:-1]), title, text)
        self.empty_new = QPushButton(f"New {KIND[key]}")
        self.empty_new.setProperty("role", "primary")
        self.empty_new.clicked.connect(lambda: self.newRequested.emit(self.key))
        self.empty.add_button(self.empty_new)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        if loading_text is None:
            self.table  # noqa: B018 — built now; only the start-up shell waits for data first
        else:
            self.set_loading(loading_text)

        self.badges = None
        if key == "workstreams":  # the doctor's worst finding per stream, computed off the GUI thread
            from ui.doctor.badges import WorkstreamBadges

            self.badges = WorkstreamBadges(self.model, self)

        self.model.modelReset.connect(self.update_state)
        self.proxy.rowsInserted.connect(self.update_state)
        self.proxy.rowsRemoved.connect(self.update_state)
        self.proxy.layoutChanged.connect(self.update_state)

    @property
    def table(self) -> ListTable:
        """The table, built on first use (a page that opens in its loading state paints sooner)."""
        if self._table is None:
            table = make_table(self.key, self.proxy, self.STRETCH_COLUMN.get(self.key, 0))
            self.stack.insertWidget(0, table)
            self._table = table
            for hook in self.table_hooks:
                hook(table)
        return self._table

    def focus_list(self) -> None:
        (self._table or self).setFocus()

    def tables(self) -> list[ListTable]:
        """The page's tables built so far (the window wires each: open a row, follow its selection)."""
        return [self._table] if self._table is not None else []

    def command_key(self) -> str:
        """The kind of record Delete acts on here (the Skills page: its rating models when they have focus)."""
        return self.key

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


# How much of a list's width a name in the slack column may claim before the other columns' contents.
NAME_SHARE = 0.35


def make_table(key: str, proxy: ListProxyModel, stretch: int) -> ListTable:
    table = ListTable(view_key=key)
    table.setObjectName(f"{key}Table")
    if key in ONE_AT_A_TIME:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setModel(proxy)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    head = table.horizontalHeader()
    for column in range(proxy.sourceModel().columnCount()):
        mode = QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        head.setSectionResizeMode(column, mode)
    if stretch == 0:  # the name is the slack (work streams, channels): whole before a notification's text
        table.column_fitter.set_slack_share(NAME_SHARE)
    return table


class SkillsPage(ListPage):
    """Skills, and under them the rating models they are rated on (a section of its own).

    New on the command bar creates a skill; the section's own button creates a rating
    model.  Enter opens, and Delete deletes, in whichever of the two tables has the focus.
    """

    rating_stack: QStackedWidget | None = None  # None until the section is built (ListPage.__init__ runs first)
    rating_table: ListTable | None = None
    _rating_active = False

    def __init__(self, key: str, services, parent=None, loading_text: str | None = None):
        super().__init__(key, services, parent, loading_text)
        self.rating_model = RatingModelListModel(services, self)
        self.rating_proxy = ListProxyModel(self.rating_model, self)
        section = QWidget()
        section.setObjectName("ratingModelsHeader")
        row = QHBoxLayout(section)
        row.setContentsMargins(13, 14, 24, 6)  # the title over the first column's text
        row.setSpacing(12)
        title = QLabel("Rating models")
        title.setProperty("role", "sectionTitle")
        row.addWidget(title)
        self.rating_hint = QLabel("The scales skills are rated on, lowest value first.")
        self.rating_hint.setProperty("role", "hint")
        row.addWidget(self.rating_hint, 1)
        self.new_rating_button = QPushButton("New rating model")
        self.new_rating_button.setToolTip("Create a rating model (a named scale such as 1 to 5) (Ctrl+Shift+R)")
        self.new_rating_button.clicked.connect(lambda: self.newRequested.emit("rating_models"))
        row.addWidget(self.new_rating_button)
        layout = self.layout()
        layout.addWidget(section)
        self.rating_stack = QStackedWidget()
        self.rating_table = make_table("rating_models", self.rating_proxy, 1)
        self.rating_empty = QLabel("No rating models yet: click New rating model to create one "
                                   "(for example Proficiency, with the values 1, 2, 3, 4, 5).")
        self.rating_empty.setProperty("role", "hint")
        self.rating_empty.setWordWrap(True)
        self.rating_empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.rating_empty.setContentsMargins(8, 8, 24, 8)
        self.rating_stack.addWidget(self.rating_table)
        self.rating_stack.addWidget(self.rating_empty)
        layout.addWidget(self.rating_stack, 2)
        layout.setStretchFactor(self.stack, 3)
        self.rating_table.installEventFilter(self)
        self.model.refreshed.connect(self._refresh_rating_models)
        self.rating_model.modelReset.connect(self.update_state)
        self.update_state()

    def _refresh_rating_models(self) -> None:
        self.rating_model.services = self.model.services  # given later to a page built while the database opened
        self.rating_model.refresh()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn and watched in (self._table, self.rating_table):
            # One table at a time shows a selection: the one Delete and Enter act on.
            self._rating_active = watched is self.rating_table
            other = self._table if self._rating_active else self.rating_table
            if other is not None and other.selectionModel() is not None:
                other.clearSelection()
        return super().eventFilter(watched, event)

    @property
    def table(self) -> ListTable:
        table = super().table
        if table.property("watched") is None:
            table.setProperty("watched", True)
            table.installEventFilter(self)
        return table

    def tables(self) -> list[ListTable]:
        return super().tables() + ([self.rating_table] if self.rating_table is not None else [])

    def _rating_rows(self) -> list[Any]:
        indexes = self.rating_table.selectionModel().selectedRows() if self.rating_table is not None else []
        return [index.data(ROW_ROLE) for index in sorted(indexes, key=lambda index: index.row())]

    def _on_rating_side(self) -> bool:
        """The commands act on the rating models: the table with the focus, unless only the other has a selection."""
        if self._rating_active:
            return bool(self._rating_rows()) or not super().selected_rows()
        return bool(self._rating_rows()) and not super().selected_rows()

    def command_key(self) -> str:
        return "rating_models" if self._on_rating_side() else self.key

    def selected_rows(self) -> list[Any]:
        return self._rating_rows() if self._on_rating_side() else super().selected_rows()

    def select_rating_model(self, row_id: str) -> bool:
        row = self.rating_proxy.row_for_id(row_id)
        if row < 0:
            return False
        self.rating_table.selectRow(row)
        self.rating_table.setFocus()
        self._rating_active = True
        return True

    def set_search(self, text: str) -> None:
        self.rating_proxy.set_search(text)
        super().set_search(text)

    def update_state(self) -> None:
        super().update_state()
        if self.rating_stack is None:
            return  # called by ListPage.__init__, before the section exists
        has_models = self.rating_model.rowCount() > 0
        self.rating_stack.setCurrentWidget(self.rating_table if self.rating_proxy.rowCount() else self.rating_empty)
        if self.loading_text is None and not has_models and self.stack.currentWidget() is self.empty \
                and not self.search_text.strip():
            self.empty.set_text(*NO_RATING_MODELS)
        if has_models and self.rating_proxy.rowCount() == 0:
            self.rating_empty.setText(f"No rating model matches '{self.search_text.strip()}'.")
        elif not has_models:
            self.rating_empty.setText("No rating models yet: click New rating model to create one "
                                      "(for example Proficiency, with the values 1, 2, 3, 4, 5).")

    def refresh(self, keep_id: str | None = None) -> None:
        """Reload both tables; ``keep_id`` may be a skill or a rating model."""
        selected = self.rating_table.selectionModel().selectedRows() if self.rating_table is not None else []
        rating_current = selected[0].data(ROW_ROLE).id if selected else None
        super().refresh(keep_id=keep_id)  # the skills; their refreshed signal reloads the rating models
        if keep_id and self.proxy.row_for_id(keep_id) >= 0:
            self.table.setFocus()  # a skill just saved: the skills table is where the next key goes
        elif keep_id and self.rating_proxy.row_for_id(keep_id) >= 0:
            self.select_rating_model(keep_id)
        elif rating_current and self.rating_proxy.row_for_id(rating_current) >= 0:
            self.rating_table.selectRow(self.rating_proxy.row_for_id(rating_current))


PAGE_CLASSES: dict[str, type[ListPage]] = {"skills": SkillsPage}


def page_class(key: str) -> type[ListPage]:
    """The class of a list view's page (most are a plain ``ListPage``)."""
    return PAGE_CLASSES.get(key, ListPage)


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
