"""Database ⇄ configuration document.

``export_document`` reads the whole configuration (or a chosen set of work
streams with everything they reference) as the canonical document;
``apply_document`` writes a validated document in one transaction, updating
objects matched by id or name, creating new ones, and with ``replace`` removing
everything the document does not mention.  An unchanged object is not written,
so its version does not move.

Large configurations (700k objects) take the set-based paths: the export reads
plain columns (no ORM objects), and whatever the database has nothing of is
created with one executemany per table (``_BulkCreator``) instead of one ORM
object per row; the rest goes through the ORM upsert (``ConfigWriter``) as before.
Both give the same rows, ids, versions and summary (tests/app/services/test_bulk.py).
"""
from __future__ import annotations

import logging

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from sqlalchemy import Column, DateTime, MetaData, String, Table, UniqueConstraint, delete, func, insert, literal, select
from sqlalchemy.orm import Session, selectinload

from app.config.document import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ClassificationRuleDoc,
    ConfigDocument,
    ContextVariableDoc,
    KnownNames,
    RoutingRuleDoc,
    WorkStreamDoc,
    dump,
    normalize_operating_hours,
    normalize_queue,
    normalize_workstream,
    validate_document,
)
from app.store.database import CHANGED_KEY, Database, database_errors, foreign_key_problems
from app.common.collector import gc_paused
from app.common.errors import DocumentInvalid, UserError
from app.common import names
from app.common.names import name_key
from models import (
    Agent,
    AgentCapacityProfile,
    AgentSkill,
    CapacityProfile,
    ClassificationRule,
    ClassificationSkill,
    OverflowRule,
    RatingModel,
    RatingValue,
    RoutingRuleTarget,
    Skill,
    Channel,
    ContextVariable,
    Presence,
    Queue,
    RoutingRuleItem,
    RoutingTestCase,
    Setting,
    WorkStream,
    queue_members,
)
from models.choices import sort_base_presences
from models.entities import new_id, utcnow

KINDS = ("presences", "agents", "queues", "workstreams")
# Document version 2's named kinds, listed in summaries after the version 1 kinds.
DISTRIBUTION_KINDS = ("rating_models", "skills", "capacity_profiles")
SUMMARY_KINDS = DISTRIBUTION_KINDS + KINDS

log = logging.getLogger(__name__)


def fold(name: str) -> str:
    """The one comparison of names (case-insensitive, NFC): app.common.names.name_key."""
    return name_key(name)


sort_key = names.sort_key  # the one listing order (app.common.names), kept here for its callers


# --------------------------------------------------------------------------- export

def presence_dict(p: Presence, with_ids: bool) -> dict:
    return _with_id({"name": p.name, "base": p.base, "text": p.text}, p, with_ids)


def agent_dict(a: Agent, with_ids: bool) -> dict:
    return _with_id({"name": a.name, "capacity": a.capacity, "presence": a.presence.name,
                     "skills": {s.skill.name: s.rating for s in a.skills},
                     "capacity_profiles": {p.capacity_profile.name: p.work_item_limit for p in a.capacity_profiles}},
                    a, with_ids)


def queue_dict(q: Queue, with_ids: bool) -> dict:
    return _with_id({
        "name": q.name,
        "kind": q.kind,
        "description": q.description,
        "agents": sorted((a.name for a in q.agents), key=sort_key),
        "priority": q.priority,
        "assignment_method": q.assignment_method,
        "operating_hours": q.operating_hours,
        "overflow": [overflow_dict(o.condition, o.waiting_limit, o.action,
                                   o.target_queue.name if o.target_queue else None, o.reason)
                     for o in sorted(q.overflow_rules, key=lambda o: o.position)],
    }, q, with_ids)


def overflow_dict(when: str, limit: int | None, action: str, queue: str | None, reason: str) -> dict:
    return {"when": when, "limit": limit, "action": action, "queue": queue, "reason": reason}


def rating_model_dict(m: RatingModel, with_ids: bool) -> dict:
    return _with_id({"name": m.name, "values": [v.value for v in sorted(m.values, key=lambda v: v.position)]},
                    m, with_ids)


def skill_dict(s: Skill, with_ids: bool) -> dict:
    return _with_id({"name": s.name, "rating_model": s.rating_model.name}, s, with_ids)


def capacity_profile_dict(p: CapacityProfile, with_ids: bool) -> dict:
    return _with_id({"name": p.name, "work_item_limit": p.work_item_limit}, p, with_ids)


def rule_destination(queue: str | None, shares: list[tuple[str, int]]) -> dict:
    """A routing rule's ``queue`` and ``queues`` keys: one queue, or a percentage split."""
    return {"queue": queue, "queues": [{"queue": name, "percent": percent} for name, percent in shares]}


def workstream_dict(w: WorkStream, with_ids: bool) -> dict:
    return _with_id({
        "name": w.name,
        "channel": w.channel,
        "active": w.active,
        "capacity": w.capacity,
        "auto_close_after_inactivity_s": w.auto_close_after_inactivity_s,
        "distribution_mode": w.distribution_mode,
        "notification": w.notification,
        "screen_pop_timeout_s": w.screen_pop_timeout_s,
        "allowed_presences": sort_base_presences(w.allowed_presences),
        "assign_after_decline_s": w.assign_after_decline_s,
        "keep_same_agent": w.keep_same_agent,
        "wrap_up_block_s": w.wrap_up_block_s,
        "default_queue": w.default_queue.name if w.default_queue else None,
        "context_variables": [
            _with_id({"display_name": v.display_name, "name": v.name, "type": v.type}, v, with_ids)
            for v in sorted(w.context_variables, key=lambda v: (v.position, sort_key(v.name)))
        ],
        "routing_rules": [
            _with_id({"name": r.name, "description": r.description,
                      **rule_destination(r.queue.name if r.queue else None,
                                         [(t.queue.name, t.percent) for t in sorted(r.targets, key=lambda t: t.position)]),
                      "condition": r.condition}, r, with_ids)
            for r in sorted(w.routing_rules, key=lambda r: r.position)
        ],
        "channels": [
            _with_id({"name": c.name, "kind": c.kind, "is_default": c.is_default}, c, with_ids)
            for c in sorted(w.channels, key=lambda c: sort_key(c.name))
        ],
        "capacity_format": w.capacity_format,
        "capacity_profile": w.capacity_profile.name if w.capacity_profile else None,
        "skill_matching": w.skill_matching,
        "classification_rules": [
            _with_id({"name": k.name, "condition": k.condition,
                      "skills": {c.skill.name: c.rating for c in sorted(k.skills, key=lambda c: c.position)}},
                     k, with_ids)
            for k in sorted(w.classification_rules, key=lambda k: k.position)
        ],
        "missed_notification_presence": w.missed_notification_presence.name if w.missed_notification_presence else None,
        "decline_reasons": list(w.decline_reasons),
        "reconnect_window_s": w.reconnect_window_s,
    }, w, with_ids)


def _with_id(data: dict, obj: Any, with_ids: bool) -> dict:
    if with_ids:
        data["id"] = obj.id
    return data


def _workstream_query():
    return select(WorkStream).options(
        selectinload(WorkStream.context_variables),
        selectinload(WorkStream.routing_rules),
        selectinload(WorkStream.channels),
        selectinload(WorkStream.classification_rules),
    )


def export_document(db: Database, *, with_ids: bool = False, workstreams: Iterable[str] | None = None) -> dict:
    with gc_paused(), db.sessions() as session:
        return export_from_session(session, with_ids=with_ids, workstreams=workstreams)


# Up to this many selected work streams, their children are read with an IN list.
_IN_LIST_MAX = 500


