"""Two Nexus processes on one PostgreSQL, against the stand-in sharding as Discord does: each makes
its own shards' posts, and the ledger's claims keep every post exactly once, even when both were
started on the same shards by mistake. (Two bots in the test process, each with its own pool: to the
database and the stand-in they are two processes.)"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.config import DatabaseSettings, Secret, load_settings
from bot.guild_setup.model import SetupRequest
from bot.scheduling.pacing import PACED_RATE
from bot.shards import parse_shard_plan, shard_of
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from sandbox.standin._shards import ShardingRules

pytestmark = pytest.mark.asyncio

COHORT_START = "2027-01-04"  # Monday; Lagos is UTC+1 all year
CHECK_IN_AT = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in Lagos: the mid-week check-in
SERVERS = 12
# max_concurrency 2: a process's two shards IDENTIFY together, as Discord lets a bot of that bucket
# count (and the test does not wait a 5 s window per shard).
SHARDING = dict(recommended_shards=2, max_concurrency=2)


def check_ins(standin, guild):
    return [m for m in standin.messages(guild.post_channel.id, guild=guild) if "Mid-week check-in" in m.text]


async def start_process(standin, pg_url, tmp_path, shard_ids):
    """A bot holding `shard_ids` of 2 on the test's database; its commands are global, as a bot in
    many servers syncs them (the sandbox syncs to the demo server only)."""
    clock = Clock()
    clock.set(CHECK_IN_AT - timedelta(hours=1))
    settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp_path / "unused.db")
    settings = replace(settings, database=DatabaseSettings(path=tmp_path / "unused.db", url=Secret(pg_url)),
                       discord=replace(settings.discord, guild_id=None), shards=parse_shard_plan("2", shard_ids))
    return await start_bot_against(standin, settings, clock=clock)


async def configure_all(bot, standin):
    for guild in standin.extra_guilds:
        await bot.services.guild_setup.configure(SetupRequest(
            guild.id, guild.admin.id, guild.post_channel.id, cohort_start=COHORT_START, timezone="Africa/Lagos"))


async def tick_both(bots):
    for bot, _ in bots:
        bot.clock.set(CHECK_IN_AT + timedelta(minutes=5))
    return await asyncio.gather(*(bot.services.scheduler.tick() for bot, _ in bots))


@pytest.mark.parametrize("shard_ids", [("0", "1"), ("0-1", "0-1")], ids=["disjoint", "same-shards"])
async def test_two_processes_post_each_servers_check_in_exactly_once(pg_url, tmp_path, shard_ids, caplog):
    """Disjoint shards: each process posts its own servers' check-ins, and together every server's once.
    The same shards in both (a mistake): the second is told in one line at start; both fire every
    job, and the ledger's claims still let each post out once."""
    async with StandIn(extra_guilds=SERVERS, sharding=ShardingRules(**SHARDING)) as standin:
        assert {shard_of(g.id, 2) for g in standin.extra_guilds} == {0, 1}  # both shards have servers
        bots = []
        try:
            with caplog.at_level(logging.WARNING, logger="bot.shard_claims"):
                for ids in shard_ids:
                    bots.append(await start_process(standin, pg_url, tmp_path, ids))
            told = [r.getMessage() for r in caplog.records if r.name == "bot.shard_claims"]
            if shard_ids == ("0", "1"):
                assert told == []
            else:
                [line] = told
                assert line.startswith("shards 0-1 of 2 are also held by another running process"), line
                assert bots[0][0].services.shard_claims.process in line
            await configure_all(bots[0][0], standin)  # one process configures: the other reads it from PostgreSQL
            reports = await tick_both(bots)
            for guild in standin.extra_guilds:
                assert len(check_ins(standin, guild)) == 1, guild.id
            posted = [{post.key.guild_id for post in report.posted} for report in reports]
            assert not posted[0] & posted[1]  # no server's post was made by both
            assert posted[0] | posted[1] >= {g.id for g in standin.extra_guilds}
            for (bot, _), mine in zip(bots, posted, strict=True):
                assert all(bot.settings.shards.owns(guild_id) for guild_id in mine)
            if shard_ids == ("0", "1"):
                for (bot, _), mine in zip(bots, posted, strict=True):
                    assert mine >= {g.id for g in standin.extra_guilds if bot.settings.shards.owns(g.id)}
        finally:
            for bot, task in reversed(bots):
                await stop_bot(bot, task)


def shard_one_server(standin):
    return next(g for g in standin.extra_guilds if shard_of(g.id, 2) == 1)


