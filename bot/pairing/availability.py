"""Weekly availability as minutes of one reference week in UTC, so two learners in different time
zones can be compared. The week is cyclic: Sunday evening in New York and Monday morning in Sydney
are the same moment, whichever calendar week each falls in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.pairing.model import SLOT_MINUTES, Learner, WeeklyRange

WEEK_MINUTES = 7 * 24 * 60
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES

Interval = tuple[int, int]  # [start, end) in minutes from Monday 00:00 UTC of the reference week


def weekly_intervals(learner: Learner, monday: date) -> list[Interval]:
    """The learner's availability in UTC minutes of the week starting `monday` (see `_intervals`).
    A new list each time (callers may keep it), from a memo: a server's learners are prepared again
    after every change, and most of them have not changed."""
    return list(_intervals(learner.timezone, learner.availability, monday))


@lru_cache(maxsize=16384)
def _intervals(timezone: str, availability: tuple[WeeklyRange, ...], monday: date) -> tuple[Interval, ...]:
    """The learner's ranges in UTC minutes of the week starting `monday` (each day with its own
    offset, so a DST change inside the week is followed), wrapped around the week's end, merged and
    sorted. Every offset in use today is whole quarter hours, so the ends stay on `SLOT_MINUTES`."""
    zone = ZoneInfo(timezone)
    week_start = datetime.combine(monday, datetime.min.time(), tzinfo=UTC)
    pieces: list[Interval] = []
    for window in availability:
        day = monday + timedelta(days=window.weekday)
        start = datetime.combine(day, window.start, tzinfo=zone)
        end_day = day if window.end > window.start else day + timedelta(days=1)
        end = datetime.combine(end_day, window.end, tzinfo=zone)
        first = int((start.astimezone(UTC) - week_start).total_seconds()) // 60 % WEEK_MINUTES
        length = int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()) // 60
        if length <= 0:  # a range swallowed by a DST change
            continue
        if first + length <= WEEK_MINUTES:
            pieces.append((first, first + length))
        else:
            pieces += [(first, WEEK_MINUTES), (0, first + length - WEEK_MINUTES)]
    return tuple(_merged(pieces))


def _merged(pieces: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlap_minutes(first: list[Interval], second: list[Interval]) -> int:
    """Minutes both merged, sorted lists cover (a sweep over the two)."""
    total, i, j = 0, 0, 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        total += max(0, end - start)
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return total
