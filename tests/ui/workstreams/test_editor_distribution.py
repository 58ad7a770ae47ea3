"""The editor's version 2 parts driven like a user, mostly from the keyboard: the work
distribution fields, the variables' order, classification rules, splits, and layouts that
neither scroll sideways nor overlap."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from ui.shell.main_window import MainWindow
from ui.workstreams.classification_dialog import ClassificationRuleDialog
from ui.workstreams.editor import WorkStreamEditor
from ui.workstreams.editor_models import ClassificationRulesModel, RulesModel
from ui.workstreams.rule_editor import RuleEditorDialog

RETAIL = "Chat - Retail banking"  # the demo's profile-based stream with classification rules
INVESTMENTS = "Chat - Investments desk"  # capacity in units
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def open_editor(qtbot, services):
    def factory(name: str) -> WorkStreamEditor:
        editor = WorkStreamEditor(services, services.workstream_id_by_name(name))
        qtbot.addWidget(editor)
        editor.resize(1100, 750)
        editor.show()
        qtbot.waitExposed(editor)
        return editor
    return factory


def stored(services, editor: WorkStreamEditor):
    return services.load_workstream(editor.workstream_id()).doc


def key(qtbot, widget: QWidget, which, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, which, modifiers)


# --------------------------------------------------------------------------- work distribution fields

def test_capacity_format_switches_fields_and_is_one_undo_step(qtbot, open_editor):
    editor = open_editor(INVESTMENTS)
    assert editor.units_radio.isChecked() and editor.capacity_spin.isEnabled() and not editor.profile_combo.isEnabled()
    key(qtbot, editor.profile_radio, Qt.Key.Key_Space)
    assert (editor.draft()["capacity_format"], editor.draft()["capacity_profile"]) == ("profile", "Chat")
    assert not editor.capacity_spin.isEnabled() and editor.profile_combo.isEnabled()
    assert editor.profile_combo.currentData() == "Chat"
    assert editor.undo_stack.count() == 1 and editor.undo_stack.undoText() == "Use capacity profile 'Chat'"
    editor.undo_stack.undo()
    assert (editor.draft()["capacity_format"], editor.draft()["capacity_profile"]) == ("units", None)
    assert editor.units_radio.isChecked() and editor.capacity_spin.isEnabled() and not editor.profile_combo.isEnabled()
    editor.undo_stack.redo()
    assert editor.profile_radio.isChecked() and editor.draft()["capacity_profile"] == "Chat"


def test_skill_matching_and_missed_presence_from_the_keyboard(qtbot, open_editor):
    editor = open_editor(INVESTMENTS)
    key(qtbot, editor.skill_matching_combo, Qt.Key.Key_Down)
    assert editor.draft()["skill_matching"] == "exact"
    key(qtbot, editor.missed_presence_combo, Qt.Key.Key_Down)
    chosen = editor.missed_presence_combo.currentData()
    assert chosen is not None and editor.draft()["missed_notification_presence"] == chosen
    editor.undo_stack.undo()
    assert editor.draft()["missed_notification_presence"] is None
    assert editor.missed_presence_combo.currentText() == "Presence unchanged"
    editor.undo_stack.undo()
    assert editor.draft()["skill_matching"] == "none" and editor.skill_matching_combo.currentData() == "none"


def test_the_reconnect_window_follows_keep_same_agent_and_typing_is_one_step(qtbot, open_editor):
    editor = open_editor(RETAIL)  # keeps the same agent: its 300 s window applies
    assert editor.reconnect_spin.isEnabled()
    key(qtbot, editor.keep_agent_check, Qt.Key.Key_Space)
    assert not editor.reconnect_spin.isEnabled()  # the window waits, disabled
    editor.undo_stack.clear()
    key(qtbot, editor.keep_agent_check, Qt.Key.Key_Space)
    assert editor.reconnect_spin.isEnabled()
    editor.reconnect_spin.setFocus()
    editor.reconnect_spin.selectAll()
    qtbot.keyClicks(editor.reconnect_spin, "600")
    assert editor.draft()["reconnect_window_s"] == 600
    assert editor.undo_stack.count() == 2  # the check, then the three keystrokes as one step
    editor.undo_stack.undo()
    assert editor.draft()["reconnect_window_s"] == 300 and editor.reconnect_spin.value() == 300
    editor.undo_stack.undo()
    assert not editor.reconnect_spin.isEnabled()


def test_a_reconnect_window_beyond_a_day_is_refused_inline(qtbot, open_editor, services):
    editor = open_editor(RETAIL)
    assert editor.keep_agent_check.isChecked()  # the demo's retail chat keeps the same agent
    editor.reconnect_spin.setFocus()
    editor.reconnect_spin.selectAll()
    qtbot.keyClicks(editor.reconnect_spin, "90000")
    error = editor.findChild(QLabel, "error_reconnect_window_s")
    assert error.isVisible() and "86400" in error.text()
    assert not editor.save()
    assert stored(services, editor).reconnect_window_s == 300


def test_decline_reasons_typed_moved_and_removed_each_one_undo_step(qtbot, open_editor, services):
    editor = open_editor(INVESTMENTS)
    reasons = editor.decline_reasons_edit
    reasons.new_edit.setFocus()
    for text in ("Busy", "Lunch"):
        qtbot.keyClicks(reasons.new_edit, text)
        qtbot.keyClick(reasons.new_edit, Qt.Key.Key_Return)
    assert editor.draft()["decline_reasons"] == ["Busy", "Lunch"] and reasons.new_edit.text() == ""
    assert reasons.list.currentRow() == 1
    key(qtbot, reasons.list, Qt.Key.Key_Up, ALT)
    assert editor.draft()["decline_reasons"] == ["Lunch", "Busy"]
    assert reasons.list.currentRow() == 0
    key(qtbot, reasons.list, Qt.Key.Key_Delete)
    assert editor.draft()["decline_reasons"] == ["Busy"] and reasons.values() == ["Busy"]
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert reasons.values() == ["Busy", "Lunch"]
    assert editor.save()
    assert stored(services, editor).decline_reasons == ["Busy", "Lunch"]


def test_a_reason_renamed_in_place_is_one_step(qtbot, open_editor):
    editor = open_editor(RETAIL)
    reasons = editor.decline_reasons_edit
    item = reasons.list.item(0)
    item.setText("On another call")  # what F2, typing and Enter leave behind
    assert editor.draft()["decline_reasons"][0] == "On another call"
    editor.undo_stack.undo()
    assert reasons.values()[0] == "Busy with another customer"


def test_every_distribution_field_survives_save_and_reload(qtbot, open_editor, services):
    editor = open_editor(INVESTMENTS)
    key(qtbot, editor.profile_radio, Qt.Key.Key_Space)
    editor.skill_matching_combo.setCurrentIndex(editor.skill_matching_combo.findData("closest"))
    editor.missed_presence_combo.setCurrentIndex(editor.missed_presence_combo.findData("Away"))
    assert editor.keep_agent_check.isChecked()  # this stream keeps the same agent
    editor.reconnect_spin.setValue(120)
    assert editor.save()
    doc = stored(services, editor)
    assert (doc.capacity_format, doc.capacity_profile, doc.skill_matching, doc.missed_notification_presence,
            doc.keep_same_agent, doc.reconnect_window_s) == ("profile", "Chat", "closest", "Away", True, 120)
    again = WorkStreamEditor(services, editor.workstream_id())
    qtbot.addWidget(again)
    assert again.profile_radio.isChecked() and again.profile_combo.currentData() == "Chat"
    assert again.reconnect_spin.value() == 120 and again.missed_presence_combo.currentData() == "Away"


# --------------------------------------------------------------------------- Ctrl+Z from any field

@pytest.fixture
def window(qtbot, services, answers):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    answers.push("discard")
    return window


def test_ctrl_z_from_the_new_fields_undoes_the_editors_change(qtbot, window, services):
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    reasons = editor.decline_reasons_edit
    reasons.new_edit.setFocus()
    qtbot.keyClicks(reasons.new_edit, "Wrong queue")
    qtbot.keyClick(reasons.new_edit, Qt.Key.Key_Return)
    assert "Wrong queue" in editor.draft()["decline_reasons"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert "Wrong queue" not in editor.draft()["decline_reasons"] and not editor.is_dirty()
    assert editor.keep_agent_check.isChecked()  # so the window is enabled
    editor.reconnect_spin.setFocus()
    qtbot.keyClick(editor.reconnect_spin, Qt.Key.Key_Up)
    assert editor.draft()["reconnect_window_s"] == 301
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert editor.draft()["reconnect_window_s"] == 300 and editor.reconnect_spin.value() == 300


# --------------------------------------------------------------------------- variables keep their order

def variable_names(editor: WorkStreamEditor) -> list[str]:
    model = editor.variables_model
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def test_alt_down_moves_a_variable_and_the_order_survives_save(qtbot, open_editor, services):
    editor = open_editor(RETAIL)
    editor.set_tab("context-variables")
    before = variable_names(editor)
    assert len(before) >= 2
    editor.variables_view.selectRow(0)
    assert not editor.move_variable_up_button.isEnabled() and editor.move_variable_down_button.isEnabled()
    key(qtbot, editor.variables_view, Qt.Key.Key_Down, ALT)
    moved = [before[1], before[0], *before[2:]]
    assert variable_names(editor) == moved
    assert editor.selected_row("variables") == 1  # the selection follows the variable
    editor.undo_stack.undo()
    assert variable_names(editor) == before
    editor.undo_stack.redo()
    assert editor.save()
    assert [v.name for v in stored(services, editor).context_variables] == moved
    again = WorkStreamEditor(services, editor.workstream_id())
    qtbot.addWidget(again)
    assert variable_names(again) == moved


def test_the_move_buttons_move_variables_too(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.set_tab("context-variables")
    before = variable_names(editor)
    editor.variables_view.selectRow(len(before) - 1)
    qtbot.mouseClick(editor.move_variable_up_button, Qt.MouseButton.LeftButton)
    assert variable_names(editor) == [*before[:-2], before[-1], before[-2]]


# --------------------------------------------------------------------------- classification rules

def test_classification_model_passes_the_model_tester(qtmodeltester, open_editor):
    editor = open_editor(RETAIL)
    model = editor.classification_model
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, ClassificationRulesModel.NAME).data() == "Mortgage questions"
    assert model.index(0, ClassificationRulesModel.SKILLS).data() == "Mortgages ≥ 3"
    assert model.index(0, ClassificationRulesModel.ORDER).data() == "1"


def test_a_classification_rule_from_the_keyboard(qtbot, open_editor, services):
    editor = open_editor(RETAIL)
    editor.set_tab("classification-rules")
    key(qtbot, editor.classification_view, Qt.Key.Key_Insert)
    dialog = editor.current_dialog
    assert isinstance(dialog, ClassificationRuleDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.name_edit, "VIP languages")
    row = dialog.skill_rows[0]
    row.skill_combo.setFocus()
    row.skill_combo.setCurrentIndex(row.skill_combo.findData("Languages"))
    ratings = [row.rating_combo.itemData(i) for i in range(row.rating_combo.count())]
    assert ratings == services_ratings(editor, "Languages")  # the skill's own rating model
    key(qtbot, row.rating_combo, Qt.Key.Key_End)
    assert row.rating() == ratings[-1]
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    names = [editor.classification_model.item(r)["name"] for r in range(editor.classification_model.rowCount())]
    assert names[-1] == "VIP languages" and editor.selected_row("classification") == len(names) - 1
    key(qtbot, editor.classification_view, Qt.Key.Key_Up, ALT)
    assert editor.classification_model.item(len(names) - 2)["name"] == "VIP languages"
    assert editor.save()
    doc = stored(services, editor)
    assert [r.name for r in doc.classification_rules] == [*names[:-2], "VIP languages", names[-2]]
    assert doc.classification_rules[-2].skills == {"Languages": ratings[-1]}
    key(qtbot, editor.classification_view, Qt.Key.Key_Delete)
    assert editor.classification_model.rowCount() == len(names) - 1
    editor.undo_stack.undo()
    assert editor.classification_model.rowCount() == len(names)


def services_ratings(editor: WorkStreamEditor, skill: str) -> list[str]:
    return list(editor.catalogue.ratings(skill))


def test_the_classification_dialog_needs_a_skill_and_a_rating(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.set_tab("classification-rules")
    editor.new_classification_rule()
    dialog = editor.current_dialog
    qtbot.keyClicks(dialog.name_edit, "Half done")
    dialog.skill_rows[0].skill_combo.setCurrentIndex(0)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    assert dialog.isVisible() and dialog.skills_error.text().startswith("Choose the lowest rating")
    qtbot.mouseClick(dialog.add_skill_button, Qt.MouseButton.LeftButton)
    row = dialog.skill_rows[1]
    row.skill_combo.setCurrentIndex(0)
    row.rating_combo.setCurrentIndex(0)
    dialog.skill_rows[0].rating_combo.setCurrentIndex(0)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    assert dialog.isVisible() and "listed twice" in dialog.skills_error.text()
    dialog.reject()


def test_a_variable_a_classification_rule_reads_cannot_be_deleted(qtbot, open_editor, answers):
    editor = open_editor(RETAIL)
    editor.set_tab("context-variables")
    editor.variables_view.selectRow(variable_names(editor).index("topic"))
    answers.push("ok")
    editor.delete_variable()
    assert "topic" in variable_names(editor)


# --------------------------------------------------------------------------- splits in the rules table

def test_a_split_rule_shows_its_shares_in_the_rules_table_and_is_saved(qtbot, open_editor, services):
    editor = open_editor(INVESTMENTS)
    editor.set_tab("routing-rules")
    key(qtbot, editor.rules_view, Qt.Key.Key_Insert)
    dialog = editor.current_dialog
    assert isinstance(dialog, RuleEditorDialog)
    qtbot.keyClicks(dialog.name_edit, "Half and half")
    key(qtbot, dialog.split_radio, Qt.Key.Key_Space)
    first, second = dialog.split_editor.rows
    first.queue_combo.setCurrentIndex(first.queue_combo.findData("General"))
    second.queue_combo.setCurrentIndex(second.queue_combo.findData("VIP"))
    first.percent_spin.setValue(60)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    assert dialog.isVisible() and dialog.split_editor.error_label.text() == \
        "The percentages add up to 110 %, not 100 %."
    second.percent_spin.setValue(40)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.save_button, Qt.Key.Key_Space)
    last = editor.rules_model.rowCount() - 1
    assert editor.rules_model.index(last, RulesModel.QUEUE).data() == "General 60 % · VIP 40 %"
    assert editor.save()
    rule = stored(services, editor).routing_rules[-1]
    assert rule.queue is None and [(s.queue, s.percent) for s in rule.queues] == [("General", 60), ("VIP", 40)]


# --------------------------------------------------------------------------- layouts

@pytest.mark.parametrize("size", [(1024, 700), (1280, 720), (1920, 1080)])
def test_rule_tables_never_scroll_sideways(qtbot, services, answers, size):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    answers.push("discard")
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    # A long name must elide, not widen the table.
    editor.rules_model.item(0)["name"] = "A very long routing rule name that nobody would want to read in full " * 2
    editor.rules_model.rows_replaced(0, 0)
    for tab, view in (("context-variables", editor.variables_view), ("routing-rules", editor.rules_view),
                      ("classification-rules", editor.classification_view)):
        editor.set_tab(tab)
        qtbot.waitUntil(view.isVisible)
        QApplication.processEvents()
        view.column_fitter.fit()
        header = view.horizontalHeader()
        assert header.length() <= view.viewport().width(), (tab, size)
        assert not view.horizontalScrollBar().isVisible(), (tab, size)
        stretch = view.column_fitter.stretch
        assert header.sectionSize(stretch) >= 120, (tab, size)  # the condition keeps the slack


@pytest.mark.parametrize("size", [(1024, 700), (1280, 720), (1920, 1080)])
def test_no_hint_or_error_overlaps_its_field(qtbot, open_editor, size):
    editor = open_editor(RETAIL)
    editor.resize(size[0] - 250, size[1] - 250)  # the editor's share of a window that size: the form scrolls
    QApplication.processEvents()
    form = editor.findChild(QWidget, "workDistributionForm")
    cells = [w for w in form.findChildren(QWidget) if w.objectName().startswith("cell_")]
    assert len(cells) >= 18
    for cell in cells:
        children = [w for w in cell.findChildren(QWidget) if w.parent() is cell and w.isVisible()]
        spans = sorted((w.mapTo(cell, QPoint(0, 0)).y(), w.height(), w.objectName() or type(w).__name__)
                       for w in children)
        for (top, height, name), (next_top, _h, next_name) in zip(spans, spans[1:]):
            assert top + height <= next_top, (cell.objectName(), name, next_name, size)
        assert all(top + height <= cell.height() for top, height, _n in spans), (cell.objectName(), size)
        for label in (w for w in children if isinstance(w, QLabel) and w.wordWrap() and w.text()):
            # every line of a wrapped hint has its room (squeezed, its second line was drawn over the next field)
            assert label.height() >= label.heightForWidth(label.width()), (cell.objectName(), label.text(), size)


def test_tab_goes_from_the_name_through_the_skill_rows_to_the_condition(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.set_tab("classification-rules")
    editor.new_classification_rule()
    dialog = editor.current_dialog
    qtbot.mouseClick(dialog.add_skill_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()  # a new row shows at the next turn of the event loop
    first, second = dialog.skill_rows
    chain, widget = [], dialog.name_edit
    while len(chain) < 7:
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled():
            chain.append(widget)
    assert chain == [first.skill_combo, first.rating_combo, first.remove_button, second.skill_combo,
                     second.rating_combo, second.remove_button, dialog.add_skill_button]
    dialog.reject()


def test_ctrl_tab_from_a_field_lands_on_the_next_tabs_table(qtbot, open_editor):
    editor = open_editor(RETAIL)
    editor.activateWindow()
    editor.name_edit.setFocus()
    qtbot.waitUntil(editor.name_edit.hasFocus)
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Tab, CTRL)
    assert editor.current_tab() == "context-variables" and editor.variables_view.hasFocus()
    qtbot.keyClick(editor.variables_view, Qt.Key.Key_Tab, CTRL)  # the table no longer eats Ctrl+Tab
    assert editor.current_tab() == "routing-rules" and editor.rules_view.hasFocus()


def test_a_profile_or_presence_made_elsewhere_reaches_the_open_editor(qtbot, open_editor, services):
    from app.services.changes import Changes

    editor = open_editor(RETAIL)
    services.save_capacity_profile({"name": "Email", "work_item_limit": 2})
    services.save_presence({"name": "Lunch", "base": "away"})
    editor.apply_changes(Changes.of("capacity_profiles", "presences"))
    profiles = [editor.profile_combo.itemData(i) for i in range(editor.profile_combo.count())]
    presences = [editor.missed_presence_combo.itemData(i) for i in range(editor.missed_presence_combo.count())]
    assert "Email" in profiles and "Lunch" in presences
    assert editor.profile_combo.currentData() == "Chat" and editor.missed_presence_combo.currentData() == "Away"
    assert not editor.is_dirty()  # rebuilding the choices is no edit
    editor.profile_combo.setCurrentIndex(editor.profile_combo.findData("Email"))
    assert editor.draft()["capacity_profile"] == "Email"
    assert editor.save()


def test_a_classification_problem_is_shown_on_its_tab_and_row(qtbot, open_editor, services):
    from ui.workstreams.editor import DraftCommand

    editor = open_editor(RETAIL)
    rule = dict(editor.classification_model.item(0), skills={"Mortgages": "9"})  # not a Proficiency value
    editor.undo_stack.push(DraftCommand(editor.stream, editor.stream.edit_classification_rule(0, rule)))
    assert not editor.save()
    assert editor.current_tab() == "classification-rules" and editor.selected_row("classification") == 0
    assert "Classification rule 1 'Mortgage questions'" in editor.classification_error.text()
    assert not editor.tabs.tabIcon(3).isNull()
    assert editor.classification_model.row_errors().get(0)
    editor.undo_stack.undo()
    assert editor.classification_error.message() == "" and editor.save()


def test_help_lists_the_decline_reason_keys_the_list_obeys(qtbot, open_editor):
    from ui.shell.actions import shortcut_rows
    from ui.workstreams.decline_reasons import DECLINE_REASON_KEYS

    listed = [(where, what) for where, what, _keys in shortcut_rows()]
    assert [("Decline reasons", what) for what, _k in DECLINE_REASON_KEYS.values()] == \
        [row for row in listed if row[0] == "Decline reasons"]
    editor = open_editor(RETAIL)
    reasons = editor.decline_reasons_edit
    reasons.list.setCurrentRow(1)
    key(qtbot, reasons.list, Qt.Key.Key_Up, ALT)  # the keys of that table are the ones obeyed
    assert editor.draft()["decline_reasons"] == ["Needs another skill", "Busy with another customer"]


def test_tab_into_capacity_format_lands_on_the_chosen_button(qtbot, open_editor):
    editor = open_editor(RETAIL)  # a profile stream: "Capacity profile" is chosen
    editor.activateWindow()
    editor.name_edit.setFocus()
    qtbot.waitUntil(editor.name_edit.hasFocus)
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Tab)
    assert editor.profile_radio.hasFocus()
    qtbot.keyClick(editor.profile_radio, Qt.Key.Key_Space)  # Space on the chosen one changes nothing
    assert editor.draft()["capacity_format"] == "profile" and not editor.is_dirty()
