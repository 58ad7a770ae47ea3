"""The work-distribution simulator: who gets which conversation, and when.

A ``Simulator`` holds agents, queues and conversations built from a
configuration document, and moves them through time on an injected ``Clock``.
Actions (a conversation arrives, an agent accepts, a customer goes quiet ...)
happen at ``clock.now()``; timers (pop expiry, decline cool-down, wrap-up,
auto-close) fire from a heap, in time order with a sequence number breaking
ties, whenever an action runs or ``advance_to`` is called.  Every change is
reported as an event dict to the subscribed listeners.

Rules (push mode):

* a routed conversation is offered to one eligible agent at a time; eligible =
  member of the queue, presence base allowed by the work stream, free capacity
  ≥ the stream's capacity, not cooling down for this conversation;
* best agent = most free capacity, then the oldest last offer/assignment
  (never offered first), then name;
* ``direct_open`` assigns at once; the screen pops expire after
  ``screen_pop_timeout_s``; only ``screen_pop_decline`` may be declined; an
  offer holds its capacity until accepted, declined or expired;
* after a decline or expiry the agent cools down for ``assign_after_decline_s``
  and the conversation goes at once to the next eligible agent, or waits;
* waiting conversations of a queue are offered oldest first whenever an agent
  may have become eligible (presence, capacity released or raised, cool-down
  over).  A conversation keeps its age when it waits again after a decline.

Pick mode: conversations wait among the queue's open work items until a member
with the capacity picks one (presence is not checked: picking is the agent's own
act).  Ended conversations keep their capacity blocked for ``wrap_up_block_s``;
auto-closed ones release it at once.

Events besides the spec's list: ``capacity_changed`` (set_capacity) and a
``reason`` on ``queued`` (no_eligible_agent | pick_mode | closed) and on
``capacity_released`` (declined, offer_expired, withdrawn, ended, wrap_up_over,
auto_close, reconnected).

Document version 2 (README "Work distribution rules"; ``distribution.py`` and ``hours.py``
hold the pieces): classification attaches skills (``classified``); ``exact`` / ``closest``
skill matching; a split rule takes one seeded draw per conversation (``routed`` carries
``draw``); the queue's assignment method (highest capacity keeps the ranking heap above,
the others scan the members, grouped once by skill coverage); an agent's queues drain by
priority; a ``profile`` stream needs a free slot of its capacity profile instead of units;
operating hours (with a ``start``) keep conversations in a closed queue until it opens;
overflow on entering a queue (``overflowed``); a missed pop may set the agent's presence;
declines may carry a reason; ``reconnect`` returns a closed conversation to its last agent
within the stream's window, or routes it anew.

Listeners run synchronously and must not call actions themselves (that raises
RuntimeError); a GUI should queue what it wants to do next.
"""
from __future__ import annotations

from app.common.names import name_key

import bisect
import heapq
import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from pydantic import ValidationError

from app.simulation.clock import Clock, VirtualClock
from app.simulation.distribution import (
    HIGHEST_CAPACITY,
    ROUND_ROBIN,
    SkillCatalogue,
    coverage_key,
    qualifies,
)
from app.simulation.hours import QueueHours, parse_start
from app.routing.conditions import variables_used
from app.config.document import ConfigDocument, check_references, dump, issues_from_pydantic
from app.common.errors import UserError
from app.routing.router import (
    Classification,
    CompiledClassifier,
    CompiledRouter,
    RouteResult,
    coerce_context,
    compile_classifier,
    compile_workstream,
    percentage_draw,
    pick_target,
)
from models.choices import BASE_PRESENCE_NAMES

Event = dict[str, Any]
Listener = Callable[[Event], None]

# Conversation states.
UNROUTED = "unrouted"  # no rule matched and the stream has no default queue
QUEUED = "queued"      # waiting in a queue (push) or an open work item (pick)
OFFERED = "offered"    # a screen pop is outstanding
ACTIVE = "active"
WAITING = "waiting"    # the customer went quiet
CLOSED = "closed"

# Timer kinds.
_OFFER_EXPIRY, _COOLDOWN_END, _WRAP_UP_END, _AUTO_CLOSE, _QUEUE_OPENS = range(5)

_NEVER = -math.inf


def json_time(value: float | None) -> float | int | None:
    """Seconds as JSON: a whole number when it is one."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------- configuration

def normalize_config(doc: Mapping[str, Any]) -> dict:
    """The document with every default filled in; UserError if it isn't valid."""
    try:
        parsed = ConfigDocument.model_validate(doc)
    except ValidationError as error:
        raise UserError(f"configuration: {issues_from_pydantic(error)[0]}") from None
    issues = check_references(parsed)
    if issues:
        raise UserError(f"configuration: {issues[0]}")
    return dump(parsed)


def _fold(name: str) -> str:
    return name_key(name)  # the one rule: case-insensitive, composed (NFC)


ROUTE_CACHE_SIZE = 1024  # routes remembered per work stream (see _Stream.route)


def _exact(value: Any) -> tuple:
    """A cache-key part that tells apart what ``==`` does not: 1 / 1.0 / True, 0.0 / -0.0."""
    kind = value.__class__
    return (kind, value.hex()) if kind is float else (kind, value)


@dataclass(frozen=True, eq=False)
class _Stream:
    name: str
    router: CompiledRouter
    doc: dict
    capacity: int
    mode: str
    notification: str
    timeout_s: int
    allowed: frozenset[str]
    cooldown_s: int
    wrap_up_s: int
    auto_close_s: int
    reads: tuple[str, ...] = ()  # the context variables its rules read
    routes: dict[tuple, RouteResult] = field(default_factory=dict)
    # version 2: None when the stream has no classification rules (nothing to classify)
    classifier: CompiledClassifier | None = None
    skill_matching: str = "none"
    profile: str | None = None       # folded capacity profile name of a profile-format stream
    profile_name: str | None = None
    missed_presence: str | None = None  # presence name set when a pop expires (None: unchanged)
    decline_reasons: dict[str, str] = field(default_factory=dict)  # folded -> as written
    reconnect_s: int = 0
    default_queue: str | None = None  # folded: the queue that ignores overflow
    requirements: dict[int, tuple] = field(default_factory=dict)  # id(Classification) -> requirements
    catalogue: SkillCatalogue | None = None  # rating positions for the requirements

    @classmethod
    def from_doc(cls, ws: dict, catalogue: SkillCatalogue | None = None) -> "_Stream":
        reads: set[str] = set()
        for rule in ws.get("routing_rules", []):
            reads |= variables_used(rule.get("condition", {}))
        profile = ws.get("capacity_profile") if ws.get("capacity_format") == "profile" else None
        stream = cls(
            name=ws["name"],
            router=compile_workstream(ws),
            doc=ws,
            capacity=ws["capacity"],
            mode=ws["distribution_mode"],
            notification=ws["notification"],
            timeout_s=ws["screen_pop_timeout_s"],
            allowed=frozenset(ws["allowed_presences"]),
            cooldown_s=ws["assign_after_decline_s"],
            wrap_up_s=ws["wrap_up_block_s"],
            auto_close_s=ws["auto_close_after_inactivity_s"],
            reads=tuple(sorted(reads)),
            classifier=compile_classifier(ws) if ws.get("classification_rules") else None,
            skill_matching=ws.get("skill_matching", "none"),
            profile=_fold(profile) if profile else None,
            profile_name=profile,
            missed_presence=ws.get("missed_notification_presence"),
            decline_reasons={_fold(reason): reason for reason in ws.get("decline_reasons", [])},
            # the window is keep-same-agent's: without it a returning conversation is routed anew
            reconnect_s=ws.get("reconnect_window_s", 0) if ws.get("keep_same_agent") else 0,
            default_queue=_fold(ws["default_queue"]) if ws.get("default_queue") else None,
            catalogue=catalogue,
        )
        return stream

    def requirements_of(self, classification: Classification) -> tuple:
        """The classification's skills as (folded skill, minimum position, ...) for matching; () under 'none'."""
        if self.skill_matching == "none" or not classification.skills:
            return ()
        key = id(classification)  # the classifier keeps one object per rule for its lifetime
        found = self.requirements.get(key)
        if found is None:
            found = self.requirements[key] = (self.catalogue or SkillCatalogue({})).requirements(classification.skills)
        return found

    def route(self, context: Mapping[str, Any]) -> RouteResult:
        """``router.route(context)``, remembered: a route (queue, rule and trace) depends only on the
        values of the variables the rules read — an absent variable reads as None — so
        conversations with the same values share one result (and its trace, which is read-only).
        Building the trace is most of what an arrival costs; contact-centre contexts repeat a lot."""
        reads = self.reads
        key = tuple([_exact(context.get(name)) for name in reads]) if reads else ()  # no rules: one route
        routes = self.routes
        try:
            result = routes.get(key)
        except TypeError:  # an unhashable value (typed contexts hold none): no caching
            return self.router.route(context)
        if result is None:
            result = self.router.route(context)
            if len(routes) >= ROUTE_CACHE_SIZE:
                routes.clear()
            routes[key] = result
        return result