def export_from_session(session: Session, *, with_ids: bool = False, workstreams: Iterable[str] | None = None) -> dict:
    """The document, read with plain column selects (no ORM objects): the same dicts as
    ``workstream_dict``/``queue_dict``/... of the loaded objects would give, in the same order.
    Pending ORM changes are flushed first, as the ORM queries did."""
    session.flush()
    P, A, Q, W = Presence.__table__, Agent.__table__, Queue.__table__, WorkStream.__table__
    V, R, C, M = ContextVariable.__table__, RoutingRuleItem.__table__, Channel.__table__, queue_members
    execute = session.execute
    presence_name = {pid: name for pid, name in execute(select(P.c.id, P.c.name))}
    presences = execute(select(P.c.id, P.c.name, P.c.base, P.c.text).where(P.c.is_system.is_(False))).all()
    agents = execute(select(A.c.id, A.c.name, A.c.capacity, A.c.presence_id)).all()
    queues = execute(select(Q.c.id, Q.c.name, Q.c.kind, Q.c.description,
                            Q.c.priority, Q.c.assignment_method, Q.c.operating_hours)).all()
    streams = execute(select(
        W.c.id, W.c.name, W.c.channel, W.c.active, W.c.capacity, W.c.auto_close_after_inactivity_s,
        W.c.distribution_mode, W.c.notification, W.c.screen_pop_timeout_s, W.c.allowed_presences,
        W.c.assign_after_decline_s, W.c.keep_same_agent, W.c.wrap_up_block_s, W.c.default_queue_id,
        # version 2, from index 14
        W.c.capacity_format, W.c.capacity_profile_id, W.c.skill_matching, W.c.missed_notification_presence_id,
        W.c.decline_reasons, W.c.reconnect_window_s)).all()
    dist = _DistributionRows(session)
    queue_name = {row[0]: row[1] for row in queues}
    selected: list | None = None
    if workstreams is not None:
        wanted = {fold(n) for n in workstreams}
        streams = [w for w in streams if fold(w[1]) in wanted]
        missing = wanted - {fold(w[1]) for w in streams}
        if missing:
            raise UserError(f"unknown work stream '{sorted(missing)[0]}'")
        selected = [w[0] for w in streams]

    def children(query, column):
        if selected is None:
            return execute(query).all()
        if len(selected) <= _IN_LIST_MAX:
            return execute(query.where(column.in_(selected))).all() if selected else []
        chosen = set(selected)
        return [row for row in execute(query) if row[0] in chosen]

    by_stream: dict[str, tuple[list, list, list]] = {w[0]: ([], [], []) for w in streams}
    for row in children(select(V.c.workstream_id, V.c.id, V.c.display_name, V.c.name, V.c.type, V.c.position),
                        V.c.workstream_id):
        by_stream[row[0]][0].append(row)
    for row in children(select(R.c.workstream_id, R.c.id, R.c.name, R.c.description, R.c.queue_id, R.c.position,
                               R.c.condition), R.c.workstream_id):
        by_stream[row[0]][1].append(row)
    for row in children(select(C.c.workstream_id, C.c.id, C.c.name, C.c.kind, C.c.is_default), C.c.workstream_id):
        by_stream[row[0]][2].append(row)
    classification = dist.classification_by_stream(children)
    if selected is not None:
        queue_ids = {w[13] for w in streams} | {r[4] for w in streams for r in by_stream[w[0]][1]}
        queue_ids |= dist.split_queue_ids({r[1] for w in streams for r in by_stream[w[0]][1]})
        queue_ids = dist.with_overflow_targets(queue_ids)
        queues = [q for q in queues if q[0] in queue_ids]
    members: dict[str, list[str]] = {q[0]: [] for q in queues}
    member_ids: set[str] = set()
    agent_name = {a[0]: a[1] for a in agents}
    for queue_id, agent_id in execute(select(M.c.queue_id, M.c.agent_id)):
        listed = members.get(queue_id)
        if listed is not None:
            listed.append(agent_name[agent_id])
            member_ids.add(agent_id)
    if selected is not None:
        agents = [a for a in agents if a[0] in member_ids]
        presence_ids = {a[3] for a in agents}
        presences = [p for p in presences if p[0] in presence_ids]

    def stream_dict(w) -> dict:
        variables, rules, channels = by_stream[w[0]]
        variables.sort(key=lambda v: (v[5], sort_key(v[3])))  # the user's order (issue 10)
        rules.sort(key=lambda r: r[5])
        channels.sort(key=lambda c: sort_key(c[2]))
        if with_ids:
            variable_docs = [{"display_name": v[2], "name": v[3], "type": v[4], "id": v[1]} for v in variables]
            rule_docs = [{"name": r[2], "description": r[3], **dist.destination(r[1], r[4], queue_name),
                          "condition": r[6], "id": r[1]} for r in rules]
            channel_docs = [{"name": c[2], "kind": c[3], "is_default": c[4], "id": c[1]} for c in channels]
        else:
            variable_docs = [{"display_name": v[2], "name": v[3], "type": v[4]} for v in variables]
            rule_docs = [{"name": r[2], "description": r[3], **dist.destination(r[1], r[4], queue_name),
                          "condition": r[6]} for r in rules]
            channel_docs = [{"name": c[2], "kind": c[3], "is_default": c[4]} for c in channels]
        data = {
            "name": w[1],
            "channel": w[2],
            "active": w[3],
            "capacity": w[4],
            "auto_close_after_inactivity_s": w[5],
            "distribution_mode": w[6],
            "notification": w[7],
            "screen_pop_timeout_s": w[8],
            "allowed_presences": sort_base_presences(w[9]),
            "assign_after_decline_s": w[10],
            "keep_same_agent": w[11],
            "wrap_up_block_s": w[12],
            "default_queue": queue_name[w[13]] if w[13] is not None else None,
            "context_variables": variable_docs,
            "routing_rules": rule_docs,
            "channels": channel_docs,
            "capacity_format": w[14],
            "capacity_profile": dist.profile_name[w[15]] if w[15] is not None else None,
            "skill_matching": w[16],
            "classification_rules": dist.classification_docs(classification.get(w[0], []), with_ids),
            "missed_notification_presence": presence_name[w[17]] if w[17] is not None else None,
            "decline_reasons": list(w[18]),
            "reconnect_window_s": w[19],
        }
        if with_ids:
            data["id"] = w[0]
        return data

    def named(data: dict, row_id: str) -> dict:
        if with_ids:
            data["id"] = row_id
        return data

    by_name = lambda row: sort_key(row[1])  # noqa: E731
    agent_skills, agent_profiles = dist.agent_skills(), dist.agent_profiles()
    overflow = dist.overflow_by_queue(queue_name)
    if selected is not None:  # and the skills, profiles and rating models those need
        dist.keep_only(agents={a[0] for a in agents}, streams=streams, classification=classification)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "rating_models": dist.rating_model_docs(named),
        "skills": dist.skill_docs(named),
        "capacity_profiles": dist.profile_docs(named),
        "presences": [named({"name": p[1], "base": p[2], "text": p[3]}, p[0]) for p in sorted(presences, key=by_name)],
        "agents": [named({"name": a[1], "capacity": a[2], "presence": presence_name[a[3]],
                          "skills": agent_skills.get(a[0], {}), "capacity_profiles": agent_profiles.get(a[0], {})},
                         a[0])
                   for a in sorted(agents, key=by_name)],
        "queues": [named({"name": q[1], "kind": q[2], "description": q[3],
                          "agents": sorted(members[q[0]], key=sort_key),
                          "priority": q[4], "assignment_method": q[5], "operating_hours": q[6],
                          "overflow": overflow.get(q[0], [])}, q[0]) for q in sorted(queues, key=by_name)],
        "workstreams": [stream_dict(w) for w in sorted(streams, key=by_name)],
    }


