"""What the scheduler asks of a feature that posts on a schedule (prompts, week one, expiries)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.scheduling.ledger import PostKey


@dataclass(frozen=True)
class DuePost:
    """One post a source says falls due. `key` is its ledger key (its due time included)."""

    key: PostKey
    channel_id: int
    label: str  # for admins: "weekly prompt monday-goals"
    payload: object = None  # what the delivery handler needs, of the source's own type
    requests: int = 1  # Discord requests the delivery makes, for pacing under the global limit
    # Posts due at the same moment go out by stage, lowest first: a post that may report on another
    # (a prompt counting pairs, after the round that forms them) comes after it, never beside it.
    stage: int = 0
    # What the post asks the cohort to do ("announce-your-project"): the calendar makes one post per
    # purpose within an hour in a channel (see bot/scheduling/calendar.py). None: no other post repeats it.
    purpose: str | None = None

    @property
    def due_at(self) -> datetime:
        assert self.key.due_at is not None, "a scheduled post always has a due time"
        return self.key.due_at


class PostSource(Protocol):
    """A feature's schedule, read from the database each time it is asked (the database is the
    calendar; nothing lives only in memory). Every method is given its moments: none reads a clock."""

    kind: str  # the ledger's kind, e.g. "prompt"

    async def due_between(self, after: datetime, until: datetime) -> list[DuePost]:
        """Every post due in (after, until]."""
        ...

    async def next_due_after(self, moment: datetime) -> datetime | None:
        """The earliest due time strictly after `moment`, of any server; None when nothing is scheduled."""
        ...

    async def upcoming(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        """This server's next posts after `after`, soonest first (for `/nexus status`)."""
        ...


@dataclass(frozen=True)
class Delivery:
    """How a delivery handler is asked to post: `late` when the bot was down at the due time."""

    post: DuePost
    nonce: str
    late: bool


# Registered by a cog for a kind: makes the post on Discord and returns its message id, or raises
# `bot.posting.PostFailed` with a reason an admin can act on.
DeliveryHandler = Callable[[Delivery], Awaitable[int]]
