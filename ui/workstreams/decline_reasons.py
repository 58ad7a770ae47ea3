"""The work stream's decline reasons: an ordered list an agent picks from when declining.

The widget only asks; the editor turns each request into one undoable draft edit
(app.workstreams.editing.WorkStreamDraft.add_decline_reason and friends) and then
shows the draft's list again through ``set_values``.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from models.choices import DECLINE_REASONS_MAX, NAME_MAX
from ui.common.icons import icon


# The list's keys (Help > Keyboard shortcuts lists them from here). Enter and F2 are the line
# edit's and the list's own; Delete and Alt+Up/Down are handled by _ListKeys below.
DECLINE_REASON_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "add": ("Add the decline reason typed", ("Return",)),
    "rename": ("Rename the selected decline reason", ("F2",)),
    "delete": ("Remove the selected decline reason", ("Delete",)),
    "up": ("Move the selected decline reason up", ("Alt+Up",)),
    "down": ("Move the selected decline reason down", ("Alt+Down",)),
}


class DeclineReasonsEdit(QWidget):
    addRequested = Signal(str)
    renameRequested = Signal(int, str)
    deleteRequested = Signal(int)
    moveRequested = Signal(int, int)  # row, -1 up / +1 down

    VISIBLE_ROWS = 4

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values: list[str] = []
        self._showing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        adder = QHBoxLayout()
        adder.setSpacing(6)
        self.new_edit = QLineEdit(self)
        self.new_edit.setObjectName("newDeclineReason")
        self.new_edit.setPlaceholderText("Type a reason, then Enter")
        self.new_edit.setMaxLength(NAME_MAX)
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("addDeclineReason")
        self.add_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        adder.addWidget(self.new_edit, 1)
        adder.addWidget(self.add_button)
        layout.addLayout(adder)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.list = QListWidget(self)
        self.list.setObjectName("declineReasons")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.DoubleClicked)
        self.list.setToolTip("F2 renames, Delete removes, Alt+Up / Alt+Down move")
        # The app's style gives list items no selected colours: the palette's were white on white
        # while the list had no focus, so a just-added reason looked missing.
        self.list.setStyleSheet("QListWidget#declineReasons::item:selected { background: #EBF3FC; color: #242424; }")
        self.list.setFixedHeight(self.list.fontMetrics().lineSpacing() * self.VISIBLE_ROWS + 24)
        row.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        self.up_button = self._icon_button("chevron-up", "moveDeclineReasonUp", "Move up (Alt+Up)", "Move up")
        self.down_button = self._icon_button("chevron-down", "moveDeclineReasonDown", "Move down (Alt+Down)",
                                             "Move down")
        self.delete_button = self._icon_button("delete", "deleteDeclineReason", "Remove (Delete)", "Remove")
        for button in (self.up_button, self.down_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        layout.addLayout(row)

        self.new_edit.returnPressed.connect(self._add)
        self.add_button.clicked.connect(self._add)
        self.new_edit.textChanged.connect(lambda _t: self._update_buttons())
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.delete_button.clicked.connect(self._delete)
        self.list.itemChanged.connect(self._renamed)
        self.list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self._keys = _ListKeys(self)
        self.list.installEventFilter(self._keys)
        self._update_buttons()

    def _icon_button(self, name: str, object_name: str, tip: str, accessible: str) -> QPushButton:
        button = QPushButton(self)
        button.setIcon(icon(name))
        button.setObjectName(object_name)
        button.setToolTip(tip)
        button.setAccessibleName(accessible)
        button.setProperty("role", "icon")
        return button

    # ------------------------------------------------------------------ the editor's side
    def values(self) -> list[str]:
        return list(self._values)

    def set_values(self, values: list[str] | None) -> None:
        values = list(values or [])
        keep = self.list.currentRow()
        grew = len(values) > len(self._values)
        self._values = values
        self._showing = True
        try:
            self.list.clear()
            for value in values:
                item = QListWidgetItem(value)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
        finally:
            self._showing = False
        if values:
            self.list.setCurrentRow(len(values) - 1 if grew else max(0, min(keep, len(values) - 1)))
        self._fit_height()
        self._update_buttons()

    def _fit_height(self) -> None:
        """Room for VISIBLE_ROWS reasons as the style draws them (padding included), then it scrolls."""
        row = self.list.sizeHintForRow(0) if self.list.count() else -1
        row = max(row, self.list.fontMetrics().lineSpacing() + 8)
        frame = self.list.frameWidth() * 2 + 10  # the style's padding around the items
        self.list.setFixedHeight(row * self.VISIBLE_ROWS + frame)

    def select(self, row: int) -> None:
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)

    # ------------------------------------------------------------------ requests
    def _add(self) -> None:
        text = self.new_edit.text().strip()
        if not text or len(self._values) >= DECLINE_REASONS_MAX:
            return
        self.new_edit.clear()
        self.addRequested.emit(text)

    def _renamed(self, item: QListWidgetItem) -> None:
        if self._showing:
            return
        row = self.list.row(item)
        text = item.text().strip()
        if not text or text == self._values[row]:
            self.set_values(self._values)  # an emptied name puts the old one back
            return
        self.renameRequested.emit(row, text)

    def _delete(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.deleteRequested.emit(row)

    def _move(self, delta: int) -> None:
        row = self.list.currentRow()
        if 0 <= row and 0 <= row + delta < len(self._values):
            self.moveRequested.emit(row, delta)
            self.list.setCurrentRow(row + delta)

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        self.add_button.setEnabled(bool(self.new_edit.text().strip()) and len(self._values) < DECLINE_REASONS_MAX)
        self.delete_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < len(self._values) - 1)


class _ListKeys(QObject):
    """Delete removes, Alt+Up / Alt+Down move the current reason (the list's own keys otherwise)."""

    def __init__(self, owner: DeclineReasonsEdit):
        super().__init__(owner)
        self.owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        if self.owner.list.state() == QAbstractItemView.State.EditingState:
            return False
        mods = key_event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(key_event.key() | mods.value)
        actions = {"delete": self.owner._delete, "up": lambda: self.owner._move(-1),
                   "down": lambda: self.owner._move(+1)}
        action = next((act for name, act in actions.items()
                       if any(pressed == QKeySequence(k) for k in DECLINE_REASON_KEYS[name][1])), None)
        if action is None:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        action()
        return True
