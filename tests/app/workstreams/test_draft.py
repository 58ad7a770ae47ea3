"""app.workstreams.editing.WorkStreamDraft: the editor's edits and validation, without a widget."""
from __future__ import annotations

import copy

import pytest

from app.services.core import Services
from app.workstreams.editing import EditRefused, SetField, WorkStreamDraft


def stream(**fields) -> dict:
    data = Services.new_workstream("live_chat")
    data.update({"name": "Chat - Loans", **fields})
    return data


def variable(name: str, kind: str = "text") -> dict:
    return {"id": None, "display_name": name.title(), "name": name, "type": kind}


def rule(name: str, on: str = "tier", queue: str = "Loans") -> dict:
    return {"id": None, "name": name, "queue": queue,
            "condition": {"all": [{"variable": on, "operator": "eq", "value": "gold"}]}}


class Recorder:
    def __init__(self):
        self.heard: list[tuple[str, str]] = []

    def draft_changing(self, change) -> None:
        self.heard.append(("before", type(change).__name__))

    def draft_changed(self, change) -> None:
        self.heard.append(("after", type(change).__name__))


def test_a_field_edit_applies_and_reverts():
    draft = WorkStreamDraft(stream(capacity=10))
    edit = draft.set_field("capacity", 25, "Capacity")
    assert edit == SetField("capacity", 10, 25, "Edit Capacity")
    draft.apply(edit)
    assert draft.get("capacity") == 25
    draft.revert(edit)
    assert draft.get("capacity") == 10


def test_setting_a_field_to_its_value_is_no_edit():
    draft = WorkStreamDraft(stream(capacity=10))
    assert draft.set_field("capacity", 10) is None


def test_consecutive_edits_of_a_mergeable_field_merge_into_one_step():
    draft = WorkStreamDraft(stream(capacity=10))
    first = draft.set_field("capacity", 11)
    draft.apply(first)
    second = draft.set_field("capacity", 12)
    draft.apply(second)
    merged = first.merged(second)
    assert (merged.old, merged.new) == (10, 12)
    draft.revert(merged)
    assert draft.get("capacity") == 10
    assert draft.set_field("keep_same_agent", True).merged(draft.set_field("keep_same_agent", True)) is None


def test_add_delete_and_undo_keep_the_list_in_order():
    draft = WorkStreamDraft(stream(context_variables=[variable("tier"), variable("amount", "number")]))
    added = draft.add_variable({"display_name": "Region", "name": "region", "type": "text"})
    draft.apply(added)
    assert [v["name"] for v in draft.variables] == ["tier", "amount", "region"]
    assert added.item["id"] is None  # a new variable gets its id when saved
    deleted = draft.delete_variable(0)
    draft.apply(deleted)
    assert [v["name"] for v in draft.variables] == ["amount", "region"]
    draft.revert(deleted)
    draft.revert(added)
    assert [v["name"] for v in draft.variables] == ["tier", "amount"]


def test_a_variable_in_use_is_not_deleted_and_keeps_its_type():
    draft = WorkStreamDraft(stream(context_variables=[variable("tier")], routing_rules=[rule("Gold")]))
    with pytest.raises(EditRefused, match="used by rule 'Gold'"):
        draft.delete_variable(0)
    with pytest.raises(EditRefused, match="type cannot change"):
        draft.edit_variable(0, {**variable("tier"), "type": "number"})


def test_renaming_a_variable_renames_it_in_rules_and_undo_restores_both():
    draft = WorkStreamDraft(stream(context_variables=[variable("tier")], routing_rules=[rule("Gold")]))
    before = copy.deepcopy(draft.data)
    edit = draft.edit_variable(0, {**variable("tier"), "name": "level"})
    assert "updates 1 rule" in edit.text
    draft.apply(edit)
    assert draft.rules[0]["condition"]["all"][0]["variable"] == "level"
    draft.revert(edit)
    assert draft.data == before


def test_moving_rules_and_undoing_the_move():
    draft = WorkStreamDraft(stream(context_variables=[variable("tier")],
                                   routing_rules=[rule("A"), rule("B"), rule("C")]))
    down = draft.move_rule(0, +1)
    assert down.text == "Move rule 'A' down"
    draft.apply(down)
    assert [r["name"] for r in draft.rules] == ["B", "A", "C"]
    draft.revert(down)
    assert [r["name"] for r in draft.rules] == ["A", "B", "C"]
    dragged = draft.move_rules(2, 1, 0)  # a drag of C to the top
    draft.apply(dragged)
    assert [r["name"] for r in draft.rules] == ["C", "A", "B"]
    draft.revert(dragged)
    assert [r["name"] for r in draft.rules] == ["A", "B", "C"]
    assert draft.move_rule(0, -1) is None and draft.move_rules(0, 1, 1) is None  # nowhere to go


def test_the_listener_hears_before_and_after_each_change():
    recorder = Recorder()
    draft = WorkStreamDraft(stream(), listener=recorder)
    edit = draft.add_rule(rule("A"))
    draft.apply(edit)
    draft.revert(edit)
    assert recorder.heard == [("before", "AddItem"), ("after", "AddItem"),
                              ("before", "DeleteItem"), ("after", "DeleteItem")]


def test_problems_are_the_documents_own_with_its_paths():
    draft = WorkStreamDraft(stream(name="  ", allowed_presences=[], active=True, default_queue=None,
                                   context_variables=[variable("tier"), variable("TIER")]))
    paths = {issue.path for issue in draft.problems()}
    assert {"name", "allowed_presences"} <= paths
    draft.data.update(name="Chat", allowed_presences=["available"])
    paths = {issue.path for issue in draft.problems()}
    assert paths == {"default_queue", "context_variables[1].name"}


def test_queue_references_are_checked_only_against_names_given():
    draft = WorkStreamDraft(stream(default_queue="Loans", context_variables=[variable("tier")],
                                   routing_rules=[rule("A", queue="Nowhere")]))
    assert draft.problems() == []
    assert [issue.path for issue in draft.problems(["Loans"])] == ["routing_rules[0].queue"]


def test_for_save_trims_the_name_without_touching_the_draft():
    draft = WorkStreamDraft(stream(name="  Chat  "))
    assert draft.for_save()["name"] == "Chat"
    assert draft.get("name") == "  Chat  "
