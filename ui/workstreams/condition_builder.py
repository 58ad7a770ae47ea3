"""The condition builder: nested AND/OR groups of (variable, operator, value) rows.

It reads and writes the condition format of app.routing.conditions: ``{"all": [...]}`` /
``{"any": [...]}`` groups and ``{"variable", "operator", "value"}`` leaves; a
builder with no rows is ``{"all": []}``, which matches everything.  Values are
checked against the variable's type as they are typed (app.routing.conditions.parse_value).
"""
from __future__ import annotations

from typing import Any, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.routing.conditions import (
    LIST_OPERATORS,
    MAX_CONDITION_DEPTH,
    OPERATOR_LABELS,
    OPERATORS_BY_TYPE,
    VALUELESS_OPERATORS,
    always_true,
    is_group,
    parse_value,
)
from ui.common.widgets import ErrorLabel, hint_label, section_title

GROUP_LABELS = {"all": "All of (AND)", "any": "Any of (OR)"}


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value)


class ConditionRow(QFrame):
    """One leaf: context variable, operator (offered by the variable's type) and value."""

    changed = Signal()
    removeRequested = Signal(object)

    def __init__(self, variables: list[dict], leaf: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conditionRow")
        self._variables = variables
        self._reveal_blank = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(6)
        outer.addLayout(line)

        self.variable_combo = QComboBox(self)
        self.variable_combo.setObjectName("conditionVariable")
        self.variable_combo.setFixedWidth(200)
        self.variable_combo.setToolTip("Context variable")
        self.operator_combo = QComboBox(self)
        self.operator_combo.setObjectName("conditionOperator")
        self.operator_combo.setFixedWidth(170)
        self.operator_combo.setToolTip("Operator")
        self.value_edit = QLineEdit(self)
        self.value_edit.setObjectName("conditionValue")
        self.value_edit.setMinimumWidth(140)
        self.value_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeCondition")
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this condition")
        self.remove_button.setAutoRaise(True)
        line.addWidget(self.variable_combo)
        line.addWidget(self.operator_combo)
        line.addWidget(self.value_edit, 1)
        line.addStretch(0)  # takes the room of the value editor while it is hidden
        line.addWidget(self.remove_button)
        self.error_label = ErrorLabel(self)
        self.error_label.setObjectName("conditionError")
        outer.addWidget(self.error_label)

        for variable in variables:
            self.variable_combo.addItem(variable.get("display_name") or variable["name"], variable["name"])
            self.variable_combo.setItemData(self.variable_combo.count() - 1, f"{variable['name']} "
                                            f"({variable.get('type', 'text')})", Qt.ItemDataRole.ToolTipRole)
        leaf = dict(leaf or {})
        name = leaf.get("variable")
        if name is not None and self.variable_combo.findData(name) < 0:
            # a variable this stream no longer has: keep it visible so the problem can be seen
            self.variable_combo.addItem(f"{name} (unknown)", name)
        if name is not None:
            self.variable_combo.setCurrentIndex(self.variable_combo.findData(name))
        self._fill_operators(leaf.get("operator"))
        self.value_edit.setText(_value_text(leaf.get("value")))
        self._update_value_editor()

        self.variable_combo.currentIndexChanged.connect(self._variable_changed)
        self.operator_combo.currentIndexChanged.connect(self._operator_changed)
        self.value_edit.textChanged.connect(self._value_changed)
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))
        self._check()

    # -------------------------------------------------------------- state
    def variable(self) -> str | None:
        return self.variable_combo.currentData()

    def variable_type(self) -> str:
        name = self.variable()
        for variable in self._variables:
            if variable["name"] == name:
                return variable.get("type", "text")
        return "text"

    def operator(self) -> str | None:
        return self.operator_combo.currentData()

    def set_operator(self, operator: str) -> None:
        index = self.operator_combo.findData(operator)
        if index >= 0:
            self.operator_combo.setCurrentIndex(index)

    def set_variable(self, name: str) -> None:
        index = self.variable_combo.findData(name)
        if index >= 0:
            self.variable_combo.setCurrentIndex(index)

    def _fill_operators(self, keep: str | None) -> None:
        operators = OPERATORS_BY_TYPE.get(self.variable_type(), OPERATORS_BY_TYPE["text"])
        self.operator_combo.blockSignals(True)
        try:
            self.operator_combo.clear()
            for operator in operators:
                self.operator_combo.addItem(OPERATOR_LABELS[operator], operator)
            index = self.operator_combo.findData(keep) if keep else -1
            self.operator_combo.setCurrentIndex(index if index >= 0 else 0)
        finally:
            self.operator_combo.blockSignals(False)

    def _update_value_editor(self) -> None:
        operator = self.operator()
        self.value_edit.setVisible(operator not in VALUELESS_OPERATORS)
        number = self.variable_type() == "number"
        if operator in LIST_OPERATORS:
            self.value_edit.setPlaceholderText("numbers, separated by commas" if number
                                               else "values, separated by commas")
            self.value_edit.setToolTip("A comma-separated list, e.g. Gold, Platinum")
        else:
            self.value_edit.setPlaceholderText("a number" if number else "text")
            self.value_edit.setToolTip("Text comparisons ignore case" if not number else "A number, e.g. 500 or 2.5")

    def _variable_changed(self) -> None:
        self._fill_operators(self.operator())
        self._update_value_editor()
        self._check()
        self.changed.emit()

    def _operator_changed(self) -> None:
        self._update_value_editor()
        self._check()
        self.changed.emit()

    def _value_changed(self) -> None:
        self._check()
        self.changed.emit()

    # -------------------------------------------------------------- values
    def _items(self) -> list[str]:
        return [part.strip() for part in self.value_edit.text().split(",") if part.strip()]

    def problem(self) -> str | None:
        """What is wrong with this row as typed (None when it is fine)."""
        if self.variable() is None:
            return "Choose a context variable."
        operator = self.operator()
        if operator in VALUELESS_OPERATORS:
            return None
        var_type = self.variable_type()
        if operator in LIST_OPERATORS:
            items = self._items()
            if not items:
                return "Enter at least one value, separated by commas."
            for item in items:
                try:
                    parse_value(item, var_type)
                except ValueError as reason:
                    return f"{str(reason)[:1].upper()}{str(reason)[1:]}."
            return None
        if not self.value_edit.text().strip():
            return "Enter a value (or use 'is empty')."
        try:
            parse_value(self.value_edit.text(), var_type)
        except ValueError as reason:
            return f"{str(reason)[:1].upper()}{str(reason)[1:]}."
        return None

    def _check(self) -> None:
        problem = self.problem()
        blank = not self.value_edit.text().strip()
        if problem and blank and not self._reveal_blank:
            problem = None  # don't nag about a field not filled in yet
        self.error_label.show_message(problem)
        self.value_edit.setProperty("invalid", bool(problem))

    def reveal_problems(self) -> None:
        self._reveal_blank = True
        self._check()

    def leaf(self) -> dict:
        """The row as a condition leaf (values parsed; as typed when they don't parse)."""
        operator = self.operator()
        leaf: dict[str, Any] = {"variable": self.variable() or "", "operator": operator}
        if operator in VALUELESS_OPERATORS:
            return leaf
        var_type = self.variable_type()
        if operator in LIST_OPERATORS:
            values = []
            for item in self._items():
                try:
                    values.append(parse_value(item, var_type))
                except ValueError:
                    values.append(item)
            leaf["value"] = values
            return leaf
        text = self.value_edit.text()
        try:
            leaf["value"] = parse_value(text.strip() if var_type == "number" else text, var_type)
        except ValueError:
            leaf["value"] = text
        return leaf


