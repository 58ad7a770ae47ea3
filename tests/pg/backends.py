"""The databases a backend-parametrized test runs on: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL comes from ``WSC_TEST_PG_URL`` (``make test-pg`` starts a throw-away
server and sets it): each test gets databases of its own, created from that
URL's server and dropped (``WITH (FORCE)``) when the test ends.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

PG_URL_ENV = "WSC_TEST_PG_URL"
# Set by scripts/pg.sh: the PostgreSQL tests must run, so a missing URL is an error, not a skip.
PG_REQUIRED_ENV = "WSC_TEST_PG_REQUIRED"


def pg_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


class PgServer:
    """The server behind WSC_TEST_PG_URL: makes and drops scratch databases."""

    def __init__(self, url: str):
        self.url = make_url(url)
        # AUTOCOMMIT: CREATE/DROP DATABASE cannot run in a transaction.
        self.admin: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        with self.admin.connect() as connection:  # fail loudly (not skip) when the server is not there
            self.version = connection.execute(text("show server_version")).scalar_one()

    def create_database(self) -> str:
        name = f"wsc_t_{uuid.uuid4().hex[:16]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            # FORCE: a test that failed half-way may still hold connections.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def dispose(self) -> None:
        self.admin.dispose()


class Backend:
    """Fresh databases of one kind for one test; everything opened is closed, everything made dropped."""

    def __init__(self, name: str, tmp_path: Path, server: PgServer | None = None, templates=None):
        self.name = name
        self.templates = templates  # tests.helpers.databases.TemplateDatabases, for SQLite
        self.tmp_path = tmp_path
        self.server = server
        self._urls: list[str] = []
        self._opened: list = []

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    def new_url(self) -> str:
        """A URL of a new, empty database."""
        if self.is_sqlite:
            url = f"sqlite:///{self.tmp_path / f'backend-{len(self._urls)}.db'}"
        else:
            assert self.server is not None
            url = self.server.create_database()
        self._urls.append(url)
        return url

    def open(self, url: str | None = None, **kwargs):
        """open_database() on ``url`` (default: a new database), disposed at teardown."""
        from app.config.opening import open_database

        url = url or self.new_url()
        seeded = kwargs.get("seed_demo", True)
        if self.is_sqlite and self.templates is not None and set(kwargs) <= {"seed_demo"}:
            path = Path(make_url(url).database)
            if not path.exists():  # a new file: copy the migrated template instead of migrating
                self.templates.copy_to(path, seeded=seeded)
        database = open_database(url, **kwargs)
        self._opened.append(database)
        return database

    def close(self) -> None:
        for database in self._opened:
            database.dispose()
        if self.server is not None:
            for url in self._urls:
                self.server.drop_database(url)
