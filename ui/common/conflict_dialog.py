"""Someone else saved first: both versions side by side, then Keep mine / Take theirs / Cancel.

``ConflictDialog(parent, title, mine, theirs)`` takes the two versions of one
object as the editors hold them (a work stream, queue, agent or presence
document as a dict) and lists them field by field: *Your version* (the unsaved
edit) against *Their version* (what is saved now). Fields that differ are marked
(≠, bold, tinted), so the colour is never the only cue; "Only the differences"
hides the rest. For work streams and the other configuration objects, the
differences are also spelled out as ``app.interchange.bundles.diff`` phrases them (a rule's
queue, a renamed variable...), as what keeping yours would change.

``choice`` is ``"mine"``, ``"theirs"`` or ``"cancel"`` (also for Esc / closing).
Shown through ``ui.common.messages.conflict``, the one place dialogs are asked from.
"""
from __future__ import annotations

from typing import Any, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.interchange.bundles.diff import FIELD_LABELS
from app.routing.conditions import render_condition
from models.choices import (
    BASE_PRESENCE_NAMES,
    CHANNEL_KIND_LABELS,
    CHANNEL_LABELS,
    DISTRIBUTION_MODE_LABELS,
    NOTIFICATION_LABELS,
    QUEUE_KIND_LABELS,
    VARIABLE_TYPE_LABELS,
)
from ui.common.widgets import apply_editor_style, hint_label

MINE, THEIRS, CANCEL = "mine", "theirs", "cancel"
MARK_COLUMN, FIELD_COLUMN, MINE_COLUMN, THEIRS_COLUMN = range(4)
DIFFERS = "≠"
_TINT = QColor("#FFF4CE")  # the stylesheet's warning background

# Choice values shown as the editors show them.
_VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "channel": CHANNEL_LABELS,
    "distribution_mode": DISTRIBUTION_MODE_LABELS,
    "notification": NOTIFICATION_LABELS,
    "allowed_presences": BASE_PRESENCE_NAMES,
    "base": BASE_PRESENCE_NAMES,
}
_EXTRA_LABELS = {
    "context_variables": "context variables",
    "routing_rules": "routing rules",
    "auto_close_after_inactivity_s": "auto-close after inactivity (s)",
    "workstream": "work stream",
}


def field_label(name: str) -> str:
    text = _EXTRA_LABELS.get(name) or FIELD_LABELS.get(name) or name.replace("_", " ")
    return text[:1].upper() + text[1:]


def render_value(name: str, value: Any) -> str:
    """How one field's value reads in the comparison (lists one item per line)."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    labels = _VALUE_LABELS.get(name, {})
    if name == "kind":
        labels = {**QUEUE_KIND_LABELS, **CHANNEL_KIND_LABELS}
    if isinstance(value, list):
        if not value:
            return "(none)"
        if all(isinstance(v, Mapping) for v in value):
            return "\n".join(_render_item(name, i, item) for i, item in enumerate(value, 1))
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, Mapping):
        return render_condition(value) if value else "(none)"
    text = str(value)
    return labels.get(text, text) if text else "(empty)"


def _render_item(field: str, position: int, item: Mapping[str, Any]) -> str:
    if field == "routing_rules":
        return f"{position}. {item.get('name')} → {item.get('queue')}: {render_condition(item.get('condition') or {})}"
    if field == "context_variables":
        kind = VARIABLE_TYPE_LABELS.get(item.get("type", ""), item.get("type", ""))
        return f"{item.get('display_name')} ({item.get('name')}, {kind})"
    if field == "channels":
        kind = CHANNEL_KIND_LABELS.get(item.get("kind", ""), item.get("kind", ""))
        return f"{item.get('name')} ({kind}{', default' if item.get('is_default') else ''})"
    rest = ", ".join(f"{k}={v}" for k, v in item.items() if k not in ("id", "name"))
    return f"{item.get('name', '')} ({rest})" if rest else str(item.get("name", ""))


def _without_ids(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def compare_fields(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(field, your text, their text, differs) per field, in the document's order, ids left out."""
    names = [k for k in mine if k != "id"] + [k for k in theirs if k != "id" and k not in mine]
    rows = []
    for name in names:
        a, b = _without_ids(mine.get(name)), _without_ids(theirs.get(name))
        rows.append((name, render_value(name, a), render_value(name, b), a != b))
    return rows


def _kind_of(doc: Mapping[str, Any]) -> str | None:
    if "routing_rules" in doc or "distribution_mode" in doc:
        return "workstreams"
    if "agents" in doc:
        return "queues"
    if "base" in doc:
        return "presences"
    if "presence" in doc:
        return "agents"
    return None


