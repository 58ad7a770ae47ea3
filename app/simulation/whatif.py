"""The what-if lab: run a workload model through the work-distribution simulator.

``WorkloadPlayer`` feeds a ``Simulator`` (the same one the live panel drives) with
a model's arrivals and its agents' answers; ``Recorder`` listens to the
simulator's events and keeps the figures.  ``run_once`` plays a whole model on a
virtual clock, jumping from one event to the next (the player's next action or
the simulator's next timer, whichever is first), as fast as it can.
``run_model`` adds replications (mean and 95 % CI), ``compare`` a second
configuration under common random numbers and ``solve_agents`` the fewest agents
reaching a target service level.

Randomness: one ``random.Random`` per purpose (arrivals, contexts, handle times,
patience, idle behaviour per work stream; choices and response times per agent),
each seeded from ``"{seed}/{replication}/{purpose}/{name}"`` (string seeds are
hashed with SHA-512 by ``random``, so they are the same on every run and
machine).  Two configurations under the same model therefore see the same
arrivals, contexts, handle times and patience, and each agent the same sequence
of choices: differences in the figures come from the configuration alone.
"""
from __future__ import annotations

import bisect
import heapq
import math
import random
from math import log
import statistics
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from app.common.collector import gc_paused
from app.common.errors import UserError
from app.common.names import name_key
from app.simulation.clock import VirtualClock
from app.simulation.engine import Simulator, normalize_config
from app.simulation.lab_simulator import LabSimulator
from app.simulation.workload import CheckedWorkload, check_workload

Progress = Callable[[str, int, int], None]

# Player action kinds, in the heap as (time, sequence, kind, a, b) (arrivals have their own heap).
_ACCEPT, _DECLINE, _END, _IDLE, _ABANDON, _PRESENCE, _PICK, _RECONNECT = range(8)
_NO_CONTEXT: dict = {}  # the context of a conversation without a mix (read, never written)

CONVERSATION_FIGURES = (
    "arrived", "answered", "abandoned", "waiting_at_end", "service_level", "asa_s",
    "wait_p50_s", "wait_p90_s", "wait_p95_s", "wait_probability", "abandon_rate", "aht_s",
    "offers", "accepted", "declined", "expired", "reoffers_per_conversation",
)
AGENT_FIGURES = ("answered", "aht_s", "offers", "accepted", "declined", "expired", "occupancy", "capacity_used")
TOTAL_FIGURES = CONVERSATION_FIGURES + ("occupancy", "capacity_used")
# per skill: the conversations whose classification required it
SKILL_FIGURES = ("arrived", "answered", "abandoned", "asa_s", "service_level")
OVERFLOW_ACTIONS = ("transfer", "end", "assign_anyway")
SECTIONS = ("totals", "workstreams", "queues", "agents", "skills", "overflow")


def stream_rng(seed: int, replication: int, purpose: str, name: str) -> random.Random:
    return random.Random(f"{seed}/{replication}/{purpose}/{name}")


# --------------------------------------------------------------------------- the player

@dataclass(eq=False, slots=True)
class _Call:
    """One conversation the player created: what the player knows of it and, in a lab run, what
    the recorder keeps of it (one object and one dict entry per conversation for both)."""

    stream: int
    handle_s: float
    patience_s: float | None
    idle_after_s: float | None
    answered: bool = False
    offered_to: str | None = None
    offer_seq: int = 0
    # the recorder's part
    lane: "_Lane | None" = None
    tally: "Tally | None" = None  # the lane's, when the conversation arrived after the warm-up
    arrived_at: float = 0.0
    answered_at: float | None = None
    agent: "_AgentState | None" = None
    offers: int = 0
    skills: tuple = ()         # the skills its classification attached
    skill_tallies: tuple = ()  # theirs, when it counts


@dataclass(frozen=True, eq=False)
class _StreamPlan:
    name: str
    rate_max: float          # arrivals per second, the profile's highest step
    constant: bool           # no profile: every candidate arrival is kept (no thinning)
    rate_at: Callable[[float], float]
    mixes: tuple
    handle: Callable
    patience: Callable | None
    idle_probability: float
    idle_after: Callable | None
    can_decline: bool
    pick: bool
    reconnect_probability: float = 0.0
    reconnect_after: Callable | None = None


