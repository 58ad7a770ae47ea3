"""A routing rule's percentage split: up to five queue + percent rows that sum to 100."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.common.names import name_key
from models.choices import MAX_SPLIT_QUEUES
from ui.common.icons import icon
from ui.common.widgets import ErrorLabel, LookupCombo, attach_queue_quick_create
from ui.workstreams.classification_dialog import focusable_before
from ui.common.spin_boxes import SpinBox


def split_problem(shares: list[dict]) -> str | None:
    """The first thing wrong with a split, said for the form (None: it can be saved)."""
    if len(shares) < 2:
        return "A split needs 2 to 5 queues; choose One queue for one."
    if any(not share["queue"] for share in shares):
        return "Choose a queue in every row."
    seen: set[str] = set()
    for share in shares:
        if name_key(share["queue"]) in seen:
            return f"Queue '{share['queue']}' is listed twice."
        seen.add(name_key(share["queue"]))
    if any(not 1 <= share["percent"] <= 99 for share in shares):
        return "Each queue takes 1 to 99 %."
    total = sum(share["percent"] for share in shares)
    if total != 100:
        return f"The percentages add up to {total} %, not 100 %."
    return None


class _ShareRow(QWidget):
    changed = Signal()
    removeRequested = Signal(object)

    def __init__(self, services, queues: list[str], queue_kind, parent: QWidget):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.queue_combo = LookupCombo(queues, none_text=None, parent=self)
        self.queue_combo.setObjectName("splitQueue")
        self.queue_combo.setCurrentIndex(-1)
        attach_queue_quick_create(self.queue_combo, services, self, queue_kind)
        self.percent_spin = SpinBox(self)
        self.percent_spin.setObjectName("splitPercent")
        self.percent_spin.setRange(0, 100)
        self.percent_spin.setSuffix(" %")
        self.percent_spin.setMinimumWidth(90)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("splitRemove")
        self.remove_button.setIcon(icon("delete"))
        self.remove_button.setProperty("role", "icon")
        self.remove_button.setToolTip("Remove this queue from the split")
        self.remove_button.setAccessibleName("Remove queue")
        layout.addWidget(self.queue_combo, 1)
        layout.addWidget(self.percent_spin)
        layout.addWidget(self.remove_button)
        self.queue_combo.nameChanged.connect(lambda _n: self.changed.emit())
        self.percent_spin.valueChanged.connect(lambda _v: self.changed.emit())
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))

    def share(self) -> dict:
        return {"queue": self.queue_combo.current_name() or "", "percent": self.percent_spin.value()}


class SplitEditor(QWidget):
    """The rows, an Add queue button, the running total and one inline error whose space is kept
    (so the dialog's buttons never move when it comes and goes)."""

    changed = Signal()

    def __init__(self, services, queue_kind, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("splitEditor")
        self.services = services
        self._queue_kind = queue_kind
        self._queues = services.names("queues")
        self.rows: list[_ShareRow] = []
        self.tab_anchor: QWidget | None = None  # what Tab reaches just before the first row (the dialog says)
        self.touched = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(6)
        layout.addLayout(self._rows_layout)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add queue", self)
        self.add_button.setObjectName("splitAdd")
        self.add_button.setToolTip(f"Add a queue to the split (at most {MAX_SPLIT_QUEUES})")
        self.add_button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        self.total_label = QLabel(self)
        self.total_label.setObjectName("splitTotal")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        bottom.addWidget(self.total_label)
        layout.addLayout(bottom)
        self.error_label = ErrorLabel(self)
        self.error_label.setObjectName("splitError")
        self.error_label.setWordWrap(False)
        # The space is reserved: the message appears and goes without moving anything below it.
        policy = self.error_label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.error_label.setSizePolicy(policy)
        self.error_label.setMinimumHeight(self.error_label.fontMetrics().lineSpacing() + 2)
        layout.addWidget(self.error_label)
        self._update()

    # ------------------------------------------------------------------ rows
    def add_row(self, queue: str | None = None, percent: int = 0, focus: bool = False) -> _ShareRow | None:
        if len(self.rows) >= MAX_SPLIT_QUEUES:
            return None
        row = _ShareRow(self.services, self._queues, self._queue_kind, self)
        if queue:
            row.queue_combo.set_current_name(queue)
        row.percent_spin.setValue(percent)
        row.changed.connect(self._row_changed)
        row.removeRequested.connect(self.remove_row)
        self._rows_layout.addWidget(row)
        # Rows are made after the dialog's other widgets: put each in the Tab order where it shows.
        anchor = self.rows[-1].remove_button if self.rows else (self.tab_anchor or focusable_before(self.add_button))
        for before, after in ((anchor, row.queue_combo), (row.queue_combo, row.percent_spin),
                              (row.percent_spin, row.remove_button)):
            QWidget.setTabOrder(before, after)
        self.rows.append(row)
        if focus:
            self.touched = True
            row.queue_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update()
        self.changed.emit()
        return row

    def remove_row(self, row: _ShareRow) -> None:
        if row not in self.rows:
            return
        at = self.rows.index(row)
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self.touched = True
        self._update()
        self.changed.emit()
        if self.rows:
            self.rows[min(at, len(self.rows) - 1)].queue_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_shares(self, shares: list[dict]) -> None:
        for row in list(self.rows):
            self.rows.remove(row)
            row.hide()
            row.deleteLater()
        for share in shares[:MAX_SPLIT_QUEUES]:
            self.add_row(share.get("queue"), int(share.get("percent", 0)))
        self.touched = False
        self._update()

    def shares(self) -> list[dict]:
        return [row.share() for row in self.rows]

    # ------------------------------------------------------------------ checks
    def problem(self) -> str | None:
        return split_problem(self.shares())

    def reveal(self) -> str | None:
        self.touched = True
        self._update()
        return self.problem()

    def _row_changed(self) -> None:
        self.touched = True
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        total = sum(row.percent_spin.value() for row in self.rows)
        self.total_label.setText(f"Total {total} %")
        self.add_button.setEnabled(len(self.rows) < MAX_SPLIT_QUEUES)
        for row in self.rows:
            row.remove_button.setEnabled(len(self.rows) > 1)
        self.error_label.show_message(self.problem() if self.touched else None)