class _DistributionRows:
    """The version 2 rows of an export, read with plain column selects like the rest."""

    def __init__(self, session: Session):
        execute = session.execute
        self.execute = execute
        self.models = execute(select(RatingModel.id, RatingModel.name)).all()
        self.values: dict[str, list[tuple[int, str]]] = {}
        for model_id, position, value in execute(select(RatingValue.rating_model_id, RatingValue.position,
                                                        RatingValue.value)):
            self.values.setdefault(model_id, []).append((position, value))
        self.skills = execute(select(Skill.id, Skill.name, Skill.rating_model_id)).all()
        self.skill_name = {row[0]: row[1] for row in self.skills}
        self.profiles = execute(select(CapacityProfile.id, CapacityProfile.name, CapacityProfile.work_item_limit)).all()
        self.profile_name = {row[0]: row[1] for row in self.profiles}
        self.targets: dict[str, list[tuple[int, str, int]]] = {}
        for rule_id, position, queue_id, percent in execute(select(
                RoutingRuleTarget.rule_id, RoutingRuleTarget.position, RoutingRuleTarget.queue_id,
                RoutingRuleTarget.percent)):
            self.targets.setdefault(rule_id, []).append((position, queue_id, percent))
        self.overflow_rows = execute(select(
            OverflowRule.queue_id, OverflowRule.position, OverflowRule.condition, OverflowRule.waiting_limit,
            OverflowRule.action, OverflowRule.target_queue_id, OverflowRule.reason)).all()

    def destination(self, rule_id: str, queue_id: str | None, queue_name: dict[str, str]) -> dict:
        shares = sorted(self.targets.get(rule_id, []))
        return rule_destination(queue_name[queue_id] if queue_id is not None else None,
                                [(queue_name[q], percent) for _p, q, percent in shares])

    def split_queue_ids(self, rule_ids: set[str]) -> set[str]:
        return {q for rule_id in rule_ids for _p, q, _percent in self.targets.get(rule_id, [])}

    def with_overflow_targets(self, queue_ids: set[str]) -> set[str]:
        """``queue_ids`` and every queue their overflow transfers to, transitively."""
        targets: dict[str, set[str]] = {}
        for row in self.overflow_rows:
            if row[5] is not None:
                targets.setdefault(row[0], set()).add(row[5])
        wanted, todo = set(queue_ids), list(queue_ids)
        while todo:
            for target in targets.get(todo.pop(), ()):
                if target not in wanted:
                    wanted.add(target)
                    todo.append(target)
        return wanted

    def overflow_by_queue(self, queue_name: dict[str, str]) -> dict[str, list[dict]]:
        out: dict[str, list[tuple[int, dict]]] = {}
        for queue_id, position, when, limit, action, target, reason in self.overflow_rows:
            out.setdefault(queue_id, []).append(
                (position, overflow_dict(when, limit, action, queue_name[target] if target else None, reason)))
        return {queue_id: [d for _p, d in sorted(rows, key=lambda r: r[0])] for queue_id, rows in out.items()}

    def classification_by_stream(self, children) -> dict[str, list]:
        C, K = ClassificationRule.__table__, ClassificationSkill.__table__
        by_stream: dict[str, list] = {}
        for row in children(select(C.c.workstream_id, C.c.id, C.c.name, C.c.position, C.c.condition),
                            C.c.workstream_id):
            by_stream.setdefault(row[0], []).append(row)
        self.rule_skills: dict[str, list[tuple[int, str, str]]] = {}
        if by_stream:
            for rule_id, skill_id, position, rating in self.execute(select(K.c.rule_id, K.c.skill_id, K.c.position,
                                                                           K.c.rating)):
                self.rule_skills.setdefault(rule_id, []).append((position, skill_id, rating))
        return by_stream

    def classification_docs(self, rules: list, with_ids: bool) -> list[dict]:
        docs = []
        for _stream, rule_id, name, _position, condition in sorted(rules, key=lambda r: r[3]):
            skills = {self.skill_name[s]: rating for _p, s, rating in sorted(self.rule_skills.get(rule_id, []))}
            doc = {"name": name, "condition": condition, "skills": skills}
            if with_ids:
                doc["id"] = rule_id
            docs.append(doc)
        return docs

    def agent_skills(self) -> dict[str, dict[str, str]]:
        self.agent_skill_rows = self.execute(select(AgentSkill.agent_id, AgentSkill.skill_id, AgentSkill.rating)).all()
        out: dict[str, dict[str, str]] = {}
        for agent_id, skill_id, rating in sorted(self.agent_skill_rows,
                                                 key=lambda r: sort_key(self.skill_name[r[1]])):
            out.setdefault(agent_id, {})[self.skill_name[skill_id]] = rating
        return out

    def agent_profiles(self) -> dict[str, dict[str, int]]:
        self.agent_profile_rows = self.execute(select(AgentCapacityProfile.agent_id,
                                                      AgentCapacityProfile.capacity_profile_id,
                                                      AgentCapacityProfile.work_item_limit)).all()
        out: dict[str, dict[str, int]] = {}
        for agent_id, profile_id, limit in sorted(self.agent_profile_rows,
                                                  key=lambda r: sort_key(self.profile_name[r[1]])):
            out.setdefault(agent_id, {})[self.profile_name[profile_id]] = limit
        return out

    def keep_only(self, agents: set[str], streams: list, classification: dict[str, list]) -> None:
        """A partial export: only what the chosen agents and streams need."""
        skill_ids = {s for a, s, _r in self.agent_skill_rows if a in agents}
        skill_ids |= {s for w in streams for rule in classification.get(w[0], [])
                      for _p, s, _r in self.rule_skills.get(rule[1], [])}
        profile_ids = {p for a, p, _l in self.agent_profile_rows if a in agents}
        profile_ids |= {w[15] for w in streams if w[15] is not None}
        self.skills = [s for s in self.skills if s[0] in skill_ids]
        model_ids = {s[2] for s in self.skills}
        self.models = [m for m in self.models if m[0] in model_ids]
        self.profiles = [p for p in self.profiles if p[0] in profile_ids]

    def rating_model_docs(self, named) -> list[dict]:
        return [named({"name": name, "values": [v for _p, v in sorted(self.values.get(model_id, []))]}, model_id)
                for model_id, name in sorted(self.models, key=lambda r: sort_key(r[1]))]

    def skill_docs(self, named) -> list[dict]:
        model_name = dict(self.models)
        return [named({"name": name, "rating_model": model_name[model_id]}, skill_id)
                for skill_id, name, model_id in sorted(self.skills, key=lambda r: sort_key(r[1]))]

    def profile_docs(self, named) -> list[dict]:
        return [named({"name": name, "work_item_limit": limit}, profile_id)
                for profile_id, name, limit in sorted(self.profiles, key=lambda r: sort_key(r[1]))]


def canonical_json(document: dict) -> str:
    """The byte-stable text of a document: same configuration, same bytes."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- apply

@dataclass
class ApplySummary:
    created: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in SUMMARY_KINDS})
    updated: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in SUMMARY_KINDS})
    deleted: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in SUMMARY_KINDS})

    def counts(self) -> dict[str, int]:
        return {
            "created": sum(map(len, self.created.values())),
            "updated": sum(map(len, self.updated.values())),
            "deleted": sum(map(len, self.deleted.values())),
        }

    def lines(self) -> list[str]:
        out = []
        for verb, table in (("create", self.created), ("update", self.updated), ("delete", self.deleted)):
            for kind in SUMMARY_KINDS:
                for name in table[kind]:
                    out.append(f"{verb} {kind[:-1]} '{name}'")
        return out

    def to_json(self) -> dict:
        return {"counts": self.counts(), "created": self.created, "updated": self.updated, "deleted": self.deleted}


def skill_ratings(session: Session) -> dict[str, list[str]]:
    """Each skill's name and the values of its rating model, in order."""
    values: dict[str, list[str]] = {}
    for model_id, value in session.execute(select(RatingValue.rating_model_id, RatingValue.value)
                                           .order_by(RatingValue.rating_model_id, RatingValue.position)):
        values.setdefault(model_id, []).append(value)
    return {name: values.get(model_id, []) for name, model_id in session.execute(
        select(Skill.name, Skill.rating_model_id))}


def known_names(session: Session) -> KnownNames:
    """What a merge import may refer to without listing it."""
    known = KnownNames()
    known.presences = set(session.scalars(select(Presence.name)))
    known.agents = set(session.scalars(select(Agent.name)))
    known.queues = set(session.scalars(select(Queue.name)))
    for channel_name, stream_name in session.execute(select(Channel.name, WorkStream.name).join(Channel.workstream)):
        known.channels[channel_name] = stream_name
    values: dict[str, list[str]] = {}
    for model_id, value in session.execute(select(RatingValue.rating_model_id, RatingValue.value)
                                           .order_by(RatingValue.rating_model_id, RatingValue.position)):
        values.setdefault(model_id, []).append(value)
    models = {model_id: name for model_id, name in session.execute(select(RatingModel.id, RatingModel.name))}
    known.rating_models = {name: values.get(model_id, []) for model_id, name in models.items()}
    known.skills = {name: values.get(model_id, []) for name, model_id in session.execute(
        select(Skill.name, Skill.rating_model_id))}
    known.capacity_profiles = set(session.scalars(select(CapacityProfile.name)))
    return known


def import_document(db: Database, data: Any, *, replace: bool = False, dry_run: bool = False,
                    adopt_ids: bool = False) -> ApplySummary:
    """Validate everything, then apply in one transaction (or, with dry_run, roll back)."""
    with gc_paused(), database_errors(db), db.session() as session:
        doc = validate_document(data, None if replace else known_names(session))
        summary = apply_document(session, doc, replace=replace, adopt_ids=adopt_ids)
        if dry_run:
            session.rollback()
    log.info("%s a configuration document%s: %s", "checked" if dry_run else "imported",
             " (replacing)" if replace else "", summary.counts())
    return summary


