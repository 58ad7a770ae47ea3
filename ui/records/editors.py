"""Dialogs for the records: queues, agents, presences, channels, rating models, skills, capacity profiles.

Each dialog loads its record through ``Services``, and on OK saves it with the
version it loaded.  Problems stay inside the dialog: a ``DocumentInvalid``
puts each issue's message in a red label right under the field its path names
(``name``, ``agents[0]`` -> the members list), and everything typed is kept.
A newer version in the database shows both versions side by side and asks Keep
mine / Take theirs (``ui.common.messages.conflict``); Keep mine saves against the
version it showed, as the work stream editor does, so nothing saved meanwhile is
overwritten unseen.  OK is disabled while a required field is empty.

The dialogs never block the caller: the main window opens them with
``open()`` and listens to ``saved``.
"""
from __future__ import annotations

import re
from typing import Iterable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.routing.conditions import Issue
from app.common.errors import ConflictError, DocumentInvalid, NotFound, UserError
from models.choices import (
    BASE_PRESENCE_NAMES,
    BASE_PRESENCES,
    CHANNEL_KIND_FOR,
    CHANNEL_KIND_LABELS,
    CHANNEL_LABELS,
    DESCRIPTION_MAX,
    DEFAULT_WORK_ITEM_LIMIT,
    MAX_INT32,
    MAX_RATING_VALUES,
    MAX_WORK_ITEM_LIMIT,
    NAME_MAX,
    PRESENCE_TEXT_MAX,
    ASSIGNMENT_METHOD_LABELS,
    ASSIGNMENT_METHODS,
    DEFAULT_QUEUE_PRIORITY,
    MAX_QUEUE_PRIORITY,
    QUEUE_KIND_LABELS,
    QUEUE_KINDS,
)
from ui.common import messages
from ui.common.spin_boxes import SpinBox

GENERAL = ""  # issues without a field of their own
# The record dialogs' own keys (Help > Keyboard shortcuts lists them): what -> keys.
DIALOG_KEYS = {"save": ("Save, also from a multi-line field", ("Ctrl+Return",)),
               "tabs": ("Next / previous tab", ("Ctrl+Tab", "Ctrl+Shift+Tab"))}


def field_key(path: str) -> str:
    """The form field an issue path belongs to: 'agents[0]' -> 'agents', 'name' -> 'name'."""
    match = re.match(r"[A-Za-z_]+", path or "")
    return match.group(0) if match else GENERAL


def error_label() -> QLabel:
    """A red label for a field's problems that keeps one line's room while hidden: nothing jumps."""
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setMinimumHeight(label.fontMetrics().lineSpacing())
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.hide()
    return label


class CheckList(QListWidget):
    """A list of names with a check box each."""

    changed = Signal()
    max_rows = 7  # rows shown before it scrolls

    def __init__(self, names: Iterable[str] = (), parent=None):
        super().__init__(parent)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setMinimumHeight(96)
        self.itemChanged.connect(self._item_changed)
        self.set_names(names)

    def _item_changed(self, _item: QListWidgetItem) -> None:
        self.changed.emit()

    def set_names(self, names: Iterable[str]) -> None:
        checked = set(self.checked())
        self.blockSignals(True)
        self.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)
        self.changed.emit()

    def sizeHint(self):
        hint = super().sizeHint()
        rows = min(max(self.count(), 3), self.max_rows)
        row_height = max(self.sizeHintForRow(0) if self.count() else 0, self.fontMetrics().height() + 10)
        frame = 2 * self.frameWidth() + 16
        hint.setHeight(rows * row_height + frame)
        return hint

    def names(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def checked(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, names: Iterable[str]) -> None:
        wanted = {n.casefold() for n in names}
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text().casefold() in wanted else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self.changed.emit()

    def set_item_checked(self, name: str, checked: bool = True) -> None:
        for i in range(self.count()):
            if self.item(i).text() == name:
                self.item(i).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)