class GroupWidget(QFrame):
    """An AND/OR group: its mode, its rows and nested groups, and buttons to add them."""

    changed = Signal()
    removeRequested = Signal(object)

    def __init__(self, variables: list[dict], node: dict | None = None, depth: int = 1,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conditionGroup")
        self.setProperty("depth", depth)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._variables = variables
        self.depth = depth
        self.items: list[ConditionRow | GroupWidget] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.setSpacing(6)
        header = QHBoxLayout()
        header.setSpacing(6)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("groupMode")
        for key, label in GROUP_LABELS.items():
            self.mode_combo.addItem(label, key)
        self.mode_combo.setToolTip("All of: every condition must be true. Any of: at least one must be true.")
        self.add_condition_button = QPushButton("+ Condition", self)
        self.add_condition_button.setObjectName("addCondition")
        self.add_group_button = QPushButton("+ Group", self)
        self.add_group_button.setObjectName("addGroup")
        self.add_group_button.setToolTip("Add a nested group with its own AND/OR")
        header.addWidget(self.mode_combo)
        header.addStretch(1)
        header.addWidget(self.add_condition_button)
        header.addWidget(self.add_group_button)
        self.remove_button: QToolButton | None = None
        if depth > 1:
            self.remove_button = QToolButton(self)
            self.remove_button.setObjectName("removeGroup")
            self.remove_button.setText("✕")
            self.remove_button.setToolTip("Remove this group and everything in it")
            self.remove_button.setAutoRaise(True)
            self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))
            header.addWidget(self.remove_button)
        layout.addLayout(header)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        layout.addLayout(self.body)
        self.empty_label = QLabel(self)
        self.empty_label.setProperty("role", "hint")
        self.empty_label.setText("No conditions: the rule matches every conversation." if depth == 1
                                 else "Empty group: add a condition or remove the group.")
        layout.addWidget(self.empty_label)

        if not variables:
            self.add_condition_button.setEnabled(False)
            self.add_condition_button.setToolTip("Add context variables on the Context variables tab first")
        else:
            self.add_condition_button.setToolTip("Add a row comparing a context variable")
        if depth >= MAX_CONDITION_DEPTH - 1:
            self.add_group_button.setEnabled(False)

        node = node if node is not None else always_true()
        if not is_group(node):
            node = {"all": [node]}
        key = next(iter(node))
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(key))
        for child in node[key]:
            if is_group(child):
                self.add_group(child, notify=False)
            else:
                self.add_condition(child, notify=False)
        self._update_empty()

        self.mode_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.add_condition_button.clicked.connect(lambda: self.add_condition(focus=True))
        self.add_group_button.clicked.connect(lambda: self.add_group(focus=True))

    def mode(self) -> str:
        return self.mode_combo.currentData()

    def set_mode(self, key: str) -> None:
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(key))

    def rows(self) -> list[ConditionRow]:
        return [i for i in self.items if isinstance(i, ConditionRow)]

    def groups(self) -> list["GroupWidget"]:
        return [i for i in self.items if isinstance(i, GroupWidget)]

    def add_condition(self, leaf: dict | None = None, notify: bool = True, focus: bool = False) -> ConditionRow:
        row = ConditionRow(self._variables, leaf, self)
        self._add(row, notify)
        if focus:
            row.variable_combo.setFocus()
        return row

    def add_group(self, node: dict | None = None, notify: bool = True, focus: bool = False) -> "GroupWidget":
        group = GroupWidget(self._variables, node if node is not None else {"any": []}, self.depth + 1, self)
        self._add(group, notify)
        if focus:
            group.mode_combo.setFocus()
        return group

    def _add(self, item: "ConditionRow | GroupWidget", notify: bool) -> None:
        self.items.append(item)
        self.body.addWidget(item)
        item.show()  # the layout would only show it on the next event-loop turn
        item.changed.connect(self.changed)
        item.removeRequested.connect(self.remove_item)
        self._update_empty()
        if notify:
            self.changed.emit()

    def remove_item(self, item: "ConditionRow | GroupWidget") -> None:
        if item not in self.items:
            return
        self.items.remove(item)
        self.body.removeWidget(item)
        item.hide()
        item.setParent(None)
        item.deleteLater()
        self._update_empty()
        self.changed.emit()

    def _update_empty(self) -> None:
        self.empty_label.setVisible(not self.items)

    def node(self) -> dict:
        return {self.mode(): [item.node() if isinstance(item, GroupWidget) else item.leaf() for item in self.items]}

    def all_rows(self) -> Iterable[ConditionRow]:
        for item in self.items:
            if isinstance(item, GroupWidget):
                yield from item.all_rows()
            else:
                yield item