def apply_document(session: Session, doc: ConfigDocument, *, replace: bool = False, bulk: bool = True,
                   adopt_ids: bool = False) -> ApplySummary:
    """Write ``doc`` into the session's transaction and say what changed.

    Objects the database has nothing of (no id, no name in common) are created with
    set-based inserts (``_BulkCreator``); everything else goes through the ORM upsert
    (``ConfigWriter``).  ``bulk=False`` sends everything through the ORM: the result is the
    same rows, ids, versions and summary, only slower.

    ``adopt_ids``: an object here that the document matches by name but knows under
    another id takes the document's id first (see ``adopt_identities``).
    """
    duplicates = duplicate_id_issues(doc)
    if duplicates:  # the writer would find the first object again and overwrite it with the second
        raise DocumentInvalid(duplicates)
    summary = ApplySummary()
    if adopt_ids:
        adopt_identities(session, doc)
    going_later = _delete_missing(session, doc, summary) if replace else []
    writer = ConfigWriter(session, summary)
    with session.no_autoflush:  # rows are half-built between assignments; flush at known points
        if bulk:
            _write_all_bulk(session, writer, doc)
        else:
            _write_all(session, writer, doc)
    for rating_model in going_later:  # its skills have moved to the document's rating model by now
        session.delete(rating_model)
    session.flush()
    problems = foreign_key_problems(session)
    if problems:
        raise UserError(f"import refused: {problems[0]}")
    return summary


def _write_all(session: Session, writer: "ConfigWriter", doc: ConfigDocument) -> None:
    for presence in doc.presences:
        writer.presence(presence)
    session.flush()
    _write_distribution_kinds(session, writer, doc)
    for agent in doc.agents:
        writer.agent(agent)
    session.flush()
    for queue in doc.queues:
        writer.queue(queue)
    session.flush()
    for queue in doc.queues:  # overflow names other queues: once they all exist
        writer.queue_overflow(queue)
    session.flush()
    for stream in doc.workstreams:
        writer.workstream(stream)
    session.flush()


def _write_all_bulk(session: Session, writer: "ConfigWriter", doc: ConfigDocument) -> None:
    """As ``_write_all``, kind by kind, but what is wholly new is inserted in sets first."""
    creator = _BulkCreator(session, writer.summary)
    with _large_page_cache(session, doc):
        _write_kinds(session, writer, creator, doc)
    if creator.inserted:
        note_change(session)


# SQLite's page cache while inserting a large configuration (KiB; the default is 2 MiB).
# The random UUID keys make every index insert land on a different page: with the
# default cache the 700k-object import spent most of its time re-reading pages.
BULK_CACHE_KIB = 256 * 1024
BULK_CACHE_MIN_OBJECTS = 20_000


@contextlib.contextmanager
def _large_page_cache(session: Session, doc: ConfigDocument) -> Iterator[None]:
    connection = session.connection()
    size = len(doc.agents) + len(doc.queues) + sum(
        1 + len(w.context_variables) + len(w.routing_rules) + len(w.channels) for w in doc.workstreams)
    if connection.dialect.name != "sqlite" or size < BULK_CACHE_MIN_OBJECTS:
        yield
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def _write_distribution_kinds(session: Session, writer: "ConfigWriter", doc: ConfigDocument) -> None:
    """Rating models, skills, capacity profiles (few objects: always the ORM path)."""
    for model in doc.rating_models:
        writer.rating_model(model)
    session.flush()
    for skill in doc.skills:
        writer.skill(skill)
    for profile in doc.capacity_profiles:
        writer.capacity_profile(profile)
    session.flush()


def _write_kinds(session: Session, writer: "ConfigWriter", creator: "_BulkCreator", doc: ConfigDocument) -> None:
    for kind, docs, write in (("presences", doc.presences, writer.presence), ("agents", doc.agents, writer.agent),
                              ("queues", doc.queues, writer.queue), ("workstreams", doc.workstreams, writer.workstream)):
        if kind == "agents":
            _write_distribution_kinds(session, writer, doc)
        new, rest = creator.partition(kind, docs)
        creator.create(kind, new)
        if kind == "workstreams" and len(rest) >= _PRELOAD_MIN:
            for start in range(0, len(rest), _PRELOAD_CHUNK):
                chunk = rest[start:start + _PRELOAD_CHUNK]
                preloaded = _preload_streams(session, chunk)  # held while the chunk is written
                for item in chunk:
                    write(item)
                preloaded.clear()
        else:
            for item in rest:
                write(item)
        session.flush()
        if kind == "queues":  # overflow names other queues: once they all exist
            creator.create_overflow(new)
            for item in rest:
                writer.queue_overflow(item)
            session.flush()
        if new and rest:  # the summary lists objects in document order, as the ORM path does
            position = {item.name: index for index, item in enumerate(docs)}
            writer.summary.created[kind].sort(key=position.__getitem__)


_PRELOAD_MIN = 50
_PRELOAD_CHUNK = 400


def _preload_streams(session: Session, docs: list[WorkStreamDoc]) -> list[WorkStream]:
    """Existing streams to compare, loaded with their children in a few queries (and kept
    referenced by the caller, so ``session.get`` finds them in the identity map)."""
    ids = [d.id for d in docs if d.id]
    keys = [fold(d.name) for d in docs]
    return list(session.scalars(_workstream_query().where(WorkStream.id.in_(ids) | WorkStream.name_key.in_(keys))))


def note_change(session: Session) -> None:
    """What app.store.database's before_flush hook does for ORM writes: the configuration changed now."""
    if session.info.get("adopting_provenance"):
        return
    stamp = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    row = session.get(Setting, CHANGED_KEY)
    if row is None:
        session.add(Setting(key=CHANGED_KEY, value=stamp))
    else:
        row.value = stamp
    session.flush()