class EntityDialog(QDialog):
    """A record dialog: a form, inline errors under fields, Save/Cancel."""

    saved = Signal(str)  # the record's id after a successful save
    kind = "record"
    kind_plural = "records"

    def __init__(self, services, object_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.object_id = object_id
        self.version: int | None = None
        self.saved_id: str | None = None
        self.saved_name: str | None = None
        self.read_only = False
        self._errors: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self._touched_name = False
        self._shown_once = False
        self.tabs: QTabWidget | None = None

        self.setObjectName("entityDialog")
        self.setModal(True)
        self.setMinimumWidth(480)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 18)
        outer.setSpacing(12)
        self.heading = QLabel()
        self.heading.setProperty("role", "dialogTitle")
        outer.addWidget(self.heading)
        self.note = QLabel()
        self.note.setProperty("role", "note")
        self.note.setWordWrap(True)
        self.note.hide()
        outer.addWidget(self.note)

        # The form sits in a widget of its own, so a tabbed dialog can make it its first tab.
        self.form_page = QWidget()
        self.form = QFormLayout(self.form_page)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(10)
        outer.addWidget(self.form_page)

        self.general_error = error_label()
        self._errors[GENERAL] = self.general_error
        outer.addWidget(self.general_error)
        self._stretch_at = outer.count()  # a tabbed dialog gives this room to its tabs
        outer.addStretch(1)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setProperty("role", "separator")
        outer.addWidget(line)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.ok_button.setProperty("role", "primary")
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        for key in DIALOG_KEYS["save"][1]:  # (the tabs' keys are QTabWidget's own)  # Enter in a multi-line field is a new line: Ctrl+Enter saves
            QShortcut(QKeySequence(key), self, self._save_key)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self._save_key)  # the keypad's Enter

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(f"Name of the {self.kind}")
        self.add_field("name", "Name *", self.name_edit)
        self.name_edit.textEdited.connect(self._name_edited)
        self.name_edit.textChanged.connect(self._name_changed)

        self.build_form()
        for button in self.findChildren(QPushButton):  # Enter in a field saves, whatever was clicked before
            if not self.buttons.isAncestorOf(button):
                button.setAutoDefault(False)
        if object_id is not None:
            self.load()
        self._set_heading()
        self.update_ok()
        self._as_opened = self.edited_fields()

    # ------------------------------------------------------------------ building

    def add_field(self, key: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        """A form row whose field has its own red error label underneath."""
        box = QWidget()
        box.setObjectName(f"field_{key}")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setProperty("role", "hint")
            hint_label.setWordWrap(True)
            layout.addWidget(hint_label)
        errors = error_label()
        errors.setObjectName(f"error_{key}")
        layout.addWidget(errors)
        self._errors[key] = errors
        self._fields[key] = widget
        self.form.addRow(label, box)
        return widget

    def build_form(self) -> None:
        """Subclasses add their fields after the name."""

    def _set_heading(self) -> None:
        if self.object_id is None:
            title = f"New {self.kind}"
        else:
            title = f"{self.kind.capitalize()}: {self.name_edit.text()}"
        self.heading.setText(title)
        self.setWindowTitle(title)

    # ------------------------------------------------------------------ state

    def required_filled(self) -> bool:
        return bool(self.name_edit.text().strip())

    def update_ok(self) -> None:
        self.ok_button.setEnabled(not self.read_only and self.required_filled())

    def _name_changed(self, _text: str) -> None:
        self.update_ok()

    def _name_edited(self, text: str) -> None:
        self._touched_name = True
        if text.strip():
            self.clear_error("name")
        else:
            self.set_error("name", "Enter a name.")
        self.update_ok()

    def error_text(self, key: str) -> str:
        label = self._errors.get(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def make_tabs(self, first_title: str) -> QTabWidget:
        """Turn the form into the first tab of a tab widget (Ctrl+Tab moves between tabs)."""
        tabs = QTabWidget()
        tabs.setObjectName("dialogTabs")
        tabs.setDocumentMode(True)
        # Tab walks the fields only; Ctrl+Tab and the tabs' Alt+letter switch tabs.
        tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = self.layout()
        outer.replaceWidget(self.form_page, tabs)
        outer.setStretch(self._stretch_at, 0)
        outer.setStretchFactor(tabs, 1)
        self.form.setContentsMargins(0, 12, 8, 0)
        self.tabs = tabs
        self.add_tab(self.form_page, first_title)
        tabs.currentChanged.connect(self._tab_shown)
        return tabs

    def _tab_shown(self, index: int) -> None:
        """Ctrl+Tab to a tab puts the cursor in its first field (not left behind on the tab before)."""
        # Hiding the tab that had the focus passes it through Save/Cancel, and Qt leaves the
        # dialog without a default button: Enter in a field would then do nothing.
        self.ok_button.setDefault(True)
        page = self.tabs.widget(index)
        focused = QApplication.focusWidget()
        if page is None or (focused is not None and page.isAncestorOf(focused)):
            return
        widget = page.nextInFocusChain()
        for _ in range(500):
            if widget is page or widget is None:
                return
            if (page.isAncestorOf(widget) and widget.isEnabled() and widget.isVisibleTo(page)
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()

    def add_tab(self, page: QWidget, title: str) -> int:
        """A tab that scrolls when the screen is too short for it (nothing is ever clipped)."""
        scroller = QScrollArea()
        scroller.setObjectName(f"{page.objectName() or 'form'}Scroller")
        scroller.setWidgetResizable(True)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(page)
        # It scrolls down, never sideways: the dialog is kept as wide as the tab's content needs.
        scroller.setMinimumWidth(page.minimumSizeHint().width() + scroller.verticalScrollBar().sizeHint().width())
        return self.tabs.addTab(scroller, title)

    def set_tab(self, title: str) -> None:
        """Show the tab whose title starts with ``title`` (case-insensitive): for people and screenshots."""
        for index in range(self.tabs.count() if self.tabs is not None else 0):
            if self.tabs.tabText(index).replace("&", "").casefold().startswith(title.casefold()):
                self.tabs.setCurrentIndex(index)
                return
        raise KeyError(title)

    def reveal(self, widget: QWidget) -> None:
        """Bring the field into view: a tabbed dialog shows its tab."""
        if self.tabs is None:
            return
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is widget or page.isAncestorOf(widget):
                self.tabs.setCurrentIndex(index)
                if isinstance(page, QScrollArea):
                    page.ensureWidgetVisible(widget)
                return

    def field(self, key: str) -> QWidget:
        return self._fields[key]

    def set_error(self, key: str, message: str) -> None:
        label = self._errors.get(key, self.general_error)
        label.setText(message)
        label.show()

    def clear_error(self, key: str) -> None:
        label = self._errors.get(key)
        if label is not None:
            label.clear()
            label.hide()

    def clear_errors(self) -> None:
        for key in self._errors:
            self.clear_error(key)

    def show_issues(self, issues) -> None:
        """Each issue's message under its field; several for one field stack up."""
        self.clear_errors()
        grouped: dict[str, list[str]] = {}
        for issue in issues:
            key = self.field_for(issue.path)
            if key not in self._errors:
                key, text = GENERAL, str(issue)
            else:
                text = issue.message
            grouped.setdefault(key, []).append(_sentence(text))
        for key, texts in grouped.items():
            self.set_error(key, "\n".join(dict.fromkeys(texts)))
        first = next((self._fields[k] for k in grouped if k in self._fields), None)
        if first is not None:
            self.reveal(first)
            first.setFocus()

    def field_for(self, path: str) -> str:
        """The key of the field (and error label) an issue path belongs to."""
        return field_key(path)

    # ------------------------------------------------------------------ load / save

    def load(self) -> None:
        raise NotImplementedError

    def save_record(self, expected_version: int | None):
        """Call the one save service; returns its ``Saved``."""
        raise NotImplementedError

    def form_fields(self) -> dict:
        """What OK saves, as the conflict dialog compares it ("mine")."""
        raise NotImplementedError

    def load_saved(self):
        """The object as it is saved now (a ``Loaded``): the other side of a conflict."""
        raise NotImplementedError

    def saved_fields(self, loaded) -> dict:
        """``loaded`` in the shape of ``form_fields`` ("theirs")."""
        return {key: value for key, value in loaded.doc.model_dump().items() if key != "id"}

    def accept(self) -> None:
        if self.read_only:
            super().reject()
            return
        if not self.name_edit.text().strip():
            self.set_error("name", "Enter a name.")
            self.name_edit.setFocus()
            self.update_ok()
            return
        self._save(self.version)

    def _save(self, expected_version: int | None) -> None:
        self.clear_errors()
        try:
            saved = self.save_record(expected_version)
        except DocumentInvalid as error:
            self.show_issues(error.issues)
            return
        except ConflictError as error:
            # The one conflict path of every editor (as the work stream editor's): show both
            # versions; "Keep mine" saves against the version just shown, so a third change
            # made meanwhile is another conflict, never a blind overwrite.
            try:
                newer = self.load_saved()
            except NotFound as gone:
                messages.error(self, f"Can't save the {self.kind}", str(gone))
                return
            answer = messages.conflict(self, f"{self.kind.capitalize()} changed by someone else", str(error),
                                       "Keep mine saves what you typed over their change; "
                                       "Take theirs reloads the saved version.",
                                       mine=self.form_fields(), theirs=self.saved_fields(newer))
            if answer == "mine":
                self._save(newer.version)
            elif answer == "theirs":
                self.load()
                self._set_heading()
                self.update_ok()
                self._as_opened = self.edited_fields()
            return
        except NotFound as error:
            messages.error(self, f"Can't save the {self.kind}", str(error))
            return
        except UserError as error:
            self.set_error(GENERAL, _sentence(str(error)))
            return
        self.saved_id, self.saved_name, self.object_id, self.version = saved.id, saved.name, saved.id, saved.version
        self.saved.emit(saved.id)
        super().accept()

    def name(self) -> str:
        return self.name_edit.text().strip()

    def edited_fields(self) -> dict:
        """What the unsaved-changes guard compares with the record as opened."""
        return self.form_fields()

    def is_dirty(self) -> bool:
        return not self.read_only and self.edited_fields() != self._as_opened

    def reject(self) -> None:
        """Cancel, Esc or closing the window: asks first when something was changed (Save, Discard, Cancel)."""
        if self.is_dirty():
            opened = self._as_opened.get("name")
            text = (f"Save the changes to {self.kind} '{opened}'?" if self.object_id is not None and opened
                    else f"Save the new {self.kind}?")
            answer = messages.save_discard_cancel(self, f"Save the {self.kind}?", text)
            if answer == messages.SAVE:
                self.accept()  # stays open, with the problems shown, when it cannot be saved
                return
            if answer != messages.DISCARD:
                return
        super().reject()

    def _save_key(self) -> None:
        if self.ok_button.isEnabled() and self.ok_button.isVisible():
            self.accept()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:  # the cursor starts in Name (a tab bar would take it otherwise)
            self._shown_once = True
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.tabs is not None:
                self._fit_to_screen()

    def sizeHint(self) -> QSize:  # noqa: N802
        """A tabbed dialog wants room for its tallest and widest tab without scrolling."""
        hint = super().sizeHint()
        if self.tabs is None:
            return hint
        wanted = QSize(0, 0)
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            inner = page.widget().sizeHint() if isinstance(page, QScrollArea) else page.sizeHint()
            wanted = wanted.expandedTo(inner)
        chrome = hint - self.tabs.sizeHint()  # heading, buttons, margins
        return QSize(max(hint.width(), wanted.width() + chrome.width() + 24),
                     max(hint.height(), wanted.height() + chrome.height() + self.tabs.tabBar().sizeHint().height() + 8))

    def _fit_to_screen(self) -> None:
        """As big as the tabs want, but never past the screen: a tab scrolls instead."""
        wanted = self.sizeHint()
        screen = self.screen().availableGeometry()
        width = min(wanted.width(), screen.width() - 32)
        height = min(wanted.height(), screen.height() - 48)
        self.resize(max(width, self.minimumWidth()), height)
        frame = self.frameGeometry()
        frame.moveCenter(self.parentWidget().window().frameGeometry().center() if self.parentWidget()
                         else screen.center())
        frame.moveTop(max(screen.top(), min(frame.top(), screen.bottom() - frame.height())))
        frame.moveLeft(max(screen.left(), min(frame.left(), screen.right() - frame.width())))
        self.move(frame.topLeft())


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------- queue


class QueueDialog(EntityDialog):
    """A queue: General (type, members, priority, assignment method), Operating hours, Overflow."""

    kind = "queue"
    kind_plural = "queues"

    def build_form(self) -> None:
        from ui.records.queue_settings import OperatingHoursEditor, OverflowEditor

        self.kind_combo = QComboBox()
        for value in QUEUE_KINDS:
            self.kind_combo.addItem(QUEUE_KIND_LABELS[value], value)
        self.add_field("kind", "Type", self.kind_combo)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("What this queue is for (optional)")
        self.description_edit.setFixedHeight(56)
        self.description_edit.setTabChangesFocus(True)
        self.add_field("description", "Description", self.description_edit,
                       hint=f"Up to {DESCRIPTION_MAX} characters.")
        self.members = CheckList(self.services.names("agents"))
        self.members.max_rows = 5
        self.members_summary = QLabel()
        self.members_summary.setProperty("role", "hint")
        self.members.changed.connect(self._summarise)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.members)
        layout.addWidget(self.members_summary)
        self.add_field("agents", "Members", box)
        self._fields["agents"] = self.members
        self._summarise()
        self.priority_spin = SpinBox()
        self.priority_spin.setObjectName("priority")
        self.priority_spin.setRange(1, MAX_QUEUE_PRIORITY)
        self.priority_spin.setValue(DEFAULT_QUEUE_PRIORITY)
        self.priority_spin.setMaximumWidth(160)
        self.add_field("priority", "Priority", self.priority_spin,
                       hint="1 is the highest. An agent in several queues is offered the oldest conversation "
                            "of their highest-priority queue first.")
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("assignmentMethod")
        for value in ASSIGNMENT_METHODS:
            self.method_combo.addItem(ASSIGNMENT_METHOD_LABELS[value], value)
        self.method_hint = QLabel()
        self.method_hint.setProperty("role", "hint")
        self.method_hint.setWordWrap(True)
        method_box = QWidget()
        method_layout = QVBoxLayout(method_box)
        method_layout.setContentsMargins(0, 0, 0, 0)
        method_layout.setSpacing(3)
        method_layout.addWidget(self.method_combo)
        method_layout.addWidget(self.method_hint)
        self.add_field("assignment_method", "Assignment method", method_box)
        self._fields["assignment_method"] = self.method_combo
        self.method_combo.currentIndexChanged.connect(self._method_changed)
        self._method_changed()

        tabs = self.make_tabs("&General")
        self.hours = OperatingHoursEditor(error_label)
        self.hours.setObjectName("operatingHours")
        for key, label in self.hours.errors.items():
            self._errors[f"hours_{key}"] = label
        self._fields["hours_timezone"] = self.hours.timezone_combo
        self._fields["hours_week"] = self.hours.day_edits["mon"]
        self._fields["hours_closed_dates"] = self.hours.date_edit
        self.add_tab(self.hours, "Operating &hours")
        others = [n for n in self.services.names("queues")]
        self.overflow = OverflowEditor(error_label, others)
        self.overflow.setObjectName("overflow")
        for when, row in self.overflow.rows.items():
            self._errors[f"overflow_{when}"] = row.error
            self._fields[f"overflow_{when}"] = row.enabled
        self.overflow_index = self.add_tab(self.overflow, "&Overflow")
        self.hours.changed.connect(self._hours_changed)
        self._hours_changed()
        self.default_of: list[str] = []
        if self.object_id is not None:
            self.default_of = self.services.default_queue_users(self.object_id)
        if self.default_of:
            # The simulator and the doctor skip overflow per stream: only for the conversations of
            # the streams whose default queue this is. Other streams' rules may still send here.
            why = (f"This is the default queue of work stream {_names(self.default_of)}: its conversations "
                   "ignore these rules here. Conversations other streams' rules send here overflow as set.")
            self.overflow.default_note.setText(why)
            self.overflow.default_note.show()

    def _method_changed(self, *_args) -> None:
        self.method_hint.setText(ASSIGNMENT_METHOD_HINTS[self.method_combo.currentData()])

    def _hours_changed(self) -> None:
        self.overflow.set_has_hours(not self.hours.is_open_always())
        for key in self.hours.errors:
            if key != "week":
                self.clear_error(f"hours_{key}")

    def _summarise(self) -> None:
        if not self.members.count():
            self.members_summary.setText("No agents yet: add agents first, then their queues.")
        else:
            self.members_summary.setText(f"{len(self.members.checked())} of {self.members.count()} agents are members.")

    def field_for(self, path: str) -> str:
        match = re.match(r"operating_hours\.(timezone|week|closed_dates)", path)
        if match:
            return f"hours_{match.group(1)}"
        match = re.match(r"overflow\[(\d+)\]", path)
        if match:
            when = self.overflow.when_of(int(match.group(1)))
            return f"overflow_{when}" if when else GENERAL
        return super().field_for(path)

    def show_issues(self, issues) -> None:
        # A day's problem names the day: "Tuesday: 12:00-17:00 overlaps ...".
        from ui.records.queue_settings import DAY_LABELS

        named = []
        for issue in issues:
            match = re.match(r"operating_hours\.week\.(\w+)", issue.path)
            if match and match.group(1) in DAY_LABELS:
                text = re.sub(rf"\bof {match.group(1)}\b", "", issue.message).strip()
                if "should match pattern" in text:
                    text = "a time is not a time of day (00:00 to 24:00)"
                text = re.sub(r"(\d\d:\d\d)-(\d\d:\d\d)", "\\1–\\2", text)  # as the fields show ranges
                issue = Issue(issue.path, f"{DAY_LABELS[match.group(1)]}: {text}")
            named.append(issue)
        super().show_issues(named)

    def load(self) -> None:
        loaded = self.services.load_queue(self.object_id)
        doc = loaded.doc
        self.version = loaded.version
        self.name_edit.setText(doc.name)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(doc.kind)))
        self.description_edit.setPlainText(doc.description)
        self.members.set_checked(doc.agents)
        self.priority_spin.setValue(doc.priority)
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(doc.assignment_method)))
        data = doc.model_dump(mode="json")
        self.hours.set_value(data["operating_hours"])
        self.overflow.set_value(data["overflow"])
        self._hours_changed()

    def form_fields(self) -> dict:
        try:
            hours = self.hours.value()
        except ValueError:
            hours = "(not readable)"
        return {"name": self.name(), "kind": self.kind_combo.currentData(),
                "description": self.description_edit.toPlainText().strip(), "agents": self.members.checked(),
                "priority": self.priority_spin.value(), "assignment_method": self.method_combo.currentData(),
                "operating_hours": hours, "overflow": self.overflow.value()}

    def saved_fields(self, loaded) -> dict:
        return {key: value for key, value in loaded.doc.model_dump(mode="json").items() if key != "id"}

    def load_saved(self):
        return self.services.load_queue(self.object_id)

    def save_record(self, expected_version):
        try:
            hours = self.hours.value()
        except ValueError as problems:  # a day that does not read as ranges: said before asking the service
            raise DocumentInvalid([Issue("operating_hours.week", line) for line in str(problems).splitlines()]) \
                from None
        fields = {**self.form_fields(), "operating_hours": hours}
        return self.services.save_queue(fields, self.object_id, expected_version)


