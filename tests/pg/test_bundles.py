"""Bundles and CMT packages against each backend: round trips, deltas, conflicts, dry runs, history.

The ``[postgresql]`` variants run with ``make test-pg``; a SQLite console and a
PostgreSQL one exchange bundles byte for byte.
"""
from __future__ import annotations

import pytest

from app.interchange.bundle_service import export_bundle, history, import_bundle
from app.interchange.cmt_service import export_cmt, import_cmt
from app.interchange.bundles.delta import DeltaConflict
from app.config.io import export_document, import_document
from app.store.database import table_counts
from app.common.errors import UserError

EMPTY = {"format": "workstream-console/config", "version": 1}


def edit(db, mutate) -> None:
    doc = export_document(db, with_ids=True)
    mutate(doc)
    import_document(db, doc, replace=True)


def stream(doc, name):
    return next(w for w in doc["workstreams"] if w["name"] == name)


def state(db) -> tuple:
    """Everything a write could change, readable on any backend (in place of a SQLite dump)."""
    return export_document(db, with_ids=True), table_counts(db), [tuple(vars(h).values()) for h in history(db)]


@pytest.fixture
def other_db(backend):
    return backend.open(seed_demo=False)


def test_full_bundle_round_trips_to_identical_bytes(backend_db, other_db, tmp_path, records_baselines):
    first, second = tmp_path / "a.wsbundle", tmp_path / "b.wsbundle"
    export_bundle(backend_db, first, label="Q4")
    plan = import_bundle(other_db, first)
    assert plan.applied and plan.counts()["created"] == 20
    assert plan.backup is None or other_db.path is not None  # backups are for SQLite files only
    export_bundle(other_db, second, label="Q4")
    assert first.read_bytes() == second.read_bytes()
    assert export_document(other_db, with_ids=True) == export_document(backend_db, with_ids=True)


def test_a_sqlite_console_and_this_backend_exchange_bundles_byte_for_byte(backend_db, tmp_path, records_baselines):
    from app.config.opening import open_database

    laptop = open_database(f"sqlite:///{tmp_path / 'laptop.db'}", seed_demo=False)
    try:
        export_bundle(backend_db, tmp_path / "team.wsbundle", label="team")
        import_bundle(laptop, tmp_path / "team.wsbundle")
        export_bundle(laptop, tmp_path / "back.wsbundle", label="team")
        assert (tmp_path / "team.wsbundle").read_bytes() == (tmp_path / "back.wsbundle").read_bytes()
    finally:
        laptop.dispose()