class WorkloadPlayer:
    """Plays a workload model on a simulator: arrivals, accepts, declines, ends, presence changes.

    Qt-free and clock-agnostic: ``next_action_at()`` says when the next action is due,
    ``perform_next()`` performs it at the simulator clock's current time.  The
    virtual-clock runner sets the clock to the action's time first; the live panel
    calls ``play_due(now)`` from its tick at 1×-60× (actions then happen at the
    tick's time, at most one tick late).  The player subscribes to the simulator
    to answer pops and end answered conversations; it never acts from inside a
    listener (it only schedules).
    """

    def __init__(self, simulator: Simulator, workload: CheckedWorkload, config: Mapping[str, Any], *,
                 replication: int = 0, subscribe: bool = True, start_s: float = 0.0, id_prefix: str = "w"):
        """``start_s``: the simulated time the model's t=0 falls on (a live panel plays it from now);
        ``id_prefix``: the start of the conversation ids (``w1``, ``w2`` ...), to keep them apart
        from conversations the panel sends itself."""
        model = workload.model
        self.simulator = simulator
        self.start_s = start_s
        self.id_prefix = id_prefix
        self.duration_s = model.duration_s
        self.end_s = start_s + model.duration_s
        seed = model.seed
        self.heap: list[tuple] = []  # (time, sequence, kind, a, b): the actions to come but arrivals
        # the next arrival of each stream, (time, stream index, stream, conversation, context), earliest first,
        # from one generator per stream (drawn one ahead, as they are needed)
        self.arrivals: list[tuple[float, int, str, _Call, dict | None]] = []
        self._arrival_times: list = []
        self._seq = 0
        self.calls: dict[str, _Call] = {}
        self._count = 0
        self.steps = 0  # loop steps of the last virtual run (for the curious)
        streams = {ws["name"]: ws for ws in config["workstreams"]}
        self._plans: list[_StreamPlan] = []
        self._rngs: list[dict[str, random.Random]] = []
        for arrivals, name, mixes in workload.streams:
            ws = streams[name]
            factors = [factor for _start, factor in arrivals.profile]
            if not arrivals.profile or arrivals.profile[0][0] > 0:
                factors.append(1.0)
            idle = arrivals.idle
            self._plans.append(_StreamPlan(
                name=name,
                rate_max=arrivals.per_hour * max(factors) / 3600.0,
                constant=not arrivals.profile,
                rate_at=arrivals.rate_at,
                mixes=mixes,
                handle=arrivals.handle_time_s.sampler(),
                patience=arrivals.patience_s.sampler() if arrivals.patience_s is not None else None,
                idle_probability=idle.probability if idle else 0.0,
                idle_after=idle.after_s.sampler() if idle else None,
                can_decline=ws["notification"] == "screen_pop_decline",
                pick=ws["distribution_mode"] == "pick",
                reconnect_probability=arrivals.reconnect.probability if arrivals.reconnect else 0.0,
                reconnect_after=arrivals.reconnect.after_s.sampler() if arrivals.reconnect else None,
            ))
            self._rngs.append({purpose: stream_rng(seed, replication, purpose, name)
                               for purpose in ("arrivals", "context", "handle", "patience", "idle", "reconnect")})
        # each agent's (accept, decline, response sampler, random numbers), made at its first offer
        # (seeding a generator costs a SHA-512: most agents of a direct-open day never get one)
        self._agents: dict[str, tuple[float, float, Callable, random.Random]] = {}
        self._model, self._seed, self._replication = model, seed, replication
        by_key = {name_key(a["name"]): a["name"] for a in config["agents"]}
        self._agent_queues: dict[str, list[str]] = {a["name"]: [] for a in config["agents"]}
        for queue in config["queues"]:
            for member in queue["agents"]:
                name = by_key.get(name_key(member))
                if name is not None:
                    self._agent_queues[name].append(queue["name"])
        self._any_pick = any(plan.pick for plan in self._plans)
        # customers who may come back after their conversation ends (the player then listens to closes)
        self.reconnects = any(plan.reconnect_after is not None for plan in self._plans)
        self._pick_streams = {plan.name for plan in self._plans if plan.pick}
        for index in range(len(self._plans)):
            self._arrival_times.append(self._draw_arrivals(index))
            first = next(self._arrival_times[index], None)
            if first is not None:
                self.arrivals.append(first)
        heapq.heapify(self.arrivals)
        # the lab's simulator takes trusted arrivals and ends (see app.simulation.lab_simulator)
        self._trusted = isinstance(simulator, LabSimulator)
        for at, agent, presence in workload.presence_plan:
            if at <= self.duration_s:
                self._push(start_s + at, _PRESENCE, agent, presence)
        self._unsubscribe = simulator.subscribe(self.on_event) if subscribe else None
        self.handlers = {"offered": self._offered, "accepted": self._answered, "assigned": self._answered,
                          "closed": self._closed, "offer_expired": self._refused, "declined": self._refused}
        if self._any_pick:
            self.handlers["queued"] = self._queued
            self.handlers["capacity_released"] = self._released

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    # ----------------------------------------------------------------- the schedule

    def _push(self, when: float, kind: int, a: Any = None, b: Any = None) -> None:
        self._seq += 1
        heapq.heappush(self.heap, (when, self._seq, kind, a, b))

    def _draw_arrivals(self, index: int):
        """The arrivals of stream ``index``, each as it enters the arrivals heap: ``(time, index,
        stream, conversation, context)``, everything random about it drawn here, each from its purpose's
        generator (so the k-th arrival always gets the k-th handle time, patience ...).

        Times: Poisson at the profile's highest rate, thinned to the profile (every candidate kept
        without one), before the end."""
        plan = self._plans[index]
        if plan.rate_max <= 0:
            return
        rngs = self._rngs[index]
        uniform = rngs["arrivals"].random
        rate, end, start, constant, rate_at = plan.rate_max, self.end_s, self.start_s, plan.constant, plan.rate_at
        name = plan.name
        handle, handle_rng = plan.handle, rngs["handle"]
        patience, patience_rng = plan.patience, rngs["patience"]
        idle_after, idle_probability, idle_rng = plan.idle_after, plan.idle_probability, rngs["idle"]
        mixes, context_rng = plan.mixes, rngs["context"]
        t = start
        while True:
            t += -log(1.0 - uniform()) / rate  # rng.expovariate(rate), inline (the same number)
            if t >= end:
                return
            if not constant and uniform() * rate >= rate_at(t - start):
                continue
            context = {mix.variable: mix.draw(context_rng) for mix in mixes} if mixes else None
            idle_s = None
            if idle_after is not None and idle_rng.random() < idle_probability:
                idle_s = idle_after(idle_rng)
            patience_s = patience(patience_rng) if patience is not None else None
            yield t, index, name, _Call(index, handle(handle_rng), patience_s, idle_s), context

    def next_action_at(self) -> float | None:
        heap, arrivals = self.heap, self.arrivals
        if heap and (not arrivals or heap[0][0] <= arrivals[0][0]):
            return heap[0][0]
        return arrivals[0][0] if arrivals else None

    def play_due(self, now: float) -> int:
        """Perform every action due at or before ``now`` (live use); how many were due."""
        done = 0
        while True:
            when = self.next_action_at()
            if when is None or when > now:
                return done
            self.perform_next()
            done += 1

    def perform_next(self) -> None:
        """The next action (scheduled ones before an arrival at the same time)."""
        heap, arrivals = self.heap, self.arrivals
        if arrivals and (not heap or arrivals[0][0] < heap[0][0]):
            self.perform_arrival()
        else:
            self.perform_action()

    def perform_arrival(self) -> None:
        """The next arrival (of any stream), and the draw of its stream's one after."""
        arrivals = self.arrivals
        when, index, name, call, context = arrivals[0]
        upcoming = next(self._arrival_times[index], None)
        if upcoming is None:
            heapq.heappop(arrivals)
        else:
            heapq.heapreplace(arrivals, upcoming)
        self._count += 1
        conv_id = f"{self.id_prefix}{self._count}"
        self.calls[conv_id] = call
        if call.patience_s is not None:
            self._push(when + call.patience_s, _ABANDON, conv_id)
        if self._trusted:
            self.simulator.arrive_at(when, conv_id, name, context or _NO_CONTEXT)
        else:
            self.simulator.add_conversation(conv_id, name, context)

    def perform_action(self) -> None:
        """The next scheduled action (an answer, an end, a presence change ...)."""
        when, _seq, kind, a, b = heapq.heappop(self.heap)
        sim = self.simulator
        if kind == _END:
            if a in self.calls:
                if self._trusted:
                    sim.end_at(when, a)
                else:
                    sim.end(a)
        elif kind == _ACCEPT or kind == _DECLINE:
            call = self.calls.get(a)
            if call is not None and call.offered_to is not None and call.offer_seq == b:
                (sim.accept if kind == _ACCEPT else sim.decline)(call.offered_to, a)
        elif kind == _IDLE:
            if a in self.calls:
                sim.customer_idle(a)
        elif kind == _ABANDON:
            call = self.calls.get(a)
            if call is not None and not call.answered:
                if self._trusted:
                    sim.end_at(when, a)
                else:
                    sim.end(a)
        elif kind == _PRESENCE:
            sim.set_presence(a, b)
        elif kind == _RECONNECT:
            self._reconnect(a, b)
        elif kind == _PICK:
            self._pick(a)

    # ----------------------------------------------------------------- listening (scheduling only)

    def on_event(self, event: dict) -> None:
        handler = self.handlers.get(event["event"])
        if handler is not None:
            handler(event)

    def _offered(self, event: dict) -> None:
        call = self.calls.get(event["conversation"])
        if call is None:
            return
        agent = event["agent"]
        call.offered_to = agent
        call.offer_seq += 1
        answers = self._agents.get(agent) or self._answers_of(agent)
        accept, decline, response, rng = answers
        choice = rng.random()
        delay = response(rng)
        if choice < accept:
            self._push(event["t"] + delay, _ACCEPT, event["conversation"], call.offer_seq)
        elif choice < accept + decline and self._plans[call.stream].can_decline:
            self._push(event["t"] + delay, _DECLINE, event["conversation"], call.offer_seq)
        # otherwise the pop is left to expire at the stream's timeout

    def _answers_of(self, agent: str) -> tuple[float, float, Callable, random.Random]:
        behaviour = self._model.behaviour(agent)
        answers = self._agents[agent] = (behaviour.accept, behaviour.decline, behaviour.response_s.sampler(),
                                         stream_rng(self._seed, self._replication, "agent", agent))
        return answers

    def _refused(self, event: dict) -> None:
        call = self.calls.get(event["conversation"])
        if call is not None:
            call.offered_to = None

    def _answered(self, event: dict) -> None:
        conv_id = event["conversation"]
        call = self.calls.get(conv_id)
        if call is not None:
            self.answered(conv_id, call, event["t"])

    def answered(self, conv_id: str, call: _Call, t: float) -> None:
        """Conversation ``conv_id`` was answered at ``t``: schedule its end (and its going quiet)."""
        call.answered = True
        call.offered_to = None
        if call.idle_after_s is not None and call.idle_after_s < call.handle_s:
            self._push(t + call.idle_after_s, _IDLE, conv_id)
        self._seq += 1  # self._push, inline: this runs for every answered conversation
        heapq.heappush(self.heap, (t + call.handle_s, self._seq, _END, conv_id, None))

    def _closed(self, event: dict) -> None:
        conv_id = event["conversation"]
        call = self.calls.pop(conv_id, None)
        if call is not None and self.reconnects:
            self.closed(conv_id, call, event["t"])

    def closed(self, conv_id: str, call: _Call, t: float) -> None:
        """Conversation ``conv_id`` closed at ``t``: an answered one's customer may come back."""
        plan = self._plans[call.stream] if call.stream >= 0 else None
        if plan is None or plan.reconnect_after is None or not call.answered:
            return
        rng = self._rngs[call.stream]["reconnect"]
        if rng.random() < plan.reconnect_probability:
            self._push(t + plan.reconnect_after(rng), _RECONNECT, conv_id, call)

    def _reconnect(self, conv_id: str, before: _Call) -> None:
        """The customer is back: a new handle time (from the reconnect draws), the same lane."""
        index = before.stream
        call = _Call(index, self._plans[index].handle(self._rngs[index]["reconnect"]), None, None)
        call.lane = before.lane
        self.calls[conv_id] = call
        self.simulator.reconnect(conv_id)

    def _queued(self, event: dict) -> None:
        if event.get("reason") == "pick_mode":
            self._push(event["t"], _PICK, event["queue"])

    def _released(self, event: dict) -> None:
        for queue in self._agent_queues.get(event["agent"], ()):
            self._push(event["t"], _PICK, queue)

    def _pick(self, queue_name: str) -> None:
        """Members with room pick the queue's open work items, oldest first."""
        sim = self.simulator
        queue = sim.queue(queue_name)
        if queue is None or not queue.open_work_items:
            return
        agents = [sim.agent(name) for name in queue.members]
        for conv_id in queue.open_work_items:
            conv = sim.conversation(conv_id)
            call = self.calls.get(conv_id)
            if conv is None or call is None:
                continue
            for agent in agents:
                if agent.free_capacity > 0:
                    before = agent.free_capacity
                    sim.pick(agent.name, conv_id)
                    refreshed = sim.agent(agent.name)
                    if refreshed.free_capacity != before:
                        agents = [sim.agent(name) for name in queue.members]
                        break