class _BulkCreator:
    """Set-based creation of objects the database has nothing of.

    ``partition`` splits a kind's documents into those that match nothing in the
    database (by id or case-folded name, for a work stream also its channels and its
    children's ids) and the rest.  ``create`` inserts the first kind with one
    executemany per table: ids from the document (new ones where absent), version 1,
    both timestamps now, exactly the rows the ORM path would write; the summary
    records them as created.  Anything unusual (an id used twice, a channel that
    exists, a default channel taking over from one in the database) is left to the
    ORM path, which then sees the same database it would have seen.
    """

    MODELS = {"presences": Presence, "agents": Agent, "queues": Queue, "workstreams": WorkStream}

    def __init__(self, session: Session, summary: ApplySummary):
        self.session = session
        self.summary = summary
        self.inserted = 0
        self.now = utcnow()

    def _existing(self, model: type) -> tuple[set[str], set[str]]:
        ids, names = set(), set()
        for object_id, name in self.session.execute(select(model.id, model.name)):
            ids.add(object_id)
            names.add(fold(name))
        return ids, names

    def _ids_by_name(self, model: type) -> dict[str, str]:
        return {fold(name): object_id for object_id, name in self.session.execute(select(model.id, model.name))}

    def partition(self, kind: str, docs: list) -> tuple[list, list]:
        if not docs:
            return [], []
        ids, names = self._existing(self.MODELS[kind])
        if kind == "workstreams":
            eligible = self._stream_check(docs)
        else:
            eligible = lambda _doc: True  # noqa: E731
        new, rest, seen = [], [], set()
        for item in docs:
            if (item.id is None or (item.id not in ids and item.id not in seen)) and fold(item.name) not in names \
                    and eligible(item):
                new.append(item)
                if item.id is not None:
                    seen.add(item.id)
            else:
                rest.append(item)
        return new, rest

    def _stream_check(self, docs: list[WorkStreamDoc]):
        session = self.session
        channel_ids, channel_names = self._existing(Channel)
        default_kinds = set(session.scalars(select(Channel.kind).where(Channel.is_default.is_(True))))
        listed = {
            "v": [c.id for s in docs for c in s.context_variables if c.id is not None],
            "r": [c.id for s in docs for c in s.routing_rules if c.id is not None],
            "c": [c.id for s in docs for c in s.channels if c.id is not None],
            "k": [c.id for s in docs for c in s.classification_rules if c.id is not None],
        }
        taken: set[tuple[str, str]] = set()
        wanted: dict[str, set[str]] = {}
        for table, ids_listed in listed.items():
            wanted[table] = distinct = set(ids_listed)
            if len(distinct) != len(ids_listed):  # an id used twice: neither use is a plain create
                seen: set[str] = set()
                for child_id in ids_listed:
                    if child_id in seen:
                        taken.add((table, child_id))
                    seen.add(child_id)
        taken |= {("v", i) for i in self._present(ContextVariable, wanted["v"])}
        taken |= {("r", i) for i in self._present(RoutingRuleItem, wanted["r"])}
        taken |= {("c", i) for i in wanted["c"] if i in channel_ids}
        taken |= {("k", i) for i in self._present(ClassificationRule, wanted["k"])}
        children_taken = any(table != "c" for table, _id in taken)

        def eligible(stream: WorkStreamDoc) -> bool:
            if children_taken:  # else no variable or rule of any stream can be
                for table, children in (("v", stream.context_variables), ("r", stream.routing_rules),
                                        ("k", stream.classification_rules)):
                    for child in children:
                        if child.id is not None and (table, child.id) in taken:
                            return False
            for channel in stream.channels:
                if fold(channel.name) in channel_names or (channel.id is not None and ("c", channel.id) in taken):
                    return False
                if channel.is_default and channel.kind in default_kinds:
                    return False
            return True

        return eligible

    def _present(self, model: type, ids: set[str]) -> set[str]:
        """Which of ``ids`` the table has (all of its ids read when that is cheaper than asking)."""
        if not ids:
            return set()
        if not self.session.execute(select(model.id).limit(1)).first():
            return set()
        have = set(self.session.scalars(select(model.id)))
        return have.intersection(ids)

    def _insert(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            _sqlite_executemany(connection, table, rows)
        else:
            connection.execute(insert(table), rows)
        self.inserted += len(rows)

    def _tracked(self, object_id: str | None) -> dict:
        return {"id": object_id or new_id(), "created_at": self.now, "modified_at": self.now, "version": 1}

    def create(self, kind: str, docs: list) -> None:
        if not docs:
            return
        getattr(self, f"_create_{kind}")(docs)
        self.summary.created[kind].extend(item.name for item in docs)

    def _create_presences(self, docs: list) -> None:
        self._insert(Presence.__table__, [{**self._tracked(d.id), "name": d.name, "base": d.base, "text": d.text,
                                           "is_system": False} for d in docs])

    def _create_agents(self, docs: list) -> None:
        presence = self._ids_by_name(Presence)
        rows = [{**self._tracked(d.id), "name": d.name, "capacity": d.capacity,
                 "presence_id": presence[fold(d.presence)]} for d in docs]
        self._insert(Agent.__table__, rows)
        if any(d.skills or d.capacity_profiles for d in docs):
            skill, profile = self._ids_by_name(Skill), self._ids_by_name(CapacityProfile)
            self._insert(AgentSkill.__table__, [
                {"agent_id": row["id"], "skill_id": skill[fold(name)], "rating": rating}
                for d, row in zip(docs, rows) for name, rating in d.skills.items()])
            self._insert(AgentCapacityProfile.__table__, [
                {"agent_id": row["id"], "capacity_profile_id": profile[fold(name)], "work_item_limit": limit}
                for d, row in zip(docs, rows) for name, limit in d.capacity_profiles.items()])

    def _create_queues(self, docs: list) -> None:
        agent = self._ids_by_name(Agent)
        rows, members = [], []
        for d in docs:
            row = {**self._tracked(d.id), "name": d.name, "kind": d.kind, "description": d.description,
                   **queue_distribution_columns(d)}
            rows.append(row)
            members += [{"queue_id": row["id"], "agent_id": agent[fold(name)]} for name in d.agents]
        self._insert(Queue.__table__, rows)
        self._insert(queue_members, members)

    def create_overflow(self, docs: list) -> None:
        """The overflow rules of queues just created (their targets exist by now)."""
        if not any(d.overflow for d in docs):
            return
        queue = self._ids_by_name(Queue)
        self._insert(OverflowRule.__table__, [
            {"id": new_id(), "queue_id": queue[fold(d.name)], **overflow_columns(position, o, queue)}
            for d in docs for position, o in enumerate(normalize_queue(dump(d))["overflow"])])

    def _create_workstreams(self, docs: list[WorkStreamDoc]) -> None:
        queue = self._ids_by_name(Queue)
        distribution = any(d.capacity_profile or d.missed_notification_presence or d.classification_rules
                           or any(r.queues for r in d.routing_rules) for d in docs)
        profile = self._ids_by_name(CapacityProfile) if distribution else {}
        presence = self._ids_by_name(Presence) if distribution else {}
        skill = self._ids_by_name(Skill) if distribution else {}
        classifications, classification_skills, targets = [], [], []
        now = self.now
        streams, variables, rules, channels = [], [], [], []
        for d in docs:
            stream_id = d.id or new_id()
            streams.append({
                "id": stream_id, "created_at": now, "modified_at": now, "version": 1,
                "name": d.name, "name_key": fold(d.name), "channel": d.channel, "active": d.active,
                "capacity": d.capacity, "auto_close_after_inactivity_s": d.auto_close_after_inactivity_s,
                "distribution_mode": d.distribution_mode, "notification": d.notification,
                "screen_pop_timeout_s": d.screen_pop_timeout_s,
                "allowed_presences": sort_base_presences(d.allowed_presences),
                "assign_after_decline_s": d.assign_after_decline_s, "keep_same_agent": d.keep_same_agent,
                "wrap_up_block_s": d.wrap_up_block_s,
                "default_queue_id": queue[fold(d.default_queue)] if d.default_queue else None,
                **stream_distribution_columns(d, profile, presence),
            })
            for position, k in enumerate(d.classification_rules):
                rule_id = k.id or new_id()
                classifications.append({"id": rule_id, "created_at": now, "modified_at": now, "version": 1,
                                        "workstream_id": stream_id, "name": k.name, "position": position,
                                        "condition": k.condition})
                classification_skills += [{"rule_id": rule_id, "skill_id": skill[fold(name)], "position": index,
                                           "rating": rating} for index, (name, rating) in enumerate(k.skills.items())]
            variables += [{"id": v.id or new_id(), "created_at": now, "modified_at": now, "version": 1,
                           "workstream_id": stream_id, "display_name": v.display_name, "name": v.name,
                           "type": v.type, "position": position} for position, v in enumerate(d.context_variables)]
            stream_rules = [{"id": r.id or new_id(), "created_at": now, "modified_at": now, "version": 1,
                             "workstream_id": stream_id, "name": r.name, "description": r.description,
                             "queue_id": queue[fold(r.queue)] if r.queue is not None else None,
                             "position": position, "condition": r.condition}
                            for position, r in enumerate(d.routing_rules)]
            rules += stream_rules
            targets += [{"id": new_id(), "rule_id": row["id"], "position": index,
                         "queue_id": queue[fold(share.queue)], "percent": share.percent}
                        for r, row in zip(d.routing_rules, stream_rules) for index, share in enumerate(r.queues)]
            channels += [{"id": c.id or new_id(), "created_at": now, "modified_at": now, "version": 1,
                          "workstream_id": stream_id, "name": c.name, "kind": c.kind, "is_default": c.is_default}
                         for c in d.channels]
        for table, rows in ((WorkStream.__table__, streams), (ContextVariable.__table__, variables),
                            (RoutingRuleItem.__table__, rules), (Channel.__table__, channels),
                            (RoutingRuleTarget.__table__, targets), (ClassificationRule.__table__, classifications),
                            (ClassificationSkill.__table__, classification_skills)):
            self._insert(table, rows)


def queue_distribution_columns(doc) -> dict:
    hours = doc.operating_hours
    return {"priority": doc.priority, "assignment_method": doc.assignment_method,
            "operating_hours": normalize_operating_hours(hours.model_dump(mode="json")) if hours else None}


def overflow_columns(position: int, rule: dict, queue_ids: dict[str, str]) -> dict:
    """An overflow rule's row (but its id and queue), from its document dict."""
    return {"position": position, "condition": rule["when"], "waiting_limit": rule["limit"], "action": rule["action"],
            "target_queue_id": queue_ids[fold(rule["queue"])] if rule["queue"] is not None else None,
            "reason": rule["reason"]}


def stream_distribution_columns(doc: WorkStreamDoc, profile_ids: dict[str, str], presence_ids: dict[str, str]) -> dict:
    return {
        "capacity_format": doc.capacity_format,
        "capacity_profile_id": profile_ids[fold(doc.capacity_profile)] if doc.capacity_profile else None,
        "skill_matching": doc.skill_matching,
        "missed_notification_presence_id": (presence_ids[fold(doc.missed_notification_presence)]
                                            if doc.missed_notification_presence else None),
        "decline_reasons": list(doc.decline_reasons),
        "reconnect_window_s": doc.reconnect_window_s,
    }


def _sqlite_executemany(connection, table, rows: list[dict]) -> None:
    """``insert(table)`` with ``rows`` as one DB-API executemany.

    The same statement and the same bound values as ``connection.execute(insert(table), rows)``
    (each column's own bind processor: JSON text, SQLite's datetime format), built column by
    column instead of through SQLAlchemy's per-row parameter processing, which costs several
    times the insert itself on a few hundred thousand rows.
    """
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    names = [compiled.binds[key].key for key in compiled.positiontup]
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            if isinstance(table.c[name].type, DateTime):
                done: dict = {}
                values = [done[v] if v in done else done.setdefault(v, process(v)) for v in values]
            else:
                values = [None if v is None else process(v) for v in values]
        columns.append(values)
    connection.exec_driver_sql(str(compiled), list(zip(*columns)))


def _delete_missing(session: Session, doc: ConfigDocument, summary: ApplySummary) -> list:
    """With --replace: remove what the document does not name (children first).

    Returns the rating models that go while a kept skill still uses them: they are deleted
    after the writes, once the skill has moved to the document's rating model."""
    still_used: list = []
    keep_streams = {fold(w.name) for w in doc.workstreams} | {w.id for w in doc.workstreams if w.id}
    keep_channels = {fold(c.name) for w in doc.workstreams for c in w.channels}
    for channel in session.scalars(select(Channel)).all():
        if fold(channel.name) not in keep_channels:
            session.delete(channel)
    session.flush()
    for stream in session.scalars(select(WorkStream)).all():
        if fold(stream.name) not in keep_streams and stream.id not in keep_streams:
            summary.deleted["workstreams"].append(stream.name)
            session.delete(stream)
    session.flush()
    keep_queues = {fold(d.name) for d in doc.queues} | {d.id for d in doc.queues if d.id}
    going = [q.id for q in session.scalars(select(Queue)) if fold(q.name) not in keep_queues and q.id not in keep_queues]
    if going:  # a kept queue's overflow to a queue that goes is rewritten from the document later
        session.execute(delete(OverflowRule).where(OverflowRule.target_queue_id.in_(going)))
        session.execute(delete(RoutingRuleTarget).where(RoutingRuleTarget.queue_id.in_(going)))
        session.expire_all()
    for kind, model, docs in (("queues", Queue, doc.queues), ("agents", Agent, doc.agents)):
        keep = {fold(d.name) for d in docs} | {d.id for d in docs if d.id}
        for obj in session.scalars(select(model)).all():
            if fold(obj.name) not in keep and obj.id not in keep:
                summary.deleted[kind].append(obj.name)
                session.delete(obj)
        session.flush()
    for kind, model, docs in (("capacity_profiles", CapacityProfile, doc.capacity_profiles),
                              ("skills", Skill, doc.skills), ("rating_models", RatingModel, doc.rating_models)):
        keep = {fold(d.name) for d in docs} | {d.id for d in docs if d.id}
        for obj in session.scalars(select(model)).all():
            if fold(obj.name) not in keep and obj.id not in keep:
                if kind == "capacity_profiles":  # a kept stream or agent still naming it is rewritten later
                    session.execute(delete(AgentCapacityProfile).where(
                        AgentCapacityProfile.capacity_profile_id == obj.id))
                    for stream in session.scalars(select(WorkStream).where(WorkStream.capacity_profile_id == obj.id)):
                        stream.capacity_profile = None
                elif kind == "skills":
                    session.execute(delete(AgentSkill).where(AgentSkill.skill_id == obj.id))
                    session.execute(delete(ClassificationSkill).where(ClassificationSkill.skill_id == obj.id))
                elif session.scalar(select(func.count()).select_from(Skill).where(Skill.rating_model_id == obj.id)):
                    summary.deleted[kind].append(obj.name)
                    still_used.append(obj)
                    continue
                summary.deleted[kind].append(obj.name)
                session.delete(obj)
        session.flush()
    keep = {fold(d.name) for d in doc.presences} | {d.id for d in doc.presences if d.id}
    for presence in session.scalars(select(Presence).where(Presence.is_system.is_(False))).all():
        if fold(presence.name) not in keep and presence.id not in keep:
            summary.deleted["presences"].append(presence.name)
            session.delete(presence)
    session.flush()
    return still_used


class ConfigWriter:
    """Upserts documents into the session, recording what changed."""

    def __init__(self, session: Session, summary: ApplySummary | None = None):
        self.session = session
        self.summary = summary or ApplySummary()
        self._lookups: dict[type, dict[str, Any]] = {}

    def lookup(self, model: type, name: str):
        table = self._lookups.get(model)
        if table is None:
            table = {fold(o.name): o for o in self.session.scalars(select(model))}
            self._lookups[model] = table
        return table.get(fold(name))

    def _find(self, model: type, doc_id: str | None, name: str):
        if doc_id:
            found = self.session.get(model, doc_id)
            if found is not None:
                return found
        return self.lookup(model, name)

    def _remember(self, model: type, obj: Any, old_name: str | None = None) -> None:
        self.lookup(model, "")  # load the table first, or later lookups would miss the rest
        table = self._lookups[model]
        if old_name is not None:
            table.pop(fold(old_name), None)
        table[fold(obj.name)] = obj

    def _record(self, kind: str, created: bool, changed: bool, name: str) -> None:
        if created:
            self.summary.created[kind].append(name)
        elif changed:
            self.summary.updated[kind].append(name)

    def presence(self, doc) -> Presence:
        obj = self._find(Presence, doc.id, doc.name)
        if obj is not None and obj.is_system:
            return obj  # base presences are fixed; listing one is allowed and ignored
        created = obj is None
        if created:
            obj = Presence(id=doc.id) if doc.id else Presence()
            self.session.add(obj)
        old_name = None if created else obj.name
        changed = _assign(obj, name=doc.name, base=doc.base, text=doc.text)
        self._remember(Presence, obj, old_name)
        self._record("presences", created, changed, doc.name)
        return obj

    def agent(self, doc) -> Agent:
        obj = self._find(Agent, doc.id, doc.name)
        created = obj is None
        if created:
            obj = Agent(id=doc.id) if doc.id else Agent()
            self.session.add(obj)
        old_name = None if created else obj.name
        presence = self.lookup(Presence, doc.presence)
        changed = _assign(obj, name=doc.name, capacity=doc.capacity, presence=presence)
        if self._agent_distribution(obj, doc, created):
            changed = True
            if not created:
                obj.touch()
        self._remember(Agent, obj, old_name)
        self._record("agents", created, changed, doc.name)
        return obj

    def queue(self, doc) -> Queue:
        obj = self._find(Queue, doc.id, doc.name)
        created = obj is None
        if created:
            obj = Queue(id=doc.id) if doc.id else Queue()
            obj.agents = []
            self.session.add(obj)
        old_name = None if created else obj.name
        changed = _assign(obj, name=doc.name, kind=doc.kind, description=doc.description,
                          **queue_distribution_columns(doc))
        members = [self.lookup(Agent, name) for name in doc.agents]
        if {a.id for a in obj.agents} != {a.id for a in members}:
            obj.agents = members
            changed = True
            if not created:
                obj.touch()
        self._remember(Queue, obj, old_name)
        self._record("queues", created, changed, doc.name)
        return obj

    # ------------------------------------------------------------ work distribution (version 2)

    def _named(self, model: type, kind: str, doc, **values: Any):
        """Find or create a plainly named object, assign ``values``; (object, created, changed)."""
        obj = self._find(model, doc.id, doc.name)
        created = obj is None
        if created:
            obj = model(id=doc.id) if doc.id else model()
            self.session.add(obj)
        old_name = None if created else obj.name
        changed = _assign(obj, name=doc.name, **values)
        self._remember(model, obj, old_name)
        return obj, created, changed

    def rating_model(self, doc) -> RatingModel:
        obj, created, changed = self._named(RatingModel, "rating_models", doc)
        if created:
            obj.values = [RatingValue(position=i, value=v) for i, v in enumerate(doc.values)]
        elif [v.value for v in sorted(obj.values, key=lambda v: v.position)] != list(doc.values):
            obj.values = []
            self.session.flush()  # the old (model, position) rows go before the new ones come
            obj.values = [RatingValue(position=i, value=v) for i, v in enumerate(doc.values)]
            obj.touch()
            changed = True
        self._record("rating_models", created, changed, doc.name)
        return obj

    def skill(self, doc) -> Skill:
        obj, created, changed = self._named(Skill, "skills", doc,
                                            rating_model=self.lookup(RatingModel, doc.rating_model))
        self._record("skills", created, changed, doc.name)
        return obj

    def capacity_profile(self, doc) -> CapacityProfile:
        obj, created, changed = self._named(CapacityProfile, "capacity_profiles", doc,
                                            work_item_limit=doc.work_item_limit)
        self._record("capacity_profiles", created, changed, doc.name)
        return obj

    def _agent_distribution(self, agent: Agent, doc, created: bool) -> bool:
        """An agent's skills and profile overrides; whether they changed."""
        if created:
            agent.skills, agent.capacity_profiles = [], []
        have_skills = {fold(s.skill.name): (s.skill.name, s.rating) for s in agent.skills}
        want_skills = {fold(name): (self.lookup(Skill, name).name, rating) for name, rating in doc.skills.items()}
        have_profiles = {fold(p.capacity_profile.name): p.work_item_limit for p in agent.capacity_profiles}
        want_profiles = {fold(name): limit for name, limit in doc.capacity_profiles.items()}
        if have_skills == want_skills and have_profiles == want_profiles:
            return False
        if not created and (agent.skills or agent.capacity_profiles):
            agent.skills, agent.capacity_profiles = [], []
            self.session.flush()  # the (agent, skill) keys are free again
        agent.skills = [AgentSkill(skill=self.lookup(Skill, name), rating=rating) for name, rating in doc.skills.items()]
        agent.capacity_profiles = [AgentCapacityProfile(capacity_profile=self.lookup(CapacityProfile, name),
                                                        work_item_limit=limit)
                                   for name, limit in doc.capacity_profiles.items()]
        return True

    def queue_overflow(self, doc) -> None:
        """A queue's overflow rules, once every queue of the document exists."""
        queue = self.lookup(Queue, doc.name)
        want = normalize_queue(dump(doc))["overflow"]
        have = [overflow_dict(o.condition, o.waiting_limit, o.action,
                              o.target_queue.name if o.target_queue else None, o.reason)
                for o in sorted(queue.overflow_rules, key=lambda o: o.position)]
        if [{**o, "queue": fold(o["queue"]) if o["queue"] else None} for o in have] == \
                [{**o, "queue": fold(o["queue"]) if o["queue"] else None} for o in want]:
            return
        if queue.overflow_rules:
            queue.overflow_rules = []
            self.session.flush()
        queue.overflow_rules = [
            OverflowRule(position=position, condition=o["when"], waiting_limit=o["limit"], action=o["action"],
                         target_queue=self.lookup(Queue, o["queue"]) if o["queue"] else None, reason=o["reason"])
            for position, o in enumerate(want)]
        if doc.name not in self.summary.created["queues"]:  # a queue just created stays at version 1
            queue.touch()
            if doc.name not in self.summary.updated["queues"]:
                self.summary.updated["queues"].append(doc.name)

    def _classification(self, stream: WorkStream, docs: list[ClassificationRuleDoc]) -> None:
        by_id = {k.id: k for k in stream.classification_rules}
        unmatched = list(stream.classification_rules)
        keep = []
        for position, doc in enumerate(docs):
            rule = by_id.get(doc.id) if doc.id else None
            if rule is None:
                rule = next((k for k in unmatched if k.name == doc.name), None)
            if rule is None:
                rule = ClassificationRule(id=doc.id) if doc.id and self.session.get(ClassificationRule, doc.id) is None \
                    else ClassificationRule()
                rule.skills = []
            if rule in unmatched:
                unmatched.remove(rule)
            _assign(rule, name=doc.name, position=position, condition=doc.condition)
            have = [(c.skill.name, c.rating) for c in sorted(rule.skills, key=lambda c: c.position)]
            if have != list(doc.skills.items()):
                if rule.skills:
                    rule.skills = []
                    self.session.flush()
                rule.skills = [ClassificationSkill(skill=self.lookup(Skill, name), position=index, rating=rating)
                               for index, (name, rating) in enumerate(doc.skills.items())]
            keep.append(rule)
        if list(stream.classification_rules) != keep:  # assigning even the same list bumps the stream's version
            stream.classification_rules = keep

    def _targets(self, rule: RoutingRuleItem, doc: RoutingRuleDoc) -> None:
        have = [(t.queue.name, t.percent) for t in sorted(rule.targets, key=lambda t: t.position)] \
            if rule.targets else []
        want = [(self.lookup(Queue, share.queue).name, share.percent) for share in doc.queues]
        if have == want:
            return
        if rule.targets:
            rule.targets = []
            self.session.flush()
        rule.targets = [RoutingRuleTarget(queue=self.lookup(Queue, share.queue), position=index,
                                          percent=share.percent) for index, share in enumerate(doc.queues)]

    def workstream(self, doc: WorkStreamDoc, target: WorkStream | None = None) -> WorkStream:
        obj = target or self._find(WorkStream, doc.id, doc.name)
        created = obj is None
        if not created and normalize_workstream(dump(doc)) == workstream_dict(obj, with_ids=False) and _same_child_ids(doc, obj):
            return obj  # unchanged: no write, no version bump
        if created:
            obj = WorkStream(id=doc.id) if doc.id else WorkStream()
            obj.context_variables, obj.routing_rules, obj.channels = [], [], []
            obj.classification_rules = []
            self.session.add(obj)
        old_name = None if created else obj.name
        _assign(
            obj,
            name=doc.name,
            name_key=fold(doc.name),
            channel=doc.channel,
            active=doc.active,
            capacity=doc.capacity,
            auto_close_after_inactivity_s=doc.auto_close_after_inactivity_s,
            distribution_mode=doc.distribution_mode,
            notification=doc.notification,
            screen_pop_timeout_s=doc.screen_pop_timeout_s,
            allowed_presences=sort_base_presences(doc.allowed_presences),
            assign_after_decline_s=doc.assign_after_decline_s,
            keep_same_agent=doc.keep_same_agent,
            wrap_up_block_s=doc.wrap_up_block_s,
            default_queue=self.lookup(Queue, doc.default_queue) if doc.default_queue else None,
            capacity_format=doc.capacity_format,
            capacity_profile=self.lookup(CapacityProfile, doc.capacity_profile) if doc.capacity_profile else None,
            skill_matching=doc.skill_matching,
            missed_notification_presence=(self.lookup(Presence, doc.missed_notification_presence)
                                          if doc.missed_notification_presence else None),
            decline_reasons=list(doc.decline_reasons),
            reconnect_window_s=doc.reconnect_window_s,
        )
        if not created:
            # Before _variables flushes: stamped after it, the stream took a second UPDATE and version.
            obj.touch()
        self._variables(obj, doc.context_variables)
        self._rules(obj, doc.routing_rules)
        self._classification(obj, doc.classification_rules)
        self._channels(obj, doc)
        self._remember(WorkStream, obj, old_name)
        self._record("workstreams", created, True, doc.name)
        return obj

    def _variables(self, stream: WorkStream, docs: list[ContextVariableDoc]) -> None:
        by_id = {v.id: v for v in stream.context_variables}
        by_name = {v.name: v for v in stream.context_variables}
        keep = []
        for position, doc in enumerate(docs):
            var = by_id.get(doc.id) if doc.id else None
            var = var or by_name.get(doc.name)
            if var is None:
                var = ContextVariable(id=doc.id) if doc.id and self.session.get(ContextVariable, doc.id) is None else ContextVariable()
            _assign(var, display_name=doc.display_name, name=doc.name, type=doc.type, position=position)
            keep.append(var)
        stream.context_variables = keep
        # A renamed variable can take a name another one is giving up: flush deletes first.
        self.session.flush()

    def _rules(self, stream: WorkStream, docs: list[RoutingRuleDoc]) -> None:
        by_id = {r.id: r for r in stream.routing_rules}
        unmatched = list(stream.routing_rules)
        keep = []
        for position, doc in enumerate(docs):
            rule = by_id.get(doc.id) if doc.id else None
            if rule is None:
                rule = next((r for r in unmatched if r.name == doc.name), None)
            if rule is None:
                rule = RoutingRuleItem(id=doc.id) if doc.id and self.session.get(RoutingRuleItem, doc.id) is None else RoutingRuleItem()
                rule.targets = []
            if rule in unmatched:
                unmatched.remove(rule)
            _assign(rule, name=doc.name, description=doc.description,
                    queue=self.lookup(Queue, doc.queue) if doc.queue is not None else None,
                    position=position, condition=doc.condition)
            self._targets(rule, doc)
            keep.append(rule)
        stream.routing_rules = keep

    def _channels(self, stream: WorkStream, doc: WorkStreamDoc) -> None:
        keep = []
        for c_doc in doc.channels:
            channel = self._find(Channel, c_doc.id, c_doc.name)
            if channel is None:
                channel = Channel(id=c_doc.id) if c_doc.id else Channel()
                self.session.add(channel)
            old_name = channel.name
            _assign(channel, name=c_doc.name, kind=c_doc.kind, is_default=c_doc.is_default, workstream=stream)
            if c_doc.is_default:
                self._clear_default(c_doc.kind, keep_channel=channel)
            self._remember(Channel, channel, old_name)
            keep.append(channel)
        for channel in list(stream.channels):
            if channel not in keep:
                self._lookups.get(Channel, {}).pop(fold(channel.name), None)
                self.session.delete(channel)
        stream.channels = keep

    def _clear_default(self, kind: str, keep_channel: Channel) -> None:
        self.lookup(Channel, "")  # loads every channel once
        for other in self._lookups[Channel].values():
            if other is not keep_channel and other.kind == kind and other.is_default:
                other.is_default = False


def _same_child_ids(doc: WorkStreamDoc, obj: WorkStream) -> bool:
    """With ids in the document, an unchanged stream also keeps its children's ids."""
    pairs = (
        (doc.context_variables, sorted(obj.context_variables, key=lambda v: (v.position, sort_key(v.name)))),
        (doc.routing_rules, sorted(obj.routing_rules, key=lambda r: r.position)),
        (sorted(doc.channels, key=lambda c: sort_key(c.name)), sorted(obj.channels, key=lambda c: sort_key(c.name))),
        (doc.classification_rules, sorted(obj.classification_rules, key=lambda k: k.position)),
    )
    for docs, rows in pairs:
        for d, row in zip(docs, rows):
            if d.id and d.id != row.id:
                return False
    return not doc.id or doc.id == obj.id


def _assign(obj: Any, **values: Any) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key, None) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def delete_workstream_rows(session: Session, stream: WorkStream) -> None:
    session.execute(delete(RoutingTestCase).where(RoutingTestCase.workstream_id == stream.id))
    session.delete(stream)


