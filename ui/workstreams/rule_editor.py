"""The routing rule item dialog: name, description, destination queue and condition."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.routing.conditions import render_condition, validate_condition
from models.choices import DESCRIPTION_MAX, NAME_MAX
from ui.workstreams.condition_builder import ConditionBuilder
from ui.common.widgets import ErrorLabel, LookupCombo, apply_editor_style, attach_queue_quick_create, hint_label, \
    section_title


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
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("Description", self.description_edit)
        form.addRow("", self.description_counter)
        form.addRow("", self.description_error)
        form.addRow("Route to queue", self.queue_combo)
        form.addRow("", self.queue_error)
        self._form = form
        layout.addLayout(form)

        layout.addWidget(section_title("Condition", self))
        layout.addWidget(hint_label("The rule sends a conversation to its queue when this is true. "
                                    "Rules are evaluated top to bottom; the first match wins.", self))
        self.builder = ConditionBuilder(self._variables, rule.get("condition") if rule else None, self)
        scroll = QScrollArea(self)
        scroll.setObjectName("conditionScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.builder)
        layout.addWidget(scroll, 1)
        self.preview_label = QLabel(self)
        self.preview_label.setObjectName("conditionPreview")
        self.preview_label.setProperty("role", "hint")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.preview_label)
        self.condition_error = ErrorLabel(self)
        self.condition_error.setObjectName("conditionProblems")
        layout.addWidget(self.condition_error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        if rule is not None:
            self.name_edit.setText(rule.get("name", ""))
            self.description_edit.setPlainText(rule.get("description", ""))
            self.queue_combo.set_current_name(rule.get("queue"))
        else:
            self.queue_combo.setCurrentIndex(-1)

        self.name_edit.textChanged.connect(lambda _t: self._touch("name"))
        self.description_edit.textChanged.connect(lambda: self._touch("description"))
        self.queue_combo.nameChanged.connect(lambda _n: self._touch("queue"))
        self.builder.changed.connect(self._condition_changed)
        self._check_fields()
        self._condition_changed()
        apply_editor_style(self)

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
        if self.queue_combo.current_name() is None:
            problems["queue"] = "Choose the queue this rule routes to."
        return problems

    def _check_fields(self, reveal: bool = False) -> dict[str, str]:
        problems = self._field_problems()
        shown = self._touched | ({"name", "description", "queue"} if reveal else set())
        self.name_error.show_message(problems.get("name") if "name" in shown else None)
        self.description_error.show_message(problems.get("description") if "description" in shown else None)
        self.queue_error.show_message(problems.get("queue") if "queue" in shown else None)
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
                      queue=self.queue_combo.current_name() or "", condition=self.builder.condition())
        return result

    def accept(self) -> None:  # noqa: D102
        problems = self._check_fields(reveal=True)
        bad_row = self.builder.reveal_problems()
        if problems:
            first = next(iter(problems))
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
