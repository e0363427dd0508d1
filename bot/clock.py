"""Time, in one place: the one clock every service reads "now" from, and the ISO text the database stores.

Nothing in `bot/` calls `datetime.now()` itself: `Services` hands one `Clock` to every service, so
tests and the sandbox can move time for everything at once (a scheduled post falls due for the
planner, the expiry of a request and the "last 7 days" of `/nexus status` alike).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Real time, plus an offset that only tests and the sandbox change (`advance`, `set`)."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def _real_now(self) -> datetime:
        return datetime.now(UTC)

    def now(self) -> datetime:
        """The current instant, UTC-aware."""
        return self._real_now() + self._offset

    def today_in(self, timezone: str) -> date:
        """The calendar date it is now in `timezone` (an IANA name)."""
        return self.now().astimezone(ZoneInfo(timezone)).date()

    def advance(self, delta: timedelta) -> None:
        """Move time forward (or back, with a negative delta) for every reader at once."""
        self._offset += delta

    def set(self, moment: datetime) -> None:
        """Make `now()` read `moment`; real time goes on passing from there."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime given; the clock is UTC-aware")
        self._offset += moment - self.now()


class FrozenClock(Clock):
    """A clock that stands still until it is moved: tests use it for exact times."""

    def __init__(self, moment: datetime) -> None:
        super().__init__()
        if moment.tzinfo is None:
            raise ValueError("naive datetime given; the clock is UTC-aware")
        self._start = moment

    def _real_now(self) -> datetime:
        return self._start


def to_db_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; every stored time is UTC-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
