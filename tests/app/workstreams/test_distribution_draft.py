"""WorkStreamDraft's version 2 edits (work distribution, classification rules, variable order,
splits) and their validation with the document's paths, without a widget."""
from __future__ import annotations

import pytest

from app.services.core import Services
from app.workstreams.catalogue import DistributionCatalogue, read_catalogue
from app.workstreams.editing import MoveRules, SetField, SetFields, WorkStreamDraft

CATALOGUE = DistributionCatalogue(skills={"Mortgages": ("1", "2", "3", "4", "5"), "Languages": ("Basic", "Fluent")},
                                  profiles={"Chat": 3, "Email": 5}, presences=("Available", "Inactive"))


def stream(**fields) -> dict:
    data = Services.new_workstream("live_chat")
    data.update({"name": "Chat - Loans", "default_queue": "Loans", **fields})
    return data


def variable(name: str) -> dict:
    return {"id": None, "display_name": name.title(), "name": name, "type": "text"}


def classification(name: str, skills: dict, on: str = "tier") -> dict:
    return {"id": None, "name": name, "skills": skills,
            "condition": {"all": [{"variable": on, "operator": "eq", "value": "gold"}]}}


def paths(draft: WorkStreamDraft, **kwargs) -> set[str]:
    return {issue.path for issue in draft.problems(["Loans", "A", "B"], **kwargs)}


# ------------------------------------------------------------------ variable order (issue 10)

def test_a_variable_moves_up_and_down_and_undo_puts_it_back():
    draft = WorkStreamDraft(stream(context_variables=[variable("a"), variable("b"), variable("c")]))
    up = draft.move_variable(2, -1)
    assert up == MoveRules(2, 1, 1, "Move variable 'C' up", "variables")
    draft.apply(up)
    assert [v["name"] for v in draft.variables] == ["a", "c", "b"]
    draft.apply(draft.move_variable(0, +1))
    assert [v["name"] for v in draft.variables] == ["c", "a", "b"]
    draft.revert(draft.move_variable(1, -1))  # reverting a move is the move back
    assert [v["name"] for v in draft.variables] == ["a", "c", "b"]
    assert draft.move_variable(0, -1) is None and draft.move_variable(2, +1) is None


def test_moving_variables_leaves_the_rules_alone():
    draft = WorkStreamDraft(stream(context_variables=[variable("a"), variable("b")],
                                   routing_rules=[{"id": None, "name": "R", "queue": "A", "condition": {"all": []}}]))
    draft.apply(draft.move_variable(1, -1))
    assert [r["name"] for r in draft.rules] == ["R"] and [v["name"] for v in draft.variables] == ["b", "a"]


# ------------------------------------------------------------------ capacity format

def test_capacity_format_and_profile_change_in_one_step():
    draft = WorkStreamDraft(stream())
    to_profile = draft.set_capacity_format("profile", "Chat")
    assert to_profile == SetFields(("capacity_format", "capacity_profile"), ("units", None), ("profile", "Chat"),
                                   "Use capacity profile 'Chat'")
    draft.apply(to_profile)
    assert (draft.get("capacity_format"), draft.get("capacity_profile")) == ("profile", "Chat")
    back = draft.set_capacity_format("units")
    draft.apply(back)
    assert (draft.get("capacity_format"), draft.get("capacity_profile")) == ("units", None)
    draft.revert(back)
    assert (draft.get("capacity_format"), draft.get("capacity_profile")) == ("profile", "Chat")
    assert draft.set_capacity_format("profile") is None  # keeps the profile chosen: no change


def test_a_profile_stream_without_a_profile_is_a_problem_at_its_path():
    draft = WorkStreamDraft(stream(capacity_format="profile"))
    assert paths(draft) == {"capacity_profile"}
    draft.data["capacity_profile"] = "Nope"
    assert paths(draft) == set()  # without the catalogue the service checks the name
    assert paths(draft, catalogue=CATALOGUE) == {"capacity_profile"}
    draft.data["capacity_profile"] = "chat"  # names compare case-insensitively
    assert paths(draft, catalogue=CATALOGUE) == set()


# ------------------------------------------------------------------ the other fields

@pytest.mark.parametrize("key, value", [("skill_matching", "closest"), ("missed_notification_presence", "Inactive"),
                                        ("reconnect_window_s", 600)])
def test_each_distribution_field_applies_and_reverts(key, value):
    draft = WorkStreamDraft(stream())
    before = draft.get(key)
    edit = draft.set_field(key, value)
    draft.apply(edit)
    assert draft.get(key) == value
    draft.revert(edit)
    assert draft.get(key) == before


def test_reconnect_window_keystrokes_merge_into_one_step():
    draft = WorkStreamDraft(stream())
    first = draft.set_field("reconnect_window_s", 6)
    draft.apply(first)
    second = draft.set_field("reconnect_window_s", 60)
    assert first.merged(second) == SetField("reconnect_window_s", 0, 60, first.text)


def test_an_unknown_presence_or_a_window_out_of_range_is_a_problem():
    draft = WorkStreamDraft(stream(missed_notification_presence="Lunch"))
    assert paths(draft, catalogue=CATALOGUE) == {"missed_notification_presence"}
    draft.data.update(missed_notification_presence=None, reconnect_window_s=-1)
    assert paths(draft) == {"reconnect_window_s"}


