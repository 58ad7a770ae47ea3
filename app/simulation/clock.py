"""Injectable clocks for the distribution simulator.

The simulator only ever asks a ``Clock`` for ``now()`` in *simulated* seconds.
Tests and the CLI drive a ``VirtualClock`` by hand; the GUI uses a
``ScaledClock`` over a real monotonic source, at a speed it can change, pause
and resume.  Nothing here reads the wall clock unless it is handed one.
"""
from __future__ import annotations

import math
import time
from typing import Callable, Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> float:
        """Simulated seconds since the start of the simulation."""
        ...


def _check_time(value: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return value


class VirtualClock:
    """Time moves only when told to; it never goes backwards."""

    def __init__(self, start: float = 0.0):
        self._now = _check_time(start, "start")

    def now(self) -> float:
        return self._now

    def advance(self, dt: float) -> float:
        if _check_time(dt, "dt") < 0:
            raise ValueError(f"cannot advance by a negative time ({dt})")
        self._now += dt
        return self._now

    def set(self, t: float) -> float:
        if t.__class__ is float and self._now <= t < math.inf:  # the common case, checked quickly
            self._now = t
            return t
        if _check_time(t, "t") < self._now:
            raise ValueError(f"cannot move the clock back from {self._now} to {t}")
        self._now = t
        return self._now


class ScaledClock:
    """Simulated time = ``speed`` × real time elapsed while running.

    Elapsed simulated time is folded into an accumulator whenever the speed
    changes or the clock pauses, so changing speed never makes time jump.
    """

    def __init__(
        self,
        real_time_source: Callable[[], float] = time.monotonic,
        speed: float = 1.0,
        *,
        start: float = 0.0,
        paused: bool = False,
    ):
        self._real = real_time_source
        self._speed = self._check_speed(speed)
        self._accumulated = _check_time(start, "start")
        self._anchor: float | None = None if paused else self._real()

    @staticmethod
    def _check_speed(speed: float) -> float:
        if _check_time(speed, "speed") < 0:
            raise ValueError(f"speed must be ≥ 0, not {speed}")
        return speed

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._anchor is None

    def now(self) -> float:
        if self._anchor is None:
            return self._accumulated
        return self._accumulated + (self._real() - self._anchor) * self._speed

    def _fold(self) -> None:
        """Move the simulated time elapsed so far into the accumulator."""
        if self._anchor is not None:
            real = self._real()
            self._accumulated += (real - self._anchor) * self._speed
            self._anchor = real

    def pause(self) -> None:
        self._fold()
        self._anchor = None

    def resume(self) -> None:
        if self._anchor is None:
            self._anchor = self._real()

    def set_speed(self, speed: float) -> None:
        speed = self._check_speed(speed)
        self._fold()
        self._speed = speed

    def set(self, t: float) -> None:
        """Jump to simulated time ``t`` (forward only), keeping the running state."""
        if _check_time(t, "t") < self.now():
            raise ValueError(f"cannot move the clock back from {self.now()} to {t}")
        self._fold()
        self._accumulated = t


__all__ = ["Clock", "ScaledClock", "VirtualClock"]
