"""The one engine and session factory.

SQLite gets its pragmas here; this is the only SQLite-specific set-up. Other
databases (PostgreSQL for team use) get a pre-pinged pool, READ COMMITTED (the
optimistic locking of ``version_id_col`` assumes it: a stale UPDATE matches no
row and raises ``StaleDataError`` rather than a serialization failure), and on
PostgreSQL an ``application_name`` so an administrator can tell the consoles apart.
"""
from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5_000
APPLICATION_NAME = "workstream-console"


def busy_timeout_ms() -> int:
    """How long a SQLite statement waits for another program's lock before giving up
    (5 s; $WSC_LOCK_WAIT_MS overrides it, e.g. for tests)."""
    try:
        return max(0, int(os.environ.get("WSC_LOCK_WAIT_MS", BUSY_TIMEOUT_MS)))
    except ValueError:
        return BUSY_TIMEOUT_MS


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # First, so that the pragmas below wait out a short lock too.
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the GUI read while a long import writes; busy_timeout waits out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("isolation_level", "READ COMMITTED")
    if parsed.get_backend_name() == "postgresql" and "application_name" not in parsed.query:
        kwargs["connect_args"] = {"application_name": APPLICATION_NAME, **kwargs.get("connect_args", {})}
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: results outlive the one session of a user action.
    return sessionmaker(engine, expire_on_commit=False)
