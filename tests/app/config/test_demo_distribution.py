"""The demo bank carries work distribution; its version 1 file still imports as it is."""
from __future__ import annotations

from app.config.demo import demo_distribution_document, demo_document
from app.config.document import parse_document
from app.config.io import canonical_json, export_document, import_document


def test_the_demo_file_is_a_version_1_document_that_still_imports(empty_db):
    assert demo_document()["version"] == 1
    import_document(empty_db, demo_document(), replace=True)
    assert export_document(empty_db)["skills"] == []


def test_the_seeded_demo_has_skills_profiles_priority_and_out_of_hours_overflow(db):
    doc = export_document(db)
    assert doc["rating_models"] == [{"name": "Proficiency", "values": ["1", "2", "3", "4", "5"]}]
    assert [s["name"] for s in doc["skills"]] == ["Languages", "Mortgages"]
    assert doc["capacity_profiles"] == [{"name": "Chat", "work_item_limit": 3}]
    agents = {a["name"]: a for a in doc["agents"]}
    assert agents["Ana Ruiz"]["skills"] == {"Languages": "3", "Mortgages": "5"}
    queues = {q["name"]: q for q in doc["queues"]}
    assert (queues["VIP"]["priority"], queues["VIP"]["assignment_method"]) == (1, "round_robin")
    assert queues["Investments"]["operating_hours"]["timezone"] == "Europe/London"
    assert queues["Investments"]["overflow"] == [
        {"when": "closed", "limit": None, "action": "transfer", "queue": "General", "reason": ""}]
    stream = next(w for w in doc["workstreams"] if w["name"] == "Chat - Retail banking")
    assert (stream["capacity_format"], stream["capacity_profile"]) == ("profile", "Chat")
    assert [k["name"] for k in stream["classification_rules"]] == ["Mortgage questions", "Other languages"]


def test_the_demo_round_trips_through_an_empty_database(db, empty_db):
    first = canonical_json(export_document(db))
    import_document(empty_db, parse_document(demo_distribution_document()).model_dump(mode="json"))
    assert canonical_json(export_document(empty_db)) == first
