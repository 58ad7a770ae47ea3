"""What the UI and the CLI call: one session (one transaction) per user action.

Lists return small frozen rows; editors load a document with ids plus its
version, and save it back with the version they loaded (a newer version in the
database is a ``ConflictError``, never a silent overwrite).  Validation
problems raise ``DocumentInvalid`` whose issue paths name fields relative to the
object (``name``, ``context_variables[0].name``), so a form can show each one
next to its field.
"""
from __future__ import annotations

import logging

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

# The document (pydantic), the writer and the editing draft are imported inside the methods
# that need them: the lists, names and deletes -- all `wsc list` and the window's first fill
# ask for -- never load pydantic (~150 ms; tests/app/cli/test_import_cost.py holds this).
from app.store.database import Database
from app.services import lists
from app.services.changes import Changes
from app.services.lists import AgentRow, ChannelRow, PresenceRow, QueueRow, WorkStreamRow  # noqa: F401 (re-exported)
from app.common.errors import ConflictError, DocumentInvalid, InUseError, NotFound, UserError
from app.common.names import name_key as fold, sort_key
from app.services.distribution import DISTRIBUTION_KINDS, DistributionServices, parse_document as _parse
from models import Agent, CapacityProfile, Channel, Presence, Queue, RoutingRuleItem, RoutingTestCase, WorkStream
from models.choices import CHANNEL_KIND_FOR, NAME_MAX

if TYPE_CHECKING:  # for the annotations only
    from app.config.document import AgentDoc, ChannelDoc, PresenceDoc, QueueDoc, WorkStreamDoc
    from app.routing.conditions import Issue

# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Loaded:
    """An object as an editor holds it: its document (with ids) and the version read."""

    id: str
    doc: Any
    version: int


@dataclass(frozen=True)
class Saved:
    id: str
    version: int
    name: str
    changes: Changes = Changes()
    doc: Any = None  # the document as stored (ids included), when the write has it at hand


# Version 2 fields an editor written for version 1 does not send: a dict without them keeps
# the stored values (rather than resetting a queue's priority or an agent's skills).
QUEUE_V2_FIELDS = ("priority", "assignment_method", "operating_hours", "overflow")
AGENT_V2_FIELDS = ("skills", "capacity_profiles")


