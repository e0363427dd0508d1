"""Weekly wall-clock rules across DST in the program's time zones: one post per local day, at the
local time asked for, the first valid minute when the clocks skip it, once when it happens twice."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.scheduling.weekly import WeeklyTime, local_instant

SUNDAY, MONDAY = 6, 0


def local(instant: datetime, zone: str) -> str:
    return instant.astimezone(WeeklyTime(0, time(0), zone).zone).strftime("%Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # 09:00 stays 09:00 local before and after each change (UTC offset moves, wall clock does not).
        ("Europe/London", datetime(2027, 3, 20, tzinfo=UTC),
         ["2027-03-22 09:00 GMT", "2027-03-29 09:00 BST", "2027-04-05 09:00 BST"]),
        ("Europe/London", datetime(2026, 10, 20, tzinfo=UTC),
         ["2026-10-26 09:00 GMT", "2026-11-02 09:00 GMT", "2026-11-09 09:00 GMT"]),
        ("America/New_York", datetime(2027, 3, 6, tzinfo=UTC),
         ["2027-03-08 09:00 EST", "2027-03-15 09:00 EDT", "2027-03-22 09:00 EDT"]),
        ("America/New_York", datetime(2026, 10, 27, tzinfo=UTC),
         ["2026-11-02 09:00 EST", "2026-11-09 09:00 EST", "2026-11-16 09:00 EST"]),
        ("Africa/Lagos", datetime(2027, 3, 20, tzinfo=UTC),
         ["2027-03-22 09:00 WAT", "2027-03-29 09:00 WAT", "2027-04-05 09:00 WAT"]),
        ("Africa/Johannesburg", datetime(2027, 3, 20, tzinfo=UTC),
         ["2027-03-22 09:00 SAST", "2027-03-29 09:00 SAST", "2027-04-05 09:00 SAST"]),
        ("Asia/Kolkata", datetime(2027, 3, 20, tzinfo=UTC),
         ["2027-03-22 09:00 IST", "2027-03-29 09:00 IST", "2027-04-05 09:00 IST"]),
    ],
)
def test_a_monday_nine_oclock_prompt_stays_at_nine_local(zone, after, expected):
    rule = WeeklyTime(MONDAY, time(9, 0), zone)
    times = rule.fire_times(after, after + timedelta(days=21))
    assert [local(t, zone) for t in times] == expected


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Clocks spring forward over the time asked for: the first minute that exists after the gap.
        ("Europe/London", date(2027, 3, 28), time(1, 30), "2027-03-28 02:00 BST"),
        ("America/New_York", date(2027, 3, 14), time(2, 30), "2027-03-14 03:00 EDT"),
        # Clocks fall back: the time happens twice; the first one, once.
        ("Europe/London", date(2026, 10, 25), time(1, 30), "2026-10-25 01:30 BST"),
        ("America/New_York", date(2026, 11, 1), time(1, 30), "2026-11-01 01:30 EDT"),
    ],
)
def test_a_skipped_or_doubled_local_time_posts_once(zone, day, at, expected):
    rule = WeeklyTime(SUNDAY, at, zone)
    times = rule.fire_times(datetime.combine(day, time(0), UTC) - timedelta(days=1),
                            datetime.combine(day, time(0), UTC) + timedelta(days=2))
    assert [local(t, zone) for t in times] == [expected]


def test_fire_times_are_exactly_those_in_the_window():
    rule = WeeklyTime(MONDAY, time(9, 0), "Africa/Lagos")
    nine = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 09:00 in Lagos
    assert rule.fire_times(nine - timedelta(seconds=1), nine) == [nine]  # (after, until]: until included
    assert rule.fire_times(nine, nine + timedelta(days=6)) == []  # after excluded
    assert rule.next_after(nine) == nine + timedelta(days=7)
    assert rule.next_after(nine - timedelta(days=3)) == nine


def test_local_instant_of_an_ordinary_day():
    assert local_instant(date(2026, 12, 1), time(9, 0), WeeklyTime(0, time(0), "Asia/Kolkata").zone) == \
        datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
