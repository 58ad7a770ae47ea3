"""The condition builder and the routing rule dialog, driven through their widgets."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.routing.conditions import OPERATOR_LABELS, OPERATORS_BY_TYPE
from ui.workstreams.condition_builder import ConditionBuilder, ConditionRow, GroupWidget
from ui.workstreams.rule_editor import RuleEditorDialog

VARIABLES = [
    {"display_name": "Customer tier", "name": "customertier", "type": "text"},
    {"display_name": "Portfolio value", "name": "portfoliovalue", "type": "number"},
    {"display_name": "Topic", "name": "topic", "type": "text"},
]

NESTED = {"any": [
    {"variable": "topic", "operator": "contains", "value": "invest"},
    {"all": [{"variable": "portfoliovalue", "operator": "ge", "value": 50000},
             {"variable": "topic", "operator": "is_not_empty"},
             {"any": [{"variable": "customertier", "operator": "in", "value": ["Gold", "Platinum"]}]}]},
]}


def operators(row: ConditionRow) -> list[str]:
    return [row.operator_combo.itemData(i) for i in range(row.operator_combo.count())]


def fill_row(qtbot, row: ConditionRow, variable: str, operator: str, value: str | None = None) -> None:
    row.variable_combo.setCurrentIndex(row.variable_combo.findData(variable))
    row.operator_combo.setCurrentIndex(row.operator_combo.findData(operator))
    if value is not None:
        row.value_edit.clear()
        qtbot.keyClicks(row.value_edit, value)


@pytest.fixture
def builder(qtbot):
    widget = ConditionBuilder(VARIABLES)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_an_empty_builder_is_always(builder):
    assert builder.condition() == {"all": []}
    assert builder.root.empty_label.isVisible()
    assert builder.root.remove_button is None  # the root group cannot be removed


def test_build_a_nested_and_or_condition_with_the_buttons(qtbot, builder):
    root = builder.root
    root.mode_combo.setCurrentIndex(root.mode_combo.findData("any"))
    qtbot.mouseClick(root.add_condition_button, Qt.MouseButton.LeftButton)
    fill_row(qtbot, root.rows()[0], "topic", "contains", "invest")
    qtbot.mouseClick(root.add_group_button, Qt.MouseButton.LeftButton)
    group = root.groups()[0]
    assert group.depth == 2 and group.remove_button is not None
    group.mode_combo.setCurrentIndex(group.mode_combo.findData("all"))
    qtbot.mouseClick(group.add_condition_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(group.add_condition_button, Qt.MouseButton.LeftButton)
    fill_row(qtbot, group.rows()[0], "portfoliovalue", "ge", "50000")
    fill_row(qtbot, group.rows()[1], "topic", "is_not_empty")
    qtbot.mouseClick(group.add_group_button, Qt.MouseButton.LeftButton)
    inner = group.groups()[0]
    inner.mode_combo.setCurrentIndex(inner.mode_combo.findData("any"))
    qtbot.mouseClick(inner.add_condition_button, Qt.MouseButton.LeftButton)
    fill_row(qtbot, inner.rows()[0], "customertier", "in", "Gold, Platinum")
    assert builder.problems() == []
    assert builder.condition() == NESTED


def test_a_condition_round_trips_through_the_widgets(builder):
    builder.set_condition(NESTED)
    assert builder.condition() == NESTED
    group = builder.root.groups()[0]
    assert group.mode() == "all"
    assert group.rows()[0].value_edit.text() == "50000"
    assert group.groups()[0].rows()[0].value_edit.text() == "Gold, Platinum"


def test_operators_follow_the_variable_type(qtbot, builder):
    row = builder.root.add_condition()
    row.set_variable("topic")
    assert operators(row) == list(OPERATORS_BY_TYPE["text"])
    assert row.operator_combo.itemText(0) == OPERATOR_LABELS["eq"]
    row.set_operator("contains")
    row.set_variable("portfoliovalue")
    assert operators(row) == list(OPERATORS_BY_TYPE["number"])
    assert "contains" not in operators(row)
    assert row.operator() == "eq"  # 'contains' has no number meaning: back to the first
    row.set_operator("in")
    row.set_variable("customertier")
    assert row.operator() == "in"  # kept where the new type has it


def test_value_editor_hidden_for_is_empty_and_list_editor_for_in(qtbot, builder):
    row = builder.root.add_condition()
    row.set_variable("topic")
    row.set_operator("is_empty")
    assert row.value_edit.isHidden()
    assert row.leaf() == {"variable": "topic", "operator": "is_empty"}
    row.set_operator("not_in")
    assert row.value_edit.isVisible()
    assert "comma" in row.value_edit.placeholderText()
    qtbot.keyClicks(row.value_edit, " billing ,payment,, fees ")
    assert row.leaf() == {"variable": "topic", "operator": "not_in", "value": ["billing", "payment", "fees"]}
    row.set_variable("portfoliovalue")
    row.value_edit.clear()
    qtbot.keyClicks(row.value_edit, "1, 2.5, -3")
    assert row.leaf()["value"] == [1, 2.5, -3]
    assert row.problem() is None


def test_a_number_is_checked_as_typed(qtbot, builder):
    row = builder.root.add_condition()
    row.set_variable("portfoliovalue")
    row.set_operator("gt")
    qtbot.keyClicks(row.value_edit, "12")
    assert not row.error_label.isVisible()
    qtbot.keyClicks(row.value_edit, "k")
    assert row.error_label.isVisible()
    assert row.error_label.text() == "'12k' is not a number."
    assert row.error_label.property("role") == "error"
    assert builder.problems() == ["'12k' is not a number."]
    qtbot.keyClick(row.value_edit, Qt.Key.Key_Backspace)
    assert not row.error_label.isVisible() and builder.problems() == []
    assert row.leaf() == {"variable": "portfoliovalue", "operator": "gt", "value": 12}


def test_a_bad_item_in_a_number_list_is_named(qtbot, builder):
    row = builder.root.add_condition()
    row.set_variable("portfoliovalue")
    row.set_operator("in")
    qtbot.keyClicks(row.value_edit, "1, two, 3")
    assert row.error_label.text() == "'two' is not a number."


def test_blank_values_are_flagged_only_when_revealed(builder):
    row = builder.root.add_condition()
    row.set_variable("topic")
    assert not row.error_label.isVisible()
    assert builder.problems() == ["Enter a value (or use 'is empty')."]
    assert builder.reveal_problems() is row
    assert row.error_label.isVisible()


def test_remove_buttons_remove_rows_and_groups(qtbot, builder):
    builder.set_condition(NESTED)
    root = builder.root
    qtbot.mouseClick(root.groups()[0].remove_button, Qt.MouseButton.LeftButton)
    assert builder.condition() == {"any": [NESTED["any"][0]]}
    qtbot.mouseClick(root.rows()[0].remove_button, Qt.MouseButton.LeftButton)
    assert builder.condition() == {"any": []}
    assert root.empty_label.isVisible()


def test_changes_are_signalled(qtbot, builder):
    with qtbot.waitSignal(builder.changed):
        builder.root.add_condition()
    with qtbot.waitSignal(builder.changed):
        qtbot.keyClicks(builder.rows()[0].value_edit, "x")
    with qtbot.waitSignal(builder.changed):
        builder.root.set_mode("any")


def test_without_variables_only_always_is_possible(qtbot):
    widget = ConditionBuilder([])
    qtbot.addWidget(widget)
    assert not widget.root.add_condition_button.isEnabled()
    assert widget.no_variables_hint is not None
    assert widget.condition() == {"all": []}


def test_an_unknown_variable_stays_visible(qtbot):
    widget = ConditionBuilder(VARIABLES, {"all": [{"variable": "gone", "operator": "eq", "value": "x"}]})
    qtbot.addWidget(widget)
    row = widget.rows()[0]
    assert row.variable_combo.currentText() == "gone (unknown)"
    assert widget.condition() == {"all": [{"variable": "gone", "operator": "eq", "value": "x"}]}


def test_group_depth_is_limited(qtbot, builder):
    group: GroupWidget = builder.root
    while group.add_group_button.isEnabled():
        group = group.add_group()
    assert group.depth == 15
    assert builder.condition()  # still a valid tree


# --------------------------------------------------------------------------- the rule dialog

@pytest.fixture
def dialog(qtbot, services):
    widget = RuleEditorDialog(services, VARIABLES)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_rule_dialog_builds_a_rule(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Big portfolios")
    qtbot.keyClicks(dialog.description_edit, "Large customers")
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.findData("VIP"))
    row = dialog.builder.root.add_condition()
    fill_row(qtbot, row, "portfoliovalue", "ge", "1000000")
    assert dialog.preview_label.text() == "Reads: Portfolio value ≥ 1000000"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.rule() == {"name": "Big portfolios", "description": "Large customers", "queue": "VIP",
                             "condition": {"all": [{"variable": "portfoliovalue", "operator": "ge",
                                                    "value": 1000000}]}}


def test_rule_dialog_requires_name_and_queue(qtbot, dialog):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.name_error.text() == "Enter a name for the rule."
    assert dialog.queue_error.text() == "Choose the queue this rule routes to."
    qtbot.keyClicks(dialog.name_edit, "x" * 101)
    assert "at most 100" in dialog.name_error.text()


def test_rule_dialog_refuses_a_bad_value(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Rule")
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.findData("General"))
    row = dialog.builder.root.add_condition()
    fill_row(qtbot, row, "portfoliovalue", "lt", "abc")
    assert row.error_label.text() == "'abc' is not a number."
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.condition_error.text() == "Fix the condition rows marked in red."


def test_rule_dialog_validates_the_whole_condition(qtbot, services):
    rule = {"name": "Old", "description": "", "queue": "General",
            "condition": {"all": [{"variable": "gone", "operator": "eq", "value": "x"}]}}
    widget = RuleEditorDialog(services, VARIABLES, rule)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
    assert widget.isVisible() and widget.result() == 0
    assert "unknown context variable 'gone'" in widget.condition_error.text()


def test_rule_dialog_new_queue_quick_create(qtbot, dialog, services):
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.new_index())
    quick = dialog.queue_combo.quick_create_dialog
    assert quick is not None and quick.isVisible()
    assert dialog.queue_combo.current_name() is None  # "New queue…" itself is never the choice
    qtbot.keyClicks(quick.name_edit, "Mortgages")
    qtbot.mouseClick(quick.save_button, Qt.MouseButton.LeftButton)
    assert dialog.queue_combo.current_name() == "Mortgages"
    assert "Mortgages" in services.names("queues")
