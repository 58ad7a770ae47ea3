"""The queue dialog's Operating hours and Overflow tabs (document version 2).

``OperatingHoursEditor``: always open, or a week grid (per day its from–to ranges,
typed as ``09:00–17:00, 18:00–20:00``) in a time zone, minus closed dates.
``OverflowEditor``: what happens when the queue is closed, and when more than N (1–100)
conversations wait: transfer to another queue, end with a reason, or assign anyway.
The rules are tried in that order, as the document keeps them.

Both give and take the document's own values (``value()`` / ``set_value()``); the
dialog saves them with the rest of the queue, and the service checks them
(time zone, overlapping ranges, a transfer to itself, ...) with paths that
``field_for`` turns back into the error label of the row concerned.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.choices import NAME_MAX, OVERFLOW_LIMIT_MAX, WEEKDAYS
from ui.common.spin_boxes import DateEdit, SpinBox

DAY_LABELS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
              "sat": "Saturday", "sun": "Sunday"}
DASH = "–"
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
_RANGE = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|to)\s*{_TIME}\s*$", re.IGNORECASE)

OVERFLOW_ACTION_LABELS = {"transfer": "Transfer to queue", "end": "End the conversation",
                          "assign_anyway": "Assign anyway"}


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


def local_time_zone() -> str:
    """This computer's IANA time zone when it can be told, else UTC (a new schedule's default)."""
    target = os.path.realpath("/etc/localtime")
    name = target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else os.environ.get("TZ", "")
    return name if name in time_zones() else "UTC"


def format_ranges(ranges: list[list[str]]) -> str:
    return ", ".join(f"{start}{DASH}{end}" for start, end in ranges)


def parse_ranges(text: str) -> list[list[str]]:
    """'9-12:30, 13:30–17' -> [['09:00', '12:30'], ['13:30', '17:00']]; ValueError names a bad piece."""
    ranges = []
    for piece in (p for p in text.split(",") if p.strip()):
        match = _RANGE.match(piece)
        if match is None:
            raise ValueError(f"'{piece.strip()}' is not a range like 09:00{DASH}17:00")
        h1, m1, h2, m2 = match.groups()
        ranges.append([f"{int(h1):02d}:{m1 or '00'}", f"{int(h2):02d}:{m2 or '00'}"])
    return ranges


class DateList(QListWidget):
    """The closed dates; Delete removes the current one."""

    removeRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem() is not None:
            self.removeRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class OperatingHoursEditor(QWidget):
    """Always open, or weekly ranges in a time zone minus closed dates."""

    changed = Signal()

    def __init__(self, error_label, parent=None):
        super().__init__(parent)
        self.errors = {key: error_label() for key in ("timezone", "week", "closed_dates")}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)

        choice = QHBoxLayout()
        self.always_open = QRadioButton("Always open")
        self.scheduled = QRadioButton("Open at these hours")
        self.group = QButtonGroup(self)
        self.group.addButton(self.always_open)
        self.group.addButton(self.scheduled)
        self.always_open.setChecked(True)
        choice.addWidget(self.always_open)
        choice.addWidget(self.scheduled)
        choice.addStretch(1)
        layout.addLayout(choice)

        self.schedule = QWidget()
        grid = QGridLayout(self.schedule)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel("Time zone"), 0, 0)
        self.timezone_combo = QComboBox()
        self.timezone_combo.setObjectName("timezone")
        self.timezone_combo.setEditable(True)
        self.timezone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone_combo.addItems(list(time_zones()))
        completer = QCompleter(list(time_zones()), self.timezone_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone_combo.setCompleter(completer)
        self.timezone_combo.setCurrentText(local_time_zone())
        grid.addWidget(self.timezone_combo, 0, 1, 1, 2)
        grid.addWidget(self.errors["timezone"], 1, 1, 1, 2)

        self.day_edits: dict[str, QLineEdit] = {}
        for row, day in enumerate(WEEKDAYS, start=2):
            label = QLabel(DAY_LABELS[day])
            edit = QLineEdit()
            edit.setObjectName(f"hours_{day}")
            edit.setPlaceholderText("Closed")
            edit.setToolTip(f"{DAY_LABELS[day]}'s opening hours, e.g. 09:00{DASH}17:00 or "
                            f"09:00{DASH}12:30, 13:30{DASH}17:00; empty is closed all day")
            label.setBuddy(edit)
            edit.textEdited.connect(self._edited)
            edit.editingFinished.connect(lambda e=edit: self._tidy(e))
            grid.addWidget(label, row, 0)
            grid.addWidget(edit, row, 1)
            self.day_edits[day] = edit
        self.copy_button = QPushButton("&Copy to Tue–Fri")
        self.copy_button.setToolTip("Give Tuesday to Friday Monday's hours")
        self.copy_button.clicked.connect(self.copy_monday)
        grid.addWidget(self.copy_button, 2, 2)
        QWidget.setTabOrder(self.day_edits["mon"], self.copy_button)  # Monday, then its copy, then Tuesday
        QWidget.setTabOrder(self.copy_button, self.day_edits["tue"])
        week_row = 2 + len(WEEKDAYS)
        hint = QLabel(f"From{DASH}to ranges (09:00{DASH}17:00), several with commas; empty: closed that day.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        grid.addWidget(hint, week_row, 1, 1, 2)
        grid.addWidget(self.errors["week"], week_row + 1, 1, 1, 2)

        grid.addWidget(QLabel("Closed dates"), week_row + 2, 0, Qt.AlignmentFlag.AlignTop)
        dates = QVBoxLayout()
        dates.setSpacing(6)
        add_row = QHBoxLayout()
        self.date_edit = DateEdit(QDate.currentDate())
        self.date_edit.setObjectName("closedDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.add_date_button = QPushButton("Add date")
        self.add_date_button.clicked.connect(self.add_date)
        self.remove_date_button = QPushButton("Remove")
        self.date_list = DateList()
        self.date_list.setObjectName("closedDates")
        self.date_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.date_list.setFixedHeight(3 * (self.date_list.fontMetrics().height() + 8) + 8)  # three dates
        self.date_list.removeRequested.connect(self.remove_date)
        self.remove_date_button.clicked.connect(self.remove_date)
        add_row.addWidget(self.date_edit)
        add_row.addWidget(self.add_date_button)
        add_row.addWidget(self.remove_date_button)
        add_row.addStretch(1)
        dates.addLayout(add_row)
        dates.addWidget(self.date_list)
        dates.addWidget(self.errors["closed_dates"])
        grid.addLayout(dates, week_row + 2, 1, 1, 2)
        layout.addWidget(self.schedule)
        layout.addStretch(1)

        self.group.buttonToggled.connect(lambda *_: self._mode_changed())
        self.timezone_combo.currentTextChanged.connect(lambda _t: self._edited())
        self._mode_changed()

    # ------------------------------------------------------------------ editing

    def _edited(self, *_args) -> None:
        self.errors["week"].hide()
        self.changed.emit()

    def _tidy(self, edit: QLineEdit) -> None:
        """After typing '9-17', show it as '09:00–17:00' (what is saved)."""
        try:
            edit.setText(format_ranges(parse_ranges(edit.text())))
        except ValueError:
            pass  # left as typed: saving says what is wrong with it

    def _mode_changed(self) -> None:
        self.schedule.setEnabled(self.scheduled.isChecked())
        self.changed.emit()

    def copy_monday(self) -> None:
        for day in ("tue", "wed", "thu", "fri"):
            self.day_edits[day].setText(self.day_edits["mon"].text())
        self.changed.emit()

    def add_date(self) -> None:
        text = self.date_edit.date().toString("yyyy-MM-dd")
        if text not in self.dates():
            self.date_list.addItem(text)
            self.date_list.sortItems()
        self.date_list.setCurrentItem(self.date_list.findItems(text, Qt.MatchFlag.MatchExactly)[0])
        self.changed.emit()

    def remove_date(self) -> None:
        row = self.date_list.currentRow()
        if row >= 0:
            self.date_list.takeItem(row)
            self.changed.emit()

    def dates(self) -> list[str]:
        return [self.date_list.item(i).text() for i in range(self.date_list.count())]

    # ------------------------------------------------------------------ value

    def is_open_always(self) -> bool:
        return self.always_open.isChecked()

    def week(self) -> tuple[dict[str, list[list[str]]], list[str]]:
        """The week as the document has it, and a sentence for each day that does not read as ranges."""
        week, problems = {}, []
        for day, edit in self.day_edits.items():
            try:
                ranges = parse_ranges(edit.text())
            except ValueError as error:
                problems.append(f"{DAY_LABELS[day]}: {error}")
                continue
            if ranges:
                week[day] = ranges
        return week, problems

    def value(self) -> dict | None:
        """The document's operating_hours (None: always open); ValueError when a day cannot be read."""
        if self.is_open_always():
            return None
        week, problems = self.week()
        if problems:
            raise ValueError("\n".join(problems))
        return {"timezone": self.timezone_combo.currentText().strip(), "week": week, "closed_dates": self.dates()}

    def set_value(self, hours: dict | None) -> None:
        self.scheduled.setChecked(hours is not None)
        self.always_open.setChecked(hours is None)
        hours = hours or {}
        if hours.get("timezone"):
            self.timezone_combo.setCurrentText(hours["timezone"])
        week = hours.get("week", {})
        for day, edit in self.day_edits.items():
            edit.setText(format_ranges(week.get(day, [])))
        self.date_list.clear()
        self.date_list.addItems(sorted(hours.get("closed_dates", [])))
        self._mode_changed()



