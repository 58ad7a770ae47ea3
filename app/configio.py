"""Database ⇄ configuration document.

``export_document`` reads the whole configuration (or a chosen set of work
streams with everything they reference) as the canonical document;
``apply_document`` writes a validated document in one transaction, updating
objects matched by id or name, creating new ones, and with ``replace`` removing
everything the document does not mention.  An unchanged object is not written,
so its version does not move.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.configdoc import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ConfigDocument,
    ContextVariableDoc,
    KnownNames,
    RoutingRuleDoc,
    WorkStreamDoc,
    dump,
    normalize_workstream,
    validate_document,
)
from app.database import Database, foreign_key_problems
from app.errors import UserError
from models import (
    Agent,
    Channel,
    ContextVariable,
    Presence,
    Queue,
    RoutingRuleItem,
    RoutingTestCase,
    WorkStream,
    queue_members,
)
from models.choices import sort_base_presences

KINDS = ("presences", "agents", "queues", "workstreams")


def fold(name: str) -> str:
    return name.casefold()


def sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


# --------------------------------------------------------------------------- export

def presence_dict(p: Presence, with_ids: bool) -> dict:
    return _with_id({"name": p.name, "base": p.base, "text": p.text}, p, with_ids)


def agent_dict(a: Agent, with_ids: bool) -> dict:
    return _with_id({"name": a.name, "capacity": a.capacity, "presence": a.presence.name}, a, with_ids)


def queue_dict(q: Queue, with_ids: bool) -> dict:
    return _with_id({
        "name": q.name,
        "kind": q.kind,
        "description": q.description,
        "agents": sorted((a.name for a in q.agents), key=sort_key),
    }, q, with_ids)


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
            for v in sorted(w.context_variables, key=lambda v: sort_key(v.name))
        ],
        "routing_rules": [
            _with_id({"name": r.name, "description": r.description, "queue": r.queue.name,
                      "condition": r.condition}, r, with_ids)
            for r in sorted(w.routing_rules, key=lambda r: r.position)
        ],
        "channels": [
            _with_id({"name": c.name, "kind": c.kind, "is_default": c.is_default}, c, with_ids)
            for c in sorted(w.channels, key=lambda c: sort_key(c.name))
        ],
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
    )


def export_document(db: Database, *, with_ids: bool = False, workstreams: Iterable[str] | None = None) -> dict:
    with db.sessions() as session:
        return export_from_session(session, with_ids=with_ids, workstreams=workstreams)


def export_from_session(session: Session, *, with_ids: bool = False, workstreams: Iterable[str] | None = None) -> dict:
    streams = session.scalars(_workstream_query()).all()
    queues = session.scalars(select(Queue).options(selectinload(Queue.agents))).all()
    agents = session.scalars(select(Agent)).all()
    presences = session.scalars(select(Presence).where(Presence.is_system.is_(False))).all()
    if workstreams is not None:
        wanted = {fold(n) for n in workstreams}
        streams = [w for w in streams if fold(w.name) in wanted]
        missing = wanted - {fold(w.name) for w in streams}
        if missing:
            raise UserError(f"unknown work stream '{sorted(missing)[0]}'")
        queue_ids = {w.default_queue_id for w in streams} | {r.queue_id for w in streams for r in w.routing_rules}
        queues = [q for q in queues if q.id in queue_ids]
        agent_ids = {a.id for q in queues for a in q.agents}
        agents = [a for a in agents if a.id in agent_ids]
        presence_ids = {a.presence_id for a in agents}
        presences = [p for p in presences if p.id in presence_ids]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "presences": [presence_dict(p, with_ids) for p in sorted(presences, key=lambda p: sort_key(p.name))],
        "agents": [agent_dict(a, with_ids) for a in sorted(agents, key=lambda a: sort_key(a.name))],
        "queues": [queue_dict(q, with_ids) for q in sorted(queues, key=lambda q: sort_key(q.name))],
        "workstreams": [workstream_dict(w, with_ids) for w in sorted(streams, key=lambda w: sort_key(w.name))],
    }


def canonical_json(document: dict) -> str:
    """The byte-stable text of a document: same configuration, same bytes."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- apply

@dataclass
class ApplySummary:
    created: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    updated: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    deleted: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def counts(self) -> dict[str, int]:
        return {
            "created": sum(map(len, self.created.values())),
            "updated": sum(map(len, self.updated.values())),
            "deleted": sum(map(len, self.deleted.values())),
        }

    def lines(self) -> list[str]:
        out = []
        for verb, table in (("create", self.created), ("update", self.updated), ("delete", self.deleted)):
            for kind in KINDS:
                for name in table[kind]:
                    out.append(f"{verb} {kind[:-1]} '{name}'")
        return out

    def to_json(self) -> dict:
        return {"counts": self.counts(), "created": self.created, "updated": self.updated, "deleted": self.deleted}


