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
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

import migrations
from app.common.errors import ConflictError, UserError
from app.store.changes import track_changes
from app.store.paths import sqlite_path
from models import list_tables
from models.db import busy_timeout_ms, make_engine, make_session_factory
from models.schema_columns import HEAD_COLUMNS

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


class DatabaseBusy(DatabaseUnavailable):
    """Another program held the database locked for longer than the bounded wait."""


class DatabaseRaced(ConflictError):
    """Another console wrote a conflicting row at the same moment (a unique key, a reference)."""


SQLITE_MAGIC = b"SQLite format 3\x00"


def lock_wait_text() -> str:
    seconds = busy_timeout_ms() / 1000
    return f"{seconds:g} s"


def describe_database_error(error: BaseException, where: str = "the database") -> UserError:
    """One line for a database failure: what is wrong and what to do.  Nothing was saved
    (the transaction was rolled back), and the line says so."""
    if isinstance(error, UserError):
        return error
    if isinstance(error, StaleDataError):
        return ConflictError(_stale_message(error))
    original = getattr(error, "orig", None) or error
    reason = (str(original).strip().splitlines() or [type(original).__name__])[0]
    low = reason.lower()
    if isinstance(error, IntegrityError):
        if "unique" in low or "duplicate" in low:
            return DatabaseRaced(f"another console saved a conflicting change at the same moment ({reason}); "
                                 "nothing was saved: reload and try again")
        return DatabaseRaced(f"the database refused the change ({reason}); nothing was saved")
    if "locked" in low or "busy" in low:
        return DatabaseBusy(f"{where} is locked by another program; waited {lock_wait_text()}, nothing was changed: "
                            "close the other program (or let it finish) and try again")
    if "readonly" in low or "read-only" in low:
        return DatabaseUnavailable(f"{where} is read-only; nothing was changed: make the file (and its folder) "
                                   "writable, or work on a copy")
    if "full" in low and ("disk" in low or "database" in low):
        return DatabaseUnavailable(f"the disk holding {where} is full; nothing was saved: free some space and "
                                   "try again")
    if "not a database" in low or "malformed" in low or "disk image" in low or "file is encrypted" in low:
        return DatabaseRefused(f"{where} is damaged or not a database ({reason}): restore a backup "
                               "(the .bak files next to it)")
    if "no such table" in low or "no such column" in low or "has no column" in low:
        return DatabaseRefused(f"{where} does not have the tables this app made ({reason}); another program "
                               "changed it: restore a backup (the .bak files next to it)")
    if "unable to open" in low:
        return DatabaseUnavailable(f"can't open {where}: {reason} (does its folder exist, and may you write to it?)")
    return DatabaseUnavailable(f"can't use {where}: {reason}")


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
        except IntegrityError:
            raise  # callers (and the CLI) decide: a constraint is not a broken database
        except (StaleDataError, DBAPIError) as error:
            log.warning("save refused: %s", error)
            raise describe_database_error(error, self.label) from error

    @property
    def label(self) -> str:
        """How messages name this database: its file, or its URL without the password."""
        return str(self.path) if self.path is not None else safe_url(self.url)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def setting(self, key: str) -> str | None:
        # Core over a light view, not session.get: opening a database must not declare the
        # mapped classes (~65 ms) nor configure their mappers (~35 ms) that a headless
        # `wsc list` would pay for nothing.
        settings = list_tables.setting
        with self.sessions() as session:
            return session.scalar(select(settings.c.value).where(settings.c.key == key))

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


