"""Once-only posting: a post that must appear exactly once (the introduction in a channel; the
scheduled posts to come) is claimed in the ledger before it is sent and completed after.

Why each step:
- The claim is an insert only one caller can win, so two `/nexus setup` at once, or two bot
  processes sharing the database, never both send.
- A failed send marks the claim failed, so the next caller (the next setup) retries it. A reason
  that can pass (`RetryLater`: Discord's 429 or 5xx, a timeout) is recorded with the time of its
  next attempt (`retry_delay`), which the scheduler keeps for scheduled posts until the grace window
  ends; one that cannot (`PostFailed`: 403, the channel gone) without one: it stopped.
- A claim left behind by a crash (claimed, never completed) is taken over after `CLAIM_LEASE`.
- Every attempt for one key sends the same `nonce`, derived from the key. discord.py then sets
  `enforce_nonce`, and Discord answers a repeated send of the same author and nonce, within a few
  minutes, with the message the first send made. That closes the gap between "Discord created the
  message" and "the ledger recorded it": a crash there is re-sent, and Discord returns the original.

The poster knows nothing of Discord: the caller hands it a `send(nonce) -> message id` function.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.scheduling.ledger import LedgerEntry, PostKey, PostLedgerRepository

log = logging.getLogger(__name__)

# Discord accepts a nonce of at most 25 characters.
NONCE_LENGTH = 25
# Shorter than the few minutes Discord remembers a nonce, so a take-over re-send is still matched.
CLAIM_LEASE = timedelta(seconds=60)
RETRY_FIRST = timedelta(seconds=30)
SETTLE_WAIT = 10.0  # seconds a second caller waits for the first one's send to finish
RETRY_MOST = timedelta(minutes=10)

SendPost = Callable[[str], Awaitable[int]]


class PostNotMade(Exception):
    """A send that did not happen: `PostFailed` (cannot pass) or `RetryLater` (can pass)."""


class PostFailed(PostNotMade):
    """A send failed for a reason an admin can act on; the message says what, in words (the
    delivery handler turns Discord's error into it). The ledger keeps it for `/nexus status`."""


class RetryLater(PostNotMade):
    """A send failed for a reason that can pass (Discord rate-limited it or had a 5xx, a timeout, the
    gateway not ready yet): the post is tried again with backoff until it posts or leaves the grace
    window. `retry_after` is Discord's own hint in seconds, when it gave one. The delivery side turns
    Discord's error into it (`cogs/_outbox.py`); `PostFailed` is the other answer: it cannot pass."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PostOutcome(enum.Enum):
    POSTED = "posted"  # this call sent it (or Discord returned the message an earlier attempt made)
    ALREADY_POSTED = "already posted"  # an earlier call completed it
    IN_PROGRESS = "in progress"  # another caller holds a fresh claim on it right now
    SKIPPED = "skipped"  # recorded as not to be posted (a scheduled post found too late)


@dataclass(frozen=True)
class PostResult:
    outcome: PostOutcome
    message_id: int | None = None


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long a post that failed for a passing reason waits before its next attempt: doubling from
    RETRY_FIRST with each attempt up to RETRY_MOST, never sooner than Discord's own `retry_after`.
    An incident of Discord's lasts minutes; a post due once a week can wait that long."""
    delay = min(RETRY_FIRST * 2 ** max(0, attempts - 1), RETRY_MOST)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def nonce_for(key: PostKey) -> str:
    """The same key always gives the same nonce; different keys practically never share one."""
    digest = hashlib.sha256(f"{key.guild_id}|{key.kind}|{key.ref}|{key.stored_due_at}".encode()).hexdigest()
    return digest[:NONCE_LENGTH]


class OnceOnlyPoster:
    def __init__(self, ledger: PostLedgerRepository, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    @staticmethod
    def replacement_key(guild_id: int, kind: str, ref: str, replaces: int | None) -> PostKey:
        """The key of the post of something that may be posted again (a project whose post a
        moderator deleted), named by the post it replaces (`ref:after:<message id>`, 0 for the
        first). Every caller that saw the same state (a form submitted twice, two forms racing)
        gets the same key, however late it asks, so only one of them posts."""
        return PostKey(guild_id, kind, f"{ref}:after:{replaces or 0}")

    async def settled(self, key: PostKey, within: float = SETTLE_WAIT) -> LedgerEntry | None:
        """The ledger's entry for `key` once nobody is sending it any more (posted, failed or skipped),
        waiting up to `within` seconds for another caller's send to finish; None if it still is."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            entry = await self._ledger.get(key)
            if entry is not None and entry.status != "claimed":
                return entry
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(0.05)

    async def post(self, key: PostKey, channel_id: int, send: SendPost) -> PostResult:
        """Send the post unless it was sent already or is being sent. A failed `send` is recorded
        (the next call retries it) and its exception re-raised for the caller to report."""
        now = self._clock.now()
        won = await self._ledger.claim(key, channel_id, now) or await self._ledger.take_over(
            key, channel_id, now, stale_before=now - CLAIM_LEASE
        )
        if not won:
            entry = await self._ledger.get(key)
            if entry is not None and entry.status == "posted":
                return PostResult(PostOutcome.ALREADY_POSTED, entry.message_id)
            if entry is not None and entry.status == "skipped":
                return PostResult(PostOutcome.SKIPPED)
            return PostResult(PostOutcome.IN_PROGRESS)
        try:
            message_id = await send(nonce_for(key))
        except asyncio.CancelledError:
            raise  # the claim stays: after the lease, a later caller re-sends with the same nonce
        except RetryLater as exc:
            entry = await self._ledger.get(key)
            retry_at = self._clock.now() + retry_delay(entry.attempts if entry else 1, exc.retry_after)
            await self._ledger.fail(key, str(exc), retry_at)
            raise
        except Exception as exc:
            reason = str(exc) if isinstance(exc, PostFailed) else f"{type(exc).__name__}: {exc}"
            await self._ledger.fail(key, reason)
            raise
        await self._ledger.complete(key, message_id, self._clock.now())
        log.info("posted %s %s in server %s (message %s)", key.kind, key.ref, key.guild_id, message_id)
        return PostResult(PostOutcome.POSTED, message_id)