ASSIGNMENT_METHOD_HINTS = {
    "highest_capacity": "The agent with the most free capacity gets the conversation.",
    "round_robin": "Agents take turns, in order: the one after the last agent assigned.",
    "least_active": "The agent who has been free the longest gets it.",
}


def _names(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names[:3]]
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return (", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 and not more
            else ", ".join(quoted) + more)


# --------------------------------------------------------------------------- agent


class AgentDialog(EntityDialog):
    """An agent: General (capacity, presence, queues) and Skills & capacity (ratings, profile limits)."""

    kind = "agent"
    kind_plural = "agents"

    def build_form(self) -> None:
        from ui.records.agent_skills import SkillsCapacityEditor

        self.capacity_spin = SpinBox()
        self.capacity_spin.setRange(0, MAX_INT32)
        self.capacity_spin.setValue(100)
        self.capacity_spin.setMaximumWidth(160)
        self.add_field("capacity", "Capacity", self.capacity_spin,
                       hint="Units of work the agent can take at once; each work stream uses some.")
        self.presence_combo = QComboBox()
        self.presence_combo.addItems(self.services.names("presences"))
        self.presence_combo.setCurrentIndex(max(0, self.presence_combo.findText(BASE_PRESENCE_NAMES["available"])))
        self.add_field("presence", "Presence", self.presence_combo)
        self.queue_list = CheckList(self.services.names("queues"))
        self.add_field("queues", "Queues", self.queue_list)
        self.make_tabs("&General")
        self.distribution = SkillsCapacityEditor(self.services.distribution_catalogue(), error_label)
        self.distribution.setObjectName("skillsCapacity")
        for key, label in self.distribution.errors.items():
            self._errors[key] = label
        self._fields["skills"] = next((check for check, _ in self.distribution.skill_rows.values()),
                                      self.distribution)
        self._fields["capacity_profiles"] = next((check for check, _ in self.distribution.profile_rows.values()),
                                                 self.distribution)
        self.add_tab(self.distribution, "&Skills && capacity")

    def load(self) -> None:
        loaded = self.services.load_agent(self.object_id)
        doc = loaded.doc
        self.version = loaded.version
        self.name_edit.setText(doc.name)
        self.capacity_spin.setValue(doc.capacity)
        index = self.presence_combo.findText(doc.presence)
        if index < 0:
            self.presence_combo.addItem(doc.presence)
            index = self.presence_combo.count() - 1
        self.presence_combo.setCurrentIndex(index)
        self.queue_list.set_checked(self.services.agent_queues(self.object_id))
        self.distribution.set_value(doc.skills, doc.capacity_profiles)

    def form_fields(self) -> dict:
        return {"name": self.name(), "capacity": self.capacity_spin.value(),
                "presence": self.presence_combo.currentText(), "skills": self.distribution.skills(),
                "capacity_profiles": self.distribution.capacity_profiles()}

    def edited_fields(self) -> dict:
        return {**self.form_fields(), "queues": self.queue_list.checked()}

    def load_saved(self):
        return self.services.load_agent(self.object_id)

    def save_record(self, expected_version):
        return self.services.save_agent(self.form_fields(), self.object_id, expected_version,
                                        queues=self.queue_list.checked())


