"""Document version 2 through the database: export/apply round trips, updates, no needless writes."""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from app.config.document import dump, normalize_document, parse_document, validate_document
from app.config.io import apply_document, canonical_json, export_document, import_document
from models import Agent, AgentSkill, OverflowRule, Queue, RoutingRuleTarget, WorkStream
from tests.app.config.test_document_v2 import distribution_document


def expected(doc: dict) -> dict:
    return normalize_document(dump(parse_document(doc)))


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "orm"])
def test_a_distribution_document_round_trips(empty_db, bulk):
    doc = validate_document(distribution_document())
    with empty_db.session() as session:
        apply_document(session, doc, bulk=bulk)
    exported = export_document(empty_db)
    assert exported == expected(distribution_document())
    assert exported["version"] == 2


def test_export_import_export_is_byte_identical_with_and_without_ids(empty_db, tmp_path, template_databases):
    from app.config.opening import open_database

    import_document(empty_db, distribution_document())
    for with_ids in (False, True):
        first = canonical_json(export_document(empty_db, with_ids=with_ids))
        other = open_database(template_databases.copy_to(tmp_path / f"other-{with_ids}.db", seeded=False))
        try:
            import_document(other, json.loads(first), replace=True)
            assert canonical_json(export_document(other, with_ids=with_ids)) == first
        finally:
            other.dispose()


def _versions(db) -> dict:
    with db.sessions() as session:
        rows = []
        for model in (Agent, Queue, WorkStream):
            rows += [(model.__name__, name, version) for name, version in session.execute(select(model.name, model.version))]
        return sorted(rows)


def test_importing_the_same_document_again_writes_nothing(empty_db):
    import_document(empty_db, distribution_document())
    before = _versions(empty_db)
    summary = import_document(empty_db, distribution_document())
    assert summary.counts() == {"created": 0, "updated": 0, "deleted": 0}, summary.lines()
    assert _versions(empty_db) == before


def _version(db, model, name) -> int:
    with db.sessions() as session:
        return session.scalar(select(model.version).where(model.name == name))


def test_changes_to_the_new_fields_are_written_and_move_the_version(empty_db):
    import_document(empty_db, distribution_document())
    doc = distribution_document()
    doc["agents"][0]["skills"] = {"Mortgages": "5"}
    doc["queues"][2]["overflow"] = [{"when": "closed", "action": "end", "reason": "closed"}]
    doc["workstreams"][0]["routing_rules"][1]["queues"] = [
        {"queue": "VIP", "percent": 50}, {"queue": "General", "percent": 25}, {"queue": "Mortgage desk", "percent": 25}]
    doc["workstreams"][0]["classification_rules"][0]["skills"] = {"Languages": "1"}
    doc["rating_models"][0]["values"] = ["1", "2", "3", "4", "5", "6"]
    summary = import_document(empty_db, doc)
    assert sorted(summary.lines()) == sorted([
        "update rating_model 'Proficiency'", "update agent 'Ana'", "update queue 'Mortgage desk'",
        "update workstream 'Chat'"])
    assert export_document(empty_db) == expected(doc)
    assert _version(empty_db, Agent, "Ana") == 2 and _version(empty_db, Queue, "Mortgage desk") == 2
    assert _version(empty_db, Queue, "General") == 1


def test_a_split_rule_becomes_a_single_queue_rule_and_back(empty_db):
    import_document(empty_db, distribution_document())
    doc = distribution_document()
    rule = doc["workstreams"][0]["routing_rules"][1]
    rule.pop("queues")
    rule["queue"] = "VIP"
    import_document(empty_db, doc)
    assert export_document(empty_db) == expected(doc)
    with empty_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RoutingRuleTarget)) == 0
    import_document(empty_db, distribution_document())
    assert export_document(empty_db) == expected(distribution_document())


def test_replace_removes_skills_profiles_and_models_the_document_drops(empty_db):
    import_document(empty_db, distribution_document())
    doc = distribution_document()
    doc["skills"] = [s for s in doc["skills"] if s["name"] != "Languages"]
    doc["agents"][0]["skills"] = {"Mortgages": "4"}
    doc["queues"] = [q for q in doc["queues"] if q["name"] != "VIP"]
    stream = doc["workstreams"][0]
    stream["routing_rules"][1] = {"name": "Split", "queue": "General"}
    stream["capacity_format"], stream["capacity_profile"] = "units", None
    doc["capacity_profiles"] = []
    doc["agents"][0]["capacity_profiles"] = {}
    summary = import_document(empty_db, doc, replace=True)
    assert summary.deleted["skills"] == ["Languages"]
    assert summary.deleted["capacity_profiles"] == ["Chat"]
    assert summary.deleted["queues"] == ["VIP"]
    assert export_document(empty_db) == expected(doc)
    with empty_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OverflowRule)) == 1  # Mortgage desk's
        assert session.scalar(select(func.count()).select_from(RoutingRuleTarget)) == 0
        assert session.scalar(select(func.count()).select_from(AgentSkill)) == 1


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "orm"])
def test_replace_moves_a_kept_skill_to_a_new_rating_model_while_the_old_one_goes(empty_db, bulk):
    import_document(empty_db, distribution_document())
    doc = distribution_document()
    old_models = {m["name"] for m in doc["rating_models"]}
    values = doc["rating_models"][0]["values"]
    doc["rating_models"] = [{"name": "Grades", "values": values}]
    doc["skills"] = [{**s, "rating_model": "Grades"} for s in doc["skills"]]
    with empty_db.session() as session:  # was: FOREIGN KEY constraint failed (the model went first)
        summary = apply_document(session, validate_document(doc), replace=True, bulk=bulk)
    assert sorted(summary.deleted["rating_models"]) == sorted(old_models)
    assert export_document(empty_db) == expected(doc)


def test_a_partial_export_brings_what_the_streams_need(empty_db):
    import_document(empty_db, distribution_document())
    partial = export_document(empty_db, workstreams=["Chat"])
    assert [m["name"] for m in partial["rating_models"]] == ["Proficiency"]
    assert [s["name"] for s in partial["skills"]] == ["Languages", "Mortgages"]
    assert [p["name"] for p in partial["capacity_profiles"]] == ["Chat"]
    assert {q["name"] for q in partial["queues"]} == {"General", "VIP", "Mortgage desk"}
    validate_document(partial)


def test_a_version_1_export_of_the_old_shape_still_imports(empty_db, db):
    """The demo as a version 1 document (no new fields) imports, and exports as version 2."""
    old = copy.deepcopy(export_document(db))
    old["version"] = 1
    for kind in ("rating_models", "skills", "capacity_profiles"):
        old.pop(kind)
    for agent in old["agents"]:
        agent.pop("skills"), agent.pop("capacity_profiles")
    for queue in old["queues"]:
        for key in ("priority", "assignment_method", "operating_hours", "overflow"):
            queue.pop(key)
    for stream in old["workstreams"]:
        for key in ("capacity_format", "capacity_profile", "skill_matching", "classification_rules",
                    "missed_notification_presence", "decline_reasons", "reconnect_window_s"):
            stream.pop(key)
        for rule in stream["routing_rules"]:
            if rule["queues"]:
                rule["queue"] = rule["queues"][0]["queue"]
            rule.pop("queues")
        for queue in old["queues"]:
            queue.setdefault("agents", [])
    import_document(empty_db, old)
    assert export_document(empty_db)["version"] == 2
