"""The tables and columns of the schema at the head revision, as plain names.

Opening a SQLite file at head checks that every one of them is there (app.store.database:
a file another program changed is refused before anything writes to it).  Reading them
from ``models.entities`` would declare the 22 mapped classes, ~65 ms of every headless
command, so they are written out here, and ``render()`` writes them again:
``python -m models.schema_columns > models/schema_columns.py``.
tests/models/test_schema_columns.py fails when this file and ``models.entities`` differ.
"""
from __future__ import annotations

import textwrap

HEAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "agent": ("name", "capacity", "presence_id", "id", "created_at", "modified_at", "version",),
    "agent_capacity_profile": ("agent_id", "capacity_profile_id", "work_item_limit",),
    "agent_skill": ("agent_id", "skill_id", "rating",),
    "baseline": ("id", "label", "at", "source_database_id",),
    "baseline_object": ("baseline_id", "kind", "object_id", "name", "version",),
    "bundle_history": ("id", "at", "direction", "file", "label", "kind", "created", "updated", "deleted",
        "baseline_id",),
    "capacity_profile": ("name", "work_item_limit", "id", "created_at", "modified_at", "version",),
    "channel": ("name", "kind", "workstream_id", "is_default", "id", "created_at", "modified_at", "version",),
    "classification_rule": ("workstream_id", "name", "position", "condition", "id", "created_at", "modified_at",
        "version",),
    "classification_skill": ("rule_id", "skill_id", "position", "rating",),
    "context_variable": ("workstream_id", "display_name", "name", "type", "position", "id", "created_at",
        "modified_at", "version",),
    "overflow_rule": ("id", "queue_id", "position", "condition", "waiting_limit", "action", "target_queue_id",
        "reason",),
    "presence": ("name", "base", "text", "is_system", "id", "created_at", "modified_at", "version",),
    "queue": ("name", "kind", "description", "priority", "assignment_method", "operating_hours", "id", "created_at",
        "modified_at", "version",),
    "queue_member": ("queue_id", "agent_id",),
    "rating_model": ("name", "id", "created_at", "modified_at", "version",),
    "rating_value": ("id", "rating_model_id", "position", "value",),
    "routing_rule_item": ("workstream_id", "name", "description", "queue_id", "position", "condition", "id",
        "created_at", "modified_at", "version",),
    "routing_rule_target": ("id", "rule_id", "position", "queue_id", "percent",),
    "routing_test_case": ("workstream_id", "name", "context", "expected_queue", "id", "created_at", "modified_at",
        "version",),
    "setting": ("key", "value",),
    "skill": ("name", "rating_model_id", "id", "created_at", "modified_at", "version",),
    "workstream": ("name", "name_key", "channel", "active", "capacity", "auto_close_after_inactivity_s",
        "distribution_mode", "notification", "screen_pop_timeout_s", "allowed_presences", "assign_after_decline_s",
        "keep_same_agent", "wrap_up_block_s", "default_queue_id", "capacity_format", "capacity_profile_id",
        "skill_matching", "missed_notification_presence_id", "decline_reasons", "reconnect_window_s", "id",
        "created_at", "modified_at", "version",),
}


def render() -> str:
    """This module's text, with the tables and columns ``models.entities`` declares now."""
    from models import Base

    with open(__file__, encoding="utf-8") as handle:
        text = handle.read()
    head, _, rest = text.partition("HEAD_COLUMNS: dict[str, tuple[str, ...]] = {\n")
    _, _, tail = rest.partition("\n}\n")
    body = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        names = ", ".join(f'"{column.name}"' for column in table.columns)
        body.append(textwrap.fill(f'"{table.name}": ({names},),', width=116, initial_indent="    ",
                                  subsequent_indent="        ", break_on_hyphens=False))
    return head + "HEAD_COLUMNS: dict[str, tuple[str, ...]] = {\n" + "\n".join(body) + "\n}\n" + tail


if __name__ == "__main__":
    print(render(), end="")