# --------------------------------------------------------------------------- presence


class PresenceDialog(EntityDialog):
    kind = "presence"
    kind_plural = "presences"

    def build_form(self) -> None:
        self.base_combo = QComboBox()
        for value in BASE_PRESENCES:
            self.base_combo.addItem(BASE_PRESENCE_NAMES[value], value)
        self.add_field("base", "Base presence", self.base_combo,
                       hint="What routing treats this presence as.")
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText("Shown to agents next to their status (optional)")
        self.text_edit.setFixedHeight(72)
        self.text_counter = QLabel()
        self.text_counter.setProperty("role", "hint")
        self.text_edit.textChanged.connect(self._count)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.text_edit)
        layout.addWidget(self.text_counter, alignment=Qt.AlignmentFlag.AlignRight)
        self.add_field("text", "Presence text", box)
        self._fields["text"] = self.text_edit
        self._count()

    def _count(self) -> None:
        length = len(self.text_edit.toPlainText())
        self.text_counter.setText(f"{length} / {PRESENCE_TEXT_MAX}")
        over = length > PRESENCE_TEXT_MAX
        if over:
            self.set_error("text", f"Keep the text to {PRESENCE_TEXT_MAX} characters or fewer.")
        else:
            self.clear_error("text")
        self.update_ok()

    def required_filled(self) -> bool:
        return super().required_filled() and len(self.text_edit.toPlainText()) <= PRESENCE_TEXT_MAX

    def load(self) -> None:
        loaded = self.services.load_presence(self.object_id)
        doc = loaded.doc
        self.version = loaded.version
        self.name_edit.setText(doc.name)
        self.base_combo.setCurrentIndex(max(0, self.base_combo.findData(doc.base)))
        self.text_edit.setPlainText(doc.text)
        if BASE_PRESENCE_NAMES.get(doc.base) == doc.name:
            self._make_read_only()

    def _make_read_only(self) -> None:
        self.read_only = True
        self.name_edit.setReadOnly(True)
        self.base_combo.setEnabled(False)
        self.text_edit.setReadOnly(True)
        self.text_edit.setPlaceholderText("")
        self.note.setText("This is a base presence. Base presences are built in and can't be changed; "
                          "create a custom presence on top of one instead.")
        self.note.show()
        self.ok_button.hide()
        self.cancel_button.setText("Close")

    def form_fields(self) -> dict:
        return {"name": self.name(), "base": self.base_combo.currentData(), "text": self.text_edit.toPlainText()}

    def load_saved(self):
        return self.services.load_presence(self.object_id)

    def save_record(self, expected_version):
        return self.services.save_presence(self.form_fields(), self.object_id, expected_version)