def change_lines(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[str]:
    """What saving yours over theirs changes, as the bundle diff phrases it (empty if it can't tell)."""
    from app.interchange.bundles.diff import diff_documents
    from app.config.document import FORMAT_NAME, FORMAT_VERSION

    kind = _kind_of(mine)
    if kind is None or kind != _kind_of(theirs):
        return []

    def document(obj: Mapping[str, Any]) -> dict:
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, kind: [dict(obj)]}

    try:
        return diff_documents(document(theirs), document(mine)).render_text().splitlines()
    except Exception:  # noqa: BLE001 - an unfinished draft need not be a valid document; the table still shows it
        return []


class ConflictDialog(QDialog):
    """Both versions of an object, field by field; ``choice`` says which one the user kept."""

    def __init__(self, parent: QWidget | None, title: str, mine: Mapping[str, Any], theirs: Mapping[str, Any],
                 *, text: str = "", informative: str = ""):
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(title)
        self.setMinimumSize(720, 440)
        self.choice = CANCEL
        self.rows = compare_fields(mine, theirs)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.message = QLabel(text or "Someone else saved a newer version while you were editing.", self)
        self.message.setObjectName("conflictMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error-banner")
        layout.addWidget(self.message)
        if informative:
            layout.addWidget(hint_label(informative, self))

        differing = len(self.differing_fields())
        self.summary = hint_label(
            f"{differing} field{'s' if differing != 1 else ''} differ{'s' if differing == 1 else ''} "
            "(marked ≠). Your version is what you have not saved yet; theirs is what is saved now."
            if differing else "The two versions have the same fields: only the version number moved on.", self)
        self.summary.setObjectName("conflictSummary")
        layout.addWidget(self.summary)

        self.only_differences = QCheckBox("Only the differences", self)
        self.only_differences.setObjectName("onlyDifferences")
        self.only_differences.toggled.connect(self._filter)
        layout.addWidget(self.only_differences)

        self.table = QTableWidget(len(self.rows), 4, self)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(["", "Field", "Your version", "Their version (saved)"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(MARK_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FIELD_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MINE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(THEIRS_COLUMN, QHeaderView.ResizeMode.Stretch)
        for row, (name, mine_text, theirs_text, differs) in enumerate(self.rows):
            cells = (DIFFERS if differs else "", field_label(name), mine_text, theirs_text)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if differs:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(QBrush(_TINT))
                    item.setToolTip(f"{field_label(name)} differs")
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        # Wrapped lists take the height their column's new width needs.
        header.sectionResized.connect(self._fit_rows)
        layout.addWidget(self.table, 1)

        self.changes = change_lines(mine, theirs)
        self.changes_view = QPlainTextEdit("\n".join(self.changes), self)
        self.changes_view.setObjectName("conflictChanges")
        self.changes_view.setReadOnly(True)
        self.changes_view.setMaximumHeight(110)
        self.changes_title = hint_label("Keeping yours changes, compared with theirs:", self)
        layout.addWidget(self.changes_title)
        layout.addWidget(self.changes_view)
        self.changes_title.setVisible(bool(self.changes))
        self.changes_view.setVisible(bool(self.changes))

        buttons = QDialogButtonBox(self)
        self.keep_mine = QPushButton("Keep mine", self)
        self.keep_mine.setObjectName("keepMine")
        self.keep_mine.setToolTip("Save your version over theirs")
        self.take_theirs = QPushButton("Take theirs", self)
        self.take_theirs.setObjectName("takeTheirs")
        self.take_theirs.setToolTip("Discard your changes and load their version")
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setObjectName("cancel")
        self.cancel.setToolTip("Keep editing; nothing is saved or loaded")
        buttons.addButton(self.keep_mine, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.take_theirs, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_mine.clicked.connect(lambda: self._choose(MINE))
        self.take_theirs.clicked.connect(lambda: self._choose(THEIRS))
        self.cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.cancel.setDefault(True)  # a stray Enter neither overwrites nor discards
        self.cancel.setFocus()
        apply_editor_style(self)

    def differing_fields(self) -> list[str]:
        return [name for name, _mine, _theirs, differs in self.rows if differs]

    def visible_fields(self) -> list[str]:
        return [self.rows[row][0] for row in range(self.table.rowCount()) if not self.table.isRowHidden(row)]

    def _fit_rows(self, column: int, _old: int, _new: int) -> None:
        if column in (MINE_COLUMN, THEIRS_COLUMN):
            self.table.resizeRowsToContents()

    def _filter(self, only: bool) -> None:
        for row, (_name, _mine, _theirs, differs) in enumerate(self.rows):
            self.table.setRowHidden(row, only and not differs)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        self.choice = CANCEL
        super().reject()
