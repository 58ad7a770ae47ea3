"""Opening a database: migrate to head (after a backup), refuse one newer than the app, seed.

One ``Database`` per process; ``db.session()`` gives the one transaction of a
user action (commit on success, rollback on any error).

Any SQLAlchemy URL works: a SQLite file (the default) or a shared PostgreSQL
database (``postgresql+psycopg://user@host/db``, with the ``pg`` extra installed).
Only SQLite files are backed up before a migration; on PostgreSQL the migration
runs in one transaction (DDL is transactional there), under an advisory lock so
that consoles starting at the same moment migrate (and seed) once.
"""
from __future__ import annotations

import logging

import contextlib
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import migrations
from app.common.errors import ConflictError, UserError
from app.store.changes import track_changes
from app.store.paths import sqlite_path
from models import Setting, make_engine, make_session_factory
from models.entities import Tracked

BACKUPS_KEPT = 5
# Provenance of the configuration (see app/interchange/bundle_service.py).
ORIGIN_KEY = "config_origin_id"
CHANGED_KEY = "config_changed_at"
# pg_advisory_xact_lock key held while migrating ("WSC_MIGR"): one console migrates at a time.
MIGRATION_LOCK_KEY = 0x5753435F4D494752
# What a version-checked UPDATE/DELETE that matched no row was about, for the conflict message.
_TABLE_LABELS = {
    "workstream": "work stream", "queue": "queue", "agent": "agent", "presence": "presence", "channel": "channel",
    "context_variable": "context variable", "routing_rule_item": "routing rule", "routing_test_case": "routing test case",
}

log = logging.getLogger(__name__)


class DatabaseRefused(UserError):
    """The file is not ours, or was written by a newer version of the app."""


class DatabaseUnavailable(UserError):
    """The database cannot be reached: no such server, no driver for the URL, a bad URL."""


def safe_url(url: str) -> str:
    """The URL as it may be shown: any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error.

        A version-checked write that lost a race with another console (both read
        version n, the other committed first) is a ``ConflictError``, like a save
        whose expected version is already out of date: never a silent overwrite.
        """
        try:
            with self.sessions.begin() as session:
                yield session
        except StaleDataError as error:
            log.warning("save conflict: %s", error)
            raise ConflictError(_stale_message(error)) from error

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


# Alembic (and what it pulls in) is imported only when a migration is needed:
# opening a database already at head costs one query, not ~300 ms of imports.

def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _read_revision(connection: Connection) -> str | None:
    """The schema revision, read without Alembic (None when the database has none)."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _read_revision(connection)


def open_database(url: str, *, seed_demo: bool = True, backup: bool = True,
                  progress: Callable[[str], None] | None = None) -> Database:
    """Migrate (backing up first) and return the database; seed a brand-new one.

    ``progress(text)`` is told each stage that takes a while (creating, migrating, seeding)."""
    report = progress or (lambda _text: None)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = make_engine(url)
    except ArgumentError as error:  # includes NoSuchModuleError: an unknown dialect or driver
        raise DatabaseUnavailable(f"{safe_url(url)}: not a database URL SQLAlchemy can use ({error})") from None
    except ImportError as error:
        hint = " (pip install 'workstream-console[pg]')" if url.startswith("postgresql") else ""
        raise DatabaseUnavailable(f"{safe_url(url)}: the database driver is not installed: {error}{hint}") from None
    track_changes(engine)  # a running panel learns of every committed write (app/store/changes.py)
    try:
        is_new = _migrate(engine, path, backup=backup, progress=report)
    except OperationalError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        raise DatabaseUnavailable(f"can't open {safe_url(url)}: {reason}") from None
    except Exception:
        engine.dispose()
        raise
    db = Database(url=url, engine=engine, sessions=make_session_factory(engine))
    event.listen(db.sessions, "before_flush", _note_configuration_change)
    _ensure_identity(db)
    if is_new and seed_demo:
        from app.config.demo import load_demo

        report("Adding the demo bank")

        load_demo(db)
    return db


def _migrate(engine: Engine, path: Path | None, *, backup: bool,
             progress: Callable[[str], None] = lambda _text: None) -> bool:
    """Bring the schema to head. Returns True when the database was empty."""
    if current_revision(engine) == migrations.HEAD_REVISION:  # cheap when already at head
        return False
    if _create_fresh(engine, progress):  # a brand-new database: no Alembic needed
        return True
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection), connection.begin():
        _lock_for_migration(connection)
        current = _read_revision(connection)
        if current == head:
            return False  # another console migrated while this one waited for the lock
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
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        is_new = current is None and not tables
        if current is None and tables:
            raise DatabaseRefused(
                "this database was not created by Workstream Console (it has tables but no schema revision)")
        progress("Creating the database" if is_new else f"Updating the database to schema {head} (backed up first)")
        if not is_new and backup and path is not None:
            backup_sqlite_file(path, f"before-{head}")
        log.info("%s %s: schema %s -> %s", "creating" if is_new else "migrating",
                 safe_url(str(engine.url)), current or "none", head)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite":
            dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if dangling:  # rolls the migration back
                raise DatabaseRefused(f"the migration to {head} would leave {len(dangling)} dangling references "
                                      f"(first: {dangling[0][0]} row {dangling[0][1]} → {dangling[0][2]})")
    return is_new


def _create_fresh(engine: Engine, progress: Callable[[str], None]) -> bool:
    """An empty database gets the head schema in one step (the models' tables, the base presences
    migration 0001 inserts, the head revision stamped): ~0.1 s where importing Alembic and replaying
    every migration took over a second.  False (nothing done) when the database is not empty."""
    from models import Base
    from models.seed_ids import base_presence_rows

    with engine.connect() as connection, connection.begin():
        _lock_for_migration(connection)
        if _read_revision(connection) is not None or inspect(connection).get_table_names():
            return False
        progress("Creating the database")
        Base.metadata.create_all(connection)
        connection.execute(Base.metadata.tables["presence"].insert(), base_presence_rows())
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                           {"head": migrations.HEAD_REVISION})
    return True


@contextlib.contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite: no foreign-key actions while migrating, turned on again afterwards.

    Batch mode changes a table by copying it and dropping the original; with
    foreign keys on, that DROP would cascade (ON DELETE CASCADE) into the rows
    referring to it. Must run before the transaction begins (the pragma is a
    no-op inside one); the references are checked before committing instead.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()  # ends SQLAlchemy's autobegun (empty) transaction, so begin() can follow
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _lock_for_migration(connection: Connection) -> None:
    """PostgreSQL: hold a transaction-scoped advisory lock, so concurrent starts migrate one at a time.

    (A SQLite file is one writer at a time anyway.)
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


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
    try:
        with db.session() as session:
            if session.get(Setting, "database_id") is None:
                session.add(Setting(key="database_id", value=str(uuid.uuid4())))
    except IntegrityError:
        # Another console opening the same new database wrote it first: theirs stands.
        if db.setting("database_id") is None:
            raise


def _stale_message(error: StaleDataError) -> str:
    found = re.search(r"table '(\w+)'", str(error))
    what = _TABLE_LABELS.get(found.group(1), "object") if found else "object"
    return (f"The {what} was changed or deleted by someone else while you were saving it; "
            "nothing was saved")


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
