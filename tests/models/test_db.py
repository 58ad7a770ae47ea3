"""The engine factory and the optimistic-locking version counter (on SQLite, and on PostgreSQL with make test-pg)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from models import Queue, WorkStream, make_engine, make_session_factory


def test_sqlite_pragmas_are_set(db):
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.pg
def test_postgresql_connections_are_read_committed_and_named(pg_backend):
    db = pg_backend.open(seed_demo=False)
    with db.engine.connect() as connection:
        assert connection.execute(text("show transaction_isolation")).scalar() == "read committed"
        assert connection.execute(text("show application_name")).scalar() == "workstream-console"


def test_every_entity_gets_a_uuid_and_version_one(backend_db):
    with backend_db.session() as session:
        queue = Queue(name="Mortgages")
        session.add(queue)
        session.flush()
        assert len(queue.id) == 36 and queue.version == 1
        assert queue.created_at is not None and queue.modified_at is not None


def test_update_bumps_the_version(backend_db):
    with backend_db.session() as session:
        queue = session.scalars(select(Queue).where(Queue.name == "Billing")).one()
        before = queue.version
        queue.description = "changed"
    with backend_db.sessions() as session:
        assert session.scalars(select(Queue).where(Queue.name == "Billing")).one().version == before + 1


def _capacity(db) -> int:
    with db.sessions() as session:
        return session.scalars(select(WorkStream.capacity).where(WorkStream.name == "Chat - Retail banking")).one()


def test_a_stale_update_is_refused_not_lost(backend_db):
    db = backend_db
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
    assert _capacity(db) == 11
    first.close()
    second.close()


def test_a_stale_update_from_another_engine_is_refused_not_lost(backend, backend_db):
    """Two consoles (two engines, two pools) on one database: the later writer of version n loses."""
    other = make_engine(backend_db.url)
    try:
        first, second = backend_db.sessions(), make_session_factory(other)()
        a = first.scalars(select(WorkStream).where(WorkStream.name == "Chat - Retail banking")).one()
        b = second.scalars(select(WorkStream).where(WorkStream.name == "Chat - Retail banking")).one()
        assert a.version == b.version
        b.capacity = 22
        second.commit()
        a.capacity = 11
        with pytest.raises(StaleDataError):
            first.commit()
        first.rollback()
        assert _capacity(backend_db) == 22
        first.close()
        second.close()
    finally:
        other.dispose()


def test_racing_writers_of_the_same_version_one_wins_one_is_refused(backend_db):
    """Both read version n and both write before either commits: the later UPDATE matches no row.

    The second UPDATE is sent while the first transaction holds the row (PostgreSQL) or the
    write lock (SQLite); it waits for the commit, then finds the version moved on. (Should it
    reach the server only after the commit, the required outcome is the same.)
    """
    other = make_engine(backend_db.url)
    updating = threading.Event()

    @event.listens_for(other, "before_cursor_execute")
    def _announce(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE"):
            updating.set()

    try:
        first, second = backend_db.sessions(), make_session_factory(other)()
        a = first.scalars(select(WorkStream).where(WorkStream.name == "Chat - Retail banking")).one()
        b = second.scalars(select(WorkStream).where(WorkStream.name == "Chat - Retail banking")).one()
        a.capacity = 11
        first.flush()  # holds the row (PostgreSQL) or the write lock (SQLite) until it commits
        outcome: list = []

        def write_second():
            b.capacity = 22
            try:
                second.commit()
                outcome.append("committed")
            except Exception as error:  # noqa: BLE001 - asserted below
                second.rollback()
                outcome.append(error)

        racer = threading.Thread(target=write_second)
        racer.start()
        assert updating.wait(30)
        first.commit()
        racer.join(30)
        assert not racer.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], StaleDataError), outcome
        assert _capacity(backend_db) == 11
        first.close()
        second.close()
    finally:
        other.dispose()


def test_foreign_keys_are_enforced(backend_db):
    with pytest.raises(IntegrityError):
        with backend_db.session() as session:
            session.execute(text("insert into agent (id, name, capacity, presence_id, created_at, modified_at, version) "
                                 "values ('x', 'Ghost', 1, 'no-such-presence', '2026-01-01', '2026-01-01', 1)"))


def test_check_constraints_are_enforced(backend_db):
    with pytest.raises(IntegrityError):
        with backend_db.session() as session:
            session.execute(text("update workstream set wrap_up_block_s = 50000"))
