"""The set-based paths for large configurations give exactly what the ORM paths give.

* apply_document's bulk creation vs the ORM upsert (``bulk=False``): same rows,
  ids, versions, summary, on an empty database, a merge with every awkward case the
  bulk path hands to the ORM, and a replace;
* export_from_session (column selects) vs the documents of the loaded ORM objects;
* export_bundle's config.json written as it is vs ``bundle_bytes`` (validated and
  re-dumped): same bytes;
* import_bundle in one pass: the dry run's plan is the real import's, the backup
  holds the database before the import, the preview of an empty receiver is the
  full diff.
"""
from __future__ import annotations

import gc
import sqlite3
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import app.config.io as configio
from app.interchange.bundle_service import created_diff, export_bundle, import_bundle, provenance
from app.interchange.bundles.diff import diff_documents
from app.interchange.bundles.format import bundle_bytes
from app.config.document import validate_document
from app.config.io import (
    agent_dict,
    capacity_profile_dict,
    rating_model_dict,
    skill_dict,
    apply_document,
    export_document,
    export_from_session,
    fold,
    import_document,
    presence_dict,
    queue_dict,
    sort_key,
    workstream_dict,
)
from app.store.database import CHANGED_KEY
from app.config.opening import open_database
from benchmarks.generate import Preset, generate
from models import Agent, CapacityProfile, Presence, Queue, RatingModel, Skill, WorkStream

TABLES = ("presence", "agent", "queue", "queue_member", "workstream", "context_variable", "routing_rule_item",
          "channel")
TINY = Preset("bulk-test", streams=12, variables=4, rules=6, queues=5, agents=9, presences=3, members=3,
              channel_every=3)


def rows(db, known_ids: set[str] | None = None) -> dict[str, list]:
    """Every configuration row, timestamps left out (they are 'now' on both paths).

    With ``known_ids``, any other id (a fresh uuid4, different on every run) reads "new".
    """
    with sqlite3.connect(db.path) as connection:
        out = {}
        for table in TABLES:
            columns = [r[1] for r in connection.execute(f"PRAGMA table_info({table})")
                       if r[1] not in ("created_at", "modified_at")]
            found = connection.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            if known_ids is not None and "id" in columns:
                at = columns.index("id")
                found = [(*row[:at], row[at] if row[at] in known_ids else "new", *row[at + 1:]) for row in found]
            out[table] = sorted(found, key=repr)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        return out


def copy_database(db, tmp_path, name):
    db.dispose()
    target = tmp_path / f"{name}.db"
    with sqlite3.connect(db.path) as source, sqlite3.connect(target) as copy_:
        source.backup(copy_)
    return open_database(f"sqlite:///{target}", seed_demo=False, backup=False)


def apply_both(start, tmp_path, doc: dict, *, replace: bool = False):
    """The document applied to two copies of ``start``: bulk path, ORM path."""
    results = []
    for bulk in (True, False):
        db = copy_database(start, tmp_path, f"bulk-{bulk}")
        with db.session() as session:
            parsed = validate_document(doc, None if replace else configio.known_names(session))
            with session.no_autoflush:
                summary = apply_document(session, parsed, replace=replace, bulk=bulk)
        results.append((db, summary))
    (bulk_db, bulk_summary), (orm_db, orm_summary) = results
    assert bulk_summary.to_json() == orm_summary.to_json()
    known = _ids(export_document(start, with_ids=True)) | _ids(doc)
    assert rows(bulk_db, known) == rows(orm_db, known)
    assert export_document(bulk_db) == export_document(orm_db)
    for db in (bulk_db, orm_db):
        assert db.setting(CHANGED_KEY)
    return bulk_db, bulk_summary


def _ids(value) -> set[str]:
    if isinstance(value, dict):
        return {v for k, v in value.items() if k == "id" and isinstance(v, str)} | \
            {i for v in value.values() for i in _ids(v)}
    if isinstance(value, list):
        return {i for v in value for i in _ids(v)}
    return set()


def new_stream(name: str, queue: str, **extra) -> dict:
    stream = {"id": str(uuid.uuid4()), "name": name, "channel": "live_chat", "default_queue": queue,
              "context_variables": [{"id": str(uuid.uuid4()), "display_name": "Topic", "name": "topic",
                                     "type": "text"}],
              "routing_rules": [{"id": str(uuid.uuid4()), "name": "Refunds", "queue": queue,
                                 "condition": {"all": [{"variable": "topic", "operator": "eq", "value": "refund"}]}}],
              "channels": []}
    stream.update(extra)
    return stream


