"""The queue dialog's tabs (General, Operating hours, Overflow), the agent's Skills & capacity tab,
and the rating model / skill / capacity profile dialogs: keyboard entry, inline refusals, round trips."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ui.records.editors import AgentDialog, CapacityProfileDialog, QueueDialog, RatingModelDialog, SkillDialog
from ui.records.queue_settings import format_ranges, parse_ranges

CTRL = Qt.KeyboardModifier.ControlModifier


def open_dialog(qtbot, cls, services, object_id=None):
    dialog = cls(services, object_id)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def row(rows, name):
    return next(r for r in rows if r.name == name)


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


# --------------------------------------------------------------------------- ranges as typed


@pytest.mark.parametrize("typed, ranges", [
    ("9-17", [["09:00", "17:00"]]),
    ("09:00–12:30, 13:30 - 17", [["09:00", "12:30"], ["13:30", "17:00"]]),
    ("8.30 to 24", [["08:30", "24:00"]]),
    ("", []),
])
def test_ranges_are_read_as_people_type_them(typed, ranges):
    assert parse_ranges(typed) == ranges
    assert parse_ranges(format_ranges(ranges)) == ranges


@pytest.mark.parametrize("typed", ["nine to five", "9-", "9:5-17", "9 17"])
def test_what_is_not_a_range_says_so(typed):
    with pytest.raises(ValueError, match="is not a range like 09:00–17:00"):
        parse_ranges(typed)


# --------------------------------------------------------------------------- queue


def test_the_queue_dialog_has_three_tabs_and_starts_in_name(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    assert [dialog.tabs.tabText(i) for i in range(3)] == ["&General", "Operating &hours", "&Overflow"]
    assert QApplication.focusWidget() is dialog.name_edit
    assert (dialog.priority_spin.value(), dialog.method_combo.currentData()) == (1, "round_robin")
    assert dialog.method_hint.text().startswith("Agents take turns")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab, CTRL)
    assert dialog.tabs.currentIndex() == 1
    assert dialog.hours.always_open.isChecked() and not dialog.hours.schedule.isEnabled()


def test_vip_hours_mon_to_fri_and_an_overflow_from_the_keyboard(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    dialog.set_tab("Operating hours")
    dialog.hours.scheduled.setFocus()
    qtbot.keyClick(dialog.hours.scheduled, Qt.Key.Key_Space)
    assert dialog.hours.schedule.isEnabled()
    dialog.hours.timezone_combo.setCurrentText("Europe/London")  # (typing opens the completer's popup)
    monday = dialog.hours.day_edits["mon"]
    type_into(qtbot, monday, "9-17")
    qtbot.keyClick(monday, Qt.Key.Key_Tab)  # leaving the field shows it as it is saved
    assert monday.text() == "09:00–17:00"
    qtbot.mouseClick(dialog.hours.copy_button, Qt.MouseButton.LeftButton)
    assert dialog.hours.day_edits["fri"].text() == "09:00–17:00" and dialog.hours.day_edits["sat"].text() == ""
    dialog.hours.date_edit.setDate(dialog.hours.date_edit.date().fromString("2026-12-25", "yyyy-MM-dd"))
    qtbot.mouseClick(dialog.hours.add_date_button, Qt.MouseButton.LeftButton)
    dialog.set_tab("Overflow")
    closed = dialog.overflow.rows["closed"]
    assert closed.enabled.isEnabled() and not dialog.overflow.closed_hint.isVisible()
    closed.enabled.setChecked(True)
    closed.queue_combo.setCurrentText("General")
    waiting = dialog.overflow.rows["waiting_exceeds"]
    waiting.enabled.setChecked(True)
    waiting.limit_spin.setValue(30)
    waiting.action_combo.setCurrentIndex(waiting.action_combo.findData("end"))
    assert waiting.target.currentWidget() is waiting.reason_edit
    type_into(qtbot, waiting.reason_edit, "Too busy")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(waiting.reason_edit, Qt.Key.Key_Return)
    doc = services.load_queue(vip.id).doc
    hours = doc.operating_hours
    assert hours.timezone == "Europe/London" and hours.closed_dates == ["2026-12-25"]
    assert hours.week == {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    assert [o.model_dump() for o in doc.overflow] == [
        {"when": "closed", "limit": None, "action": "transfer", "queue": "General", "reason": ""},
        {"when": "waiting_exceeds", "limit": 30, "action": "end", "queue": None, "reason": "Too busy"}]
    # and it comes back as saved
    again = open_dialog(qtbot, QueueDialog, services, vip.id)
    assert again.hours.day_edits["thu"].text() == "09:00–17:00"
    assert again.overflow.value() == [{"when": "closed", "action": "transfer", "queue": "General"},
                                      {"when": "waiting_exceeds", "action": "end", "limit": 30, "reason": "Too busy"}]


def test_overlapping_ranges_are_refused_under_the_week_naming_the_day(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    dialog.hours.scheduled.setChecked(True)
    dialog.hours.day_edits["tue"].setText("09:00–13:00, 12:00–17:00")
    dialog.hours.day_edits["wed"].setText("17-9")
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.accept()
    assert dialog.isVisible() and dialog.tabs.currentWidget().widget() is dialog.hours
    assert dialog.error_text("hours_week") == ("Tuesday: 12:00–17:00 overlaps another interval.\n"
                                               "Wednesday: starts at 17:00, not before its end 09:00.")
    assert services.load_queue(vip.id).version == vip.version
    assert dialog.hours.day_edits["tue"].text() == "09:00–13:00, 12:00–17:00"  # what was typed is kept


def test_a_day_that_is_not_ranges_is_refused_before_saving(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    dialog.hours.scheduled.setChecked(True)
    dialog.hours.day_edits["mon"].setText("nine to five")
    dialog.accept()
    assert dialog.error_text("hours_week") == "Monday: 'nine to five' is not a range like 09:00–17:00."
    type_into(qtbot, dialog.hours.day_edits["mon"], "!")
    assert dialog.error_text("hours_week") == ""  # typing takes the old message away


def test_an_unknown_time_zone_is_refused_under_the_zone(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    dialog.hours.scheduled.setChecked(True)
    dialog.hours.timezone_combo.setCurrentText("Mars/Olympus")
    dialog.hours.day_edits["mon"].setText("9-17")
    dialog.accept()
    assert dialog.error_text("hours_timezone") == "Unknown time zone 'Mars/Olympus'."
    assert QApplication.focusWidget() is dialog.hours.timezone_combo or \
        dialog.hours.timezone_combo.isAncestorOf(QApplication.focusWidget())


def test_a_transfer_without_a_queue_is_refused_under_its_row(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    waiting = dialog.overflow.rows["waiting_exceeds"]
    waiting.enabled.setChecked(True)
    dialog.accept()
    assert dialog.error_text("overflow_waiting_exceeds") == "A transfer needs a queue."
    assert dialog.tabs.currentWidget().widget() is dialog.overflow
    assert services.load_queue(vip.id).doc.overflow == []


def test_when_closed_needs_operating_hours(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    closed = dialog.overflow.rows["closed"]
    assert not closed.enabled.isEnabled()
    dialog.set_tab("Overflow")
    assert dialog.overflow.closed_hint.isVisible()
    dialog.hours.scheduled.setChecked(True)
    assert closed.enabled.isEnabled() and not dialog.overflow.closed_hint.isVisible()


def test_a_default_queue_keeps_overflow_and_says_whose_conversations_ignore_it(qtbot, services):
    # The demo's Investments desk falls through to Investments; the retail stream's rules send
    # pension questions there too, and those overflow out of hours (as the simulator does).
    investments = row(services.list_queues(), "Investments")
    dialog = open_dialog(qtbot, QueueDialog, services, investments.id)
    assert dialog.tabs.isTabEnabled(dialog.overflow_index) and dialog.overflow.isEnabled()
    dialog.set_tab("Overflow")
    note = dialog.overflow.default_note
    assert note.isVisible() and note.text().startswith("This is the default queue of work stream ")
    assert "Chat - Investments desk" in note.text() and "other streams' rules send here overflow" in note.text()


def test_a_new_queue_with_hours_saves(qtbot, services):
    dialog = open_dialog(qtbot, QueueDialog, services)
    type_into(qtbot, dialog.name_edit, "Pensions")
    dialog.priority_spin.setValue(5)
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("least_active"))
    dialog.hours.scheduled.setChecked(True)
    dialog.hours.timezone_combo.setCurrentText("Europe/Madrid")
    dialog.hours.day_edits["sat"].setText("10-14")
    dialog.overflow.rows["closed"].enabled.setChecked(True)
    dialog.overflow.rows["closed"].action_combo.setCurrentIndex(2)  # assign anyway
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    doc = services.load_queue(saved.args[0]).doc
    assert (doc.priority, doc.assignment_method, doc.operating_hours.week) == (5, "least_active",
                                                                               {"sat": [["10:00", "14:00"]]})
    assert [o.action for o in doc.overflow] == ["assign_anyway"]


def test_the_queue_dialog_fits_a_small_screen(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() and dialog.width() <= screen.width()
    for index in range(dialog.tabs.count()):
        scroller = dialog.tabs.widget(index)
        assert scroller.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


# --------------------------------------------------------------------------- agent


def test_an_agent_gets_a_skill_and_a_profile_limit_on_its_tab(qtbot, services):
    emma = row(services.list_agents(), "Emma Lindqvist")
    dialog = open_dialog(qtbot, AgentDialog, services, emma.id)
    assert [dialog.tabs.tabText(i) for i in range(2)] == ["&General", "&Skills && capacity"]
    editor = dialog.distribution
    assert editor.skills() == {"Languages": "4"} and editor.capacity_profiles() == {}
    dialog.set_tab("Skills")
    check, rating = editor.skill_rows["Mortgages"]
    assert not rating.isEnabled()
    check.setFocus()
    qtbot.keyClick(check, Qt.Key.Key_Space)
    assert rating.isEnabled()
    qtbot.keyClick(check, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is rating
    rating.setCurrentIndex(rating.findText("2"))
    profile, limit = editor.profile_rows["Chat"]
    profile.setChecked(True)
    assert limit.value() == 3  # starts at the profile's own limit
    limit.setValue(5)
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(rating, Qt.Key.Key_Return, CTRL)
    doc = services.load_agent(emma.id).doc
    assert (doc.skills, doc.capacity_profiles) == ({"Languages": "4", "Mortgages": "2"}, {"Chat": 5})
    assert services.agent_queues(emma.id) == ["General", "Investments"]


def test_a_refused_rating_shows_under_skills_on_its_tab(qtbot, services):
    emma = row(services.list_agents(), "Emma Lindqvist")
    dialog = open_dialog(qtbot, AgentDialog, services, emma.id)
    check, rating = dialog.distribution.skill_rows["Languages"]
    rating.addItem("9")  # as if the rating model had lost a value since the dialog opened
    rating.setCurrentIndex(rating.findText("9"))
    dialog.accept()
    assert dialog.error_text("skills") == "'9' is not a rating of skill 'Languages' (one of 1, 2, 3, 4, 5)."
    assert dialog.tabs.currentWidget().widget() is dialog.distribution
    assert services.load_agent(emma.id).doc.skills == {"Languages": "4"}


def test_the_agent_tab_says_what_to_do_without_skills_or_profiles(qtbot, empty_db):
    from app.services.core import Services

    dialog = open_dialog(qtbot, AgentDialog, Services(empty_db))
    dialog.set_tab("Skills")
    assert dialog.distribution.no_skills.isVisible() and "Skills page (Ctrl+7)" in dialog.distribution.no_skills.text()
    assert dialog.distribution.no_profiles.isVisible()


# --------------------------------------------------------------------------- the catalogue's own dialogs


def test_rating_model_values_keep_their_order_and_duplicates_are_refused(qtbot, services):
    dialog = open_dialog(qtbot, RatingModelDialog, services)
    assert QApplication.focusWidget() is dialog.name_edit
    qtbot.keyClicks(dialog.name_edit, "Level")
    assert not dialog.ok_button.isEnabled()  # no values yet
    dialog.values_edit.setPlainText("Junior\nSenior\njunior\n")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.error_text("values") == "Rating value 'junior' listed twice."
    dialog.values_edit.setPlainText("Junior\n  Senior  \n\nLead")
    assert dialog.error_text("values") == ""
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert services.load_rating_model(saved.args[0]).doc.values == ["Junior", "Senior", "Lead"]


def test_removing_a_held_rating_value_is_refused_inline(qtbot, services):
    model = services.list_rating_models()[0]
    dialog = open_dialog(qtbot, RatingModelDialog, services, model.id)
    assert dialog.values_edit.toPlainText() == "1\n2\n3\n4\n5"
    dialog.values_edit.setPlainText("1\n2\n3\n4")
    dialog.accept()
    assert dialog.error_text("values").startswith("Rating '5' is still used by agent 'Ana Ruiz' (Mortgages 5)")
    assert dialog.isVisible()


def test_a_skill_dialog_without_rating_models_says_what_to_do(qtbot, empty_db):
    from app.services.core import Services

    dialog = open_dialog(qtbot, SkillDialog, Services(empty_db))
    qtbot.keyClicks(dialog.name_edit, "Mortgages")
    assert not dialog.ok_button.isEnabled()
    assert dialog.note.isVisible() and "New rating model" in dialog.note.text()


def test_a_capacity_profile_limit_is_typed_and_bounded(qtbot, services):
    dialog = open_dialog(qtbot, CapacityProfileDialog, services)
    qtbot.keyClicks(dialog.name_edit, "Voice")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.limit_spin
    dialog.limit_spin.selectAll()
    qtbot.keyClicks(dialog.limit_spin, "250")  # the spin box takes no more than 100
    assert dialog.limit_spin.value() <= 100
    dialog.limit_spin.setValue(2)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog.limit_spin, Qt.Key.Key_Return)
    assert services.load_capacity_profile(saved.args[0]).doc.work_item_limit == 2


def test_a_duplicate_skill_name_is_shown_under_name(qtbot, services):
    dialog = open_dialog(qtbot, SkillDialog, services)
    qtbot.keyClicks(dialog.name_edit, "mortgages")
    dialog.accept()
    assert dialog.error_text("name") == "A skill named 'Mortgages' already exists."


def test_tab_from_monday_reaches_copy_then_tuesday_and_ctrl_tab_lands_in_a_field(qtbot, services):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab, CTRL)
    assert QApplication.focusWidget() is dialog.hours.always_open  # the cursor follows the tab
    dialog.hours.scheduled.setChecked(True)
    monday = dialog.hours.day_edits["mon"]
    monday.setFocus()
    qtbot.keyClicks(monday, "8-16")
    qtbot.keyClick(monday, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.hours.copy_button
    qtbot.keyClick(dialog.hours.copy_button, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.hours.copy_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.hours.day_edits["tue"]
    assert dialog.hours.day_edits["thu"].text() == "08:00–16:00"


def test_enter_in_a_field_after_changing_tabs_still_saves(qtbot, services):
    """Found by hand: Qt dropped the default button when a tab change moved the focus."""
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab, CTRL)
    dialog.hours.scheduled.setChecked(True)
    dialog.hours.day_edits["mon"].setText("17-9")
    tuesday = dialog.hours.day_edits["tue"]
    tuesday.setFocus()
    qtbot.keyClicks(tuesday, "9-12, 11-15")
    qtbot.keyClick(tuesday, Qt.Key.Key_Return)
    assert dialog.error_text("hours_week") == ("Monday: starts at 17:00, not before its end 09:00.\n"
                                               "Tuesday: 11:00–15:00 overlaps another interval.")
    tuesday.setText("9-12")
    dialog.hours.day_edits["mon"].setText("")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(tuesday, Qt.Key.Key_Return)
    assert services.load_queue(vip.id).doc.operating_hours.week == {"tue": [["09:00", "12:00"]]}


def test_cancel_after_a_change_asks_and_can_keep_editing(qtbot, services, answers):
    emma = row(services.list_agents(), "Emma Lindqvist")
    dialog = open_dialog(qtbot, AgentDialog, services, emma.id)
    dialog.reject()  # nothing changed: no question
    assert not dialog.isVisible() and answers.asked == []
    dialog = open_dialog(qtbot, AgentDialog, services, emma.id)
    dialog.distribution.skill_rows["Mortgages"][0].setChecked(True)
    answers.push("cancel")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert answers.asked[-1] == ("question", "Save the agent?", "Save the changes to agent 'Emma Lindqvist'?")
    assert dialog.isVisible()  # kept editing
    answers.push("save")
    with qtbot.waitSignal(dialog.saved):
        dialog.reject()
    assert services.load_agent(emma.id).doc.skills == {"Languages": "4", "Mortgages": "1"}


def test_discard_closes_without_saving(qtbot, services, answers):
    vip = row(services.list_queues(), "VIP")
    dialog = open_dialog(qtbot, QueueDialog, services, vip.id)
    dialog.priority_spin.setValue(7)
    answers.push("discard")
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.reject()
    assert not dialog.isVisible()
    assert services.load_queue(vip.id).doc.priority == 1