# --------------------------------------------------------------------------- the recorder

@dataclass(eq=False, slots=True)
class Tally:
    """Counts, waits and handle times of a set of conversations (or of one agent's part in them)."""

    arrived: int = 0
    abandoned: int = 0
    waits: list = field(default_factory=list)    # of the answered conversations
    handles: list = field(default_factory=list)  # of the ended ones
    offers: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    offered_conversations: int = 0
    waiting_at_end: int = 0

    @classmethod
    def merged(cls, tallies: Iterable["Tally"]) -> "Tally":
        out = cls()
        for tally in tallies:
            out.arrived += tally.arrived
            out.abandoned += tally.abandoned
            out.waits += tally.waits
            out.handles += tally.handles
            out.offers += tally.offers
            out.accepted += tally.accepted
            out.declined += tally.declined
            out.expired += tally.expired
            out.offered_conversations += tally.offered_conversations
            out.waiting_at_end += tally.waiting_at_end
        return out

    def figures(self, service_level_s: float) -> dict:
        waits = sorted(self.waits)
        answered = len(waits)
        decided = answered + self.abandoned
        in_sl = bisect.bisect_right(waits, service_level_s)
        waited = answered - bisect.bisect_right(waits, 0.0)
        return {
            "arrived": self.arrived,
            "answered": answered,
            "abandoned": self.abandoned,
            "waiting_at_end": self.waiting_at_end,
            "service_level": ratio(in_sl, decided),
            "asa_s": ratio(sum(waits), len(waits)),
            "wait_p50_s": percentile(waits, 0.50),
            "wait_p90_s": percentile(waits, 0.90),
            "wait_p95_s": percentile(waits, 0.95),
            "wait_probability": ratio(waited + self.abandoned, decided),
            "abandon_rate": ratio(self.abandoned, decided),
            "aht_s": ratio(math.fsum(self.handles), len(self.handles)),
            "offers": self.offers,
            "accepted": self.accepted,
            "declined": self.declined,
            "expired": self.expired,
            "reoffers_per_conversation": ratio(self.offers - self.offered_conversations, self.offered_conversations),
        }