def test_cmt_round_trips_to_identical_bytes(backend_db, other_db, tmp_path):
    export_cmt(backend_db, tmp_path / "a.zip")
    plan, _remarks = import_cmt(other_db, tmp_path / "a.zip")
    assert plan.applied
    export_cmt(other_db, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_subset_bundle_carries_what_the_streams_reference(backend_db, other_db, tmp_path, records_baselines):
    export_bundle(backend_db, tmp_path / "s.wsbundle", workstreams=["SMS - Billing alerts"])
    import_bundle(other_db, tmp_path / "s.wsbundle")
    doc = export_document(other_db)
    assert [w["name"] for w in doc["workstreams"]] == ["SMS - Billing alerts"]
    assert {q["name"] for q in doc["queues"]} == {"Billing", "VIP"}


def test_delta_applied_to_a_copy_of_the_baseline_reproduces_the_edits(backend_db, other_db, tmp_path, records_baselines):
    export_bundle(backend_db, tmp_path / "base.wsbundle", label="base")
    import_bundle(other_db, tmp_path / "base.wsbundle")

    def offline_edits(doc):
        stream(doc, "Chat - Retail banking")["capacity"] = 45
        stream(doc, "Chat - Retail banking")["routing_rules"].reverse()
        doc["queues"].append({"name": "Mortgages", "kind": "messaging", "description": "", "agents": ["Ana Ruiz"]})
        doc["workstreams"] = [w for w in doc["workstreams"] if w["name"] != "SMS - General enquiries"]
    edit(other_db, offline_edits)
    export_bundle(other_db, tmp_path / "delta.wsbundle", delta_since="base", label="edits")
    plan = import_bundle(backend_db, tmp_path / "delta.wsbundle")
    assert plan.applied and plan.counts() == {"created": 1, "updated": 1, "deleted": 1}
    assert export_document(backend_db, with_ids=True) == export_document(other_db, with_ids=True)


def test_conflicting_delta_is_stopped_and_writes_nothing(backend_db, other_db, tmp_path, records_baselines):
    export_bundle(backend_db, tmp_path / "base.wsbundle", label="base")
    import_bundle(other_db, tmp_path / "base.wsbundle")
    edit(other_db, lambda doc: stream(doc, "Chat - Retail banking").update(capacity=45))
    export_bundle(other_db, tmp_path / "delta.wsbundle", delta_since=str(tmp_path / "base.wsbundle"))
    edit(backend_db, lambda doc: stream(doc, "Chat - Retail banking").update(capacity=60))
    before = state(backend_db)
    with pytest.raises(DeltaConflict, match="work stream 'Chat - Retail banking' was changed here"):
        import_bundle(backend_db, tmp_path / "delta.wsbundle")
    assert state(backend_db) == before
    preview = import_bundle(backend_db, tmp_path / "delta.wsbundle", dry_run=True)
    assert [c.name for c in preview.conflicts] == ["Chat - Retail banking"] and not preview.applied
    import_bundle(backend_db, tmp_path / "delta.wsbundle", on_conflict="ours")
    assert stream(export_document(backend_db), "Chat - Retail banking")["capacity"] == 60
    import_bundle(backend_db, tmp_path / "delta.wsbundle", on_conflict="theirs")
    assert stream(export_document(backend_db), "Chat - Retail banking")["capacity"] == 45


def test_delta_needs_the_baseline_here(backend, backend_db, other_db, tmp_path, records_baselines):
    export_bundle(backend_db, tmp_path / "base.wsbundle", label="base")
    import_bundle(other_db, tmp_path / "base.wsbundle")
    export_bundle(other_db, tmp_path / "delta.wsbundle", delta_since="base")
    fresh = backend.open()
    with pytest.raises(UserError, match="no baseline"):
        import_bundle(fresh, tmp_path / "delta.wsbundle")


def test_dry_run_writes_nothing(backend_db, tmp_path, records_baselines):
    export_bundle(backend_db, tmp_path / "b.wsbundle")
    import_document(backend_db, EMPTY, replace=True)
    before = state(backend_db)
    plan = import_bundle(backend_db, tmp_path / "b.wsbundle", dry_run=True)
    assert plan.counts()["created"] == 20 and not plan.applied
    assert state(backend_db) == before


def test_a_failing_import_leaves_the_database_as_it_was(backend_db, tmp_path):
    """One transaction: a document that breaks a constraint half-way writes nothing."""
    doc = export_document(backend_db, with_ids=True)
    before = state(backend_db)
    doc["queues"].append({"name": "X" * 101, "kind": "messaging", "description": "", "agents": []})
    with pytest.raises(Exception):
        import_document(backend_db, doc, replace=True)
    assert state(backend_db) == before


def test_history_records_imports_and_exports(backend_db, other_db, tmp_path, records_baselines):
    export_bundle(backend_db, tmp_path / "b.wsbundle", label="Q4")
    import_bundle(other_db, tmp_path / "b.wsbundle")
    assert [(h.direction, h.label, h.kind) for h in history(backend_db)] == [("export", "Q4", "full")]
    (row,) = history(other_db)
    assert (row.direction, row.created, row.file) == ("import", 20, str(tmp_path / "b.wsbundle"))
