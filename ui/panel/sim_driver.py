"""Drives the distribution simulator from the Qt event loop.

``SimulationDriver`` owns a ``Simulator`` and a ``ScaledClock`` (simulated time
= speed × wall time while running; the wall-time source is injectable so tests
move time by hand).  A ``QTimer`` calls :meth:`tick` every ``interval_ms``; a
tick moves the simulator up to the clock's time, firing due timers and due
scenario events in time order, in a *bounded* step: past ``budget_s`` of wall
time it stops and the next tick carries on, so a flood of timers never freezes
the window (the simulated time shown then lags the clock for a tick or two).

The simulator itself runs on a private ``VirtualClock`` the driver sets: that is
how scenario events happen at their exact simulated time (the simulator acts
"now", and now is what the driver says), and how a user action first catches up
with the scaled clock.

Events are collected from the simulator's listener (which must not call back
into the simulator) and emitted once per tick or per user action as one list,
so the UI repaints once per batch.  Signals:

* ``eventsEmitted(list)`` — the events of one batch (a list of event dicts;
  declared as ``object`` so PySide hands the very list over instead of
  converting every dict);
* ``timeChanged(float)`` — the simulated time, when it moved;
* ``stateChanged()`` — after a batch that changed something;
* ``speedChanged()`` — speed or pause changed;
* ``simulationReset()`` — a fresh simulator (reset or new configuration).

While a driver runs it also keeps Python's full garbage collections short
(``GcPolicy``): a long simulation keeps every conversation's route trace, and
a full collection over that heap stalled the window for 100-200 ms (and still
20-60 ms when only the survivors of full collections were frozen).
"""
from __future__ import annotations

import functools
import gc
import math
import random
import time
from datetime import datetime
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.simulation.clock import ScaledClock, VirtualClock
from app.simulation.burst import ContextMaker
from app.common.errors import UserError
from app.routing.router import coerce_context
from app.simulation.engine import (
    Simulator,
    apply_scenario_action,
    json_time,
    normalize_config,
    validate_scenario,
)

# (label, speed); None is "Pause".
SPEED_PRESETS: tuple[tuple[str, float | None], ...] = (
    ("Pause", None), ("1×", 1.0), ("2×", 2.0), ("5×", 5.0), ("10×", 10.0), ("60×", 60.0),
)
TICK_INTERVAL_MS = 50      # 20 ticks a second: a smooth countdown, little work per tick
TICK_BUDGET_S = 0.008      # wall time a tick may spend before leaving the rest to the next
BUDGET_CHECK_EVERY = 4     # steps between looks at the budget (a step costs well under a millisecond)
BURST_CHUNK = 100          # conversations a burst adds per tick
MAX_BURST = 100_000


@dataclass(frozen=True)
class TickStats:
    ticks: int
    max_s: float
    avg_s: float
    events: int
    events_max_batch: int


class _Item:
    """A scheduled action: a scenario event (or a benchmark bot's) at a simulated time."""

    __slots__ = ("at", "seq", "type", "fields")

    def __init__(self, at: float, seq: int, kind: str, fields: dict):
        self.at, self.seq, self.type, self.fields = at, seq, kind, fields

    def key(self) -> tuple[float, int]:
        return (self.at, self.seq)


class GcPolicy:
    """Keeps Python's full garbage collections short while a simulation runs.

    Every conversation keeps its route trace, so a long run grows a large heap of
    lists and dicts that are never cyclic garbage; a full (generation 2) collection
    walks all of it and stalled the window for 100-200 ms at 5,000 conversations.
    While at least one driver runs, whatever survives a generation 1 or 2
    collection — what Python would otherwise move into the old generation, for
    the next full pass to walk again — is moved to the permanent generation
    (``gc.freeze``) after the tick, so a full pass only ever walks the few objects
    promoted since the last tick.  (Freezing only the survivors of full
    collections still left 50-60 k new objects for each full pass: 20-60 ms.)
    Freed objects are still freed by reference counting; only cycles that die
    while frozen wait until ``gc.unfreeze`` — done when the last running driver
    stops (the panel is hidden or closed).
    """

    running = 0
    promoted = False  # a collection moved objects into the old generation since the last freeze

    @classmethod
    def _callback(cls, phase: str, info: dict) -> None:
        if phase == "stop" and info.get("generation", 0) >= 1:
            cls.promoted = True

    @classmethod
    def start(cls) -> None:
        if cls.running == 0:
            gc.callbacks.append(cls._callback)
            gc.collect()  # once, as the panel opens: then start from a frozen baseline
            gc.freeze()
        cls.running += 1

    @classmethod
    def stop(cls) -> None:
        if cls.running == 0:
            return
        cls.running -= 1
        if cls.running == 0:
            if cls._callback in gc.callbacks:
                gc.callbacks.remove(cls._callback)
            cls.promoted = False
            gc.unfreeze()

    @classmethod
    def after_tick(cls) -> None:
        if cls.promoted:
            cls.promoted = False
            gc.freeze()


