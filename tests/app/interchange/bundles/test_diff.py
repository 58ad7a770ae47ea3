"""Semantic diff of configuration documents."""
from __future__ import annotations

import json

import pytest

from app.interchange.bundles.diff import diff_documents
from app.routing.conditions import rename_variable
from app.config.document import DocumentInvalid, strip_ids
from tests.app.interchange.bundles.helpers import find, sample_doc, sample_doc_without_ids, stream

CHAT = "Chat - Support"


def lines(a: dict, b: dict) -> list[str]:
    return diff_documents(a, b).render_text().splitlines()


def test_identical_documents_have_an_empty_diff():
    diff = diff_documents(sample_doc(), sample_doc())
    assert diff.is_empty
    assert diff.render_text() == ""
    assert diff.counts == {"created": 0, "updated": 0, "deleted": 0}
    assert diff.to_json() == {"counts": {"created": 0, "updated": 0, "deleted": 0}, "changes": []}


def test_defaults_compare_equal_to_explicit_values():
    explicit = sample_doc_without_ids()
    sparse = json.loads(json.dumps(explicit))
    del sparse["queues"][2]["description"], sparse["queues"][2]["agents"], sparse["queues"][2]["kind"]
    sparse["queues"][2]["kind"] = "records"
    assert diff_documents(explicit, sparse).is_empty


def test_added_and_removed_objects():
    a, b = sample_doc(), sample_doc()
    b["queues"].append({"name": "Escalations"})
    b["agents"] = [x for x in b["agents"] if x["name"] != "Ben"]
    for queue in b["queues"]:
        queue["agents"] = [n for n in queue.get("agents", []) if n != "Ben"]
    diff = diff_documents(a, b)
    text = diff.render_text().splitlines()
    assert "+ queue 'Escalations'" in text
    assert "- agent 'Ben'" in text
    assert "~ queue 'General': agents −'Ben'" in text
    assert diff.counts == {"created": 1, "updated": 1, "deleted": 1}


def test_field_change_shows_old_and_new():
    a, b = sample_doc(), sample_doc()
    stream(b, CHAT)["capacity"] = 30
    stream(b, CHAT)["keep_same_agent"] = False
    text = lines(a, b)
    assert text == [
        "~ workstream 'Chat - Support': capacity 20 → 30",
        "~ workstream 'Chat - Support': keep same agent yes → no",
    ]


def test_rule_moved_is_one_move_not_remove_and_add():
    a, b = sample_doc(), sample_doc()
    rules = stream(b, CHAT)["routing_rules"]
    rules.insert(0, rules.pop())  # Big orders: 3 -> 1
    text = lines(a, b)
    assert text == ["~ workstream 'Chat - Support'", "  ↕ rule 'Big orders' moved 3 → 1"]
    change = diff_documents(a, b).to_json()["changes"][0]
    assert change == {"op": "move", "kind": "routing_rule", "name": "Big orders", "workstream": CHAT,
                      "from_position": 3, "to_position": 1}
    assert diff_documents(a, b).counts == {"created": 0, "updated": 1, "deleted": 0}


def test_moves_are_not_reported_when_only_an_insertion_shifted_positions():
    a, b = sample_doc_without_ids(), sample_doc_without_ids()
    stream(b, CHAT)["routing_rules"].insert(0, {"name": "First", "queue": "General"})
    assert lines(a, b) == ["~ workstream 'Chat - Support'", "  + rule 'First'"]


def test_reversal_reports_the_fewest_moves():
    a, b = sample_doc(), sample_doc()
    stream(b, CHAT)["routing_rules"].reverse()
    moves = [c for c in diff_documents(a, b).changes if c.op == "move"]
    assert len(moves) == 2


def test_a_variable_reorder_is_one_move_and_nothing_else():
    a, b = sample_doc(), sample_doc()
    stream(b, CHAT)["context_variables"].reverse()
    assert lines(a, b) == ["~ workstream 'Chat - Support'", "  ↕ context variable 'tier' moved 2 → 1"]
    assert diff_documents(a, a).is_empty  # the same order is no change


def _rename_variable(doc: dict, old: str, new: str) -> None:
    chat = stream(doc, CHAT)
    find(chat["context_variables"], old)["name"] = new
    for rule in chat["routing_rules"]:
        rule["condition"] = rename_variable(rule["condition"], old, new)


