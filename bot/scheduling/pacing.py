"""Pacing under Discord's global rate limit (50 requests a second for a bot).

discord.py waits out a 429 once it gets one, but a bot that keeps hitting the global limit is
banned for a while, so a fan-out to many servers must never reach it: requests start evenly spaced
at a rate below the limit. Pacing measures real elapsed time (`time.monotonic`), not the domain
clock: it is about how fast requests leave this process, whatever day the clock says it is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DISCORD_GLOBAL_LIMIT = 50  # requests per second
PACED_RATE = 45.0  # a margin below the limit for the bot's other requests (answers, edits)


class Pacer:
    def __init__(self, rate: float = PACED_RATE, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / rate
        self._monotonic = monotonic
        self._next_slot = 0.0

    async def wait(self, requests: int = 1) -> None:
        """Return when the next `requests` may start; callers are served in the order they ask."""
        now = self._monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + requests * self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
