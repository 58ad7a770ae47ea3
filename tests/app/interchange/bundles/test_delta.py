"""Delta documents: making them, finding conflicts, applying them."""
from __future__ import annotations

import copy

import pytest

from app.interchange.bundles.delta import (
    Conflict,
    DeltaConflict,
    DeltaInvalid,
    apply_delta,
    detect_conflicts,
    document_dict,
    make_delta,
    objects_by_key,
    parse_delta,
)
from app.config.document import DocumentInvalid, validate_document
from app.common.errors import UserError
from tests.app.interchange.bundles.helpers import (
    QUEUE_BILLING,
    QUEUE_VIP,
    STREAM_CHAT,
    STREAM_SMS,
    find,
    sample_doc,
    stream,
)

CHAT = "Chat - Support"
NEW_QUEUE = "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c99"


def versions_of(doc: dict, version: int = 3) -> dict:
    return {key: version for key in objects_by_key(doc)}


def baseline_of(doc: dict, version: int = 3) -> dict:
    return {key: {"version": version, "name": obj["name"]} for key, obj in objects_by_key(doc).items()}


def source_changes() -> tuple[dict, dict]:
    """The sender's edits since a baseline where everything was at version 3."""
    current = sample_doc()
    stream(current, CHAT)["capacity"] = 30
    current["queues"].append({"id": NEW_QUEUE, "name": "Escalations", "kind": "messaging",
                              "description": "", "agents": []})
    current["workstreams"] = [w for w in current["workstreams"] if w["id"] != STREAM_SMS]
    versions = versions_of(current)
    versions[("workstream", STREAM_CHAT)] = 4
    versions[("queue", NEW_QUEUE)] = 1
    return current, versions


def delta_from_source() -> dict:
    current, versions = source_changes()
    return make_delta(baseline_of(sample_doc()), current, versions, baseline_id="base-1", label="Friday")


def test_make_delta_lists_created_updated_and_deleted():
    delta = delta_from_source()
    assert delta["format"] == "workstream-console/delta"
    assert delta["baseline"] == {"id": "base-1", "label": "Friday"}
    summary = [(c["op"], c["kind"], c["name"], c["from_version"]) for c in delta["changes"]]
    assert summary == [
        ("create", "queue", "Escalations", None),
        ("update", "workstream", CHAT, 3),
        ("delete", "workstream", "SMS - Alerts", 3),
    ]
    update = delta["changes"][1]
    assert update["data"]["capacity"] == 30
    assert len(update["data"]["routing_rules"]) == 3  # a stream travels with its children
    assert delta["changes"][2]["data"] is None


def test_no_changes_gives_an_empty_delta():
    doc = sample_doc()
    delta = make_delta(baseline_of(doc), doc, versions_of(doc), baseline_id="b", label="")
    assert delta["changes"] == []


def test_make_delta_needs_ids_and_versions():
    doc = sample_doc()
    del doc["queues"][0]["id"]
    with pytest.raises(ValueError, match="has no id"):
        make_delta({}, doc, versions_of(sample_doc()), baseline_id="b", label="")
    with pytest.raises(ValueError, match="no version"):
        make_delta({}, sample_doc(), {}, baseline_id="b", label="")


def test_apply_without_conflicts():
    receiver = sample_doc()
    result = apply_delta(receiver, delta_from_source(), receiver_versions=versions_of(receiver))
    assert stream(result, CHAT)["capacity"] == 30
    assert "Escalations" in [q["name"] for q in result["queues"]]
    assert "SMS - Alerts" not in [w["name"] for w in result["workstreams"]]
    validate_document(result)


def test_applying_twice_is_harmless():
    receiver = sample_doc()
    delta = delta_from_source()
    once = apply_delta(receiver, delta, receiver_versions=versions_of(receiver))
    after = versions_of(once, 5)  # the receiver's versions moved on when it applied
    assert detect_conflicts(delta, after, once) == []
    assert apply_delta(once, delta, receiver_versions=after) == once


def test_receiver_change_since_from_version_is_a_conflict():
    receiver = sample_doc()
    stream(receiver, CHAT)["capacity"] = 25
    versions = versions_of(receiver)
    versions[("workstream", STREAM_CHAT)] = 4
    conflicts = detect_conflicts(delta_from_source(), versions, receiver)
    assert [c.reason for c in conflicts] == ["changed_here"]
    assert str(conflicts[0]) == "conflict: work stream 'Chat - Support' was changed here and there"


