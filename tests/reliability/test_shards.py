"""Nexus on some of Discord's shards (`SHARD_COUNT`, `SHARD_IDS`) against the stand-in sharding as
Discord does: a process schedules the posts of its own shards' servers only."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.config import load_settings
from bot.guild_setup.model import SetupRequest
from bot.shards import parse_shard_plan, shard_of
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from sandbox.standin._shards import ShardingRules

pytestmark = pytest.mark.asyncio

COHORT_START = "2027-01-04"  # Monday; Lagos is UTC+1 all year
CHECK_IN_AT = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in Lagos: the mid-week check-in
SERVERS = 8


def check_ins(standin, guild):
    return [m for m in standin.messages(guild.post_channel.id, guild=guild) if "Mid-week check-in" in m.text]


async def start_shards(standin, db_path, *shard_ids):
    """One bot per entry, each holding those of the bot's two shards. (Built past load_settings, which
    asks for PostgreSQL when a process holds only some shards: here one process runs alone.)"""
    bots = []
    for ids in shard_ids:
        clock = Clock()
        clock.set(CHECK_IN_AT - timedelta(hours=1))
        settings = replace(sandbox_settings(load_settings({}, env_file=None), standin, db_path),
                           shards=parse_shard_plan("2", ids))
        bots.append(await start_bot_against(standin, settings, clock=clock))
    return bots


async def configure_all(bot, standin):
    for guild in standin.extra_guilds:
        await bot.services.guild_setup.configure(SetupRequest(
            guild.id, guild.admin.id, guild.post_channel.id, cohort_start=COHORT_START, timezone="Africa/Lagos"))


@pytest.mark.parametrize("shard_ids", ["1", "0-1"])
async def test_a_process_schedules_the_servers_of_the_shards_it_holds(tmp_path, shard_ids):
    """One process holding shard 1 of 2 makes the check-in of shard 1's servers only (shard 0's are
    another process's); holding both, every server's. (Processes sharing shards share one PostgreSQL
    database: SQLite is one process's, see test_config.)"""
    rules = ShardingRules(recommended_shards=2)
    async with StandIn(extra_guilds=SERVERS, sharding=rules) as standin:
        by_shard = {shard: [g for g in standin.extra_guilds if shard_of(g.id, 2) == shard] for shard in (0, 1)}
        assert by_shard[0] and by_shard[1]  # both shards have servers
        [(bot, task)] = await start_shards(standin, tmp_path / "nexus.db", shard_ids)
        try:
            assert tuple(bot.shard_ids) == bot.settings.shards.ids
            await configure_all(bot, standin)
            bot.clock.set(CHECK_IN_AT + timedelta(minutes=5))
            report = await bot.services.scheduler.tick()
            held = {1} if shard_ids == "1" else {0, 1}
            for shard, guilds in by_shard.items():
                for guild in guilds:
                    assert len(check_ins(standin, guild)) == (1 if shard in held else 0), (shard, guild.id)
            assert all(bot.settings.shards.owns(post.key.guild_id) for post in report.posted)
            # What its sources work out is its own servers' schedule only: the whole week's posts of
            # every kind, none of another process's servers (worked out for nothing, 4 processes over).
            week = await bot.services.scheduler.calendar.due_between(CHECK_IN_AT - timedelta(days=3),
                                                                     CHECK_IN_AT + timedelta(days=5))
            kinds = {entry.post.key.kind for entry in week}
            assert {"prompt", "week-one"} <= kinds, kinds
            assert {shard_of(entry.post.key.guild_id, 2) for entry in week} == held
        finally:
            await stop_bot(bot, task)


@pytest.mark.parametrize("max_concurrency", [1, 2])
async def test_a_process_identifies_its_shards_as_fast_as_max_concurrency_lets_it(tmp_path, monkeypatch,
                                                                                   max_concurrency):
    """discord.py waits a whole window before every IDENTIFY but the first; Nexus waits only for its
    shard's bucket: with max_concurrency 2, shards 0 and 1 start at once; with 1, one window apart,
    and the stand-in (pacing as Discord) never answers one "too soon". (Windows scaled down.)"""
    from bot.app import ShardedNexusBot

    window = 0.5
    monkeypatch.setattr(ShardedNexusBot, "identify_window_seconds", window + 0.1)
    rules = ShardingRules(recommended_shards=2, max_concurrency=max_concurrency, identify_window=window)
    async with StandIn(extra_guilds=2, sharding=rules) as standin:
        [(bot, task)] = await start_shards(standin, tmp_path / "nexus.db", "0-1")
        try:
            identifies = standin.identifies
            assert [(r.shard, r.outcome) for r in identifies] == [((0, 2), "ready"), ((1, 2), "ready")]
            apart = identifies[1].at - identifies[0].at
            assert apart < window if max_concurrency == 2 else apart >= window
        finally:
            await stop_bot(bot, task)


async def test_a_sharded_process_tells_its_health_check_it_is_connected(tmp_path):
    """The Docker health check reads the heartbeat a bot writes while `gateway_connected()`. A sharded
    process (discord.py's AutoShardedBot) has no one gateway connection but one per shard: it is
    connected while all of them are open, and not once one of them closed."""
    async with StandIn(extra_guilds=4, sharding=ShardingRules(recommended_shards=2)) as standin:
        [(bot, task)] = await start_shards(standin, tmp_path / "nexus.db", "0-1")
        try:
            assert bot.gateway_connected()
            await bot.get_shard(1).disconnect()
            assert not bot.gateway_connected()
        finally:
            await stop_bot(bot, task)
