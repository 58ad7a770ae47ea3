"""The engine factory and the optimistic-locking version counter."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from models import Queue, WorkStream


def test_sqlite_pragmas_are_set(db):
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_every_entity_gets_a_uuid_and_version_one(db):
    with db.session() as session:
        queue = Queue(name="Mortgages")
        session.add(queue)
        session.flush()
        assert len(queue.id) == 36 and queue.version == 1
        assert queue.created_at is not None and queue.modified_at is not None


def test_update_bumps_the_version(db):
    with db.session() as session:
        queue = session.scalars(select(Queue).where(Queue.name == "Billing")).one()
        before = queue.version
        queue.description = "changed"
    with db.sessions() as session:
        assert session.scalars(select(Queue).where(Queue.name == "Billing")).one().version == before + 1


def test_a_stale_update_is_refused_not_lost(db):
    first = db.sessions()
    second = db.sessions()
    a = first.scalars(select(WorkStream).where(WorkStream.name == "Chat - Retail banking")).one()
    b = second.scalars(select(WorkStream).where(WorkStream.name == "Chat - Retail banking")).one()
    a.capacity = 11
    first.commit()
    b.capacity = 22
    with pytest.raises(StaleDataError):
        second.commit()
    second.rollback()
    with db.sessions() as session:
        assert session.scalars(select(WorkStream.capacity).where(WorkStream.name == "Chat - Retail banking")).one() == 11
    first.close()
    second.close()


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session() as session:
            session.execute(text("insert into agent (id, name, capacity, presence_id, created_at, modified_at, version) "
                                 "values ('x', 'Ghost', 1, 'no-such-presence', '2026-01-01', '2026-01-01', 1)"))
