"""The data-version counter moves with every committed write, whoever wrote."""
from __future__ import annotations

from sqlalchemy import text

from app.services.core import Services
from app.store.changes import data_version


def test_a_service_save_moves_the_counter(db):
    before = data_version(db)
    Services(db).save_agent({"name": "Zoe Adams", "capacity": 50, "presence": "Available"}, queues=["VIP"])
    assert data_version(db) > before


def test_reads_and_rolled_back_writes_do_not(db):
    before = data_version(db)
    with db.engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM agent")).scalar()
        connection.commit()
    with db.engine.connect() as connection:
        connection.execute(text("UPDATE agent SET capacity = capacity"))
        connection.rollback()
    assert data_version(db) == before


def test_raw_sql_written_outside_the_services_is_seen_too(db):
    before = data_version(db)
    with db.engine.begin() as connection:
        connection.execute(text("update agent set capacity = capacity + 1"))
    assert data_version(db) == before + 1


def test_an_untracked_engine_reads_minus_one():
    from sqlalchemy import create_engine

    assert data_version(create_engine("sqlite://")) == -1