@dataclass(eq=False, slots=True)
class _Agent:
    name: str
    presence: str
    base: str
    capacity: int
    used: int = 0            # held by offers, active conversations and wrap-up
    wrap_up_units: int = 0
    last_touch: float = _NEVER  # last offer or assignment
    active: dict[str, None] = field(default_factory=dict)   # ordered set of conversation ids
    offers: dict[str, float] = field(default_factory=dict)  # conversation id -> expires_at
    queues: list[str] = field(default_factory=list)
    rankings: list["_Queue"] = field(default_factory=list)  # the queues that rank this agent
    version: int = 0  # bumped when its ranking key or presence changes (older entries are stale)
    skills: dict[str, str] = field(default_factory=dict)        # skill name -> rating, as written
    held: dict[str, int] = field(default_factory=dict)          # folded skill -> rating position
    profile_limits: dict[str, int] = field(default_factory=dict)  # folded profile -> work item limit
    profile_free: dict[str, int] = field(default_factory=dict)    # folded profile -> free slots (limit - held)
    last_release: float = _NEVER  # when it last released capacity (least_active)
    drain_groups: list[list["_Queue"]] = field(default_factory=list)  # its queues by priority, highest first
    least_need: int = 0  # the fewest units any units-format stream needs: with less free it is left unranked

    @property
    def free(self) -> int:
        return self.capacity - self.used


@dataclass(eq=False)
class _Queue:
    name: str
    members: list[_Agent] = field(default_factory=list)
    member_names: set[str] = field(default_factory=set)
    # push: per work stream, (arrival number, conversation id) kept sorted = oldest first
    waiting: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # pick: conversation ids in arrival order
    open_items: dict[str, None] = field(default_factory=dict)
    # per base presence, a heap of (-free, last_touch, name, version, agent): the best agent
    # first; entries whose version is not the agent's are stale and dropped when met
    ranking: dict[str, list[tuple]] = field(default_factory=dict)
    priority: int = 10_000
    method: str = HIGHEST_CAPACITY
    rr_last: int = -1  # round robin: the member position last offered or assigned
    positions: dict[str, int] = field(default_factory=dict)  # member name -> its place in the queue's order
    all_members: list[list[tuple[int, _Agent]]] = field(default_factory=lambda: [[]])  # [(position, agent)]: one group
    skill_groups: dict[int, list] = field(default_factory=dict)  # id(requirements) -> _skill_groups
    hours: QueueHours | None = None  # None: always open
    overflow: tuple[dict, ...] = ()
    anyway_waiting: int = 0  # waiting conversations that may be assigned while the queue is closed
    opening_timer: float | None = None  # when a _QUEUE_OPENS timer is due (one at a time)


@dataclass(eq=False, slots=True)
class _Conversation:
    id: str
    stream: _Stream
    arrival: int
    arrived_at: float
    route: RouteResult
    queue: _Queue | None
    state: str = QUEUED
    agent: str | None = None
    units: int = 0
    offer_agent: str | None = None
    offer_expires_at: float | None = None
    offer_token: int = 0
    cooldowns: dict[str, float] = field(default_factory=dict)  # agent -> until
    idle_token: int = 0
    idle_since: float | None = None
    closed_reason: str | None = None
    context: dict = field(default_factory=dict)   # typed; kept for a reconnect routed anew
    skills: dict[str, str] = field(default_factory=dict)  # what classification attached
    requirements: tuple = ()     # skills to match (empty under skill matching 'none')
    held_profile: str | None = None  # folded capacity profile it holds a slot of
    anyway: bool = False         # may be assigned while its queue is closed (overflow: assign anyway)
    last_agent: str | None = None
    closed_at: float | None = None
    wrapping: bool = False       # closed, its capacity still blocked by wrap-up
    wrap_token: int = 0

    @property
    def waiting_key(self) -> tuple[int, str]:
        return (self.arrival, self.id)


def _ranking_entry(agent: _Agent) -> tuple:
    return (agent.used - agent.capacity, agent.last_touch, agent.name, agent.version, agent)


def _position_of(member: tuple[int, _Agent]) -> int:
    return member[0]


def _skill_groups(members: list[_Agent], requirements: tuple, matching: str) -> list[list[tuple[int, _Agent]]]:
    """The members a conversation with these requirements may go to, as (queue position, agent)
    groups in queue order: ``exact`` one group of the qualified; ``closest`` every member, one
    group per coverage (best first)."""
    if matching == "exact":
        return [[(position, agent) for position, agent in enumerate(members) if qualifies(agent.held, requirements)]]
    by_coverage: dict[tuple, list[tuple[int, _Agent]]] = {}
    for position, agent in enumerate(members):
        by_coverage.setdefault(coverage_key(agent.held, requirements), []).append((position, agent))
    return [by_coverage[key] for key in sorted(by_coverage)]


def _rerank(agent: _Agent) -> None:
    """Its key or presence changed: a fresh entry in each of its queues' rankings -- unless it
    has less free capacity than any stream needs (a hold that fills it): nobody would take that
    entry, and ``_best_agent`` finds the same agent without it (it only ever stops at one)."""
    version = agent.version = agent.version + 1
    free = agent.capacity - agent.used
    if free < agent.least_need:
        return
    entry = (-free, agent.last_touch, agent.name, version, agent)  # _ranking_entry, inline
    base = agent.base
    for queue in agent.rankings:
        heap = queue.ranking.get(base)
        if heap is None:
            heap = queue.ranking[base] = []
        heapq.heappush(heap, entry)
        if len(heap) > 2 * len(queue.members) + 64:  # mostly stale: rebuild it
            heap[:] = [_ranking_entry(member) for member in queue.members if member.base == base]
            heapq.heapify(heap)


# --------------------------------------------------------------------------- snapshots

@dataclass(frozen=True)
class OfferView:
    conversation: str
    expires_at: float | None


@dataclass(frozen=True)
class AgentView:
    name: str
    presence: str
    base: str
    capacity: int
    free_capacity: int  # may be negative after the capacity was lowered under load
    wrap_up_units: int
    active: tuple[str, ...]
    offers: tuple[OfferView, ...]
    queues: tuple[str, ...]
    last_offer_or_assignment_at: float | None
    skills: dict[str, str] = field(default_factory=dict)    # skill -> rating
    profiles: dict[str, int] = field(default_factory=dict)  # capacity profile -> this agent's work item limit


@dataclass(frozen=True)
class ConversationView:
    id: str
    workstream: str
    queue: str | None
    state: str
    agent: str | None
    offered_to: str | None
    offer_expires_at: float | None
    rule: str | None
    fallback: bool
    trace: list[dict]  # shared with other conversations routed the same way: read-only
    arrived_at: float
    idle_since: float | None
    closed_reason: str | None
    cooldowns: dict[str, float]  # agent -> when it may be offered this conversation again
    skills: dict[str, str] = field(default_factory=dict)  # the skills classification attached (skill -> rating)
    draw: float | None = None  # the percentage draw that chose its queue (a split rule only)


@dataclass(frozen=True)
class QueueView:
    name: str
    members: tuple[str, ...]
    waiting: tuple[str, ...]          # push conversations waiting for an agent, oldest first
    open_work_items: tuple[str, ...]  # pick conversations, oldest first
    priority: int = 10_000            # lower is offered first to an agent in several queues
    assignment_method: str = HIGHEST_CAPACITY
    is_open: bool = True              # by its operating hours at the simulator's time


# --------------------------------------------------------------------------- the simulator

