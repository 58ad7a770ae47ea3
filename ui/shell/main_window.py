"""The main window: a shell that composes the console's pages.

Layout (after the Customer Service admin center)::

    +-----------+--------------------------------------------------+
    | brand     | command bar: New Save Save&Close Copy ... Search |
    | nav list  +--------------------------------------------------+
    |           | page: title, view filter, table (or empty state) |
    |           |   or, for a work stream: breadcrumb + editor     |
    +-----------+--------------------------------------------------+
    | status: last action's result                        counts   |

Where things live: every command and shortcut in ui/shell/actions.py (one
table), the command bar in ui/shell/command_bar.py, the navigation pane (and
its collapsed, icons-only mode) in ui/shell/navigation.py, the list pages in
ui/records/pages.py, the editor page in ui/shell/editor_host.py, the editor's
life and the commands on one work stream in ui/workstreams/controller.py, the
record dialogs and record deletes in ui/records/controller.py, what the window
remembers in ui/shell/window_settings.py, and every write in
ui/common/operations.py (off the GUI thread; it broadcasts the ``Changes`` it
made and each page refreshes itself).  The work stream editor, the record
dialogs and the live agent panel are imported when first needed.  Every way of leaving
an editor (navigation, opening another record, closing the window, reset,
import) goes through ``editor.maybe_close()``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QStatusBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import ConflictError, NotFound, UserError
from models.choices import (
    CHANNEL_LABELS,
    CHANNELS,
)
from ui.common import messages
from ui.common.messages import sentence
from ui.common.icons import app_icon, icon
from ui.common.operations import Changes, Operations
from ui.shell.actions import (
    ACTIONS,
    COMMAND_BAR,
    SECONDARY_COMMANDS,
    SLOTS,
    VIEWS,
    ActionSpec,
    configure,
    make_action,
    view_shortcut,
)
from ui.shell.command_bar import CommandBar
from ui.shell.editor_host import EditorHost
from ui.shell.file_commands import FileCommands
from ui.shell.navigation import NavPane
from ui.shell.window_settings import WindowSettings
from ui.records.pages import KIND, LIST_VIEWS, ListPage, ListPages, ListTable, page_class
from ui.records.list_models import ROW_ROLE
from ui.workstreams.controller import WorkStreamController

if TYPE_CHECKING:  # the record dialogs (and their controller) are imported when one is first opened
    from ui.records.controller import RecordsController
    from ui.records.editors import EntityDialog

APP_TITLE = "Workstream Console"
RECORD_DIALOG_VIEWS = ("queues", "agents", "presences", "channels", "skills", "rating_models", "capacity_profiles")

VIEW_LABELS = {key: label for key, label, _ in VIEWS}
TABS = ("work-distribution", "context-variables", "routing-rules", "classification-rules")

NARROW_WINDOW = 1100  # narrower (a 1024x700 laptop) and never chosen: the navigation starts collapsed


# --------------------------------------------------------------------------- pages built on first use


@runtime_checkable
class Reloadable(Protocol):
    """A page that can start again from the database as saved now (the live agent panel)."""

    def reload(self) -> None: ...


def default_agent_panel(services, parent: QWidget) -> QWidget:
    from ui.panel.agent_panel import AgentPanel  # the simulator loads only for the panel

    return AgentPanel(services, parent)


# --------------------------------------------------------------------------- the window


class MainWindow(FileCommands, WindowSettings, QMainWindow):
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
        self._panel_factory = panel_factory
        self.remember_settings = remember_settings
        self._records: RecordsController | None = None  # built when a record dialog or delete first needs it
        self.navigation_choice: bool | None = None  # collapsed or not, once the user chose (else by width)
        self._view = ""
        self.undo_group = QUndoGroup(self)
        # The editor's life and Copy/Activate/Deactivate/Delete of a work stream: ui/workstreams/controller.py
        self.workstreams = WorkStreamController(self, editor_factory)
        self.operations = Operations(self, self.set_status)  # every write: ui.common.operations
        self.operations.changed.connect(self._changes_made)
        self.operations.finished.connect(self.longActionFinished)

        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self._show_title()
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
        self._show_title()
        self.nav_pane.set_database(self.database_label(), self._database_path())
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

    def _show_title(self) -> None:
        """'Workstream Console — console.db'; where the platform adds the application's display name
        itself (X11, Windows), only the database, or the title read 'Workstream Console — console.db —
        Workstream Console'."""
        if QGuiApplication.applicationDisplayName() == APP_TITLE:
            self.setWindowTitle(f"{self.database_label()}[*]")
        else:
            self.setWindowTitle(f"{APP_TITLE} — {self.database_label()}[*]")

    def database_label(self) -> str:
        if self.services is None:
            return self._database_label or "database"
        db = self.services.db
        path = getattr(db, "path", None)
        if path is not None:
            return Path(path).name
        url = str(getattr(db, "url", "database"))
        return url.rsplit("@", 1)[-1]

    def _database_path(self) -> str:
        return str(getattr(self.services.db, "path", "") or "") if self.services is not None else ""

    def _build_actions(self) -> None:
        """Every command from the one table in ui.shell.actions: ``self.act_<name>``."""
        self.actions_by_name: dict[str, QAction] = {}
        for spec in ACTIONS:
            if spec.name == "undo":
                action = self.undo_group.createUndoAction(self, "Undo")
                configure(action, spec)
            elif spec.name == "redo":
                action = self.undo_group.createRedoAction(self, "Redo")
                configure(action, spec)
            else:
                action = make_action(spec, self, getattr(self, SLOTS.get(spec.name, spec.name)))
            self.actions_by_name[spec.name] = action
            setattr(self, f"act_{spec.name}", action)
        self.addAction(self.act_presentation)  # F11 works with the menu bar hidden too

        self.new_menu = QMenu(self)
        self.new_channel_actions: dict[str, QAction] = {}
        for channel in CHANNELS:
            action = self.new_menu.addAction(f"{CHANNEL_LABELS[channel]} work stream")
            action.triggered.connect(lambda _checked=False, c=channel: self.new_workstream(c))
            self.new_channel_actions[channel] = action

        self.view_group = QActionGroup(self)
        self.view_actions: dict[str, QAction] = {}
        for key, label, icon_name in VIEWS:
            action = make_action(ActionSpec(key, label, icon_name, (view_shortcut(key),), f"Show {label.lower()}"),
                                 self, None)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, k=key: self.show_view(k))
            self.view_group.addAction(action)
            self.view_actions[key] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        menus = {title: bar.addMenu(f"&{title}") for title in ("File", "Edit", "View", "Help")}
        for action in self.view_actions.values():
            menus["View"].addAction(action)
        last_section = {"View": 0}
        for spec in ACTIONS:
            menu = menus[spec.menu]
            if spec.menu in last_section and last_section[spec.menu] != spec.section:
                menu.addSeparator()
            last_section[spec.menu] = spec.section
            menu.addAction(self.actions_by_name[spec.name])

    def open_whatif_lab(self) -> None:
        from ui.whatif import open_whatif_lab  # the view itself is imported when first opened

        open_whatif_lab(self)

    def open_doctor(self) -> None:
        from ui.doctor.window import open_doctor_window  # the doctor lives in ui/doctor

        open_doctor_window(self)

    def toggle_presentation(self) -> None:
        """View → Presentation (F11): the live agent panel for a projector (ui/panel/agent_panel.py does it)."""
        self._set_presentation(self.act_presentation.isChecked())

    def _set_presentation(self, on: bool) -> None:
        if on and not self.show_view("agent-panel"):
            self.act_presentation.setChecked(False)
            return
        panel = self.agent_panel
        panel.presentationChanged.connect(self.act_presentation.setChecked, Qt.ConnectionType.UniqueConnection)
        panel.set_presentation(on)

    def _build_central(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)

        # left navigation: ui/shell/navigation.py
        native = QKeySequence.SequenceFormat.NativeText
        self.nav_pane = NavPane(
            APP_TITLE, app_icon(),
            [(key, label, icon(icon_name), self.view_actions[key].shortcut().toString(native))
             for key, label, icon_name in VIEWS],
            self.database_label(), self._database_path(),
            toggle_keys=self.act_collapse_navigation.shortcut().toString(native))
        self.nav = self.nav_pane.nav  # the list of views
        self.brand_db = self.nav_pane.brand_db
        self.nav_pane.viewRequested.connect(self.show_view)
        self.nav_pane.collapseRequested.connect(lambda collapsed: self.set_navigation_collapsed(collapsed, chosen=True))
        row.addWidget(self.nav_pane)

        # content: command bar over pages
        content = QWidget()
        content.setObjectName("content")
        content.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.command_bar = CommandBar("Command bar")
        self.command_bar.setObjectName("commandBar")
        separators = []
        for name in COMMAND_BAR:
            if name == "|":
                separators.append(self.command_bar.addSeparator())
            else:
                self.command_bar.addAction(self.actions_by_name[name])
        self.command_separator, self.refresh_separator = separators
        self.command_bar.secondary = [self.actions_by_name[name] for name in SECONDARY_COMMANDS]
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search this view")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setFixedWidth(280)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.textChanged.connect(self._search_changed)
        self.new_button: QToolButton = self.command_bar.widgetForAction(self.act_new)
        # the command bar row: the commands on the left, the list's search box on the right
        self.command_row = command_row = QWidget()
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
        page = page_class(key)(key, self.services, loading_text=(self._database_label or "") if self.services is None
                        else None)
        self.lists[key] = page

        def wire(table: ListTable) -> None:
            table.openRequested.connect(lambda index, t=table: self.open_row(t.view_key, index))
            table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        page.table_hooks.append(wire)
        for table in page.tables():
            wire(table)
        page.model.modelReset.connect(self._update_counts)
        page.newRequested.connect(self.new_record_of)
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
        self.nav_pane.set_current(self._view)
        if self._view in self.view_actions:
            self.view_actions[self._view].setChecked(True)

    # ------------------------------------------------------------------ the navigation's width

    def toggle_navigation(self) -> None:
        """View > Collapse navigation (Ctrl+Shift+B): the user's choice, kept from then on."""
        self.set_navigation_collapsed(self.act_collapse_navigation.isChecked(), chosen=True)

    def set_navigation_collapsed(self, collapsed: bool, *, chosen: bool = False) -> None:
        """Icons only, or the views' names; ``chosen`` by the user (remembered), else by the window's width."""
        if chosen:
            self.navigation_choice = collapsed
        self.nav_pane.set_collapsed(collapsed)
        self.act_collapse_navigation.blockSignals(True)  # its toggled signal is the user's choice
        self.act_collapse_navigation.setChecked(collapsed)
        self.act_collapse_navigation.blockSignals(False)

    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        if self.navigation_choice is None:  # never chosen: a narrow window gives the pane's width to the page
            collapsed = self.width() < NARROW_WINDOW
            if collapsed != self.nav_pane.is_collapsed():
                self.set_navigation_collapsed(collapsed)

    def _ensure_agent_panel(self) -> None:
        if self.agent_panel is not None:
            return
        factory = self._panel_factory or default_agent_panel
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
        selected = getattr(page.selected_row(), "id", None) or self.workstreams.last_edited
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
            if self.new_button.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                # the style sheet keys on popupMode (not yet polished, as at start-up: nothing to redo)
                self.new_button.style().unpolish(self.new_button)
                self.new_button.style().polish(self.new_button)
            self.new_button.updateGeometry()
        for action in (self.act_save, self.act_save_close):
            action.setVisible(editing)
            action.setEnabled(editing)
        self.act_back.setEnabled(editing)
        self.act_copy.setVisible(on_streams)
        self.act_copy.setEnabled(on_streams and (saved_id is not None or row is not None))
        self.act_toggle_active.setVisible(on_streams)
        active = self.workstreams.editor_active if editing else (row.active if row is not None and on_streams else None)
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
        # The panel has its own bar (speed, Reset): a row with Refresh alone (F5 and the View menu
        # keep it) would take 45 px from the cards on a 720 px screen.
        self.command_row.setVisible(view != "agent-panel")
        if self.services is None:  # the shell, while the database opens
            for action in self.data_actions():
                action.setEnabled(False)
            self.search_box.setEnabled(False)
            self.nav.setEnabled(False)
        else:
            self.search_box.setEnabled(True)
            for action in self._whole_database_actions():
                action.setEnabled(True)
        self.command_bar.fit()  # the commands shown changed: text or icons only, whatever fits

    def _whole_database_actions(self) -> list[QAction]:
        """Commands that work whatever is selected (once the database is open)."""
        return [self.act_import, self.act_export, self.act_export_bundle, self.act_import_bundle,
                self.act_bundle_history, self.act_generate, self.act_reset_demo, self.act_new_rating_model,
                *self.view_actions.values(),
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
        self.new_record_of(self._view)

    def new_rating_model(self) -> None:
        """File > New rating model (Ctrl+Shift+R): on the Skills page, where rating models are listed."""
        self.records.new_rating_model()

    def new_record_of(self, view: str) -> None:
        if view == "workstreams":
            self.new_workstream()
        elif view in RECORD_DIALOG_VIEWS:
            self.records.open_entity(view, None)

    # The editor's life, forwarded to the controller (the action table, FileCommands and tests call these).

    @property
    def editor(self) -> QWidget | None:
        """The open work stream editor, if any."""
        return self.workstreams.editor

    def new_workstream(self, channel: str = "live_chat") -> bool:
        return self.workstreams.new_workstream(channel)

    def open_workstream(self, workstream_id: str, tab: str | None = None) -> bool:
        """Show a work stream in the editor (after the unsaved-changes guard)."""
        return self.workstreams.open_workstream(workstream_id, tab)

    def close_editor(self, force: bool = False) -> bool:
        """Back to the list; unless forced, asks the editor first (its Save/Discard/Cancel guard)."""
        return self.workstreams.close_editor(force)

    def _changes_made(self, changes: Changes) -> None:
        """After a write: each list page that shows what changed reloads (now if shown, else when next shown)."""
        keep = next(iter(changes.ids)) if len(changes.ids) == 1 else None
        for page in list(self.lists.values()):
            try:
                page.apply_changes(changes, keep_id=keep if page.key in changes.kinds else None)
            except UserError as error:
                self.set_status(f"Could not reload the {page.key}: {error}")
        follow = getattr(self.editor, "apply_changes", None)  # the editor's lookups (queues, skills, ...) too
        if follow is not None:
            follow(changes)
        self._update_actions()
        self._update_counts()

    def refresh_commands(self) -> None:
        """The command bar and the status counts follow the view, the selection and the editor."""
        self._update_actions()
        self._update_counts()

    # ------------------------------------------------------------------ commands

    def save_editor(self) -> bool:
        return self.workstreams.save_editor()

    def save_and_close(self) -> bool:
        return self.workstreams.save_and_close()

    def copy_workstream(self):
        return self.workstreams.copy_workstream()

    def toggle_active(self):
        """Activate or deactivate the selected (or edited) work stream; an editor keeps its edits."""
        return self.workstreams.toggle_active()

    def delete_selected(self):
        """Delete the selected record(s), or the edited stream: refused first when in use, then asked."""
        if self._view == "workstreams":
            return self.workstreams.delete_selected()
        return self.records.delete_selected()

    def refresh(self) -> None:
        """F5: reload the lists, or the open work stream (after the unsaved-changes guard)."""
        if self.editor is not None:
            self.workstreams.reload_editor()
            return
        if self._view == "agent-panel" and isinstance(self.agent_panel, Reloadable):
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

    def show_action_error(self, title: str, error: BaseException) -> None:
        messages.error(self, title, sentence(str(error)))
        self.set_status(f"{title}: {error}")
        if isinstance(error, (ConflictError, NotFound)):
            self.operations.broadcast(Changes.everything())  # the lists were out of date

    # ------------------------------------------------------------------ record dialogs and deletes

    # Forwarded to ui/records/controller.py (the action table, the work stream controller and tests call these).

    @property
    def records(self) -> RecordsController:
        """Record dialogs and record deletes; the controller and its module load when first used (start-up)."""
        if self._records is None:
            from ui.records.controller import RecordsController

            self._records = RecordsController(self)
        return self._records

    @property
    def current_dialog(self) -> EntityDialog | None:
        """The open record dialog, if any."""
        return self._records.current_dialog if self._records is not None else None

    def open_entity(self, view: str, object_id: str | None = None) -> EntityDialog | None:
        """Open the record dialog (non-blocking); the list refreshes when it saves."""
        return self.records.open_entity(view, object_id)

    def delete_many(self, view: str, rows: list[Any]):
        """Delete several selected records, all or nothing, in the background."""
        return self.records.delete_many(view, rows)

    # ------------------------------------------------------------------ long actions, off the GUI thread

    @property
    def long_action(self):
        """The running operation's background task, if any."""
        return self.operations.task

    def _busy(self) -> bool:
        return self.operations.busy()

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.editor is not None and not self.close_editor():
            event.ignore()
            return
        self.save_settings()
        event.accept()
