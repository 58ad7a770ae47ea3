"""The context variable quick-create dialog: the Name follows the Display Name until edited."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.workstreams.variable_dialog import VariableDialog


def type_text(qtbot, edit, text: str) -> None:
    """Type like a user; QTest only types ASCII keys, so other characters are inserted as typed text."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(edit, char)
        else:
            edit.insert(char)


@pytest.fixture
def make(qtbot):
    def factory(taken=(), variable=None, used_by=()):
        dialog = VariableDialog(list(taken), variable, list(used_by))
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog
    return factory


def test_name_follows_display_name_as_typed(qtbot, make):
    dialog = make()
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.display_name_edit, "Customer")
    assert dialog.name_edit.text() == "customer"
    qtbot.keyClicks(dialog.display_name_edit, " tier")
    assert dialog.name_edit.text() == "customertier"
    assert dialog.is_following()
    assert dialog.save_button.isEnabled()
    assert dialog.value() == {"display_name": "Customer tier", "name": "customertier", "type": "text"}


@pytest.mark.parametrize("typed,expected", [
    ("Chloé", "chloe"),
    ("2nd line", "_2ndline"),
    ("Order #-total (€)", "ordertotal"),
    ("account_balance", "account_balance"),
])
def test_suggestions(qtbot, make, typed, expected):
    dialog = make()
    type_text(qtbot, dialog.display_name_edit, typed)
    assert dialog.name_edit.text() == expected
    assert dialog.save_button.isEnabled()


def test_a_clash_gets_a_number(qtbot, make):
    dialog = make(taken=["customertier", "CustomerTier_2"])
    qtbot.keyClicks(dialog.display_name_edit, "Customer tier")
    assert dialog.name_edit.text() == "customertier_3"
    assert dialog.save_button.isEnabled()


def test_editing_the_name_by_hand_stops_following(qtbot, make):
    dialog = make()
    qtbot.keyClicks(dialog.display_name_edit, "Topic")
    assert dialog.name_edit.text() == "topic"
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_End)
    qtbot.keyClicks(dialog.name_edit, "_code")
    assert not dialog.is_following()
    qtbot.keyClicks(dialog.display_name_edit, " of the call")
    assert dialog.display_name_edit.text() == "Topic of the call"
    assert dialog.name_edit.text() == "topic_code"


@pytest.mark.parametrize("name,message", [
    ("9lives", "A name cannot start with a digit."),
    ("has space", "Use only letters, digits and underscores (no spaces or symbols)."),
    ("dash-ed", "Use only letters, digits and underscores (no spaces or symbols)."),
    ("TOPIC", "This work stream already has a variable named 'TOPIC'."),
    ("x" * 101, "A name has at most 100 characters (this one has 101)."),
])
def test_bad_names_are_explained_inline_and_block_save(qtbot, make, name, message):
    dialog = make(taken=["topic"])
    qtbot.keyClicks(dialog.display_name_edit, "Something")
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, name)
    assert dialog.name_error.isVisible()
    assert dialog.name_error.text() == message
    assert dialog.name_error.property("role") == "error"
    assert not dialog.save_button.isEnabled()
    dialog.accept()  # even forced, an invalid variable is not accepted
    assert dialog.isVisible() and dialog.result() == 0


def test_display_name_is_required(qtbot, make):
    dialog = make()
    qtbot.keyClicks(dialog.display_name_edit, "A")
    qtbot.keyClick(dialog.display_name_edit, Qt.Key.Key_Backspace)
    assert dialog.display_name_error.text() == "Enter a display name."
    assert not dialog.save_button.isEnabled()


def test_symbols_only_display_name_asks_for_a_name(qtbot, make):
    dialog = make()
    type_text(qtbot, dialog.display_name_edit, "€€€")
    assert dialog.name_edit.text() == ""
    assert "type a name" in dialog.name_error.text()
    assert not dialog.save_button.isEnabled()


def test_number_type_and_save(qtbot, make):
    dialog = make()
    qtbot.keyClicks(dialog.display_name_edit, "Amount")
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("number"))
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.value() == {"display_name": "Amount", "name": "amount", "type": "number"}


def test_edit_keeps_the_name_and_id(qtbot, make):
    variable = {"id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "display_name": "Topic", "name": "topic",
                "type": "text"}
    dialog = make(taken=["other"], variable=variable)
    assert not dialog.is_following()
    qtbot.keyClicks(dialog.display_name_edit, "s")
    assert dialog.name_edit.text() == "topic"
    assert dialog.value() == {**variable, "display_name": "Topics"}


def test_type_change_of_a_variable_used_by_rules_is_refused(qtbot, make, answers):
    variable = {"display_name": "Topic", "name": "topic", "type": "text"}
    dialog = make(variable=variable, used_by=["Billing", "Investments"])
    assert dialog.type_note.isVisible()
    assert "'Billing', 'Investments'" in dialog.type_note.text()
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("number"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == 0
    kind, title, text = answers.asked[-1]
    assert kind == "error" and "rules 'Billing', 'Investments'" in text
    assert dialog.type_combo.currentData() == "text"


def test_a_suffixed_name_says_why_inline_and_is_not_cut_off(qtbot):
    from ui.workstreams.variable_dialog import VariableDialog

    dialog = VariableDialog(["loanamount"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.display_name_edit, "LOAN Amount")
    assert dialog.name_edit.text() == "loanamount_2"
    assert dialog.name_note.isVisible()
    assert "'loanamount' is another variable's name" in dialog.name_note.text()
    bottom = dialog.name_note.mapTo(dialog, dialog.name_note.rect().bottomLeft()).y()
    assert bottom <= dialog.buttons.geometry().top()  # above the buttons, inside the dialog
