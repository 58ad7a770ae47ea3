"""Operating hours on the simulated clock: local week intervals, closed dates, zones and DST."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.common.errors import UserError
from app.simulation.hours import QueueHours, parse_start

OFFICE = {"timezone": "Europe/London",
          "week": {day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
          "closed_dates": ["2026-12-25"]}
MONDAY_0830 = datetime(2026, 12, 7, 8, 30)  # a Monday in winter: London is UTC+0


def minutes(m: float) -> float:
    return m * 60


@pytest.mark.parametrize("offset_min, is_open", [
    (0, False), (29.99, False), (30, True),         # 09:00 opens (start inclusive)
    (209.99, True), (210, False),                   # 12:00 closes (end exclusive)
    (270, True), (509.99, True), (510, False),      # 13:00-17:00
])
def test_intervals_are_start_inclusive_end_exclusive(offset_min, is_open):
    hours = QueueHours(OFFICE, MONDAY_0830)
    assert hours.is_open(minutes(offset_min)) is is_open


def test_state_says_until_when_it_holds_and_next_change_finds_the_flip():
    hours = QueueHours(OFFICE, MONDAY_0830)
    assert hours.state(0) == (False, minutes(30))
    assert hours.state(minutes(31)) == (True, minutes(210))
    assert hours.next_change(0) == minutes(30)
    assert hours.next_change(minutes(30)) == minutes(210)
    friday_1700 = minutes(4 * 24 * 60 + 510)
    assert hours.next_change(friday_1700) == minutes(7 * 24 * 60 + 30)  # closed all weekend: Monday 09:00


def test_a_closed_date_is_closed_all_day_and_a_missing_day_is_closed():
    hours = QueueHours(OFFICE, datetime(2026, 12, 25, 10, 0))  # a Friday, closed date
    assert not hours.is_open(0)
    assert hours.next_change(0) == minutes((3 * 24 - 1) * 60)  # Monday 28th 09:00
    saturday = QueueHours(OFFICE, datetime(2026, 12, 5, 10, 0))
    assert not saturday.is_open(0)


def test_24_00_ends_at_midnight_and_days_join():
    late = {"timezone": "UTC", "week": {"mon": [["20:00", "24:00"]], "tue": [["00:00", "02:00"]]}}
    hours = QueueHours(late, datetime(2026, 12, 7, 23, 59))
    assert hours.is_open(0) and hours.is_open(minutes(1)) and hours.is_open(minutes(120.5))
    assert not hours.is_open(minutes(121))
    assert hours.next_change(0) == minutes(121)  # midnight is not a change: open on both sides


def test_a_naive_start_is_each_queues_wall_clock_and_an_offset_start_one_instant():
    tokyo = {"timezone": "Asia/Tokyo", "week": {"mon": [["09:00", "17:00"]]}}
    assert QueueHours(tokyo, datetime(2026, 12, 7, 9, 0)).is_open(0)  # 09:00 in Tokyo
    aware = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)  # 18:00 in Tokyo
    assert not QueueHours(tokyo, aware).is_open(0)
    assert QueueHours(tokyo, aware).is_open(minutes(-8 * 60 + 1))  # clamps nothing: just earlier


def test_daylight_saving_changes_keep_the_local_schedule():
    london = {"timezone": "Europe/London", "week": {"sun": [["09:00", "17:00"]], "sat": [["09:00", "17:00"]]}}
    # Saturday 28 March 2026 12:00 GMT; clocks go forward at 01:00 on Sunday 29th
    hours = QueueHours(london, datetime(2026, 3, 28, 12, 0))
    sunday_0900_bst = 20 * 3600  # 21 h later by the wall clock, 20 h really: the lost hour
    assert hours.next_change(0) == minutes(5 * 60)  # Saturday 17:00
    assert hours.next_change(minutes(5 * 60)) == sunday_0900_bst
    assert not hours.is_open(sunday_0900_bst - 1) and hours.is_open(sunday_0900_bst)
    assert hours.local(sunday_0900_bst) == datetime(2026, 3, 29, 9, 0)


@pytest.mark.parametrize("value, message", [
    (5, "must be a local date-time"), ("next monday", "'next monday' is not a date-time"),
])
def test_parse_start_errors_name_the_path(value, message):
    with pytest.raises(UserError, match=message):
        parse_start(value, "start")
    assert parse_start("2026-12-07T08:30") == MONDAY_0830
    assert parse_start(None) is None