def remove_memberships(session: Session, agent_id: str) -> None:
    session.execute(delete(queue_members).where(queue_members.c.agent_id == agent_id))


# --------------------------------------------------------------------------- identities

def adopt_identities(session: Session, doc: ConfigDocument) -> int:
    """Give the objects here the document's ids for everything it matches by name.

    Two consoles that made the same objects separately (or the demo before its ids
    were fixed) know them under different ids; after a full import they must agree,
    or a later delta cannot find its objects.  An object takes the document's id when
    the document names it (case-insensitively), carries an id, and that id is not
    used here yet.  References (memberships, rules, default queues, channels, saved
    test cases, baseline records) follow, in the session's transaction.  Returns how
    many objects took a new id.
    """
    adopted = 0
    for model, docs in ((Presence, doc.presences), (Agent, doc.agents), (Queue, doc.queues),
                        (WorkStream, doc.workstreams)):
        adopted += _adopt_by_name(session, model.__table__, [(d.id, fold(d.name)) for d in docs if d.id])
    channels = [(c.id, fold(c.name)) for w in doc.workstreams for c in w.channels if c.id]
    adopted += _adopt_by_name(session, Channel.__table__, channels)
    # A stream's variables and rules are matched within the stream, by exact name (as the writer does).
    stream_ids = {fold(name): stream_id for stream_id, name in session.execute(select(WorkStream.id, WorkStream.name))}
    for model, field_name in ((ContextVariable, "context_variables"), (RoutingRuleItem, "routing_rules")):
        wanted = [(d.id, (stream_ids.get(fold(w.name)), d.name)) for w in doc.workstreams
                  for d in getattr(w, field_name) if d.id]
        adopted += _adopt_by_name(session, model.__table__, wanted, owner=model.__table__.c.workstream_id)
    return adopted