class Simulator:
    """Work distribution over a configuration document, on an injected clock."""

    def __init__(self, config_doc: Mapping[str, Any], clock: Clock, seed: int = 0,
                 start: datetime | str | None = None):
        """``seed`` makes the percentage draws reproducible; ``start`` is the local date-time of
        simulated second 0 for operating hours (None: no calendar, every queue always open)."""
        self._clock = clock
        self._rng = random.Random(seed)
        self._start = parse_start(start)
        self._time: float = clock.now()
        self._timers: list[tuple] = []
        self._timer_seq = 0
        self._arrivals = 0
        self._listeners: list[Listener] = []
        # The commonest events' direct hooks (see LabSimulator): when one is set, that event goes to it
        # as ``hook(fields)`` -- the fields with ``"t"`` last -- instead of through ``_emit``.
        self._direct_routed = self._direct_assigned = self._direct_offered = self._direct_accepted = None
        self._direct_released = self._direct_closed = None
        self._busy = False
        doc = normalize_config(config_doc)
        self._presences = self._build_presences(doc)
        self._catalogue = SkillCatalogue(doc)
        # folded profile -> (name, default work item limit)
        self._profiles = {_fold(p["name"]): (p["name"], p["work_item_limit"]) for p in doc["capacity_profiles"]}
        self._agents: dict[str, _Agent] = {}
        self._agent_by_fold: dict[str, _Agent] = {}
        for agent_doc in doc["agents"]:
            self._add_agent(agent_doc)
        self._queues: dict[str, _Queue] = {}
        self._queue_by_fold: dict[str, _Queue] = {}
        for queue_doc in doc["queues"]:
            self._add_queue(queue_doc)
        self._streams: dict[str, _Stream] = {}
        self._stream_by_fold: dict[str, _Stream] = {}
        for agent in self._agents.values():  # priority first (lower number), document order within one
            by_priority: dict[int, list[_Queue]] = {}
            for queue in agent.rankings:
                by_priority.setdefault(queue.priority, []).append(queue)
            agent.drain_groups = [by_priority[p] for p in sorted(by_priority)]
        for ws in doc["workstreams"]:
            stream = _Stream.from_doc(ws, self._catalogue)
            self._streams[stream.name] = stream
            self._stream_by_fold[_fold(stream.name)] = stream
        needs = [stream.capacity for stream in self._streams.values() if stream.profile is None]
        for agent in self._agents.values():
            agent.least_need = min(needs, default=0)
        self._conversations: dict[str, _Conversation] = {}

    # ----------------------------------------------------------------- construction

    @staticmethod
    def _build_presences(doc: dict) -> dict[str, tuple[str, str]]:
        """Folded name -> (name, base); the five base presences always exist."""
        presences = {_fold(name): (name, base) for base, name in BASE_PRESENCE_NAMES.items()}
        for presence in doc["presences"]:
            presences[_fold(presence["name"])] = (presence["name"], presence["base"])
        return presences

    def _add_agent(self, agent_doc: dict) -> None:
        name, base = self._presences[_fold(agent_doc["presence"])]
        agent = _Agent(agent_doc["name"], name, base, agent_doc["capacity"])
        agent.skills = dict(agent_doc.get("skills", {}))
        agent.held = self._catalogue.held(agent.skills)
        agent.profile_limits = {key: limit for key, (_name, limit) in self._profiles.items()}
        for profile, limit in agent_doc.get("capacity_profiles", {}).items():
            agent.profile_limits[_fold(profile)] = limit
        agent.profile_free = dict(agent.profile_limits)
        self._agents[agent.name] = agent
        self._agent_by_fold[_fold(agent.name)] = agent

    def _add_queue(self, queue_doc: dict) -> None:
        queue = _Queue(queue_doc["name"])
        queue.priority = queue_doc.get("priority", queue.priority)
        queue.method = queue_doc.get("assignment_method", HIGHEST_CAPACITY)
        queue.overflow = tuple(queue_doc.get("overflow", []))
        if queue_doc.get("operating_hours") and self._start is not None:
            queue.hours = QueueHours(queue_doc["operating_hours"], self._start)
        for member in queue_doc["agents"]:
            agent = self._agent_by_fold[_fold(member)]
            queue.positions[agent.name] = len(queue.members)
            queue.all_members[0].append((len(queue.members), agent))
            queue.members.append(agent)
            queue.member_names.add(agent.name)
            agent.queues.append(queue.name)
            agent.rankings.append(queue)
            heapq.heappush(queue.ranking.setdefault(agent.base, []), _ranking_entry(agent))
        self._queues[queue.name] = queue
        self._queue_by_fold[_fold(queue.name)] = queue

    def _queue_named(self, name: str) -> _Queue:
        queue = self._queue_by_fold.get(_fold(name))
        if queue is None:  # a rule naming a queue the document lacks: an empty queue
            queue = _Queue(name)
            self._queues[name] = queue
            self._queue_by_fold[_fold(name)] = queue
        return queue

    # ----------------------------------------------------------------- listeners and time

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(event)`` for every event; returns a function that unsubscribes."""
        self._listeners = [*self._listeners, callback]  # a new list: an emit in progress keeps its own

        def unsubscribe() -> None:
            if callback in self._listeners:
                self._listeners = [listener for listener in self._listeners if listener is not callback]
        return unsubscribe

    @property
    def time(self) -> float:
        """The simulated time the simulator has reached."""
        return self._time

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def start(self) -> datetime | None:
        """The local date-time of simulated second 0 (operating hours); None: no calendar."""
        return self._start

    def next_timer_at(self) -> float | None:
        """When the next timer is due (stale, cancelled timers included)."""
        return self._timers[0][0] if self._timers else None

    def tick(self) -> None:
        """Process every timer due by the clock's current time (a GUI timer calls this)."""
        self.advance_to(self._clock.now())

    def advance_to(self, t: float) -> None:
        """Fire every timer due at or before ``t``, in time order."""
        with self._action():
            self._advance(t)

    def _advance(self, t: float) -> None:
        timers = self._timers
        while timers and timers[0][0] <= t:
            when, _seq, kind, a, b, token = heapq.heappop(timers)
            self._time = max(self._time, when)
            self._fire(kind, a, b, token)
        self._time = max(self._time, t)

    def _schedule(self, when: float, kind: int, a: Any, b: Any = None, token: Any = None) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (when, self._timer_seq, kind, a, b, token))

    def _action(self) -> "_ActionGuard":
        guard = self.__dict__.get("_guard")
        if guard is None:  # one guard per simulator, reused: actions are never nested
            guard = self._guard = _ActionGuard(self)
        return guard

    def _catch_up(self) -> None:
        self._advance(self._clock.now())

    def _emit(self, event: str, **fields: Any) -> None:
        listeners = self._listeners
        if not listeners:
            return
        t = self._time
        if t.__class__ is float and t.is_integer():  # json_time, inline: this runs for every event
            t = int(t)
        record: Event = {"t": t, "event": event, **fields}
        for listener in listeners:
            listener(record)

    def _reject(self, action: str, reason: str, **fields: Any) -> None:
        self._emit("action_rejected", action=action, reason=reason, **fields)

    # ----------------------------------------------------------------- lookups

    def _agent(self, name: str) -> _Agent | None:
        if not isinstance(name, str):
            return None
        return self._agents.get(name) or self._agent_by_fold.get(_fold(name))

    def _conversation(self, conversation_id: str) -> _Conversation | None:
        return self._conversations.get(conversation_id)

    def _lookup(self, action: str, agent_name: str | None, conversation_id: str | None,
                rejected: str = "action_rejected") -> tuple[_Agent | None, _Conversation | None] | None:
        """The agent and conversation an action names, or None after emitting a rejection."""
        agent = conversation = None
        if agent_name is not None:
            agent = self._agent(agent_name)
            if agent is None:
                self._emit(rejected, reason=f"unknown agent '{agent_name}'",
                           **self._rejection_fields(action, rejected, agent_name, conversation_id))
                return None
        if conversation_id is not None:
            conversation = self._conversations.get(conversation_id)
            if conversation is None:
                self._emit(rejected, reason=f"unknown conversation '{conversation_id}'",
                           **self._rejection_fields(action, rejected, agent.name if agent else agent_name,
                                                    conversation_id))
                return None
        return agent, conversation

    @staticmethod
    def _rejection_fields(action: str, rejected: str, agent_name: str | None, conversation_id: str | None) -> dict:
        fields = {"action": action} if rejected == "action_rejected" else {}
        if agent_name is not None:
            fields["agent"] = agent_name
        if conversation_id is not None:
            fields["conversation"] = conversation_id
        return fields

    # ----------------------------------------------------------------- actions

    def add_conversation(self, conversation_id: str, workstream: str, context: Mapping[str, Any] | None = None) -> None:
        """A conversation arrives on ``workstream``; context values may be typed or text."""
        if not isinstance(conversation_id, str):
            raise TypeError(f"conversation ids are text, not {type(conversation_id).__name__}")
        with self._action():
            self._catch_up()
            fields = {"action": "conversation", "conversation": conversation_id, "workstream": workstream}
            if conversation_id in self._conversations:
                self._emit("action_rejected", reason=f"conversation '{conversation_id}' already exists", **fields)
                return
            stream = self._streams.get(workstream) if isinstance(workstream, str) else None
            if stream is None:
                stream = self._stream_by_fold.get(_fold(workstream)) if isinstance(workstream, str) else None
            if stream is None:
                self._emit("action_rejected", reason=f"unknown work stream '{workstream}'", **fields)
                return
            try:
                typed = coerce_context(stream.doc, context) if context else {}
            except UserError as error:
                self._emit("action_rejected", reason=str(error), **fields)
                return
            self._arrive(conversation_id, stream, typed)

    # The trusted entry points of one driver on a virtual clock (the what-if lab's player): no
    # re-entrancy guard, name look-ups, context coercion or rejections, and the time as an
    # argument.  The caller names only conversations it added and canonical stream names, passes
    # contexts already typed (what ``coerce_context`` returns), and never calls from a listener.
    # Both first move the simulated time to ``t``, firing any timer due by then (as ``_catch_up``).

    def arrive_at(self, t: float, conversation_id: str, workstream: str, context: dict) -> None:
        """``add_conversation`` at ``t`` for a new id, a canonical stream name and a typed context."""
        timers = self._timers
        if timers and timers[0][0] <= t:
            self._advance(t)
        elif t > self._time:
            self._time = t
        self._arrive(conversation_id, self._streams[workstream], context)

    def end_at(self, t: float, conversation_id: str) -> None:
        """``end`` at ``t`` of a conversation this driver added (nothing if it is closed already)."""
        conv = self._conversations[conversation_id]
        if conv.state != CLOSED:
            timers = self._timers
            if timers and timers[0][0] <= t:
                self._advance(t)
            elif t > self._time:
                self._time = t
            self._end(conv)

    @property
    def timers(self) -> list[tuple]:
        """The timer heap, ``(when, seq, ...)`` soonest first: a driver's run loop reads ``timers[0][0]``
        (the same list for the simulator's life, never rebound)."""
        return self._timers

    def accept(self, agent: str, conversation: str) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("accept", agent, conversation)
            if found is None:
                return
            person, conv = found
            if not self._has_offer(person, conv, "accept"):
                return
            self._clear_offer(conv, person)
            person.last_touch = self._time
            _rerank(person)
            self._activate(conv, person)
            hook = self._direct_accepted
            if hook is not None:
                hook({"conversation": conv.id, "agent": person.name, "t": self._time})
            else:
                self._emit("accepted", conversation=conv.id, agent=person.name)

    def decline(self, agent: str, conversation: str, reason: str | None = None) -> None:
        """Decline an outstanding pop; ``reason`` must be one of the stream's decline reasons."""
        with self._action():
            self._catch_up()
            found = self._lookup("decline", agent, conversation)
            if found is None:
                return
            person, conv = found
            if not self._has_offer(person, conv, "decline"):
                return
            if conv.stream.notification != "screen_pop_decline":
                self._reject("decline", f"work stream '{conv.stream.name}' uses a screen pop with timeout: "
                                        "it can be accepted or left to expire, not declined",
                             agent=person.name, conversation=conv.id)
                return
            if reason is None:
                self._emit("declined", conversation=conv.id, agent=person.name)
            else:
                known = conv.stream.decline_reasons.get(_fold(reason)) if isinstance(reason, str) else None
                if known is None:
                    listed = ", ".join(f"'{r}'" for r in conv.stream.decline_reasons.values()) or "none"
                    self._reject("decline", f"{_describe(reason)} is not a decline reason of work stream "
                                            f"'{conv.stream.name}' (its reasons: {listed})",
                                 agent=person.name, conversation=conv.id)
                    return
                self._emit("declined", conversation=conv.id, agent=person.name, reason=known)
            self._after_refusal(conv, person, "declined")

    def pick(self, agent: str, conversation: str) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("pick", agent, conversation, rejected="pick_rejected")
            if found is None:
                return
            person, conv = found
            reason = self._pick_refusal(person, conv)
            if reason is not None:
                self._emit("pick_rejected", agent=person.name, conversation=conv.id, reason=reason)
                return
            del conv.queue.open_items[conv.id]
            self._hold(person, conv)
            self._activate(conv, person)
            self._emit("assigned", conversation=conv.id, agent=person.name, via="pick")

    def set_presence(self, agent: str, presence: str) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("presence", agent, None)
            if found is None:
                return
            person = found[0]
            resolved = self._presences.get(_fold(presence)) if isinstance(presence, str) else None
            if resolved is None:
                self._reject("presence", f"unknown presence '{presence}'", agent=person.name)
                return
            person.presence, person.base = resolved
            _rerank(person)
            self._emit("presence_changed", agent=person.name, presence=person.presence, base=person.base)
            self._drain_agent(person)

    def set_capacity(self, agent: str, units: int) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("capacity", agent, None)
            if found is None:
                return
            person = found[0]
            if isinstance(units, bool) or not isinstance(units, int) or units < 0:
                self._reject("capacity", f"capacity must be a whole number ≥ 0, not {units!r}", agent=person.name)
                return
            person.capacity = units
            _rerank(person)
            self._emit("capacity_changed", agent=person.name, capacity=units, free=person.free)
            self._drain_agent(person)

    def end(self, conversation: str) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("end", None, conversation)
            if found is None:
                return
            conv = found[1]
            if conv.state == CLOSED:
                self._reject("end", f"conversation '{conv.id}' is already closed", conversation=conv.id)
                return
            self._end(conv)

    def reconnect(self, conversation: str) -> None:
        """A closed conversation's customer comes back.  Within the stream's reconnect window
        (seconds since it closed; 0 = none) it goes straight back to its last agent, whatever
        that agent's capacity and presence; otherwise it is classified and routed anew."""
        with self._action():
            self._catch_up()
            found = self._lookup("reconnect", None, conversation)
            if found is None:
                return
            conv = found[1]
            if conv.state != CLOSED:
                self._reject("reconnect", f"conversation '{conv.id}' is {conv.state}, not closed",
                             conversation=conv.id)
                return
            window = conv.stream.reconnect_s
            within = (conv.last_agent is not None and window > 0 and conv.closed_at is not None
                      and self._time - conv.closed_at <= window)
            self._emit("reconnected", conversation=conv.id, agent=conv.last_agent if within else None,
                       within_window=within)
            if within:
                self._return_to_last_agent(conv)
            else:
                self._route_anew(conv)

    def customer_idle(self, conversation: str) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("customer_idle", None, conversation)
            if found is None:
                return
            conv = found[1]
            if conv.state != ACTIVE:
                self._reject("customer_idle", f"conversation '{conv.id}' is {conv.state}, not active",
                             conversation=conv.id)
                return
            conv.state = WAITING
            conv.idle_since = self._time
            conv.idle_token += 1
            if conv.stream.auto_close_s > 0:
                self._schedule(self._time + conv.stream.auto_close_s, _AUTO_CLOSE, conv.id, None, conv.idle_token)
            self._emit("waiting", conversation=conv.id, agent=conv.agent)

    def customer_active(self, conversation: str) -> None:
        with self._action():
            self._catch_up()
            found = self._lookup("customer_active", None, conversation)
            if found is None:
                return
            conv = found[1]
            if conv.state != WAITING:
                self._reject("customer_active", f"conversation '{conv.id}' is {conv.state}, not waiting",
                             conversation=conv.id)
                return
            conv.state = ACTIVE
            conv.idle_since = None
            conv.idle_token += 1  # cancels the auto-close timer
            self._emit("active", conversation=conv.id, agent=conv.agent)

    # ----------------------------------------------------------------- arrival and placement

    def _arrive(self, conversation_id: str, stream: _Stream, context: dict) -> None:
        self._arrivals += 1
        conv = _Conversation(conversation_id, stream, self._arrivals, self._time, None, None, context=context)
        self._conversations[conv.id] = conv
        self._classify_and_route(conv)

    def _classify_and_route(self, conv: _Conversation) -> None:
        stream = conv.stream
        context = conv.context
        if stream.classifier is not None:
            classification = stream.classifier.classify(context)
            conv.skills = classification.skills
            conv.requirements = stream.requirements_of(classification)
            self._emit("classified", conversation=conv.id, skills=dict(classification.skills),
                       rule=classification.rule)
        result = stream.route(context)
        if result.targets:  # a split: one seeded draw per conversation picks the queue
            draw = percentage_draw(self._rng)
            result = replace(result, queue=pick_target(result.targets, draw), draw=draw)
        conv.route = result
        name = result.queue
        queue = (self._queues.get(name) or self._queue_named(name)) if name is not None else None
        conv.queue = queue
        if result.draw is None:
            hook = self._direct_routed
            if hook is not None:
                hook({"conversation": conv.id, "workstream": stream.name, "queue": queue.name if queue else None,
                      "rule": result.rule, "fallback": result.fallback, "t": self._time})
            else:
                self._emit("routed", conversation=conv.id, workstream=stream.name,
                           queue=queue.name if queue else None, rule=result.rule, fallback=result.fallback)
        else:
            self._emit("routed", conversation=conv.id, workstream=stream.name, queue=queue.name, rule=result.rule,
                       fallback=result.fallback, draw=result.draw)
        if queue is None:
            conv.state = UNROUTED
            return
        if queue.overflow:
            self._enter(conv, queue, set())
        else:
            self._place(conv)

    def _enter(self, conv: _Conversation, queue: _Queue, visited: set[str]) -> None:
        """The conversation comes to ``queue``: its overflow rules first (not for the stream's
        default queue, nor for a queue this chain of transfers already left), then placement."""
        conv.queue = queue
        rule = None
        if queue.overflow and _fold(queue.name) != conv.stream.default_queue and queue.name not in visited:
            rule = self._overflow_rule(queue)
        if rule is None:
            self._place(conv)
            return
        when, action = rule["when"], rule["action"]
        if action == "transfer":
            target = self._queue_named(rule["queue"])
            self._emit("overflowed", conversation=conv.id, queue=queue.name, when=when, action=action,
                       to=target.name)
            visited.add(queue.name)
            self._enter(conv, target, visited)
        elif action == "end":
            self._emit("overflowed", conversation=conv.id, queue=queue.name, when=when, action=action,
                       reason=rule.get("reason", ""))
            conv.state = CLOSED
            conv.closed_reason = "overflow"
            conv.closed_at = self._time
            self._emit("closed", conversation=conv.id, reason="overflow")
        else:  # assign_anyway: into the queue as it is, even while it is closed
            self._emit("overflowed", conversation=conv.id, queue=queue.name, when=when, action=action)
            if when == "closed":
                conv.anyway = True
            self._place(conv)

    def _overflow_rule(self, queue: _Queue) -> dict | None:
        """The first overflow rule whose condition holds: the queue is closed, or more than
        ``limit`` conversations would be waiting in it with this one."""
        for rule in queue.overflow:
            if rule["when"] == "closed":
                if queue.hours is not None and not queue.hours.is_open(self._time):
                    return rule
            elif self._waiting_count(queue) >= rule["limit"]:
                return rule
        return None

    @staticmethod
    def _waiting_count(queue: _Queue) -> int:
        return sum(len(keys) for keys in queue.waiting.values()) + len(queue.open_items)

    def _place(self, conv: _Conversation) -> None:
        """Offer (or assign) at once to the best eligible agent, or wait in the queue."""
        queue = conv.queue
        conv.state = QUEUED
        if conv.stream.mode == "pick":
            queue.open_items[conv.id] = None
            self._emit("queued", conversation=conv.id, queue=queue.name, reason="pick_mode")
            return
        if queue.hours is not None and not conv.anyway and not queue.hours.is_open(self._time):
            self._wait(queue, conv)
            self._emit("queued", conversation=conv.id, queue=queue.name, reason="closed")
            self._watch_opening(queue)
            return
        agent, _ = self._best_agent(conv)
        if agent is not None:
            self._dispatch(conv, agent)
            return
        self._wait(queue, conv)
        self._emit("queued", conversation=conv.id, queue=queue.name, reason="no_eligible_agent")

    @staticmethod
    def _wait(queue: _Queue, conv: _Conversation) -> None:
        bisect.insort(queue.waiting.setdefault(conv.stream.name, []), conv.waiting_key)
        if conv.anyway:
            queue.anyway_waiting += 1

    def _watch_opening(self, queue: _Queue) -> None:
        """A timer at the queue's next opening, so its waiting conversations are offered then."""
        if queue.opening_timer is not None and queue.opening_timer > self._time:
            return  # already watched (or it never opens within a simulation's reach: inf)
        opens = queue.hours.next_change(self._time)
        if opens is None:
            queue.opening_timer = math.inf
            return
        queue.opening_timer = opens
        self._schedule(opens, _QUEUE_OPENS, queue.name, None, opens)

    def _return_to_last_agent(self, conv: _Conversation) -> None:
        agent = self._agents[conv.last_agent]
        if conv.wrapping:  # its wrap-up still blocks the capacity: the conversation takes it back
            conv.wrapping = False
            conv.wrap_token += 1
            agent.wrap_up_units -= conv.units
        else:
            self._hold(agent, conv)
        conv.closed_reason = None
        conv.closed_at = None
        self._activate(conv, agent)
        self._emit("assigned", conversation=conv.id, agent=agent.name, via="reconnect")

    def _route_anew(self, conv: _Conversation) -> None:
        if conv.wrapping:  # the agent's wrap-up for it ends now; the conversation starts over
            agent = self._agents[conv.agent]
            conv.wrapping = False
            conv.wrap_token += 1
            agent.wrap_up_units -= conv.units
            self._release(agent, conv, "reconnected")
        else:
            agent = None
        self._arrivals += 1
        conv.arrival = self._arrivals
        conv.arrived_at = self._time
        conv.agent = None
        conv.cooldowns = {}
        conv.anyway = False
        conv.closed_reason = None
        conv.closed_at = None
        self._classify_and_route(conv)
        if agent is not None:
            self._drain_agent(agent)

    def _best_agent(self, conv: _Conversation) -> tuple[_Agent | None, bool]:
        """The best eligible agent, and whether anyone fits ignoring cool-downs.

        The second answer is the same for every conversation of the stream in
        this queue, so a drain can stop looking at the stream when it is False.

        Per allowed base presence, the queue's ranking heap holds its members best
        first (most free capacity, oldest last offer or assignment, name): the first
        fresh entry with enough free capacity that is not cooling down for this
        conversation is that presence's best; nobody after an entry without enough
        free capacity can fit.  The same agent as a scan of every member picks,
        without looking at every member.

        That heap is today's rule (highest capacity, in units, no skills); anything else --
        another assignment method, a capacity profile, skills to match -- scans the members.
        """
        if conv.requirements or conv.stream.profile is not None or conv.queue.method is not HIGHEST_CAPACITY:
            return self._best_agent_by_scan(conv)
        need = conv.stream.capacity
        cooldowns = conv.cooldowns
        now = self._time
        ranking = conv.queue.ranking
        best: _Agent | None = None
        best_entry: tuple | None = None
        anyone_fits = False
        for base in conv.stream.allowed:
            heap = ranking.get(base)
            if not heap:
                continue
            cooling: list[tuple] | None = None
            while heap:
                entry = heap[0]
                agent = entry[4]
                if entry[3] != agent.version:
                    heapq.heappop(heap)
                    continue
                if -entry[0] < need:
                    break
                anyone_fits = True
                if cooldowns and now < cooldowns.get(agent.name, _NEVER):
                    if cooling is None:
                        cooling = []
                    cooling.append(heapq.heappop(heap))
                    continue
                if best_entry is None or entry < best_entry:
                    best, best_entry = agent, entry
                break
            if cooling:
                for entry in cooling:
                    heapq.heappush(heap, entry)
        return best, anyone_fits

    def _best_agent_by_scan(self, conv: _Conversation) -> tuple[_Agent | None, bool]:
        """``_best_agent`` by looking at the members: presence, free capacity (units or a slot of
        the stream's profile), skills (``exact`` keeps the qualified; ``closest`` tries the members
        by coverage, best first), the queue's assignment method, cool-downs.

        The members are grouped once per queue and requirement set (skills don't change during a
        simulation): a group is only looked at when no member of a better-covering one is free.
        Round robin takes the first eligible member after the last one offered, so it stops there.
        The second answer ignores cool-downs and skills (both are per conversation), so a drain
        drops a stream only when nobody fits it at all."""
        stream = conv.stream
        queue = conv.queue
        requirements = conv.requirements
        if requirements:
            key = id(requirements)
            groups = queue.skill_groups.get(key)
            if groups is None:
                groups = queue.skill_groups[key] = _skill_groups(queue.members, requirements, stream.skill_matching)
        else:
            groups = queue.all_members
        allowed = stream.allowed
        need = stream.capacity
        profile = stream.profile
        method = queue.method
        cooldowns = conv.cooldowns
        now = self._time
        if method is HIGHEST_CAPACITY:  # the common case, without a key tuple per member
            for group in groups:
                best: _Agent | None = None
                best_free = 0
                for _position, agent in group:
                    if agent.base not in allowed:
                        continue
                    if profile is None:
                        free = agent.capacity - agent.used
                        if free < need:
                            continue
                    else:
                        free = agent.profile_free.get(profile, 0)
                        if free < 1:
                            continue
                    if cooldowns and now < cooldowns.get(agent.name, _NEVER):
                        continue
                    if (best is None or free > best_free
                            or (free == best_free and (agent.last_touch < best.last_touch
                                                       or (agent.last_touch == best.last_touch
                                                           and agent.name < best.name)))):
                        best, best_free = agent, free
                if best is not None:
                    return best, True
            return None, self._anyone_fits(queue, stream)
        round_robin = method == ROUND_ROBIN
        for group in groups:
            best = None
            best_key: tuple | None = None
            if round_robin:  # the members after the last one offered, then from the top
                split = bisect.bisect_right(group, queue.rr_last, key=_position_of)
                order: Iterable = (group[split:], group[:split])
            else:
                order = (group,)
            for part in order:
                for position, agent in part:
                    if agent.base not in allowed:
                        continue
                    if profile is None:
                        if agent.capacity - agent.used < need:
                            continue
                    elif agent.profile_free.get(profile, 0) < 1:
                        continue
                    if cooldowns and now < cooldowns.get(agent.name, _NEVER):
                        continue
                    if round_robin:
                        return agent, True
                    # least_active: longest since the last capacity release, then the queue's order
                    candidate = (agent.last_release, position)
                    if best_key is None or candidate < best_key:
                        best, best_key = agent, candidate
            if best is not None:
                return best, True
        return None, self._anyone_fits(queue, stream)

    @staticmethod
    def _anyone_fits(queue: _Queue, stream: _Stream) -> bool:
        """Whether any member has the presence and free capacity (units or profile slot) the stream needs."""
        allowed = stream.allowed
        profile = stream.profile
        for agent in queue.members:
            if agent.base not in allowed:
                continue
            if profile is None:
                if agent.capacity - agent.used >= stream.capacity:
                    return True
            elif agent.profile_free.get(profile, 0) >= 1:
                return True
        return False

    def _dispatch(self, conv: _Conversation, agent: _Agent) -> None:
        stream = conv.stream
        queue = conv.queue
        if queue.method == ROUND_ROBIN:
            queue.rr_last = queue.positions[agent.name]
        self._hold(agent, conv)
        if stream.notification == "direct_open":
            self._activate(conv, agent)
            hook = self._direct_assigned
            if hook is not None:
                hook({"conversation": conv.id, "agent": agent.name, "via": "direct_open", "t": self._time})
            else:
                self._emit("assigned", conversation=conv.id, agent=agent.name, via="direct_open")
            return
        expires_at = self._time + stream.timeout_s
        conv.state = OFFERED
        conv.offer_agent = agent.name
        conv.offer_expires_at = expires_at
        conv.offer_token += 1
        agent.offers[conv.id] = expires_at
        self._schedule(expires_at, _OFFER_EXPIRY, conv.id, agent.name, conv.offer_token)
        hook = self._direct_offered
        if hook is not None:
            hook({"conversation": conv.id, "agent": agent.name, "expires_at": json_time(expires_at), "t": self._time})
        else:
            self._emit("offered", conversation=conv.id, agent=agent.name, expires_at=json_time(expires_at))

    def _hold(self, agent: _Agent, conv: _Conversation) -> None:
        profile = conv.stream.profile
        if profile is None:
            conv.units = conv.stream.capacity
            agent.used += conv.units
        else:  # a profile-format stream takes one slot of its profile, no units
            conv.units = 0
            conv.held_profile = profile
            agent.profile_free[profile] = agent.profile_free.get(profile, 0) - 1
        agent.last_touch = self._time
        _rerank(agent)

    def _activate(self, conv: _Conversation, agent: _Agent) -> None:
        conv.state = ACTIVE
        conv.agent = agent.name
        conv.last_agent = agent.name
        agent.active[conv.id] = None

    # ----------------------------------------------------------------- offers

    def _has_offer(self, agent: _Agent, conv: _Conversation, action: str) -> bool:
        if conv.state == OFFERED and conv.offer_agent == agent.name:
            return True
        self._reject(action, f"no outstanding offer of conversation '{conv.id}' to '{agent.name}'",
                     agent=agent.name, conversation=conv.id)
        return False

    def _clear_offer(self, conv: _Conversation, agent: _Agent) -> None:
        agent.offers.pop(conv.id, None)
        conv.offer_agent = None
        conv.offer_expires_at = None
        conv.offer_token += 1  # the pending expiry timer is now stale

    def _after_refusal(self, conv: _Conversation, agent: _Agent, reason: str) -> None:
        """A decline or an expiry: cool down, free the capacity, offer to the next agent."""
        self._clear_offer(conv, agent)
        cooldown = conv.stream.cooldown_s
        if cooldown > 0:
            until = self._time + cooldown
            conv.cooldowns[agent.name] = until
            self._schedule(until, _COOLDOWN_END, conv.id, agent.name, until)
        self._release(agent, conv, reason)
        self._place(conv)
        self._drain_agent(agent)

    def _release(self, agent: _Agent, conv: _Conversation, reason: str) -> None:
        units = conv.units
        agent.used -= units
        conv.units = 0
        agent.last_release = self._time
        _rerank(agent)
        profile = conv.held_profile
        if profile is None:
            hook = self._direct_released
            if hook is not None:
                hook({"agent": agent.name, "conversation": conv.id, "units": units,
                      "free": agent.capacity - agent.used, "reason": reason, "t": self._time})
            else:
                self._emit("capacity_released", agent=agent.name, conversation=conv.id, units=units,
                           free=agent.free, reason=reason)
            return
        conv.held_profile = None
        agent.profile_free[profile] += 1
        self._emit("capacity_released", agent=agent.name, conversation=conv.id, units=units,
                   free=agent.free, reason=reason, profile=conv.stream.profile_name,
                   free_slots=agent.profile_free[profile])

    # ----------------------------------------------------------------- ending

    def _end(self, conv: _Conversation) -> None:
        state = conv.state
        conv.state = CLOSED
        conv.closed_reason = "ended"
        conv.closed_at = self._time
        if state in (ACTIVE, WAITING):
            agent = self._agents[conv.agent]
            del agent.active[conv.id]
            conv.idle_token += 1
            hook = self._direct_closed
            if hook is not None:
                hook({"conversation": conv.id, "agent": agent.name, "reason": "ended", "t": self._time})
            else:
                self._emit("closed", conversation=conv.id, agent=agent.name, reason="ended")
            wrap_up = conv.stream.wrap_up_s
            if wrap_up > 0:
                agent.wrap_up_units += conv.units
                conv.wrapping = True
                conv.wrap_token += 1
                self._schedule(self._time + wrap_up, _WRAP_UP_END, conv.id, agent.name, conv.wrap_token)
            else:
                self._release(agent, conv, "ended")
                self._drain_agent(agent)
        elif state == OFFERED:
            agent = self._agents[conv.offer_agent]
            self._clear_offer(conv, agent)
            self._emit("closed", conversation=conv.id, reason="ended")
            self._release(agent, conv, "withdrawn")
            self._drain_agent(agent)
        else:
            if state == QUEUED:
                self._leave_queue(conv)
            self._emit("closed", conversation=conv.id, reason="ended")

    def _leave_queue(self, conv: _Conversation) -> None:
        queue = conv.queue
        if conv.stream.mode == "pick":
            queue.open_items.pop(conv.id, None)
            return
        waiting = queue.waiting.get(conv.stream.name, [])
        index = bisect.bisect_left(waiting, conv.waiting_key)
        if index < len(waiting) and waiting[index] == conv.waiting_key:
            del waiting[index]
            if conv.anyway:
                queue.anyway_waiting -= 1

    # ----------------------------------------------------------------- timers

    def _fire(self, kind: int, a: Any, b: Any, token: Any) -> None:
        if kind == _OFFER_EXPIRY:
            conv = self._conversations[a]
            if conv.state == OFFERED and conv.offer_token == token:
                agent = self._agents[b]
                self._emit("offer_expired", conversation=conv.id, agent=agent.name)
                missed = conv.stream.missed_presence
                if missed is not None:
                    self._missed_notification(agent, missed)
                self._after_refusal(conv, agent, "offer_expired")
        elif kind == _COOLDOWN_END:
            conv = self._conversations[a]
            if conv.cooldowns.get(b) == token:  # not extended by a later refusal
                del conv.cooldowns[b]
                if conv.state == QUEUED and conv.stream.mode == "push":
                    self._drain_queue(conv.queue)
        elif kind == _WRAP_UP_END:
            conv = self._conversations[a]
            if not conv.wrapping or conv.wrap_token != token:  # a reconnect took the conversation back
                return
            conv.wrapping = False
            agent = self._agents[b]
            units = conv.units
            agent.wrap_up_units -= units
            self._release(agent, conv, "wrap_up_over")
            self._drain_agent(agent)
        elif kind == _QUEUE_OPENS:
            queue = self._queues[a]
            if queue.opening_timer != token:
                return
            queue.opening_timer = None
            if queue.hours.is_open(self._time):
                self._drain_queue(queue)
            elif any(queue.waiting.values()):
                self._watch_opening(queue)
        elif kind == _AUTO_CLOSE:
            conv = self._conversations[a]
            if conv.state == WAITING and conv.idle_token == token:
                self._auto_close(conv)

    def _missed_notification(self, agent: _Agent, presence: str) -> None:
        """The stream sets an agent who let a pop expire to this presence (Dynamics: Inactive)."""
        resolved = self._presences.get(_fold(presence))
        if resolved is None or resolved == (agent.presence, agent.base):
            return
        agent.presence, agent.base = resolved
        _rerank(agent)
        self._emit("presence_changed", agent=agent.name, presence=agent.presence, base=agent.base,
                   reason="missed_notification")

    def _auto_close(self, conv: _Conversation) -> None:
        agent = self._agents[conv.agent]
        del agent.active[conv.id]
        conv.state = CLOSED
        conv.closed_reason = "auto_close"
        conv.closed_at = self._time
        self._emit("closed", conversation=conv.id, agent=agent.name, reason="auto_close")
        self._release(agent, conv, "auto_close")
        self._drain_agent(agent)

    # ----------------------------------------------------------------- draining waiting conversations

    def _drain_agent(self, agent: _Agent) -> None:
        """Its queues by priority (lower number first); queues of one priority together, oldest first."""
        for group in agent.drain_groups:
            if len(group) == 1:
                if any(group[0].waiting.values()):  # _drain_queue, inline: most releases find nobody waiting
                    self._drain_queues(group)
            else:
                self._drain_queues(group)

    def _drain_queue(self, queue: _Queue) -> None:
        """Offer waiting conversations, oldest first across streams, while anyone can take one.

        A stream is dropped from the pass as soon as nobody fits its requirements
        (ignoring cool-downs), so a long queue nobody can serve costs one scan of
        the members per stream, not one per conversation.
        """
        if not any(queue.waiting.values()):
            return
        self._drain_queues((queue,))

    def _drain_queues(self, queues: Iterable[_Queue]) -> None:
        """``_drain_queue`` over several queues of one priority at once: the oldest conversation
        waiting in any of them first.  A closed queue offers only what overflow let in anyway."""
        lanes: dict[tuple[_Queue, str], int] = {}
        closed: set[str] = set()
        for queue in queues:
            if queue.hours is not None and not queue.hours.is_open(self._time):
                if any(queue.waiting.values()):
                    self._watch_opening(queue)  # they may have come while it was open: offer them when it reopens
                if not queue.anyway_waiting:
                    continue
                closed.add(queue.name)
            for stream_name, waiting in queue.waiting.items():
                if waiting:
                    lanes[(queue, stream_name)] = 0
        while lanes:
            oldest_lane = None
            oldest_key = None
            for lane, index in lanes.items():
                waiting = lane[0].waiting[lane[1]]
                if index < len(waiting) and (oldest_key is None or waiting[index] < oldest_key):
                    oldest_lane, oldest_key = lane, waiting[index]
            if oldest_lane is None:
                return
            conv = self._conversations[oldest_key[1]]
            if closed and not conv.anyway and oldest_lane[0].name in closed:
                lanes[oldest_lane] += 1
                continue
            agent, anyone_fits = self._best_agent(conv)
            if agent is not None:
                queue = oldest_lane[0]
                del queue.waiting[oldest_lane[1]][lanes[oldest_lane]]
                if conv.anyway:
                    queue.anyway_waiting -= 1
                self._dispatch(conv, agent)
            elif anyone_fits:
                lanes[oldest_lane] += 1  # only cool-downs (or skills) stop this one; try the next
            else:
                del lanes[oldest_lane]

    # ----------------------------------------------------------------- pick

    def _pick_refusal(self, agent: _Agent, conv: _Conversation) -> str | None:
        stream = conv.stream
        if stream.mode != "pick":
            return f"work stream '{stream.name}' pushes its conversations; they cannot be picked"
        if conv.state != QUEUED:
            return f"conversation '{conv.id}' is not an open work item (it is {conv.state})"
        if agent.name not in conv.queue.member_names:
            return f"'{agent.name}' is not a member of queue '{conv.queue.name}'"
        if stream.profile is not None:
            limit = agent.profile_limits.get(stream.profile, 0)
            if agent.profile_free.get(stream.profile, 0) < 1:
                return (f"'{agent.name}' already has {limit} work items of capacity profile "
                        f"'{stream.profile_name}', its limit")
        elif agent.free < stream.capacity:
            return (f"'{agent.name}' has {agent.free} free capacity units; "
                    f"work stream '{stream.name}' needs {stream.capacity}")
        return None

    # ----------------------------------------------------------------- snapshots

    @property
    def workstream_names(self) -> list[str]:
        return list(self._streams)

    @property
    def presence_names(self) -> list[str]:
        return [name for name, _base in self._presences.values()]

    def agents(self) -> list[AgentView]:
        return [self._agent_view(agent) for agent in self._agents.values()]

    def agent(self, name: str) -> AgentView | None:
        agent = self._agent(name)
        return self._agent_view(agent) if agent is not None else None

    def conversations(self, states: Iterable[str] | None = None) -> list[ConversationView]:
        """Every conversation in arrival order (or only those in ``states``)."""
        wanted = set(states) if states is not None else None
        return [self._conversation_view(conv) for conv in self._conversations.values()
                if wanted is None or conv.state in wanted]

    def conversation(self, conversation_id: str) -> ConversationView | None:
        conv = self._conversations.get(conversation_id)
        return self._conversation_view(conv) if conv is not None else None

    def queues(self) -> list[QueueView]:
        return [self._queue_view(queue) for queue in self._queues.values()]

    def queue(self, name: str) -> QueueView | None:
        queue = self._queue_by_fold.get(_fold(name))
        return self._queue_view(queue) if queue is not None else None

    def queue_counts(self, name: str) -> tuple[int, int] | None:
        """(push conversations waiting for an agent, pick-mode open work items) of a queue, without
        building its view (which sorts every waiting conversation); None for an unknown queue."""
        queue = self._queue_by_fold.get(_fold(name)) if isinstance(name, str) else None
        if queue is None:
            return None
        return sum(len(keys) for keys in queue.waiting.values()), len(queue.open_items)

    def _agent_view(self, agent: _Agent) -> AgentView:
        return AgentView(
            name=agent.name,
            presence=agent.presence,
            base=agent.base,
            capacity=agent.capacity,
            free_capacity=agent.free,
            wrap_up_units=agent.wrap_up_units,
            active=tuple(agent.active),
            offers=tuple(OfferView(conv_id, expires) for conv_id, expires in agent.offers.items()),
            queues=tuple(agent.queues),
            last_offer_or_assignment_at=None if agent.last_touch == _NEVER else agent.last_touch,
            skills=dict(agent.skills),
            profiles={name: agent.profile_limits.get(key, limit) for key, (name, limit) in self._profiles.items()},
        )

    def _conversation_view(self, conv: _Conversation) -> ConversationView:
        return ConversationView(
            id=conv.id,
            workstream=conv.stream.name,
            queue=conv.queue.name if conv.queue else None,
            state=conv.state,
            agent=conv.agent,
            offered_to=conv.offer_agent,
            offer_expires_at=conv.offer_expires_at,
            rule=conv.route.rule,
            fallback=conv.route.fallback,
            trace=conv.route.trace,
            arrived_at=conv.arrived_at,
            idle_since=conv.idle_since if conv.state == WAITING else None,
            closed_reason=conv.closed_reason,
            cooldowns={agent: until for agent, until in conv.cooldowns.items() if until > self._time},
            skills=dict(conv.skills),
            draw=conv.route.draw,
        )

    def _queue_view(self, queue: _Queue) -> QueueView:
        waiting = sorted(key for keys in queue.waiting.values() for key in keys)
        return QueueView(
            name=queue.name,
            members=tuple(agent.name for agent in queue.members),
            waiting=tuple(conv_id for _arrival, conv_id in waiting),
            open_work_items=tuple(queue.open_items),
            priority=queue.priority,
            assignment_method=queue.method,
            is_open=queue.hours is None or queue.hours.is_open(self._time),
        )


