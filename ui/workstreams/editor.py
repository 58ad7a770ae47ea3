"""The work stream form: Work distribution, Context variables, Routing rule items, Classification rules.

The editor holds the whole stream as an in-memory draft (a dict shaped like
WorkStreamDoc, ids included) and saves it in one call to
``Services.save_workstream`` with the version it loaded.  Every user edit is a
QUndoCommand on ``undo_stack``; the editor is dirty while the stack is not clean.
"""
from __future__ import annotations

import copy
import functools
import re
from typing import Any, Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.routing.conditions import Issue
from app.workstreams.editing import (
    MERGEABLE_FIELDS,
    AddItem,
    DeleteItem,
    Edit,
    EditRefused,
    MoveRules,
    ReplaceItem,
    SetField,
    SetFields,
    WorkStreamDraft,
    rules_using_variable,
)
from app.workstreams.catalogue import DistributionCatalogue, read_catalogue
from app.common.errors import ConflictError, DocumentInvalid, NotFound, UserError
from models.choices import (
    BASE_PRESENCE_NAMES,
    BASE_PRESENCES,
    CHANNEL_LABELS,
    CHANNELS,
    MAX_INT32,
    MAX_RECONNECT_WINDOW_S,
    MAX_WRAP_UP_BLOCK_S,
    NAME_MAX,
    NOTIFICATION_LABELS,
    NOTIFICATIONS,
    SCREEN_POP_TIMEOUTS,
)
from ui.common import messages
from ui.common.icons import icon
from ui.workstreams.classification_dialog import ClassificationRuleDialog
from ui.workstreams.decline_reasons import DeclineReasonsEdit
from ui.workstreams.focus import tab_to_checked
from ui.workstreams.editor_models import ClassificationRulesModel, RulesModel, VariablesModel
from ui.workstreams.rule_editor import RuleEditorDialog
from ui.workstreams.variable_dialog import VariableDialog
from ui.common.widgets import (
    DurationEdit,
    ErrorLabel,
    LookupCombo,
    MultiCheck,
    apply_editor_style,
    attach_queue_quick_create,
    error_dot_icon,
    hint_label,
    screen_pop_timeout_label,
    section_title,
)
from ui.common.spin_boxes import SpinBox

TAB_NAMES = ("work-distribution", "context-variables", "routing-rules", "classification-rules")
TAB_TITLES = ("Work distribution", "Context variables", "Routing rule items", "Classification rules")
# The list tabs: the draft's kind, its document key, its tab (indexes of TAB_NAMES).
LIST_KINDS = {"variables": ("context_variables", 1), "rules": ("routing_rules", 2),
              "classification": ("classification_rules", 3)}
KIND_OF_KEY = {key: kind for kind, (key, _tab) in LIST_KINDS.items()}
SKILL_MATCHING_LABELS = {"none": "None: skills are not used", "exact": "Exact: every required skill at its rating",
                         "closest": "Closest: best coverage first"}
NEW_TITLE = "New work stream"

# The fields of tab 1, in form order, with the label used in messages.
FIELD_LABELS = {
    "name": "Name",
    "channel": "Channel",
    "capacity_format": "Capacity format",
    "capacity": "Capacity",
    "capacity_profile": "Capacity profile",
    "auto_close_after_inactivity_s": "Auto-close after inactivity",
    "distribution_mode": "Work distribution mode",
    "notification": "Notification",
    "screen_pop_timeout_s": "Screen pop timeout",
    "allowed_presences": "Allowed presences",
    "assign_after_decline_s": "Assign work item after decline or timeout",
    "keep_same_agent": "Keep same agent for entire conversation",
    "reconnect_window_s": "Reconnect window",
    "wrap_up_block_s": "Block capacity for wrap-up",
    "default_queue": "Default queue",
    "skill_matching": "Skill matching",
    "missed_notification_presence": "After a missed notification",
    "decline_reasons": "Decline reasons",
    "active": "Status",
}
FIELD_ORDER = list(FIELD_LABELS)
_LIST_PATH = re.compile(r"^(context_variables|routing_rules|classification_rules)\[(\d+)\]\.?(.*)$")
LABEL_WIDTH = 220
# The Test routing pane beside the rules: shown (until the user chooses) when the tab has room for
# both; the rules side is readable at this width (Order, a 25-letter name, a queue, 200 px of condition).
RULES_READABLE_WIDTH = 620
TEST_ROUTING_MIN_WIDTH = 300
TEST_ROUTING_SETTINGS = "workStreamEditor/testRouting"  # QSettings: "shown" (the user's choice), "sizes"
FIELD_MAX_WIDTH = 400  # label + field fit beside a 1024-pixel window's navigation


def _top_key(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


# --------------------------------------------------------------------------- undo


class DraftCommand(QUndoCommand):
    """A draft edit on the undo stack: redo applies it, undo reverts it; the draft does the work."""

    def __init__(self, draft: WorkStreamDraft, edit: Edit):
        super().__init__(edit.text)
        self.draft, self.edit = draft, edit

    def id(self) -> int:  # noqa: A003 - Qt API
        if isinstance(self.edit, SetField) and self.edit.key in MERGEABLE_FIELDS:
            return 1000 + MERGEABLE_FIELDS.index(self.edit.key)
        return -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, DraftCommand) or not isinstance(self.edit, SetField) \
                or not isinstance(other.edit, SetField):
            return False
        merged = self.edit.merged(other.edit)
        if merged is None:
            return False
        self.edit = merged
        if merged.new == merged.old:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.draft.apply(self.edit)

    def undo(self) -> None:
        self.draft.revert(self.edit)


# --------------------------------------------------------------------------- the editor

# The keys of the variables and rules tables, and of the rules tab (Help > Keyboard shortcuts lists
# them from here, as "Editor tables").
TABLE_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "new": ("New variable or rule", ("Insert", "Ctrl+Shift+N")),
    "edit": ("Edit the selected variable or rule", ("Return", "Enter")),
    "delete": ("Delete the selected variable or rule", ("Delete",)),
    "up": ("Move the selected variable or rule up", ("Alt+Up",)),
    "down": ("Move the selected variable or rule down", ("Alt+Down",)),
    "test_routing": ("Show or hide the Test routing pane (Routing rule items)", ("Ctrl+T",)),
}


def _native_keys(name: str) -> str:
    return ", ".join(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) for key in TABLE_KEYS[name][1])


class _TableKeys(QObject):
    """The TABLE_KEYS of one table: Enter edits, Delete deletes, Insert adds, Alt+Up/Down moves (rules)."""

    def __init__(self, view: QTableView, actions: dict[str, Callable[[], None]]):
        super().__init__(view)
        self.actions = actions
        view.installEventFilter(self)

    def _action(self, event: QKeyEvent) -> str | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(event.key() | mods.value)
        for name, (_what, keys) in TABLE_KEYS.items():
            if any(pressed == QKeySequence(key) for key in keys):
                return name
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            name = self._action(event)  # type: ignore[arg-type]
            if name in self.actions:
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()  # the table wants this key, not a window shortcut
                    return True
                self.actions[name]()
                return True
        return False


class _UndoKeysToEditor(QObject):
    """Ctrl+Z / Ctrl+Shift+Z in a field undo the editor's changes, not the field's own text edits.

    A line edit (and the one inside a spin box) claims these keys through ShortcutOverride,
    so the window's Undo never ran from a number field.  This filter declines them for the
    field, and the window's Edit > Undo / Redo shortcuts fire instead.
    """

    KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if any(key_event.matches(key) for key in self.KEYS) or (
                    key_event.key() == Qt.Key.Key_Z and key_event.modifiers()
                    == (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)):
                event.ignore()
                return True
        return False


