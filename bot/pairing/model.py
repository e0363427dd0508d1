"""A learner as pairing sees them: track, knowledge-base topics, weekly availability, partners."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time

SLOT_MINUTES = 15  # availability is kept to quarter hours: every real UTC offset is a multiple of it


@dataclass(frozen=True)
class WeeklyRange:
    """A time range on a weekday (0 = Monday) in the learner's own time zone; an `end` at or
    before `start` runs past midnight into the next day (Friday 22:00–01:00)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        for moment in (self.start, self.end):
            if moment.minute % SLOT_MINUTES or moment.second or moment.microsecond:
                raise ValueError(f"availability is kept to quarter hours, not {moment.isoformat()}")
        if self.start == self.end:
            raise ValueError("an availability range needs an end different from its start")


@dataclass(frozen=True)
class Learner:
    """`topics` maps knowledge-base topic ids (found in the project by the knowledge engine) to
    their titles; `partner_ids` are the current and previous partners, never proposed again."""

    member_id: int
    timezone: str  # IANA, e.g. "Europe/Berlin"
    availability: tuple[WeeklyRange, ...] = ()
    track: str | None = None  # the track's key, e.g. "job-board"
    track_name: str | None = None  # what members read, e.g. "Job board platform"
    topics: Mapping[int, str] = field(default_factory=dict)
    looking: bool = False
    partner_ids: frozenset[int] = frozenset()
