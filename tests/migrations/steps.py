"""What the migration tests share: run Alembic on an engine, and insert a tracked row as it
stood before the ORM knew the migration (plain SQL, so the test does not depend on the models)."""
from __future__ import annotations

from alembic import command
from app.store.database import alembic_config

NOW = "2026-01-01 00:00:00"


def migrate(engine, verb: str, target: str) -> None:
    """``verb`` ("upgrade" or "downgrade") to ``target`` on ``engine``."""
    config = alembic_config()
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # as app.store.database does: no cascades while tables are rebuilt
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            getattr(command, verb)(config, target)


def tracked_insert(table: str, row_id: str, **values) -> str:
    """An INSERT of a row with the tracked columns (id, created/modified, version) and ``values``."""
    columns = {"id": row_id, "created_at": NOW, "modified_at": NOW, "version": 1, **values}
    names = ", ".join(columns)
    literals = ", ".join(str(v) if isinstance(v, (int, bool)) else f"'{v}'" for v in columns.values())
    return f"insert into {table} ({names}) values ({literals})"
