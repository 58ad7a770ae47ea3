"""Context variables keep the user's order (issue 10) through apply and export."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.config.document import validate_document
from app.config.io import apply_document, canonical_json, export_document, import_document
from models import WorkStream

ORDER = ["zeta", "Alpha", "mid"]


def _document(names: list[str]) -> dict:
    return {"format": "workstream-console/config", "version": 2,
            "queues": [{"name": "General"}],
            "workstreams": [{"name": "Chat", "channel": "live_chat", "default_queue": "General",
                             "context_variables": [{"display_name": n.title(), "name": n} for n in names]}]}


def _names(doc: dict) -> list[str]:
    return [v["name"] for v in doc["workstreams"][0]["context_variables"]]


def _stream_version(db) -> int:
    with db.sessions() as session:
        return session.execute(select(WorkStream.version)).scalar_one()


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "orm"])
def test_export_lists_variables_in_the_order_they_were_given(empty_db, bulk):
    with empty_db.session() as session:
        apply_document(session, validate_document(_document(ORDER)), bulk=bulk)
    assert _names(export_document(empty_db)) == ORDER
    assert _names(export_document(empty_db, with_ids=True)) == ORDER


def test_a_reorder_is_a_change_and_the_same_order_is_none(empty_db):
    import_document(empty_db, _document(ORDER))
    version = _stream_version(empty_db)
    summary = import_document(empty_db, _document(ORDER))
    assert summary.counts()["updated"] == 0 and _stream_version(empty_db) == version
    import_document(empty_db, _document(list(reversed(ORDER))))
    assert _names(export_document(empty_db)) == list(reversed(ORDER))
    assert _stream_version(empty_db) == version + 1


def test_export_import_export_keeps_the_order_byte_for_byte(empty_db, tmp_path, template_databases):
    from app.config.opening import open_database

    import_document(empty_db, _document(ORDER))
    first = canonical_json(export_document(empty_db, with_ids=True))
    other = open_database(template_databases.copy_to(tmp_path / "other.db", seeded=False))
    try:
        import_document(other, json.loads(first), replace=True)
        assert canonical_json(export_document(other, with_ids=True)) == first
    finally:
        other.dispose()
