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
_CHILDREN = (("context_variables", "context_variable"), ("routing_rules", "routing_rule"), ("channels", "channel"),
             ("classification_rules", "classification_rule"))


def demo_document() -> dict:
    """The demo file as it is: a version 1 document (every start proves version 1 still imports)."""
    return _with_stable_ids(json.loads(resources.path(DEMO_RESOURCE).read_text(encoding="utf-8")))


def demo_distribution_document() -> dict:
    """The demo bank the console seeds: the version 1 file plus its work distribution
    (app.config.demo_distribution) as version 2, every object with its stable id."""
    from app.config.demo_distribution import with_demo_distribution

    return _with_stable_ids(with_demo_distribution(demo_document()))


def _with_stable_ids(document: dict) -> dict:
    for plural, kind in (("rating_models", "rating_model"), ("skills", "skill"),
                         ("capacity_profiles", "capacity_profile"), ("presences", "presence"), ("agents", "agent"),
                         ("queues", "queue"), ("workstreams", "workstream")):
        for item in document.get(plural, []):
            item.setdefault("id", demo_object_id(kind, item["name"]))
            for children, child_kind in _CHILDREN:
                for child in item.get(children, []):
                    child.setdefault("id", demo_object_id(child_kind, child["name"], owner=item["name"]))
    return document


def load_demo(db: Database) -> ApplySummary:
    """Reset the configuration to the demo one (replaces everything, in one transaction);
    objects matched by name take the demo's ids."""
    return import_document(db, demo_distribution_document(), replace=True, adopt_ids=True)
