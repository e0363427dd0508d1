"""Pacing under Discord's global rate limit (50 requests a second for a bot).

discord.py waits out a 429 once it gets one, but a bot that keeps hitting the global limit is
banned for a while, so it must never reach it. Every request of the bot that Discord counts (all
those made with its token but interaction responses) passes the pacer before it starts:

- The fan-out's (a prompt in 5,000 servers) take turns (`turn`), one caller at a time, in the order
  they asked, evenly spaced at PACED_RATE.
- Every other request (an answer's DM, an edit, a thread) is gated as it starts (`gate`, from the
  HTTP session's trace): it goes at once while the last second has room, and before the fan-out's
  next turn when it has not. So the fan-out needs no margin below the limit for them.
- Locally, "room" is counted as Discord counts it: at most DISCORD_GLOBAL_LIMIT starts in any window
  of one second plus ARRIVAL_SPREAD (a request sent on time may reach Discord a little later than
  the one after it). A burst of the bot's own (a set-up) goes at once up to that.

Pacing measures real elapsed time (`time.monotonic`), not the domain clock: it is about how fast
requests leave this process, whatever day the clock says it is.

When Discord answers 429 anyway (during an incident it answers 429 to many), the bot tells the pacer
(`slow_down`), which honours the `retry_after` of a global 429 and halves the fan-out's rate, which
then comes back request by request (AIMD). Turns look at the pause and the rate when they come, not
when they were asked: a fan-out of 500 asks for all its turns at once, and a 429 met halfway must
hold and slow the ones still waiting. (discord.py's own global lock only holds requests already
started, then lets them all go at the same instant, which is how the next 429 is earned.)

Sharded processes share the bot's one limit. Each pacing itself at its shards' share is not enough:
their requests, each process's evenly spaced, fall on one another now and then (four processes at
11.25 a second drew global 429s in benchmarks/scale.py). On one database they take their turns from
one timeline instead (`GlobalPace`, a row of PostgreSQL): every request of every process, the
fan-out's and the others, starts evenly spaced at PACED_RATE. A turn a process wakes too late for
is given up for a new one (`LATE_TURN`), so a busy moment never lands late requests on top of the
other processes' on-time ones. When the database cannot give a turn, a process paces itself at its
share, and logs it once.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Protocol

log = logging.getLogger(__name__)

DISCORD_GLOBAL_LIMIT = 50  # requests per second
# Discord counts a request when it arrives: requests started evenly may arrive up to this much
# closer together, so the limit's second is counted this much longer here.
ARRIVAL_SPREAD = 0.03
# The fan-out's pace: 51 turns span 50 / 48.5 = 1.031 s, so a second holds 50 of them even when one
# reaches Discord 30 ms later than the one 50 turns after it, as happens when a process or Discord's
# side is not scheduled in time on a busy machine (benchmarks/scale.py, 5,000 posts from 4 processes
# on 2 cores: at 49 a second 0-2 global 429s a run, at 48.8 0-5, at 48.5 0-1).
PACED_RATE = 48.5
# A shared turn this late is given up for a new one (see `_shared_turn`), and a local turn's place
# never falls further behind its start: the rest of the slack is for the way from a turn to Discord.
# (At 5 ms, one turn in twelve was given up on a busy machine: a fan-out 8 % slower.)
LATE_TURN = 0.01
LATE_RETAKES = 3  # then the turn goes ahead however late: a process this busy must still post

MIN_RATE = 5.0  # the slowest a fan-out goes after Discord answered 429s
RECOVERY = 0.5  # requests a second the rate regains with each request started after a slow-down
# The 429s of one moment (every request then in flight gets one) are one signal: the rate is halved
# at most once in this many seconds.
HALVE_AT_MOST_EVERY = 1.0


def counts_against_global_limit(path: str, authorization: str) -> bool:
    """Whether Discord counts a request against the bot's global limit: every request made with the
    bot's token, except interaction responses and their follow-ups (`/interactions/…`,
    `/webhooks/{application}/{token}…`), which Discord spares."""
    return authorization.startswith("Bot ") and "/interactions/" not in path and "/webhooks/" not in path


# True while a turn's own requests are sent (`Pacer.turn`): the gate lets them through, counted.
_IN_TURN: ContextVar[bool] = ContextVar("nexus_in_paced_turn", default=False)


class GlobalPace(Protocol):
    """The bot's one timeline of turns, shared by its processes (bot/db/postgres/pacing.py)."""

    async def take(self, seconds: float) -> float:
        """Take the next turn, `seconds` long: how many seconds from now it starts (0 or less: now)."""
        ...


