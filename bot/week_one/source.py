"""The scheduler's view of week one (`PostSource`, kind "week-one"): for every server with a cohort
start and a channel, three posts at their local times, read from the database each time.

A post already made for this server within `SAME_COHORT` of a new due time (the start date was
corrected after it went out) is not made again: posts already made stay made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.scheduling.ledger import PostKey
from bot.scheduling.sources import DuePost
from bot.shards import ShardPlan
from bot.week_one.model import WeekOneServer
from bot.week_one.repository import WeekOneRepository
from bot.week_one.schedule import (
    BY_HAND_KIND,
    SAME_COHORT,
    WEEK_ONE_KIND,
    WEEK_ONE_POSTS,
    WeekOnePostSpec,
    deadline,
    due_at,
)


@dataclass(frozen=True)
class WeekOneDue:
    """The payload of a due week-one post: the delivery builds the text when it is posted."""

    spec: WeekOnePostSpec
    server: WeekOneServer
    deadline: datetime


def _due_post(spec: WeekOnePostSpec, server: WeekOneServer) -> DuePost:
    at = due_at(spec, server.cohort_start, server.timezone)
    return DuePost(key=PostKey(server.guild_id, WEEK_ONE_KIND, spec.ref, at), channel_id=server.channel_id,
                   label=spec.label, payload=WeekOneDue(spec, server, deadline(server.cohort_start, server.timezone)),
                   purpose=spec.purpose)


class WeekOneSource:
    kind = WEEK_ONE_KIND

    def __init__(self, repository: WeekOneRepository, shards: ShardPlan | None = None) -> None:
        self._repository = repository
        self._shards = shards  # a sharded process's: only its servers are read

    async def _all(self, guild_id: int | None = None) -> list[DuePost]:
        """Every week-one post of one server, or of every server this process schedules."""
        servers = await self._repository.servers(guild_id, None if guild_id is not None else self._shards)
        return [_due_post(spec, server) for server in servers for spec in WEEK_ONE_POSTS]

    async def _not_made_before(self, posts: list[DuePost]) -> list[DuePost]:
        if not posts:
            return posts
        since = min(p.due_at for p in posts) - SAME_COHORT
        made = await self._repository.made_since(WEEK_ONE_KIND, since)
        by_hand = await self._repository.made_since(BY_HAND_KIND, since)  # made by an admin: any due time counts
        return [post for post in posts
                if not any(guild == post.key.guild_id and ref == post.key.ref and at != post.due_at
                           and abs(at - post.due_at) < SAME_COHORT for guild, ref, at in made)
                and not any(guild == post.key.guild_id and ref == post.key.ref
                            and abs(at - post.due_at) < SAME_COHORT for guild, ref, at in by_hand)]

    async def due_between(self, after: datetime, until: datetime) -> list[DuePost]:
        return await self._not_made_before([p for p in await self._all() if after < p.due_at <= until])

    async def next_due_after(self, moment: datetime) -> datetime | None:
        return min((p.due_at for p in await self._all() if p.due_at > moment), default=None)

    async def upcoming(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        posts = await self._not_made_before([p for p in await self._all(guild_id) if p.due_at > after])
        return sorted(posts, key=lambda p: p.due_at)[:max(limit, 0)]
