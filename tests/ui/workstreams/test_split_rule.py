"""The routing rule dialog's percentage split, driven from the keyboard."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.workstreams.editing import destination_text
from ui.workstreams.rule_editor import RuleEditorDialog
from ui.workstreams.split_editor import split_problem

VARIABLES = [{"name": "tier", "display_name": "Tier", "type": "text"}]


@pytest.fixture
def dialog(qtbot, services):
    widget = RuleEditorDialog(services, VARIABLES)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(combo, name: str) -> None:
    combo.setCurrentIndex(combo.findData(name))


def type_percent(qtbot, spin, value: int) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))


def test_a_split_from_the_keyboard_sums_to_100_and_becomes_the_rules_queues(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Share the load")
    choose(dialog.queue_combo, "General")
    assert not dialog.split_editor.isVisible()
    dialog.split_radio.setFocus()
    qtbot.keyClick(dialog.split_radio, Qt.Key.Key_Space)
    assert dialog.is_split() and dialog.split_editor.isVisible() and not dialog.queue_combo.isVisible()
    first, second = dialog.split_editor.rows
    assert first.share() == {"queue": "General", "percent": 50}  # starts from the queue chosen
    choose(second.queue_combo, "VIP")
    type_percent(qtbot, first.percent_spin, 60)
    assert dialog.split_editor.error_label.text() == "The percentages add up to 110 %, not 100 %."
    assert dialog.split_editor.total_label.text() == "Total 110 %"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == 0 and dialog.isVisible()  # refused
    type_percent(qtbot, second.percent_spin, 40)
    assert dialog.split_editor.error_label.message() == ""
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    rule = dialog.rule()
    assert rule["queue"] is None
    assert rule["queues"] == [{"queue": "General", "percent": 60}, {"queue": "VIP", "percent": 40}]
    assert destination_text(rule) == "General 60 % · VIP 40 %"


def test_the_error_keeps_its_space_so_nothing_below_moves(qtbot, dialog):
    qtbot.mouseClick(dialog.split_radio, Qt.MouseButton.LeftButton)
    choose(dialog.split_editor.rows[0].queue_combo, "General")
    choose(dialog.split_editor.rows[1].queue_combo, "VIP")
    buttons_at = dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft())
    type_percent(qtbot, dialog.split_editor.rows[0].percent_spin, 10)
    assert dialog.split_editor.error_label.isVisible()
    QApplication.processEvents()
    assert dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft()) == buttons_at
    type_percent(qtbot, dialog.split_editor.rows[0].percent_spin, 50)
    assert not dialog.split_editor.error_label.isVisible()
    assert dialog.save_button.mapTo(dialog, dialog.save_button.rect().topLeft()) == buttons_at


def test_at_most_five_queues_and_a_removed_row_gives_its_share_back(qtbot, dialog):
    qtbot.mouseClick(dialog.split_radio, Qt.MouseButton.LeftButton)
    editor = dialog.split_editor
    for _ in range(3):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert len(editor.rows) == 5 and not editor.add_button.isEnabled()
    qtbot.mouseClick(editor.rows[4].remove_button, Qt.MouseButton.LeftButton)
    assert len(editor.rows) == 4 and editor.add_button.isEnabled()


def test_an_existing_split_opens_as_a_split_and_going_back_to_one_queue_drops_it(qtbot, services):
    rule = {"id": None, "name": "R", "description": "", "queue": None, "condition": {"all": []},
            "queues": [{"queue": "General", "percent": 70}, {"queue": "VIP", "percent": 30}]}
    dialog = RuleEditorDialog(services, VARIABLES, rule)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.is_split() and [r.share() for r in dialog.split_editor.rows] == rule["queues"]
    assert dialog.rule() == rule  # unchanged: no edit
    qtbot.mouseClick(dialog.one_queue_radio, Qt.MouseButton.LeftButton)
    assert dialog.queue_combo.current_name() == "General"
    assert dialog.rule()["queue"] == "General" and dialog.rule()["queues"] == []


@pytest.mark.parametrize("shares, message", [
    ([{"queue": "A", "percent": 100}], "A split needs 2 to 5 queues; choose One queue for one."),
    ([{"queue": "A", "percent": 50}, {"queue": "", "percent": 50}], "Choose a queue in every row."),
    ([{"queue": "A", "percent": 50}, {"queue": "a", "percent": 50}], "Queue 'a' is listed twice."),
    ([{"queue": "A", "percent": 0}, {"queue": "B", "percent": 100}], "Each queue takes 1 to 99 %."),
    ([{"queue": "A", "percent": 50}, {"queue": "B", "percent": 49}], "The percentages add up to 99 %, not 100 %."),
    ([{"queue": "A", "percent": 50}, {"queue": "B", "percent": 50}], None),
])
def test_split_problems(shares, message):
    assert split_problem(shares) == message


def focus_order(start, count: int) -> list:
    seen, widget = [], start
    for _ in range(count):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled()
                   and widget.focusProxy() is None):
            widget = widget.nextInFocusChain()
        seen.append(widget)
    return seen


def test_tab_reaches_the_split_rows_in_place(qtbot, dialog):
    dialog.one_queue_radio.setFocus()
    qtbot.keyClick(dialog.one_queue_radio, Qt.Key.Key_Right)  # as a person does it (a click placed them right)
    assert dialog.is_split()
    QApplication.processEvents()  # new rows show at the next turn of the event loop
    first, second = dialog.split_editor.rows
    order = focus_order(dialog.split_radio, 7)
    assert order[:7] == [first.queue_combo, first.percent_spin, first.remove_button, second.queue_combo,
                         second.percent_spin, second.remove_button, dialog.split_editor.add_button]


def test_tab_goes_from_the_description_to_send_to_then_the_queue(dialog):
    assert focus_order(dialog.description_edit, 3) == [dialog.one_queue_radio, dialog.split_radio, dialog.queue_combo]
