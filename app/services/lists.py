"""The record lists: one row per work stream, queue, agent, presence, channel, skill,
rating model and capacity profile, as the console's pages and ``wsc list`` show them.

Read with SQLAlchemy Core through the light table views of ``models.list_tables``, never
the mapped classes: a headless ``wsc list`` then neither declares the ORM's 22 classes nor
configures their mappers (together ~100 ms of a ~400 ms command).  ``Services.list_*``
(app.services.core) call these, so the GUI and the CLI read one way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, tuple_

from app.common.names import sort_key
from models import list_tables as t
from models.choices import BASE_PRESENCE_NAMES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.store.database import Database


@dataclass(frozen=True)
class WorkStreamRow:
    id: str
    name: str
    channel: str
    active: bool
    distribution_mode: str
    notification: str
    capacity: int
    default_queue: str
    modified_at: datetime
    version: int
    capacity_profile: str | None = None  # the profile's name when the stream's capacity is a profile


@dataclass(frozen=True)
class QueueRow:
    id: str
    name: str
    kind: str
    description: str
    agent_count: int
    modified_at: datetime
    version: int
    priority: int = 0  # 1 is the highest
    assignment_method: str = ""


@dataclass(frozen=True)
class AgentRow:
    id: str
    name: str
    capacity: int
    presence: str
    queues: tuple[str, ...]
    modified_at: datetime
    version: int


@dataclass(frozen=True)
class PresenceRow:
    id: str
    name: str
    base: str
    text: str
    is_system: bool
    modified_at: datetime
    version: int


@dataclass(frozen=True)
class ChannelRow:
    id: str
    name: str
    kind: str
    workstream: str
    is_default: bool
    modified_at: datetime
    version: int


@dataclass(frozen=True)
class RatingModelRow:
    id: str
    name: str
    values: tuple[str, ...]  # lowest first
    skill_count: int
    modified_at: datetime
    version: int


@dataclass(frozen=True)
class SkillRow:
    id: str
    name: str
    rating_model: str
    values: tuple[str, ...]  # its rating model's, lowest first
    agent_count: int  # agents holding it
    modified_at: datetime
    version: int


@dataclass(frozen=True)
class CapacityProfileRow:
    id: str
    name: str
    work_item_limit: int
    agent_count: int  # agents with an override
    workstream_count: int  # streams that use it
    modified_at: datetime
    version: int


def matches(name: str, search: str) -> bool:
    """Case-insensitive containment beyond ASCII (SQL lower() folds ASCII only on SQLite)."""
    return not search or search.casefold() in name.casefold()


def like_pattern(search: str) -> str:
    """A LIKE pattern (escape character ``\\``) finding ``search`` anywhere."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def list_workstreams(db: "Database", state: str = "all", search: str = "") -> list[WorkStreamRow]:
    stream, queue, profile = t.workstream, t.queue, t.capacity_profile
    query = (select(stream.c.id, stream.c.name, stream.c.channel, stream.c.active, stream.c.distribution_mode,
                    stream.c.notification, stream.c.capacity, queue.c.name, stream.c.modified_at,
                    stream.c.version, stream.c.capacity_format, profile.c.name)
             .select_from(stream).outerjoin(queue, stream.c.default_queue_id == queue.c.id)
             .outerjoin(profile, stream.c.capacity_profile_id == profile.c.id))
    if state == "active":
        query = query.where(stream.c.active.is_(True))
    elif state == "inactive":
        query = query.where(stream.c.active.is_(False))
    if search:
        # name_key is the Python-casefolded name: matches beyond ASCII on every database.
        query = query.where(stream.c.name_key.like(like_pattern(search.casefold()), escape="\\"))
    query = query.order_by(stream.c.name_key)
    with db.sessions() as session:
        return [
            WorkStreamRow(id_, name, channel, active, mode, notification, capacity, queue_name or "", modified,
                          version, profile_name if capacity_format == "profile" else None)
            for (id_, name, channel, active, mode, notification, capacity, queue_name, modified, version,
                 capacity_format, profile_name) in session.execute(query)
        ]


def list_queues(db: "Database", search: str = "") -> list[QueueRow]:
    queue, members = t.queue, t.queue_member
    agent_count = select(func.count()).where(members.c.queue_id == queue.c.id).scalar_subquery()
    query = select(queue.c.id, queue.c.name, queue.c.kind, queue.c.description, agent_count,
                   queue.c.modified_at, queue.c.version, queue.c.priority, queue.c.assignment_method)
    with db.sessions() as session:
        return sorted((QueueRow(*row) for row in session.execute(query) if matches(row.name, search)),
                      key=lambda r: sort_key(r.name))


