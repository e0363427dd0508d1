"""Fire times of a weekly wall-clock rule ("Mondays at 09:00 in Africa/Lagos"), correct across DST.

APScheduler's `CronTrigger` with the server's `ZoneInfo` proposes the fire times; this module holds
them to what a reader of the server expects, once per local day:
- a time that does not exist that day (clocks spring forward over it) fires at the first minute
  that does exist after the gap, once (CronTrigger alone would fire at the same offset past it);
- a time that happens twice (clocks fall back) fires at its first occurrence, once (CronTrigger
  alone fires at both).
Pure: every function takes the moments it works between; nothing reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WeeklyTime:
    weekday: int  # 0 = Monday
    at: time  # wall clock in `timezone`, minute precision
    timezone: str  # IANA name

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def trigger(self) -> CronTrigger:
        return CronTrigger(day_of_week=_CRON_DAYS[self.weekday], hour=self.at.hour, minute=self.at.minute,
                           timezone=self.zone)

    def on(self, day: date) -> datetime:
        """The instant (UTC) this rule fires on `day`, a local date of its weekday."""
        return local_instant(day, self.at, self.zone)

    def fire_times(self, after: datetime, until: datetime) -> list[datetime]:
        """Every instant (UTC) in (after, until] this rule fires at, oldest first, one per local day."""
        found: list[datetime] = []
        seen_days: set[date] = set()
        previous: datetime | None = None
        # Start a little early: a fire time that DST moved before `after` may still be due after it.
        cursor = after - timedelta(hours=3)
        while True:
            proposed = self.trigger.get_next_fire_time(previous, cursor)
            if proposed is None:
                return found
            day = _intended_day(proposed, self.at, self.zone)
            instant = self.on(day)
            if instant > until and proposed.astimezone(UTC) > until:
                return found
            if day not in seen_days and after < instant <= until:
                seen_days.add(day)
                found.append(instant)
            previous = cursor = proposed

    def next_after(self, moment: datetime) -> datetime:
        """The first instant strictly after `moment` this rule fires at."""
        span = timedelta(days=8)
        while True:
            times = self.fire_times(moment, moment + span)
            if times:
                return times[0]
            moment += span


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone` as a UTC instant: the first occurrence of an ambiguous time, and the
    first existing minute after the gap for a time the clocks skip."""
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: the earlier of two occurrences
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return instant
    # `at` does not exist that day. The gap ends at the transition: the first instant whose offset
    # is the new one. Search the minutes after `at` for the first wall time that round-trips.
    probe = wall.replace(tzinfo=None)
    for _ in range(24 * 60):
        probe += timedelta(minutes=1)
        candidate = probe.replace(tzinfo=zone)
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == probe:
            return candidate.astimezone(UTC)
    raise ValueError(f"no valid local time after {at} on {day} in {zone}")  # no zone skips a whole day


def _intended_day(proposed: datetime, at: time, zone: ZoneInfo) -> date:
    """The local date CronTrigger meant: its wall-clock date, unless a skipped time pushed the fire
    time past midnight (it never does for a gap inside a day, but be exact)."""
    local = proposed.astimezone(zone)
    if local.time() < at and (datetime.combine(local.date(), at) - local.replace(tzinfo=None)) > timedelta(hours=12):
        return local.date() - timedelta(days=1)
    return local.date()