class OverflowRow:
    """One overflow condition: its check box, its action and the action's queue or reason."""

    def __init__(self, when: str, error_label, queues: list[str]):
        self.when = when
        self.enabled = QCheckBox("When the queue is closed" if when == "closed" else "When more than")
        self.enabled.setObjectName(f"overflow_{when}")
        self.limit_spin: QSpinBox | None = None
        if when == "waiting_exceeds":
            self.limit_spin = SpinBox()
            self.limit_spin.setObjectName("overflowLimit")
            self.limit_spin.setRange(1, OVERFLOW_LIMIT_MAX)
            self.limit_spin.setValue(20)
            self.limit_spin.setSuffix(" waiting")
            self.limit_spin.setToolTip(f"How many waiting conversations are too many (1 to {OVERFLOW_LIMIT_MAX})")
        self.action_combo = QComboBox()
        self.action_combo.setObjectName(f"overflowAction_{when}")
        for action, label in OVERFLOW_ACTION_LABELS.items():
            self.action_combo.addItem(label, action)
        self.queue_combo = QComboBox()
        self.queue_combo.setObjectName(f"overflowQueue_{when}")
        self.queue_combo.setPlaceholderText("Choose a queue")
        self.queue_combo.addItems(queues)
        self.queue_combo.setCurrentIndex(-1)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName(f"overflowReason_{when}")
        self.reason_edit.setMaxLength(NAME_MAX)
        self.reason_edit.setPlaceholderText("Reason (optional)")
        self.target = QStackedWidget()  # one size for all three: nothing moves when the action changes
        self.target.addWidget(self.queue_combo)
        self.target.addWidget(self.reason_edit)
        nothing = QLabel("the first agent who can take it, at once")
        nothing.setProperty("role", "hint")
        self.target.addWidget(nothing)
        self.error = error_label()
        self.error.setObjectName(f"error_overflow_{when}")
        self.action_combo.currentIndexChanged.connect(self._action_changed)
        self.enabled.toggled.connect(self._enabled_changed)
        self._action_changed()
        self._enabled_changed(False)

    def _action_changed(self, *_args) -> None:
        self.target.setCurrentIndex(list(OVERFLOW_ACTION_LABELS).index(self.action_combo.currentData()))

    def _enabled_changed(self, on: bool) -> None:
        for widget in (self.action_combo, self.target, self.limit_spin):
            if widget is not None:
                widget.setEnabled(on)
        self.error.hide()

    def value(self) -> dict | None:
        if not self.enabled.isChecked():
            return None
        action = self.action_combo.currentData()
        rule: dict = {"when": self.when, "action": action}
        if self.limit_spin is not None:
            rule["limit"] = self.limit_spin.value()
        if action == "transfer":
            rule["queue"] = self.queue_combo.currentText() or None
        elif action == "end":
            rule["reason"] = self.reason_edit.text().strip()
        return rule

    def set_value(self, rule: dict | None) -> None:
        self.enabled.setChecked(rule is not None)
        rule = rule or {}
        self.action_combo.setCurrentIndex(max(0, self.action_combo.findData(rule.get("action", "transfer"))))
        if self.limit_spin is not None and rule.get("limit"):
            self.limit_spin.setValue(rule["limit"])
        queue = rule.get("queue") or ""
        if queue and self.queue_combo.findText(queue) < 0:
            self.queue_combo.addItem(queue)
        self.queue_combo.setCurrentIndex(self.queue_combo.findText(queue) if queue else -1)
        self.reason_edit.setText(rule.get("reason") or "")
        self._enabled_changed(rule != {})


