"""The configuration document: validation with paths, one-transaction import, round trips."""
from __future__ import annotations

import copy
import json

import pytest

from app.config.document import DocumentInvalid, dump, normalize_document, parse_document, validate_document
from app.config.io import canonical_json, export_document, import_document
from app.store.database import table_counts
from app.config.demo import demo_document


def _dump(db) -> str:
    """Every row of every table, to compare a database before and after."""
    import sqlite3

    with sqlite3.connect(db.path) as connection:
        return "\n".join(connection.iterdump())


def minimal() -> dict:
    return {
        "format": "workstream-console/config", "version": 1,
        "presences": [{"name": "Away - Training", "base": "away", "text": "..."}],
        "agents": [{"name": "Ana", "capacity": 100, "presence": "Available"},
                   {"name": "Ben", "capacity": 50, "presence": "Away - Training"}],
        "queues": [{"name": "Billing", "kind": "messaging", "description": "", "agents": ["Ana"]},
                   {"name": "General", "kind": "messaging", "description": "", "agents": ["Ana", "Ben"]}],
        "workstreams": [{
            "name": "Chat - Support", "channel": "live_chat", "active": True,
            "capacity": 20, "auto_close_after_inactivity_s": 600,
            "distribution_mode": "push", "notification": "screen_pop_decline",
            "screen_pop_timeout_s": 120, "allowed_presences": ["available", "busy"],
            "assign_after_decline_s": 0, "keep_same_agent": False, "wrap_up_block_s": 0,
            "default_queue": "General",
            "context_variables": [{"display_name": "Order value", "name": "ordervalue", "type": "number"},
                                  {"display_name": "Topic", "name": "topic", "type": "text"}],
            "routing_rules": [{"name": "Big orders", "description": "", "queue": "Billing",
                               "condition": {"all": [{"variable": "ordervalue", "operator": "ge", "value": 1000},
                                                     {"any": [{"variable": "topic", "operator": "is_empty"},
                                                              {"variable": "topic", "operator": "in",
                                                               "value": ["refund", "invoice"]}]}]}}],
            "channels": [{"name": "Website widget", "kind": "chat_widget", "is_default": True}]}],
    }


def _mutate(path: str, value=None, delete=False):
    def apply(doc):
        target = doc
        parts = path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        key = int(last) if last.isdigit() else last
        if delete:
            del target[key]
        else:
            target[key] = value
        return doc
    return apply


BAD_DOCUMENTS = [
    ("format", _mutate("format", "something-else"), "format"),
    ("version", _mutate("version", 3), "version"),
    ("unknown field", _mutate("workstreams[0].colour", "red"), "workstreams[0].colour: unknown field"),
    ("long name", _mutate("workstreams[0].name", "x" * 101), "workstreams[0].name"),
    ("negative capacity", _mutate("workstreams[0].capacity", -1), "workstreams[0].capacity"),
    ("bool as capacity", _mutate("workstreams[0].capacity", True), "workstreams[0].capacity"),
    ("timeout not an option", _mutate("workstreams[0].screen_pop_timeout_s", 45),
     "workstreams[0].screen_pop_timeout_s: must be one of 30"),
    ("wrap-up too long", _mutate("workstreams[0].wrap_up_block_s", 43_201), "workstreams[0].wrap_up_block_s"),
    ("no allowed presence", _mutate("workstreams[0].allowed_presences", []), "workstreams[0].allowed_presences"),
    ("unknown channel", _mutate("workstreams[0].channel", "pigeon"), "workstreams[0].channel"),
    ("dangling default queue", _mutate("workstreams[0].default_queue", "Nowhere"),
     "workstreams[0].default_queue: unknown queue 'Nowhere'"),
    ("active without default queue", _mutate("workstreams[0].default_queue", None),
     "workstreams[0].default_queue: an active work stream needs a default queue"),
    ("dangling rule queue", _mutate("workstreams[0].routing_rules[0].queue", "Nowhere"),
     "workstreams[0].routing_rules[0].queue: unknown queue"),
    ("operator for the wrong type", _mutate("workstreams[0].context_variables[0].type", "text"),
     "workstreams[0].routing_rules[0].condition.all[0]: operator 'ge' needs a number variable"),
    ("text value for a number", _mutate("workstreams[0].routing_rules[0].condition.all[0].value", "lots"),
     "workstreams[0].routing_rules[0].condition.all[0].value: 'lots' is not a number"),
    ("unknown variable", _mutate("workstreams[0].routing_rules[0].condition.all[0].variable", "colour"),
     "unknown context variable 'colour'"),
    ("in without a list", _mutate("workstreams[0].routing_rules[0].condition.all[1].any[1].value", "refund"),
     "condition.all[1].any[1].value: operator 'in' needs a non-empty list"),
    ("bad variable name", _mutate("workstreams[0].context_variables[1].name", "2topic"),
     "workstreams[0].context_variables[1].name"),
    ("duplicate variable", _mutate("workstreams[0].context_variables[1].name", "ordervalue"),
     "duplicate context variable name 'ordervalue'"),
    ("duplicate queue by case", _mutate("queues[1].name", "billing"), "queues[1].name: duplicate queue name"),
    ("unknown member", _mutate("queues[0].agents", ["Zed"]), "queues[0].agents[0]: unknown agent 'Zed'"),
    ("unknown presence", _mutate("agents[0].presence", "Sleeping"), "agents[0].presence: unknown presence"),
    ("channel of the wrong kind", _mutate("workstreams[0].channels[0].kind", "sms_number"),
     "workstreams[0].channels[0].kind"),
    ("not an object", lambda doc: [doc], "must be a JSON object"),
]


