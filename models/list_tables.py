"""Light Core views of the columns the record lists (and a database's settings) read.

``models.entities`` declares 22 mapped classes, which costs a fresh process ~65 ms: more than
a headless ``wsc list`` may spend in all (issue 11: at most 1.3x ``import sqlalchemy.orm``).
The lists need no ORM, only a handful of columns with the types that turn SQLite's text
and integers back into datetimes and booleans, so they read through these ``table()``
clauses instead.  They name no constraints and create nothing: ``models.entities`` stays
the one definition of the schema, and tests/models/test_list_tables.py fails when a name
or a type here stops matching it.
"""
from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Integer, String, Text, column, table


def _tracked(name: str, *columns):
    """A configuration table's view: its own columns plus the identity and version every one has."""
    return table(name, column("id", String), *columns,
                 column("modified_at", DateTime), column("version", Integer))


workstream = _tracked(
    "workstream", column("name", String), column("name_key", String), column("channel", String),
    column("active", Boolean), column("distribution_mode", String), column("notification", String),
    column("capacity", Integer), column("default_queue_id", String), column("capacity_format", String),
    column("capacity_profile_id", String))
queue = _tracked(
    "queue", column("name", String), column("kind", String), column("description", String),
    column("priority", Integer), column("assignment_method", String))
queue_member = table("queue_member", column("queue_id", String), column("agent_id", String))
agent = _tracked("agent", column("name", String), column("capacity", Integer), column("presence_id", String))
presence = _tracked("presence", column("name", String), column("base", String), column("text", String),
                    column("is_system", Boolean))
channel = _tracked("channel", column("name", String), column("kind", String), column("workstream_id", String),
                   column("is_default", Boolean))
rating_model = _tracked("rating_model", column("name", String))
rating_value = table("rating_value", column("rating_model_id", String), column("position", Integer),
                     column("value", String))
skill = _tracked("skill", column("name", String), column("rating_model_id", String))
agent_skill = table("agent_skill", column("agent_id", String), column("skill_id", String))
capacity_profile = _tracked("capacity_profile", column("name", String), column("work_item_limit", Integer))
agent_capacity_profile = table("agent_capacity_profile", column("agent_id", String),
                               column("capacity_profile_id", String))
setting = table("setting", column("key", String), column("value", Text))

ALL = (workstream, queue, queue_member, agent, presence, channel, rating_model, rating_value, skill, agent_skill,
       capacity_profile, agent_capacity_profile, setting)