class OverflowEditor(QWidget):
    """The overflow rules, in the order they are tried: closed first, then too many waiting."""

    changed = Signal()

    def __init__(self, error_label, queues: list[str], parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)
        self.default_note = QLabel()
        self.default_note.setProperty("role", "note")
        self.default_note.setWordWrap(True)
        self.default_note.hide()
        layout.addWidget(self.default_note)
        intro = QLabel("What happens to a conversation this queue cannot take. The rules are tried in this "
                       "order; the first that applies acts.")
        intro.setProperty("role", "hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnMinimumWidth(0, 18)
        grid.setColumnStretch(3, 1)
        self.rows = {when: OverflowRow(when, error_label, queues) for when in ("closed", "waiting_exceeds")}
        for index, row in enumerate(self.rows.values()):
            line = index * 3
            condition = QHBoxLayout()
            condition.setSpacing(6)
            condition.addWidget(row.enabled)
            if row.limit_spin is not None:
                condition.addWidget(row.limit_spin)
            condition.addStretch(1)
            grid.addLayout(condition, line, 0, 1, 4)
            then = QLabel("then")
            then.setProperty("role", "hint")
            grid.addWidget(then, line + 1, 1)
            grid.addWidget(row.action_combo, line + 1, 2)
            grid.addWidget(row.target, line + 1, 3)
            grid.addWidget(row.error, line + 2, 1, 1, 3)
            for signal in (row.enabled.toggled, row.action_combo.currentIndexChanged,
                           row.queue_combo.currentIndexChanged, row.reason_edit.textEdited):
                signal.connect(lambda *_: self.changed.emit())
            if row.limit_spin is not None:
                row.limit_spin.valueChanged.connect(lambda *_: self.changed.emit())
        layout.addLayout(grid)
        self.closed_hint = QLabel("A queue that is always open is never closed: set its operating hours first.")
        self.closed_hint.setProperty("role", "hint")
        self.closed_hint.setWordWrap(True)
        policy = self.closed_hint.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.closed_hint.setSizePolicy(policy)
        layout.addWidget(self.closed_hint)
        layout.addStretch(1)

    def set_has_hours(self, has_hours: bool) -> None:
        """'When closed' needs operating hours; a rule already there stays, to be seen and taken off."""
        row = self.rows["closed"]
        row.enabled.setEnabled(has_hours or row.enabled.isChecked())
        self.closed_hint.setVisible(not has_hours)

    def value(self) -> list[dict]:
        return [rule for rule in (row.value() for row in self.rows.values()) if rule is not None]

    def set_value(self, rules: list[dict]) -> None:
        by_when = {rule["when"]: rule for rule in rules}
        for when, row in self.rows.items():
            row.set_value(by_when.get(when))

    def when_of(self, index: int) -> str | None:
        """The condition of the ``index``-th rule of ``value()`` (to place an issue's message)."""
        checked = [when for when, row in self.rows.items() if row.enabled.isChecked()]
        return checked[index] if 0 <= index < len(checked) else None