@pytest.mark.parametrize("label, mutate, expected", BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
def test_bad_documents_are_refused_with_the_path_and_change_nothing(db, label, mutate, expected):
    before = _dump(db)
    bad = mutate(minimal())
    with pytest.raises(DocumentInvalid) as raised:
        import_document(db, bad)
    assert expected in str(raised.value)
    assert _dump(db) == before


def test_the_minimal_document_is_valid():
    validate_document(minimal())


def test_import_then_export_round_trips(empty_db):
    """A version 1 document comes back as version 2: the same, with every new field at its default."""
    import_document(empty_db, minimal())
    assert export_document(empty_db) == normalize_document(dump(parse_document(minimal())))


def test_demo_round_trips_byte_for_byte(db, empty_db):
    first = canonical_json(export_document(db))
    import_document(empty_db, json.loads(first))
    assert canonical_json(export_document(empty_db)) == first


def test_export_is_deterministic_with_ids(db):
    assert canonical_json(export_document(db, with_ids=True)) == canonical_json(export_document(db, with_ids=True))


def test_merge_updates_by_name_and_creates_new(db):
    doc = minimal()
    doc["queues"][0]["description"] = "Updated billing"
    summary = import_document(db, doc)
    assert "Billing" in summary.updated["queues"]
    assert "Chat - Support" in summary.created["workstreams"]
    exported = export_document(db)
    assert {w["name"] for w in exported["workstreams"]} >= {"Chat - Support", "Chat - Retail banking"}
    assert next(q for q in exported["queues"] if q["name"] == "Billing")["description"] == "Updated billing"


def test_reimporting_the_same_document_changes_nothing(db):
    doc = export_document(db, with_ids=True)
    versions_before = table_counts(db)
    summary = import_document(db, doc)
    assert summary.counts() == {"created": 0, "updated": 0, "deleted": 0}
    assert table_counts(db) == versions_before


def test_replace_empties_the_configuration_first(db):
    summary = import_document(db, minimal(), replace=True)
    exported = export_document(db)
    assert [w["name"] for w in exported["workstreams"]] == ["Chat - Support"]
    assert "Chat - Retail banking" in summary.deleted["workstreams"]
    assert {q["name"] for q in exported["queues"]} == {"Billing", "General"}


def test_merge_may_refer_to_objects_already_in_the_database(db):
    doc = {"format": "workstream-console/config", "version": 1,
           "workstreams": [{"name": "Chat - Mortgages", "channel": "live_chat", "default_queue": "General"}]}
    import_document(db, doc)
    assert any(w["name"] == "Chat - Mortgages" for w in export_document(db)["workstreams"])


def test_dry_run_writes_nothing(db):
    before = _dump(db)
    summary = import_document(db, minimal(), dry_run=True)
    assert summary.counts()["created"] > 0
    assert _dump(db) == before


def test_subset_export_carries_what_the_streams_reference(db):
    doc = export_document(db, workstreams=["SMS - Billing alerts"])
    assert [w["name"] for w in doc["workstreams"]] == ["SMS - Billing alerts"]
    assert {q["name"] for q in doc["queues"]} == {"Billing", "VIP"}
    members = {a for q in doc["queues"] for a in q["agents"]}
    assert {a["name"] for a in doc["agents"]} == members
    validate_document(doc)  # self-contained


def test_renamed_object_with_id_keeps_its_identity(db):
    doc = export_document(db, with_ids=True)
    queue = next(q for q in doc["queues"] if q["name"] == "VIP")
    queue_id = queue["id"]
    queue["name"] = "Private banking"
    for stream in doc["workstreams"]:
        for rule in stream["routing_rules"]:
            if rule["queue"] == "VIP":
                rule["queue"] = "Private banking"
    import_document(db, doc)
    after = export_document(db, with_ids=True)
    assert next(q for q in after["queues"] if q["id"] == queue_id)["name"] == "Private banking"


def test_demo_document_is_valid_and_canonical():
    doc = demo_document()
    validate_document(doc)
    assert doc == normalize_document(copy.deepcopy(doc))
