"""Fixtures of the backend tests (the backends themselves are in tests/conftest.py)."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import DataError


@pytest.fixture
def records_baselines(request, backend):
    """For tests that record a baseline: its id is a 64-character SHA-256, which the schema must hold.

    Until models/entities.py and a migration widen baseline.id (and the columns referring
    to it) from VARCHAR(36), PostgreSQL refuses those rows (SQLite ignores lengths): the
    PostgreSQL variant is then an expected failure (with that DataError, strictly). Once the
    schema holds 64 characters this fixture does nothing and the tests must pass.
    """
    from models import Baseline

    if not backend.is_sqlite and Baseline.__table__.c.id.type.length < 64:
        request.applymarker(pytest.mark.xfail(
            raises=DataError, strict=True,
            reason="baseline.id is VARCHAR(36) but holds 64-character SHA-256 ids (PostgreSQL enforces lengths)"))
