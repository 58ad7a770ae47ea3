"""Opening a database the way the console does: migrated, and a brand-new one seeded with the demo.

The store (app/store/database.py) knows engines, schemas and migrations but nothing of the
configuration; the demo is configuration, so it is handed down from here as the seed. That
keeps the dependency one way: config uses store, never the reverse.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from app.store.database import Database, open_store


def seed_demo_bank(session: Session) -> None:
    """The demo bank, written into the new database's first transaction."""
    from app.config.demo import demo_distribution_document
    from app.config.document import validate_document
    from app.config.io import apply_document

    apply_document(session, validate_document(demo_distribution_document()), replace=True, adopt_ids=True)


def open_database(url: str, *, seed_demo: bool = True, backup: bool = True,
                  progress: Callable[[str], None] | None = None) -> Database:
    """Migrate (backing up first) and return the database; a brand-new one gets the demo bank."""
    return open_store(url, seed=seed_demo_bank if seed_demo else None, backup=backup, progress=progress)