class _ColumnFitter(QObject):
    """Width-aware columns: each column but ``stretch`` is as wide as its contents, up to a share of
    the table's width (longer text elides; the model's tooltip shows it whole); ``stretch`` takes
    what is left.  So the table never needs a horizontal scroll bar, even at 1024 pixels."""

    SHARE = 0.3  # of the viewport, at most, for each sized column
    ROWS_MEASURED = 200  # contents widths from the first rows: a 5,000-rule stream stays instant

    def __init__(self, view: QTableView, stretch: int, shares: dict[int, float] | None = None):
        super().__init__(view)
        self.view, self.stretch = view, stretch
        self.shares = shares or {}  # a column's own cap (share of the width), else SHARE
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(self.ROWS_MEASURED)
        header.setMinimumSectionSize(48)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        view.viewport().installEventFilter(self)
        self._pending = False
        model = view.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.dataChanged,
                       model.rowsMoved, model.layoutChanged):
            signal.connect(self.schedule)
        self.fit()

    def schedule(self, *_args) -> None:
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.fit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        self._pending = False
        header = self.view.horizontalHeader()
        model = self.view.model()
        if model is None:
            return
        available = self.view.viewport().width()
        widths: dict[int, int] = {}
        for column in range(model.columnCount()):
            if column == self.stretch:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                continue
            cap = max(header.minimumSectionSize(), int(available * self.shares.get(column, self.SHARE)))
            wanted = max(self.view.sizeHintForColumn(column), header.sectionSizeHint(column)) + 8
            widths[column] = min(wanted, cap)
        # A narrow table elides its cells, never its headers: no column under its header's text, the
        # stretch column's included (the widest of the others give way, down to their own header's).
        floors = {column: header.sectionSizeHint(column) for column in widths}
        widths = {column: max(width, floors[column]) for column, width in widths.items()}
        over = sum(widths.values()) + header.sectionSizeHint(self.stretch) - available
        while over > 0:
            giving = [column for column in widths if widths[column] > floors[column]]
            if not giving:
                break
            widest = max(giving, key=widths.__getitem__)
            next_widest = max((widths[column] for column in giving if column != widest), default=0)
            step = min(over, widths[widest] - floors[widest], max(1, widths[widest] - next_widest))
            widths[widest] -= step
            over -= step
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)


def _fit_columns(view: QTableView, stretch: int, elide: tuple[int, ...] = (),
                 shares: dict[int, float] | None = None) -> _ColumnFitter:
    """See _ColumnFitter; ``elide``: the columns whose text is cut with an ellipsis (all are, by the view)."""
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.column_fitter = _ColumnFitter(view, stretch, shares)  # type: ignore[attr-defined]
    return view.column_fitter  # type: ignore[attr-defined]


def _name_combo(names: list[str], none_text: str | None, placeholder: str = "") -> QComboBox:
    """Names to choose from (the item data is the name; None for ``none_text``)."""
    combo = QComboBox()
    if none_text is not None:
        combo.addItem(none_text, None)
    for name in names:
        combo.addItem(name, name)
    combo.setPlaceholderText(placeholder)
    if none_text is None:
        combo.setCurrentIndex(-1)
    return combo