def _release_gc(token: list, *_args: Any) -> None:
    if token[0]:
        token[0] = False
        GcPolicy.stop()


def format_clock(seconds: float) -> str:
    """Simulated time as hh:mm:ss (whole seconds, rounded down)."""
    whole = max(0, int(math.floor(seconds + 1e-9)))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class SimulationDriver(QObject):
    eventsEmitted = Signal(object)
    timeChanged = Signal(float)
    stateChanged = Signal()
    speedChanged = Signal()
    simulationReset = Signal()
    configurationChanged = Signal()  # a saved change was applied (reconfigure); the simulation carries on

    def __init__(self, config_doc: Mapping[str, Any], parent: QObject | None = None, *,
                 time_source: Callable[[], float] | None = None, speed: float = 1.0, paused: bool = False,
                 interval_ms: int = TICK_INTERVAL_MS, budget_s: float = TICK_BUDGET_S, manage_gc: bool = True,
                 calendar_start: datetime | None = None):
        super().__init__(parent)
        # The local date-time of simulated second 0, for queues' operating hours (None: always open).
        self.calendar_start = calendar_start
        self._manage_gc = manage_gc
        self._gc_token = [False]  # shared with the destroyed() handler, which cannot use self
        self._time_source = time_source or time.monotonic
        self._budget_s = budget_s
        self._speed = float(speed)
        self._paused = paused
        self.timer = QTimer(self)
        self.timer.setObjectName("simulationTimer")
        self.timer.setInterval(interval_ms)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)
        # Deleted while running (no stop()): still give the GC policy back.
        self.destroyed.connect(functools.partial(_release_gc, self._gc_token))
        self._unsubscribe: Callable[[], None] | None = None
        self._closed = False
        self._ticking = False
        self._ticks = 0
        self._tick_total = 0.0
        self._tick_max = 0.0
        self._events_total = 0
        self._events_max_batch = 0
        self._build(config_doc)

    # ------------------------------------------------------------------ construction

    def _build(self, config_doc: Mapping[str, Any]) -> None:
        self.clock = ScaledClock(self._time_source, self._speed if self._speed > 0 else 1.0, start=0.0,
                                 paused=self._paused)
        self._pending: list[dict] = []
        self._build_simulator(config_doc, 0.0)
        self._contexts: dict[str, dict] = {}
        self._schedule: list[_Item] = []   # kept sorted by (at, seq)
        self._schedule_seq = 0
        self._bursts: list[tuple[str, str, dict]] = []  # (conversation id, work stream, context) still to add
        self._next_number = 0
        self._last_time = 0.0

    def _build_simulator(self, config_doc: Mapping[str, Any], start: float) -> None:
        """A simulator on ``config_doc`` from simulated time ``start`` (routing caches start empty)."""
        self.config: dict = normalize_config(config_doc)  # UserError when the document is not valid
        self._streams = {ws["name"]: ws for ws in self.config["workstreams"]}
        self._stream_by_fold = {name.casefold(): ws for name, ws in self._streams.items()}
        self._sim_clock = VirtualClock(start)
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.simulator = Simulator(self.config, self._sim_clock, start=self.calendar_start)
        self._unsubscribe = self.simulator.subscribe(self._collect)

    # ------------------------------------------------------------------ following the configuration

    def watch_configuration(self, version: Callable[[], int], load: Callable[[], Mapping[str, Any] | None]) -> None:
        """Follow saved changes: at each tick ``version()`` (a data-version counter, see
        app/store/changes.py) is compared with the last one seen; when it moved, ``load()`` gives the
        configuration (None: it can't be simulated now; the current one stays) and
        :meth:`reconfigure` applies it."""
        self._version_source = version
        self._config_loader = load
        self._seen_version = version()

    def check_configuration(self) -> bool:
        """Reconfigure when the watched data version moved; True when it did (every tick calls this)."""
        source = getattr(self, "_version_source", None)
        if source is None or self._closed:
            return False
        version = source()
        if version == self._seen_version:
            return False
        self._seen_version = version
        doc = self._config_loader()
        if doc is None:
            return False
        try:
            return self.reconfigure(doc)
        except UserError as error:
            self._pending.append({"t": json_time(self.simulator.time), "event": "configuration_changed",
                                  "details": f"saved configuration can't be simulated: {error}"})
            return False

    def reconfigure(self, config_doc: Mapping[str, Any]) -> bool:
        """Carry on from the current simulated time on a new configuration (agents, queues, routing):
        the clock, speed, log and scheduled scenario actions stay; conversations in flight end (they
        were routed and offered under the old rules).  False when the document is the same."""
        config = normalize_config(config_doc)
        if config == self.config:
            return False
        now = self.simulator.time
        live = len(self.simulator.conversations(("queued", "offered", "active", "waiting")))
        self._bursts = []
        self._build_simulator(config, now)
        note = f"{len(config['agents'])} agents, {len(config['queues'])} queues, " \
               f"{len(config['workstreams'])} work streams"
        if live:
            note += f"; {live} conversation{'s' if live != 1 else ''} in flight ended"
        self._pending.append({"t": json_time(now), "event": "configuration_changed",
                              "details": f"saved changes applied: {note}"})
        self.configurationChanged.emit()
        return True

    def _collect(self, event: dict) -> None:
        self._pending.append(event)

    def reset(self, config_doc: Mapping[str, Any] | None = None) -> None:
        """Start over at 00:00:00 (with a new configuration when given); speed and pause are kept.

        Raises UserError (and keeps the current simulation) when the new document is not valid.
        """
        if config_doc is not None:
            normalize_config(config_doc)
        self._build(self.config if config_doc is None else config_doc)
        self.simulationReset.emit()
        self.timeChanged.emit(0.0)
        self.stateChanged.emit()

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        if not self._closed and not self.timer.isActive():
            self.timer.start()
            if self._manage_gc and not self._gc_token[0]:
                self._gc_token[0] = True
                GcPolicy.start()

    def stop(self) -> None:
        self.timer.stop()
        _release_gc(self._gc_token)

    def close(self) -> None:
        """Stop for good: the timer stops and the simulator is no longer listened to."""
        self.stop()
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def time(self) -> float:
        """The simulated time the simulator has reached."""
        return self.simulator.time

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self.clock.paused

    def set_speed(self, speed: float | None) -> None:
        """A speed preset; None (or 0) pauses, any other speed also resumes."""
        if speed is None or speed <= 0:
            self.pause()
            return
        self._speed = float(speed)
        self.clock.set_speed(self._speed)
        self.clock.resume()
        self._paused = False
        self.speedChanged.emit()

    def pause(self) -> None:
        self.clock.pause()
        self._paused = True
        self.speedChanged.emit()

    def resume(self) -> None:
        self.clock.resume()
        self._paused = False
        self.speedChanged.emit()

    @property
    def ticking(self) -> bool:
        """True while a timer tick emits its batch (listeners may defer costly work to later in the
        event loop); False for the batch of a user action, whose effect should show at once."""
        return self._ticking

    def tick(self) -> None:
        """Move the simulation up to the clock's time (a bounded step), then emit one batch."""
        if self._closed:
            return
        started = time.perf_counter()
        deadline = started + self._budget_s
        self.check_configuration()
        caught_up = self._advance(self.clock.now(), deadline)
        if caught_up and self._bursts:
            self._drain_bursts(BURST_CHUNK)
        self._ticking = True
        try:
            self._flush()
        finally:
            self._ticking = False
        if self._gc_token[0]:
            GcPolicy.after_tick()
        spent = time.perf_counter() - started
        self._ticks += 1
        self._tick_total += spent
        self._tick_max = max(self._tick_max, spent)

    def run_pending(self) -> None:
        """Everything due by the clock's time, with no budget, and every queued burst (tests, screenshots)."""
        self._advance(self.clock.now(), None)
        self._drain_bursts(None)
        self._flush()

    def _set_sim_time(self, t: float) -> None:
        if t > self._sim_clock.now():
            self._sim_clock.set(t)

    def _advance(self, target: float, deadline: float | None) -> bool:
        """Fire timers and scenario events due by ``target`` in time order; False if the budget ran out."""
        sim = self.simulator
        schedule = self._schedule
        steps = 0
        while True:
            next_timer = sim.next_timer_at()
            next_item = schedule[0].at if schedule else None
            if next_item is not None and next_item <= target and (next_timer is None or next_item <= next_timer):
                item = schedule.pop(0)
                self._set_sim_time(item.at)
                self._apply(item)
            elif next_timer is not None and next_timer <= target:
                self._set_sim_time(next_timer)
                sim.advance_to(next_timer)
            else:
                break
            steps += 1
            if deadline is not None and steps % BUDGET_CHECK_EVERY == 0 and time.perf_counter() > deadline:
                return False
        self._set_sim_time(target)
        sim.advance_to(target)
        return True

    def _catch_up(self) -> None:
        """Before a user action: bring the simulation to the clock's time."""
        self._advance(self.clock.now(), None)

    def _flush(self) -> None:
        now = self.simulator.time
        batch = self._pending
        if batch:
            self._pending = []
            self._events_total += len(batch)
            self._events_max_batch = max(self._events_max_batch, len(batch))
            self.eventsEmitted.emit(batch)
        if now != self._last_time:
            self._last_time = now
            self.timeChanged.emit(now)
        if batch:
            self.stateChanged.emit()

    def tick_stats(self) -> TickStats:
        return TickStats(self._ticks, self._tick_max, self._tick_total / self._ticks if self._ticks else 0.0,
                         self._events_total, self._events_max_batch)

    def reset_stats(self) -> None:
        self._ticks = 0
        self._tick_total = self._tick_max = 0.0
        self._events_total = self._events_max_batch = 0

    # ------------------------------------------------------------------ configuration lookups

    @property
    def workstream_names(self) -> list[str]:
        return list(self._streams)

    def workstream(self, name: str) -> dict | None:
        if not isinstance(name, str):
            return None
        return self._streams.get(name) or self._stream_by_fold.get(name.casefold())

    def context_of(self, conversation_id: str) -> dict:
        """The typed context a conversation arrived with ({} when unknown)."""
        return self._contexts.get(conversation_id, {})

    def new_conversation_id(self) -> str:
        while True:
            self._next_number += 1
            candidate = f"C-{self._next_number:04d}"
            if candidate not in self._contexts and self.simulator.conversation(candidate) is None:
                return candidate

    # ------------------------------------------------------------------ user actions

    def _act(self, action: Callable[[], Any]) -> Any:
        self._catch_up()
        result = action()
        self._flush()
        return result

    def inject(self, workstream: str, context: Mapping[str, Any] | None = None,
               conversation_id: str | None = None) -> str:
        """A conversation arrives now; returns its id (a bad context shows as action_rejected)."""
        conv_id = conversation_id or self.new_conversation_id()
        context = dict(context or {})
        stream = self.workstream(workstream)
        if stream is not None:
            try:
                self._contexts[conv_id] = coerce_context(stream, context)
            except UserError:
                pass
        self._act(lambda: self.simulator.add_conversation(conv_id, workstream, context))
        return conv_id

    def accept(self, agent: str, conversation: str) -> None:
        self._act(lambda: self.simulator.accept(agent, conversation))

    def decline(self, agent: str, conversation: str, reason: str | None = None) -> None:
        """Decline a pop; ``reason`` one of the stream's decline reasons (or None)."""
        self._act(lambda: self.simulator.decline(agent, conversation, reason))

    def pick(self, agent: str, conversation: str) -> None:
        self._act(lambda: self.simulator.pick(agent, conversation))

    def set_presence(self, agent: str, presence: str) -> None:
        self._act(lambda: self.simulator.set_presence(agent, presence))

    def set_capacity(self, agent: str, units: int) -> None:
        self._act(lambda: self.simulator.set_capacity(agent, units))

    def end(self, conversation: str) -> None:
        self._act(lambda: self.simulator.end(conversation))

    def idle(self, conversation: str) -> None:
        """The customer went quiet (Waiting; auto-close starts counting)."""
        self._act(lambda: self.simulator.customer_idle(conversation))

    def active(self, conversation: str) -> None:
        """The customer is back."""
        self._act(lambda: self.simulator.customer_active(conversation))

    # ------------------------------------------------------------------ bursts

    def burst(self, n: int, workstream: str | None = None, seed: int | None = None) -> list[str]:
        """``n`` conversations with believable contexts (on ``workstream``, or any active stream when None):
        each stream's rules take turns to catch one, with plausible values for the other variables.

        The first chunk arrives now; larger bursts go on arriving over the next ticks
        so the window stays responsive.  Returns the ids, in arrival order.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise UserError(f"a burst needs a whole number of conversations, not {n!r}")
        n = min(n, MAX_BURST)
        if workstream is not None and self.workstream(workstream) is None:
            raise UserError(f"unknown work stream '{workstream}'")
        rng = random.Random(seed)
        candidates = [self.workstream(workstream)["name"]] if workstream is not None else \
            [ws["name"] for ws in self.config["workstreams"] if ws.get("active", True)] or list(self._streams)
        if not candidates:
            raise UserError("the configuration has no work streams to send conversations on")
        names = [rng.choice(candidates) for _ in range(n)]
        # Believable contexts taking turns between each stream's rules (app/simulation/burst.py).
        contexts = {name: iter(ContextMaker(self._streams[name]).contexts(names.count(name), rng))
                    for name in dict.fromkeys(names)}
        ids = []
        for name in names:
            conv_id = self.new_conversation_id()
            self._contexts[conv_id] = {}
            self._bursts.append((conv_id, name, next(contexts[name])))
            ids.append(conv_id)
        self._catch_up()
        self._drain_bursts(BURST_CHUNK)
        self._flush()
        return ids

    @property
    def burst_backlog(self) -> int:
        return len(self._bursts)

    def _drain_bursts(self, limit: int | None) -> None:
        count = len(self._bursts) if limit is None else min(limit, len(self._bursts))
        if not count:
            return
        chunk, self._bursts = self._bursts[:count], self._bursts[count:]
        stream_docs = self._streams
        for conv_id, name, context in chunk:
            try:
                self._contexts[conv_id] = coerce_context(stream_docs[name], context)
            except UserError:
                self._contexts[conv_id] = {}
            self.simulator.add_conversation(conv_id, name, context)

    # ------------------------------------------------------------------ scenarios

    def schedule(self, at: float, kind: str, **fields: Any) -> None:
        """Do a scenario action (``conversation``, ``accept`` ...) at simulated time ``at``."""
        self._schedule_seq += 1
        item = _Item(max(at, self.simulator.time), self._schedule_seq, kind, fields)
        schedule = self._schedule
        # Appending is the usual case (times grow); otherwise insert in place.
        if not schedule or schedule[-1].key() <= item.key():
            schedule.append(item)
        else:
            lo, hi = 0, len(schedule)
            while lo < hi:
                mid = (lo + hi) // 2
                if schedule[mid].key() <= item.key():
                    lo = mid + 1
                else:
                    hi = mid
            schedule.insert(lo, item)

    @property
    def scheduled_count(self) -> int:
        return len(self._schedule)

    def load_scenario(self, scenario: Any) -> int:
        """Check a ``wsc simulate`` scenario and play it from now; returns how many events it schedules.

        Event times count from the moment it is loaded.  Agent overrides apply at
        once.  Conversation ids already used in this session get a suffix
        (``chat-1`` → ``chat-1·2``) so a scenario can be played again.
        Raises UserError (one line) when the scenario does not fit the configuration.
        """
        plan = validate_scenario(self.config, scenario)
        self._catch_up()
        start = self.simulator.time
        renames: dict[str, str] = {}
        for event in plan.events:
            if event.type == "conversation":
                original = event.fields["id"]
                new_id, suffix = original, 1
                while new_id in self._contexts or self.simulator.conversation(new_id) is not None \
                        or new_id in renames.values():
                    suffix += 1
                    new_id = f"{original}·{suffix}"
                renames[original] = new_id
        for name, override in plan.agents.items():
            if "presence" in override:
                self.simulator.set_presence(name, override["presence"])
            if "capacity" in override:
                self.simulator.set_capacity(name, override["capacity"])
        for event in plan.events:
            fields = dict(event.fields)
            for key in ("id", "conversation"):
                if key in fields:
                    fields[key] = renames.get(fields[key], fields[key])
            self.schedule(start + event.at, event.type, **fields)
        self._pending.append({"t": json_time(start), "event": "scenario_loaded",
                              "details": f"{len(plan.events)} events over {json_time(plan.until)} s"})
        self._advance(self.clock.now(), None)
        self._flush()
        return len(plan.events)

    def load_scenario_file(self, path: str) -> int:
        """:meth:`load_scenario` on a JSON file; UserError naming the problem."""
        from app.common.files import read_text_limited
        from app.common.jsonio import loads_strict

        data = loads_strict(read_text_limited(path, what="scenario"), source=path)
        return self.load_scenario(data)

    def _apply(self, item: _Item) -> None:
        f = item.fields
        if item.type == "conversation":  # kept for the conversation's pop and trace
            stream = self.workstream(f.get("workstream"))
            if stream is not None:
                try:
                    self._contexts[f["id"]] = coerce_context(stream, f.get("context", {}) or {})
                except UserError:
                    self._contexts[f["id"]] = {}
        if not apply_scenario_action(self.simulator, item.type, f):
            self._pending.append({"t": json_time(self.simulator.time), "event": "action_rejected",
                                  "action": item.type, "reason": f"unknown scenario action '{item.type}'"})


__all__ = ["SPEED_PRESETS", "SimulationDriver", "TickStats", "format_clock"]
