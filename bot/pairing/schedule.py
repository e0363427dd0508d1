"""When the automatic pairing round runs: first at the end of week one (day 8, 10:00 in the server's
time zone, after the day-8 roundup at 09:00), then weekly (by default on that same weekday and time; admins
change it with `/pair schedule`) while anyone waits in the queue. Pure: given its moments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.pairing.records import RoundSchedule
from bot.scheduling.weekly import WeeklyTime, local_instant
from bot.timezones import find_zone

ROUND_KIND = "pair-round"
EXPIRY_KIND = "pair-expiry"
FIRST_ROUND_DAY = 8  # day 1 is the cohort start: the day after week one ends
FIRST_ROUND_AT = time(10, 0)


def first_round_at(cohort_start: date, timezone: str) -> datetime:
    zone = find_zone(timezone)
    assert zone is not None, f"a stored time zone is a known one: {timezone!r}"
    return local_instant(cohort_start + timedelta(days=FIRST_ROUND_DAY - 1), FIRST_ROUND_AT, zone)


def default_schedule(cohort_start: date) -> RoundSchedule:
    return RoundSchedule((cohort_start + timedelta(days=FIRST_ROUND_DAY - 1)).weekday(), FIRST_ROUND_AT, False, False)


def round_times(cohort_start: date, timezone: str, schedule: RoundSchedule | None, after: datetime,
                until: datetime) -> list[datetime]:
    """Every instant in (after, until] an automatic round is due, oldest first (none when paused)."""
    schedule = schedule or default_schedule(cohort_start)
    if schedule.paused:
        return []
    first = first_round_at(cohort_start, timezone)
    times = [first] if after < first <= until else []
    weekly = WeeklyTime(schedule.weekday, schedule.at, timezone)
    times += [moment for moment in weekly.fire_times(max(after, first), until) if moment > first]
    return times


def next_round_after(cohort_start: date, timezone: str, schedule: RoundSchedule | None,
                     moment: datetime) -> datetime | None:
    schedule = schedule or default_schedule(cohort_start)
    if schedule.paused:
        return None
    first = first_round_at(cohort_start, timezone)
    if moment < first:
        return first
    return WeeklyTime(schedule.weekday, schedule.at, timezone).next_after(moment)