def _adopt_by_name(session: Session, table, wanted: list[tuple[str, Any]], *, owner=None) -> int:
    """``wanted``: (document id, match key) pairs; the key is the folded name, or
    (owner id, name) when ``owner`` (a column) scopes names.  One read of the table."""
    if not wanted:
        return 0
    columns = [table.c.id, table.c.name] + ([owner] if owner is not None else [])
    query = select(*columns)
    if "is_system" in table.c:
        query = query.where(table.c.is_system.is_(False))
    here: dict[Any, list[str]] = {}
    taken: set[str] = set()
    for row in session.execute(query):
        key = (row[2], row[1]) if owner is not None else fold(row[1])
        here.setdefault(key, []).append(row[0])
        taken.add(row[0])
    if "is_system" in table.c:
        taken |= set(session.scalars(select(table.c.id).where(table.c.is_system.is_(True))))
    moves: list[tuple[str, str]] = []
    for new, key in wanted:
        candidates = here.get(key)
        if new in taken or not candidates:
            continue
        old = candidates.pop(0)  # rules may share a name: match them in order, as the writer does
        moves.append((old, new))
        taken.add(new)
    _rekey_all(session, table, moves)
    return len(moves)


# The old -> new ids of one table being re-keyed (a temporary table: set-based statements join it).
_rekey_metadata = MetaData()
_REKEY = Table("wsc_rekey", _rekey_metadata, Column("old", String(36), primary_key=True),
               Column("new", String(36), nullable=False), prefixes=["TEMPORARY"])


