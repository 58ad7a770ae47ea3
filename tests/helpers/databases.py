"""Migrated databases made once per test session and copied for each test.

Migrating and seeding a new SQLite file costs most of a second; copying one costs a
millisecond. Every copy gets a database id of its own, as a newly opened database would,
so tests of two consoles exchanging bundles still see two identities.
"""
from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

from app.config.opening import open_database


class TemplateDatabases:
    """One seeded and one empty (base presences only) template in ``folder``, made on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._made: dict[bool, Path] = {}

    def _template(self, seeded: bool) -> Path:
        if seeded not in self._made:
            path = self.folder / ("seeded.db" if seeded else "empty.db")
            database = open_database(f"sqlite:///{path}", seed_demo=seeded, backup=False)
            database.dispose()
            # Fold the write-ahead log into the file so that the file alone is the database.
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._made[seeded] = path
        return self._made[seeded]

    def copy_to(self, target: Path, *, seeded: bool = True) -> str:
        """Put a fresh copy at ``target`` and return its URL."""
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._template(seeded), target)
        connection = sqlite3.connect(target)
        try:
            with connection:
                connection.execute("UPDATE setting SET value = ? WHERE key = 'database_id'", (str(uuid.uuid4()),))
        finally:
            connection.close()
        return f"sqlite:///{target}"