# --------------------------------------------------------------------------- channel


class ChannelDialog(EntityDialog):
    kind = "channel"
    kind_plural = "channels"

    def build_form(self) -> None:
        self.workstream_combo = QComboBox()
        self.workstream_combo.setPlaceholderText("Choose a work stream")
        for row in self.services.list_workstreams(state="all"):
            self.workstream_combo.addItem(f"{row.name}  ({CHANNEL_LABELS.get(row.channel, row.channel)})",
                                          (row.name, row.channel))
        self.workstream_combo.setCurrentIndex(-1)
        self.add_field("workstream", "Work stream *", self.workstream_combo,
                       hint="A channel serves one work stream; its type follows the stream's channel.")
        self.kind_label = QLabel()
        self.kind_label.setProperty("role", "readonlyValue")
        self.add_field("kind", "Type", self.kind_label)
        self.default_check = QCheckBox("Default channel of its type")
        self.add_field("is_default", "Default", self.default_check)
        self.workstream_combo.currentIndexChanged.connect(self._workstream_changed)
        if self.workstream_combo.count() == 0:
            self.note.setText("There are no work streams yet. Create a work stream first, then its channels.")
            self.note.show()
        self._workstream_changed()

    def _workstream_changed(self) -> None:
        kind = self.current_kind()
        self.kind_label.setText(CHANNEL_KIND_LABELS[kind] if kind else "Chosen by the work stream")
        if kind:
            self.default_check.setText(f"Default {CHANNEL_KIND_LABELS[kind].lower()}")
            self.clear_error("workstream")
            self.clear_error("kind")
        self.update_ok()

    def current_kind(self) -> str | None:
        data = self.workstream_combo.currentData()
        return CHANNEL_KIND_FOR[data[1]] if data else None

    def select_workstream(self, name: str) -> None:
        for index in range(self.workstream_combo.count()):
            if self.workstream_combo.itemData(index)[0].casefold() == name.casefold():
                self.workstream_combo.setCurrentIndex(index)
                return
        raise KeyError(name)

    def required_filled(self) -> bool:
        return super().required_filled() and self.workstream_combo.currentIndex() >= 0

    def load(self) -> None:
        loaded = self.services.load_channel(self.object_id)
        doc, workstream = loaded.doc
        self.version = loaded.version
        self.name_edit.setText(doc.name)
        self.select_workstream(workstream)
        self.default_check.setChecked(doc.is_default)

    def form_fields(self) -> dict:
        data = self.workstream_combo.currentData()
        return {"name": self.name(), "kind": self.current_kind(), "is_default": self.default_check.isChecked(),
                "workstream": data[0] if data is not None else None}

    def load_saved(self):
        return self.services.load_channel(self.object_id)

    def saved_fields(self, loaded) -> dict:
        doc, workstream = loaded.doc
        return {"name": doc.name, "kind": doc.kind, "is_default": doc.is_default, "workstream": workstream}

    def save_record(self, expected_version):
        fields = self.form_fields()
        workstream, kind = fields.pop("workstream"), fields["kind"]
        if workstream is None or kind is None:
            raise DocumentInvalid([Issue("workstream", "choose the work stream this channel serves")])
        return self.services.save_channel(fields, workstream, self.object_id, expected_version)


# --------------------------------------------------------------------------- work distribution (document v2)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class RatingModelDialog(EntityDialog):
    """A rating model: its values one per line, lowest first."""

    kind = "rating model"
    kind_plural = "rating models"

    def build_form(self) -> None:
        self.values_edit = QPlainTextEdit()
        self.values_edit.setObjectName("ratingValues")
        self.values_edit.setPlaceholderText("1\n2\n3\n4\n5")
        self.values_edit.setTabChangesFocus(True)  # Tab moves on; Enter starts the next value
        self.values_edit.setFixedHeight(148)
        self.values_edit.textChanged.connect(self._values_changed)
        self.add_field("values", "Values *", self.values_edit,
                       hint=f"One value per line, lowest first (up to {MAX_RATING_VALUES}). "
                            "Agents are rated with one of them; rules ask for one as a minimum.")

    def _values_changed(self) -> None:
        self.clear_error("values")
        self.update_ok()

    def values(self) -> list[str]:
        return _lines(self.values_edit.toPlainText())

    def required_filled(self) -> bool:
        return super().required_filled() and bool(self.values())

    def field_for(self, path: str) -> str:
        return "values" if path.startswith("values") else super().field_for(path)

    def load(self) -> None:
        loaded = self.services.load_rating_model(self.object_id)
        self.version = loaded.version
        self.name_edit.setText(loaded.doc.name)
        self.values_edit.setPlainText("\n".join(loaded.doc.values))

    def form_fields(self) -> dict:
        return {"name": self.name(), "values": self.values()}

    def load_saved(self):
        return self.services.load_rating_model(self.object_id)

    def save_record(self, expected_version):
        return self.services.save_rating_model(self.form_fields(), self.object_id, expected_version)


