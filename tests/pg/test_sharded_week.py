"""A week of a cohort in 40 servers, run by two bot processes holding two shards each (shards 0-1 and
2-3 of 4) on one PostgreSQL, against the stand-in sharding as Discord does: every week-one post and
every weekly prompt is made exactly once in every server, by the process holding that server's shard.
(Two bots in the test process, each with its own clock, pool and gateway connections: to the database
and the stand-in they are two processes. The week passes through each one's clock: each scheduler
stops at every due time on the way, as its alarms would.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.clock import Clock
from bot.config import DatabaseSettings, Secret, load_settings
from bot.guild_setup.model import SetupRequest
from bot.shards import parse_shard_plan, shard_of
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from sandbox.standin._shards import ShardingRules

pytestmark = pytest.mark.asyncio

SERVERS = 40
COHORT_START = "2027-01-04"  # a Monday; Lagos is UTC+1 all year
BEFORE = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)  # the Sunday before
WEEK_LATER = datetime(2027, 1, 12, 12, 0, tzinfo=UTC)  # past day 8's roundup and first round
PROCESSES = ("0-1", "2-3")
# What every server's channel shows by the end, in order: week one's posts and the weekly prompts.
WEEK = [
    ("**Week one starts today", "Monday 09:00"),
    ("Monday goals", "Monday 09:00, after week one's post"),
    ("Wednesday check", "Wednesday 13:00"),
    ("**Week one, day 4", "Thursday"),
    ("Friday show and tell", "Friday 16:00"),
    ("**Week one roundup", "day 8, Monday 09:00"),
    ("Monday goals", "day 8, Monday 09:00, after the roundup"),
]


async def start_process(standin, pg_url, tmp_path, shard_ids):
    clock = Clock()
    clock.set(BEFORE)
    settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp_path / "unused.db")
    settings = replace(settings, database=DatabaseSettings(path=tmp_path / "unused.db", url=Secret(pg_url)),
                       discord=replace(settings.discord, guild_id=None), shards=parse_shard_plan("4", shard_ids))
    return await start_bot_against(standin, settings, clock=clock)


def bot_posts(standin, guild):
    """The bot's messages in the server's channel, each by its first line (a post's title)."""
    return [m.text.strip().splitlines()[0] for m in standin.messages(guild.post_channel.id, guild=guild)
            if m.author_id == standin.bot_user_id]


async def test_a_week_in_40_servers_on_two_processes_of_two_shards_posts_everything_once(pg_url, tmp_path):
    sharding = ShardingRules(recommended_shards=4, max_concurrency=4)
    async with StandIn(extra_guilds=SERVERS, sharding=sharding) as standin:
        assert {shard_of(g.id, 4) for g in standin.extra_guilds} == {0, 1, 2, 3}
        bots = []
        try:
            for ids in PROCESSES:
                bots.append(await start_process(standin, pg_url, tmp_path, ids))
            for guild in standin.extra_guilds:  # one process sets every server up: the other reads it
                await bots[0][0].services.guild_setup.configure(SetupRequest(
                    guild.id, guild.admin.id, guild.post_channel.id, cohort_start=COHORT_START,
                    timezone="Africa/Lagos"))
            reports = await asyncio.gather(*(bot.services.scheduler.advance_to(WEEK_LATER) for bot, _ in bots))

            made = [Counter(post.key.guild_id for report in process for post in report.posted) for process in reports]
            for (bot, _), mine in zip(bots, made, strict=True):
                assert mine and all(bot.settings.shards.owns(guild_id) for guild_id in mine)
            for guild in standin.extra_guilds:
                posts = bot_posts(standin, guild)
                assert len(posts) == len(WEEK), (guild.id, posts)
                for post, (opening, due) in zip(posts, WEEK, strict=True):
                    assert post.startswith(opening), (guild.id, due, posts)
                owner = PROCESSES.index("0-1" if shard_of(guild.id, 4) < 2 else "2-3")
                assert made[owner][guild.id] == len(WEEK) and made[1 - owner][guild.id] == 0, guild.id
        finally:
            for bot, task in reversed(bots):
                await stop_bot(bot, task)
