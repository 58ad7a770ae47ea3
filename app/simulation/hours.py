"""Operating hours on the simulator's clock: is a queue open at simulated second ``t``?

A schedule is a week of local ``[start, end)`` intervals ("HH:MM", "24:00" ends at midnight)
in the queue's time zone, minus closed dates (whole local days).  The simulation has a
``start``: simulated second 0 is that moment.  A start with a UTC offset is one instant for
every queue; a start without one is a wall-clock time read in each queue's own zone ("09:00"
means nine in the morning wherever the queue is).  Without a start there is no calendar and
every queue is always open.

``QueueHours.state(t)`` answers (open?, until when that answer holds) and remembers it, so
the per-conversation cost is one comparison until the next interval edge or midnight.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from app.common.errors import UserError

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_S = 86_400


def parse_start(value: Any, path: str = "start") -> datetime | None:
    """A scenario's ``start``: None, a ``datetime`` or ISO 8601 text ("2026-12-07T08:30", an offset allowed)."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise UserError(f"{path}: must be a local date-time such as \"2026-12-07T08:30:00\"")
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"{path}: '{value}' is not a date-time such as \"2026-12-07T08:30:00\"") from None


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class QueueHours:
    """One queue's schedule against one simulation start."""

    def __init__(self, hours: Mapping[str, Any], start: datetime):
        self.zone = ZoneInfo(hours["timezone"])
        week = hours.get("week") or {}
        # weekday index -> sorted [(start_s, end_s)] in local seconds of the day
        self.week: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple(sorted((_seconds(a), _seconds(b)) for a, b in week.get(day, []))) for day in WEEKDAY_KEYS)
        self.closed_dates = frozenset(date.fromisoformat(text) for text in hours.get("closed_dates", []))
        aware = start if start.tzinfo is not None else start.replace(tzinfo=self.zone)
        self.origin = aware.timestamp()  # the instant of simulated second 0
        self._open = False
        self._valid_from = 1.0  # empty validity window: the first call computes
        self._valid_until = 0.0

    def local(self, t: float) -> datetime:
        """The queue's wall-clock time at simulated second ``t`` (naive, in its zone)."""
        return datetime.fromtimestamp(self.origin + t, self.zone).replace(tzinfo=None)

    def is_open(self, t: float) -> bool:
        if self._valid_from <= t < self._valid_until:
            return self._open
        return self.state(t)[0]

    def state(self, t: float) -> tuple[bool, float]:
        """(open at ``t``, the simulated second until which that holds: the next edge or midnight)."""
        if self._valid_from <= t < self._valid_until:
            return self._open, self._valid_until
        local = self.local(t)
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        intervals = self.week[local.weekday()]
        is_open = local.date() not in self.closed_dates and any(a <= second < b for a, b in intervals)
        edges = [edge for a, b in intervals for edge in (a, b) if edge > second]
        edge = min(edges, default=DAY_S)
        boundary = datetime.combine(local.date(), datetime.min.time()) + timedelta(seconds=edge)
        until = boundary.replace(tzinfo=self.zone).timestamp() - self.origin
        if until <= t:  # a wall-clock edge a DST change skipped over or repeated: look again soon
            until = t + 60
        self._open, self._valid_from, self._valid_until = is_open, t, until
        return is_open, until

    def next_change(self, t: float, horizon_s: float = 400 * DAY_S) -> float | None:
        """The first simulated second after ``t`` at which open/closed flips (None within the horizon)."""
        is_open, until = self.state(t)
        limit = t + horizon_s
        while until <= limit:
            now_open, next_until = self.state(until)
            if now_open != is_open:
                return until
            until = next_until
        return None
