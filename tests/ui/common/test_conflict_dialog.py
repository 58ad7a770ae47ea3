"""The conflict dialog: both versions field by field, the differences marked, and what each button answers."""
from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from ui.common import messages
from ui.common.conflict_dialog import DIFFERS, ConflictDialog, compare_fields


@pytest.fixture
def versions(services):
    """(mine, theirs): the editor's draft and the stream as someone else saved it."""
    loaded = services.load_workstream(services.workstream_id_by_name("Chat - Retail banking"))
    theirs = loaded.doc.model_dump()
    mine = copy.deepcopy(theirs)
    mine["capacity"] = theirs["capacity"] + 12
    mine["routing_rules"][0]["queue"] = "General"
    return mine, theirs


def make(qtbot, mine, theirs, **kwargs) -> ConflictDialog:
    dialog = ConflictDialog(None, "Work stream changed elsewhere", mine, theirs, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def cell(dialog, field, column) -> str:
    row = next(i for i, r in enumerate(dialog.rows) if r[0] == field)
    return dialog.table.item(row, column).text()


def test_both_versions_are_shown_with_only_the_differences_marked(qtbot, versions):
    mine, theirs = versions
    dialog = make(qtbot, mine, theirs, text="The work stream was changed by someone else.")
    assert dialog.windowTitle() == "Work stream changed elsewhere"
    assert dialog.message.text() == "The work stream was changed by someone else."
    assert dialog.differing_fields() == ["capacity", "routing_rules"]
    assert (cell(dialog, "capacity", 2), cell(dialog, "capacity", 3)) == (str(mine["capacity"]), str(theirs["capacity"]))
    rule = theirs["routing_rules"][0]["name"]
    assert f"1. {rule} → General:" in cell(dialog, "routing_rules", 2)
    assert f"1. {rule} → {theirs['routing_rules'][0]['queue']}:" in cell(dialog, "routing_rules", 3)
    for row, (field, _mine, _theirs, differs) in enumerate(dialog.rows):
        marked = dialog.table.item(row, 0).text() == DIFFERS
        bold = dialog.table.item(row, 2).font().bold()
        assert marked == bold == differs, field
    assert cell(dialog, "name", 2) == cell(dialog, "name", 3) == "Chat - Retail banking"
    assert "id" not in [r[0] for r in dialog.rows]
    assert "2 fields differ" in dialog.summary.text()
    # the changes, as the bundle diff words them: what keeping mine does to theirs
    assert any("capacity" in line and f"{theirs['capacity']} → {mine['capacity']}" in line for line in dialog.changes)
    assert any(f"rule '{rule}'" in line and "'General'" in line for line in dialog.changes)
    assert dialog.changes_view.toPlainText() == "\n".join(dialog.changes)


def test_only_the_differences_hides_the_equal_fields(qtbot, versions):
    dialog = make(qtbot, *versions)
    assert len(dialog.visible_fields()) == len(dialog.rows) > 2
    qtbot.mouseClick(dialog.only_differences, Qt.MouseButton.LeftButton)
    assert dialog.visible_fields() == ["capacity", "routing_rules"]
    dialog.only_differences.setChecked(False)
    assert len(dialog.visible_fields()) == len(dialog.rows)


@pytest.mark.parametrize("button, choice, result", [
    ("keepMine", "mine", QDialog.DialogCode.Accepted),
    ("takeTheirs", "theirs", QDialog.DialogCode.Accepted),
    ("cancel", "cancel", QDialog.DialogCode.Rejected),
])
def test_each_button_answers(qtbot, versions, button, choice, result):
    dialog = make(qtbot, *versions)
    dialog.show()
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.findChild(type(dialog.keep_mine), button), Qt.MouseButton.LeftButton)
    assert dialog.choice == choice and dialog.result() == result


def test_escape_and_enter_neither_overwrite_nor_discard(qtbot, versions):
    dialog = make(qtbot, *versions)
    dialog.show()
    assert dialog.cancel.isDefault() and not dialog.keep_mine.isDefault()
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.choice == "cancel"


def test_other_objects_and_unfinished_drafts_compare_too(qtbot):
    theirs = {"id": "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c03", "name": "Billing", "kind": "messaging", "description": "", "agents": ["Ana Ruiz"]}
    mine = {**theirs, "kind": "records", "agents": ["Ana Ruiz", "Ben Okafor"]}
    dialog = make(qtbot, mine, theirs)
    assert dialog.differing_fields() == ["kind", "agents"]
    assert (cell(dialog, "kind", 2), cell(dialog, "kind", 3)) == ("Records", "Messaging")
    assert cell(dialog, "agents", 2) == "Ana Ruiz, Ben Okafor"
    assert any("+'Ben Okafor'" in line for line in dialog.changes)

    draft = {**mine, "name": ""}  # not a valid document: no diff lines, the table still compares
    dialog = make(qtbot, draft, theirs)
    assert dialog.changes == [] and not dialog.changes_view.isVisibleTo(dialog)
    assert "name" in dialog.differing_fields()


def test_ids_and_identical_versions_are_not_differences(qtbot, versions):
    _mine, theirs = versions
    same = copy.deepcopy(theirs)
    for rule in same["routing_rules"]:
        rule["id"] = None
    assert not any(differs for *_rest, differs in compare_fields(same, theirs))
    dialog = make(qtbot, same, theirs)
    assert dialog.differing_fields() == [] and "only the version number" in dialog.summary.text()


def test_messages_conflict_shows_the_dialog_when_given_both_versions(qtbot, versions, monkeypatch):
    monkeypatch.setattr(messages, "responder", None)
    shown = []

    def answer(dialog):
        qtbot.addWidget(dialog)
        shown.append(dialog)
        dialog.take_theirs.click()
        return dialog.result()

    monkeypatch.setattr(ConflictDialog, "exec", answer)
    mine, theirs = versions
    assert messages.conflict(None, "Changed", "Someone saved first.", "Pick one.", mine=mine, theirs=theirs) == "theirs"
    (dialog,) = shown
    assert dialog.differing_fields() == ["capacity", "routing_rules"]
    assert dialog.windowTitle() == "Changed" and dialog.message.text() == "Someone saved first."


def test_messages_conflict_without_versions_is_a_message_box(monkeypatch):
    monkeypatch.setattr(messages, "responder", None)
    monkeypatch.setattr(ConflictDialog, "exec", lambda _self: pytest.fail("no versions: no comparison dialog"))
    asked = []

    def box_exec(box):
        asked.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", box_exec)
    assert messages.conflict(None, "Changed", "Someone saved first.") == "cancel"
    assert asked == ["Someone saved first."]


def test_the_test_responder_still_answers_conflicts(versions, answers):
    answers.push("mine")
    mine, theirs = versions
    assert messages.conflict(None, "Changed", "Someone saved first.", mine=mine, theirs=theirs) == "mine"
    assert answers.asked == [("conflict", "Changed", "Someone saved first.")]
