"""What pairing stores: profiles, requests, pairs, the queue, rounds and their schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from bot.projects.model import Discipline

RequestStatus = Literal["pending", "accepted", "declined", "cancelled", "expired", "closed"]
PairSource = Literal["request", "round"]
QueueVia = Literal["command", "project"]


@dataclass(frozen=True)
class Profile:
    guild_id: int
    member_id: int
    discipline: Discipline | None
    timezone: str | None
    skills: str
    availability: str  # canonical text (`availability_text.format_availability`)
    updated_at: datetime


@dataclass(frozen=True)
class PairRequest:
    id: int
    guild_id: int
    requester_id: int
    target_id: int
    note: str
    status: RequestStatus
    channel_id: int | None  # where the target was asked (their DM channel, or the server's channel)
    message_id: int | None
    delivered_in: Literal["dm", "channel"] | None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        """Pending and not yet expired: the only state in which it can be accepted."""
        return self.status == "pending" and now < self.expires_at


@dataclass(frozen=True)
class Pair:
    id: int
    guild_id: int
    backend_id: int
    frontend_id: int
    source: PairSource
    request_id: int | None
    round_id: int | None
    thread_id: int | None
    message_id: int | None
    fit_reasons: str
    created_at: datetime
    ended_at: datetime | None
    ended_by: int | None
    end_reason: str | None

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def partner_of(self, member_id: int) -> int:
        return self.frontend_id if member_id == self.backend_id else self.backend_id


@dataclass(frozen=True)
class QueueEntry:
    guild_id: int
    member_id: int
    joined_at: datetime
    via: QueueVia


@dataclass(frozen=True)
class UnmatchedEntry:
    member_id: int
    side: Discipline
    reason: str  # an `UnmatchedReason` name's value: 'no-one-left' or 'only-previous-partners'
    told: bool = True  # False: the round doesn't tell them (they were told this same reason before)


@dataclass(frozen=True)
class Round:
    id: int
    guild_id: int
    round_key: str
    started_by: int | None
    started_at: datetime
    completed_at: datetime | None
    message_id: int | None


@dataclass(frozen=True)
class RoundSchedule:
    """When the weekly automatic round runs after the first (day 8, 10:00), in the server's zone."""

    weekday: int  # 0 = Monday
    at: time
    paused: bool
    customised: bool  # an admin set it (else the defaults)


@dataclass(frozen=True)
class StoredRound:
    """A round as stored: its pairs, who it left over, and the requests it closed."""

    round: Round
    pairs: list[Pair]
    unmatched: list[UnmatchedEntry]
    closed: list[PairRequest]  # the pending requests of its paired members, closed by it
    created: bool  # False: the round of this key existed already (a re-run finishes it)


class AlreadyPaired(Exception):
    """One of the two is in an active pair already (the unique key said so; nothing was written)."""


@dataclass(frozen=True)
class PlannedPair:
    backend_id: int
    frontend_id: int
    fit_reasons: str


@dataclass(frozen=True)
class RoundServer:
    """A server the automatic round can run in: a channel and a cohort start are set."""

    guild_id: int
    channel_id: int
    timezone: str
    cohort_start: date
    schedule: RoundSchedule | None  # None: the defaults
    waiting: int  # members in the queue
