"""The administrator's keyboard, through the real window and editor: Ctrl+N, Ctrl+Z, Tab order."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ui.shell.main_window import MainWindow
from ui.workstreams.editor import WorkStreamEditor

RETAIL = "Chat - Retail banking"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, services):
    window = MainWindow(services, restore_settings=False, remember_settings=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


@pytest.fixture
def discard_at_end(answers):
    """pytest-qt closes the window before fixtures tear down: answer its unsaved-changes question."""
    answers.push("discard")


def type_here(qtbot, text: str) -> None:
    """Type where the keyboard focus is, as a person would."""
    qtbot.keyClicks(QApplication.focusWidget(), text)


def test_text_typed_straight_after_ctrl_n_lands_in_name(qtbot, window, discard_at_end):
    qtbot.keyClick(window.lists["workstreams"].table, Qt.Key.Key_N, CTRL)
    editor = window.editor
    assert isinstance(editor, WorkStreamEditor)
    type_here(qtbot, "Chat - Loans")
    assert editor.name_edit.text() == "Chat - Loans"
    assert editor.draft()["name"] == "Chat - Loans"


def test_ctrl_z_in_a_number_field_undoes_the_editors_change(qtbot, window, services, discard_at_end):
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    spin = editor.assign_after_spin  # (Retail banking's capacity is a profile: its units field is disabled)
    before = spin.value()
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert editor.draft()["assign_after_decline_s"] == before + 1
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert spin.value() == before and editor.draft()["assign_after_decline_s"] == before
    assert not editor.is_dirty()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL | SHIFT)
    assert spin.value() == before + 1 and editor.draft()["assign_after_decline_s"] == before + 1


def test_ctrl_z_in_name_undoes_through_the_editors_stack_not_the_line_edit(qtbot, window, services):
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    editor.name_edit.setFocus()
    editor.name_edit.end(False)
    type_here(qtbot, "!")
    assert editor.draft()["name"] == RETAIL + "!"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, CTRL)
    assert editor.name_edit.text() == RETAIL and editor.draft()["name"] == RETAIL
    assert editor.undo_stack.index() == 0  # undone, not a new "edit" pushed by the line edit's own undo


def test_tab_walks_the_first_form_top_to_bottom(qtbot, window):
    qtbot.keyClick(window.lists["workstreams"].table, Qt.Key.Key_N, CTRL)
    editor = window.editor
    seen = []
    widget = editor.name_edit
    form = editor.findChild(type(editor.tabs.widget(0).widget()), "workDistributionForm")
    while widget is not None and form.isAncestorOf(widget) and widget not in seen:
        seen.append(widget)
        widget = widget.nextInFocusChain()
        while widget is not None and not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible()
                                          and widget.isEnabled() and widget.focusProxy() is None):
            widget = widget.nextInFocusChain()
    tops = [w.mapTo(form, w.rect().center()).y() // 20 for w in seen]  # one form row, give or take
    assert len(seen) >= 8
    assert tops == sorted(tops), [w.objectName() for w in seen]


def test_a_negative_capacity_is_refused_inline_not_turned_positive(qtbot, window, services, discard_at_end):
    window.open_workstream(services.workstream_id_by_name("Chat - Investments desk"))  # capacity in units
    editor = window.editor
    spin = editor.capacity_spin
    spin.setFocus()
    spin.selectAll()
    type_here(qtbot, "-5")
    assert spin.value() == -5 and editor.draft()["capacity"] == -5  # what was typed, not 5
    error = editor.findChild(type(editor.summary_label), "error_capacity")
    assert error.isVisible() and error.text() == "Enter 0 or more: it can't be negative."
    assert not window.save_editor()
    assert services.load_workstream(editor.workstream_id()).doc.capacity != -5


def test_the_problem_banner_never_moves_the_form(qtbot, window, services, discard_at_end):
    window.open_workstream(services.workstream_id_by_name(RETAIL))
    editor = window.editor
    from ui.workstreams.editor import DraftCommand

    # An active stream without a default queue: its inline error is further down the form than Capacity.
    editor.undo_stack.push(DraftCommand(editor.stream, editor.stream.set_field("default_queue", None)))
    def top() -> int:
        return editor.capacity_spin.mapTo(window, editor.capacity_spin.rect().topLeft()).y()

    # A field may settle by a pixel or two (a scroll bar comes); above the tabs the banner moved it ~55 px.
    before = top()
    assert not window.save_editor()
    assert editor.summary_label.isVisible()
    assert abs(top() - before) <= 2
    editor.undo_stack.undo()  # fixed: the banner goes
    assert not editor.summary_label.isVisible()
    assert abs(top() - before) <= 2


def test_help_lists_every_shortcut_from_the_one_table(qtbot, window):
    from ui.shell.actions import ACTIONS, native

    dialog = window.show_shortcuts()
    listed = {keys for _where, _what, keys in dialog.listed()}
    for spec in ACTIONS:
        if spec.shortcuts:
            assert ", ".join(native(s) for s in spec.shortcuts) in listed, spec.name
    for action in window.findChildren(type(window.act_new)):
        for key in action.shortcuts():
            text = key.toString(key.SequenceFormat.NativeText)
            assert any(text in keys.split(", ") for keys in listed), f"{action.text()}: {text} is not listed"
    dialog.close()
