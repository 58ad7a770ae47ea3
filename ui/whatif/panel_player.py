"""Play a what-if workload model on the live agent panel (its "Open scenario…" also takes models).

The Qt-free ``WorkloadPlayer`` is attached to the panel driver's simulator with the
model's t=0 at the panel's current simulated time; after every batch the driver
flushes (``timeChanged``), the actions due by then are played — at the panel's
speed, 1×–60×, at most one tick late.  A reset of the simulation, or another
model, stops it.
"""
from __future__ import annotations

import itertools
from typing import Any
from weakref import WeakKeyDictionary

from app.common.errors import UserError

_PLAYING: "WeakKeyDictionary[Any, tuple]" = WeakKeyDictionary()  # driver -> (player, slots)
_NUMBERS = itertools.count(1)


def read_json_file(path: str) -> Any:
    from app.common.files import read_text_limited
    from app.common.jsonio import loads_strict

    # the same bounded reader (and messages) as the panel's scenario files
    return loads_strict(read_text_limited(path, what="scenario"), source=path)


def is_workload(data: Any) -> bool:
    from app.simulation.workload import FORMAT_NAME

    return isinstance(data, dict) and data.get("format") == FORMAT_NAME


def play_workload(driver, data: Any, name: str = "workload") -> str:
    """Start playing a model on ``driver``'s simulation; the line to show. UserError when it doesn't fit."""
    from app.simulation.whatif import WorkloadPlayer
    from app.simulation.workload import read_workload

    try:
        workload = read_workload(data, driver.config)
    except UserError as error:
        raise UserError(f"{name}: {error}") from None
    stop(driver)
    start = driver.simulator.time
    player = WorkloadPlayer(driver.simulator, workload, driver.config, start_s=start,
                            id_prefix=f"wl{next(_NUMBERS)}-")

    def play(_time: float) -> None:
        player.play_due(driver.simulator.time)

    def reset() -> None:
        stop(driver)

    driver.timeChanged.connect(play)
    driver.simulationReset.connect(reset)
    _PLAYING[driver] = (player, play, reset)
    hours = workload.model.duration_s / 3600
    streams = len(workload.streams)
    return f"{name}: a {hours:g} h workload on {streams} work stream{'s' if streams != 1 else ''}, playing"


def playing(driver) -> bool:
    return driver in _PLAYING


def stop(driver) -> None:
    """Stop the model playing on ``driver`` (if any)."""
    entry = _PLAYING.pop(driver, None)
    if entry is None:
        return
    player, play, reset = entry
    driver.timeChanged.disconnect(play)
    driver.simulationReset.disconnect(reset)
    player.close()
