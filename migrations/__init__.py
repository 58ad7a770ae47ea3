"""Alembic migrations, run in code at start (see app/database.py)."""
