"""The routing rule item dialog: name, description, where it sends (one queue or a percentage
split) and condition."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from app.routing.conditions import render_condition, validate_condition
from models.choices import DESCRIPTION_MAX, NAME_MAX
from ui.workstreams.condition_builder import ConditionSection
from ui.workstreams.focus import tab_to_checked
from ui.workstreams.split_editor import SplitEditor
from ui.common.widgets import ErrorLabel, LookupCombo, apply_editor_style, attach_queue_quick_create, hint_label


class RuleEditorDialog(QDialog):
    """Create (``rule`` None) or edit a routing rule item of a stream with ``variables``."""

    def __init__(self, services, variables: list[dict], rule: dict | None = None, queue_kind: str = "messaging",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self._original = dict(rule) if rule else None
        self._variables = [dict(v) for v in variables]
        self._labels = {v["name"]: v.get("display_name") or v["name"] for v in variables}
        self._touched: set[str] = set()
        self.setObjectName("ruleEditor")
        self.setWindowTitle("New routing rule item" if rule is None else f"Edit routing rule item - {rule['name']}")
        self.resize(820, 640)
        self.setMinimumSize(640, 480)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("ruleName")
        self.name_edit.setPlaceholderText("Required")
        self.name_error = ErrorLabel(self)
        self.name_error.setObjectName("ruleNameError")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setObjectName("ruleDescription")
        self.description_edit.setFixedHeight(64)
        self.description_edit.setTabChangesFocus(True)
        self.description_counter = hint_label("", self)
        self.description_counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.description_error = ErrorLabel(self)
        self.queue_combo = LookupCombo(services.names("queues"), none_text=None, parent=self)
        self.queue_combo.setObjectName("ruleQueue")
        self.queue_combo.setToolTip("Conversations that meet the condition go to this queue")
        attach_queue_quick_create(self.queue_combo, services, self, lambda: queue_kind)
        self.queue_error = ErrorLabel(self)
        self.queue_error.setObjectName("ruleQueueError")
        # Send to: one queue, or a percentage split over 2..5 queues (document version 2).
        send_row = QWidget(self)
        send_layout = QHBoxLayout(send_row)
        send_layout.setContentsMargins(0, 0, 0, 0)
        send_layout.setSpacing(20)
        self.one_queue_radio = QRadioButton("One queue", send_row)
        self.one_queue_radio.setObjectName("sendToOneQueue")
        self.split_radio = QRadioButton("Split by percentage", send_row)
        self.split_radio.setObjectName("sendToSplit")
        self.split_radio.setToolTip("Each conversation draws one of up to five queues by the percentages given")
        self.send_group = QButtonGroup(self)
        self.send_group.addButton(self.one_queue_radio)
        self.send_group.addButton(self.split_radio)
        tab_to_checked(self.send_group)
        send_layout.addWidget(self.one_queue_radio)
        send_layout.addWidget(self.split_radio)
        send_layout.addStretch(1)
        self.split_editor = SplitEditor(services, lambda: queue_kind, self)
        self.split_editor.tab_anchor = self.split_radio
        # Top to bottom: the Send to choice (made after the queue) comes before the queue.
        for before, after in ((self.description_edit, self.one_queue_radio), (self.one_queue_radio, self.split_radio),
                              (self.split_radio, self.queue_combo)):
            QWidget.setTabOrder(before, after)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("Description", self.description_edit)
        form.addRow("", self.description_counter)
        form.addRow("", self.description_error)
        form.addRow("Send to", send_row)
        form.addRow("Queue", self.queue_combo)
        form.addRow("", self.queue_error)
        form.addRow("Split", self.split_editor)

        self._form = form
        layout.addLayout(form)

        condition = ConditionSection(self, layout, self._variables, rule.get("condition") if rule else None,
                                     "The rule sends a conversation to its queue when this is true.")
        self.builder, self.preview_label, self.condition_error = condition.builder, condition.preview, condition.error

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if rule is not None:
            self.name_edit.setText(rule.get("name", ""))
            self.description_edit.setPlainText(rule.get("description", ""))
            if rule.get("queue"):
                self.queue_combo.set_current_name(rule.get("queue"))
            else:
                self.queue_combo.setCurrentIndex(-1)
        else:
            self.queue_combo.setCurrentIndex(-1)
        shares = (rule or {}).get("queues") or []
        (self.split_radio if shares else self.one_queue_radio).setChecked(True)
        self.split_editor.set_shares(shares)
        self._show_send_to()
        self.send_group.buttonToggled.connect(self._send_to_toggled)
        self.split_editor.changed.connect(lambda: self._touch("split"))

        self.name_edit.textChanged.connect(lambda _t: self._touch("name"))
        self.description_edit.textChanged.connect(lambda: self._touch("description"))
        self.queue_combo.nameChanged.connect(lambda _n: self._touch("queue"))
        self.builder.changed.connect(self._condition_changed)
        self._check_fields()
        self._condition_changed()
        apply_editor_style(self)

    # -------------------------------------------------------------- send to
    def is_split(self) -> bool:
        return self.split_radio.isChecked()

    def _send_to_toggled(self, _button, checked: bool) -> None:
        if not checked:
            return
        if self.is_split() and not self.split_editor.rows:
            # Start from the queue chosen so far, half and half with a second one to choose.
            self.split_editor.add_row(self.queue_combo.current_name(), 50)
            self.split_editor.add_row(None, 50)
            self.split_editor.touched = False
        elif not self.is_split() and self.queue_combo.current_name() is None:
            first = next((s["queue"] for s in self.split_editor.shares() if s["queue"]), None)
            if first:
                self.queue_combo.set_current_name(first)
        self._show_send_to()
        self._check_fields()

    def _show_send_to(self) -> None:
        split = self.is_split()
        self._form.setRowVisible(self.queue_combo, not split)
        self._form.setRowVisible(self.queue_error, not split)
        self._form.setRowVisible(self.split_editor, split)
        if split:
            self.queue_error.show_message(None)

    # -------------------------------------------------------------- checks
    def _touch(self, field: str) -> None:
        self._touched.add(field)
        self._check_fields()

    def _field_problems(self) -> dict[str, str]:
        problems = {}
        name = self.name_edit.text().strip()
        if not name:
            problems["name"] = "Enter a name for the rule."
        elif len(name) > NAME_MAX:
            problems["name"] = f"A name has at most {NAME_MAX} characters (this one has {len(name)})."
        description = self.description_edit.toPlainText()
        if len(description) > DESCRIPTION_MAX:
            problems["description"] = f"A description has at most {DESCRIPTION_MAX} characters."
        if self.is_split():
            split = self.split_editor.problem()
            if split:
                problems["split"] = split
        elif self.queue_combo.current_name() is None:
            problems["queue"] = "Choose the queue this rule routes to."
        return problems

    def _check_fields(self, reveal: bool = False) -> dict[str, str]:
        problems = self._field_problems()
        shown = self._touched | ({"name", "description", "queue"} if reveal else set())
        self.name_error.show_message(problems.get("name") if "name" in shown else None)
        self.description_error.show_message(problems.get("description") if "description" in shown else None)
        self.queue_error.show_message(problems.get("queue") if "queue" in shown else None)
        if reveal and self.is_split():
            self.split_editor.reveal()
        length = len(self.description_edit.toPlainText())
        self.description_counter.setText(f"{length} / {DESCRIPTION_MAX}")
        return problems

    def _condition_changed(self) -> None:
        condition = self.builder.condition()
        text = render_condition(condition, self._labels) if not self.builder.problems() else "…"
        self.preview_label.setText(f"Reads: {text}")
        self.condition_error.show_message(None)

    def condition_issues(self) -> list[str]:
        types = {v["name"]: v.get("type", "text") for v in self._variables}
        return [str(i) for i in validate_condition(self.builder.condition(), types)]

    # -------------------------------------------------------------- result
    def rule(self) -> dict:
        result = dict(self._original or {})
        result.update(name=self.name_edit.text().strip(), description=self.description_edit.toPlainText(),
                      condition=self.builder.condition())
        if self.is_split():
            result.update(queue=None, queues=self.split_editor.shares())
        else:
            result["queue"] = self.queue_combo.current_name() or ""
            if "queues" in result:  # a split no more (a rule has exactly one of the two)
                result["queues"] = []
        return result

    def accept(self) -> None:  # noqa: D102
        problems = self._check_fields(reveal=True)
        bad_row = self.builder.reveal_problems()
        if problems:
            first = next(iter(problems))
            if first == "split":
                bad = next((row for row in self.split_editor.rows if not row.queue_combo.current_name()), None)
                target = bad.queue_combo if bad else (self.split_editor.rows[-1].percent_spin
                                                      if self.split_editor.rows else self.split_editor.add_button)
                target.setFocus()
                return
            {"name": self.name_edit, "description": self.description_edit, "queue": self.queue_combo}[first].setFocus()
            return
        if bad_row is not None:
            self.condition_error.show_message("Fix the condition rows marked in red.")
            (bad_row.value_edit if bad_row.value_edit.isVisible() else bad_row.variable_combo).setFocus()
            return
        issues = self.condition_issues()
        if issues:
            self.condition_error.show_message("; ".join(issues))
            return
        super().accept()