class ConditionBuilder(QWidget):
    """The whole condition: a root group (which cannot be removed)."""

    changed = Signal()

    def __init__(self, variables: list[dict], condition: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conditionBuilder")
        self._variables = [dict(v) for v in variables]
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        if not variables:
            self.no_variables_hint: QLabel | None = hint_label(
                "This stream has no context variables yet, so the rule can only match every conversation. "
                "Add variables on the Context variables tab.", self)
            self._layout.addWidget(self.no_variables_hint)
        else:
            self.no_variables_hint = None
        self._holder = QVBoxLayout()
        self._holder.setContentsMargins(0, 0, 0, 0)
        self._layout.addLayout(self._holder)
        self._layout.addStretch(1)
        self.root: GroupWidget = self._make_root(condition)

    def _make_root(self, condition: dict | None) -> GroupWidget:
        root = GroupWidget(self._variables, condition if condition is not None else always_true(), 1, self)
        root.changed.connect(self.changed)
        self._holder.addWidget(root)
        root.show()
        return root

    def set_condition(self, condition: dict | None) -> None:
        old = self.root
        self._holder.removeWidget(old)
        old.hide()
        old.setParent(None)
        old.deleteLater()
        self.root = self._make_root(condition)
        self.changed.emit()

    def condition(self) -> dict:
        return self.root.node()

    def rows(self) -> list[ConditionRow]:
        return list(self.root.all_rows())

    def problems(self) -> list[str]:
        return [p for p in (row.problem() for row in self.rows()) if p]

    def reveal_problems(self) -> ConditionRow | None:
        """Show every row's problem (blank values too); returns the first bad row."""
        first = None
        for row in self.rows():
            row.reveal_problems()
            if first is None and row.problem():
                first = row
        return first


class ConditionSection:
    """The "Condition" part of a rule dialog (routing and classification rules alike): its
    title, what the rule does when the condition is true, the builder in a scroll area, the
    condition read back in words (``preview``) and its problems (``error``)."""

    def __init__(self, parent: QWidget, layout: QBoxLayout, variables, condition: dict | None,
                 when_true: str):
        layout.addWidget(section_title("Condition", parent))
        layout.addWidget(hint_label(f"{when_true} Rules are evaluated top to bottom; the first match wins.",
                                    parent))
        self.builder = ConditionBuilder(variables, condition, parent)
        scroll = QScrollArea(parent)
        scroll.setObjectName("conditionScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.builder)
        layout.addWidget(scroll, 1)
        self.preview = QLabel(parent)
        self.preview.setObjectName("conditionPreview")
        self.preview.setProperty("role", "hint")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.preview)
        self.error = ErrorLabel(parent)
        self.error.setObjectName("conditionProblems")
        layout.addWidget(self.error)