def test_creating_into_an_empty_database_matches_the_orm_path(empty_db, tmp_path):
    doc = generate(TINY)
    db, summary = apply_both(empty_db, tmp_path, doc)
    assert summary.counts()["created"] == 3 + 9 + 5 + 12
    assert summary.created["workstreams"] == [w["name"] for w in doc["workstreams"]]
    with sqlite3.connect(db.path) as connection:
        assert {v for (v,) in connection.execute("SELECT DISTINCT version FROM routing_rule_item")} == {1}
        ids = {i for (i,) in connection.execute("SELECT id FROM routing_rule_item")}
    assert ids == {r["id"] for w in doc["workstreams"] for r in w["routing_rules"]}  # ids kept from the document
    assert export_document(db, with_ids=True) == doc


def test_child_ids_used_twice_are_refused_on_both_paths(empty_db, tmp_path):
    """Two objects with one id: the second would silently overwrite the first, so neither path takes it."""
    from app.common.errors import DocumentInvalid

    doc = generate(TINY)
    first, second = doc["workstreams"][1], doc["workstreams"][4]
    second["routing_rules"][0]["id"] = first["routing_rules"][0]["id"]
    second["context_variables"][0]["id"] = first["context_variables"][0]["id"]
    for bulk in (True, False):
        with pytest.raises(DocumentInvalid, match=r"workstreams\[4\].context_variables\[0\].id: the same id as "
                                                  r"workstreams\[1\].context_variables\[0\]"):
            with empty_db.session() as session:
                apply_document(session, validate_document(doc), bulk=bulk)
    assert export_document(empty_db)["workstreams"] == []


def test_replace_matches_the_orm_path(db, tmp_path):
    apply_both(db, tmp_path, generate(TINY), replace=True)


def test_demo_without_ids_matches_the_orm_path(empty_db, tmp_path):
    from app.config.demo import demo_document

    results = []
    for bulk in (True, False):
        target = copy_database(empty_db, tmp_path, f"demo-{bulk}")
        with target.session() as session:
            summary = apply_document(session, validate_document(demo_document()), replace=True, bulk=bulk)
        results.append((export_document(target), _versions(target), summary.to_json()))
    assert results[0] == results[1]


def _versions(db) -> dict:
    with db.sessions() as session:
        return {(model.__name__, name): version for model in (Presence, Agent, Queue, WorkStream)
                for name, version in session.execute(select(model.name, model.version))}


def test_a_merge_with_every_case_the_bulk_path_leaves_to_the_orm(db, tmp_path):
    doc = export_document(db, with_ids=True)
    # The stream owning the default chat widget stays as it is (not in the document):
    # a new default chat widget then takes over from the one in the database.
    kept_out = [w for w in doc["workstreams"]
                if any(c["is_default"] and c["kind"] == "chat_widget" for c in w["channels"])]
    doc["workstreams"] = [w for w in doc["workstreams"] if w not in kept_out]
    # A rule id the database has, on a stream the document does not carry.
    demo_rule_id = next(w["routing_rules"][0]["id"] for w in kept_out if w["routing_rules"])
    doc["agents"][0]["name"] = "Ana Ruiz-Lopez"  # a rename by id
    for queue in doc["queues"]:
        queue["agents"] = ["Ana Ruiz-Lopez" if n == "Ana Ruiz" else n for n in queue["agents"]]
    doc["workstreams"][1]["capacity"] += 1
    doc["presences"].append({"id": str(uuid.uuid4()), "name": "Away - Lunch", "base": "away", "text": ""})
    doc["agents"].append({"id": str(uuid.uuid4()), "name": "Zed New", "capacity": 10, "presence": "Away - Lunch"})
    doc["queues"].append({"id": str(uuid.uuid4()), "name": "Mortgages", "kind": "messaging", "description": "",
                          "agents": ["Zed New", "Ana Ruiz-Lopez"]})
    shared_variable = str(uuid.uuid4())
    plain = new_stream("Chat - New plain", "Mortgages")
    takeover = new_stream("Chat - Takes the default", "General", channels=[
        {"id": str(uuid.uuid4()), "name": "New widget", "kind": "chat_widget", "is_default": True}])
    reused = new_stream("Chat - Reuses a rule id", "General")
    reused["routing_rules"][0]["id"] = demo_rule_id
    twin_a = new_stream("Chat - Twin A", "General")
    twin_b = new_stream("Chat - Twin B", "General")
    twin_a["context_variables"][0]["id"] = shared_variable
    # (Two objects sharing an id in one document are refused: test_child_ids_used_twice_are_refused...)
    same_id = new_stream("Chat - Same name key as nothing", "General")
    # Interleaved with the existing streams, so the summary order is tested too.
    doc["workstreams"][1:1] = [plain, takeover]
    doc["workstreams"] += [reused, twin_a, twin_b, same_id]
    bulk_db, summary = apply_both(db, tmp_path, doc)
    assert summary.updated["agents"] == ["Ana Ruiz-Lopez"]
    assert "Zed New" in summary.created["agents"] and "Mortgages" in summary.created["queues"]
    exported = export_document(bulk_db, with_ids=True)
    channels = [c for w in exported["workstreams"] for c in w["channels"] if c["kind"] == "chat_widget"]
    assert [c["name"] for c in channels if c["is_default"]] == ["New widget"]