class Services(DistributionServices):
    """The console's use cases over one database."""

    @staticmethod
    def _keep_unsent(data: Any, object_id: str | None, fields: tuple[str, ...], load: Callable[[str], Loaded]) -> Any:
        if object_id is None or not isinstance(data, dict) or all(f in data for f in fields):
            return data
        stored = load(object_id).doc.model_dump(mode="json")
        return {**{f: stored[f] for f in fields if f not in data}, **data}

    def __init__(self, db: Database, on_workstream_saved: Callable[[str], None] | None = None):
        self.db = db
        # Lets the routing cache drop a stream's compiled rules when it changes.
        self.on_workstream_saved = on_workstream_saved or (lambda _id: None)

    # ------------------------------------------------------------------ lists (app.services.lists)

    def list_workstreams(self, state: str = "all", search: str = "") -> list[WorkStreamRow]:
        return lists.list_workstreams(self.db, state, search)

    def list_queues(self, search: str = "") -> list[QueueRow]:
        return lists.list_queues(self.db, search)

    def list_agents(self, search: str = "") -> list[AgentRow]:
        return lists.list_agents(self.db, search)

    def list_presences(self, search: str = "") -> list[PresenceRow]:
        return lists.list_presences(self.db, search)

    def list_channels(self, search: str = "") -> list[ChannelRow]:
        return lists.list_channels(self.db, search)

    def names(self, kind: str) -> list[str]:
        """Names for lookups: 'queues', 'agents', 'presences', 'workstreams'."""
        model = {"queues": Queue, "agents": Agent, "presences": Presence, "workstreams": WorkStream}[kind]
        with self.db.sessions() as session:
            return sorted(session.scalars(select(model.name)), key=sort_key)

    def workstream_id_by_name(self, name: str) -> str:
        with self.db.sessions() as session:
            found = session.scalar(select(WorkStream.id).where(WorkStream.name_key == fold(name)))
        if found is None:
            raise NotFound(f"unknown work stream '{name}'")
        return found

    # ------------------------------------------------------------------ work streams

    @staticmethod
    def new_workstream(channel: str = "live_chat") -> dict:
        """A new stream's fields: the product's defaults, inactive until it has a default queue."""
        from app.config.document import WorkStreamDoc

        data = WorkStreamDoc(name="new", channel=channel, active=False).model_dump()
        data["name"] = ""
        return data

    def load_workstream(self, workstream_id: str) -> Loaded:
        from app.config.document import WorkStreamDoc
        from app.config.io import workstream_dict

        with self.db.sessions() as session:
            stream = self._get(session, WorkStream, workstream_id, "work stream")
            doc = WorkStreamDoc.model_validate(workstream_dict(stream, with_ids=True))
            return Loaded(stream.id, doc, stream.version)

    def save_workstream(self, data: WorkStreamDoc | dict, workstream_id: str | None = None,
                        expected_version: int | None = None) -> Saved:
        from app.config.document import WorkStreamDoc
        from app.config.io import ConfigWriter, workstream_dict

        doc = _parse(WorkStreamDoc, data)
        with self.db.session() as session:
            target = None
            if workstream_id is not None:
                target = self._get(session, WorkStream, workstream_id, "work stream")
                self._check_version(target, expected_version, f"work stream '{target.name}'")
            issues = self._workstream_issues(session, doc, workstream_id)
            if issues:
                raise DocumentInvalid(issues)
            doc = doc.model_copy(update={"id": workstream_id or doc.id})
            with session.no_autoflush:
                stream = ConfigWriter(session).workstream(doc, target=target)
            session.flush()
            # The stored document comes back with the write: the editor needs its new ids and
            # version, and reading the stream again would cost four more queries.
            stored = WorkStreamDoc.model_validate(workstream_dict(stream, with_ids=True))
            saved = Saved(stream.id, stream.version, stream.name,
                          Changes.of("workstreams", "channels", ids=[stream.id]), stored)
        self.on_workstream_saved(saved.id)
        return saved

    def _workstream_issues(self, session: Session, doc: WorkStreamDoc, own_id: str | None) -> list[Issue]:
        from app.routing.conditions import Issue
        from app.config.document import check_workstream
        from app.config.io import skill_ratings

        queue_names = {fold(n) for n in session.scalars(select(Queue.name))}
        # Only what the stream names is read: a plain save stays one query for its references.
        skills = ({fold(k): v for k, v in skill_ratings(session).items()}
                  if doc.classification_rules else {})
        profiles = ({fold(n) for n in session.scalars(select(CapacityProfile.name))}
                    if doc.capacity_profile else set())
        presences = ({fold(n) for n in session.scalars(select(Presence.name))}
                     if doc.missed_notification_presence else set())
        issues = check_workstream(doc, queue_names, skills=skills, profiles=profiles, presences=presences)
        clash = session.scalar(select(WorkStream.name).where(WorkStream.name_key == fold(doc.name),
                                                             WorkStream.id != (own_id or "")))
        if clash:
            issues.insert(0, Issue("name", f"a work stream named '{clash}' already exists"))
        if doc.channels:
            # Folded in Python, as names are everywhere: SQL lower() knows only ASCII on SQLite.
            owners = {fold(name): (stream_name, stream_id) for name, stream_name, stream_id in session.execute(
                select(Channel.name, WorkStream.name, WorkStream.id).join(Channel.workstream))}
            for index, channel in enumerate(doc.channels):
                owner = owners.get(fold(channel.name))
                if owner and owner[1] != own_id:
                    issues.append(Issue(f"channels[{index}].name",
                                        f"channel '{channel.name}' belongs to work stream '{owner[0]}'"))
        return issues

    def copy_workstream(self, workstream_id: str) -> Saved:
        """A copy with its variables, rules and settings (not its channels), inactive."""
        from app.workstreams.editing import copy_name

        loaded = self.load_workstream(workstream_id)
        data = loaded.doc.model_dump()
        data = _drop_ids(data)
        data["name"] = copy_name(loaded.doc.name, self.names("workstreams"))
        data["channels"] = []  # a channel serves one stream; the copy starts with none
        data["active"] = False
        return self.save_workstream(data)

    def set_workstream_active(self, workstream_id: str, active: bool, expected_version: int | None = None) -> Saved:
        with self.db.session() as session:
            stream = self._get(session, WorkStream, workstream_id, "work stream")
            self._check_version(stream, expected_version, f"work stream '{stream.name}'")
            if active and stream.default_queue_id is None:
                raise UserError(f"'{stream.name}' needs a default queue before it can be activated")
            if stream.active != active:
                stream.active = active
                session.flush()
            saved = Saved(stream.id, stream.version, stream.name, Changes.of("workstreams", ids=[stream.id]))
        self.on_workstream_saved(saved.id)
        return saved

    def delete_workstream(self, workstream_id: str) -> Changes:
        with self.db.session() as session:
            stream = self._get(session, WorkStream, workstream_id, "work stream")
            self._refuse_delete(session, "workstreams", stream)
            session.delete(stream)
        self.on_workstream_saved(workstream_id)
        return Changes.of("workstreams", "channels", ids=[workstream_id])

    def delete_refusal(self, kind: str, object_id: str) -> str | None:
        """Why the record cannot be deleted (what delete_* would say), or None: to refuse before asking."""
        if kind in DISTRIBUTION_KINDS:
            return self.distribution_delete_refusal(kind, object_id)
        model = {"workstreams": WorkStream, "queues": Queue, "agents": Agent, "presences": Presence,
                 "channels": Channel}[kind]
        with self.db.sessions() as session:
            obj = self._get(session, model, object_id, kind[:-1].replace("workstream", "work stream"))  # NotFound
            try:
                self._refuse_delete(session, kind, obj)
            except UserError as refusal:  # InUseError, or a base presence
                return str(refusal)
        return None

    def _refuse_delete(self, session: Session, kind: str, obj: Any) -> None:
        """Raise the reason a record is kept (in use, or a base presence); the one check of every delete."""
        from app.config.references import presence_users
        from app.workstreams.editing import referrer_sentence

        if kind == "workstreams":
            channels = [f"channel '{c.name}'" for c in obj.channels]
            if channels:
                raise InUseError(referrer_sentence(f"Work stream '{obj.name}'", channels)
                                 + "; move or delete those channels first", channels)
        elif kind == "queues":
            referrers = self.queue_referrers(session, obj)
            if referrers:
                raise InUseError(referrer_sentence(f"Queue '{obj.name}'", referrers), referrers)
        elif kind == "presences":
            if obj.is_system:
                raise UserError(f"'{obj.name}' is a base presence and cannot be deleted")
            agents = [f"agent '{n}'" for n in session.scalars(
                select(Agent.name).where(Agent.presence_id == obj.id).order_by(Agent.name))]
            agents += presence_users(session, [obj.id]).get(obj.id, [])  # missed-notification presence
            if agents:
                raise InUseError(referrer_sentence(f"Presence '{obj.name}'", agents), agents)

    # ------------------------------------------------------------------ queues

    def load_queue(self, queue_id: str) -> Loaded:
        from app.config.document import QueueDoc
        from app.config.io import queue_dict

        with self.db.sessions() as session:
            queue = self._get(session, Queue, queue_id, "queue")
            return Loaded(queue.id, QueueDoc.model_validate(queue_dict(queue, with_ids=True)), queue.version)

    def save_queue(self, data: QueueDoc | dict, queue_id: str | None = None, expected_version: int | None = None) -> Saved:
        from app.routing.conditions import Issue
        from app.config.document import QueueDoc, check_queue_distribution
        from app.config.io import ConfigWriter

        data = self._keep_unsent(data, queue_id, QUEUE_V2_FIELDS, self.load_queue)
        doc = _parse(QueueDoc, data)
        with self.db.session() as session:
            target = self._target(session, Queue, queue_id, expected_version, "queue")
            issues = self._name_clash(session, Queue, doc.name, queue_id, "queue")
            known_agents = {fold(n) for n in session.scalars(select(Agent.name))}
            issues += [Issue(f"agents[{i}]", f"unknown agent '{n}'") for i, n in enumerate(doc.agents)
                       if fold(n) not in known_agents]
            issues += check_queue_distribution(doc, {fold(n) for n in session.scalars(select(Queue.name))}
                                               | {fold(doc.name)}, "")
            if issues:
                raise DocumentInvalid(issues)
            with session.no_autoflush:
                writer = ConfigWriter(session)
                queue = writer.queue(doc.model_copy(update={"id": target.id if target else doc.id}))
                writer.queue_overflow(doc)  # the rules name queues: written once the queue is
            session.flush()
            return Saved(queue.id, queue.version, queue.name, Changes.of("queues", "agents", ids=[queue.id]))

    def queue_referrers(self, session: Session, queue: Queue) -> list[str]:
        from app.config.references import queue_users

        referrers = [f"work stream '{name}' (default queue)" for name in session.scalars(
            select(WorkStream.name).where(WorkStream.default_queue_id == queue.id).order_by(WorkStream.name_key))]
        referrers += [f"rule '{rule}' in '{stream}'" for rule, stream in session.execute(
            select(RoutingRuleItem.name, WorkStream.name).join(RoutingRuleItem.workstream)
            .where(RoutingRuleItem.queue_id == queue.id).order_by(WorkStream.name_key, RoutingRuleItem.position))]
        referrers += queue_users(session, [queue.id]).get(queue.id, [])  # split shares, overflow
        return referrers

    def delete_queue(self, queue_id: str) -> Changes:
        with self.db.session() as session:
            queue = self._get(session, Queue, queue_id, "queue")
            self._refuse_delete(session, "queues", queue)
            session.delete(queue)
        return Changes.of("queues", "agents", ids=[queue_id])

    # ------------------------------------------------------------------ agents

    def load_agent(self, agent_id: str) -> Loaded:
        from app.config.document import AgentDoc
        from app.config.io import agent_dict

        with self.db.sessions() as session:
            agent = self._get(session, Agent, agent_id, "agent")
            return Loaded(agent.id, AgentDoc.model_validate(agent_dict(agent, with_ids=True)), agent.version)

    def agent_queues(self, agent_id: str) -> list[str]:
        with self.db.sessions() as session:
            agent = self._get(session, Agent, agent_id, "agent")
            return sorted((q.name for q in agent.queues), key=sort_key)

    def save_agent(self, data: AgentDoc | dict, agent_id: str | None = None, expected_version: int | None = None,
                   queues: list[str] | None = None) -> Saved:
        """Save an agent; ``queues``, when given, is the full list of queues it belongs to."""
        from app.routing.conditions import Issue
        from app.config.document import AgentDoc, check_profile_names, check_skill_ratings
        from app.config.io import ConfigWriter, known_names

        data = self._keep_unsent(data, agent_id, AGENT_V2_FIELDS, self.load_agent)
        doc = _parse(AgentDoc, data)
        with self.db.session() as session:
            target = self._target(session, Agent, agent_id, expected_version, "agent")
            issues = self._name_clash(session, Agent, doc.name, agent_id, "agent")
            presences = {fold(n) for n in session.scalars(select(Presence.name))}
            if fold(doc.presence) not in presences:
                issues.append(Issue("presence", f"unknown presence '{doc.presence}'"))
            known = known_names(session)
            issues += check_skill_ratings(doc.skills, {fold(k): v for k, v in known.skills.items()}, "skills")
            issues += check_profile_names(doc.capacity_profiles, {fold(n) for n in known.capacity_profiles},
                                          "capacity_profiles")
            all_queues = {fold(q.name): q for q in session.scalars(select(Queue))}
            for index, name in enumerate(queues or []):
                if fold(name) not in all_queues:
                    issues.append(Issue(f"queues[{index}]", f"unknown queue '{name}'"))
            if issues:
                raise DocumentInvalid(issues)
            with session.no_autoflush:
                agent = ConfigWriter(session).agent(doc.model_copy(update={"id": target.id if target else doc.id}))
                if queues is not None:
                    wanted = {all_queues[fold(n)].id: all_queues[fold(n)] for n in queues}
                    if {q.id for q in agent.queues} != set(wanted):
                        agent.queues = list(wanted.values())
                        agent.touch()
            session.flush()
            return Saved(agent.id, agent.version, agent.name, Changes.of("agents", "queues", ids=[agent.id]))

    def delete_agent(self, agent_id: str) -> Changes:
        with self.db.session() as session:
            session.delete(self._get(session, Agent, agent_id, "agent"))
        return Changes.of("agents", "queues", ids=[agent_id])

    # ------------------------------------------------------------------ presences

    def load_presence(self, presence_id: str) -> Loaded:
        from app.config.document import PresenceDoc
        from app.config.io import presence_dict

        with self.db.sessions() as session:
            presence = self._get(session, Presence, presence_id, "presence")
            return Loaded(presence.id, PresenceDoc.model_validate(presence_dict(presence, with_ids=True)),
                          presence.version)

    def save_presence(self, data: PresenceDoc | dict, presence_id: str | None = None,
                      expected_version: int | None = None) -> Saved:
        from app.config.document import PresenceDoc
        from app.config.io import ConfigWriter

        doc = _parse(PresenceDoc, data)
        with self.db.session() as session:
            target = self._target(session, Presence, presence_id, expected_version, "presence")
            if target is not None and target.is_system:
                raise UserError(f"'{target.name}' is a base presence and cannot be changed")
            issues = self._name_clash(session, Presence, doc.name, presence_id, "presence")
            if issues:
                raise DocumentInvalid(issues)
            with session.no_autoflush:
                presence = ConfigWriter(session).presence(doc.model_copy(update={"id": target.id if target else doc.id}))
            session.flush()
            return Saved(presence.id, presence.version, presence.name, Changes.of("presences", ids=[presence.id]))

    def delete_presence(self, presence_id: str) -> Changes:
        with self.db.session() as session:
            presence = self._get(session, Presence, presence_id, "presence")
            self._refuse_delete(session, "presences", presence)
            session.delete(presence)
        return Changes.of("presences", ids=[presence_id])

    # ------------------------------------------------------------------ channels

    def load_channel(self, channel_id: str) -> Loaded:
        from app.config.document import ChannelDoc

        with self.db.sessions() as session:
            channel = self._get(session, Channel, channel_id, "channel")
            doc = {"id": channel.id, "name": channel.name, "kind": channel.kind, "is_default": channel.is_default}
            return Loaded(channel.id, (ChannelDoc.model_validate(doc), channel.workstream.name), channel.version)

    def save_channel(self, data: ChannelDoc | dict, workstream: str, channel_id: str | None = None,
                     expected_version: int | None = None) -> Saved:
        from app.routing.conditions import Issue
        from app.config.document import ChannelDoc

        doc = _parse(ChannelDoc, data)
        with self.db.session() as session:
            target = self._target(session, Channel, channel_id, expected_version, "channel")
            issues = self._name_clash(session, Channel, doc.name, channel_id, "channel")
            stream = session.scalar(select(WorkStream).where(WorkStream.name_key == fold(workstream)))
            if stream is None:
                issues.append(Issue("workstream", f"unknown work stream '{workstream}'"))
            elif CHANNEL_KIND_FOR[stream.channel] != doc.kind:
                issues.append(Issue("kind", f"work stream '{stream.name}' serves "
                                            f"{CHANNEL_KIND_FOR[stream.channel]} channels, not {doc.kind}"))
            if issues:
                raise DocumentInvalid(issues)
            channel = target
            if channel is None:
                channel = Channel(id=doc.id) if doc.id else Channel()
                session.add(channel)
            channel.name, channel.kind, channel.is_default, channel.workstream = doc.name, doc.kind, doc.is_default, stream
            if doc.is_default:
                for other in session.scalars(select(Channel).where(Channel.kind == doc.kind, Channel.is_default.is_(True))):
                    if other is not channel:
                        other.is_default = False
            session.flush()
            return Saved(channel.id, channel.version, channel.name, Changes.of("channels", ids=[channel.id]))

    def delete_channel(self, channel_id: str) -> Changes:
        with self.db.session() as session:
            session.delete(self._get(session, Channel, channel_id, "channel"))
        return Changes.of("channels", ids=[channel_id])

    def reset_to_demo(self) -> Changes:
        """Replace the whole configuration with the demo bank."""
        from app.config.demo import load_demo

        load_demo(self.db)
        return Changes.everything()

    # ------------------------------------------------------------------ long actions (app.services.batch)
    # Each takes progress(step, done, total), which may raise to cancel: see app.services.batch.

    def preview_configuration_import(self, path: str, progress: Callable[[str, int, int], None] | None = None):
        """Read and check a configuration document; what merging it would change (nothing written)."""
        from app.services import batch

        return batch.preview_import(self.db, path, progress)

    def import_configuration(self, preview, progress: Callable[[str, int, int], None] | None = None):
        """Merge a previewed document in one transaction; its ``ApplySummary``."""
        from app.services import batch

        return batch.apply_import(self.db, preview, progress)

    def export_configuration(self, path: str, progress: Callable[[str, int, int], None] | None = None):
        from app.services import batch

        return batch.export_configuration(self.db, path, progress)

    def generate_sample(self, streams: int, variables: int = 20, rules: int = 50,
                        progress: Callable[[str, int, int], None] | None = None):
        from app.services import batch

        return batch.generate_sample(self.db, streams, variables, rules, progress=progress)

    def delete_many(self, kind: str, ids: list[str],
                    progress: Callable[[str, int, int], None] | None = None) -> list[str]:
        """Delete many records of one kind, all or nothing; the ids deleted."""
        from app.services import batch

        deleted = batch.delete_many(self.db, kind, ids, progress)
        if kind == "workstreams":
            for workstream_id in deleted:
                self.on_workstream_saved(workstream_id)
        return deleted

    # ------------------------------------------------------------------ routing test cases

    def list_test_cases(self, workstream_id: str) -> list[dict]:
        with self.db.sessions() as session:
            rows = session.scalars(select(RoutingTestCase).where(RoutingTestCase.workstream_id == workstream_id)
                                   .order_by(RoutingTestCase.name)).all()
            return [{"id": r.id, "name": r.name, "context": dict(r.context), "expected_queue": r.expected_queue}
                    for r in rows]

    def save_test_case(self, workstream_id: str, name: str, context: dict, expected_queue: str) -> str:
        from app.routing.conditions import Issue

        if not name.strip():
            raise DocumentInvalid([Issue("name", "a test case needs a name")])
        if len(name) > NAME_MAX:
            raise DocumentInvalid([Issue("name", f"at most {NAME_MAX} characters")])
        with self.db.session() as session:
            self._get(session, WorkStream, workstream_id, "work stream")
            case = session.scalar(select(RoutingTestCase).where(RoutingTestCase.workstream_id == workstream_id,
                                                                RoutingTestCase.name == name))
            if case is None:
                case = RoutingTestCase(workstream_id=workstream_id, name=name)
                session.add(case)
            case.context, case.expected_queue = dict(context), expected_queue
            session.flush()
            return case.id

    def delete_test_case(self, case_id: str) -> None:
        with self.db.session() as session:
            session.delete(self._get(session, RoutingTestCase, case_id, "test case"))

    # ------------------------------------------------------------------ shared

    @staticmethod
    def _get(session: Session, model: type, object_id: str, what: str):
        obj = session.get(model, object_id)
        if obj is None:
            raise NotFound(f"the {what} no longer exists (deleted by someone else?)")
        return obj

    def _target(self, session: Session, model: type, object_id: str | None, expected_version: int | None, what: str):
        if object_id is None:
            return None
        obj = self._get(session, model, object_id, what)
        self._check_version(obj, expected_version, f"{what} '{obj.name}'")
        return obj

    @staticmethod
    def _check_version(obj: Any, expected_version: int | None, label: str) -> None:
        if expected_version is not None and obj.version != expected_version:
            logging.getLogger(__name__).warning("save conflict: %s is at version %s, the editor had %s",
                                                label, obj.version, expected_version)
            raise ConflictError(
                f"The {label} was changed by someone else since you opened it "
                f"(your version {expected_version}, now {obj.version})",
                current_version=obj.version,
            )

    @staticmethod
    def _name_clash(session: Session, model: type, name: str, own_id: str | None, what: str) -> list[Issue]:
        from app.routing.conditions import Issue

        # Compared case-folded in Python: SQL lower() folds ASCII only on SQLite.
        wanted = name.casefold()
        clash = next((n for n in session.scalars(select(model.name).where(model.id != (own_id or "")))
                      if n.casefold() == wanted), None)
        article = "an" if what[0] in "aeiou" else "a"
        return [Issue("name", f"{article} {what} named '{clash}' already exists")] if clash else []

    # ------------------------------------------------------------------ the work streams list, a page at a time

    WORKSTREAM_ORDERS = lists.WORKSTREAM_ORDERS

    def list_workstream_page(self, state: str = "all", search: str = "", after_key: tuple | None = None,
                             limit: int = 200, order: str = "name", descending: bool = False,
                             through_id: str | None = None, with_counts: bool = False) -> dict:
        """One page of the work streams list (app.services.lists.list_workstream_page)."""
        return lists.list_workstream_page(self.db, state, search, after_key, limit, order, descending, through_id,
                                          with_counts)


def _drop_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_drop_ids(v) for v in value]
    return value
