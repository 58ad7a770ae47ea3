"""Shared fixtures. Qt runs offscreen; every database is a fresh file in tmp_path."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.database import open_database  # noqa: E402


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'console.db'}"


@pytest.fixture
def db(db_url):
    """A migrated database seeded with the demo bank."""
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def empty_db(tmp_path):
    """A migrated database with only the base presences."""
    database = open_database(f"sqlite:///{tmp_path / 'empty.db'}", seed_demo=False)
    yield database
    database.dispose()


@pytest.fixture
def services(db):
    from app.services import Services

    return Services(db)