@dataclass(eq=False, slots=True)
class _Lane:
    """The conversations of one work stream routed to one queue (or to none).

    Every event touches one lane and at most one agent; the per-stream, per-queue and
    total figures are sums of lanes, made once at the end.  The running counts cover
    the warm-up too (the series and the charts show it); ``tally`` only what counts."""

    stream: str
    queue: str | None
    units: int
    routed: int = 0
    decided: int = 0          # answered or abandoned
    within: int = 0           # answered within the service level
    removed: int = 0          # ended by an overflow rule, or transferred away by one
    tally: Tally | None = None  # created at its first arrival after the warm-up
    listed: bool = True       # False: the uncounted twin that customers coming back (reconnect) use
    returns: "_Lane | None" = None  # that twin


@dataclass(eq=False, slots=True)
class _AgentState:
    """One agent's time integrals since t=0 (differences give the warm-up-free and interval figures).

    Between two folds (a presence or capacity change, the warm-up's end, an interval's end)
    the integrals are kept as moments, so an event adds a product instead of integrating:
    for a step function x changed by d_k at times c_k since the fold at f,
    ∫_f^t x ds = x(t)·t − (x(f)·f + Σ d_k·c_k).  ``fold`` turns them into the integrals."""

    name: str
    capacity: int
    allowed: bool
    tally: Tally
    busy: int = 0          # conversations open (accepted or assigned, not closed)
    used: int = 0          # capacity units held (offers, conversations, wrap-up)
    answered: int = 0      # conversations it answered that count (after the warm-up)
    busy_moment: float = 0.0  # of the indicator busy > 0
    used_moment: float = 0.0  # of used
    since: float = 0.0        # the last fold
    allowed_time: float = 0.0
    busy_time: float = 0.0
    used_time: float = 0.0  # ∫ used/capacity dt while allowed
    at_warmup: tuple = (0.0, 0.0, 0.0)
    at_interval: tuple = (0.0, 0.0)

    def fold(self, t: float) -> None:
        busy = 1 if self.busy else 0
        if self.allowed and t > self.since:
            self.allowed_time += t - self.since
            self.busy_time += busy * t - self.busy_moment
            if self.capacity:
                self.used_time += (self.used * t - self.used_moment) / self.capacity
        self.since = t
        self.busy_moment = busy * t
        self.used_moment = self.used * t

    def hold(self, t: float, units: int) -> None:
        self.used += units
        self.used_moment += units * t

    def start(self, t: float) -> None:
        if not self.busy:
            self.busy_moment += t
        self.busy += 1