def test_decline_reasons_are_an_editable_list_each_change_one_undo_step():
    draft = WorkStreamDraft(stream())
    for reason in ("Busy", "  Wrong skill ", "Break"):
        draft.apply(draft.add_decline_reason(reason))
    assert draft.get("decline_reasons") == ["Busy", "Wrong skill", "Break"]
    assert draft.add_decline_reason("   ") is None
    rename = draft.rename_decline_reason(0, "On a call")
    assert rename.text == "Rename decline reason 'Busy' to 'On a call'"
    draft.apply(rename)
    move = draft.move_decline_reason(2, -1)
    draft.apply(move)
    assert draft.get("decline_reasons") == ["On a call", "Break", "Wrong skill"]
    delete = draft.delete_decline_reason(0)
    draft.apply(delete)
    assert draft.get("decline_reasons") == ["Break", "Wrong skill"]
    for edit in (delete, move, rename):
        draft.revert(edit)
    assert draft.get("decline_reasons") == ["Busy", "Wrong skill", "Break"]
    assert draft.move_decline_reason(0, -1) is None and draft.delete_decline_reason(9) is None


def test_a_decline_reason_listed_twice_is_a_problem_at_its_index():
    draft = WorkStreamDraft(stream(decline_reasons=["Busy", "busy"]))
    assert paths(draft) == {"decline_reasons[1]"}


# ------------------------------------------------------------------ classification rules

def test_classification_rules_add_edit_move_delete_and_undo():
    draft = WorkStreamDraft(stream(context_variables=[variable("tier")]))
    first = draft.add_classification_rule(classification("Gold", {"Mortgages": "4"}))
    draft.apply(first)
    draft.apply(draft.add_classification_rule(classification("Any", {"Languages": "Basic"})))
    assert [r["name"] for r in draft.classification_rules] == ["Gold", "Any"]
    move = draft.move_rule(1, -1, "classification")
    assert move.text == "Move classification rule 'Any' up"
    draft.apply(move)
    assert [r["name"] for r in draft.classification_rules] == ["Any", "Gold"]
    edit = draft.edit_classification_rule(1, classification("Gold", {"Mortgages": "5"}))
    draft.apply(edit)
    assert draft.classification_rules[1]["skills"] == {"Mortgages": "5"}
    delete = draft.delete_classification_rule(0)
    draft.apply(delete)
    assert [r["name"] for r in draft.classification_rules] == ["Gold"]
    for undo in (delete, edit, move):
        draft.revert(undo)
    assert [(r["name"], r["skills"]) for r in draft.classification_rules] == [
        ("Gold", {"Mortgages": "4"}), ("Any", {"Languages": "Basic"})]
    assert draft.rules == []  # routing rules untouched


def test_classification_problems_name_the_rule_and_the_skill():
    draft = WorkStreamDraft(stream(context_variables=[variable("tier")], classification_rules=[
        classification("Gold", {"Mortgages": "9"}), classification("Bad", {"Cooking": "1"}, on="nope")]))
    found = paths(draft, catalogue=CATALOGUE)
    assert "classification_rules[0].skills.Mortgages" in found
    assert any(p.startswith("classification_rules[1].skills") for p in found)
    assert any(p.startswith("classification_rules[1].condition") for p in found)
    draft.data["classification_rules"] = [classification("Gold", {"Mortgages": "3"})]
    assert paths(draft, catalogue=CATALOGUE) == set()


def test_a_variable_used_by_a_classification_rule_cannot_be_deleted():
    from app.workstreams.editing import EditRefused

    draft = WorkStreamDraft(stream(context_variables=[variable("tier")],
                                   classification_rules=[classification("Gold", {"Mortgages": "4"})]))
    with pytest.raises(EditRefused, match="Gold"):
        draft.delete_variable(0)


# ------------------------------------------------------------------ splits

def split_rule(*shares: tuple[str, int]) -> dict:
    return {"id": None, "name": "Split", "queue": None, "condition": {"all": []},
            "queues": [{"queue": q, "percent": p} for q, p in shares]}


def test_a_split_that_does_not_add_up_to_100_is_a_problem_at_the_rules_queues():
    draft = WorkStreamDraft(stream(routing_rules=[split_rule(("A", 60), ("B", 30))]))
    assert paths(draft) == {"routing_rules[0].queues"}
    draft.data["routing_rules"] = [split_rule(("A", 60), ("B", 40))]
    assert paths(draft) == set()


def test_split_queues_are_checked_when_no_queue_names_are_given():
    draft = WorkStreamDraft(stream(routing_rules=[split_rule(("A", 60), ("B", 40))]))
    assert draft.problems() == []


# ------------------------------------------------------------------ the catalogue

def test_the_catalogue_reads_the_demo_skills_profiles_and_presences(db):
    catalogue = read_catalogue(db)
    assert "Mortgages" in catalogue.skills and catalogue.ratings("mortgages") == catalogue.skills["Mortgages"]
    assert catalogue.ratings("Mortgages") and catalogue.ratings("nothing") == ()
    assert catalogue.profiles == {"Chat": 3} and catalogue.queues == ("Billing", "General", "Investments", "VIP")
    assert "Available" in catalogue.presences