def test_the_change_time_moves_and_the_page_cache_comes_back(empty_db, monkeypatch):
    monkeypatch.setattr(configio, "BULK_CACHE_MIN_OBJECTS", 10)
    with empty_db.sessions() as session:
        default = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    assert empty_db.setting(CHANGED_KEY) is None
    with empty_db.session() as session:
        apply_document(session, validate_document(generate(TINY)))
        assert session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == default
    assert empty_db.setting(CHANGED_KEY)
    assert gc.isenabled()


# --------------------------------------------------------------------------- export

def orm_export(session, *, with_ids: bool = False, workstreams=None) -> dict:
    """The export as the ORM objects give it (the previous implementation)."""
    streams = session.scalars(select(WorkStream).options(
        selectinload(WorkStream.context_variables), selectinload(WorkStream.routing_rules),
        selectinload(WorkStream.channels))).all()
    queues = session.scalars(select(Queue).options(selectinload(Queue.agents))).all()
    agents = session.scalars(select(Agent)).all()
    presences = session.scalars(select(Presence).where(Presence.is_system.is_(False))).all()
    models = session.scalars(select(RatingModel)).all()
    skills = session.scalars(select(Skill)).all()
    profiles = session.scalars(select(CapacityProfile)).all()
    if workstreams is not None:
        wanted = {fold(n) for n in workstreams}
        streams = [w for w in streams if fold(w.name) in wanted]
        queue_ids = {w.default_queue_id for w in streams} | {r.queue_id for w in streams for r in w.routing_rules}
        queue_ids |= {t.queue_id for w in streams for r in w.routing_rules for t in r.targets}
        queue_ids |= _overflow_closure(queues, queue_ids)
        queues = [q for q in queues if q.id in queue_ids]
        agent_ids = {a.id for q in queues for a in q.agents}
        agents = [a for a in agents if a.id in agent_ids]
        presences = [p for p in presences if p.id in {a.presence_id for a in agents}]
        skill_ids = {s.skill_id for a in agents for s in a.skills}
        skill_ids |= {c.skill_id for w in streams for k in w.classification_rules for c in k.skills}
        skills = [s for s in skills if s.id in skill_ids]
        models = [m for m in models if m.id in {s.rating_model_id for s in skills}]
        profile_ids = {p.capacity_profile_id for a in agents for p in a.capacity_profiles}
        profiles = [p for p in profiles if p.id in profile_ids | {w.capacity_profile_id for w in streams}]
    return {
        "format": "workstream-console/config", "version": 2,
        "rating_models": [rating_model_dict(m, with_ids) for m in sorted(models, key=lambda m: sort_key(m.name))],
        "skills": [skill_dict(m, with_ids) for m in sorted(skills, key=lambda m: sort_key(m.name))],
        "capacity_profiles": [capacity_profile_dict(m, with_ids) for m in sorted(profiles, key=lambda m: sort_key(m.name))],
        "presences": [presence_dict(p, with_ids) for p in sorted(presences, key=lambda p: sort_key(p.name))],
        "agents": [agent_dict(a, with_ids) for a in sorted(agents, key=lambda a: sort_key(a.name))],
        "queues": [queue_dict(q, with_ids) for q in sorted(queues, key=lambda q: sort_key(q.name))],
        "workstreams": [workstream_dict(w, with_ids) for w in sorted(streams, key=lambda w: sort_key(w.name))],
    }


def _overflow_closure(queues, queue_ids: set[str]) -> set[str]:
    by_id = {q.id: q for q in queues}
    wanted, todo = set(queue_ids), list(queue_ids)
    while todo:
        for rule in by_id[todo.pop()].overflow_rules:
            if rule.target_queue_id is not None and rule.target_queue_id not in wanted:
                wanted.add(rule.target_queue_id)
                todo.append(rule.target_queue_id)
    return wanted


