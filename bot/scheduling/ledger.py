"""The once-only posting ledger's words: what a post is (`PostKey`), what the ledger knows of it
(`LedgerEntry`), and what the scheduler asks of the ledger and of its own state (the repository
protocols, implemented per engine in `bot/db/`).

Every write of the ledger is a single conditional statement, so it stays correct when several bot
processes share one database: a claim is an insert only one caller can win, a take-over is a
compare-and-set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.clock import to_db_time
from bot.shards import ShardPlan


@dataclass(frozen=True)
class PostKey:
    """What a post is and when it was due. `due_at` is None for a post with no due time (the
    introduction of a channel), stored as an empty text so the key stays one primary key."""

    guild_id: int
    kind: str
    ref: str
    due_at: datetime | None = None

    @property
    def stored_due_at(self) -> str:
        return "" if self.due_at is None else to_db_time(self.due_at)


@dataclass(frozen=True)
class LedgerEntry:
    key: PostKey
    status: str  # 'claimed', 'posted', 'failed' or 'skipped'
    claimed_at: datetime | None
    posted_at: datetime | None
    channel_id: int | None
    message_id: int | None
    attempts: int
    last_error: str | None
    retry_at: datetime | None = None  # set while a post that failed for a passing reason waits to retry

    @property
    def retrying(self) -> bool:
        return self.status == "failed" and self.retry_at is not None


class PostLedgerRepository(Protocol):
    """The ledger of scheduled and once-only posts (`scheduled_posts`): claims, completions, failures."""

    async def claim(self, key: PostKey, channel_id: int, now: datetime) -> bool:
        """Claim a post never claimed before. True for exactly one caller, whatever the concurrency."""
        ...

    async def take_over(self, key: PostKey, channel_id: int, now: datetime, stale_before: datetime) -> bool:
        """Claim again a post whose send failed, or whose claim is older than `stale_before` (its
        claimant crashed). True for exactly one caller: the row changes only while it still qualifies."""
        ...

    async def complete(self, key: PostKey, message_id: int, now: datetime) -> None:
        ...

    async def fail(self, key: PostKey, error: str, retry_at: datetime | None = None) -> None:
        """Record a failed send: with `retry_at` it is tried again then (a reason that can pass);
        without, it stopped (a reason that cannot pass without an admin)."""
        ...

    async def give_up(self, key: PostKey, reason: str) -> bool:
        """Record as skipped a post still waiting to retry (or whose claimant died) that will not be
        made: the grace window ended, or it is no longer scheduled. True if this call recorded it."""
        ...

    async def due_again(self, kinds: list[str], now: datetime, stale_before: datetime,
                        limit: int = 1000, shards: ShardPlan | None = None) -> list[LedgerEntry]:
        """Scheduled posts of these kinds to try again now: waiting to retry with their time come, or
        claimed before `stale_before` and never completed (the claimant died). Oldest due first.
        With `shards`, only the posts of servers on those shards (a sharded process's own)."""
        ...

    async def next_again(self, kinds: list[str], shards: ShardPlan | None = None
                         ) -> tuple[datetime | None, datetime | None]:
        """(the earliest retry time, the earliest claim still open) of these kinds' scheduled posts;
        with `shards`, of the servers on those shards only: another process's claims are its own to
        wait for (waiting for them too, a process would wake every second until they completed)."""
        ...

    async def skip(self, key: PostKey, channel_id: int, reason: str, now: datetime) -> bool:
        """Record a post that will never be made (found too late); True if this call recorded it."""
        ...

    async def problems(self, guild_id: int, since: datetime, limit: int = 10) -> list[LedgerEntry]:
        """This server's failed (stopped or waiting to retry) and skipped posts due since `since`,
        newest first."""
        ...

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        ...

    async def get(self, key: PostKey) -> LedgerEntry | None:
        ...


class SchedulerStateRepository(Protocol):
    """How far the scheduler has looked for due posts: a restart catches up from here.

    `shards` None: the one row of a process holding every server. A sharded process keeps a row per
    shard it holds, so processes on other shards, checking at other moments (one down for a restart
    while the others go on), never move its window: it reads the earliest of its shards' rows (a
    shard with no row yet reads the one row, as after a move from one process to several) and
    writes them all."""

    async def checked_until(self, shards: ShardPlan | None = None) -> datetime | None:
        ...

    async def set_checked_until(self, moment: datetime, shards: ShardPlan | None = None) -> None:
        ...


def earliest_of_shards(
    shards: ShardPlan, checked: dict[int, datetime], everything: datetime | None
) -> datetime | None:
    """A sharded process's window: the earliest of its shards' `checked` times, a shard with none
    taking the one row's (`everything`); None when no shard of it, nor the one row, was ever checked."""
    times = [checked.get(shard, everything) for shard in shards.ids]
    return min((t for t in times if t is not None), default=None)