class _ActionGuard:
    """Refuses re-entrant actions (a listener calling back into the simulator)."""

    def __init__(self, simulator: Simulator):
        self._simulator = simulator

    def __enter__(self) -> None:
        if self._simulator._busy:
            raise RuntimeError("a simulator listener must not call simulator actions; queue them instead")
        self._simulator._busy = True

    def __exit__(self, *exc: object) -> None:
        self._simulator._busy = False


# --------------------------------------------------------------------------- scenarios

SCENARIO_KEYS = ("until", "start", "agents", "events")
# A scenario covers at most a year of simulated time ...
MAX_UNTIL_S = 366 * 24 * 3600
# ... and at most this many events: an unanswered pop offered round and round forever
# would otherwise grow the output without end (one line each).
MAX_SCENARIO_EVENTS = 1_000_000
AGENT_OVERRIDE_KEYS = ("presence", "capacity")
# type -> (required fields, optional fields), besides "at" and "type"
EVENT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "conversation": (("id", "workstream"), ("context",)),
    "accept": (("agent", "conversation"), ()),
    "decline": (("agent", "conversation"), ("reason",)),
    "pick": (("agent", "conversation"), ()),
    "presence": (("agent", "presence"), ()),
    "capacity": (("agent", "capacity"), ()),
    "customer_idle": (("conversation",), ()),
    "customer_active": (("conversation",), ()),
    "end": (("conversation",), ()),
    "reconnect": (("conversation",), ()),
}