@pytest.mark.parametrize("with_ids", [True, False])
@pytest.mark.parametrize("subset", [None, ["SMS - Billing alerts"], ["chat - retail banking", "SMS - Billing alerts"]])
def test_the_column_export_is_the_orm_export(db, with_ids, subset):
    import_document(db, {"format": "workstream-console/config", "version": 1,
                         "workstreams": [new_stream("Chat - Extra", "General", channels=[
                             {"name": "Extra widget", "kind": "chat_widget"}])]})
    with db.sessions() as session:
        assert export_from_session(session, with_ids=with_ids, workstreams=subset) == \
            orm_export(session, with_ids=with_ids, workstreams=subset)


def test_the_column_export_of_a_generated_configuration(empty_db):
    doc = generate(TINY)
    import_document(empty_db, doc)
    with empty_db.sessions() as session:
        assert export_from_session(session, with_ids=True) == orm_export(session, with_ids=True) == doc


def test_the_exported_bundle_has_the_bytes_bundle_bytes_writes(db, empty_db, tmp_path, monkeypatch):
    import app.interchange.bundle_service as service

    import_document(empty_db, generate(TINY))
    for source in (db, empty_db):
        for parallel in (True, False):
            monkeypatch.setattr(service, "PARALLEL_ZIP_BYTES", 0 if parallel else 1 << 40)
            path = tmp_path / f"{id(source)}-{parallel}.wsbundle"
            export_bundle(source, path, label="same bytes")
            with source.sessions() as session:
                origin, changed = provenance(session)
                expected = bundle_bytes(export_from_session(session, with_ids=True), kind="full", label="same bytes",
                                        source_database_id=origin, created_at=changed)
            assert path.read_bytes() == expected


def test_an_invalid_configuration_is_still_refused_on_export(db, tmp_path):
    with sqlite3.connect(db.path) as connection:  # an active stream without a default queue
        connection.execute("UPDATE workstream SET default_queue_id = NULL WHERE active = 1")
    with pytest.raises(Exception, match="cannot export"):
        export_bundle(db, tmp_path / "bad.wsbundle", label="bad")
    assert not (tmp_path / "bad.wsbundle").exists()


# --------------------------------------------------------------------------- import in one pass

def test_the_dry_run_plan_is_the_real_import_and_the_backup_is_the_state_before(db, tmp_path):
    bundle = tmp_path / "demo.wsbundle"
    export_bundle(db, bundle, label="demo")
    receiver = open_database(f"sqlite:///{tmp_path / 'receiver.db'}", seed_demo=False)
    try:
        import_document(receiver, {"format": "workstream-console/config", "version": 1,
                                   "queues": [{"name": "Local queue"}]})
        before = rows(receiver)
        preview = import_bundle(receiver, bundle, dry_run=True)
        assert rows(receiver) == before and not preview.applied
        steps = []
        applied = import_bundle(receiver, bundle, progress=lambda step, *_: steps.append(step))
        assert steps == ["Checking the bundle", "Planning", "Backing up the database", "Applying", "Done"]
        assert applied.applied and applied.diff.to_json() == preview.diff.to_json()
        assert applied.summary.to_json() == preview.summary.to_json()
        backup = open_database(f"sqlite:///{applied.backup}", seed_demo=False, backup=False)
        try:
            assert rows(backup) == before
        finally:
            backup.dispose()
    finally:
        receiver.dispose()
    assert gc.isenabled()


def test_the_preview_of_an_empty_receiver_is_the_full_diff(empty_db, tmp_path):
    doc = generate(TINY)
    with empty_db.sessions() as session:
        before = export_from_session(session, with_ids=True)
        summary = apply_document(session, validate_document(doc))
        after = export_from_session(session, with_ids=True)
        session.rollback()
    assert created_diff(summary).to_json() == diff_documents(before, after).to_json()
    assert created_diff(summary).counts["created"] == 3 + 9 + 5 + 12


def test_reimporting_many_existing_streams_matches_the_orm_path(empty_db, tmp_path):
    """More than _PRELOAD_MIN existing streams: they are loaded a chunk at a time first."""
    spec = Preset("bulk-reimport", streams=configio._PRELOAD_MIN + 15, variables=2, rules=3, queues=4, agents=6,
                  presences=1, members=2, channel_every=10)
    doc = generate(spec)
    import_document(empty_db, doc)
    for index, stream in enumerate(doc["workstreams"]):
        if index % 7 == 0:
            stream["capacity"] += 1
        if index % 11 == 0:
            stream["routing_rules"].reverse()
    doc["workstreams"].append(new_stream("Zz new", doc["queues"][0]["name"]))
    _db, summary = apply_both(empty_db, tmp_path, doc)
    assert len(summary.updated["workstreams"]) == len({i for i in range(len(doc["workstreams"]) - 1)
                                                       if i % 7 == 0 or i % 11 == 0})
    assert summary.created["workstreams"] == ["Zz new"]
