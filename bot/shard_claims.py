"""Which process holds which of Discord's shards, told across processes through the database: each
process claims its shards at start and refreshes the claims while it runs; a claim not refreshed
within its lease belongs to a process that is gone.

It exists for one mistake: two processes started with the same SHARD_IDS. Both then fire every job
of those servers, and the post ledger's claims still keep each post exactly once; nothing breaks,
but the work is done twice and nobody would know. The second process says so in one line at start.
Correctness never depends on these claims: a process that cannot write them runs all the same.

Times are the machine's, not the bot's `Clock`: the sandbox and tests move that clock days at a
time, and a lease is about whether a process is running now.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.shards import ShardPlan, ids_text

log = logging.getLogger(__name__)

# A process refreshes its claims every REFRESH; a claim older than LEASE is dead. Three refreshes
# per lease, so a slow database moment does not make a running process look gone.
LEASE = timedelta(seconds=90)
REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class ShardClaim:
    shard_id: int
    process: str
    heartbeat_at: datetime


class ShardClaimRepository(Protocol):
    # Whether other processes can use the database at all: on SQLite they cannot, and there is
    # nothing to claim or refresh.
    shared: bool

    async def claim(self, count: int, ids: tuple[int, ...], process: str, now: datetime,
                    live_since: datetime) -> list[ShardClaim]:
        """Claim (or refresh) `ids` of `count` for `process`, and forget claims dead before
        `live_since`; returns the live claims of other processes on any of `ids`."""
        ...

    async def release(self, process: str) -> None:
        """Drop every claim of `process` (it is stopping)."""
        ...


def process_name() -> str:
    """Host, pid and a random part: two bots in one process (tests) are two claimants too."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def overlap_warning(plan: ShardPlan, others: list[ShardClaim], now: datetime) -> str:
    """The one line a process started on shards another live process holds logs at start."""
    shared = tuple(sorted({claim.shard_id for claim in others}))
    holders = sorted({claim.process for claim in others})
    newest = max(claim.heartbeat_at for claim in others)
    seen = max(0, int((now - newest).total_seconds()))
    return (f"{'shard' if len(shared) == 1 else 'shards'} {ids_text(shared)} of {plan.count} "
            f"{'is' if len(shared) == 1 else 'are'} also held by another running process "
            f"({', '.join(holders)}; seen {seen} s ago): two processes were started with the same SHARD_IDS. "
            "Each post and round is still made exactly once (the post ledger's claims), but both "
            "processes do the work: give each process its own SHARD_IDS")


class ShardClaims:
    """This process's claims on its shards: made at `start` (which warns of an overlap), refreshed
    in the background, released at `close`."""

    def __init__(self, repository: ShardClaimRepository, plan: ShardPlan, *,
                 process: str | None = None, now: Callable[[], datetime] | None = None,
                 refresh_seconds: float = REFRESH_SECONDS, lease: timedelta = LEASE) -> None:
        self._repository = repository
        self._plan = plan
        self.process = process or process_name()
        self._now = now or (lambda: datetime.now(UTC))
        self._refresh_seconds = refresh_seconds
        self._lease = lease
        self._task: asyncio.Task[None] | None = None

    async def claim(self) -> list[ShardClaim]:
        """Claim or refresh our shards; the other live processes' claims on them."""
        now = self._now()
        return await self._repository.claim(self._plan.count, self._plan.ids, self.process, now, now - self._lease)

    async def start(self) -> list[ShardClaim]:
        """Claim our shards, say in one line if another running process holds any of them, and keep
        the claims fresh. Never raises for the database: the claims only inform."""
        if not self._repository.shared:
            return []
        try:
            others = await self.claim()
        except Exception as exc:  # an informing feature must not stop start-up
            log.warning("could not claim %s in the database (%s): running without the check for a second "
                        "process on the same shards", self._plan.describe(), exc)
            others = []
        if others:
            log.warning(overlap_warning(self._plan, others, self._now()))
        self._task = asyncio.create_task(self._refresh(), name="nexus-shard-claims")
        return others

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.claim()
            except Exception as exc:  # the next refresh tries again; the lease outlasts a few misses
                log.debug("could not refresh the shard claims: %s", exc)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):  # stopping anyway: the lease ends a claim left behind
            await self._repository.release(self.process)
