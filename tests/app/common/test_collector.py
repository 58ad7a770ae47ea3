"""gc_paused: the cyclic collector is off inside, and afterwards as it was before."""
from __future__ import annotations

import gc

import pytest

from app.common.collector import gc_paused


@pytest.fixture
def collector_restored():
    was_enabled = gc.isenabled()
    yield
    (gc.enable if was_enabled else gc.disable)()


def test_the_collector_is_off_inside_and_on_again_after(collector_restored):
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_turns_it_back_on(collector_restored):
    gc.enable()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("bulk work failed")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_restored):
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
