"""When the three week-one posts fall due: local wall times on days of the cohort's first week, in
the server's time zone (DST handled by `local_instant`). Pure: no clock, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.scheduling.weekly import local_instant

WEEK_ONE_KIND = "week-one"
# A week-one post an admin made by hand (`Post the kickoff now`) after the scheduler let it pass: its
# own kind, keyed by the post's original due time, so it is made once per cohort however often asked.
BY_HAND_KIND = "week-one-by-hand"


@dataclass(frozen=True)
class WeekOnePostSpec:
    ref: str  # the ledger's ref: "kickoff"
    day: int  # day 1 is the cohort start
    at: time  # server-local wall time
    what: str  # for admins
    purpose: str  # what it asks the cohort (the calendar's one-post-per-purpose-an-hour rule)

    @property
    def key(self) -> str:
        """The name admins use with `/prompts preview`."""
        return f"week-one-{self.ref}"

    @property
    def label(self) -> str:
        return f"week one {self.ref}"


# The kickoff and the reminder ask what the old default prompt `announce-your-project` asked: a server
# that kept that prompt gets one of the two within an hour, not both.
ANNOUNCE_PURPOSE = "announce-your-project"
KICKOFF = WeekOnePostSpec("kickoff", 1, time(9, 0), "what to announce and how, and the deadline", ANNOUNCE_PURPOSE)
REMINDER = WeekOnePostSpec("reminder", 4, time(9, 0), "how many announced, and who has not yet", ANNOUNCE_PURPOSE)
# The roundup comes after the deadline (the end of day 7), so it lists every project announced in
# time, and before the first pairing round (day 8, 10:00), which it points to.
ROUNDUP = WeekOnePostSpec("roundup", 8, time(9, 0), "every project announced by the deadline, by track",
                          "projects-roundup")
WEEK_ONE_POSTS = (KICKOFF, REMINDER, ROUNDUP)
BY_KEY = {spec.key: spec for spec in WEEK_ONE_POSTS}
BY_REF = {spec.ref: spec for spec in WEEK_ONE_POSTS}
# A post made for a cohort start stays the post of any start moved by less than this: an admin who
# corrects the date by a few days after the kickoff went out does not get a second kickoff.
SAME_COHORT = timedelta(days=14)


# Kept: every server of a cohort shares its start and mostly its time zone, and a fan-out or a tick asks
# for each of thousands of servers' posts (`WeekOneSource`).
@lru_cache(maxsize=4096)
def due_at(spec: WeekOnePostSpec, cohort_start: date, timezone: str) -> datetime:
    return local_instant(cohort_start + timedelta(days=spec.day - 1), spec.at, ZoneInfo(timezone))


@lru_cache(maxsize=4096)
def deadline(cohort_start: date, timezone: str) -> datetime:
    """The end of day 7: local midnight at the start of day 8."""
    return local_instant(cohort_start + timedelta(days=7), time(0, 0), ZoneInfo(timezone))
