"""The demo configuration: a retail bank with chat and SMS work streams.

Every demo object has a stable id (``models.seed_ids.demo_object_id``), the same in
every database, so two workstations that both start from the demo exchange deltas
about the same objects.
"""
from __future__ import annotations

import json

import resources
from app.config.io import ApplySummary, import_document
from app.store.database import Database
from models.seed_ids import demo_object_id

DEMO_RESOURCE = "demo_config.json"
_CHILDREN = (("context_variables", "context_variable"), ("routing_rules", "routing_rule"), ("channels", "channel"))


def demo_document() -> dict:
    document = json.loads(resources.path(DEMO_RESOURCE).read_text(encoding="utf-8"))
    for plural, kind in (("presences", "presence"), ("agents", "agent"), ("queues", "queue"),
                         ("workstreams", "workstream")):
        for item in document[plural]:
            item.setdefault("id", demo_object_id(kind, item["name"]))
            for children, child_kind in _CHILDREN:
                for child in item.get(children, []):
                    child.setdefault("id", demo_object_id(child_kind, child["name"], owner=item["name"]))
    return document


def load_demo(db: Database) -> ApplySummary:
    """Reset the configuration to the demo one (replaces everything, in one transaction);
    objects matched by name take the demo's ids."""
    return import_document(db, demo_document(), replace=True, adopt_ids=True)