async def test_a_request_sent_on_shard_1_and_accepted_from_a_dm_forms_one_pair_with_its_thread(pg_url, tmp_path):
    """The request is sent in a server of shard 1 (the shard-1 process answers); the accept button is
    pressed in a DM, which reaches shard 0 only: the shard-0 process forms the pair and opens its
    thread in a server it does not hold, exactly as one process would."""
    async with StandIn(extra_guilds=SERVERS, sharding=ShardingRules(**SHARDING)) as standin:
        guild = shard_one_server(standin)
        backend, frontend = guild.learners  # learner{n}a has the Backend role, learner{n}b Frontend
        bots = []
        try:
            for ids in ("0", "1"):
                bots.append(await start_process(standin, pg_url, tmp_path, ids))
            reply = await standin.invoke(guild.admin, "nexus setup", {
                "channel": guild.post_channel.name, "backend_role": "Backend", "frontend_role": "Frontend"},
                guild=guild)
            assert "Nexus is set up" in reply.message.text, reply.message.text
            # The shard-1 process prepares the server's learners (kept in memory) for a find.
            found = await standin.invoke(frontend, "pair find", guild=guild)
            assert "No partner to propose yet" in found.message.text, found.message.text  # nobody waits yet
            sent = await (await standin.invoke(backend, "pair request", {"member": frontend.name},
                                               guild=guild)).wait_done()
            assert "Request sent" in "\n".join(m.text for m in [sent.message, *sent.followups] if m), sent.message
            [asked] = [m for m in standin.dm_messages(frontend) if any(
                b["custom_id"].startswith("nexus:pair:accept:") for b in m.buttons)]
            accept = next(b["custom_id"] for b in asked.buttons if b["custom_id"].startswith("nexus:pair:accept:"))

            accepted = await (await standin.click(frontend, asked, accept)).wait_done()
            assert "you're paired" in accepted.original.text, accepted.original.text
            [thread] = [t for t in standin.threads if t.private]
            assert thread.guild_id == guild.id
            assert set(thread.member_ids) - {standin.bot_user_id} == {backend.id, frontend.id}
            assert [m.embeds[0]["title"] for m in standin.messages(thread.id)] == ["Why you fit"]
            announced = [m for m in standin.messages(guild.post_channel.id, guild=guild) if "are now a pair" in m.text]
            assert len(announced) == 1
            # The shard-0 process's change reaches the shard-1 process (NOTIFY), which forgets what it
            # prepared of the server: a find there now knows the pair, as in one process.
            for _ in range(100):
                again = await standin.invoke(frontend, "pair find", guild=guild)
                if "already paired" in again.message.text:
                    break
                await asyncio.sleep(0.05)
            assert f"You're already paired with <@{backend.id}>" in again.message.text, again.message.text
        finally:
            for bot, task in reversed(bots):
                await stop_bot(bot, task)


async def test_two_processes_fan_outs_share_the_bots_one_global_rate_limit(pg_url, tmp_path):
    """Discord's 50 requests a second are the bot's, whatever its processes: with the stand-in
    counting them across both, two processes fanning out at once take their turns from the bot's
    one timeline on the database, so together they start requests evenly spaced at PACED_RATE, as
    one process would: no global 429, and every server's check-in posted once."""
    servers = 150
    async with StandIn(extra_guilds=servers, sharding=ShardingRules(**SHARDING)) as standin:
        bots = []
        try:
            for ids in ("0", "1"):
                bots.append(await start_process(standin, pg_url, tmp_path, ids))
            assert [bot.services.scheduler.pacer.rate for bot, _ in bots] == [PACED_RATE] * 2  # one timeline
            await configure_all(bots[0][0], standin)
            standin.global_limit = 50  # a fresh window: the fan-out's requests alone
            standin.clear_records()
            started = asyncio.get_running_loop().time()
            reports = await tick_both(bots)
            took = asyncio.get_running_loop().time() - started
            assert all(report.posted for report in reports)  # each process made its own servers' posts
            for guild in standin.extra_guilds:
                assert len(check_ins(standin, guild)) == 1, guild.id
            assert standin.global_429s == 0
            assert took >= (servers - 1) / PACED_RATE  # the one timeline's pace, whatever the processes
            # Both processes posted, their posts interleaved on the one timeline: no second of the
            # fan-out held more than Discord's 50 of their requests together (two processes each at
            # the full rate would send twice that), and, a few late wake-ups aside, about PACED_RATE.
            made = sorted(r.at for r in standin.requests
                          if r.method == "POST" and r.route == "/channels/{channel_id}/messages" and r.status == 200)
            assert len(made) == servers
            assert max(sum(1 for t in made if start <= t < start + 1.0) for start in made) <= 50
        finally:
            for bot, task in reversed(bots):
                await stop_bot(bot, task)
