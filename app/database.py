"""Opening a database: migrate to head (after a backup), refuse one newer than the app, seed.

One ``Database`` per process; ``db.session()`` gives the one transaction of a
user action (commit on success, rollback on any error).
"""
from __future__ import annotations

import contextlib
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

import migrations
from app.errors import UserError
from app.paths import sqlite_path
from models import Setting, make_engine, make_session_factory
from models.entities import Tracked

BACKUPS_KEPT = 5
# Provenance of the configuration (see app/bundle_service.py).
ORIGIN_KEY = "config_origin_id"
CHANGED_KEY = "config_changed_at"


class DatabaseRefused(UserError):
    """The file is not ours, or was written by a newer version of the app."""


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def setting(self, key: str) -> str | None:
        with self.sessions() as session:
            row = session.get(Setting, key)
            return row.value if row else None

    @property
    def database_id(self) -> str:
        return self.setting("database_id") or ""

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def open_database(url: str, *, seed_demo: bool = True, backup: bool = True) -> Database:
    """Migrate (backing up first) and return the database; seed a brand-new one."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        is_new = _migrate(engine, path, backup=backup)
    except Exception:
        engine.dispose()
        raise
    db = Database(url=url, engine=engine, sessions=make_session_factory(engine))
    event.listen(db.sessions, "before_flush", _note_configuration_change)
    _ensure_identity(db)
    if is_new and seed_demo:
        from app.demo import load_demo

        load_demo(db)
    return db


def _migrate(engine: Engine, path: Path | None, *, backup: bool) -> bool:
    """Bring the schema to head. Returns True when the database was empty."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    current = current_revision(engine)  # one query: cheap when already at head
    if current == head:
        return False
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except Exception:
            known = False
        if not known:
            raise DatabaseRefused(
                f"the database is at schema revision {current}, newer than this app understands "
                f"(latest {head}); update Workstream Console to open it"
            )
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    is_new = current is None and not tables
    if current is None and tables:
        raise DatabaseRefused("this database was not created by Workstream Console (it has tables but no schema revision)")
    if not is_new and backup and path is not None:
        backup_sqlite_file(path, f"before-{head}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return is_new


def backup_sqlite_file(path: Path, reason: str) -> Path:
    """A consistent copy next to the file (SQLite's online backup, WAL-safe)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.stem}.{reason}.{stamp}.bak")
    source = sqlite3.connect(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    _prune_backups(path)
    return target


def _prune_backups(path: Path) -> None:
    backups = sorted(path.parent.glob(f"{path.stem}.*.bak"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


def _note_configuration_change(session: Session, _context, _instances) -> None:
    """Any change to a configuration object moves the configuration's 'last changed' time."""
    if session.info.get("adopting_provenance"):
        return
    changed = [o for o in (*session.new, *session.deleted) if isinstance(o, Tracked)] or [
        o for o in session.dirty if isinstance(o, Tracked) and session.is_modified(o)]
    if not changed:
        return
    stamp = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    row = session.get(Setting, CHANGED_KEY)
    if row is None:
        session.add(Setting(key=CHANGED_KEY, value=stamp))
    else:
        row.value = stamp


def _ensure_identity(db: Database) -> None:
    """Every database has an id, written into the manifests of the bundles it exports."""
    with db.session() as session:
        if session.get(Setting, "database_id") is None:
            session.add(Setting(key="database_id", value=str(uuid.uuid4())))


def foreign_key_problems(session: Session) -> list[str]:
    """Rows whose references dangle (SQLite); empty elsewhere, where FKs are enforced at once."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    rows = session.execute(text("PRAGMA foreign_key_check")).all()
    return [f"{row[0]} row {row[1]} refers to a missing {row[2]}" for row in rows]


def table_counts(db: Database) -> dict[str, int]:
    from models import Base

    with db.sessions() as session:
        return {
            table.name: session.execute(select(text("count(*)")).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }
