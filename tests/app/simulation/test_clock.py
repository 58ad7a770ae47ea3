"""Injectable clocks: virtual time for tests and the CLI, scaled real time for the GUI."""
from __future__ import annotations

import pytest

from app.simulation.clock import Clock, ScaledClock, VirtualClock


class FakeRealTime:
    """A stand-in for time.monotonic that moves only when told to."""

    def __init__(self, start: float = 1000.0):
        self.value = start

    def __call__(self) -> float:
        return self.value


def test_virtual_clock_moves_only_when_told():
    clock = VirtualClock()
    assert clock.now() == 0
    assert clock.advance(2.5) == 2.5
    clock.set(10)
    assert clock.now() == 10
    clock.set(10)  # setting the same time is fine
    assert clock.now() == 10


def test_virtual_clock_never_goes_back():
    clock = VirtualClock(5)
    with pytest.raises(ValueError, match="back"):
        clock.set(4)
    with pytest.raises(ValueError, match="negative"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="finite"):
        clock.advance(float("nan"))
    assert clock.now() == 5


def test_clocks_satisfy_the_protocol():
    assert isinstance(VirtualClock(), Clock)
    assert isinstance(ScaledClock(FakeRealTime()), Clock)


def test_scaled_clock_runs_at_its_speed():
    real = FakeRealTime()
    clock = ScaledClock(real, speed=60)
    assert clock.now() == 0
    real.value += 2
    assert clock.now() == 120


def test_changing_speed_keeps_the_time_reached():
    real = FakeRealTime()
    clock = ScaledClock(real, speed=10)
    real.value += 3            # 30 simulated seconds at 10x
    clock.set_speed(60)
    assert clock.now() == 30   # no jump when the speed changes
    real.value += 1            # one more real second at 60x
    assert clock.now() == 90
    assert clock.speed == 60


def test_pause_freezes_and_resume_continues():
    real = FakeRealTime()
    clock = ScaledClock(real, speed=2)
    real.value += 5
    clock.pause()
    assert clock.paused and clock.now() == 10
    real.value += 100          # real time passing while paused does not count
    assert clock.now() == 10
    clock.resume()
    clock.resume()             # resuming twice changes nothing
    real.value += 1
    assert not clock.paused and clock.now() == 12


def test_speed_changes_while_paused_apply_after_resume():
    real = FakeRealTime()
    clock = ScaledClock(real, speed=1, paused=True)
    real.value += 50
    clock.set_speed(100)
    assert clock.now() == 0
    clock.resume()
    real.value += 0.5
    assert clock.now() == 50


def test_scaled_clock_can_jump_forward_only():
    real = FakeRealTime()
    clock = ScaledClock(real, speed=1, start=100)
    clock.set(500)
    assert clock.now() == 500
    real.value += 1
    assert clock.now() == 501
    with pytest.raises(ValueError, match="back"):
        clock.set(10)


def test_bad_speeds_are_refused():
    with pytest.raises(ValueError):
        ScaledClock(FakeRealTime(), speed=-1)
    clock = ScaledClock(FakeRealTime())
    with pytest.raises(ValueError):
        clock.set_speed(float("inf"))


def test_default_real_time_source_is_monotonic():
    # Only the default is checked here; no test waits for real time to pass.
    import time

    assert ScaledClock()._real is time.monotonic
