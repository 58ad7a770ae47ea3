"""Alembic migrations, run in code at start (see app/store/database.py)."""

# The newest revision, so that start-up can tell "already at head" without importing
# Alembic; tests/migrations/test_migrations.py checks it against the scripts.
HEAD_REVISION = "0004"
