"""Small reusable widgets for the editors: a duration picker, a multi-select of
checkboxes, a lookup combo with a "New …" entry, inline error labels, the
queue quick-create dialog, and ``fit_columns`` for tables that must not scroll
sideways.

Colours live in the stylesheet: widgets here only set object names and the
``role`` property (``error``, ``hint``, ``section-title``, ``status``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.common.errors import DocumentInvalid, UserError
from models.choices import DESCRIPTION_MAX, MAX_INT32, NAME_MAX, QUEUE_KIND_LABELS, QUEUE_KINDS
from ui.common.spin_boxes import SpinBox


# Rules for the editor's own object names and roles, in the palette of resources/style.qss
# (which styles the common widgets). Applied to the editor and its dialogs; the
# application stylesheet still applies underneath.
EDITOR_QSS = """
QWidget#workStreamEditor, QWidget#workDistributionForm, QWidget#contextVariablesPage,
QWidget#routingRulesPage, QWidget#routingSidePanel, QWidget#conditionBuilder { background: #FFFFFF; }
QScrollArea#workDistributionPage, QScrollArea#conditionScroll { background: #FFFFFF; border: none; }
QLabel[role="section-title"] { font-size: 11.5pt; font-weight: 600; color: #242424;
    padding: 8px 0px 4px 0px; }
QLabel[role="error-banner"] { color: #C50F1F; background: #FDF3F4; border: 1px solid #EEACB2;
    border-radius: 6px; padding: 8px 12px; }
QLabel[role="status"] { border-radius: 10px; padding: 2px 10px; font-weight: 600; }
QLabel[role="status"][active="true"] { color: #0E700E; background: #F1FAF1; border: 1px solid #9FD89F; }
QLabel[role="status"][active="false"] { color: #616161; background: #F5F5F5; border: 1px solid #E0E0E0; }
QLabel#emptyState { color: #616161; font-size: 10.5pt; }
QSplitter#routingSplitter::handle { background: transparent; }
QWidget#routingSidePanel { border-left: 1px solid #E0E0E0; }
QLabel#conditionPreview { background: #F5F7FA; border-radius: 6px; padding: 6px 10px; }
QTabWidget#editorTabs::pane { border: none; border-top: 1px solid #E0E0E0; top: -1px; }
QTabWidget#editorTabs > QTabBar::tab { background: transparent; color: #616161; padding: 8px 14px;
    margin-right: 2px; border: none; border-bottom: 2px solid transparent; }
QTabWidget#editorTabs > QTabBar::tab:hover { color: #242424; background: #F5F5F5; }
QTabWidget#editorTabs > QTabBar::tab:selected { color: #242424; border-bottom: 2px solid #0F6CBD; }
QFrame#conditionGroup { border: 1px solid #E0E0E0; border-left: 3px solid #A19F9D; border-radius: 6px;
    background: #FAFAFA; }
QFrame#conditionGroup[depth="1"] { border-left: 3px solid #0F6CBD; background: #FFFFFF; }
QFrame#conditionRow { background: transparent; border: none; }
QLineEdit[invalid="true"], QSpinBox[invalid="true"], QComboBox[invalid="true"] {
    border: 1px solid #C50F1F; border-bottom: 2px solid #C50F1F; }
QToolButton#removeCondition, QToolButton#removeGroup { color: #616161; border: none; border-radius: 4px;
    padding: 4px 6px; }
QToolButton#removeCondition:hover, QToolButton#removeGroup:hover { background: #FDF3F4; color: #C50F1F; }
"""

# Used only when the application has no stylesheet (a bare QApplication in a
# script), so errors are still red and hints grey.
FALLBACK_QSS = """
QLabel[role="error"] { color: #C50F1F; }
QLabel[role="hint"] { color: #616161; }
"""


def set_role(widget: QWidget, role: str) -> None:
    """Set the ``role`` property the stylesheet keys on, and re-polish."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def apply_editor_style(widget: QWidget) -> None:
    """The editor's stylesheet on ``widget`` (plus red/grey basics when the app has no stylesheet)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    bare = app is None or not app.styleSheet()
    widget.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    widget.setStyleSheet(EDITOR_QSS + (FALLBACK_QSS if bare else ""))


class ErrorLabel(QLabel):
    """An inline validation message: red (via role="error"), hidden while empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "error")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def show_message(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))

    def message(self) -> str:
        return self.text() if not self.isHidden() else ""


def hint_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def section_title(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "section-title")
    return label


@lru_cache(maxsize=None)
def _dot_pixmap(size: int, colour: str) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return pixmap


def error_dot_icon() -> QIcon:
    """The red dot shown on a tab title or a table row that has problems."""
    return QIcon(_dot_pixmap(10, "#d13438"))


# --------------------------------------------------------------------------- durations

def format_duration(seconds: int) -> str:
    """'1 d 2 h 30 min 15 s'; '0 s' for zero."""
    seconds = max(0, int(seconds))
    if seconds == 0:
        return "0 s"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount} {unit}")
    return " ".join(parts)


