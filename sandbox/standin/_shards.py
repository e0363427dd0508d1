"""Sharding as Discord does it: which connection holds which servers, and how fast shards may start.

A bot may split its servers over several gateway connections (shards): IDENTIFY carries `shard:
[shard_id, shard_count]` and the connection then holds the servers with `(guild_id >> 22) %
shard_count == shard_id`. Its READY lists only those, GUILD_CREATE follows for those only, and each
dispatch goes to the shards holding its server; one without a server (a DM, a button pressed in a
DM) goes to shard 0 only. An IDENTIFY without `shard` holds every server, as today.

Refusals, with Discord's close codes: a shard id outside `0 <= id < count` (or a count below 1, or
no pair of integers at all) closes with 4010 Invalid shard; a connection that would hold more than
`guilds_per_shard` servers (Discord: 2,500) closes with 4011 Sharding required.

Pacing. Discord lets `max_concurrency` shards start per 5 seconds: a shard's bucket is `shard_id %
max_concurrency`, and each bucket may IDENTIFY once per window. Discord documents what happens to
an IDENTIFY too soon (docs/events/gateway.mdx, "Identifying" and "Rate Limiting"): the gateway
answers op 9 Invalid Session, not a close code, so the stand-in does the same, with `d: false` (the
session cannot be resumed: there is none yet) and the socket left open. discord.py then closes the
socket itself, connects again and calls `before_identify_hook(shard_id, initial=False)`, whose
default sleeps 5 s, before identifying again (discord/gateway.py, INVALIDATE_SESSION; shard.py,
`Shard.reidentify`). Only an IDENTIFY let through occupies its bucket, so a client that waits as
told gets in. The window is off (None) by default: tests restart a bot within a second, and Discord
would make each restart wait 5 s; `identify_window=5.0` is Discord's pace, tests use a short one.

Session starts: GET /gateway/bot reports `session_start_limit` (Discord: 1,000 per 24 hours);
`remaining` goes down with each session started (each IDENTIFY answered with READY) and
`reset_after` counts down to the end of the day that began with the first. Discord resets the
token of a bot that uses them all up; the stand-in does not act that out, `remaining` stays at 0.

All of this is per bot, not per connection: every process using the token shares the buckets and
the session starts, as on Discord.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

GUILDS_PER_SHARD = 2500  # Discord's most servers on one connection
SESSION_STARTS_PER_DAY = 1000
DAY = 86_400.0
INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011

# Dispatches whose server is the object itself rather than a `guild_id` field.
_GUILD_EVENTS = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that holds a server, by Discord's formula."""
    return (guild_id >> 22) % shard_count


def guild_of_dispatch(event: str, data: dict[str, Any]) -> int | None:
    """The server a dispatch is about, which decides the shard it goes to; None for a DM's."""
    raw = data.get("id") if event in _GUILD_EVENTS else data.get("guild_id")
    return int(raw) if isinstance(raw, str | int) and str(raw).isdigit() else None


def parse_shard(raw: Any) -> tuple[int, int] | None:
    """IDENTIFY's `shard` as (id, count), or None when it is not a valid pair (Discord: 4010)."""
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        return None
    shard_id, count = raw
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (shard_id, count)):
        return None
    if count < 1 or not 0 <= shard_id < count:
        return None
    return shard_id, count


class ShardingRules:
    """How the stand-in shards, as one bot's Discord does (see the module docstring).

    `recommended_shards`: the `shards` GET /gateway/bot recommends (an `AutoShardedClient` without a
    `shard_count` uses it). `max_concurrency`: the shards that may start per window. `identify_window`:
    seconds in which one bucket may IDENTIFY once (Discord: 5); None, the default, does not pace.
    `guilds_per_shard`: past it a connection is closed with 4011 (Discord: 2,500; a test sets a few).
    `session_starts_per_day`: `session_start_limit.total`.
    """

    def __init__(
        self,
        *,
        recommended_shards: int = 1,
        max_concurrency: int = 1,
        identify_window: float | None = None,
        guilds_per_shard: int = GUILDS_PER_SHARD,
        session_starts_per_day: int = SESSION_STARTS_PER_DAY,
    ) -> None:
        self.recommended_shards = recommended_shards
        self.max_concurrency = max_concurrency
        self.identify_window = identify_window
        self.guilds_per_shard = guilds_per_shard
        self.session_starts_per_day = session_starts_per_day

    def __setattr__(self, name: str, value: Any) -> None:
        # Checked on every change, not only in __init__: tests change the rules of a running stand-in.
        if name == "identify_window":
            if value is not None and value <= 0:
                raise ValueError(f"identify_window is seconds above 0 or None (no pacing), not {value}")
        elif value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
        super().__setattr__(name, value)

    def bucket(self, shard: tuple[int, int] | None) -> int:
        """The rate-limit key of a shard; an unsharded connection is shard 0."""
        return (shard[0] if shard is not None else 0) % self.max_concurrency


class SessionStarts:
    """When each bucket last started a session, and the day's count of session starts."""

    def __init__(self, rules: ShardingRules, clock: Callable[[], float] = time.monotonic) -> None:
        self._rules = rules
        self._clock = clock
        self._last_start: dict[int, float] = {}
        self._day_began: float | None = None
        self._started_today = 0

    def too_soon(self, bucket: int) -> bool:
        """Whether an IDENTIFY in this bucket now comes within the window of the last one let in."""
        window = self._rules.identify_window
        last = self._last_start.get(bucket)
        return window is not None and last is not None and self._clock() - last < window

    def started(self, bucket: int) -> None:
        now = self._clock()
        self._last_start[bucket] = now
        self._roll_day(now)
        if self._day_began is None:
            self._day_began = now
        self._started_today += 1

    def _roll_day(self, now: float) -> None:
        if self._day_began is not None and now - self._day_began >= DAY:
            self._day_began, self._started_today = None, 0

    def limit_payload(self) -> dict[str, int]:
        """GET /gateway/bot's `session_start_limit` (`reset_after` in milliseconds, as Discord)."""
        now = self._clock()
        self._roll_day(now)
        total = self._rules.session_starts_per_day
        left = DAY if self._day_began is None else DAY - (now - self._day_began)
        return {
            "total": total,
            "remaining": max(0, total - self._started_today),
            "reset_after": int(left * 1000),
            "max_concurrency": self._rules.max_concurrency,
        }


def holds(shard: tuple[int, int] | None, guild_id: int | None) -> bool:
    """Whether a connection identified with `shard` (None: unsharded, every server) gets a dispatch
    about this server (None: a DM's, which goes to shard 0 only, as on Discord)."""
    if shard is None:
        return True
    shard_id, count = shard
    if guild_id is None:
        return shard_id == 0
    return shard_of(guild_id, count) == shard_id
