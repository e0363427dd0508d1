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
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DISCORD_GLOBAL_LIMIT = 50  # requests per second
PACED_RATE = 45.0  # a margin below the limit for the bot's other requests (answers, edits)

MIN_RATE = 5.0  # the slowest a fan-out goes after Discord answered 429s
RECOVERY = 0.5  # requests a second the rate regains with each request started after a slow-down
# The 429s of one moment (every request then in flight gets one) are one signal: the rate is halved
# at most once in this many seconds.
HALVE_AT_MOST_EVERY = 1.0


class Pacer:
    def __init__(self, rate: float = PACED_RATE, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._full_rate = rate
        self._rate = rate
        self._monotonic = monotonic
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
            self._next_slot = max(start if slept else now, now - requests / self._rate) + requests / self._rate
            self._rate = min(self._full_rate, self._rate + RECOVERY * requests)

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