def list_agents(db: "Database", search: str = "") -> list[AgentRow]:
    agent, presence, queue, members = t.agent, t.presence, t.queue, t.queue_member
    with db.sessions() as session:
        queues_of: dict[str, list[str]] = {}
        for agent_id, queue_name in session.execute(
                select(members.c.agent_id, queue.c.name).join(queue, members.c.queue_id == queue.c.id)):
            queues_of.setdefault(agent_id, []).append(queue_name)
        rows = session.execute(
            select(agent.c.id, agent.c.name, agent.c.capacity, presence.c.name, agent.c.modified_at,
                   agent.c.version).join(presence, agent.c.presence_id == presence.c.id))
        return sorted(
            (AgentRow(id_, name, capacity, presence_name, tuple(sorted(queues_of.get(id_, ()), key=sort_key)),
                      modified, version)
             for id_, name, capacity, presence_name, modified, version in rows if matches(name, search)),
            key=lambda r: sort_key(r.name),
        )


def list_presences(db: "Database", search: str = "") -> list[PresenceRow]:
    presence = t.presence
    query = select(presence.c.id, presence.c.name, presence.c.base, presence.c.text, presence.c.is_system,
                   presence.c.modified_at, presence.c.version)
    with db.sessions() as session:
        rows = session.execute(query).all()
    order = list(BASE_PRESENCE_NAMES)
    return sorted(
        (PresenceRow(*row) for row in rows if matches(row.name, search)),
        key=lambda r: (not r.is_system, order.index(r.base) if r.is_system else 0, sort_key(r.name)),
    )


def list_channels(db: "Database", search: str = "") -> list[ChannelRow]:
    channel, stream = t.channel, t.workstream
    query = select(channel.c.id, channel.c.name, channel.c.kind, stream.c.name, channel.c.is_default,
                   channel.c.modified_at, channel.c.version).join(stream, channel.c.workstream_id == stream.c.id)
    with db.sessions() as session:
        return sorted(
            (ChannelRow(*row) for row in session.execute(query) if matches(row[1], search)),
            key=lambda r: sort_key(r.name),
        )


def rating_values(session: "Session") -> dict[str, tuple[str, ...]]:
    """Each rating model's values, lowest first."""
    value = t.rating_value
    by_model: dict[str, list[str]] = {}
    for model_id, text in session.execute(select(value.c.rating_model_id, value.c.value)
                                          .order_by(value.c.rating_model_id, value.c.position)):
        by_model.setdefault(model_id, []).append(text)
    return {model_id: tuple(values) for model_id, values in by_model.items()}


def list_rating_models(db: "Database", search: str = "") -> list[RatingModelRow]:
    model, skill = t.rating_model, t.skill
    with db.sessions() as session:
        values = rating_values(session)
        counts = dict(session.execute(select(skill.c.rating_model_id, func.count())
                                      .group_by(skill.c.rating_model_id)).all())
        rows = session.execute(select(model.c.id, model.c.name, model.c.modified_at, model.c.version))
        return sorted((RatingModelRow(id_, name, values.get(id_, ()), counts.get(id_, 0), modified, version)
                       for id_, name, modified, version in rows if matches(name, search)),
                      key=lambda r: sort_key(r.name))


def list_skills(db: "Database", search: str = "") -> list[SkillRow]:
    skill, model, held = t.skill, t.rating_model, t.agent_skill
    with db.sessions() as session:
        values = rating_values(session)
        counts = dict(session.execute(select(held.c.skill_id, func.count()).group_by(held.c.skill_id)).all())
        rows = session.execute(select(skill.c.id, skill.c.name, model.c.name, skill.c.rating_model_id,
                                      skill.c.modified_at, skill.c.version)
                               .join(model, skill.c.rating_model_id == model.c.id))
        return sorted((SkillRow(id_, name, model_name, values.get(model_id, ()), counts.get(id_, 0), modified,
                                version)
                       for id_, name, model_name, model_id, modified, version in rows
                       if matches(name, search)), key=lambda r: sort_key(r.name))


def list_capacity_profiles(db: "Database", search: str = "") -> list[CapacityProfileRow]:
    profile, override, stream = t.capacity_profile, t.agent_capacity_profile, t.workstream
    with db.sessions() as session:
        agents = dict(session.execute(select(override.c.capacity_profile_id, func.count())
                                      .group_by(override.c.capacity_profile_id)).all())
        streams = dict(session.execute(select(stream.c.capacity_profile_id, func.count())
                                       .where(stream.c.capacity_profile_id.is_not(None))
                                       .group_by(stream.c.capacity_profile_id)).all())
        rows = session.execute(select(profile.c.id, profile.c.name, profile.c.work_item_limit,
                                      profile.c.modified_at, profile.c.version))
        return sorted((CapacityProfileRow(id_, name, limit, agents.get(id_, 0), streams.get(id_, 0), modified,
                                          version)
                       for id_, name, limit, modified, version in rows if matches(name, search)),
                      key=lambda r: sort_key(r.name))