def _set_name_combo(combo: QComboBox, name: str | None) -> None:
    """Select ``name``; one the list lacks (deleted or renamed elsewhere) is still shown, so nothing is lost."""
    index = combo.findData(name)
    if index < 0 and name is not None:
        combo.addItem(name, name)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def _table(parent: QWidget, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table and Ctrl+Tab changes the editor tab, as in a form
    view.setShowGrid(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(30)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


class WorkStreamEditor(QWidget):
    """Edits one work stream (``workstream_id`` None: a new one on ``channel``)."""

    saved = Signal(str)
    dirtyChanged = Signal(bool)
    titleChanged = Signal(str)

    def __init__(self, services, workstream_id: str | None = None, parent: QWidget | None = None,
                 channel: str = "live_chat"):
        super().__init__(parent)
        self.services = services
        self.setObjectName("workStreamEditor")
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.current_dialog: QWidget | None = None
        self._loading = False
        self._bindings: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}
        self._field_widgets: dict[str, QWidget] = {}
        self._field_errors: dict[str, ErrorLabel] = {}
        self._field_labels: dict[str, QLabel] = {}
        self._server_issues: list[Issue] = []
        self._save_attempted = False
        self._touched: set[str] = set()

        if workstream_id is None:
            self._id: str | None = None
            self._version: int | None = None
            data: dict = services.new_workstream(channel)
            self._saved_name: str | None = None
        else:
            loaded = services.load_workstream(workstream_id)
            self._id, self._version = loaded.id, loaded.version
            data = loaded.doc.model_dump()
            self._saved_name = loaded.doc.name
        # The draft holds the data and its edits; this editor listens to keep the widgets in step.
        self.stream = WorkStreamDraft(data, listener=self)

        # Skills (with their ratings), capacity profiles and presences the version 2 fields may name.
        db = getattr(services, "db", None)
        self.catalogue: DistributionCatalogue = read_catalogue(db) if db is not None else DistributionCatalogue()
        self.variables_model = VariablesModel(self._draft["context_variables"], self)
        self.rules_model = RulesModel(self._draft["routing_rules"], self.variables_model.labels, self)
        self.rules_model.move_hook = self._push_move
        self.classification_model = ClassificationRulesModel(self.stream.classification_rules,
                                                             self.variables_model.labels, self)
        self.classification_model.move_hook = functools.partial(self._push_move, kind="classification")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("errorSummary")
        self.summary_label.setProperty("role", "error-banner")
        self.summary_label.setWordWrap(True)
        self.summary_label.setVisible(False)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("editorTabs")
        layout.addWidget(self.tabs, 1)
        # Below the tabs, not above: when it comes or goes only the bottom edge moves, never the field
        # under the pointer (above, the form jumped 55 px and a click meant for Capacity hit Auto-close).
        layout.addWidget(self.summary_label)
        self.tabs.addTab(self._build_distribution_tab(), TAB_TITLES[0])
        self.tabs.addTab(self._build_variables_tab(), TAB_TITLES[1])
        self.tabs.addTab(self._build_rules_tab(), TAB_TITLES[2])
        self.tabs.addTab(self._build_classification_tab(), TAB_TITLES[3])
        self.tabs.currentChanged.connect(self._tab_changed)

        apply_editor_style(self)
        self._populate()
        self._list_changed("variables")
        self._list_changed("rules")
        self._list_changed("classification")
        self._align_labels()
        self._install_test_routing()
        self._undo_keys = _UndoKeysToEditor(self)
        for field in self._field_widgets.values():
            for widget in [field, *field.findChildren(QWidget)]:
                if isinstance(widget, (QLineEdit, QAbstractSpinBox)):
                    widget.installEventFilter(self._undo_keys)

    @property
    def _draft(self) -> dict:
        return self.stream.data

    @_draft.setter
    def _draft(self, data: dict) -> None:  # a whole new draft (as reload does): the models follow it
        self.stream.data = data
        self.variables_model.set_rows(data["context_variables"])
        self.rules_model.set_rows(data["routing_rules"])
        self.classification_model.set_rows(self.stream.classification_rules)

    def _clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    # ================================================================== test routing
    def _install_test_routing(self) -> None:
        """The Test routing pane beside the rules; it follows the draft, saved or not."""
        from ui.workstreams.routing_trial_pane import TestRoutingPane

        self.test_routing = TestRoutingPane(self.services, self.routing_side_panel)
        self.routing_side_panel.layout().addWidget(self.test_routing)
        self.test_routing.failingCountChanged.connect(self._show_failing_tests)
        # Re-test once typing pauses, not on every keystroke.
        self._retest_timer = QTimer(self)
        self._retest_timer.setSingleShot(True)
        self._retest_timer.setInterval(150)
        self._retest_timer.timeout.connect(self._retest)
        self.undo_stack.indexChanged.connect(lambda _index: self._retest_timer.start())
        self._retest()

    def _retest(self) -> None:
        self.test_routing.set_workstream(self.draft(), self._id)

    def _test_routing_toggled(self, shown: bool) -> None:
        """The toggle (or Ctrl+T): the pane shows with the keyboard in its first field, or hides and
        leaves the keyboard on the rules rather than on a widget that is gone."""
        focused = QApplication.focusWidget()
        had_focus = focused is not None and self.routing_side_panel.isAncestorOf(focused)
        self.routing_splitter.set_pane_shown(shown)
        if shown:
            self.test_routing.focus_first_field()
        elif had_focus:
            rules = self.rules_view if self.rules_stack.currentWidget() is self.rules_view else self.new_rule_button
            rules.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_failing_tests(self, failing: int) -> None:
        title = TAB_TITLES[2] + (f"  ·  {failing} test{'s' if failing != 1 else ''} failing" if failing else "")
        self.tabs.setTabText(2, title)
        self.tabs.setTabToolTip(2, "A saved routing test case no longer reaches its expected queue" if failing else "")

    def failing_tests(self) -> int:
        return self.test_routing.failing_count

    # ================================================================== contract
    def save(self) -> bool:
        """Validate and save; shows problems inline.  True when the stream was saved."""
        self._save_attempted = True
        if self._client_problems():
            self._refresh_errors()
            self._focus_first_issue()
            return False
        expected = self._version
        while True:
            try:
                saved = self.services.save_workstream(self._draft_for_save(), self._id, expected)
                break
            except DocumentInvalid as problem:
                self._server_issues = list(problem.issues)
                self._refresh_errors()
                self._focus_first_issue()
                return False
            except ConflictError as problem:
                try:
                    newer = self.services.load_workstream(self._id)
                except NotFound as gone:
                    messages.error(self, "Work stream not saved", str(gone))
                    return False
                theirs = newer.doc.model_dump()
                # What "Keep mine" would save: this editor's fields; what it does not edit comes from theirs.
                mine = {**self._draft_for_save(), "active": theirs["active"], "channels": theirs["channels"]}
                answer = messages.conflict(
                    self, "Work stream changed elsewhere", f"{problem}.",
                    "Keep mine saves your version over theirs. Take theirs discards your changes and "
                    "loads the newer version.", mine=mine, theirs=theirs)
                if answer == "mine":
                    expected = newer.version
                    self._draft["active"] = theirs["active"]
                    self._draft["channels"] = theirs["channels"]
                    continue
                if answer == "theirs":
                    self.reload()
                return False
            except NotFound as problem:
                messages.error(self, "Work stream not saved", str(problem))
                return False
            except UserError as problem:
                messages.error(self, "Work stream not saved", str(problem))
                return False
        self._after_save(saved)
        return True

    def is_dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def maybe_close(self) -> bool:
        """The unsaved-changes guard: True when it is fine to close the editor."""
        if not self.is_dirty():
            return True
        answer = messages.save_discard_cancel(self, "Unsaved changes",
                                              f"Save the changes to '{self.title()}' before closing?")
        if answer == messages.SAVE:
            return self.save()
        return answer == messages.DISCARD

    def set_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))

    def focus_first_field(self) -> None:
        """Keyboard focus where typing makes sense: Name on the first tab, else the tab's table."""
        tab = self.current_tab()
        if tab == "context-variables":
            self.variables_view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif tab == "routing-rules":
            self.rules_view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif tab == "classification-rules":
            self.classification_view.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _tab_changed(self, _index: int) -> None:
        """Ctrl+Tab from a field of the tab that went away: the keyboard lands on the new tab's table
        (or Name), not on a hidden field where typing would go nowhere."""
        focused = QApplication.focusWidget()
        if focused is None or (self.isAncestorOf(focused) and focused is not self.tabs.tabBar()):
            self.focus_first_field()

    def current_tab(self) -> str:
        return TAB_NAMES[self.tabs.currentIndex()]

    def workstream_id(self) -> str | None:
        return self._id

    def active_state(self) -> bool | None:
        """Active or not as saved (None while the stream has never been saved)."""
        return None if self._id is None else bool(self._draft.get("active"))

    def version(self) -> int | None:
        return self._version

    def title(self) -> str:
        return self._saved_name or NEW_TITLE

    def draft(self) -> dict:
        """A copy of the stream as edited so far."""
        return copy.deepcopy(self._draft)

    def reload(self) -> None:
        """Throw the edits away and load the stream as it is in the database."""
        if self._id is None:
            self.stream.data = self.services.new_workstream(self._draft.get("channel", "live_chat"))
        else:
            loaded = self.services.load_workstream(self._id)
            self._version = loaded.version
            self.stream.data = loaded.doc.model_dump()
            self._saved_name = loaded.doc.name
        self.variables_model.set_rows(self._draft["context_variables"])
        self.rules_model.set_rows(self._draft["routing_rules"])
        self.classification_model.set_rows(self.stream.classification_rules)
        self._server_issues, self._save_attempted, self._touched = [], False, set()
        self._populate()
        self.undo_stack.clear()
        self._list_changed("variables")
        self._list_changed("rules")
        self._list_changed("classification")
        self.titleChanged.emit(self.title())

    # The records the editor's lookups list: a write of one of these refreshes them.
    LOOKUP_KINDS = ("queues", "presences", "skills", "rating_models", "capacity_profiles")

    def apply_changes(self, changes) -> None:
        """Another view wrote queues, presences, skills or profiles: the lookups follow (the choices made
        stay, even one that is gone, so that the problem is shown, not silently changed)."""
        if not changes.touches(self.LOOKUP_KINDS):
            return
        db = getattr(self.services, "db", None)
        if db is not None:
            self.catalogue = read_catalogue(db)
        self._loading = True
        try:
            for combo, names, none_text in ((self.profile_combo, self.catalogue.profiles, None),
                                            (self.missed_presence_combo, self.catalogue.presences,
                                             "Presence unchanged")):
                current = combo.currentData()
                combo.clear()
                if none_text is not None:
                    combo.addItem(none_text, None)
                for name in names:
                    combo.addItem(name, name)
                _set_name_combo(combo, current)
            if changes.touches(("queues",)):
                self.default_queue_combo.set_names(self.services.names("queues"))
        finally:
            self._loading = False
        self._refresh_errors()

    def set_active_state(self, active: bool, version: int) -> None:
        """The host (de)activated the stream: take its new state and version without losing edits."""
        self._draft["active"] = active
        self._version = version
        self._update_status()
        self._refresh_errors()

    # ================================================================== tab 1
    def _label(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setFixedWidth(LABEL_WIDTH)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        return label

    def _section(self, text: str) -> QLabel:
        title = section_title(text)
        title.setMaximumWidth(LABEL_WIDTH + 16 + FIELD_MAX_WIDTH + 160)
        return title

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(14)
        form.setContentsMargins(4, 10, 0, 8)
        return form

    def _form_box(self, form: QFormLayout) -> QWidget:
        """The form in a box no wider than label + field: Qt lays out a wrapping hint for the width the
        form offers, so the form must not offer more than the field may take (else the hint overlaps)."""
        box = QWidget()
        box.setLayout(form)
        box.setMaximumWidth(LABEL_WIDTH + form.horizontalSpacing() + FIELD_MAX_WIDTH + 200 + 4)
        # Beside a stretch in a row: a row layout hands each item no more than its maximum width when
        # it asks for heights (a column or a form asks with the whole width, and gets one line too few).
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(box, 1)  # grows first, up to its maximum; the stretch takes what is left
        row.addStretch(0)
        return holder

    def _row(self, form: QFormLayout, key: str, widget: QWidget, hint: str = "", required: bool = False) -> None:
        """Label | control, with its hint and its inline error underneath the control."""
        label = self._label(FIELD_LABELS[key] + (" *" if required else ""))
        label.setBuddy(widget)
        cell = QWidget()
        cell.setObjectName(f"cell_{key}")
        # The cell, not only its hint, is capped: a hint capped alone was laid out for the wider
        # cell (one line) and then wrapped into two, over the field above it.
        cell.setMaximumWidth(FIELD_MAX_WIDTH + 200)
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(widget)
        line.addStretch(1)
        column.addLayout(line)
        if hint:
            note = hint_label(hint)
            note.setWordWrap(True)  # at 1024 px a long hint wraps instead of running off the edge
            note.setMaximumWidth(FIELD_MAX_WIDTH + 200)
            column.addWidget(note)
        error = ErrorLabel()
        error.setObjectName(f"error_{key}")
        error.setMinimumWidth(FIELD_MAX_WIDTH)
        error.setMaximumWidth(FIELD_MAX_WIDTH + 200)
        column.addWidget(error)
        form.addRow(label, cell)
        self._field_widgets[key] = widget
        self._field_errors[key] = error
        self._field_labels[key] = label

    def _align_labels(self) -> None:
        """Centre each label on the first line of its field (the field's hint and error sit below)."""
        self.ensurePolished()
        for key, label in self._field_labels.items():
            field = self._field_widgets[key]
            first_line = field.new_edit if isinstance(field, DeclineReasonsEdit) else field  # a list: its top line
            label.setMinimumHeight(max(label.sizeHint().height(), first_line.sizeHint().height()))

    def _bind(self, key: str, signal, getter: Callable[[], Any], setter: Callable[[Any], None]) -> None:
        self._bindings[key] = (getter, setter)
        signal.connect(functools.partial(self._widget_changed, key))

    def _build_distribution_tab(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("workDistributionPage")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        page.setObjectName("workDistributionForm")
        scroll.setWidget(page)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(16, 8, 24, 16)
        outer.setSpacing(0)

        # ---------------------------------------------------- General information
        outer.addWidget(self._section("General information"))
        general = self._form()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("name")
        self.name_edit.setPlaceholderText("e.g. Chat - Retail banking")
        self.name_edit.setMinimumWidth(FIELD_MAX_WIDTH)
        self._row(general, "name", self.name_edit, required=True)
        self._bind("name", self.name_edit.textChanged, self.name_edit.text, self.name_edit.setText)

        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channel")
        for value in CHANNELS:
            self.channel_combo.addItem(CHANNEL_LABELS[value], value)
        self.channel_combo.setMinimumWidth(220)
        self._row(general, "channel", self.channel_combo)
        self._bind("channel", self.channel_combo.currentIndexChanged, self.channel_combo.currentData,
                   lambda v: self.channel_combo.setCurrentIndex(self.channel_combo.findData(v)))

        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.status_label.setProperty("role", "status")
        status_row = QWidget()
        status_layout = QHBoxLayout(status_row)
        status_layout.setContentsMargins(0, 0, 0, 0)
        status_layout.addWidget(self.status_label)
        status_hint = hint_label("Activate or deactivate it from the command bar.")
        status_hint.setWordWrap(False)  # fits at 1024 px beside the badge
        status_layout.addSpacing(6)
        status_layout.addWidget(status_hint, 1)  # wraps only when the window is narrow
        self._row(general, "active", status_row)

        # Capacity format: units (the version 1 behaviour) or a capacity profile's work item limit.
        format_row = QWidget()
        format_row.setObjectName("capacityFormat")
        format_layout = QHBoxLayout(format_row)
        format_layout.setContentsMargins(0, 0, 0, 0)
        format_layout.setSpacing(20)
        self.units_radio = QRadioButton("Units")
        self.units_radio.setObjectName("capacityUnits")
        self.units_radio.setToolTip("Each conversation takes units of the agent's capacity")
        self.profile_radio = QRadioButton("Capacity profile")
        self.profile_radio.setObjectName("capacityByProfile")
        self.profile_radio.setToolTip("Each conversation counts against a capacity profile's work item limit")
        self.format_group = QButtonGroup(self)
        self.format_group.addButton(self.units_radio)
        self.format_group.addButton(self.profile_radio)
        format_layout.addWidget(self.units_radio)
        format_layout.addWidget(self.profile_radio)
        format_layout.addStretch(1)
        self._row(general, "capacity_format", format_row)
        self._bindings["capacity_format"] = (
            lambda: "profile" if self.profile_radio.isChecked() else "units",
            lambda v: (self.profile_radio if v == "profile" else self.units_radio).setChecked(True))
        self.format_group.buttonToggled.connect(self._capacity_format_toggled)
        tab_to_checked(self.format_group)

        self.capacity_spin = SpinBox()
        self.capacity_spin.setObjectName("capacity")
        # Negative numbers can be typed (and are refused inline): with a floor of 0, "-5" silently became 5.
        self.capacity_spin.setRange(-MAX_INT32, MAX_INT32)
        self.capacity_spin.setSuffix(" units")
        self.capacity_spin.setMinimumWidth(140)
        self.capacity_spin.setAccelerated(True)
        self._row(general, "capacity", self.capacity_spin,
                  hint="Units of an agent's capacity that one conversation takes.")
        self._bind("capacity", self.capacity_spin.valueChanged, self.capacity_spin.value, self.capacity_spin.setValue)

        self.profile_combo = _name_combo(self.catalogue.profiles, none_text=None, placeholder="Select a profile")
        self.profile_combo.setObjectName("capacityProfile")
        self.profile_combo.setMinimumWidth(220)
        self._row(general, "capacity_profile", self.profile_combo,
                  hint="The profile's work item limit caps how many such conversations an agent holds."
                  if self.catalogue.profiles else "There are no capacity profiles yet: add one in Capacity profiles.")
        self._bind("capacity_profile", self.profile_combo.currentIndexChanged, self.profile_combo.currentData,
                   functools.partial(_set_name_combo, self.profile_combo))

        self.auto_close_edit = DurationEdit(MAX_INT32, zero_text="Never")
        self.auto_close_edit.setObjectName("autoClose")
        self._row(general, "auto_close_after_inactivity_s", self.auto_close_edit,
                  hint="A waiting conversation with no activity for this long is closed. 0 = never.")
        self._bind("auto_close_after_inactivity_s", self.auto_close_edit.valueChanged, self.auto_close_edit.value,
                   self.auto_close_edit.setValue)
        outer.addWidget(self._form_box(general))
        outer.addSpacing(14)

        # ---------------------------------------------------- Work distribution
        outer.addWidget(self._section("Work distribution"))
        distribution = self._form()
        mode_row = QWidget()
        mode_row.setObjectName("distributionMode")
        mode_layout = QHBoxLayout(mode_row)
        mode_layout.setContentsMargins(0, 0, 0, 0)
        mode_layout.setSpacing(20)
        self.push_radio = QRadioButton("Push")
        self.push_radio.setObjectName("modePush")
        self.push_radio.setToolTip("Conversations are offered to agents automatically")
        self.pick_radio = QRadioButton("Pick")
        self.pick_radio.setObjectName("modePick")
        self.pick_radio.setToolTip("Conversations wait among open work items for an agent to pick")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.push_radio)
        self.mode_group.addButton(self.pick_radio)
        tab_to_checked(self.mode_group)
        mode_layout.addWidget(self.push_radio)
        mode_layout.addWidget(self.pick_radio)
        mode_layout.addStretch(1)
        self._row(distribution, "distribution_mode", mode_row)
        self._bind("distribution_mode", self.mode_group.buttonToggled,
                   lambda: "pick" if self.pick_radio.isChecked() else "push",
                   lambda v: (self.pick_radio if v == "pick" else self.push_radio).setChecked(True))

        self.notification_combo = QComboBox()
        self.notification_combo.setObjectName("notification")
        for value in NOTIFICATIONS:
            self.notification_combo.addItem(NOTIFICATION_LABELS[value], value)
        self.notification_combo.setMinimumWidth(260)
        self._row(distribution, "notification", self.notification_combo)
        self._bind("notification", self.notification_combo.currentIndexChanged, self.notification_combo.currentData,
                   lambda v: self.notification_combo.setCurrentIndex(self.notification_combo.findData(v)))

        self.timeout_combo = QComboBox()
        self.timeout_combo.setObjectName("screenPopTimeout")
        for seconds in SCREEN_POP_TIMEOUTS:
            self.timeout_combo.addItem(screen_pop_timeout_label(seconds), seconds)
        self.timeout_combo.setMinimumWidth(260)
        self._row(distribution, "screen_pop_timeout_s", self.timeout_combo,
                  hint="How long a screen pop waits for the agent (not used when the session opens directly).")
        self._bind("screen_pop_timeout_s", self.timeout_combo.currentIndexChanged, self.timeout_combo.currentData,
                   lambda v: self.timeout_combo.setCurrentIndex(self.timeout_combo.findData(v)))

        self.presences = MultiCheck([(b, BASE_PRESENCE_NAMES[b]) for b in BASE_PRESENCES])
        self.presences.setObjectName("allowedPresences")
        self._row(distribution, "allowed_presences", self.presences,
                  hint="Agents get work only while their presence is based on one of these.")
        self._bind("allowed_presences", self.presences.changed, self.presences.values, self.presences.set_values)

        self.assign_after_spin = SpinBox()
        self.assign_after_spin.setObjectName("assignAfterDecline")
        self.assign_after_spin.setRange(-MAX_INT32, MAX_INT32)
        self.assign_after_spin.setSuffix(" s")
        self.assign_after_spin.setMinimumWidth(140)
        self.assign_after_spin.setAccelerated(True)
        self._row(distribution, "assign_after_decline_s", self.assign_after_spin,
                  hint="Before the same agent may be offered the item again.")
        self._bind("assign_after_decline_s", self.assign_after_spin.valueChanged, self.assign_after_spin.value,
                   self.assign_after_spin.setValue)

        self.keep_agent_check = QCheckBox("Yes")
        self.keep_agent_check.setObjectName("keepSameAgent")
        self._row(distribution, "keep_same_agent", self.keep_agent_check)
        self._bind("keep_same_agent", self.keep_agent_check.toggled, self.keep_agent_check.isChecked,
                   self.keep_agent_check.setChecked)

        self.reconnect_spin = SpinBox()
        self.reconnect_spin.setObjectName("reconnectWindow")
        self.reconnect_spin.setRange(-MAX_INT32, MAX_INT32)  # out of range is refused inline, never clamped
        self.reconnect_spin.setSuffix(" s")
        self.reconnect_spin.setMinimumWidth(140)
        self.reconnect_spin.setAccelerated(True)
        self._row(distribution, "reconnect_window_s", self.reconnect_spin,
                  hint=f"With Keep same agent: a returning conversation goes back to its last agent within "
                       f"this many seconds (at most {MAX_RECONNECT_WINDOW_S:,}). 0 = no reconnect.")
        self._bind("reconnect_window_s", self.reconnect_spin.valueChanged, self.reconnect_spin.value,
                   self.reconnect_spin.setValue)

        self.wrap_up_edit = DurationEdit(MAX_WRAP_UP_BLOCK_S, zero_text="Not blocked", with_seconds=True)
        self.wrap_up_edit.setObjectName("wrapUpBlock")
        self._row(distribution, "wrap_up_block_s", self.wrap_up_edit,
                  hint="Capacity stays in use this long after a conversation ends (at most 12 hours).")
        self._bind("wrap_up_block_s", self.wrap_up_edit.valueChanged, self.wrap_up_edit.value,
                   self.wrap_up_edit.setValue)

        self.default_queue_combo = LookupCombo(self.services.names("queues"), none_text="(none)")
        self.default_queue_combo.setObjectName("defaultQueue")
        self.default_queue_combo.setMinimumWidth(260)
        attach_queue_quick_create(self.default_queue_combo, self.services, self, self._queue_kind)
        self._row(distribution, "default_queue", self.default_queue_combo, required=False,
                  hint="Where conversations go when no routing rule matches. An active stream needs one.")
        self._bind("default_queue", self.default_queue_combo.nameChanged, self.default_queue_combo.current_name,
                   self.default_queue_combo.set_current_name)
        outer.addWidget(self._form_box(distribution))
        outer.addSpacing(14)

        # ---------------------------------------------------- Skills and notifications (document version 2)
        outer.addWidget(self._section("Skills and notifications"))
        skills = self._form()
        self.skill_matching_combo = QComboBox()
        self.skill_matching_combo.setObjectName("skillMatching")
        for value in ("none", "exact", "closest"):
            self.skill_matching_combo.addItem(SKILL_MATCHING_LABELS[value], value)
        self.skill_matching_combo.setMinimumWidth(260)
        self._row(skills, "skill_matching", self.skill_matching_combo,
                  hint="How the skills a classification rule attaches choose agents.")
        self._bind("skill_matching", self.skill_matching_combo.currentIndexChanged,
                   self.skill_matching_combo.currentData,
                   lambda v: self.skill_matching_combo.setCurrentIndex(self.skill_matching_combo.findData(v)))

        self.missed_presence_combo = _name_combo(self.catalogue.presences, none_text="Presence unchanged")
        self.missed_presence_combo.setObjectName("missedNotificationPresence")
        self.missed_presence_combo.setMinimumWidth(260)
        self._row(skills, "missed_notification_presence", self.missed_presence_combo,
                  hint="The presence an agent is put in when a notification expires unanswered.")
        self._bind("missed_notification_presence", self.missed_presence_combo.currentIndexChanged,
                   self.missed_presence_combo.currentData,
                   functools.partial(_set_name_combo, self.missed_presence_combo))

        self.decline_reasons_edit = DeclineReasonsEdit()
        self.decline_reasons_edit.setObjectName("declineReasonsEdit")
        self.decline_reasons_edit.setMinimumWidth(FIELD_MAX_WIDTH)
        self._row(skills, "decline_reasons", self.decline_reasons_edit,
                  hint="Optional: an agent who declines picks one of these, in this order.")
        self._bindings["decline_reasons"] = (self.decline_reasons_edit.values, self.decline_reasons_edit.set_values)
        reasons = self.decline_reasons_edit
        reasons.addRequested.connect(lambda text: self._push_edit(self.stream.add_decline_reason(text)))
        reasons.renameRequested.connect(lambda row, text: self._push_edit(self.stream.rename_decline_reason(row, text)))
        reasons.deleteRequested.connect(lambda row: self._push_edit(self.stream.delete_decline_reason(row)))
        reasons.moveRequested.connect(lambda row, delta: self._push_edit(self.stream.move_decline_reason(row, delta)))
        outer.addWidget(self._form_box(skills))
        outer.addStretch(1)
        return scroll

    def _push_edit(self, edit: Edit | None) -> None:
        if edit is None:
            return
        keys = edit.keys if isinstance(edit, SetFields) else (edit.key,) if isinstance(edit, SetField) else ()
        self._touched.update(keys)
        self.undo_stack.push(DraftCommand(self.stream, edit))

    def _capacity_format_toggled(self, _button, checked: bool) -> None:
        if self._loading or not checked:
            return
        capacity_format = self._bindings["capacity_format"][0]()
        profile = self.profile_combo.currentData() or next(iter(self.catalogue.profiles), None)
        self._push_edit(self.stream.set_capacity_format(capacity_format, profile))

    def _queue_kind(self) -> str:
        return "records" if self._draft.get("channel") == "entity_records" else "messaging"

    # ================================================================== tab 2
    def _button(self, text: str, name: str, tip: str, handler: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)  # never squeezed under a neighbour
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(handler)
        return button

    def _build_variables_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("contextVariablesPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(hint_label("Context variables carry values from the conversation (a pre-chat answer, "
                                    "a CRM field) for routing rules to compare."))
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.new_variable_button = self._button("New", "newVariable", "New context variable (Insert)",
                                                self.new_variable)
        self.edit_variable_button = self._button("Edit", "editVariable", "Edit the selected variable (Enter)",
                                                 self.edit_variable)
        self.delete_variable_button = self._button("Delete", "deleteVariable", "Delete the selected variable (Delete)",
                                                   self.delete_variable)
        for button in (self.new_variable_button, self.edit_variable_button, self.delete_variable_button):
            bar.addWidget(button)
        # Variables keep the user's order (issue 10): the trial pane and Burst list them so.
        self.move_variable_up_button, self.move_variable_down_button = self._arrow_buttons(
            "moveVariable", "variable", lambda delta: self.move_variable(delta), "earlier in the list")
        bar.addSpacing(12)
        bar.addWidget(self.move_variable_up_button)
        bar.addWidget(self.move_variable_down_button)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.variables_stack = QStackedWidget()
        self.variables_view = _table(page, "variablesTable")
        self.variables_view.setModel(self.variables_model)
        self.variables_empty_label = QLabel("No context variables yet. Click New to add one; "
                                            "routing rules compare them.")
        self.variables_empty_label.setObjectName("emptyState")
        self.variables_empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.variables_empty_label.setWordWrap(True)
        self.variables_stack.addWidget(self.variables_view)
        self.variables_stack.addWidget(self.variables_empty_label)
        layout.addWidget(self.variables_stack, 1)
        self.variables_error = ErrorLabel()
        self.variables_error.setObjectName("variablesErrors")
        layout.addWidget(self.variables_error)

        self.variables_view.activated.connect(lambda _i: self.edit_variable())
        self.variables_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        _TableKeys(self.variables_view, {"new": self.new_variable, "edit": self.edit_variable,
                                         "delete": self.delete_variable, "up": lambda: self.move_variable(-1),
                                         "down": lambda: self.move_variable(1)})
        _fit_columns(self.variables_view, stretch=0, elide=(0, 1))
        return page

    def _arrow_buttons(self, name: str, what: str, move: Callable[[int], Any],
                       earlier: str = "evaluated earlier") -> tuple[QPushButton, QPushButton]:
        """Move up / Move down as arrows, named in their tooltips and accessible names."""
        later = earlier.replace("earlier", "later")
        up = self._button("", f"{name}Up", f"Move up: the selected {what} {earlier} (Alt+Up)", lambda: move(-1))
        up.setIcon(icon("chevron-up"))
        up.setAccessibleName("Move up")
        down = self._button("", f"{name}Down", f"Move down: the selected {what} {later} (Alt+Down)", lambda: move(1))
        down.setIcon(icon("chevron-down"))
        down.setAccessibleName("Move down")
        for arrow in (up, down):
            arrow.setProperty("role", "icon")
        return up, down

    # ================================================================== tab 3
    def _build_rules_tab(self) -> QWidget:
        left = QWidget()
        left.setObjectName("routingRulesPage")
        layout = QVBoxLayout(left)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(hint_label("Rules are evaluated top to bottom; the first whose condition is true sends "
                                    "the conversation to its queue."))
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.new_rule_button = self._button("New", "newRule", "New routing rule item (Insert)", self.new_rule)
        self.edit_rule_button = self._button("Edit", "editRule", "Edit the selected rule (Enter)", self.edit_rule)
        self.delete_rule_button = self._button("Delete", "deleteRule", "Delete the selected rule (Delete)",
                                               self.delete_rule)
        # Up and Down are arrows (named in their tooltips and accessible names): the bar must fit a
        # 1024-pixel screen beside the Test routing pane, and no button may be squeezed under another.
        self.move_up_button = self._button("", "moveRuleUp", "Move up: evaluate the selected rule earlier (Alt+Up)",
                                           lambda: self.move_rule(-1))
        self.move_up_button.setIcon(icon("chevron-up"))
        self.move_up_button.setAccessibleName("Move up")
        self.move_down_button = self._button("", "moveRuleDown",
                                             "Move down: evaluate the selected rule later (Alt+Down)",
                                             lambda: self.move_rule(1))
        self.move_down_button.setIcon(icon("chevron-down"))
        self.move_down_button.setAccessibleName("Move down")
        for arrow in (self.move_up_button, self.move_down_button):
            arrow.setProperty("role", "icon")
        for button in (self.new_rule_button, self.edit_rule_button, self.delete_rule_button):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.move_up_button)
        bar.addWidget(self.move_down_button)
        bar.addStretch(1)
        for button in (self.new_rule_button, self.edit_rule_button, self.delete_rule_button,
                       self.move_up_button, self.move_down_button):
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)  # never below its text
        from ui.workstreams.side_pane import ICON_BUTTON_QSS, CompactingRow, PaneToggleButton, SidePaneSplitter

        self.test_routing_toggle = PaneToggleButton("Test routing")
        self.test_routing_toggle.setObjectName("testRoutingToggle")
        self.test_routing_toggle.setToolTip(f"Show or hide the Test routing pane ({_native_keys('test_routing')})")
        self.test_routing_toggle.clicked.connect(self._test_routing_toggled)
        bar.addWidget(self.test_routing_toggle)
        layout.addLayout(bar)
        self.rules_button_row = CompactingRow(left, bar, [self.new_rule_button, self.edit_rule_button,
                                                          self.delete_rule_button], self.test_routing_toggle)
        for arrow in (self.move_up_button, self.move_down_button):
            arrow.setStyleSheet(ICON_BUTTON_QSS)  # a compact row squeezed them to 20 px, half their icon

        self.rules_stack = QStackedWidget()
        self.rules_view = _table(left, "rulesTable")
        self.rules_view.setModel(self.rules_model)
        self.rules_view.setDragEnabled(True)
        self.rules_view.setAcceptDrops(True)
        self.rules_view.setDropIndicatorShown(True)
        self.rules_view.setDragDropOverwriteMode(False)
        self.rules_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.rules_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.rules_view.horizontalHeader().moveSection(RulesModel.ORDER, 0)  # Order shows first
        # At RULES_READABLE_WIDTH (beside the Test routing pane at 1280 px, alone at 1024) a 25-letter
        # name shows whole and the condition keeps 200 px.
        _fit_columns(self.rules_view, stretch=RulesModel.CONDITION, elide=(RulesModel.NAME, RulesModel.QUEUE),
                     shares={RulesModel.NAME: 0.35, RulesModel.QUEUE: 0.22})
        self.rules_empty_label = QLabel("No routing rule items yet: every conversation goes to the default queue. "
                                        "Click New to add one.")
        self.rules_empty_label.setObjectName("emptyState")
        self.rules_empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rules_empty_label.setWordWrap(True)
        self.rules_stack.addWidget(self.rules_view)
        self.rules_stack.addWidget(self.rules_empty_label)
        layout.addWidget(self.rules_stack, 1)
        self.rules_error = ErrorLabel()
        self.rules_error.setObjectName("rulesErrors")
        layout.addWidget(self.rules_error)
        self.default_queue_note = hint_label("")
        self.default_queue_note.setObjectName("defaultQueueNote")
        layout.addWidget(self.default_queue_note)
        from ui.doctor.rule_marks import attach_rule_marks  # the configuration doctor's marks (its own room)
        self.doctor_marks = attach_rule_marks(self, layout)

        self.routing_side_panel = QWidget()
        self.routing_side_panel.setObjectName("routingSidePanel")
        # Its fields and "Test | Save as test case…" fit; beside the rules' row of buttons at 1024 px.
        self.routing_side_panel.setMinimumWidth(TEST_ROUTING_MIN_WIDTH)
        self.routing_side_panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        side_layout = QVBoxLayout(self.routing_side_panel)
        side_layout.setContentsMargins(8, 10, 8, 8)
        side_layout.setSpacing(8)
        splitter = SidePaneSplitter(left, self.routing_side_panel, main_needs=RULES_READABLE_WIDTH,
                                    settings_group=TEST_ROUTING_SETTINGS)
        splitter.setObjectName("routingSplitter")
        splitter.paneShownChanged.connect(self.test_routing_toggle.setChecked)
        self.test_routing_toggle.setChecked(splitter.pane_shown())
        self.routing_splitter = splitter
        shortcut = QShortcut(QKeySequence(TABLE_KEYS["test_routing"][1][0]), splitter)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # only while the tab shows: a hidden widget's keys sleep
        shortcut.activated.connect(self.test_routing_toggle.click)

        self.rules_view.activated.connect(lambda _i: self.edit_rule())
        self.rules_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        _TableKeys(self.rules_view, {"new": self.new_rule, "edit": self.edit_rule, "delete": self.delete_rule,
                                     "up": lambda: self.move_rule(-1), "down": lambda: self.move_rule(1)})
        return splitter

    # ================================================================== tab 4
    def _build_classification_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("classificationRulesPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 10, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(hint_label("Classification rules are evaluated top to bottom; the first whose condition is "
                                    "true attaches its required skills to the conversation. Skill matching on "
                                    "Work distribution says how those skills choose agents."))
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.new_classification_button = self._button("New", "newClassificationRule",
                                                       "New classification rule (Insert)", self.new_classification_rule)
        self.edit_classification_button = self._button("Edit", "editClassificationRule",
                                                        "Edit the selected classification rule (Enter)",
                                                        self.edit_classification_rule)
        self.delete_classification_button = self._button("Delete", "deleteClassificationRule",
                                                          "Delete the selected classification rule (Delete)",
                                                          self.delete_classification_rule)
        self.move_classification_up_button, self.move_classification_down_button = self._arrow_buttons(
            "moveClassificationRule", "rule", lambda delta: self.move_classification_rule(delta))
        for button in (self.new_classification_button, self.edit_classification_button,
                       self.delete_classification_button):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.move_classification_up_button)
        bar.addWidget(self.move_classification_down_button)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.classification_stack = QStackedWidget()
        self.classification_view = _table(page, "classificationTable")
        self.classification_view.setModel(self.classification_model)
        self.classification_view.setDragEnabled(True)
        self.classification_view.setAcceptDrops(True)
        self.classification_view.setDropIndicatorShown(True)
        self.classification_view.setDragDropOverwriteMode(False)
        self.classification_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.classification_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.classification_view.horizontalHeader().moveSection(ClassificationRulesModel.ORDER, 0)
        _fit_columns(self.classification_view, stretch=ClassificationRulesModel.CONDITION,
                     elide=(ClassificationRulesModel.NAME, ClassificationRulesModel.SKILLS))
        no_skills = "" if self.catalogue.skills else " There are no skills yet: add them in the Skills view first."
        self.classification_empty_label = QLabel("No classification rules yet: conversations get no required "
                                                 "skills. Click New to add one." + no_skills)
        self.classification_empty_label.setObjectName("emptyState")
        self.classification_empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.classification_empty_label.setWordWrap(True)
        self.classification_stack.addWidget(self.classification_view)
        self.classification_stack.addWidget(self.classification_empty_label)
        layout.addWidget(self.classification_stack, 1)
        self.classification_error = ErrorLabel()
        self.classification_error.setObjectName("classificationErrors")
        layout.addWidget(self.classification_error)

        self.classification_view.activated.connect(lambda _i: self.edit_classification_rule())
        self.classification_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        _TableKeys(self.classification_view, {
            "new": self.new_classification_rule, "edit": self.edit_classification_rule,
            "delete": self.delete_classification_rule, "up": lambda: self.move_classification_rule(-1),
            "down": lambda: self.move_classification_rule(1)})
        return page

    # ================================================================== fields
    def _populate(self) -> None:
        self._loading = True
        try:
            for key, (_getter, setter) in self._bindings.items():
                setter(self._draft.get(key))
        finally:
            self._loading = False
        self.channel_combo.setEnabled(self._id is None)
        self.channel_combo.setToolTip("" if self._id is None else
                                      "The channel of a work stream cannot change after it is created.")
        self._update_dependent_fields()
        self._update_status()
        self._refresh_errors()

    def _widget_changed(self, key: str, *_args: Any) -> None:
        if self._loading:
            return
        getter = self._bindings[key][0]
        edit = self.stream.set_field(key, getter(), FIELD_LABELS.get(key, key))
        if edit is None:
            return
        self._touched.add(key)
        self.undo_stack.push(DraftCommand(self.stream, edit))

    # ---------------------------------------------------------------- the draft's listener
    def draft_changing(self, change: Edit) -> None:
        """Before the draft changes: the table models announce the rows that will move."""
        if isinstance(change, AddItem):
            self._model(change.kind).begin_insert(change.row)
        elif isinstance(change, DeleteItem):
            self._model(change.kind).begin_remove(change.row)
        elif isinstance(change, MoveRules):
            self._model(change.kind).begin_move(change.source, change.count, change.destination)

    def draft_changed(self, change: Edit) -> None:
        """After the draft changed: models, widgets and problems follow."""
        if isinstance(change, SetField):
            self._show_field(change.key, change.new)
        elif isinstance(change, SetFields):
            for key, value in zip(change.keys, change.new):
                self._show_field(key, value)
        elif isinstance(change, AddItem):
            self._model(change.kind).end_insert()
            self._list_changed(change.kind, select=change.row)
        elif isinstance(change, DeleteItem):
            model = self._model(change.kind)
            model.end_remove()
            self._list_changed(change.kind, select=min(change.row, model.rowCount() - 1))
        elif isinstance(change, ReplaceItem):
            self._model(change.kind).rows_replaced(change.row, change.row)
            if change.new_rules is not None:
                self.rules_model.rows_replaced(0, self.rules_model.rowCount() - 1)
            if change.new_classification is not None:  # the list object was replaced: the model follows it
                self.classification_model.set_rows(self.stream.classification_rules)
            self._list_changed(change.kind, select=change.row)
        elif isinstance(change, MoveRules):
            self._model(change.kind).end_move()
            self._list_changed(change.kind, select=change.landing())

    def _show_field(self, key: str, value: Any) -> None:
        getter, setter = self._bindings[key]
        if getter() != value:
            self._loading = True
            try:
                setter(value)
            finally:
                self._loading = False
        self._server_issues = [i for i in self._server_issues if _top_key(i.path) != key]
        self._update_dependent_fields()
        self._refresh_errors()

    def _update_dependent_fields(self) -> None:
        direct = self._draft.get("notification") == "direct_open"
        self.timeout_combo.setEnabled(not direct)
        self.timeout_combo.setToolTip("Not used: the session opens directly" if direct else "")
        by_profile = self._draft.get("capacity_format") == "profile"
        self.capacity_spin.setEnabled(not by_profile)
        self.capacity_spin.setToolTip("Not used: the stream's capacity is its profile" if by_profile else "")
        self.profile_combo.setEnabled(by_profile)
        self.profile_combo.setToolTip("" if by_profile else "Not used: the stream's capacity is in units")
        keep = bool(self._draft.get("keep_same_agent"))
        self.reconnect_spin.setEnabled(keep)
        self.reconnect_spin.setToolTip("" if keep else "Used only with Keep same agent")
        queue = self._draft.get("default_queue")
        self.default_queue_note.setText(
            f"When no rule matches, the conversation goes to the default queue, {queue}." if queue else
            "When no rule matches, the conversation goes to the default queue (none chosen yet: see Work distribution).")

    def _update_status(self) -> None:
        active = bool(self._draft.get("active"))
        self.status_label.setText("Active" if active else "Inactive")
        self.status_label.setProperty("active", "true" if active else "false")
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)

    # ================================================================== lists
    def _model(self, kind: str) -> VariablesModel | RulesModel:
        return {"variables": self.variables_model, "rules": self.rules_model,
                "classification": self.classification_model}[kind]

    def _view(self, kind: str) -> QTableView:
        return {"variables": self.variables_view, "rules": self.rules_view,
                "classification": self.classification_view}[kind]

    def _list_changed(self, kind: str, select: int | None = None) -> None:
        prefix = LIST_KINDS[kind][0]
        self._server_issues = [i for i in self._server_issues if _top_key(i.path) != prefix]
        if kind == "variables":
            self.rules_model.refresh_rendering()
            self.classification_model.refresh_rendering()
            self.variables_stack.setCurrentIndex(0 if self.variables_model.rowCount() else 1)
        elif kind == "rules":
            self.rules_stack.setCurrentIndex(0 if self.rules_model.rowCount() else 1)
        else:
            self.classification_stack.setCurrentIndex(0 if self.classification_model.rowCount() else 1)
        if select is not None and select >= 0:
            self._select(kind, select)
        self._update_buttons()
        self._refresh_errors()

    def _select(self, kind: str, row: int) -> None:
        view, model = self._view(kind), self._model(kind)
        if not 0 <= row < model.rowCount():
            return
        index = model.index(row, 0)
        view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        view.scrollTo(index)

    def selected_row(self, kind: str) -> int | None:
        rows = self._view(kind).selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        current = self._view(kind).currentIndex()
        return current.row() if current.isValid() and self._view(kind).selectionModel().isSelected(current) else None

    def _update_buttons(self) -> None:
        variable = self.selected_row("variables")
        self.edit_variable_button.setEnabled(variable is not None)
        self.delete_variable_button.setEnabled(variable is not None)
        self.move_variable_up_button.setEnabled(variable is not None and variable > 0)
        self.move_variable_down_button.setEnabled(variable is not None
                                                  and variable < self.variables_model.rowCount() - 1)
        classification = self.selected_row("classification")
        self.edit_classification_button.setEnabled(classification is not None)
        self.delete_classification_button.setEnabled(classification is not None)
        self.move_classification_up_button.setEnabled(classification is not None and classification > 0)
        self.move_classification_down_button.setEnabled(
            classification is not None and classification < self.classification_model.rowCount() - 1)
        rule = self.selected_row("rules")
        self.edit_rule_button.setEnabled(rule is not None)
        self.delete_rule_button.setEnabled(rule is not None)
        self.move_up_button.setEnabled(rule is not None and rule > 0)
        self.move_down_button.setEnabled(rule is not None and rule < self.rules_model.rowCount() - 1)

    def _open_dialog(self, dialog: QWidget, on_accept: Callable[[], None]) -> None:
        self.current_dialog = dialog
        dialog.accepted.connect(on_accept)

        def finished(_result: int) -> None:
            if self.current_dialog is dialog:
                self.current_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    # ---------------------------------------------------------------- variables
    def new_variable(self) -> None:
        dialog = VariableDialog(self.variables_model.names(), parent=self)
        self._open_dialog(dialog, lambda: self._add_variable(dialog.value()))

    def _add_variable(self, variable: dict) -> None:
        self.undo_stack.push(DraftCommand(self.stream, self.stream.add_variable(variable)))

    def edit_variable(self) -> None:
        row = self.selected_row("variables")
        if row is None:
            return
        variable = self.variables_model.item(row)
        taken = [n for i, n in enumerate(self.variables_model.names()) if i != row]
        used_by = rules_using_variable(self.rules_model.rows() + self.classification_model.rows(), variable["name"])
        dialog = VariableDialog(taken, variable, used_by, parent=self)
        self._open_dialog(dialog, lambda: self._edit_variable(row, dialog.value()))

    def _edit_variable(self, row: int, new: dict) -> None:
        try:
            edit = self.stream.edit_variable(row, new)
        except EditRefused as refused:
            messages.error(self, "Type cannot change", str(refused))
            return
        if edit is not None:
            self.undo_stack.push(DraftCommand(self.stream, edit))

    def delete_variable(self) -> None:
        row = self.selected_row("variables")
        if row is None:
            return
        try:
            edit = self.stream.delete_variable(row)
        except EditRefused as refused:
            messages.error(self, "Variable in use", str(refused))
            return
        self.undo_stack.push(DraftCommand(self.stream, edit))

    def move_variable(self, delta: int) -> bool:
        row = self.selected_row("variables")
        return row is not None and self._push_list_edit(self.stream.move_variable(row, delta))

    def _push_list_edit(self, edit: Edit | None) -> bool:
        if edit is None:
            return False
        self.undo_stack.push(DraftCommand(self.stream, edit))
        return True

    # ---------------------------------------------------------------- classification rules
    def _classification_dialog(self, rule: dict | None) -> ClassificationRuleDialog:
        return ClassificationRuleDialog(self.catalogue, list(self.variables_model.rows()), rule, self)

    def new_classification_rule(self) -> None:
        dialog = self._classification_dialog(None)
        self._open_dialog(dialog, lambda: self._push_list_edit(self.stream.add_classification_rule(dialog.rule())))

    def edit_classification_rule(self) -> None:
        row = self.selected_row("classification")
        if row is None:
            return
        dialog = self._classification_dialog(self.classification_model.item(row))
        self._open_dialog(dialog, lambda: self._push_list_edit(
            self.stream.edit_classification_rule(row, dialog.rule())))

    def delete_classification_rule(self) -> None:
        row = self.selected_row("classification")
        if row is not None:
            self._push_list_edit(self.stream.delete_classification_rule(row))

    def move_classification_rule(self, delta: int) -> bool:
        row = self.selected_row("classification")
        return row is not None and self._push_list_edit(self.stream.move_rule(row, delta, "classification"))

    # ---------------------------------------------------------------- rules
    def _rule_dialog(self, rule: dict | None) -> RuleEditorDialog:
        return RuleEditorDialog(self.services, list(self.variables_model.rows()), rule, self._queue_kind(), self)

    def new_rule(self) -> None:
        dialog = self._rule_dialog(None)
        self._open_dialog(dialog, lambda: self._add_rule(dialog.rule()))

    def _add_rule(self, rule: dict) -> None:
        self.undo_stack.push(DraftCommand(self.stream, self.stream.add_rule(rule)))

    def edit_rule(self) -> None:
        row = self.selected_row("rules")
        if row is None:
            return
        dialog = self._rule_dialog(self.rules_model.item(row))
        self._open_dialog(dialog, lambda: self._edit_rule(row, dialog.rule()))

    def _edit_rule(self, row: int, new: dict) -> None:
        edit = self.stream.edit_rule(row, new)
        if edit is not None:
            self.undo_stack.push(DraftCommand(self.stream, edit))

    def delete_rule(self) -> None:
        row = self.selected_row("rules")
        if row is None:
            return
        self.undo_stack.push(DraftCommand(self.stream, self.stream.delete_rule(row)))

    def move_rule(self, delta: int) -> bool:
        row = self.selected_row("rules")
        if row is None:
            return False
        edit = self.stream.move_rule(row, delta)
        if edit is None:
            return False
        self.undo_stack.push(DraftCommand(self.stream, edit))
        return True

    def _push_move(self, source: int, count: int, destination: int, kind: str = "rules") -> bool:
        """A drag in a rules table (the model's moveRows)."""
        edit = self.stream.move_rules(source, count, destination, kind)
        if edit is None:
            return False
        self.undo_stack.push(DraftCommand(self.stream, edit))
        return True

    # ================================================================== errors
    def _client_problems(self) -> dict[str, str]:
        """The document's validation of the draft (WorkStreamDraft.problems), worded for the form, by path."""
        problems: dict[str, str] = {}
        for issue in self.stream.problems(catalogue=self.catalogue):
            problems.setdefault(issue.path, self._form_message(issue))
        return problems

    def _form_message(self, issue: Issue) -> str:
        """A document problem said the way the form says it (the form has a field where the document has a path)."""
        if issue.path == "name":
            name = self._draft.get("name", "").strip()
            if not name:
                return "Enter a name."
            if len(name) > NAME_MAX:
                return f"A name has at most {NAME_MAX} characters (this one has {len(name)})."
        if issue.path.startswith("allowed_presences") and not self._draft.get("allowed_presences"):
            return "Choose at least one presence."
        if issue.message.startswith("Input should be greater than or equal to 0"):
            return "Enter 0 or more: it can't be negative."
        return _sentence(issue.message)

    def issues(self) -> list[Issue]:
        """Every problem shown now: the client's checks, then the service's, in form order."""
        client = {path: message for path, message in self._client_problems().items()
                  if _top_key(path) in self._touched or self._save_attempted}
        found = [Issue(k, m) for k, m in client.items()]
        found += [i for i in self._server_issues if i.path not in client]

        def order(issue: Issue) -> tuple:
            match = _LIST_PATH.match(issue.path)
            if match:
                return (LIST_KINDS[KIND_OF_KEY[match.group(1)]][1], int(match.group(2)), issue.path)
            top = _top_key(issue.path)
            return (0, FIELD_ORDER.index(top) if top in FIELD_ORDER else len(FIELD_ORDER), issue.path)

        return sorted(found, key=order)

    @staticmethod
    def _issue_tab(issue: Issue) -> int:
        match = _LIST_PATH.match(issue.path)
        if match:
            return LIST_KINDS[KIND_OF_KEY[match.group(1)]][1]
        return 0

    def _describe(self, issue: Issue) -> str:
        match = _LIST_PATH.match(issue.path)
        if match:
            kind, row, rest = match.group(1), int(match.group(2)), match.group(3)
            model = self._model(KIND_OF_KEY[kind])
            what = {"context_variables": "Variable", "routing_rules": "Rule",
                    "classification_rules": "Classification rule"}[kind]
            name = model.item(row).get("display_name" if kind == "context_variables" else "name", "") \
                if row < model.rowCount() else ""
            where = f" ({rest.replace('_', ' ')})" if rest else ""
            return f"{what} {row + 1} '{name}'{where}: {_sentence(issue.message)}"
        top = _top_key(issue.path)
        label = FIELD_LABELS.get(top, issue.path or "Work stream")
        return f"{label}: {_sentence(issue.message)}"

    def _refresh_errors(self) -> None:
        issues = self.issues()
        per_field: dict[str, str] = {}
        rows: dict[str, dict[int, list[str]]] = {key: {} for key, _tab in LIST_KINDS.values()}
        lists: dict[str, list[str]] = {key: [] for key, _tab in LIST_KINDS.values()}
        other: list[str] = []
        for issue in issues:
            match = _LIST_PATH.match(issue.path)
            if match:
                rows[match.group(1)].setdefault(int(match.group(2)), []).append(_sentence(issue.message))
                lists[match.group(1)].append(self._describe(issue))
                continue
            top = _top_key(issue.path)
            if top in self._field_errors:
                per_field.setdefault(top, _sentence(issue.message))
            else:
                other.append(self._describe(issue))
        for key, label in self._field_errors.items():
            label.show_message(per_field.get(key))
            widget = self._field_widgets[key]
            if widget.property("invalid") != (key in per_field):
                widget.setProperty("invalid", key in per_field)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self.variables_model.set_row_errors(rows["context_variables"])
        self.rules_model.set_row_errors(rows["routing_rules"])
        self.classification_model.set_row_errors(rows["classification_rules"])
        self.variables_error.show_message("\n".join(lists["context_variables"]) or None)
        self.rules_error.show_message("\n".join(lists["routing_rules"]) or None)
        self.classification_error.show_message("\n".join(lists["classification_rules"]) or None)

        counts = [0] * len(TAB_NAMES)
        for issue in issues:
            counts[self._issue_tab(issue)] += 1
        for tab, count in enumerate(counts):
            self.tabs.setTabIcon(tab, error_dot_icon() if count else QIcon())
            self.tabs.setTabToolTip(tab, f"{count} problem{'s' if count != 1 else ''} to fix" if count else "")

        if self._save_attempted and issues:
            count = len(issues)
            text = (f"Not saved: {count} problem{'s' if count != 1 else ''} to fix. "
                    f"First: {self._describe(issues[0])}")
            if other:
                text += "\n" + "\n".join(other)
            self.summary_label.setText(text)
            self.summary_label.setVisible(True)
        else:
            self.summary_label.setVisible(False)

    def _focus_first_issue(self) -> None:
        issues = self.issues()
        if not issues:
            return
        issue = issues[0]
        tab = self._issue_tab(issue)
        self.tabs.setCurrentIndex(tab)
        match = _LIST_PATH.match(issue.path)
        if match:
            kind = KIND_OF_KEY[match.group(1)]
            self._select(kind, int(match.group(2)))
            self._view(kind).setFocus()
            return
        widget = self._field_widgets.get(_top_key(issue.path))
        if widget is not None:
            target = widget
            if isinstance(widget, DurationEdit):
                target = widget.boxes()[0]
            elif isinstance(widget, MultiCheck):
                target = widget.box(BASE_PRESENCES[0])
            target.setFocus()

    # ================================================================== saving
    def _draft_for_save(self) -> dict:
        return self.stream.for_save()

    def _after_save(self, saved) -> None:
        self._id = saved.id
        stored = saved.doc if saved.doc is not None else self.services.load_workstream(saved.id).doc
        self._version = saved.version
        self._adopt_ids(stored.model_dump())
        self._saved_name = stored.name
        self._server_issues, self._save_attempted, self._touched = [], False, set()
        self.undo_stack.setClean()
        self.channel_combo.setEnabled(False)
        self.channel_combo.setToolTip("The channel of a work stream cannot change after it is created.")
        self._update_status()
        self._refresh_errors()
        self.titleChanged.emit(self.title())
        self.saved.emit(saved.id)
        self._retest_timer.stop()  # the retest an edit scheduled: done now, once
        self._retest()  # a first save gives the stream an id, and with it saved test cases

    def _adopt_ids(self, stored: dict) -> None:
        """Give new variables, rules and channels the ids the database gave them (in place)."""
        self._draft["id"] = stored["id"]
        by_name = {v["name"].casefold(): v["id"] for v in stored["context_variables"]}
        for variable in self._draft["context_variables"]:
            variable["id"] = by_name.get(variable["name"].casefold(), variable.get("id"))
        for key in ("routing_rules", "classification_rules"):
            if len(stored.get(key) or []) == len(self._draft.get(key) or []):
                for rule, stored_rule in zip(self._draft.get(key) or [], stored.get(key) or []):
                    rule["id"] = stored_rule["id"]
        channels = {c["name"].casefold(): c["id"] for c in stored["channels"]}
        for channel in self._draft.get("channels", []):
            channel["id"] = channels.get(channel["name"].casefold(), channel.get("id"))


__all__ = ["WorkStreamEditor", "TAB_NAMES", "NEW_TITLE"]
