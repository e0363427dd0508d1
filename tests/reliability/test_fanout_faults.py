"""A fan-out that meets Discord's bad minute: a storm of global 429s, 5xx before and after a message
is made, a channel that is gone. The real bot against the stand-in, a real SQLite file, the clock
moved: every post is made exactly once in the end, or stopped with its reason and the admin told."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from _support import start_bot_at

from bot.db import Database
from bot.db.sqlite.posts import SqlitePostLedgerRepository
from bot.guild_setup.model import SetupRequest
from bot.posting import RETRY_FIRST
from bot.scheduling.ledger import PostKey
from sandbox.run import stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

COHORT_START = "2027-01-04"  # Monday; Lagos is UTC+1 all year
CHECK_IN_AT = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in Lagos: the mid-week check-in
MESSAGES = "/channels/{channel_id}/messages"
SERVERS = 31


async def configure_all(bot, standin):
    for guild in standin.extra_guilds:  # each set up by its own admin, as /nexus setup does
        await bot.services.guild_setup.configure(SetupRequest(
            guild.id, guild.admin.id, guild.post_channel.id, cohort_start=COHORT_START, timezone="Africa/Lagos"))


def check_ins(standin, guild):
    return [m for m in standin.messages(guild.post_channel.id, guild=guild) if "Mid-week check-in" in m.text]


async def test_a_catch_up_under_a_429_storm_and_5xx_posts_every_post_exactly_once(tmp_path):
    async with StandIn(extra_guilds=SERVERS) as standin:
        # Down since before Wednesday 13:00, back at 13:20: a catch-up of one post in each server.
        bot, task = await start_bot_at(standin, tmp_path / "nexus.db", CHECK_IN_AT - timedelta(hours=1))
        scheduler = bot.services.scheduler
        try:
            await configure_all(bot, standin)
            await scheduler.tick()
            # An incident: Discord's global limit answers 429 to every request for a while (longer than
            # discord.py's five tries wait), and some requests fail with a 502, before or after the
            # message was made.
            standin.storm(3.0, share=1.0, retry_after=0.1)
            standin.fail_next("POST", MESSAGES, status=502, times=2)
            standin.fail_next("POST", MESSAGES, status=502, times=2, after_handler=True)
            bot.clock.set(CHECK_IN_AT + timedelta(minutes=20))
            first = await scheduler.tick()
            assert first.retrying, "the storm should have outlasted discord.py's own retries"
            assert standin.storm_429s > 0

            # The retries come at their own times, with backoff, until every post is made.
            for _ in range(12):
                again = await scheduler.next_retry()
                if again is None:
                    break
                standin.storm(0)  # the incident is over
                bot.clock.set(max(again, bot.clock.now()))
                await scheduler.tick()
            assert await scheduler.next_retry() is None
            for guild in standin.extra_guilds:
                assert len(check_ins(standin, guild)) == 1, guild.name  # every server: exactly one
                assert await scheduler.problems(guild.id) == []
            ledger = bot.services.posting._ledger
            retried = [await ledger.get(PostKey(g.id, "prompt", "wednesday-check", CHECK_IN_AT))
                       for g in standin.extra_guilds]
            assert all(entry.status == "posted" for entry in retried)
            assert any(entry.attempts > 1 for entry in retried)
        finally:
            await stop_bot(bot, task)


async def test_a_post_retrying_shows_in_status_and_is_skipped_with_its_reason_when_the_grace_ends(
        tmp_path, settled):
    async with StandIn() as standin:
        bot, task = await start_bot_at(standin, tmp_path / "nexus.db", CHECK_IN_AT - timedelta(hours=1),
                                       SCHEDULE_GRACE_HOURS="0.5")
        scheduler = bot.services.scheduler
        try:
            reply = await standin.invoke("mentor", "nexus setup", {
                "channel": "prodevprojectnexus", "cohort_start": COHORT_START, "timezone": "Africa/Lagos"})
            assert "Nexus is set up" in reply.message.text
            await settled(bot)  # the introduction is posted
            standin.storm(600, share=1.0, retry_after=0.01)  # Discord answering 429 to everything, for long
            bot.clock.set(CHECK_IN_AT)
            await scheduler.tick()
            status = (await standin.invoke("mentor", "nexus status")).message.text
            assert "⏳ Retrying" in status and "wednesday-check" in status and "429" in status
            first_retry = await scheduler.next_retry()
            assert first_retry is not None and timedelta(0) < first_retry - bot.clock.now() <= RETRY_FIRST

            tries = 1
            while (again := await scheduler.next_retry()) is not None:
                if again - CHECK_IN_AT > scheduler.grace:
                    standin.storm(0)  # over, but too late: only the admin's notice gets through
                bot.clock.set(max(again, bot.clock.now()))
                await scheduler.tick()
                tries += 1
            assert 4 <= tries <= 10  # backoff: not once a second for half an hour, and not given up early
            assert bot.clock.now() - CHECK_IN_AT > scheduler.grace
            [problem] = await scheduler.problems(standin.guild.id)
            assert problem.status == "skipped" and problem.last_error.startswith(
                "not posted within the 0.5 h grace window: Discord answered 429")
            status = (await standin.invoke("mentor", "nexus status")).message.text
            assert "⚠️ Skipped" in status and "grace window" in status
            assert [m for m in standin.messages("prodevprojectnexus") if "Mid-week check-in" in m.text] == []
            told = standin.dm_messages("mentor")
            assert len(told) == 1 and "stopped trying" in told[0].text  # the admin, told once
        finally:
            await stop_bot(bot, task)


async def test_a_deleted_channel_stops_at_once_and_the_admin_is_told_once(tmp_path):
    async with StandIn(extra_guilds=1) as standin:
        bot, task = await start_bot_at(standin, tmp_path / "nexus.db", CHECK_IN_AT - timedelta(hours=1))
        scheduler = bot.services.scheduler
        try:
            await configure_all(bot, standin)
            [guild] = standin.extra_guilds
            await standin.delete_channel(guild.post_channel, guild=guild)
            await scheduler.tick()
            await scheduler.advance_to(CHECK_IN_AT + timedelta(days=5, hours=2))  # to Monday: two posts that day

            problems = await scheduler.problems(guild.id)
            assert {p.key.ref for p in problems} >= {"wednesday-check", "friday-show-and-tell"}
            assert all(p.status == "failed" and not p.retrying for p in problems)  # stopped at once
            assert await scheduler.next_retry() is None
            told = standin.dm_messages(guild.admin)
            days = {p.key.due_at.date() for p in problems}
            assert len(told) == len(days) < len(problems)  # one a day, not one a post
            assert "stopped trying" in told[0].text and "no longer exists" in told[0].text
        finally:
            await stop_bot(bot, task)


async def test_a_restart_while_posts_are_still_claimed_waits_for_the_lease_quietly(tmp_path, monkeypatch, caplog):
    lease = timedelta(seconds=3)
    monkeypatch.setattr("bot.posting.CLAIM_LEASE", lease)
    monkeypatch.setattr("bot.scheduling.scheduler.CLAIM_LEASE", lease)
    db_path = tmp_path / "nexus.db"
    async with StandIn(extra_guilds=5) as standin:
        bot, task = await start_bot_at(standin, db_path, CHECK_IN_AT - timedelta(hours=1))
        try:
            await configure_all(bot, standin)
            await bot.services.scheduler.tick()
        finally:
            await stop_bot(bot, task)
        # kill -9 in the middle of the fan-out: three servers' posts claimed, none sent, and the
        # scheduler's window not yet moved past them.
        restart_at = CHECK_IN_AT + timedelta(seconds=10)
        database = await Database.open(db_path)
        ledger = SqlitePostLedgerRepository(database)
        held = standin.extra_guilds[:3]
        for guild in held:
            key = PostKey(guild.id, "prompt", "wednesday-check", CHECK_IN_AT)
            assert await ledger.claim(key, guild.post_channel.id, restart_at - timedelta(seconds=1))
        await database.close()

        caplog.set_level(logging.INFO)
        bot, task = await start_bot_at(standin, db_path, restart_at)
        try:
            for _ in range(500):  # the lease runs out 3 s after the claims: then all five are there
                if all(check_ins(standin, guild) for guild in standin.extra_guilds):
                    break
                await asyncio.sleep(0.02)
            assert [len(check_ins(standin, guild)) for guild in standin.extra_guilds] == [1] * 5
            scheduling = [r for r in caplog.records
                          if r.name.startswith(("bot.scheduling", "apscheduler")) and r.levelno >= logging.INFO]
            assert not any("maximum number of running instances" in r.getMessage() for r in scheduling)
            held_lines = [r for r in scheduling if "held by an earlier claim" in r.getMessage()
                          and "tried again once" in r.getMessage()]
            assert len(held_lines) == 1  # said once, then waited
            ticks = [r for r in scheduling if r.getMessage().startswith("scheduled posts due by")]
            assert len(ticks) <= 3, [r.getMessage() for r in ticks]  # no busy loop
        finally:
            await stop_bot(bot, task)
