"""Record dialogs: inline errors under their fields, typed input kept, save then reopen."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.routing.conditions import Issue
from ui.records.editors import (
    AgentDialog,
    ChannelDialog,
    PresenceDialog,
    QueueDialog,
    field_key,
)


def open_dialog(qtbot, cls, services, object_id=None):
    dialog = cls(services, object_id)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def row_id(rows, name):
    return next(r.id for r in rows if r.name == name)


def test_field_key_maps_issue_paths_to_fields():
    assert field_key("name") == "name"
    assert field_key("agents[0]") == "agents"
    assert field_key("queues[2]") == "queues"
    assert field_key("context_variables[0].name") == "context_variables"
    assert field_key("") == ""


def test_ok_is_disabled_while_the_name_is_empty(qtbot, services):
    dialog = open_dialog(qtbot, QueueDialog, services)
    assert dialog.windowTitle() == "New queue"
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "Mortgages")
    assert dialog.ok_button.isEnabled()
    assert dialog.error_text("name") == ""
    dialog.name_edit.selectAll()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Backspace)
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_text("name") == "Enter a name."
    qtbot.keyClicks(dialog.name_edit, "   ")
    assert not dialog.ok_button.isEnabled()


def test_empty_name_on_accept_is_shown_inline_and_the_dialog_stays(qtbot, services):
    dialog = open_dialog(qtbot, AgentDialog, services)
    dialog.capacity_spin.setValue(42)
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error_text("name") == "Enter a name."
    assert dialog.capacity_spin.value() == 42


def test_duplicate_queue_name_is_shown_under_the_name_and_input_is_kept(qtbot, services, answers):
    dialog = open_dialog(qtbot, QueueDialog, services)
    qtbot.keyClicks(dialog.name_edit, "general")
    dialog.description_edit.setPlainText("A second general queue")
    dialog.members.set_item_checked("Ana Ruiz")
    with qtbot.assertNotEmitted(dialog.saved):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_text("name") == "A queue named 'General' already exists."
    assert dialog.findChild(type(dialog.heading), "error_name").isVisible()
    assert dialog.name_edit.text() == "general"
    assert dialog.description_edit.toPlainText() == "A second general queue"
    assert dialog.members.checked() == ["Ana Ruiz"]
    assert answers.asked == []  # inline, not a message box
    # fixing the name saves
    dialog.name_edit.setText("Mortgages")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert not dialog.isVisible()
    assert services.load_queue(saved.args[0]).doc.agents == ["Ana Ruiz"]


def test_new_queue_saves_and_reopens_with_its_members(qtbot, services):
    dialog = open_dialog(qtbot, QueueDialog, services)
    dialog.name_edit.setText("Mortgages")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("records"))
    dialog.description_edit.setPlainText("Home loans")
    dialog.members.set_item_checked("Ben Okafor")
    dialog.members.set_item_checked("Dev Patel")
    assert dialog.members_summary.text() == "2 of 6 agents are members."
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    queue_id = saved.args[0]
    assert dialog.saved_name == "Mortgages"
    again = open_dialog(qtbot, QueueDialog, services, queue_id)
    assert again.windowTitle() == "Queue: Mortgages"
    assert again.name_edit.text() == "Mortgages"
    assert again.kind_combo.currentData() == "records"
    assert again.description_edit.toPlainText() == "Home loans"
    assert again.members.checked() == ["Ben Okafor", "Dev Patel"]


def test_an_unknown_member_is_shown_under_the_members(qtbot, services):
    dialog = open_dialog(qtbot, QueueDialog, services)
    dialog.name_edit.setText("Mortgages")
    dialog.members.set_item_checked("Farid Haddad")
    services.delete_agent(row_id(services.list_agents(), "Farid Haddad"))  # deleted by someone else meanwhile
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error_text("agents") == "Unknown agent 'Farid Haddad'."


def test_issues_without_a_field_go_to_the_general_label(qtbot, services):
    dialog = open_dialog(qtbot, QueueDialog, services)
    dialog.show_issues([Issue("", "the document is broken"), Issue("name", "too fancy"), Issue("name", "too long")])
    assert dialog.error_text("") == "The document is broken."
    assert dialog.error_text("name") == "Too fancy.\nToo long."


def test_agent_edit_saves_capacity_presence_and_queues(qtbot, services):
    agent_id = row_id(services.list_agents(), "Ana Ruiz")
    dialog = open_dialog(qtbot, AgentDialog, services, agent_id)
    assert dialog.name_edit.text() == "Ana Ruiz"
    assert set(dialog.queue_list.checked()) == set(services.agent_queues(agent_id))
    dialog.capacity_spin.setValue(60)
    dialog.presence_combo.setCurrentText("Away - Training")
    dialog.queue_list.set_checked(["Billing"])
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()
    again = open_dialog(qtbot, AgentDialog, services, agent_id)
    assert again.capacity_spin.value() == 60
    assert again.presence_combo.currentText() == "Away - Training"
    assert again.queue_list.checked() == ["Billing"]


def test_duplicate_agent_name_is_inline(qtbot, services):
    dialog = open_dialog(qtbot, AgentDialog, services)
    qtbot.keyClicks(dialog.name_edit, "BEN OKAFOR")
    dialog.accept()
    assert dialog.isVisible()
    # (the service says "a agent named ..."; the wording is the service's)
    assert dialog.error_text("name").endswith("agent named 'Ben Okafor' already exists.")


def test_conflict_take_theirs_reloads(qtbot, services, answers):
    agent_id = row_id(services.list_agents(), "Dev Patel")
    dialog = open_dialog(qtbot, AgentDialog, services, agent_id)
    loaded = services.load_agent(agent_id)
    services.save_agent({"name": "Dev Patel", "capacity": 77, "presence": "Busy"}, agent_id, loaded.version)
    dialog.capacity_spin.setValue(5)
    answers.push("theirs")
    dialog.accept()
    assert answers.asked[-1][0] == "conflict"
    assert "changed by someone else" in answers.asked[-1][2]
    assert dialog.isVisible()
    assert dialog.capacity_spin.value() == 77
    assert dialog.presence_combo.currentText() == "Busy"
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()  # now on the newest version: no conflict


def test_conflict_keep_mine_overwrites(qtbot, services, answers):
    agent_id = row_id(services.list_agents(), "Dev Patel")
    dialog = open_dialog(qtbot, AgentDialog, services, agent_id)
    loaded = services.load_agent(agent_id)
    services.save_agent({"name": "Dev Patel", "capacity": 77}, agent_id, loaded.version)
    dialog.capacity_spin.setValue(5)
    answers.push("mine")
    with qtbot.waitSignal(dialog.saved):
        dialog.accept()
    assert services.load_agent(agent_id).doc.capacity == 5


def test_conflict_cancel_keeps_the_dialog_and_input(qtbot, services, answers):
    agent_id = row_id(services.list_agents(), "Dev Patel")
    dialog = open_dialog(qtbot, AgentDialog, services, agent_id)
    loaded = services.load_agent(agent_id)
    services.save_agent({"name": "Dev Patel", "capacity": 77}, agent_id, loaded.version)
    dialog.capacity_spin.setValue(5)
    answers.push("cancel")
    dialog.accept()
    assert dialog.isVisible() and dialog.capacity_spin.value() == 5
    assert services.load_agent(agent_id).doc.capacity == 77


def test_base_presences_are_read_only_with_a_note(qtbot, services):
    available = row_id(services.list_presences(), "Available")
    dialog = open_dialog(qtbot, PresenceDialog, services, available)
    assert dialog.read_only
    assert dialog.note.isVisible() and "base presence" in dialog.note.text()
    assert dialog.name_edit.isReadOnly()
    assert not dialog.base_combo.isEnabled()
    assert not dialog.ok_button.isVisible()
    assert dialog.cancel_button.text() == "Close"
    dialog.accept()  # Enter closes it without saving
    assert not dialog.isVisible()


def test_custom_presence_text_limit_and_save(qtbot, services):
    dialog = open_dialog(qtbot, PresenceDialog, services)
    dialog.name_edit.setText("Away - Lunch")
    dialog.base_combo.setCurrentIndex(dialog.base_combo.findData("away"))
    dialog.text_edit.setPlainText("x" * 501)
    assert not dialog.ok_button.isEnabled()
    assert dialog.error_text("text") == "Keep the text to 500 characters or fewer."
    assert dialog.text_counter.text() == "501 / 500"
    dialog.text_edit.setPlainText("Back at two")
    assert dialog.ok_button.isEnabled() and dialog.error_text("text") == ""
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    doc = services.load_presence(saved.args[0]).doc
    assert (doc.name, doc.base, doc.text) == ("Away - Lunch", "away", "Back at two")
    again = open_dialog(qtbot, PresenceDialog, services, saved.args[0])
    assert not again.read_only and again.text_edit.toPlainText() == "Back at two"


def test_channel_kind_follows_the_work_stream(qtbot, services):
    dialog = open_dialog(qtbot, ChannelDialog, services)
    assert not dialog.ok_button.isEnabled()
    dialog.name_edit.setText("SMS +44 7700 900999")
    assert not dialog.ok_button.isEnabled()  # no work stream chosen yet
    dialog.select_workstream("SMS - General enquiries")
    assert dialog.kind_label.text() == "SMS number"
    assert dialog.ok_button.isEnabled()
    dialog.default_check.setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    channels = {c.name: c for c in services.list_channels()}
    added = channels["SMS +44 7700 900999"]
    assert (added.kind, added.workstream, added.is_default) == ("sms_number", "SMS - General enquiries", True)
    again = open_dialog(qtbot, ChannelDialog, services, saved.args[0])
    assert again.workstream_combo.currentData()[0] == "SMS - General enquiries"
    assert again.default_check.isChecked()


def test_duplicate_channel_name_is_inline(qtbot, services):
    dialog = open_dialog(qtbot, ChannelDialog, services)
    dialog.name_edit.setText("website chat widget")
    dialog.select_workstream("Chat - Investments desk")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error_text("name") == "A channel named 'Website chat widget' already exists."


def test_channel_dialog_without_work_streams_says_what_to_do(qtbot, empty_db):
    from app.services.core import Services

    dialog = open_dialog(qtbot, ChannelDialog, Services(empty_db))
    dialog.name_edit.setText("Web chat")
    assert not dialog.ok_button.isEnabled()
    assert "Create a work stream first" in dialog.note.text()


@pytest.mark.parametrize("cls", [QueueDialog, AgentDialog, PresenceDialog, ChannelDialog])
def test_dialogs_open_empty_for_a_new_record(qtbot, services, cls):
    dialog = open_dialog(qtbot, cls, services)
    assert dialog.windowTitle() == f"New {cls.kind}"
    assert dialog.name_edit.text() == ""
    assert dialog.name_edit.maxLength() == 100


@pytest.mark.parametrize("cls, list_rows, load, save, change", [
    ("AgentDialog", "list_agents", "load_agent", "save_agent", {"capacity": 66}),
    ("QueueDialog", "list_queues", "load_queue", "save_queue", {"description": "third console"}),
])
def test_keep_mine_never_overwrites_a_change_it_did_not_show(qtbot, services, answers, cls, list_rows, load, save,
                                                             change):
    """Keep mine saves against the version the conflict showed: a third console's change
    made while the question was open is another conflict, not a blind overwrite."""
    import ui.records.editors as editors
    from ui.common import messages

    name = "Dev Patel" if cls == "AgentDialog" else "Billing"
    object_id = row_id(getattr(services, list_rows)(), name)
    dialog = open_dialog(qtbot, getattr(editors, cls), services, object_id)

    def bump(extra):
        loaded = getattr(services, load)(object_id)
        doc = {k: v for k, v in loaded.doc.model_dump().items() if k != "id"}
        getattr(services, save)({**doc, **extra}, object_id, loaded.version)

    bump({"capacity": 77} if cls == "AgentDialog" else {"description": "second console"})  # a second console saves first
    if cls == "AgentDialog":
        dialog.capacity_spin.setValue(5)
    else:
        dialog.description_edit.setPlainText("mine")
    asked = []

    def responder(kind, title, text):
        asked.append((kind, text))
        if len(asked) == 1:
            bump(change)  # a third console saves while the question is open
            return "mine"
        return "theirs"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(messages, "responder", responder)
        dialog.accept()
    assert [kind for kind, _ in asked] == ["conflict", "conflict"]
    saved = getattr(services, load)(object_id).doc
    for key, value in change.items():
        assert getattr(saved, key) == value  # the third console's change stands
    assert dialog.isVisible()


@pytest.mark.parametrize("view", ["queues", "agents", "presences", "channels"])
def test_tab_walks_each_record_form_top_to_bottom(qtbot, services, view):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui.records.editors import DIALOG_FOR_VIEW

    dialog = open_dialog(qtbot, DIALOG_FOR_VIEW[view], services)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    first = QApplication.focusWidget()
    assert first is not None and dialog.isAncestorOf(first), "a new record's dialog starts in a field"
    seen, widget = [], first
    for _ in range(40):
        if widget in seen:
            break
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
    fields = [w for w in seen if not w.inherits("QAbstractButton") or w.inherits("QCheckBox")
              or w.inherits("QRadioButton")]
    tops = [w.mapTo(dialog, w.rect().center()).y() // 12 for w in fields]
    assert tops == sorted(tops), [w.objectName() or type(w).__name__ for w in fields]
