"""Discord's global rate limit: at most N requests of one bot in any one-second window.

Discord allows a bot 50 requests per second across all routes (interaction callbacks and
follow-ups are exempt) and answers the rest with a global 429 whose `retry_after` says when a
request would be let through again. Only requests it let through count: a 429 costs no slot, so
a client that waits as told gets in: each refused request is told a time of its own, the next slot
no request refused before it was promised, so a burst's refused requests come back one slot
apart rather than all at the first free one (where all but one would be refused again, until
discord.py's five tries run out). Off (`per_second = None`) unless a test turns it on.

The limit belongs to the bot, not to a connection: the stand-in keeps one for its bot token, and
every request carrying that token counts against it, whichever process or socket sent it (a bot
running as several sharded processes shares its 50 a second, as on Discord).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class GlobalRateLimit:
    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 1.0) -> None:
        self._clock = clock
        self.window = window
        self._per_second: int | None = None
        self._admitted: deque[float] = deque()
        self._promised: list[float] = []  # when refused requests were told a slot would be free
        self.rejected = 0  # requests answered with a global 429

    @property
    def per_second(self) -> int | None:
        return self._per_second

    @per_second.setter
    def per_second(self, value: int | None) -> None:
        if value is not None and value < 1:
            raise ValueError(f"a global limit needs at least 1 request per second, not {value}")
        self._per_second = value
        self._admitted.clear()
        self._promised.clear()

    def now(self) -> float:
        return self._clock()

    def admit(self, arrived: float | None = None) -> float | None:
        """None if this request may go on; else the seconds until one would (this one is refused).
        `arrived` (this limit's clock, `now()`): when the request reached Discord, if it is answered
        later. Requests are admitted in the order they arrived (an earlier time counts as the last)."""
        if self._per_second is None:
            return None
        now = self._clock() if arrived is None else arrived
        if self._admitted and now < self._admitted[-1]:
            now = self._admitted[-1]
        while self._admitted and self._admitted[0] <= now - self.window:
            self._admitted.popleft()
        if len(self._admitted) < self._per_second:
            self._admitted.append(now)
            return None
        self.rejected += 1
        # The slots that free up as the window slides, the first ones promised to requests refused
        # before this one and not yet due: this one gets the next (a window later past the last).
        self._promised = [at for at in self._promised if at > now]
        queued = len(self._promised)
        slot = self._admitted[queued % len(self._admitted)] + self.window * (1 + queued // len(self._admitted))
        self._promised.append(slot)
        return max(0.001, math.ceil((slot - now) * 1000) / 1000)  # Discord gives milliseconds