def known_names(session: Session) -> KnownNames:
    """What a merge import may refer to without listing it."""
    known = KnownNames()
    known.presences = set(session.scalars(select(Presence.name)))
    known.agents = set(session.scalars(select(Agent.name)))
    known.queues = set(session.scalars(select(Queue.name)))
    for channel_name, stream_name in session.execute(select(Channel.name, WorkStream.name).join(Channel.workstream)):
        known.channels[channel_name] = stream_name
    return known


def import_document(db: Database, data: Any, *, replace: bool = False, dry_run: bool = False) -> ApplySummary:
    """Validate everything, then apply in one transaction (or, with dry_run, roll back)."""
    with db.session() as session:
        doc = validate_document(data, None if replace else known_names(session))
        summary = apply_document(session, doc, replace=replace)
        if dry_run:
            session.rollback()
    return summary


def apply_document(session: Session, doc: ConfigDocument, *, replace: bool = False) -> ApplySummary:
    summary = ApplySummary()
    if replace:
        _delete_missing(session, doc, summary)
    writer = _Writer(session, summary)
    with session.no_autoflush:  # rows are half-built between assignments; flush at known points
        _write_all(session, writer, doc)
    problems = foreign_key_problems(session)
    if problems:
        raise UserError(f"import refused: {problems[0]}")
    return summary


def _write_all(session: Session, writer: "_Writer", doc: ConfigDocument) -> None:
    for presence in doc.presences:
        writer.presence(presence)
    session.flush()
    for agent in doc.agents:
        writer.agent(agent)
    session.flush()
    for queue in doc.queues:
        writer.queue(queue)
    session.flush()
    for stream in doc.workstreams:
        writer.workstream(stream)
    session.flush()


def _delete_missing(session: Session, doc: ConfigDocument, summary: ApplySummary) -> None:
    """With --replace: remove what the document does not name (children first)."""
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
    for kind, model, docs in (("queues", Queue, doc.queues), ("agents", Agent, doc.agents)):
        keep = {fold(d.name) for d in docs} | {d.id for d in docs if d.id}
        for obj in session.scalars(select(model)).all():
            if fold(obj.name) not in keep and obj.id not in keep:
                summary.deleted[kind].append(obj.name)
                session.delete(obj)
        session.flush()
    keep = {fold(d.name) for d in doc.presences} | {d.id for d in doc.presences if d.id}
    for presence in session.scalars(select(Presence).where(Presence.is_system.is_(False))).all():
        if fold(presence.name) not in keep and presence.id not in keep:
            summary.deleted["presences"].append(presence.name)
            session.delete(presence)
    session.flush()


class _Writer:
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
        changed = _assign(obj, name=doc.name, kind=doc.kind, description=doc.description)
        members = [self.lookup(Agent, name) for name in doc.agents]
        if {a.id for a in obj.agents} != {a.id for a in members}:
            obj.agents = members
            changed = True
            if not created:
                obj.touch()
        self._remember(Queue, obj, old_name)
        self._record("queues", created, changed, doc.name)
        return obj

    def workstream(self, doc: WorkStreamDoc, target: WorkStream | None = None) -> WorkStream:
        obj = target or self._find(WorkStream, doc.id, doc.name)
        created = obj is None
        if not created and normalize_workstream(dump(doc)) == workstream_dict(obj, with_ids=False) and _same_child_ids(doc, obj):
            return obj  # unchanged: no write, no version bump
        if created:
            obj = WorkStream(id=doc.id) if doc.id else WorkStream()
            obj.context_variables, obj.routing_rules, obj.channels = [], [], []
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
        )
        self._variables(obj, doc.context_variables)
        self._rules(obj, doc.routing_rules)
        self._channels(obj, doc)
        if not created:
            obj.touch()
        self._remember(WorkStream, obj, old_name)
        self._record("workstreams", created, True, doc.name)
        return obj

    def _variables(self, stream: WorkStream, docs: list[ContextVariableDoc]) -> None:
        by_id = {v.id: v for v in stream.context_variables}
        by_name = {v.name: v for v in stream.context_variables}
        keep = []
        for doc in docs:
            var = by_id.get(doc.id) if doc.id else None
            var = var or by_name.get(doc.name)
            if var is None:
                var = ContextVariable(id=doc.id) if doc.id and self.session.get(ContextVariable, doc.id) is None else ContextVariable()
            _assign(var, display_name=doc.display_name, name=doc.name, type=doc.type)
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
            if rule in unmatched:
                unmatched.remove(rule)
            _assign(rule, name=doc.name, description=doc.description, queue=self.lookup(Queue, doc.queue),
                    position=position, condition=doc.condition)
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
        (sorted(doc.context_variables, key=lambda v: sort_key(v.name)),
         sorted(obj.context_variables, key=lambda v: sort_key(v.name))),
        (doc.routing_rules, sorted(obj.routing_rules, key=lambda r: r.position)),
        (sorted(doc.channels, key=lambda c: sort_key(c.name)), sorted(obj.channels, key=lambda c: sort_key(c.name))),
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