def _pick(figures: dict, names: tuple) -> dict:
    return {name: figures[name] for name in names}


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def percentile(ordered: list, q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Recorder:
    """Figures and interval series from a simulator's events (a listener; never acts).

    Incremental: per event one lane (work stream × queue) and at most one agent are
    updated; nothing is kept per event, and per conversation only until it closes."""

    def __init__(self, simulator: Simulator, config: Mapping[str, Any], *, warmup_s: float,
                 service_level_s: float, interval_s: float, duration_s: float, subscribe: bool = True,
                 records: dict[str, _Call] | None = None):
        """``records``: the player's conversations, which the recorder completes (and removes when
        they close); without them it keeps its own."""
        self.warmup_s = warmup_s
        self.sl_s = service_level_s
        self.interval_s = interval_s
        self.duration_s = duration_s
        self.stream_names = [ws["name"] for ws in config["workstreams"]]
        # a profile-format stream takes a slot of its capacity profile, no capacity units
        self.units = {ws["name"]: 0 if ws.get("capacity_format") == "profile" else ws["capacity"]
                      for ws in config["workstreams"]}
        # skills in the configuration's order; per skill, the conversations that require it
        self.skills: dict[str, Tally] = {skill["name"]: Tally() for skill in config.get("skills", [])}
        # per queue with overflow rules, per action: how many conversations the rules moved or ended
        self.overflow: dict[str, dict[str, int]] = {
            q["name"]: dict.fromkeys(OVERFLOW_ACTIONS, 0) for q in config["queues"] if q.get("overflow")}
        self.allowed_bases = set()
        for ws in config["workstreams"]:
            self.allowed_bases.update(ws["allowed_presences"])
        self.agents = {view.name: _AgentState(view.name, view.capacity, view.base in self.allowed_bases, Tally())
                       for view in simulator.agents()}
        self.counting = warmup_s <= 0
        self.lanes: dict[tuple[str, str | None], _Lane] = {}
        self.records: dict[str, _Call] = records if records is not None else {}
        # called with (conversation id, record, time) when a conversation is answered / closes (the
        # lab's player schedules its end, or its customer's return: one call instead of a second listener)
        self.on_answer: Callable[[str, _Call, float], None] | None = None
        self.on_close: Callable[[str, _Call, float], None] | None = None
        # queues in the order the figures list them: the configuration's, then others as they count
        self.queue_names = dict.fromkeys(q["name"] for q in config["queues"])
        # queues in the order the series list them: the configuration's, then others as they are routed to
        self.waiting_names = dict.fromkeys(q["name"] for q in config["queues"])
        # series, one entry per interval
        self.interval_ends: list[float] = []
        self.series_waiting: dict[str, list[int]] = {name: [] for name in self.waiting_names}
        self.series_occupancy: dict[str, list[float | None]] = {name: [] for name in self.agents}
        self.series_sl: list[float | None] = []
        self.series_arrived: list[int] = []
        self._at_interval = (0, 0, 0)  # routed, within, decided at the last interval's end
        self.handlers = {
            "routed": self._routed, "offered": self._offered, "accepted": self._accepted,
            "assigned": self._assigned, "declined": self._declined, "offer_expired": self._expired,
            "capacity_released": self._released, "closed": self._closed, "presence_changed": self._presence,
            "capacity_changed": self._capacity, "classified": self._classified, "overflowed": self._overflowed,
            "reconnected": self._reconnected,
        }
        self._unsubscribe = simulator.subscribe(self.on_event) if subscribe else None

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def on_event(self, event: dict) -> None:
        handler = self.handlers.get(event["event"])
        if handler is not None:
            handler(event)

    def end_warmup(self, t: float) -> None:
        """From ``t`` on, arrivals count and the agents' integrals are measured."""
        for state in self.agents.values():
            state.fold(t)
            state.at_warmup = (state.allowed_time, state.busy_time, state.used_time)
        self.counting = True

    def _new_lane(self, stream: str, queue: str | None) -> _Lane:
        lane = self.lanes[(stream, queue)] = _Lane(stream, queue, self.units[stream])
        if queue is not None and queue not in self.waiting_names:
            self.waiting_names[queue] = None
        return lane

    def _routed(self, event: dict) -> None:
        conv_id, stream, queue = event["conversation"], event["workstream"], event["queue"]
        lane = self.lanes.get((stream, queue)) or self._new_lane(stream, queue)
        record = self.records.get(conv_id)
        if record is None:  # not the player's
            record = self.records[conv_id] = _Call(-1, 0.0, None, None)
        elif record.lane is not None:  # a customer back after a reconnect, routed anew: not counted
            record.lane = self._returns(lane)
            return
        lane.routed += 1
        record.lane = lane
        record.arrived_at = event["t"]
        if self.counting:
            tally = lane.tally or self._count_lane(lane)
            tally.arrived += 1
            record.tally = tally
            if record.skills:
                record.skill_tallies = tuple(self.skills.get(name) or self._new_skill(name) for name in record.skills)
                for skill in record.skill_tallies:
                    skill.arrived += 1

    def _new_skill(self, name: str) -> Tally:
        tally = self.skills[name] = Tally()
        return tally

    @staticmethod
    def _returns(lane: _Lane) -> _Lane:
        if not lane.listed:
            return lane
        if lane.returns is None:
            lane.returns = _Lane(lane.stream, lane.queue, lane.units, listed=False)
        return lane.returns

    def _classified(self, event: dict) -> None:
        record = self.records.get(event["conversation"])
        if record is not None and record.lane is None:  # classified on arrival (not on a return)
            record.skills = tuple(event["skills"])

    def _overflowed(self, event: dict) -> None:
        record = self.records[event["conversation"]]
        action = event["action"]
        if record.tally is not None:
            counts = self.overflow.get(event["queue"])
            if counts is None:
                counts = self.overflow[event["queue"]] = dict.fromkeys(OVERFLOW_ACTIONS, 0)
            counts[action] = counts.get(action, 0) + 1
        if action != "transfer" or not record.lane.listed:
            return
        # the queue figures follow the conversation to the queue it was transferred to
        old = record.lane
        old.removed += 1
        lane = self.lanes.get((old.stream, event["to"])) or self._new_lane(old.stream, event["to"])
        lane.routed += 1
        record.lane = lane
        if record.tally is not None:
            record.tally.arrived -= 1
            record.tally = lane.tally or self._count_lane(lane)
            record.tally.arrived += 1

    def _reconnected(self, event: dict) -> None:
        """A customer came back: the player's new record, on its lane's uncounted twin."""
        record = self.records.get(event["conversation"])
        if record is None:  # not the player's: nothing known of it
            return
        record.lane = self._returns(record.lane) if record.lane is not None else None
        record.arrived_at = event["t"]

    def _count_lane(self, lane: _Lane) -> Tally:
        """The lane's first arrival after the warm-up: from now on its conversations count."""
        lane.tally = Tally()
        if lane.queue is not None:
            self.queue_names.setdefault(lane.queue)
        return lane.tally

    def _offered(self, event: dict) -> None:
        record = self.records[event["conversation"]]
        state = self.agents[event["agent"]]
        state.hold(event["t"], record.lane.units)
        record.offers += 1
        tally = record.tally
        if tally is not None:
            tally.offers += 1
            state.tally.offers += 1
            if record.offers == 1:
                tally.offered_conversations += 1
                state.tally.offered_conversations += 1

    def _answer(self, t: float, conv_id: str, record: _Call, state: _AgentState) -> None:
        record.answered_at = t
        record.agent = state
        if not state.busy:  # state.start(t), inline
            state.busy_moment += t
        state.busy += 1
        wait = t - record.arrived_at
        lane = record.lane
        lane.decided += 1
        if wait <= self.sl_s:
            lane.within += 1
        tally = record.tally
        if tally is not None:
            tally.waits.append(wait)
            state.answered += 1
            if record.skill_tallies:  # (cheaper than a loop over nothing, for every answer)
                for skill in record.skill_tallies:
                    skill.waits.append(wait)
        on_answer = self.on_answer
        if on_answer is not None:
            on_answer(conv_id, record, t)

    def _accepted(self, event: dict) -> None:
        conv_id = event["conversation"]
        record = self.records[conv_id]
        state = self.agents[event["agent"]]
        self._answer(event["t"], conv_id, record, state)
        if record.tally is not None:
            record.tally.accepted += 1
            state.tally.accepted += 1

    def _assigned(self, event: dict) -> None:
        conv_id = event["conversation"]
        record = self.records[conv_id]
        state = self.agents[event["agent"]]
        t = event["t"]
        units = record.lane.units
        state.used += units  # state.hold(t, units), inline
        state.used_moment += units * t
        self._answer(t, conv_id, record, state)

    def _declined(self, event: dict) -> None:
        record = self.records[event["conversation"]]
        if record.tally is not None:
            record.tally.declined += 1
            self.agents[event["agent"]].tally.declined += 1

    def _expired(self, event: dict) -> None:
        record = self.records[event["conversation"]]
        if record.tally is not None:
            record.tally.expired += 1
            self.agents[event["agent"]].tally.expired += 1

    def _released(self, event: dict) -> None:
        state = self.agents[event["agent"]]
        units = event["units"]
        state.used -= units  # state.hold(t, -units), inline
        state.used_moment -= units * event["t"]

    def _closed(self, event: dict) -> None:
        conv_id = event["conversation"]
        record = self.records.pop(conv_id)
        state = record.agent
        tally = record.tally
        if state is not None:
            t = event["t"]
            state.busy -= 1
            if not state.busy:
                state.busy_moment -= t
            if tally is not None:
                handle = t - record.answered_at
                tally.handles.append(handle)
                state.tally.handles.append(handle)
            if self.on_close is not None:
                self.on_close(conv_id, record, t)
            return
        if event.get("reason") == "overflow":  # ended by an overflow rule (counted in the overflow figures)
            record.lane.removed += 1
            return
        # closed before anyone answered: the customer gave up
        record.lane.decided += 1
        if tally is not None:
            tally.abandoned += 1
            for skill in record.skill_tallies:
                skill.abandoned += 1

    def _presence(self, event: dict) -> None:
        state = self.agents[event["agent"]]
        state.fold(event["t"])
        state.allowed = event["base"] in self.allowed_bases

    def _capacity(self, event: dict) -> None:
        state = self.agents[event["agent"]]
        state.fold(event["t"])
        state.capacity = event["capacity"]

    # ----------------------------------------------------------------- intervals and the end

    def close_interval(self, end: float) -> None:
        """The series' figures for the interval ending at ``end``."""
        self.interval_ends.append(end)
        waiting = dict.fromkeys(self.waiting_names, 0)
        routed = within = decided = 0
        for lane in self.lanes.values():
            routed += lane.routed
            within += lane.within
            decided += lane.decided
            if lane.queue is not None:
                waiting[lane.queue] += lane.routed - lane.decided - lane.removed
        for name, count in waiting.items():
            self.series_waiting.setdefault(name, [None] * (len(self.interval_ends) - 1)).append(count)
        for state in self.agents.values():
            state.fold(end)
            allowed0, busy0 = state.at_interval
            self.series_occupancy[state.name].append(ratio(state.busy_time - busy0, state.allowed_time - allowed0))
            state.at_interval = (state.allowed_time, state.busy_time)
        routed0, within0, decided0 = self._at_interval
        self.series_sl.append(ratio(within - within0, decided - decided0))
        self.series_arrived.append(routed - routed0)
        self._at_interval = (routed, within, decided)

    def finish(self, end: float) -> None:
        if not self.interval_ends or self.interval_ends[-1] < end:
            self.close_interval(end)
        for record in self.records.values():
            if record.answered_at is None and record.tally is not None:
                record.tally.waiting_at_end += 1
                for skill in record.skill_tallies:
                    skill.waiting_at_end += 1

    def figures(self) -> dict:
        agents = {}
        allowed = busy = used = 0.0
        for state in self.agents.values():
            figures = state.tally.figures(self.sl_s)
            figures["answered"] = state.answered  # an agent's waits are not kept, only counted
            row = {name: figures[name] for name in AGENT_FIGURES if name in figures}
            allowed0, busy0, used0 = state.at_warmup
            agent_allowed = state.allowed_time - allowed0
            row["occupancy"] = ratio(state.busy_time - busy0, agent_allowed)
            row["capacity_used"] = ratio(state.used_time - used0, agent_allowed)
            agents[state.name] = row
            allowed += agent_allowed
            busy += state.busy_time - busy0
            used += state.used_time - used0
        counted = [lane for lane in self.lanes.values() if lane.tally is not None]
        totals = Tally.merged(lane.tally for lane in counted).figures(self.sl_s)
        totals["occupancy"] = ratio(busy, allowed)
        totals["capacity_used"] = ratio(used, allowed)
        return {
            "totals": totals,
            "workstreams": {name: Tally.merged(lane.tally for lane in counted if lane.stream == name).figures(self.sl_s)
                            for name in self.stream_names},
            "queues": {name: Tally.merged(lane.tally for lane in counted if lane.queue == name).figures(self.sl_s)
                       for name in self.queue_names},
            "agents": agents,
            "skills": {name: _pick(tally.figures(self.sl_s), SKILL_FIGURES) for name, tally in self.skills.items()},
            "overflow": {queue: dict(counts) for queue, counts in self.overflow.items()},
        }

    def series(self) -> dict:
        return {
            "interval_end_s": list(self.interval_ends),
            "arrived": list(self.series_arrived),
            "service_level": list(self.series_sl),
            "waiting": {name: list(values) for name, values in self.series_waiting.items()},
            "occupancy": {name: list(values) for name, values in self.series_occupancy.items()},
        }


# --------------------------------------------------------------------------- one run

@dataclass
class RunResult:
    figures: dict
    series: dict
    events: int = 0


class Cancelled(Exception):
    """A run stopped because ``should_stop()`` said so."""


PROGRESS_EVERY = 8192  # loop steps between progress reports
_ARRIVAL, _ACTION, _TIMER = range(3)  # what the run loop does next


def prepare(config_doc: Mapping[str, Any], model: Any) -> tuple[dict, CheckedWorkload]:
    """The normalised configuration and the model checked against it (UserError otherwise)."""
    from app.simulation.workload import WorkloadModel, parse_workload

    config = normalize_config(config_doc)
    parsed = model if isinstance(model, WorkloadModel) else parse_workload(model)
    return config, check_workload(parsed, config)


def run_once(config: dict, workload: CheckedWorkload, *, replication: int = 0,
             progress: Progress | None = None, step: str = "simulating") -> RunResult:
    """Play the model once on a virtual clock; the figures and interval series.

    ``progress(step, done, total)`` is called every few thousand steps with simulated
    seconds done; it may raise (Ctrl+C, Cancel) to stop the run.
    """
    model = workload.model
    clock = VirtualClock(0)
    simulator = LabSimulator(config, clock, start=model.start_at)
    end = model.duration_s
    player = WorkloadPlayer(simulator, workload, config, replication=replication, subscribe=False)
    recorder = Recorder(simulator, config, warmup_s=model.warmup_s, service_level_s=model.service_level_s,
                        interval_s=model.interval_s, duration_s=end, subscribe=False, records=player.calls)
    # The recorder first (it reads a conversation's record before the player is done with it).  It
    # removes the record when the conversation closes, which is all the player does then, and hands
    # answered conversations to the player itself.
    recorder.on_answer = player.answered
    if player.reconnects:
        recorder.on_close = player.closed
    playing = {name: handler for name, handler in player.handlers.items()
               if name not in ("closed", "accepted", "assigned")}
    simulator.set_hooks(_merged_handlers(recorder.handlers, playing))
    boundaries = _boundaries(model)
    total = int(end)
    # A day is hundreds of thousands of short-lived event dicts: no cyclic collections meanwhile.
    with gc_paused():
        _play(simulator, player, recorder, clock, boundaries, end, progress, step)
    if progress is not None:
        progress(step, total, total)
    return RunResult(recorder.figures(), recorder.series(), player.steps)


def _play(simulator: LabSimulator, player: WorkloadPlayer, recorder: Recorder, clock: VirtualClock,
          boundaries: list, end: float, progress: Progress | None, step: str) -> None:
    """The event loop: the simulator's next timer, the player's next scheduled action or its next
    arrival, whichever comes first (in that order at equal times)."""
    actions, arrivals, timers = player.heap, player.arrivals, simulator.timers
    perform_arrival, perform_action, end_at = player.perform_arrival, player.perform_action, simulator.end_at
    heappop, inf = heapq.heappop, math.inf
    arrival, action, timer, ending = _ARRIVAL, _ACTION, _TIMER, _END  # locals: read every step
    next_mark = 0
    boundary = boundaries[0][0] if boundaries else math.inf
    steps = 0
    report_at = PROGRESS_EVERY
    total = int(end)
    try:
        while True:
            t = arrivals[0][0] if arrivals else inf
            source = arrival
            if actions and actions[0][0] <= t:
                t = actions[0][0]
                source = action
            if timers and timers[0][0] <= t:
                t = timers[0][0]
                source = timer
            if t > end:
                break
            if boundary <= t:
                next_mark = _cross(recorder, boundaries, next_mark, t)
                boundary = boundaries[next_mark][0] if next_mark < len(boundaries) else math.inf
            if source == arrival:
                perform_arrival()  # trusted: takes its time from the arrival, not the clock
            elif source == action and actions[0][2] == ending:
                end_at(t, heappop(actions)[3])  # perform_action's commonest case, inline (trusted too)
            else:
                clock.set(t)
                if source == action:
                    perform_action()
                else:
                    simulator.advance_to(t)
            steps += 1
            if steps >= report_at:
                report_at += PROGRESS_EVERY
                if progress is not None:
                    progress(step, int(t), total)
        _cross(recorder, boundaries, next_mark, end)
        clock.set(max(clock.now(), end))
        recorder.finish(end)
    finally:
        player.steps = steps


def _boundaries(model) -> list[tuple[float, bool, bool]]:
    """(time, ends the warm-up, ends an interval), in time order, before the end."""
    marks: dict[float, list[bool]] = {}
    k = 1
    while k * model.interval_s < model.duration_s:
        marks.setdefault(k * model.interval_s, [False, False])[1] = True
        k += 1
    if model.warmup_s > 0:
        marks.setdefault(model.warmup_s, [False, False])[0] = True
    return [(t, warm, interval) for t, (warm, interval) in sorted(marks.items())]


def _cross(recorder: Recorder, boundaries: list, index: int, t: float) -> int:
    """Mark the boundaries at or before ``t``; the index of the next one."""
    while index < len(boundaries) and boundaries[index][0] <= t:
        when, warm, interval = boundaries[index]
        if warm:
            recorder.end_warmup(when)
        if interval:
            recorder.close_interval(when)
        index += 1
    return index


def _merged_handlers(*tables: dict) -> dict[str, Callable[[dict], None]]:
    """Per event name, one function calling each table's handler for it, in table order."""
    merged: dict[str, tuple] = {}
    for table in tables:
        for name, handler in table.items():
            merged[name] = merged.get(name, ()) + (handler,)
    return {name: handlers[0] if len(handlers) == 1 else _both(handlers) for name, handlers in merged.items()}


def _both(handlers: tuple) -> Callable[[dict], None]:
    if len(handlers) == 2:
        first, second = handlers

        def call_two(event: dict) -> None:
            first(event)
            second(event)
        return call_two

    def call_all(event: dict) -> None:
        for handler in handlers:
            handler(event)
    return call_all


# --------------------------------------------------------------------------- replications

# Student's t, two-sided 95 %, by degrees of freedom (1.96 beyond the table).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042)


def t95(df: int) -> float:
    if df < 1:
        return math.nan
    if df <= len(_T95):
        return _T95[df - 1]
    if df <= 60:
        return 2.042 - (df - 30) * (2.042 - 2.000) / 30
    if df <= 120:
        return 2.000 - (df - 60) * (2.000 - 1.980) / 60
    return 1.960


def tidy(value: Any) -> Any:
    """Numbers for JSON: whole floats as ints, the rest to 6 decimals."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = round(value, 6)
        return int(value) if value.is_integer() else value
    return value


def mean_ci(values: list) -> dict:
    """``{"mean": x, "ci95": [low, high]}`` over the runs where the figure exists."""
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "ci95": [None, None]}
    mean = statistics.fmean(present)
    if len(present) < 2:
        return {"mean": tidy(mean), "ci95": [None, None]}
    half = t95(len(present) - 1) * statistics.stdev(present) / math.sqrt(len(present))
    return {"mean": tidy(mean), "ci95": [tidy(mean - half), tidy(mean + half)]}


def _map_figures(runs: list[dict], combine: Callable[[list], Any]) -> dict:
    """Section by section, name by name, figure by figure: ``combine`` of the runs' values."""
    first = runs[0]
    out: dict = {}
    for section in SECTIONS:
        if section == "totals":
            out[section] = {name: combine([run[section].get(name) for run in runs]) for name in first[section]}
            continue
        out[section] = {}
        for key, row in first[section].items():
            out[section][key] = {name: combine([run[section].get(key, {}).get(name) for run in runs])
                                 for name in row}
    return out


def tidy_figures(figures: dict) -> dict:
    return _map_figures([figures], lambda values: tidy(values[0]))


@dataclass
class ModelResult:
    """Figures of one configuration: plain (one replication) or mean and CI."""

    runs: list[RunResult]

    @property
    def figures(self) -> dict:
        if len(self.runs) == 1:
            return tidy_figures(self.runs[0].figures)
        return _map_figures([run.figures for run in self.runs], mean_ci)

    @property
    def series(self) -> dict:
        return self.runs[0].series


def run_model(config: dict, workload: CheckedWorkload, replications: int | None = None,
              progress: Progress | None = None, label: str = "") -> ModelResult:
    """``count`` replications; ``progress`` hears of all of them as one stretch of work (done and total
    over the replications together), so a Cancel is heard at the latest at the end of a replication."""
    count = replications or workload.model.replications
    runs = []
    for index in range(count):
        step = f"{label}replication {index + 1} of {count}" if count > 1 else f"{label}simulating"
        runs.append(run_once(config, workload, replication=index, step=step,
                             progress=_overall(progress, index, count) if progress is not None else None))
    return ModelResult(runs)


def _overall(progress: Progress, index: int, count: int) -> Progress:
    """Replication ``index`` of ``count``'s progress as progress over all of them."""
    def report(step: str, done: int, total: int) -> None:
        progress(step, index * total + done, count * total)
    return report


def _delta(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    return tidy(b - a)


def compare(config_a: dict, config_b: dict, workload_a: CheckedWorkload, workload_b: CheckedWorkload,
            replications: int | None = None, progress: Progress | None = None
            ) -> tuple[dict, "ModelResult", "ModelResult"]:
    """Both configurations under the same random numbers: ``{"a": ..., "b": ..., "delta": b - a}``
    (and the two results, for their series).

    With replications, the delta is the mean of the paired differences and its CI."""
    a = run_model(config_a, workload_a, replications, progress, label="A: ")
    b = run_model(config_b, workload_b, replications, progress, label="B: ")
    if len(a.runs) == 1:
        delta = _map_figures([a.runs[0].figures, b.runs[0].figures],
                             lambda values: _delta(values[0], values[1]))
        delta = _fill_missing(delta, a.runs[0].figures, b.runs[0].figures)
    else:
        pairs = [_map_figures([ra.figures, rb.figures], lambda v: _delta(v[0], v[1]))
                 for ra, rb in zip(a.runs, b.runs)]
        delta = _map_figures(pairs, mean_ci)
    return {"a": a.figures, "b": b.figures, "delta": delta}, a, b


def _fill_missing(delta: dict, a: dict, b: dict) -> dict:
    """Rows only B has (an agent added) appear in the delta as None figures."""
    for section in SECTIONS[1:]:
        for key, row in b[section].items():
            if key not in delta[section]:
                delta[section][key] = {name: None for name in row}
    return delta


# --------------------------------------------------------------------------- staffing

def erlang_c(servers: int, offered_load: float) -> float:
    """Probability of waiting in M/M/c (Erlang C), computed stably."""
    if servers <= offered_load:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    term *= offered_load / servers
    last = term * servers / (servers - offered_load)
    return last / (total + last)


def erlang_c_servers(rate_per_s: float, mean_handle_s: float, target_sl: float, threshold_s: float) -> int:
    """Fewest M/M/c servers whose service level (answered within ``threshold_s``) reaches ``target_sl``."""
    load = rate_per_s * mean_handle_s
    servers = max(1, math.floor(load) + 1)
    while servers < 100_000:
        wait_probability = erlang_c(servers, load)
        sl = 1 - wait_probability * math.exp(-(servers - load) * threshold_s / mean_handle_s)
        if sl >= target_sl:
            return servers
        servers += 1
    return servers


def with_queue_size(config: dict, queue_name: str, size: int) -> dict:
    """The configuration with ``size`` agents in the queue: its members, then copies of them in turn."""
    out = {**config, "agents": list(config["agents"]), "queues": [dict(q) for q in config["queues"]]}
    queue = next((q for q in out["queues"] if q["name"].casefold() == queue_name.casefold()), None)
    if queue is None:
        raise UserError(f"--solve-agents: unknown queue '{queue_name}'")
    members = list(queue["agents"])
    if not members:
        raise UserError(f"--solve-agents: queue '{queue['name']}' has no agents to copy")
    by_fold = {a["name"].casefold(): a for a in config["agents"]}
    taken = {a["name"].casefold() for a in config["agents"]}
    chosen = members[:size]
    copy = 2
    while len(chosen) < size:
        for member in members:
            if len(chosen) >= size:
                break
            name = f"{member} ({copy})"
            while name.casefold() in taken:
                name += "'"
            taken.add(name.casefold())
            out["agents"].append({**by_fold[member.casefold()], "name": name})
            chosen.append(name)
        copy += 1
    queue["agents"] = chosen
    return out


@dataclass
class Staffing:
    queue: str
    agents: int
    estimate: int
    figures: dict
    tried: list[tuple[int, float | None]]


def _queue_sl(result: ModelResult, queue: str) -> float | None:
    row = result.figures["queues"].get(queue, {})
    value = row.get("service_level")
    return value["mean"] if isinstance(value, dict) else value


def solve_agents(config: dict, workload: CheckedWorkload, queue_name: str, target_sl: float,
                 replications: int | None = None, progress: Progress | None = None,
                 max_agents: int = 5000) -> Staffing:
    """Fewest agents in ``queue_name`` whose queue service level reaches ``target_sl``.

    Starts from an Erlang C estimate (the queue's arrival rate and handle time as
    measured in a run with the configuration as it is, one conversation per
    capacity slot), then steps down while the target is still met, or up until it is.
    """
    queue = next((q for q in config["queues"] if q["name"].casefold() == queue_name.casefold()), None)
    if queue is None:
        raise UserError(f"--solve-agents: unknown queue '{queue_name}'")
    name = queue["name"]
    base = run_model(config, workload, replications, progress, label="measuring: ")
    row = base.runs[0].figures["queues"].get(name, {})
    arrived, aht = row.get("arrived") or 0, row.get("aht_s")
    measured_s = workload.model.duration_s - workload.model.warmup_s
    if not arrived or not aht:
        raise UserError(f"--solve-agents: no conversations were answered in queue '{name}' to size it from")
    slots = _slots_per_agent(config, name)
    servers = erlang_c_servers(arrived / measured_s, aht, target_sl, workload.model.service_level_s)
    estimate = max(1, math.ceil(servers / slots))
    tried: dict[int, ModelResult] = {}

    def trial(size: int) -> float:
        if size not in tried:
            tried[size] = run_model(with_queue_size(config, name, size), workload, replications, progress,
                                    label=f"{size} agents: ")
        sl = _queue_sl(tried[size], name)
        return sl if sl is not None else 0.0

    size = min(estimate, max_agents)
    if trial(size) >= target_sl:
        while size > 1 and trial(size - 1) >= target_sl:
            size -= 1
    else:
        while trial(size) < target_sl:
            if size >= max_agents:
                raise UserError(f"--solve-agents: {max_agents} agents do not reach a service level of {target_sl:g}")
            size += 1
    return Staffing(name, size, estimate, tried[size].figures,
                    sorted((k, _queue_sl(v, name)) for k, v in tried.items()))


def _slots_per_agent(config: dict, queue: str) -> int:
    """Conversations one agent of the queue holds at once (capacity ÷ the streams' need, at least 1)."""
    needs = [ws["capacity"] for ws in config["workstreams"] if ws["active"] and ws["capacity"] > 0]
    members = [a for a in config["agents"]
               if any(m.casefold() == a["name"].casefold()
                      for q in config["queues"] if q["name"] == queue for m in q["agents"])]
    if not needs or not members:
        return 1
    need = max(needs)
    return max(1, min(a["capacity"] for a in members) // need)


__all__ = [
    "AGENT_FIGURES",
    "CONVERSATION_FIGURES",
    "Cancelled",
    "ModelResult",
    "Recorder",
    "RunResult",
    "Staffing",
    "TOTAL_FIGURES",
    "WorkloadPlayer",
    "compare",
    "erlang_c",
    "erlang_c_servers",
    "mean_ci",
    "prepare",
    "run_model",
    "run_once",
    "solve_agents",
    "with_queue_size",
]