def test_renamed_variable_with_ids_is_a_rename_and_conditions_do_not_echo():
    a, b = sample_doc(), sample_doc()
    _rename_variable(b, "ordervalue", "order_value")
    assert lines(a, b) == ["~ workstream 'Chat - Support'",
                           "  ✎ context variable 'ordervalue' renamed to 'order_value'"]


def test_renamed_variable_without_ids_is_found_by_display_name_and_type():
    a, b = sample_doc_without_ids(), sample_doc_without_ids()
    _rename_variable(b, "ordervalue", "order_value")
    assert lines(a, b) == ["~ workstream 'Chat - Support'",
                           "  ✎ context variable 'ordervalue' renamed to 'order_value'"]


def test_variables_with_different_ids_are_not_a_rename():
    a, b = sample_doc(), sample_doc()
    _rename_variable(b, "ordervalue", "order_value")
    find(stream(b, CHAT)["context_variables"], "order_value")["id"] = "d0000000-0000-4000-8000-0000000000ff"
    text = lines(a, b)
    assert "  - context variable 'ordervalue'" in text
    assert "  + context variable 'order_value'" in text


def test_condition_change_beyond_a_rename_is_still_reported():
    a, b = sample_doc(), sample_doc()
    _rename_variable(b, "ordervalue", "order_value")
    big = find(stream(b, CHAT)["routing_rules"], "Big orders")
    big["condition"]["all"][0]["value"] = 5000
    text = lines(a, b)
    assert "  ✎ context variable 'ordervalue' renamed to 'order_value'" in text
    changed = [line for line in text if line.startswith("  ~ rule 'Big orders': condition")]
    assert len(changed) == 1 and "order_value > 5000" in changed[0]


def test_queue_renamed_by_id_does_not_echo_in_references():
    a, b = sample_doc(), sample_doc()
    find(b["queues"], "VIP")["name"] = "Premium"
    for rule in stream(b, CHAT)["routing_rules"]:
        if rule["queue"] == "VIP":
            rule["queue"] = "Premium"
    diff = diff_documents(a, b)
    assert diff.render_text().splitlines() == ["✎ queue 'VIP' renamed to 'Premium'"]
    assert diff.counts == {"created": 0, "updated": 1, "deleted": 0}


def test_queue_member_order_is_not_a_change():
    a, b = sample_doc(), sample_doc()
    find(b["queues"], "General")["agents"].reverse()
    assert diff_documents(a, b).is_empty


def test_nested_objects_added_removed_and_changed():
    a, b = sample_doc(), sample_doc()
    chat = stream(b, CHAT)
    chat["channels"] = []
    chat["context_variables"].append({"display_name": "Region", "name": "region", "type": "text"})
    find(chat["routing_rules"], "VIP customers")["queue"] = "General"
    find(chat["context_variables"], "tier")["display_name"] = "Tier"
    text = lines(a, b)
    assert text[0] == "~ workstream 'Chat - Support'"
    assert set(text[1:]) == {
        "  + context variable 'region'",
        "  ~ context variable 'tier': display name 'Customer tier' → 'Tier'",
        "  ~ rule 'VIP customers': queue 'VIP' → 'General'",
        "  - channel 'Website widget'",
    }


def test_whole_workstream_added_is_one_line():
    a, b = sample_doc(), sample_doc()
    b["workstreams"] = [w for w in b["workstreams"] if w["name"] != CHAT]
    assert lines(b, a) == ["+ workstream 'Chat - Support'"]
    assert lines(a, b) == ["- workstream 'Chat - Support'"]


def test_json_is_stable_and_independent_of_input_order():
    a, b = sample_doc(), sample_doc()
    stream(b, CHAT)["capacity"] = 30
    b["queues"].append({"name": "A new one"})
    b["presences"].append({"name": "Lunch", "base": "away"})
    shuffled = json.loads(json.dumps(b))
    shuffled["queues"].reverse()
    first = json.dumps(diff_documents(a, b).to_json(), sort_keys=True)
    assert first == json.dumps(diff_documents(a, shuffled).to_json(), sort_keys=True)
    kinds = [c["kind"] for c in diff_documents(a, b).to_json()["changes"]]
    assert kinds == ["presence", "queue", "workstream"]


def test_ids_on_one_side_only_still_match_by_name():
    assert diff_documents(sample_doc(), strip_ids(sample_doc())).is_empty


def test_invalid_document_is_refused():
    with pytest.raises(DocumentInvalid):
        diff_documents(sample_doc(), {"format": "nope"})
