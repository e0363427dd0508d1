"""One calendar of everything the bot posts on a schedule: week one's posts, the prompts, the pairing
rounds and the requests' expiries, gathered from their sources for the scheduler, `/prompts list`
and `/nexus status`, and one rule over all of them:

no two posts of the bot in one channel within an hour with the same purpose. A post's purpose is
what it asks the cohort to do (week one's kickoff and a prompt `announce-your-project` both ask to
announce projects); of two such posts the earlier is made and the later is not (recorded as
skipped, with the post it would have repeated). Posts due at the same moment go by stage (a round
before the prompt that may report on it), then by kind, so the choice never depends on which
source answered first.

The rule reads the schedule, not the ledger: the later post is left out even when the earlier one
failed, so what a member sees never depends on a retry's timing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.scheduling.ledger import PostKey
from bot.scheduling.sources import DuePost, PostSource

SAME_PURPOSE_WINDOW = timedelta(hours=1)
# Enough for a week of any server's posts; sources give their soonest first, so more is only cost.
WEEK_LIMIT = 200


@dataclass(frozen=True)
class CalendarEntry:
    post: DuePost
    repeats: DuePost | None = None  # the earlier post with the same purpose: this one is not made

    @property
    def made(self) -> bool:
        return self.repeats is None


def _order(post: DuePost) -> tuple[datetime, int, str, int, str]:
    return post.due_at, post.stage, post.key.kind, post.key.guild_id, post.key.ref


def with_repeats(posts: Iterable[DuePost]) -> list[CalendarEntry]:
    """Every post in calendar order, each marked with the earlier post whose purpose it repeats within
    `SAME_PURPOSE_WINDOW` in the same channel (one repeated post does not make a third one a repeat)."""
    entries: list[CalendarEntry] = []
    kept: dict[tuple[int, int, str], DuePost] = {}  # (server, channel, purpose) → the last post made
    for post in sorted(posts, key=_order):
        earlier = kept.get((post.key.guild_id, post.channel_id, post.purpose)) if post.purpose else None
        if earlier is not None and post.due_at - earlier.due_at <= SAME_PURPOSE_WINDOW:
            entries.append(CalendarEntry(post, repeats=earlier))
            continue
        if post.purpose:
            kept[(post.key.guild_id, post.channel_id, post.purpose)] = post
        entries.append(CalendarEntry(post))
    return entries


class Calendar:
    """The sources of scheduled posts (shared with the scheduler, which adds them) read as one."""

    def __init__(self, sources: Mapping[str, PostSource]) -> None:
        self._sources = sources

    async def due_between(self, after: datetime, until: datetime) -> list[CalendarEntry]:
        """The posts due in (after, until], each with what it repeats. An hour before `after` is read
        too: a post made in the last tick can make one due now a repeat."""
        posts: list[DuePost] = []
        for source in self._sources.values():
            posts += await source.due_between(after - SAME_PURPOSE_WINDOW, until)
        return [entry for entry in with_repeats(posts) if entry.post.due_at > after]

    async def coming(self, guild_id: int, after: datetime, until: datetime) -> list[CalendarEntry]:
        """This server's posts in (after, until], in order, each with what it repeats (for admins)."""
        posts = [post for post in await self._around(guild_id, after, WEEK_LIMIT) if post.due_at <= until]
        return [entry for entry in with_repeats(posts) if entry.post.due_at > after]

    async def next_posts(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        """This server's next `limit` posts that will be made, soonest first (for `/nexus status`)."""
        # A few more than asked from each source: some of them may turn out to be repeats.
        posts = await self._around(guild_id, after, limit + 3)
        return [entry.post for entry in with_repeats(posts) if entry.made and entry.post.due_at > after][:limit]

    async def _around(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        """This server's posts from an hour before `after` (what a coming post may repeat) and after it.
        Asked twice: a source giving only its next post (a round) would give the one of the past hour."""
        found: dict[PostKey, DuePost] = {}
        for source in self._sources.values():
            for moment in (after - SAME_PURPOSE_WINDOW, after):
                for post in await source.upcoming(guild_id, moment, limit):
                    found.setdefault(post.key, post)
        return list(found.values())