def _rekey_all(session: Session, table, moves: list[tuple[str, str]]) -> None:
    """Move rows to new primary keys, references included, without deferring foreign keys.

    Set-based (a few statements per table, whatever the number of rows): the rows
    are copied under their new ids (the originals' unique columns first moved out
    of the way), every referring column is pointed at the copies, then the
    originals are deleted.  Valid at every statement, on SQLite and PostgreSQL alike.
    """
    from models import Base, BaselineObject

    if not moves:
        return
    _REKEY.create(session.connection(), checkfirst=True)
    session.execute(_REKEY.delete())
    session.execute(insert(_REKEY), [{"old": old, "new": new} for old, new in moves])
    moving = select(_REKEY.c.old).scalar_subquery()
    new_of = {old: new for old, new in moves}
    rows = [dict(row) for row in session.execute(select(table).where(table.c.id.in_(moving))).mappings()]
    for row in rows:
        row["id"] = new_of[row["id"]]
    unique = [c for c in table.c if c.unique and not c.primary_key]
    unique += [c for constraint in table.constraints if isinstance(constraint, UniqueConstraint)
               for c in constraint.columns if not c.foreign_keys and c not in unique]
    if unique:
        session.execute(table.update().where(table.c.id.in_(moving))
                        .values({c.name: literal("~") + table.c.id for c in unique}))
    session.execute(insert(table), rows)
    referrers = [(other, fk.parent) for other in Base.metadata.sorted_tables for fk in other.foreign_keys
                 if fk.column is table.c.id]
    objects = BaselineObject.__table__
    if table.name in ("presence", "agent", "queue", "workstream"):
        referrers.append((objects, objects.c.object_id))
    for other, column in referrers:
        new_id = select(_REKEY.c.new).where(_REKEY.c.old == column).scalar_subquery()
        update = other.update().where(column.in_(moving)).values({column.name: new_id})
        if other is objects:
            update = update.where(objects.c.kind == table.name)
        session.execute(update)
    session.execute(table.delete().where(table.c.id.in_(moving)))
    session.execute(_REKEY.delete())


def duplicate_id_issues(doc: ConfigDocument) -> list:
    """Two objects of one table with the same id, each named by where it is in the document."""
    from app.routing.conditions import Issue

    groups: dict[str, list[tuple[str, str | None]]] = {
        "presence": [(f"presences[{i}]", d.id) for i, d in enumerate(doc.presences)],
        "agent": [(f"agents[{i}]", d.id) for i, d in enumerate(doc.agents)],
        "queue": [(f"queues[{i}]", d.id) for i, d in enumerate(doc.queues)],
        "work stream": [(f"workstreams[{i}]", d.id) for i, d in enumerate(doc.workstreams)],
        "context variable": [], "routing rule": [], "channel": [],
    }
    for i, stream in enumerate(doc.workstreams):
        for what, field_name, children in (("context variable", "context_variables", stream.context_variables),
                                           ("routing rule", "routing_rules", stream.routing_rules),
                                           ("channel", "channels", stream.channels)):
            groups[what] += [(f"workstreams[{i}].{field_name}[{j}]", c.id) for j, c in enumerate(children)]
    issues = []
    for what, places in groups.items():
        first: dict[str, str] = {}
        for place, object_id in places:
            if not object_id:
                continue
            key = object_id.lower()
            if key in first:
                issues.append(Issue(f"{place}.id", f"the same id as {first[key]} ({object_id}): "
                                                   f"each {what} needs its own id"))
            else:
                first[key] = place
    return issues
