"""Shared fixtures. Qt runs offscreen; every database is a fresh file in tmp_path.

Backend-parametrized tests take ``backend`` (or ``backend_url`` / ``backend_db``): they
run on a SQLite file always and, as their ``[postgresql]`` variant (marked ``pg``), on a
fresh PostgreSQL database when WSC_TEST_PG_URL is set (``make test-pg``); without it
those variants are skipped, and ``make test`` deselects them (``-m "not pg"``).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Each test process (each pytest-xdist worker) writes what lands outside tmp_path into folders of
# its own: the log file, the QSettings and default database of the wsc processes tests start.
# Never the user's folders, and never another worker's (a shared rotating log or settings file
# would be written by two processes at once).
_PROCESS_FOLDER = tempfile.mkdtemp(prefix="wsc-test-")
atexit.register(shutil.rmtree, _PROCESS_FOLDER, ignore_errors=True)
os.environ["WSC_LOG_DIR"] = os.path.join(_PROCESS_FOLDER, "logs")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_PROCESS_FOLDER, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_PROCESS_FOLDER, "data")

import pytest  # noqa: E402

from app.config.opening import open_database  # noqa: E402
from tests.pg.backends import PG_REQUIRED_ENV, PG_URL_ENV, Backend, PgServer, pg_url  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if pg_url():
        return
    wanted = [item for item in items if item.get_closest_marker("pg")]
    if wanted and os.environ.get(PG_REQUIRED_ENV):
        raise pytest.UsageError(f"{PG_REQUIRED_ENV} is set but {PG_URL_ENV} is not: no PostgreSQL to test against")
    skip = pytest.mark.skip(reason=f"needs PostgreSQL: {PG_URL_ENV} is not set (make test-pg)")
    for item in wanted:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server of WSC_TEST_PG_URL; an unreachable one fails the tests (never skips)."""
    url = pg_url()
    if url is None:
        pytest.skip(f"needs PostgreSQL: {PG_URL_ENV} is not set (make test-pg)")
    server = PgServer(url)
    yield server
    server.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def backend(request, tmp_path, template_databases):
    """Fresh databases on SQLite, and on PostgreSQL when WSC_TEST_PG_URL is set."""
    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    chosen = Backend(request.param, tmp_path, server, template_databases)
    yield chosen
    chosen.close()


@pytest.fixture
def pg_backend(pg_server, tmp_path):
    """PostgreSQL only (for tests marked ``pg`` that have no SQLite counterpart)."""
    chosen = Backend("postgresql", tmp_path, pg_server)
    yield chosen
    chosen.close()


@pytest.fixture
def backend_url(backend):
    """The URL of a new, empty database on each backend (dropped after the test)."""
    return backend.new_url()


@pytest.fixture
def backend_db(backend, backend_url):
    """A migrated database seeded with the demo bank, on each backend."""
    return backend.open(backend_url)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'console.db'}"


@pytest.fixture(scope="session")
def template_databases(tmp_path_factory):
    """Seeded and empty databases migrated once per session (tests/helpers/databases.py)."""
    from tests.helpers.databases import TemplateDatabases

    return TemplateDatabases(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def db(tmp_path, template_databases):
    """A migrated database seeded with the demo bank (a copy of the session's template)."""
    database = open_database(template_databases.copy_to(tmp_path / "console.db"))
    yield database
    database.dispose()


@pytest.fixture
def empty_db(tmp_path, template_databases):
    """A migrated database with only the base presences."""
    database = open_database(template_databases.copy_to(tmp_path / "empty.db", seeded=False))
    yield database
    database.dispose()


@pytest.fixture
def services(db):
    from app.services.core import Services

    return Services(db)