def open_store(url: str, *, seed: Callable[[Session], None] | None = None, backup: bool = True,
               progress: Callable[[str], None] | None = None) -> Database:
    """Migrate (backing up first) and return the database; ``seed`` fills a brand-new one.

    Creating, upgrading and seeding are one transaction: a start killed at any
    point leaves the file as it was.  A SQLite file that is refused (not a
    database, another application's, newer than this app, a schema changed by
    hand) is refused before anything touches it: it stays byte-identical.
    ``progress(text)`` is told each stage that takes a while (creating, migrating, seeding).
    The configuration layer's ``app.config.opening.open_database`` passes the demo as ``seed``.
    """
    report = progress or (lambda _text: None)
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(f"can't create the folder for {path}: {error.strerror or error}") from None
        check_sqlite_file(path)
    try:
        engine = make_engine(url)
    except ArgumentError as error:  # includes NoSuchModuleError: an unknown dialect or driver
        raise DatabaseUnavailable(f"{safe_url(url)}: not a database URL SQLAlchemy can use ({error})") from None
    except ImportError as error:
        hint = " (pip install 'workstream-console[pg]')" if url.startswith("postgresql") else ""
        raise DatabaseUnavailable(f"{safe_url(url)}: the database driver is not installed: {error}{hint}") from None
    track_changes(engine)  # a running panel learns of every committed write (app/store/changes.py)
    where = str(path) if path is not None else safe_url(url)
    try:
        _migrate(engine, path, backup=backup, seed=seed, progress=report)
    except (DBAPIError, StaleDataError) as error:
        engine.dispose()
        raise describe_database_error(error, where) from None
    except BaseException:
        engine.dispose()
        raise
    db = Database(url=url, engine=engine, sessions=make_session_factory(engine))
    event.listen(db.sessions, "before_flush", _note_configuration_change)
    _ensure_identity(db)
    return db


@contextlib.contextmanager
def database_errors(db: "Database") -> Iterator[None]:
    """Inside: a database failure (a lock, a full disk, a race with another console) becomes
    the one-line ``UserError`` of ``describe_database_error``, for the CLI and the GUI alike."""
    try:
        yield
    except (DBAPIError, StaleDataError) as error:
        raise describe_database_error(error, db.label) from error


def check_sqlite_file(path: Path) -> None:
    """Refuse a file this app must not open, without changing a byte of it.

    Read with a plain connection (none of the engine's pragmas: no switch to WAL):
    not a regular file, not a SQLite file, another application's tables, a schema
    revision newer than this app, or tables that do not match the revision.
    A missing or empty file is a new database.
    """
    if not path.exists():
        return
    if not path.is_file():
        raise DatabaseRefused(f"{path} is not a database file (it is a folder or a device): give the path of a file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise DatabaseUnavailable(f"can't read {path}: {error.strerror or error}") from None
    if not head:
        return
    if head != SQLITE_MAGIC:
        raise DatabaseRefused(f"{path} is not a SQLite database (a text file, or another kind of file): "
                              "give the path of a Workstream Console database, or a new file name")
    try:
        connection = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000)
    except sqlite3.Error as error:
        raise describe_database_error(error, str(path)) from None
    try:
        tables = {row[0]: row[1] for row in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = revision[0] if revision else None
        if revision is None:
            if set(tables) - {"alembic_version"}:
                raise DatabaseRefused(f"{path} was not created by Workstream Console (it has tables but no schema "
                                      "revision); nothing was changed")
            return
        if revision not in migrations.KNOWN_REVISIONS:
            raise DatabaseRefused(
                f"the database is at schema revision {revision}, newer than this app understands "
                f"(latest {migrations.HEAD_REVISION}); update Workstream Console to open it")
        if revision == migrations.HEAD_REVISION:
            problem = _schema_problem(connection)
            if problem:
                raise DatabaseRefused(f"{path} does not have the tables of schema revision {revision} ({problem}); "
                                      "another program changed it: restore a backup (the .bak files next to it)")
    except sqlite3.Error as error:
        raise describe_database_error(error, str(path)) from None
    finally:
        connection.close()


def _schema_problem(connection: sqlite3.Connection) -> str | None:
    """The first table or column the models need and the file lacks (None: all there)."""
    for table, needed in HEAD_COLUMNS.items():
        columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
        if not columns:
            return f"table '{table}' is missing"
        for column in needed:
            if column not in columns:
                return f"table '{table}' has no column '{column}'"
    return None


def _migrate(engine: Engine, path: Path | None, *, backup: bool, seed: Callable[[Session], None] | None,
             progress: Callable[[str], None]) -> bool:
    """Bring the schema to head, and seed a new database, in one transaction.
    Returns True when the database was empty."""
    if current_revision(engine) == migrations.HEAD_REVISION:  # cheap when already at head
        return False
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection), _begin(connection):
        _lock_for_migration(connection)
        current = _read_revision(connection)
        if current == migrations.HEAD_REVISION:
            return False  # another console migrated while this one waited for the lock
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        is_new = current is None and not tables
        if is_new:
            progress("Creating the database")
            log.info("creating %s at schema %s", path or "the database", migrations.HEAD_REVISION)
            _create_fresh(connection)
        else:
            _upgrade(connection, current, tables, path, backup=backup, progress=progress)
        if is_new and seed is not None:
            progress("Adding the demo bank")
            _seed(connection, seed)
    return is_new


