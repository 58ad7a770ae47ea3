"""A wall clock the test moves by hand: the live agent panel's ``time_source``.

The panel turns wall seconds into simulated ones; with this clock a test decides when a
second has passed (no sleeps), and the panel's timer ticks are driven by ``advance``.
"""
from __future__ import annotations


class FakeWallClock:
    """A monotonic source: ``clock()`` reads it, ``advance(s)`` moves it."""

    def __init__(self, start: float = 500.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
