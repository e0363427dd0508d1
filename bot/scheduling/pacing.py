"""Pacing under Discord's global rate limit (50 requests a second for a bot).

discord.py waits out a 429 once it gets one, but a bot that keeps hitting the global limit is
banned for a while, so a fan-out to many servers must never reach it: requests start evenly spaced
at a rate below the limit. Pacing measures real elapsed time (`time.monotonic`), not the domain
clock: it is about how fast requests leave this process, whatever day the clock says it is.

When Discord answers 429 anyway (its global limit is shared with every other request of the bot, and
during an incident it answers 429 to many), the bot tells the pacer (`slow_down`), which honours the
`retry_after` of a global 429 and halves its rate, which then comes back request by request (AIMD).
Callers take their turn one at a time and each looks at the pause and the rate when its turn comes,
not when it asked: a fan-out of 500 asks for all its turns at once, and a 429 met halfway must hold
and slow the ones still waiting. (discord.py's own global lock only holds requests already started,
then lets them all go at the same instant, which is how the next 429 is earned.)

Sharded processes share the bot's one limit. Each pacing itself at its shards' share is not enough:
their requests, each process's evenly spaced, fall on one another now and then (four processes at
11.25 a second drew global 429s in benchmarks/scale.py). On one database they take their turns from
one timeline instead (`GlobalPace`, a row of PostgreSQL): every request of every process starts
evenly spaced at PACED_RATE, as one process's do. When the database cannot give a turn, a process
paces itself at its share for that request, and logs it once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

DISCORD_GLOBAL_LIMIT = 50  # requests per second
PACED_RATE = 45.0  # a margin below the limit for the bot's other requests (answers, edits)

MIN_RATE = 5.0  # the slowest a fan-out goes after Discord answered 429s
RECOVERY = 0.5  # requests a second the rate regains with each request started after a slow-down
# The 429s of one moment (every request then in flight gets one) are one signal: the rate is halved
# at most once in this many seconds.
HALVE_AT_MOST_EVERY = 1.0


class GlobalPace(Protocol):
    """The bot's one timeline of turns, shared by its processes (bot/db/postgres/pacing.py)."""

    async def take(self, seconds: float) -> float:
        """Take the next turn, `seconds` long: how many seconds from now it starts (0 or less: now)."""
        ...


class Pacer:
    def __init__(self, rate: float = PACED_RATE, monotonic: Callable[[], float] = time.monotonic,
                 shared: GlobalPace | None = None, share: float = 1.0) -> None:
        """`rate`: requests a second. With `shared`, turns come from the bot's one timeline at `rate`
        (every process's requests together), or, when it fails, from this process at `share` of it."""
        self._full_rate = rate
        self._rate = rate
        self._monotonic = monotonic
        self._shared = shared
        self._share = share
        self._shared_failed = False
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._halved_at: float | None = None
        self._turns = asyncio.Lock()  # FIFO: callers are served in the order they ask
        self.slowed_down = 0  # 429s seen, for logs and benchmarks

    @property
    def rate(self) -> float:
        return self._rate

    async def wait(self, requests: int = 1) -> None:
        """Return when the next `requests` may start; callers are served in the order they ask."""
        async with self._turns:
            if self._shared is not None and await self._shared_turn(requests):
                return
            slept = False
            while True:  # a slow-down may come while this turn sleeps: look again when it wakes
                now = self._monotonic()
                start = max(self._next_slot, self._paused_until)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
                slept = True
            # The next turn counts from this one's slot, not from when the sleep ended: a sleep's few
            # milliseconds late, 500 times over, would cost the fan-out a second. Never from further
            # back than now, so a late wake-up lets at most one request follow at once.
            rate = self._rate if self._shared is None else self._rate * self._share  # alone, or the timeline failed
            self._next_slot = max(start if slept else now, now - requests / rate) + requests / rate
            self._rate = min(self._full_rate, self._rate + RECOVERY * requests)

    async def _shared_turn(self, requests: int) -> bool:
        """This turn, from the bot's one timeline (after any pause a global 429 set here); False when
        the timeline could not be read: the caller paces this turn itself, at this process's share."""
        pause = self._paused_until - self._monotonic()
        if pause > 0:  # a global 429 this process met holds its turns for Discord's retry_after
            await asyncio.sleep(pause)
        try:
            wait = await self._shared.take(requests / self._rate) if self._shared is not None else 0.0
        except Exception:
            if not self._shared_failed:
                log.warning("the shared pace could not be read from the database; pacing this process at its "
                            "shards' share until it can", exc_info=True)
            self._shared_failed = True
            return False
        self._shared_failed = False
        if wait > 0:
            await asyncio.sleep(wait)
        self._rate = min(self._full_rate, self._rate + RECOVERY * requests)
        return True

    def slow_down(self, retry_after: float, *, is_global: bool) -> None:
        """Discord answered a 429: halve the rate (it comes back request by request), and after a
        global one start nothing before `retry_after` has passed. A fan-out then waits where the
        limit says instead of spending discord.py's five tries per request, which a storm of 429s
        uses up in seconds."""
        self.slowed_down += 1
        now = self._monotonic()
        if self._halved_at is None or now - self._halved_at >= HALVE_AT_MOST_EVERY:
            self._rate = max(MIN_RATE, self._rate / 2)
            self._halved_at = now
        if is_global:
            self._paused_until = max(self._paused_until, now + retry_after)