def test_stop_raises_listing_every_conflict():
    receiver = sample_doc()
    versions = versions_of(receiver, 7)  # everything changed here
    with pytest.raises(DeltaConflict) as caught:
        apply_delta(receiver, delta_from_source(), "stop", receiver_versions=versions)
    assert isinstance(caught.value, UserError)
    assert str(caught.value) == "conflict: work stream 'Chat - Support' was changed here and there (and 1 more)"
    assert {c.name for c in caught.value.conflicts} == {CHAT, "SMS - Alerts"}


def test_theirs_and_ours():
    receiver = sample_doc()
    stream(receiver, CHAT)["capacity"] = 25
    versions = versions_of(receiver)
    versions[("workstream", STREAM_CHAT)] = 4
    theirs = apply_delta(receiver, delta_from_source(), "theirs", receiver_versions=versions)
    ours = apply_delta(receiver, delta_from_source(), "ours", receiver_versions=versions)
    assert stream(theirs, CHAT)["capacity"] == 30
    assert stream(ours, CHAT)["capacity"] == 25
    for result in (theirs, ours):  # the non-conflicting changes apply either way
        assert "Escalations" in [q["name"] for q in result["queues"]]
        assert "SMS - Alerts" not in [w["name"] for w in result["workstreams"]]


def test_deleted_here_conflict():
    receiver = sample_doc()
    receiver["workstreams"] = [w for w in receiver["workstreams"] if w["id"] != STREAM_CHAT]
    versions = versions_of(receiver)
    conflicts = detect_conflicts(delta_from_source(), versions, receiver)
    assert [(c.reason, str(c)) for c in conflicts] == [
        ("deleted_here", "conflict: work stream 'Chat - Support' was deleted here and changed there")]
    revived = apply_delta(receiver, delta_from_source(), "theirs", receiver_versions=versions)
    assert stream(revived, CHAT)["capacity"] == 30
    kept = apply_delta(receiver, delta_from_source(), "ours", receiver_versions=versions)
    assert CHAT not in [w["name"] for w in kept["workstreams"]]


def test_delete_of_something_already_gone_is_not_a_conflict():
    receiver = sample_doc()
    receiver["workstreams"] = [w for w in receiver["workstreams"] if w["id"] != STREAM_SMS]
    assert detect_conflicts(delta_from_source(), versions_of(receiver), receiver) == []


def test_create_with_a_name_already_used_here():
    receiver = sample_doc()
    receiver["queues"].append({"id": "6f1c2a4e-7d0b-4c1e-9a53-3f2b8e1d9c77", "name": "escalations",
                               "kind": "records", "description": "ours", "agents": []})
    versions = versions_of(receiver)
    conflicts = detect_conflicts(delta_from_source(), versions, receiver)
    assert [c.reason for c in conflicts] == ["name_taken"]
    assert str(conflicts[0]) == "conflict: queue 'Escalations' was created there, but the name is used here by another queue"
    theirs = apply_delta(receiver, delta_from_source(), "theirs", receiver_versions=versions)
    assert [q for q in theirs["queues"] if q["name"].casefold() == "escalations"] == [
        {"id": NEW_QUEUE, "name": "Escalations", "kind": "messaging", "description": "", "agents": [],
         "priority": 10_000, "assignment_method": "highest_capacity", "operating_hours": None, "overflow": []}]
    ours = apply_delta(receiver, delta_from_source(), "ours", receiver_versions=versions)
    assert find(ours["queues"], "escalations")["description"] == "ours"


def test_create_whose_id_exists_with_other_content():
    receiver = sample_doc()
    receiver["queues"].append({"id": NEW_QUEUE, "name": "Escalations", "kind": "records",
                               "description": "different", "agents": []})
    conflicts = detect_conflicts(delta_from_source(), versions_of(receiver), receiver)
    assert [c.reason for c in conflicts] == ["exists"]
    assert isinstance(conflicts[0], Conflict) and conflicts[0].to_json()["message"].startswith("conflict:")


def test_without_the_receiver_document_only_versions_are_compared():
    versions = versions_of(sample_doc())
    assert detect_conflicts(delta_from_source(), versions) == []


def test_renamed_queue_updates_references_here():
    sender = sample_doc()
    find(sender["queues"], "Billing")["name"] = "Invoices"
    versions = versions_of(sender)
    versions[("queue", QUEUE_BILLING)] = 4
    delta = make_delta(baseline_of(sample_doc()), sender, versions, baseline_id="b", label="")
    assert [c["op"] for c in delta["changes"]] == ["update"]  # the stream's FK did not move its version
    receiver = sample_doc()
    result = apply_delta(receiver, delta, receiver_versions=versions_of(receiver))
    assert find(stream(result, CHAT)["routing_rules"], "Billing words")["queue"] == "Invoices"