class SkillDialog(EntityDialog):
    """A skill and the rating model agents are rated on in it."""

    kind = "skill"
    kind_plural = "skills"

    def build_form(self) -> None:
        self.models = {row.name: row.values for row in self.services.list_rating_models()}
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("ratingModel")
        self.model_combo.addItems(list(self.models))
        self.model_combo.currentTextChanged.connect(self._model_changed)
        self.add_field("rating_model", "Rating model *", self.model_combo)
        self.scale_label = QLabel()
        self.scale_label.setProperty("role", "hint")
        self.scale_label.setWordWrap(True)
        self.add_field("scale", "Ratings", self.scale_label)
        if not self.models:
            self.note.setText("There are no rating models yet. Create one first (Skills page, New rating model), "
                              "then the skills rated on it.")
            self.note.show()
        self._model_changed(self.model_combo.currentText())

    def _model_changed(self, name: str) -> None:
        values = self.models.get(name, ())
        self.scale_label.setText(" · ".join(values) + " (lowest first)" if values else "Choose a rating model.")
        self.clear_error("rating_model")
        self.update_ok()

    def required_filled(self) -> bool:
        return super().required_filled() and bool(self.model_combo.currentText())

    def load(self) -> None:
        loaded = self.services.load_skill(self.object_id)
        self.version = loaded.version
        self.name_edit.setText(loaded.doc.name)
        index = self.model_combo.findText(loaded.doc.rating_model)
        if index < 0:
            self.model_combo.addItem(loaded.doc.rating_model)
            index = self.model_combo.count() - 1
        self.model_combo.setCurrentIndex(index)

    def form_fields(self) -> dict:
        return {"name": self.name(), "rating_model": self.model_combo.currentText()}

    def load_saved(self):
        return self.services.load_skill(self.object_id)

    def save_record(self, expected_version):
        fields = self.form_fields()
        if not fields["rating_model"]:
            raise DocumentInvalid([Issue("rating_model", "choose the rating model this skill is rated on")])
        return self.services.save_skill(fields, self.object_id, expected_version)


