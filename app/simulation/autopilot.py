"""Simulated agents who answer their own screen pops: the live panel's "Agents answer their pops".

A trainer alone cannot click Accept for six agents at 60×: every pop expires, and where the
work stream sets a presence after a missed notification, every agent ends up Away and the
class watches a frozen panel.  With the autopilot on, each pop is accepted a few seconds
after it appears (by the agent it was offered to) and each conversation that becomes active
ends after a believable handling time, so queues fill and drain at any speed.

Qt-free and clock-agnostic, like ``app.simulation.whatif.WorkloadPlayer``: it listens to the
simulator (scheduling only, never acting from inside a listener) and ``play_due(now)``
performs what is due, at most one tick late.  Every draw comes from one seeded generator,
so a run is repeatable.  What the trainer does by hand still counts: a pop accepted or
declined first is simply no longer there to answer, and a conversation ended first is not
ended twice (the simulator is asked only about what is still outstanding).
"""
from __future__ import annotations

import heapq
import random
from typing import Any, Callable

from app.simulation.engine import ACTIVE, OFFERED, WAITING, Simulator

# An answer within a few seconds, as a person reading a pop; a chat of three to seven minutes.
RESPONSE_S = (3.0, 12.0)
HANDLE_S = (180.0, 420.0)

_ACCEPT, _END = 0, 1


class AutoAnswer:
    """Accept every pop after ``response_s`` (a uniform range) and end every conversation that
    becomes active after ``handle_s`` (another), on ``simulator``, until ``close()``."""

    def __init__(self, simulator: Simulator, *, seed: int = 0, response_s: tuple[float, float] = RESPONSE_S,
                 handle_s: tuple[float, float] = HANDLE_S):
        self.simulator = simulator
        self.response_s, self.handle_s = response_s, handle_s
        self.rng = random.Random(seed)
        self._due: list[tuple[float, int, int, str, str | None]] = []  # (when, seq, kind, conversation, agent)
        self._seq = 0
        self._ending: dict[str, int] = {}  # conversation -> the seq of its one scheduled end
        self.accepted = 0  # what it did, for the curious (and the tests)
        self.ended = 0
        self._handlers: dict[str, Callable[[dict], None]] = {
            "offered": self._offered, "accepted": self._active, "assigned": self._active,
            "closed": self._closed,
        }
        self._unsubscribe: Callable[[], None] | None = simulator.subscribe(self._on_event)
        # Switched on mid-run: the pops already up and the conversations already going are its too.
        now = simulator.time
        for view in simulator.conversations((OFFERED, ACTIVE, WAITING)):
            if view.state == OFFERED:
                self._offered({"t": now, "conversation": view.id, "agent": view.offered_to})
            else:
                self._active({"t": now, "conversation": view.id})

    def close(self) -> None:
        """Stop listening; nothing more is answered or ended."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._due.clear()

    @property
    def closed(self) -> bool:
        return self._unsubscribe is None

    # ----------------------------------------------------------------- listening (scheduling only)

    def _on_event(self, event: dict[str, Any]) -> None:
        handler = self._handlers.get(event.get("event", ""))
        if handler is not None:
            handler(event)

    def _push(self, when: float, kind: int, conversation: str, agent: str | None) -> None:
        self._seq += 1
        heapq.heappush(self._due, (when, self._seq, kind, conversation, agent))

    def _offered(self, event: dict) -> None:
        self._push(float(event["t"]) + self.rng.uniform(*self.response_s), _ACCEPT, event["conversation"],
                   event.get("agent"))

    def _active(self, event: dict) -> None:
        conversation = event.get("conversation")
        if conversation is None or conversation in self._ending:
            return
        self._push(float(event["t"]) + self.rng.uniform(*self.handle_s), _END, conversation, None)
        self._ending[conversation] = self._seq

    def _closed(self, event: dict) -> None:
        # Ended by hand (or closed otherwise): its scheduled end is void; a customer coming back
        # gets a new one when the conversation is assigned again.
        self._ending.pop(event.get("conversation"), None)

    # ----------------------------------------------------------------- acting

    def next_due(self) -> float | None:
        return self._due[0][0] if self._due else None

    def play_due(self, now: float) -> int:
        """Perform everything due at or before ``now``; how many actions were taken."""
        done = 0
        while self._due and self._due[0][0] <= now and not self.closed:
            _when, seq, kind, conversation, agent = heapq.heappop(self._due)
            view = self.simulator.conversation(conversation)
            if view is None:
                continue
            if kind == _ACCEPT:
                # Still offered to the same agent: not accepted, declined or expired in the meantime.
                if view.state == OFFERED and view.offered_to == agent and agent is not None:
                    self.simulator.accept(agent, conversation)
                    self.accepted += 1
                    done += 1
            elif self._ending.get(conversation) == seq:
                del self._ending[conversation]
                if view.state in (ACTIVE, WAITING):
                    self.simulator.end(conversation)
                    self.ended += 1
                    done += 1
        return done
