"""The demo configuration: a retail bank with chat and SMS work streams."""
from __future__ import annotations

import json

import resources
from app.config.io import ApplySummary, import_document
from app.store.database import Database

DEMO_RESOURCE = "demo_config.json"


def demo_document() -> dict:
    return json.loads(resources.path(DEMO_RESOURCE).read_text(encoding="utf-8"))


def load_demo(db: Database) -> ApplySummary:
    """Reset the configuration to the demo one (replaces everything, in one transaction)."""
    return import_document(db, demo_distribution_document(), replace=True)


def demo_distribution_document() -> dict:
    """The demo as version 2: the version 1 file plus its work distribution (app.config.demo_distribution)."""
    from app.config.demo_distribution import with_demo_distribution

    return with_demo_distribution(demo_document())