class CapacityProfileDialog(EntityDialog):
    """A capacity profile: how many of its work items an agent takes at once."""

    kind = "capacity profile"
    kind_plural = "capacity profiles"

    def build_form(self) -> None:
        self.limit_spin = SpinBox()
        self.limit_spin.setObjectName("workItemLimit")
        self.limit_spin.setRange(1, MAX_WORK_ITEM_LIMIT)
        self.limit_spin.setValue(DEFAULT_WORK_ITEM_LIMIT)
        self.limit_spin.setMaximumWidth(160)
        self.add_field("work_item_limit", "Work item limit", self.limit_spin,
                       hint=f"How many work items of this profile an agent takes at once (1 to {MAX_WORK_ITEM_LIMIT}). "
                            "An agent can have a limit of their own on their Skills & capacity tab.")

    def load(self) -> None:
        loaded = self.services.load_capacity_profile(self.object_id)
        self.version = loaded.version
        self.name_edit.setText(loaded.doc.name)
        self.limit_spin.setValue(loaded.doc.work_item_limit)

    def form_fields(self) -> dict:
        return {"name": self.name(), "work_item_limit": self.limit_spin.value()}

    def load_saved(self):
        return self.services.load_capacity_profile(self.object_id)

    def save_record(self, expected_version):
        return self.services.save_capacity_profile(self.form_fields(), self.object_id, expected_version)


DIALOG_FOR_VIEW: dict[str, type[EntityDialog]] = {
    "queues": QueueDialog,
    "agents": AgentDialog,
    "presences": PresenceDialog,
    "channels": ChannelDialog,
    "skills": SkillDialog,
    "rating_models": RatingModelDialog,
    "capacity_profiles": CapacityProfileDialog,
}