class Pacer:
    def __init__(self, rate: float = PACED_RATE, monotonic: Callable[[], float] = time.monotonic,
                 shared: GlobalPace | None = None, share: float = 1.0,
                 per_second: int = DISCORD_GLOBAL_LIMIT) -> None:
        """`rate`: the fan-out's requests a second. With `shared`, every request's turn comes from the
        bot's one timeline at `rate` (every process's requests together), or, when it fails, from
        this process at `share` of it. `per_second`: the limit the gate counts (Discord's)."""
        self._full_rate = rate
        self._rate = rate
        self._monotonic = monotonic
        self._shared = shared
        self._share = share
        self._per_second = per_second
        self._shared_failed = False
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._halved_at: float | None = None
        self._started: list[float] = []  # when this process's requests started (in order), the last second's
        self._gated_waiting = 0  # requests at the gate waiting for room: the fan-out's turns let them first
        self._turns = asyncio.Lock()  # FIFO: callers are served in the order they ask
        self.slowed_down = 0  # 429s seen, for logs and benchmarks
        self.late_turns = 0  # shared turns given up because this process woke too late for them

    @property
    def rate(self) -> float:
        return self._rate

    @asynccontextmanager
    async def turn(self, requests: int = 1) -> AsyncIterator[None]:
        """Wait for the next `requests`' turn, then send them inside: the gate lets them through."""
        await self.wait(requests)
        marked = _IN_TURN.set(True)
        try:
            yield
        finally:
            _IN_TURN.reset(marked)

    async def gate(self) -> None:
        """Return when a request that is not a turn's own (an answer's DM, an edit) may start: at once
        while the last second has room, else as soon as it has, before the fan-out's next turn. On
        the shared timeline it takes a turn like the fan-out's."""
        if _IN_TURN.get():
            return
        if self._shared is not None and await self._shared_turn(1, retake_late=False):
            return
        self._gated_waiting += 1
        try:
            while True:
                now = self._monotonic()
                start = max(self._paused_until, self._room_at(now, 1))
                if start <= now:
                    break
                await asyncio.sleep(start - now)
        finally:
            self._gated_waiting -= 1
        self._record(now, 1)

    async def wait(self, requests: int = 1) -> None:
        """Return when the fan-out's next `requests` may start; callers are served in the order they ask."""
        async with self._turns:
            if self._shared is not None and await self._shared_turn(requests, retake_late=True):
                return
            slept = False
            while True:  # a slow-down or a gated request may come while this turn sleeps: look again
                now = self._monotonic()
                start = max(self._next_slot, self._paused_until, self._room_at(now, requests))
                if start <= now and not self._gated_waiting:
                    break
                await asyncio.sleep(max(start - now, 0.001))  # a gated request goes first, then look again
                slept = True
            # A turn that waited has its slot as its place on the timeline, not when the sleep ended:
            # a sleep's millisecond late, 500 times over, would cost the fan-out a second, and counting
            # the late start would leave the next turns less room. Never more than LATE_TURN behind
            # now, so starts stay that close to their slots, well inside the window's ARRIVAL_SPREAD.
            # A turn that did not wait (the timeline was idle) starts its place now.
            slot = max(start, now - LATE_TURN) if slept else now
            self._record(slot, requests)
            self._next_slot = slot + requests / self._local_rate()
            self._rate = min(self._full_rate, self._rate + RECOVERY * requests)

    def _local_rate(self) -> float:
        """Alone, the full rate; a sharded process whose timeline failed, its share of it."""
        return self._rate if self._shared is None else self._rate * self._share

    def _room_at(self, now: float, requests: int) -> float:
        """When `requests` more may start with at most the limit's count in any window of a second
        (and ARRIVAL_SPREAD), counting this process's own starts: 0 (any time) when the window has
        room now, else when enough of them have left it."""
        window = 1.0 + ARRIVAL_SPREAD
        limit = self._per_second if self._shared is None else max(1, int(self._per_second * self._share))
        started = self._started
        del started[:bisect.bisect_right(started, now - window)]
        over = len(started) + requests - limit
        if over <= 0:
            return 0.0
        return started[min(over, len(started)) - 1] + window

    def _record(self, at: float, requests: int) -> None:
        for _ in range(requests):  # a turn's slot may fall just before a gated request's start: kept in order
            bisect.insort(self._started, at)

    async def _shared_turn(self, requests: int, *, retake_late: bool) -> bool:
        """This turn, from the bot's one timeline (after any pause a global 429 set here); False when
        the timeline could not be read: the caller paces this turn itself, at this process's share."""
        pause = self._paused_until - self._monotonic()
        if pause > 0:  # a global 429 this process met holds its turns for Discord's retry_after
            await asyncio.sleep(pause)
        for _ in range(LATE_RETAKES if retake_late else 1):
            asked = self._monotonic()
            try:
                wait = await self._shared.take(requests / self._rate) if self._shared is not None else 0.0
            except Exception:
                if not self._shared_failed:
                    log.warning("the shared pace could not be read from the database; pacing this process at "
                                "its shards' share until it can", exc_info=True)
                self._shared_failed = True
                return False
            self._shared_failed = False
            # The turn starts no sooner than this (the database worked it out after it was asked): a turn
            # is never thought less late than it is.
            starts = asked + max(0.0, wait)
            if wait > 0:
                await asyncio.sleep(wait)
            # A turn started late (this process was busy, its wake-up slow) would fall on the turns
            # other processes start on time after it, and more than the limit could land in one
            # second: the fan-out's gives it up and takes a new one at the end of the timeline.
            if not retake_late or self._monotonic() - starts <= LATE_TURN:
                break
            self.late_turns += 1
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
