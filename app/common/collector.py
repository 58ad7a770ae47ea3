"""Holding off Python's cyclic garbage collector around bulk work.

A large configuration, a doctor's analysis or a what-if day makes millions of short-lived
containers; every full collection walks all the live ones again, which made exporting and
importing the large benchmark configuration 2-3x slower and a what-if run 1.3-1.8x slower
(CPython 3.11).  Reference counting still frees everything as usual; the collector runs
again afterwards, and a collector that was already off stays off.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
