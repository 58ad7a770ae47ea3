"""Alembic migrations, run in code at start (see app/store/database.py)."""

# The newest revision, so that start-up can tell "already at head" without importing
# Alembic; tests/migrations/test_migrations.py checks it against the scripts.
HEAD_REVISION = "0005"
# Every revision this app can upgrade from, oldest first (checked against the scripts too):
# a file at any other revision was written by a newer app and is refused before anything changes.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005")