def test_result_that_would_be_invalid_is_refused():
    sender = sample_doc()
    sender["queues"] = [q for q in sender["queues"] if q["id"] != QUEUE_VIP]
    for rule in stream(sender, CHAT)["routing_rules"]:
        rule["queue"] = "General"
    versions = versions_of(sender)
    delta = make_delta(baseline_of(sample_doc()), sender, versions, baseline_id="b", label="")
    # Only the queue delete applies: the receiver's rules still send to VIP.
    delta["changes"] = [c for c in delta["changes"] if c["op"] == "delete"]
    receiver = sample_doc()
    with pytest.raises(DeltaInvalid, match="unknown queue 'VIP'"):
        apply_delta(receiver, delta, receiver_versions=versions_of(receiver))


def _one_change(**change) -> dict:
    base = {"op": "update", "kind": "queue", "id": QUEUE_VIP, "name": "VIP", "from_version": 1,
            "data": {"id": QUEUE_VIP, "name": "VIP"}}
    base.update(change)
    return {"format": "workstream-console/delta", "version": 1, "baseline": {"id": "b", "label": ""},
            "changes": [base]}


@pytest.mark.parametrize("delta, reason", [
    pytest.param({"format": "workstream-console/config", "version": 1}, "format: expected", id="wrong-format"),
    pytest.param({"format": "workstream-console/delta", "version": 2}, "unsupported version 2", id="version"),
    pytest.param({**_one_change(), "extra": 1}, "extra: unknown field", id="extra-field"),
    pytest.param(_one_change(op="create"), "changes[0].from_version: must be null", id="create-with-version"),
    pytest.param(_one_change(from_version=None), "from_version: is required", id="update-without-version"),
    pytest.param(_one_change(op="delete"), "changes[0].data: must be null", id="delete-with-data"),
    pytest.param(_one_change(data=None), "changes[0].data: is required", id="update-without-data"),
    pytest.param(_one_change(data={"id": QUEUE_BILLING, "name": "VIP"}), "data.id: must equal", id="id-mismatch"),
    pytest.param(_one_change(data={"id": QUEUE_VIP, "name": "Other"}), "data.name: must equal", id="name-mismatch"),
    pytest.param(_one_change(data={"id": QUEUE_VIP, "name": "VIP", "colour": 1}), "data.colour: unknown field",
                 id="data-unknown-field"),
    pytest.param(_one_change(kind="robot"), "changes[0].kind", id="unknown-kind"),
    pytest.param(_one_change(id="not-a-uuid"), "changes[0].id", id="bad-id"),
    pytest.param(_one_change(from_version=-1), "changes[0].from_version", id="negative-version"),
    pytest.param(_one_change(kind="workstream", data={"id": QUEUE_VIP, "name": "VIP", "channel": "sms",
                                                      "default_queue": "q", "routing_rules": [{"name": "r", "queue": "q",
                                                                         "condition": {"variable": "x",
                                                                                       "operator": "eq",
                                                                                       "value": "1"}}]}),
                 "unknown context variable 'x'", id="stream-condition"),
])
def test_strict_delta_schema(delta, reason):
    with pytest.raises(DocumentInvalid) as caught:
        parse_delta(delta)
    assert reason in str(caught.value)


def test_the_same_object_twice_is_refused():
    delta = _one_change()
    delta["changes"].append(copy.deepcopy(delta["changes"][0]))
    with pytest.raises(DocumentInvalid, match="changed twice"):
        parse_delta(delta)


def test_bad_on_conflict_value():
    with pytest.raises(ValueError, match="on_conflict"):
        apply_delta(sample_doc(), delta_from_source(), "mine", receiver_versions={})  # type: ignore[arg-type]


def test_document_dict_fills_defaults_and_keeps_ids():
    doc = document_dict(validate_document({"format": "workstream-console/config", "version": 1,
                                           "queues": [{"id": QUEUE_VIP, "name": "VIP"}, {"name": "Plain"}]}))
    assert doc["queues"][0] == {"id": QUEUE_VIP, "name": "VIP", "kind": "messaging", "description": "", "agents": [],
                                "priority": 10_000, "assignment_method": "highest_capacity", "operating_hours": None,
                                "overflow": []}
    assert "id" not in doc["queues"][1]