@dataclass(frozen=True)
class ScenarioEvent:
    at: float
    type: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    until: float
    agents: dict[str, dict[str, Any]]  # canonical agent name -> overrides
    events: list[ScenarioEvent]        # sorted by time, stably
    start: datetime | None = None      # the local date-time of t=0 (operating hours); None: always open


def _is_time(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _describe(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


class _ScenarioChecker:
    """Strict validation of a scenario against a (normalised) configuration."""

    def __init__(self, config: dict):
        self.agents = {_fold(a["name"]): a["name"] for a in config["agents"]}
        self.streams = {_fold(w["name"]): w for w in config["workstreams"]}
        self.presences = {_fold(name) for name in BASE_PRESENCE_NAMES.values()}
        self.presences |= {_fold(p["name"]) for p in config["presences"]}

    def agent(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or _fold(value) not in self.agents:
            raise UserError(f"{path}: unknown agent {_describe(value)}")
        return self.agents[_fold(value)]

    def presence(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or _fold(value) not in self.presences:
            raise UserError(f"{path}: unknown presence {_describe(value)}")
        return value

    def capacity(self, value: Any, path: str) -> int:
        if not _is_count(value):
            raise UserError(f"{path}: must be a whole number ≥ 0")
        return value

    def check(self, scenario: Any) -> Scenario:
        if not isinstance(scenario, Mapping):
            raise UserError("scenario: must be a JSON object")
        for key in scenario:
            if key not in SCENARIO_KEYS:
                raise UserError(f"scenario: unknown key {_describe(key)} (expected until, start, agents, events)")
        overrides = self.check_agents(scenario.get("agents", {}))
        raw_events = scenario.get("events", [])
        if not isinstance(raw_events, list):
            raise UserError("events: must be a list")
        events = [self.check_event(raw, f"events[{i}]") for i, raw in enumerate(raw_events)]
        self.check_conversation_ids(events)
        self.check_decline_reasons(events)
        start = parse_start(scenario.get("start"))
        until = scenario.get("until", max((e.at for e in events), default=0))
        if not _is_time(until):
            raise UserError("until: must be a number ≥ 0")
        if until > MAX_UNTIL_S:
            raise UserError(f"until: {json_time(until)} is beyond the maximum of {MAX_UNTIL_S} seconds (366 days)")
        for index, event in enumerate(events):
            if event.at > until:
                raise UserError(f"events[{index}].at: {json_time(event.at)} is after until ({json_time(until)})")
        return Scenario(until, overrides, sorted(events, key=lambda e: e.at), start)

    def check_agents(self, agents: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(agents, Mapping):
            raise UserError("agents: must be an object of agent name -> {presence, capacity}")
        overrides: dict[str, dict[str, Any]] = {}
        for name, settings in agents.items():
            path = f"agents.{name}"
            canonical = self.agent(name, path)
            if not isinstance(settings, Mapping):
                raise UserError(f"{path}: must be an object with presence and/or capacity")
            for key in settings:
                if key not in AGENT_OVERRIDE_KEYS:
                    raise UserError(f"{path}: unknown field {_describe(key)}")
            override: dict[str, Any] = {}
            if "presence" in settings:
                override["presence"] = self.presence(settings["presence"], f"{path}.presence")
            if "capacity" in settings:
                override["capacity"] = self.capacity(settings["capacity"], f"{path}.capacity")
            overrides[canonical] = override
        return overrides

    def check_event(self, raw: Any, path: str) -> ScenarioEvent:
        if not isinstance(raw, Mapping):
            raise UserError(f"{path}: must be an object")
        kind = raw.get("type")
        if kind not in EVENT_FIELDS:
            if "type" not in raw:
                raise UserError(f"{path}: missing 'type'")
            raise UserError(f"{path}: unknown type {_describe(kind)}")
        if "at" not in raw:
            raise UserError(f"{path}: missing 'at'")
        if not _is_time(raw["at"]):
            raise UserError(f"{path}.at: must be a number ≥ 0")
        required, optional = EVENT_FIELDS[kind]
        for key in raw:
            if key not in ("at", "type", *required, *optional):
                raise UserError(f"{path}: unknown field {_describe(key)} for a {kind} event")
        for key in required:
            if key not in raw:
                raise UserError(f"{path}: missing {_describe(key)} for a {kind} event")
        fields = {key: raw[key] for key in (*required, *optional) if key in raw}
        if "agent" in fields:
            fields["agent"] = self.agent(fields["agent"], f"{path}.agent")
        if "presence" in fields:
            fields["presence"] = self.presence(fields["presence"], f"{path}.presence")
        if "capacity" in fields:
            fields["capacity"] = self.capacity(fields["capacity"], f"{path}.capacity")
        for key in ("id", "conversation"):
            if key in fields and (not isinstance(fields[key], str) or not fields[key]):
                raise UserError(f"{path}.{key}: must be a non-empty text id")
        if kind == "conversation":
            fields.update(self.check_conversation(fields, path))
        return ScenarioEvent(raw["at"], kind, fields)

    def check_conversation(self, fields: dict[str, Any], path: str) -> dict[str, Any]:
        stream = self.streams.get(_fold(fields["workstream"])) if isinstance(fields["workstream"], str) else None
        if stream is None:
            raise UserError(f"{path}.workstream: unknown work stream {_describe(fields['workstream'])}")
        context = fields.get("context", {})
        if not isinstance(context, Mapping):
            raise UserError(f"{path}.context: must be an object of variable name -> value")
        try:
            typed = coerce_context(stream, context)
        except UserError as error:
            raise UserError(f"{path}.context: {error}") from None
        return {"workstream": stream["name"], "context": typed}

    def check_decline_reasons(self, events: list[ScenarioEvent]) -> None:
        """A decline's reason is text and one of its conversation's work stream's decline reasons."""
        streams = {e.fields["id"]: self.streams[_fold(e.fields["workstream"])]
                   for e in events if e.type == "conversation"}
        for index, event in enumerate(events):
            if event.type != "decline" or "reason" not in event.fields:
                continue
            reason = event.fields["reason"]
            stream = streams[event.fields["conversation"]]
            reasons = {_fold(r): r for r in stream.get("decline_reasons", [])}
            if not isinstance(reason, str) or _fold(reason) not in reasons:
                listed = ", ".join(f"'{r}'" for r in reasons.values()) or "none"
                raise UserError(f"events[{index}].reason: {_describe(reason)} is not a decline reason of "
                                f"work stream '{stream['name']}' (its reasons: {listed})")
            event.fields["reason"] = reasons[_fold(reason)]

    @staticmethod
    def check_conversation_ids(events: list[ScenarioEvent]) -> None:
        first_seen: dict[str, int] = {}
        for index, event in enumerate(events):
            if event.type == "conversation":
                conv_id = event.fields["id"]
                if conv_id in first_seen:
                    raise UserError(f"events[{index}].id: duplicate conversation '{conv_id}' "
                                    f"(first at events[{first_seen[conv_id]}])")
                first_seen[conv_id] = index
        for index, event in enumerate(events):
            conv_id = event.fields.get("conversation")
            if conv_id is not None and conv_id not in first_seen:
                raise UserError(f"events[{index}].conversation: unknown conversation '{conv_id}' "
                                "(no conversation event has that id)")


def validate_scenario(config_doc: Mapping[str, Any], scenario: Any) -> Scenario:
    """A checked, time-ordered scenario; UserError naming the first bad part."""
    return _ScenarioChecker(normalize_config(config_doc)).check(scenario)


def _apply(simulator: Simulator, event: ScenarioEvent) -> None:
    f = event.fields
    if event.type == "conversation":
        simulator.add_conversation(f["id"], f["workstream"], f.get("context", {}))
    elif event.type == "accept":
        simulator.accept(f["agent"], f["conversation"])
    elif event.type == "decline":
        simulator.decline(f["agent"], f["conversation"], f.get("reason"))
    elif event.type == "pick":
        simulator.pick(f["agent"], f["conversation"])
    elif event.type == "presence":
        simulator.set_presence(f["agent"], f["presence"])
    elif event.type == "capacity":
        simulator.set_capacity(f["agent"], f["capacity"])
    elif event.type == "customer_idle":
        simulator.customer_idle(f["conversation"])
    elif event.type == "customer_active":
        simulator.customer_active(f["conversation"])
    elif event.type == "end":
        simulator.end(f["conversation"])
    elif event.type == "reconnect":
        simulator.reconnect(f["conversation"])
    else:  # pragma: no cover - validate_scenario admits only the types above
        raise AssertionError(event.type)


def apply_scenario_action(simulator: Simulator, kind: str, fields: Mapping[str, Any]) -> bool:
    """Do one scenario action (``conversation``, ``accept`` ... as in a scenario file) on ``simulator``
    now: the one dispatch of scenario actions, shared by ``run_scenario`` and the live panel.
    False (and nothing done) for a type no scenario has."""
    if kind not in EVENT_FIELDS:
        return False
    _apply(simulator, ScenarioEvent(simulator.time, kind, dict(fields)))
    return True


def run_scenario(config_doc: Mapping[str, Any], scenario: Any, seed: int = 0) -> list[Event]:
    """Play ``scenario`` on a virtual clock; the events, in time order.

    ``until`` defaults to the time of the last event.  Agent overrides apply at
    t=0 before anything is recorded.  The same inputs (and ``seed``, for the
    percentage draws) always give the same output.
    """
    config = normalize_config(config_doc)
    plan = _ScenarioChecker(config).check(scenario)
    clock = VirtualClock(0)
    simulator = Simulator(config, clock, seed=seed, start=plan.start)
    for name, override in plan.agents.items():
        if "presence" in override:
            simulator.set_presence(name, override["presence"])
        if "capacity" in override:
            simulator.set_capacity(name, override["capacity"])
    events: list[Event] = []

    def record(event: Event) -> None:
        if len(events) >= MAX_SCENARIO_EVENTS:
            raise _TooManyEvents(event["t"])
        events.append(event)

    simulator.subscribe(record)
    try:
        for event in plan.events:
            clock.set(event.at)
            _apply(simulator, event)
        # Timers fire one after the other from the heap: time jumps from each to the next.
        clock.set(plan.until)
        simulator.tick()
    except _TooManyEvents as stop:
        raise UserError(f"the scenario produced more than {MAX_SCENARIO_EVENTS:,} events by t={stop.at} "
                        f"(until is {json_time(plan.until)}): lower until") from None
    return events


class _TooManyEvents(Exception):
    def __init__(self, at: float):
        super().__init__(at)
        self.at = at


__all__ = [
    "ACTIVE",
    "AgentView",
    "CLOSED",
    "ConversationView",
    "Event",
    "OFFERED",
    "OfferView",
    "QUEUED",
    "QueueView",
    "Scenario",
    "ScenarioEvent",
    "Simulator",
    "UNROUTED",
    "WAITING",
    "MAX_SCENARIO_EVENTS",
    "MAX_UNTIL_S",
    "apply_scenario_action",
    "json_time",
    "normalize_config",
    "run_scenario",
    "validate_scenario",
]