class DurationEdit(QWidget):
    """A duration as days / hours / minutes (/ seconds) spin boxes, valued in seconds.

    ``zero_text`` (say "Never") is shown beside the boxes while the value is 0.
    The seconds box is shown when ``with_seconds`` or when the value needs it.
    """

    valueChanged = Signal(int)

    def __init__(self, maximum: int = MAX_INT32, zero_text: str = "Never", with_seconds: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._maximum = maximum
        self._with_seconds = with_seconds
        self._setting = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        def spin(suffix: str, top: int, name: str, tip: str) -> QSpinBox:
            box = SpinBox(self)
            box.setObjectName(name)
            box.setRange(0, top)
            box.setSuffix(suffix)
            box.setToolTip(tip)
            box.setAccelerated(True)
            box.setMinimumWidth(84)
            box.valueChanged.connect(self._spun)
            layout.addWidget(box)
            return box

        has_days = maximum >= 86_400
        self.days = spin(" d", maximum // 86_400, "days", "Days") if has_days else None
        self.hours = spin(" h", 23 if has_days else maximum // 3_600, "hours", "Hours")
        self.minutes = spin(" min", 59, "minutes", "Minutes")
        self.seconds = spin(" s", 59, "seconds", "Seconds")
        self.zero_label = QLabel(zero_text, self)
        self.zero_label.setObjectName("durationZero")
        self.zero_label.setProperty("role", "hint")
        layout.addWidget(self.zero_label)
        layout.addStretch(1)
        self._sync_extras()

    def boxes(self) -> list[QSpinBox]:
        return [b for b in (self.days, self.hours, self.minutes, self.seconds) if b is not None]

    def maximum(self) -> int:
        return self._maximum

    def value(self) -> int:
        total = self.hours.value() * 3_600 + self.minutes.value() * 60 + self.seconds.value()
        if self.days is not None:
            total += self.days.value() * 86_400
        return total

    def setValue(self, seconds: int) -> None:  # noqa: N802 (Qt naming)
        seconds = max(0, min(int(seconds), self._maximum))
        self._setting = True
        try:
            rest = seconds
            if self.days is not None:
                days, rest = divmod(rest, 86_400)
                self.days.setValue(days)
            hours, rest = divmod(rest, 3_600)
            minutes, secs = divmod(rest, 60)
            self.hours.setValue(hours)
            self.minutes.setValue(minutes)
            self.seconds.setValue(secs)
        finally:
            self._setting = False
        self._sync_extras()

    def _spun(self) -> None:
        if self._setting:
            return
        if self.value() > self._maximum:
            self.setValue(self._maximum)
        self._sync_extras()
        self.valueChanged.emit(self.value())

    def _sync_extras(self) -> None:
        self.seconds.setVisible(self._with_seconds or self.seconds.value() != 0)
        self.zero_label.setVisible(self.value() == 0)
        self.setToolTip(format_duration(self.value()) + f" ({self.value()} s)")


# --------------------------------------------------------------------------- multi-select

class MultiCheck(QWidget):
    """A multi-select as a row of checkboxes; ``values()`` keeps the options' order."""

    changed = Signal(list)

    def __init__(self, options: Sequence[tuple[str, str]], parent: QWidget | None = None):
        from PySide6.QtWidgets import QCheckBox

        super().__init__(parent)
        self._setting = False
        self._boxes: dict[str, QCheckBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        for value, label in options:
            box = QCheckBox(label, self)
            box.setObjectName(f"option_{value}")
            box.toggled.connect(self._toggled)
            self._boxes[value] = box
            layout.addWidget(box)
        layout.addStretch(1)

    def box(self, value: str):
        return self._boxes[value]

    def values(self) -> list[str]:
        return [v for v, box in self._boxes.items() if box.isChecked()]

    def set_values(self, values: Iterable[str]) -> None:
        wanted = set(values)
        self._setting = True
        try:
            for value, box in self._boxes.items():
                box.setChecked(value in wanted)
        finally:
            self._setting = False

    def _toggled(self) -> None:
        if not self._setting:
            self.changed.emit(self.values())


# --------------------------------------------------------------------------- lookups

_NEW = "\x00new"
_NONE = "\x00none"


class LookupCombo(QComboBox):
    """Names to choose from, an optional "(none)" entry and a trailing "New …" entry.

    Choosing "New …" puts the previous choice back and emits ``createRequested``;
    a real change emits ``nameChanged(str | None)``.
    """

    nameChanged = Signal(object)
    createRequested = Signal()

    def __init__(self, names: Iterable[str] = (), none_text: str | None = None, new_text: str = "New queue…",
                 placeholder: str = "Select a queue", parent: QWidget | None = None):
        super().__init__(parent)
        self._none_text = none_text
        self._new_text = new_text
        self._updating = False
        self._last = -1
        self.quick_create_dialog: QDialog | None = None
        self.setPlaceholderText(placeholder)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        self.currentIndexChanged.connect(self._index_changed)
        self.set_names(names)

    def names(self) -> list[str]:
        return [self.itemData(i) for i in range(self.count())
                if isinstance(self.itemData(i), str) and self.itemData(i) not in (_NEW, _NONE)]

    def new_index(self) -> int:
        return self.findData(_NEW)

    def set_names(self, names: Iterable[str]) -> None:
        current = self.current_name()
        self._updating = True
        try:
            self.clear()
            if self._none_text is not None:
                self.addItem(self._none_text, _NONE)
            for name in names:
                self.addItem(name, name)
            self.insertSeparator(self.count())
            self.addItem(self._new_text, _NEW)
        finally:
            self._updating = False
        self.set_current_name(current)

    def current_name(self) -> str | None:
        data = self.currentData()
        return data if isinstance(data, str) and data not in (_NEW, _NONE) else None

    def set_current_name(self, name: str | None, notify: bool = False) -> None:
        if name is None:
            index = self.findData(_NONE) if self._none_text is not None else -1
        else:
            index = self.findData(name)
            if index < 0:  # e.g. a queue deleted meanwhile: keep showing what the object says
                index = self.findText(name, Qt.MatchFlag.MatchFixedString)
            if index < 0:
                self._updating = True
                try:
                    index = 1 if self._none_text is not None else 0
                    self.insertItem(index, name, name)
                finally:
                    self._updating = False
        self._updating = True
        try:
            self.setCurrentIndex(index)
        finally:
            self._updating = False
        self._last = index
        if notify:
            self.nameChanged.emit(self.current_name())

    def _index_changed(self, index: int) -> None:
        if self._updating:
            return
        if self.itemData(index) == _NEW:
            self._updating = True
            try:
                self.setCurrentIndex(self._last)
            finally:
                self._updating = False
            self.createRequested.emit()
            return
        self._last = index
        self.nameChanged.emit(self.current_name())


class QueueQuickCreateDialog(QDialog):
    """Quick create: a queue's name, kind and description, saved at once."""

    created = Signal(str)

    def __init__(self, services, kind: str = "messaging", parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.created_name: str | None = None
        self.setWindowTitle("New queue")
        self.setObjectName("queueQuickCreate")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label("Create a queue without leaving the work stream. "
                                    "Add agents to it later from Queues."))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("queueName")
        self.name_edit.setPlaceholderText("Required")
        self.name_error = ErrorLabel(self)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("queueKind")
        for value in QUEUE_KINDS:
            self.kind_combo.addItem(QUEUE_KIND_LABELS[value], value)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setObjectName("queueDescription")
        self.description_edit.setFixedHeight(72)
        self.error_label = ErrorLabel(self)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("Type", self.kind_combo)
        form.addRow("Description", self.description_edit)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(lambda _t: self.name_error.show_message(None))
        apply_editor_style(self)

    def accept(self) -> None:  # noqa: D102 - validates, then saves
        name = self.name_edit.text().strip()
        description = self.description_edit.toPlainText()
        if not name:
            self.name_error.show_message("Enter a name for the queue.")
            self.name_edit.setFocus()
            return
        if len(name) > NAME_MAX:
            self.name_error.show_message(f"A name has at most {NAME_MAX} characters.")
            return
        if len(description) > DESCRIPTION_MAX:
            self.error_label.show_message(f"A description has at most {DESCRIPTION_MAX} characters.")
            return
        try:
            saved = self.services.save_queue({"name": name, "kind": self.kind_combo.currentData(),
                                              "description": description})
        except DocumentInvalid as problem:
            for issue in problem.issues:
                if issue.path == "name":
                    self.name_error.show_message(issue.message[:1].upper() + issue.message[1:] + ".")
                else:
                    self.error_label.show_message(str(issue))
            return
        except UserError as problem:
            self.error_label.show_message(str(problem))
            return
        self.created_name = saved.name
        self.created.emit(saved.name)
        super().accept()


def attach_queue_quick_create(combo: LookupCombo, services, parent: QWidget,
                              kind: Callable[[], str] = lambda: "messaging") -> None:
    """Make the combo's "New queue…" entry open the quick-create dialog and select the result."""

    def open_dialog() -> None:
        dialog = QueueQuickCreateDialog(services, kind(), parent)
        combo.quick_create_dialog = dialog

        def created(name: str) -> None:
            combo.set_names(services.names("queues"))
            combo.set_current_name(name, notify=True)

        def finished(_result: int) -> None:
            if combo.quick_create_dialog is dialog:
                combo.quick_create_dialog = None
            dialog.deleteLater()

        dialog.created.connect(created)
        dialog.finished.connect(finished)
        dialog.open()

    combo.createRequested.connect(open_dialog)


def screen_pop_timeout_label(seconds: int) -> str:
    """One style for every duration: '30 seconds', '1 minute', '2 minutes 30 seconds'."""
    minutes, rest = divmod(seconds, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    if rest or not minutes:
        parts.append(f"{rest} second" + ("s" if rest != 1 else ""))
    return " ".join(parts)