# What `wsc list KIND` and a records page read, by kind.
LISTS = {
    "workstreams": list_workstreams, "queues": list_queues, "agents": list_agents, "presences": list_presences,
    "channels": list_channels, "skills": list_skills, "rating_models": list_rating_models,
    "capacity_profiles": list_capacity_profiles,
}


# --------------------------------------------------------------------------- the work streams list, a page at a time

WORKSTREAM_ORDERS = ("name", "channel", "distribution_mode", "notification", "capacity", "default_queue",
                     "modified_at")


def list_workstream_page(db: "Database", state: str = "all", search: str = "", after_key: tuple | None = None,
                         limit: int | None = 200, order: str = "name", descending: bool = False,
                         through_id: str | None = None, with_counts: bool = False) -> dict:
    """One page of the work streams list, filtered and sorted in SQL, with keyset paging.

    Rows come in ``order`` (one of ``WORKSTREAM_ORDERS``; ties broken by the case-folded
    name, which is unique), descending when asked.  ``after_key`` is the ``last_key`` of
    the previous page (None for the first).  ``through_id``: every row after
    ``after_key`` up to and including that work stream, however many (none when it is
    not in this list), instead of ``limit`` rows.  ``search`` matches the case-folded
    name anywhere.  With ``with_counts`` the answer also says how many rows match
    (``matching``) and how many the state alone lists (``total``).

    Read with Core like the other lists: the first page of a 100,000-stream list neither
    configures the mappers nor builds an object a row (~70 ms of its first paint).

    Returns ``{"rows": [WorkStreamRow], "last_key": tuple | None, "matching", "total"}``.
    """
    if order not in WORKSTREAM_ORDERS:
        raise ValueError(f"unknown work stream order '{order}'")
    stream, queue, profile = t.workstream, t.queue, t.capacity_profile
    sort_value = {
        "name": stream.c.name_key,
        "channel": stream.c.channel,
        "distribution_mode": stream.c.distribution_mode,
        "notification": stream.c.notification,
        "capacity": stream.c.capacity,
        "default_queue": func.coalesce(func.lower(queue.c.name), ""),
        "modified_at": stream.c.modified_at,
    }[order]
    key_columns = (stream.c.name_key,) if order == "name" else (sort_value, stream.c.name_key)

    def listed(query):
        if state == "active":
            query = query.where(stream.c.active.is_(True))
        elif state == "inactive":
            query = query.where(stream.c.active.is_(False))
        return query

    def searched(query):
        if search:
            query = query.where(stream.c.name_key.like(like_pattern(search.casefold()), escape="\\"))
        return query

    def beyond(key: tuple, inclusive: bool = False):
        left, right = tuple_(*key_columns), tuple_(*key)
        if descending:
            return left >= right if inclusive else left < right
        return left <= right if inclusive else left > right

    joined = (stream.outerjoin(queue, stream.c.default_queue_id == queue.c.id)
              .outerjoin(profile, stream.c.capacity_profile_id == profile.c.id))
    query = searched(listed(select(stream.c.id, stream.c.name, stream.c.channel, stream.c.active,
                                   stream.c.distribution_mode, stream.c.notification, stream.c.capacity, queue.c.name,
                                   stream.c.modified_at, stream.c.version, stream.c.capacity_format, profile.c.name,
                                   *key_columns).select_from(joined)))
    with db.sessions() as session:
        if after_key is not None:
            query = query.where(beyond(tuple(after_key)))
        if through_id is not None:
            target = session.execute(searched(listed(select(*key_columns).select_from(joined)
                                                     .where(stream.c.id == through_id)))).first()
            if target is None:
                query = None
            else:
                query = query.where(~beyond(tuple(target)))  # up to and including the target
        elif limit is not None:
            query = query.limit(limit)
        rows, last_key = [], None
        if query is not None:
            ordering = [column.desc() if descending else column.asc() for column in key_columns]
            for (id_, name, channel, active, mode, notification, capacity, queue_name, modified, version,
                 capacity_format, profile_name, *key) in session.execute(query.order_by(*ordering)):
                rows.append(WorkStreamRow(id_, name, channel, active, mode, notification, capacity, queue_name or "",
                                          modified, version, profile_name if capacity_format == "profile" else None))
                last_key = tuple(key)
        answer: dict = {"rows": rows, "last_key": last_key, "matching": None, "total": None}
        if with_counts:
            count = select(func.count()).select_from(stream)
            answer["total"] = session.scalar(listed(count))
            answer["matching"] = session.scalar(searched(listed(count))) if search else answer["total"]
        return answer
