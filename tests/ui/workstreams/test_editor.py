"""The work stream editor driven like a user: fields, variables, rules, guards, undo, save."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QSplitter

from ui.common import messages
from ui.workstreams.editor_models import RulesModel
from ui.workstreams.rule_editor import RuleEditorDialog
from ui.workstreams.variable_dialog import VariableDialog
from ui.workstreams.editor import NEW_TITLE, WorkStreamEditor

RETAIL = "Chat - Retail banking"
RETAIL_RULES = ["Private banking customers", "Investment questions", "Billing and overdrafts"]


@pytest.fixture
def open_editor(qtbot, services):
    def factory(name: str | None = None, channel: str = "live_chat") -> WorkStreamEditor:
        stream_id = services.workstream_id_by_name(name) if name else None
        editor = WorkStreamEditor(services, stream_id, channel=channel)
        qtbot.addWidget(editor)
        editor.resize(1100, 750)
        editor.show()
        return editor
    return factory


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def rule_names(editor: WorkStreamEditor) -> list[str]:
    model = editor.rules_model
    return [model.index(r, RulesModel.NAME).data() for r in range(model.rowCount())]


def variable_names(editor: WorkStreamEditor) -> list[str]:
    model = editor.variables_model
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def select_variable(editor: WorkStreamEditor, name: str) -> None:
    editor.variables_view.selectRow(variable_names(editor).index(name))


def add_variable(qtbot, editor: WorkStreamEditor, display: str, *, name: str | None = None,
                 number: bool = False) -> VariableDialog:
    click(qtbot, editor.new_variable_button)
    dialog = editor.current_dialog
    assert isinstance(dialog, VariableDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.display_name_edit, display)
    if name is not None:
        dialog.name_edit.selectAll()
        qtbot.keyClicks(dialog.name_edit, name)
    if number:
        dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("number"))
    return dialog


def stored(services, stream_id: str):
    return services.load_workstream(stream_id).doc


# --------------------------------------------------------------------------- create and reopen

def test_create_a_stream_and_every_field_survives_save_and_reload(qtbot, open_editor, services):
    editor = open_editor()
    assert editor.title() == NEW_TITLE and editor.workstream_id() is None and editor.version() is None
    assert editor.channel_combo.isEnabled()
    assert editor.status_label.text() == "Inactive"
    with qtbot.waitSignal(editor.dirtyChanged) as dirty:
        qtbot.keyClicks(editor.name_edit, "SMS - Mortgages")
    assert dirty.args == [True]
    editor.channel_combo.setCurrentIndex(editor.channel_combo.findData("sms"))
    editor.capacity_spin.setValue(25)
    editor.auto_close_edit.hours.setValue(1)
    editor.auto_close_edit.minutes.setValue(30)
    click(qtbot, editor.pick_radio)
    editor.notification_combo.setCurrentIndex(editor.notification_combo.findData("screen_pop_decline"))
    editor.timeout_combo.setCurrentIndex(editor.timeout_combo.findData(180))
    assert editor.timeout_combo.currentText() == "3 minutes"
    click(qtbot, editor.presences.box("away"))
    click(qtbot, editor.presences.box("busy"))
    editor.assign_after_spin.setValue(45)
    click(qtbot, editor.keep_agent_check)
    editor.wrap_up_edit.minutes.setValue(2)
    editor.wrap_up_edit.seconds.setValue(30)
    editor.default_queue_combo.setCurrentIndex(editor.default_queue_combo.findData("Billing"))
    assert editor.is_dirty()

    with qtbot.waitSignal(editor.saved) as saved, qtbot.waitSignal(editor.titleChanged) as titled:
        assert editor.save()
    stream_id = editor.workstream_id()
    assert stream_id and saved.args == [stream_id]
    assert titled.args == ["SMS - Mortgages"]
    assert not editor.is_dirty()
    assert editor.title() == "SMS - Mortgages"
    assert not editor.channel_combo.isEnabled()  # fixed once created
    assert editor.version() == services.load_workstream(stream_id).version

    doc = stored(services, stream_id)
    assert doc.name == "SMS - Mortgages"
    assert doc.channel == "sms"
    assert doc.active is False
    assert doc.capacity == 25
    assert doc.auto_close_after_inactivity_s == 5400
    assert doc.distribution_mode == "pick"
    assert doc.notification == "screen_pop_decline"
    assert doc.screen_pop_timeout_s == 180
    assert doc.allowed_presences == ["available", "away"]
    assert doc.assign_after_decline_s == 45
    assert doc.keep_same_agent is True
    assert doc.wrap_up_block_s == 150
    assert doc.default_queue == "Billing"

    again = open_editor("SMS - Mortgages")
    assert again.name_edit.text() == "SMS - Mortgages"
    assert again.channel_combo.currentData() == "sms"
    assert again.capacity_spin.value() == 25
    assert again.auto_close_edit.value() == 5400
    assert again.pick_radio.isChecked()
    assert again.timeout_combo.currentData() == 180
    assert again.presences.values() == ["available", "away"]
    assert again.assign_after_spin.value() == 45
    assert again.keep_agent_check.isChecked()
    assert again.wrap_up_edit.value() == 150
    assert again.default_queue_combo.current_name() == "Billing"
    assert not again.is_dirty()


def test_screen_pop_timeout_defaults_to_120_and_is_disabled_for_direct_open(qtbot, open_editor):
    editor = open_editor()
    assert editor.timeout_combo.currentData() == 120
    assert editor.timeout_combo.currentText() == "2 minutes"
    assert editor.timeout_combo.count() == 10
    assert editor.timeout_combo.itemData(0) == 30 and editor.timeout_combo.itemData(9) == 300
    assert editor.timeout_combo.isEnabled()
    editor.notification_combo.setCurrentIndex(editor.notification_combo.findData("direct_open"))
    assert not editor.timeout_combo.isEnabled()
    editor.notification_combo.setCurrentIndex(editor.notification_combo.findData("screen_pop_timeout"))
    assert editor.timeout_combo.isEnabled()
    sms = open_editor("SMS - Billing alerts")  # stored with direct open
    assert not sms.timeout_combo.isEnabled()


def test_auto_close_zero_reads_never(open_editor):
    editor = open_editor()
    assert editor.auto_close_edit.value() == 0
    assert editor.auto_close_edit.zero_label.isVisible()
    assert editor.auto_close_edit.zero_label.text() == "Never"
    editor.auto_close_edit.minutes.setValue(5)
    assert not editor.auto_close_edit.zero_label.isVisible()
    assert editor.draft()["auto_close_after_inactivity_s"] == 300


def test_wrap_up_block_is_capped_at_twelve_hours(open_editor):
    editor = open_editor()
    editor.wrap_up_edit.hours.setValue(12)
    editor.wrap_up_edit.minutes.setValue(30)
    assert editor.wrap_up_edit.value() == 43_200
    assert editor.draft()["wrap_up_block_s"] == 43_200


def test_existing_stream_shows_status_and_locks_the_channel(open_editor):
    editor = open_editor(RETAIL)
    assert editor.title() == RETAIL
    assert editor.status_label.text() == "Active"
    assert not editor.channel_combo.isEnabled()
    assert editor.auto_close_edit.value() == 600
    assert editor.presences.values() == ["available", "busy"]
    assert editor.default_queue_combo.current_name() == "General"


def test_new_queue_from_the_default_queue_lookup(qtbot, open_editor, services):
    editor = open_editor()
    combo = editor.default_queue_combo
    combo.setCurrentIndex(combo.new_index())
    quick = combo.quick_create_dialog
    assert quick is not None and quick.isVisible()
    assert combo.current_name() is None
    qtbot.mouseClick(quick.save_button, Qt.MouseButton.LeftButton)
    assert quick.name_error.text() == "Enter a name for the queue."
    qtbot.keyClicks(quick.name_edit, "Billing")
    qtbot.mouseClick(quick.save_button, Qt.MouseButton.LeftButton)
    assert quick.name_error.text() == "A queue named 'Billing' already exists."
    quick.name_edit.clear()
    qtbot.keyClicks(quick.name_edit, "Mortgages")
    qtbot.keyClicks(quick.description_edit, "Home loans")
    qtbot.mouseClick(quick.save_button, Qt.MouseButton.LeftButton)
    assert not quick.isVisible()
    assert combo.current_name() == "Mortgages"
    assert editor.draft()["default_queue"] == "Mortgages"
    assert "Mortgages" in services.names("queues")
    editor.undo_stack.undo()
    assert combo.current_name() is None


def test_set_tab_and_the_routing_side_panel(open_editor):
    editor = open_editor(RETAIL)
    for name, title in [("routing-rules", "Routing rule items"), ("context-variables", "Context variables"),
                        ("work-distribution", "Work distribution")]:
        editor.set_tab(name)
        assert editor.current_tab() == name
        assert editor.tabs.tabText(editor.tabs.currentIndex()) == title
    panel = editor.routing_side_panel
    assert panel.layout() is not None and panel.minimumWidth() >= 200
    assert isinstance(panel.parent(), QSplitter)


# --------------------------------------------------------------------------- context variables

def test_add_variables_through_the_quick_create_dialog(qtbot, open_editor, services):
    editor = open_editor()
    assert editor.variables_stack.currentWidget() is editor.variables_empty_label
    assert editor.variables_empty_label.text() == \
        "No context variables yet. Click New to add one; routing rules compare them."
    qtbot.keyClicks(editor.name_edit, "Chat - Variables")

    dialog = add_variable(qtbot, editor, "Customer tier")
    assert dialog.name_edit.text() == "customertier"
    click(qtbot, dialog.save_button)
    assert editor.current_dialog is None
    assert editor.variables_stack.currentWidget() is editor.variables_view

    dialog = add_variable(qtbot, editor, "2nd line")
    assert dialog.name_edit.text() == "_2ndline"
    click(qtbot, dialog.save_button)

    dialog = add_variable(qtbot, editor, "Customer Tier", number=True)
    assert dialog.name_edit.text() == "customertier_2"  # a clash gets _2
    click(qtbot, dialog.save_button)

    dialog = add_variable(qtbot, editor, "Topic")
    qtbot.keyClicks(dialog.name_edit, "_code")  # by hand: the name stops following
    qtbot.keyClicks(dialog.display_name_edit, " of call")
    assert dialog.name_edit.text() == "topic_code"
    click(qtbot, dialog.save_button)

    dialog = add_variable(qtbot, editor, "Duplicate", name="TOPIC_CODE")
    assert dialog.name_error.text() == "This work stream already has a variable named 'TOPIC_CODE'."
    assert not dialog.save_button.isEnabled()
    dialog.reject()

    assert variable_names(editor) == ["customertier", "_2ndline", "customertier_2", "topic_code"]
    assert editor.variables_model.index(2, 2).data() == "Number"
    assert editor.save()
    doc = stored(services, editor.workstream_id())
    assert sorted((v.display_name, v.name, v.type) for v in doc.context_variables) == [
        ("2nd line", "_2ndline", "text"),
        ("Customer Tier", "customertier_2", "number"),
        ("Customer tier", "customertier", "text"),
        ("Topic of call", "topic_code", "text"),
    ]
    assert all(v["id"] for v in editor.draft()["context_variables"])  # ids adopted after the save


def test_delete_of_a_variable_used_by_rules_is_refused_naming_them(qtbot, open_editor, answers):
    editor = open_editor(RETAIL)
    editor.set_tab("context-variables")
    select_variable(editor, "topic")
    click(qtbot, editor.delete_variable_button)
    kind, title, text = answers.asked[-1]
    assert kind == "error"
    assert "'Investment questions', 'Billing and overdrafts'" in text
    assert "topic" in variable_names(editor)
    assert not editor.is_dirty()
    # the Delete key goes through the same guard
    qtbot.keyClick(editor.variables_view, Qt.Key.Key_Delete)
    assert len(answers.asked) == 2 and "topic" in variable_names(editor)


def test_delete_an_unused_variable_with_the_delete_key_and_undo(qtbot, open_editor):
    editor = open_editor(RETAIL)
    click(qtbot, add_variable(qtbot, editor, "Language").save_button)
    select_variable(editor, "language")
    qtbot.keyClick(editor.variables_view, Qt.Key.Key_Delete)
    assert "language" not in variable_names(editor)
    editor.undo_stack.undo()
    assert "language" in variable_names(editor)
    editor.undo_stack.undo()
    assert "language" not in variable_names(editor)
    assert not editor.is_dirty()


def test_renaming_a_variable_updates_the_rules_in_one_undo_step(qtbot, open_editor, services):
    editor = open_editor(RETAIL)
    select_variable(editor, "topic")
    qtbot.keyClick(editor.variables_view, Qt.Key.Key_Return)  # Enter opens Edit
    dialog = editor.current_dialog
    assert isinstance(dialog, VariableDialog) and dialog.name_edit.text() == "topic"
    assert "'Investment questions', 'Billing and overdrafts'" in dialog.type_note.text()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "subject")
    click(qtbot, dialog.save_button)
    rules = editor.draft()["routing_rules"]
    assert "subject" in str(rules[1]["condition"]) and "'topic'" not in str(rules[1]["condition"])
    assert editor.undo_stack.undoText() == "Rename variable 'topic' to 'subject' (updates 2 rules and 2 classification rules)"
    editor.undo_stack.undo()
    assert "topic" in variable_names(editor)
    assert "'topic'" in str(editor.draft()["routing_rules"][1]["condition"])
    editor.undo_stack.redo()
    assert editor.save()
    doc = stored(services, editor.workstream_id())
    assert "subject" in {v.name for v in doc.context_variables}
    assert doc.routing_rules[2].condition["any"][0] == {"variable": "subject", "operator": "in",
                                                        "value": ["billing", "payment", "fees", "statement"]}


def test_changing_the_type_of_a_variable_used_by_rules_is_refused(qtbot, open_editor, answers):
    editor = open_editor(RETAIL)
    select_variable(editor, "portfoliovalue")
    click(qtbot, editor.edit_variable_button)
    dialog = editor.current_dialog
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("text"))
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert "rule 'Investment questions'" in answers.asked[-1][2]
    dialog.reject()
    assert not editor.is_dirty()


# --------------------------------------------------------------------------- routing rules

def test_build_a_rule_with_a_nested_condition_and_save_it(qtbot, open_editor, services):
    editor = open_editor(RETAIL)
    editor.set_tab("routing-rules")
    click(qtbot, editor.new_rule_button)
    dialog = editor.current_dialog
    assert isinstance(dialog, RuleEditorDialog)
    qtbot.keyClicks(dialog.name_edit, "Wealthy or platinum")
    qtbot.keyClicks(dialog.description_edit, "Nested test")
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.findData("VIP"))
    root = dialog.builder.root
    root.mode_combo.setCurrentIndex(root.mode_combo.findData("any"))
    click(qtbot, root.add_condition_button)
    row = root.rows()[0]
    row.variable_combo.setCurrentIndex(row.variable_combo.findData("customertier"))
    row.operator_combo.setCurrentIndex(row.operator_combo.findData("eq"))
    qtbot.keyClicks(row.value_edit, "Platinum")
    click(qtbot, root.add_group_button)
    group = root.groups()[0]
    group.mode_combo.setCurrentIndex(group.mode_combo.findData("all"))
    click(qtbot, group.add_condition_button)
    click(qtbot, group.add_condition_button)
    first, second = group.rows()
    first.variable_combo.setCurrentIndex(first.variable_combo.findData("portfoliovalue"))
    first.operator_combo.setCurrentIndex(first.operator_combo.findData("gt"))
    qtbot.keyClicks(first.value_edit, "250000")
    second.variable_combo.setCurrentIndex(second.variable_combo.findData("topic"))
    second.operator_combo.setCurrentIndex(second.operator_combo.findData("not_in"))
    qtbot.keyClicks(second.value_edit, "complaint, fraud")
    click(qtbot, dialog.save_button)

    expected = {"any": [
        {"variable": "customertier", "operator": "eq", "value": "Platinum"},
        {"all": [{"variable": "portfoliovalue", "operator": "gt", "value": 250000},
                 {"variable": "topic", "operator": "not_in", "value": ["complaint", "fraud"]}]},
    ]}
    assert rule_names(editor) == RETAIL_RULES + ["Wealthy or platinum"]
    assert editor.rules_model.index(3, RulesModel.ORDER).data() == "4"
    assert editor.rules_model.index(3, RulesModel.CONDITION).data() == ("Customer tier = 'Platinum' OR (Portfolio value > 250000 "
                                                     "AND Topic is not one of ['complaint', 'fraud'])")
    assert editor.save()
    rule = stored(services, editor.workstream_id()).routing_rules[3]
    assert (rule.name, rule.description, rule.queue, rule.condition) == \
        ("Wealthy or platinum", "Nested test", "VIP", expected)


def test_an_invalid_number_in_a_rule_is_flagged_inline(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.set_tab("routing-rules")
    editor.rules_view.selectRow(2)
    click(qtbot, editor.edit_rule_button)
    dialog = editor.current_dialog
    row = dialog.builder.rows()[1]  # account balance < 0
    assert row.variable() == "accountbalance"
    row.value_edit.selectAll()
    qtbot.keyClicks(row.value_edit, "minus one")
    assert row.error_label.isVisible() and row.error_label.text() == "'minus one' is not a number."
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    dialog.reject()
    assert not editor.is_dirty()


def test_an_always_rule_and_delete_with_undo(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.set_tab("routing-rules")
    editor.rules_view.setFocus()
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_Insert)
    dialog = editor.current_dialog
    assert isinstance(dialog, RuleEditorDialog)
    qtbot.keyClicks(dialog.name_edit, "Everything else")
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.findData("General"))
    click(qtbot, dialog.save_button)
    assert editor.rules_model.index(3, RulesModel.CONDITION).data() == "(always)"
    assert editor.draft()["routing_rules"][3]["condition"] == {"all": []}
    editor.rules_view.selectRow(0)
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_Delete)
    assert rule_names(editor) == RETAIL_RULES[1:] + ["Everything else"]
    editor.undo_stack.undo()
    assert rule_names(editor) == RETAIL_RULES + ["Everything else"]
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(editor.current_dialog, RuleEditorDialog)
    editor.current_dialog.reject()


def test_reorder_rules_with_buttons_keys_model_and_drag_then_save(qtbot, open_editor, services):
    editor = open_editor(RETAIL)
    editor.set_tab("routing-rules")
    p, i, b = RETAIL_RULES
    editor.rules_view.selectRow(0)
    assert not editor.move_up_button.isEnabled()
    editor.rules_view.selectRow(2)
    assert not editor.move_down_button.isEnabled()
    click(qtbot, editor.move_up_button)
    assert rule_names(editor) == [p, b, i]
    assert editor.selected_row("rules") == 1  # the selection follows the rule
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert rule_names(editor) == [b, p, i]
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert rule_names(editor) == [p, b, i]
    click(qtbot, editor.move_down_button)
    assert rule_names(editor) == [p, i, b]
    assert editor.undo_stack.undoText() == f"Move rule '{b}' down"

    model = editor.rules_model
    assert model.moveRows(QModelIndex(), 2, 1, QModelIndex(), 0)  # through the undo stack too
    assert rule_names(editor) == [b, p, i]
    assert [model.index(r, RulesModel.ORDER).data() for r in range(3)] == ["1", "2", "3"]
    editor.undo_stack.undo()
    assert rule_names(editor) == [p, i, b]
    editor.undo_stack.redo()
    assert rule_names(editor) == [b, p, i]

    data = model.mimeData([model.index(0, c) for c in range(4)])  # drag the first rule below the last
    model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert rule_names(editor) == [p, i, b]
    editor.undo_stack.undo()
    assert rule_names(editor) == [b, p, i]

    assert editor.save()
    assert [r.name for r in stored(services, editor.workstream_id()).routing_rules] == [b, p, i]
    assert not editor.is_dirty()
    editor.undo_stack.undo()  # undo after a save makes the editor dirty again
    assert editor.is_dirty() and rule_names(editor) == [p, i, b]


def test_enter_opens_the_rule_editor_and_edit_is_undoable(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.rules_view.selectRow(0)
    qtbot.keyClick(editor.rules_view, Qt.Key.Key_Return)
    dialog = editor.current_dialog
    assert isinstance(dialog, RuleEditorDialog) and dialog.name_edit.text() == RETAIL_RULES[0]
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.findData("General"))
    click(qtbot, dialog.save_button)
    assert editor.rules_model.index(0, RulesModel.QUEUE).data() == "General"
    assert editor.draft()["routing_rules"][0]["id"]  # the rule keeps its id
    editor.undo_stack.undo()
    assert editor.rules_model.index(0, RulesModel.QUEUE).data() == "VIP"
    assert not editor.is_dirty()


def test_variables_model_passes_modeltester_while_editing(qtmodeltester, qtbot, open_editor):
    # (one model per test: the tester keeps listening to the first model it checked)
    editor = open_editor(RETAIL)
    qtmodeltester.check(editor.variables_model, force_py=True)
    click(qtbot, add_variable(qtbot, editor, "Language").save_button)
    select_variable(editor, "language")
    click(qtbot, editor.delete_variable_button)
    editor.undo_stack.undo()
    qtmodeltester.check(editor.variables_model, force_py=True)


def test_rules_model_passes_modeltester_while_editing(qtmodeltester, qtbot, open_editor):
    editor = open_editor(RETAIL)
    qtmodeltester.check(editor.rules_model, force_py=True)
    editor.rules_view.selectRow(1)
    click(qtbot, editor.move_up_button)
    click(qtbot, editor.delete_rule_button)
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    qtmodeltester.check(editor.rules_model, force_py=True)


# --------------------------------------------------------------------------- validation

def test_name_is_checked_as_typed(qtbot, open_editor):
    editor = open_editor()
    error = editor._field_errors["name"]
    qtbot.keyClicks(editor.name_edit, "A")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Backspace)
    assert error.isVisible() and error.text() == "Enter a name."
    assert error.property("role") == "error"
    qtbot.keyClicks(editor.name_edit, "x" * 101)
    assert error.text() == "A name has at most 100 characters (this one has 101)."
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "Fine")
    assert not error.isVisible()


def test_no_allowed_presence_is_refused(qtbot, open_editor):
    editor = open_editor(RETAIL)
    click(qtbot, editor.presences.box("available"))
    click(qtbot, editor.presences.box("busy"))
    assert editor._field_errors["allowed_presences"].text() == "Choose at least one presence."
    assert not editor.save()
    assert editor.summary_label.isVisible()


def test_duplicate_name_is_reported_inline_from_the_service(qtbot, open_editor, services):
    editor = open_editor()
    qtbot.keyClicks(editor.name_edit, RETAIL.upper())
    editor.set_tab("routing-rules")
    assert not editor.save()
    assert editor.workstream_id() is None
    error = editor._field_errors["name"]
    assert error.isVisible()
    assert error.text() == f"A work stream named '{RETAIL}' already exists."
    assert editor.summary_label.isVisible()
    assert editor.summary_label.text().startswith("Not saved: 1 problem to fix. First: Name:")
    assert editor.current_tab() == "work-distribution"  # moved to the first bad field
    assert not editor.tabs.tabIcon(0).isNull() and editor.tabs.tabIcon(2).isNull()
    qtbot.keyClicks(editor.name_edit, " 2")
    assert not error.isVisible() and not editor.summary_label.isVisible()
    assert editor.tabs.tabIcon(0).isNull()
    assert editor.save()
    assert stored(services, editor.workstream_id()).name == RETAIL.upper() + " 2"


def test_problems_on_another_tab_mark_it_and_its_row(qtbot, open_editor):
    editor = open_editor(RETAIL)
    # a rule routing to a queue that does not exist (say, deleted elsewhere since)
    editor._add_rule({"name": "Lost", "description": "", "queue": "Nowhere", "condition": {"all": []}})
    assert not editor.save()
    assert editor.current_tab() == "routing-rules"
    assert not editor.tabs.tabIcon(2).isNull() and editor.tabs.tabIcon(0).isNull()
    assert editor.tabs.tabToolTip(2) == "1 problem to fix"
    assert editor.rules_error.text() == "Rule 4 'Lost' (queue): Unknown queue 'Nowhere'."
    assert editor.rules_model.index(3, RulesModel.NAME).data(Qt.ItemDataRole.DecorationRole) is not None
    assert editor.selected_row("rules") == 3
    editor.undo_stack.undo()
    assert editor.tabs.tabIcon(2).isNull() and not editor.rules_error.isVisible()
    assert editor.save()


# --------------------------------------------------------------------------- guards

def test_unsaved_changes_guard(qtbot, open_editor, services, answers):
    editor = open_editor(RETAIL)
    assert editor.maybe_close()  # nothing changed: no question
    assert answers.asked == []
    qtbot.keyClicks(editor.name_edit, " (EU)")
    answers.push(messages.CANCEL)
    assert not editor.maybe_close()
    assert answers.asked[-1][:2] == ("question", "Unsaved changes")
    assert f"'{RETAIL}'" in answers.asked[-1][2]
    assert editor.is_dirty()
    answers.push(messages.DISCARD)
    assert editor.maybe_close()
    assert stored(services, editor.workstream_id()).name == RETAIL
    answers.push(messages.SAVE)
    assert editor.maybe_close()
    assert stored(services, editor.workstream_id()).name == RETAIL + " (EU)"
    assert not editor.is_dirty()


def test_save_answer_with_invalid_fields_keeps_the_editor_open(qtbot, open_editor, answers):
    editor = open_editor(RETAIL)
    editor.name_edit.clear()
    answers.push(messages.SAVE)
    assert not editor.maybe_close()
    assert editor._field_errors["name"].text() == "Enter a name."


def _change_behind_the_editors_back(services, stream_id: str, **changes) -> None:
    loaded = services.load_workstream(stream_id)
    services.save_workstream({**loaded.doc.model_dump(), **changes}, stream_id, loaded.version)


def test_version_conflict_cancel_then_take_theirs(qtbot, open_editor, services, answers):
    editor = open_editor(RETAIL)
    stream_id, version = editor.workstream_id(), editor.version()
    _change_behind_the_editors_back(services, stream_id, capacity=99)
    qtbot.keyClicks(editor.name_edit, " (mine)")
    answers.push(messages.CANCEL)
    assert not editor.save()
    kind, _title, text = answers.asked[-1]
    assert kind == "conflict" and "changed by someone else" in text
    assert editor.is_dirty() and editor.version() == version
    answers.push("theirs")
    with qtbot.waitSignal(editor.dirtyChanged):
        assert not editor.save()
    assert not editor.is_dirty()
    assert editor.name_edit.text() == RETAIL and editor.capacity_spin.value() == 99
    assert editor.version() == services.load_workstream(stream_id).version
    assert editor.undo_stack.count() == 0


def test_version_conflict_keep_mine(qtbot, open_editor, services, answers):
    editor = open_editor(RETAIL)
    stream_id = editor.workstream_id()
    _change_behind_the_editors_back(services, stream_id, capacity=99, active=False)
    qtbot.keyClicks(editor.name_edit, " (mine)")
    answers.push("mine")
    assert editor.save()
    doc = stored(services, stream_id)
    assert doc.name == RETAIL + " (mine)"
    assert doc.capacity == 30  # my fields, saved over theirs
    assert doc.active is False  # activation is not the editor's field: theirs is kept
    assert editor.status_label.text() == "Inactive"
    assert editor.version() == services.load_workstream(stream_id).version
    assert not editor.is_dirty()


def test_version_conflict_shows_both_versions(qtbot, open_editor, services, monkeypatch):
    from ui.common.conflict_dialog import ConflictDialog

    editor = open_editor(RETAIL)
    stream_id = editor.workstream_id()
    _change_behind_the_editors_back(services, stream_id, capacity=99, active=False)
    qtbot.keyClicks(editor.name_edit, " (mine)")
    monkeypatch.setattr(messages, "responder", None)
    shown = []

    def answer(dialog):
        qtbot.addWidget(dialog)
        shown.append(dialog)
        dialog.cancel.click()
        return dialog.result()

    monkeypatch.setattr(ConflictDialog, "exec", answer)
    assert not editor.save()
    (dialog,) = shown
    # name and capacity are mine against theirs; activation is not the editor's, so it is not a difference
    assert dialog.differing_fields() == ["name", "capacity"]
    assert [r[1:3] for r in dialog.rows if r[0] == "capacity"] == [("30", "99")]
    assert editor.is_dirty()


# --------------------------------------------------------------------------- undo / redo

def test_undo_redo_of_field_edits_merges_keystrokes(qtbot, open_editor):
    editor = open_editor(RETAIL)
    qtbot.keyClicks(editor.name_edit, " EU")
    assert editor.undo_stack.count() == 1  # three keystrokes, one step
    assert editor.undo_stack.undoText() == "Edit Name"
    editor.capacity_spin.setValue(31)
    editor.capacity_spin.setValue(32)
    assert editor.undo_stack.count() == 2
    editor.notification_combo.setCurrentIndex(editor.notification_combo.findData("direct_open"))
    assert not editor.timeout_combo.isEnabled()
    editor.undo_stack.undo()
    assert editor.notification_combo.currentData() == "screen_pop_decline"
    assert editor.timeout_combo.isEnabled()
    editor.undo_stack.undo()
    assert editor.capacity_spin.value() == 30
    editor.undo_stack.undo()
    assert editor.name_edit.text() == RETAIL
    assert not editor.is_dirty()
    editor.undo_stack.redo()
    assert editor.name_edit.text() == RETAIL + " EU" and editor.draft()["name"] == RETAIL + " EU"
    assert editor.is_dirty()


def test_typing_a_field_back_to_its_value_leaves_no_step(qtbot, open_editor):
    editor = open_editor(RETAIL)
    qtbot.keyClicks(editor.name_edit, "x")
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Backspace)
    assert editor.undo_stack.count() == 0
    assert not editor.is_dirty()


def test_undo_of_presence_and_radio_edits(qtbot, open_editor):
    editor = open_editor(RETAIL)
    click(qtbot, editor.presences.box("away"))
    click(qtbot, editor.pick_radio)
    assert editor.draft()["allowed_presences"] == ["available", "busy", "away"]
    assert editor.draft()["distribution_mode"] == "pick"
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert editor.push_radio.isChecked() and editor.presences.values() == ["available", "busy"]
    assert not editor.is_dirty()


# ---------------------------------------------------------------- Test routing pane in the editor

def test_the_routing_tab_hosts_the_test_routing_pane_and_badges_failing_cases(qtbot, services):
    stream_id = services.workstream_id_by_name("Chat - Retail banking")
    services.save_test_case(stream_id, "Gold goes to VIP", {"customertier": "Gold"}, "VIP")
    editor = WorkStreamEditor(services, stream_id)
    qtbot.addWidget(editor)
    assert editor.test_routing.parent() is editor.routing_side_panel
    assert editor.failing_tests() == 0 and "failing" not in editor.tabs.tabText(2)
    # An edit that breaks the saved case: the VIP rule now sends to Billing.
    draft = editor.draft()
    rules = draft["routing_rules"]
    rules[0]["queue"] = "Billing"
    editor.rules_model.set_rows(rules)
    editor._draft["routing_rules"] = rules
    with qtbot.waitSignal(editor.test_routing.failingCountChanged, timeout=2000) as signal:
        editor._retest()
    assert signal.args == [1]
    assert editor.tabs.tabText(2).endswith("1 test failing")
