"""The simulator as the what-if lab drives it: the same rules, less ceremony per event.

``LabSimulator`` is a ``Simulator`` (every rule, every timer, every public action
unchanged) with two differences that only a virtual-clock run by one trusted
driver can afford:

* **Hooks instead of event dicts.**  ``hooks`` maps an event name to one function,
  called with the event's fields (plus ``"t"``, the simulated time as a float)
  in the very dict the emitting call built — no second dict, no listener list,
  no fan-out, and nothing at all for events nobody hooks.  The commonest events
  (routed, offered, accepted, assigned, capacity released, closed) do not even
  pass through ``_emit``: the engine calls their hook directly with a dict
  literal (the engine's ``_direct_*`` slots, set here while nobody listens).
  Ordinary listeners (``subscribe``) still get the ordinary event dicts, should
  anyone subscribe: while someone does, every event goes through ``_emit``.
* **Trusted arrivals and ends.**  The engine's ``arrive_at`` and ``end_at`` skip what the
  public ``add_conversation`` and ``end`` check for a caller they cannot trust —
  the re-entrancy guard, name lookups, context coercion and the rejections — and
  take the time as an argument instead of reading the clock.  The lab's player
  names only conversations and streams it created or resolved itself, draws
  contexts already typed (a context mix yields text for text variables and
  finite numbers for number variables: what ``coerce_context`` would return),
  and never calls in from inside a hook.

Everything else (accept, decline, pick, presence changes, timers) goes through
the public actions, as in the live panel.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from app.simulation.clock import Clock
from app.simulation.engine import Simulator

Hook = Callable[[dict], None]


class LabSimulator(Simulator):
    """A ``Simulator`` that hands events to hooks (its player uses the engine's trusted ``arrive_at`` / ``end_at``)."""

    def __init__(self, config_doc: Mapping[str, Any], clock: Clock, hooks: Mapping[str, Hook] | None = None,
                 **options: Any):
        """``options``: as ``Simulator``'s (``seed``, ``start``)."""
        super().__init__(config_doc, clock, **options)
        self._hooks: dict[str, Hook] = dict(hooks or {})
        self._set_direct()

    def set_hooks(self, hooks: Mapping[str, Hook]) -> None:
        """From now on, ``hooks[event](fields)`` for each event named there (and nothing for the rest)."""
        self._hooks = dict(hooks)
        self._set_direct()

    def subscribe(self, callback: Callable[[dict], None]) -> Callable[[], None]:
        unsubscribe = super().subscribe(callback)
        self._set_direct()

        def unsubscribe_and_go_direct() -> None:
            unsubscribe()
            self._set_direct()
        return unsubscribe_and_go_direct

    def _set_direct(self) -> None:
        """The engine's direct hooks for its commonest events: this table's, while nobody listens (a
        listener gets every event through ``_emit``, which then calls the hook too, in the same order)."""
        hooks = {} if self._listeners else self._hooks
        self._direct_routed = hooks.get("routed")
        self._direct_assigned = hooks.get("assigned")
        self._direct_offered = hooks.get("offered")
        self._direct_accepted = hooks.get("accepted")
        self._direct_released = hooks.get("capacity_released")
        self._direct_closed = hooks.get("closed")

    def _emit(self, event: str, **fields: Any) -> None:
        if self._listeners:  # someone subscribed as well: the ordinary event dicts for them
            Simulator._emit(self, event, **fields)
        hook = self._hooks.get(event)
        if hook is not None:
            fields["t"] = self._time  # the dict is the hook's from here on
            hook(fields)


__all__ = ["Hook", "LabSimulator"]