def _create_fresh(connection: Connection) -> None:
    """An empty database gets the head schema in one step (the models' tables, the base presences
    migration 0001 inserts, the head revision stamped): ~0.1 s where importing Alembic and replaying
    every migration took over a second (tests/app/store/test_fresh_schema.py checks they agree)."""
    from models import Base
    from models.seed_ids import base_presence_rows

    Base.metadata.create_all(connection)
    connection.execute(Base.metadata.tables["presence"].insert(), base_presence_rows())
    connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                       {"head": migrations.HEAD_REVISION})


def _upgrade(connection: Connection, current: str | None, tables: set[str], path: Path | None, *,
             backup: bool, progress: Callable[[str], None]) -> None:
    """Alembic from ``current`` to head, inside the caller's transaction."""
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
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
    if current is None and tables:
        raise DatabaseRefused(
            "this database was not created by Workstream Console (it has tables but no schema revision)")
    progress(f"Updating the database to schema {head} (backed up first)")
    log.info("migrating %s: schema %s -> %s", path or "the database", current, head)
    if backup and path is not None:
        backup_sqlite_file(path, f"before-{head}")
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    if connection.dialect.name == "sqlite":
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if dangling:  # rolls the migration back
            raise DatabaseRefused(f"the migration to {head} would leave {len(dangling)} dangling references "
                                  f"(first: {dangling[0][0]} row {dangling[0][1]} → {dangling[0][2]})")


@contextlib.contextmanager
def _begin(connection: Connection) -> Iterator[None]:
    """One transaction around DDL and DML alike.

    Python's sqlite3 (before 3.12) opens a transaction only before INSERT/UPDATE/DELETE,
    so a CREATE TABLE would commit on its own; here the driver is put in autocommit
    mode and the transaction is begun explicitly (BEGIN IMMEDIATE: the write lock is
    taken up front, within the bounded wait).  Other databases begin as usual.
    """
    if connection.dialect.name != "sqlite":
        with connection.begin():
            yield
        return
    raw = connection.connection.driver_connection
    previous = raw.isolation_level
    raw.isolation_level = None
    try:
        with connection.begin():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
    finally:
        if raw.in_transaction:  # an error escaped before SQLAlchemy could roll back
            raw.rollback()
        raw.isolation_level = previous


def _seed(connection: Connection, seed: Callable[[Session], None]) -> None:
    """The database id and ``seed``'s data, in the migration's transaction."""
    from models import Setting
    with Session(bind=connection, join_transaction_mode="rollback_only",
                 expire_on_commit=False) as session:
        event.listen(session, "before_flush", _note_configuration_change)
        session.add(Setting(key="database_id", value=str(uuid.uuid4())))
        seed(session)
        session.flush()


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
    # Copied under a temporary name and renamed when complete: a .bak is always a whole backup.
    partial = target.with_name(f".{target.name}.part")
    try:
        source = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)  # no empty or partial .bak that looks like a backup
        problem = describe_database_error(error, str(path))
        raise type(problem)(f"could not back up before changing it: {problem}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
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
    from models.entities import Setting, Tracked  # a flush has mapped objects: already loaded

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
        if db.setting("database_id") is not None:
            return
        from models import Setting

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
