"""A brand-new database is created in one step (no Alembic): the same schema and rows as the migrations give."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from app.store.database import alembic_config

from app.config.opening import open_database


def describe(engine) -> dict:
    inspector = inspect(engine)
    shape = {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = {
            # Sorted: a migration's ADD COLUMN appends where a model may declare it mid-table.
            "columns": sorted((c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                              for c in inspector.get_columns(table)),
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]),
                           str(sorted((f.get("options") or {}).items()))) for f in inspector.get_foreign_keys(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(table)),
            "unique": sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
            "checks": sorted((c["name"], " ".join(c["sqltext"].split())) for c in inspector.get_check_constraints(table)),
        }
    with engine.connect() as connection:
        shape["rows"] = {
            "presence": connection.execute(text("SELECT id, name, base, is_system, version FROM presence "
                                                "ORDER BY id")).all(),
            "alembic_version": connection.execute(text("SELECT version_num FROM alembic_version")).all(),
        }
    return shape


def test_a_new_database_matches_one_built_by_the_migrations(tmp_path):
    from alembic import command

    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}", seed_demo=False)
    migrated = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with migrated.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    try:
        assert describe(fresh.engine) == describe(migrated)
    finally:
        fresh.dispose()
        migrated.dispose()


def test_a_database_with_tables_but_no_revision_is_still_refused(tmp_path):
    import pytest

    from app.store.database import DatabaseRefused

    path = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE stranger (id INTEGER)"))
    engine.dispose()
    with pytest.raises(DatabaseRefused):
        open_database(f"sqlite:///{path}")
