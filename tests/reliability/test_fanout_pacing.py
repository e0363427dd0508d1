"""A fan-out under Discord's global limit: one that meets a global 429 slows down (nothing new
starts before Discord's `retry_after` has passed, and what was waiting goes out paced, never as one
burst, which is what earns the next 429 and, kept up, a ban); the bot's other requests during it
pass the pacer's gate and draw no 429. The real bot against the stand-in, a real SQLite file."""

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from _support import CHANNEL, start_bot_at

from bot.guild_setup.model import SetupRequest
from bot.scheduling.pacing import Pacer
from sandbox.run import stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

COHORT_START = "2027-01-04"  # Monday; Lagos is UTC+1 all year
CHECK_IN_AT = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in Lagos: the mid-week check-in
MESSAGES = "/channels/{channel_id}/messages"
SERVERS = 60


def most_within(times: list[float], window: float) -> int:
    """The most of `times` (sorted) that fall within any `window` seconds."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] > window:
            first += 1
        most = max(most, last - first + 1)
    return most


@asynccontextmanager
async def every_server_set_up(tmp_path):
    """The stand-in and the bot, every server set up for the check-in, nothing posted yet."""
    async with StandIn(extra_guilds=SERVERS) as standin:
        bot, task = await start_bot_at(standin, tmp_path / "nexus.db", CHECK_IN_AT - timedelta(hours=1))
        try:
            for guild in standin.extra_guilds:
                await bot.services.guild_setup.configure(SetupRequest(
                    guild.id, guild.admin.id, guild.post_channel.id, cohort_start=COHORT_START,
                    timezone="Africa/Lagos"))
            await bot.services.scheduler.tick()
            standin.clear_records()
            yield standin, bot
        finally:
            await stop_bot(bot, task)


async def test_a_global_429_in_a_fan_out_holds_the_rest_for_retry_after_then_paces_them(tmp_path):
    async with every_server_set_up(tmp_path) as (standin, bot):
        scheduler = bot.services.scheduler

        async def limit_midway():
            # A third of the way through, Discord's global limit answers: "retry after 1 s, global".
            for _ in range(SERVERS // 3):
                await standin.wait_for_message(None, timeout=10)
            standin.fail_next("POST", MESSAGES, status=429, retry_after=1.0, is_global=True)

        midway = asyncio.create_task(limit_midway())
        bot.clock.set(CHECK_IN_AT + timedelta(minutes=1))
        report = await scheduler.tick()
        await midway

        assert len(report.posted) == SERVERS and not report.retrying
        posts = [r for r in standin.requests if r.method == "POST" and r.route == MESSAGES]
        [limited] = [r for r in posts if r.status == 429]
        after = sorted(r.at for r in posts if r.status == 200 and r.at > limited.at)
        assert len(after) >= SERVERS - SERVERS // 3 - 3  # a few may have been on their way already
        # What waited goes out paced, below Discord's limit even at its full pace (48.5 a second,
        # ~5 in 100 ms), never all at once the moment the limit lifts.
        assert most_within(after, 0.1) <= 6, [round(at - limited.at, 3) for at in after]


async def test_the_bots_other_requests_during_a_fan_out_take_their_place_so_discord_never_answers_429(tmp_path):
    """The pacer runs near Discord's limit (PACED_RATE) with no margin kept for the bot's other
    requests: each one it sends meanwhile (answers to members, edits, DMs) passes the gate as it
    starts, at once while the last second has room, else before the fan-out's next turn. Forty of
    them sent at once in the middle of a fan-out, with Discord's global limit on: no 429, and never
    more in a second than the limit the gate keeps."""
    async with every_server_set_up(tmp_path) as (standin, bot):
        scheduler = bot.services.scheduler
        standin.global_limit = 50
        # The gate counting 25 a second, the fan-out at 20: the bot and the stand-in share this
        # test's event loop, whose pauses on a loaded machine bunch arrivals by tens of ms, so the
        # limit the bot keeps is set well below the one Discord enforces. Without the gate, the
        # 40 requests land in the fan-out's second all the same: 60 in it.
        scheduler._pacer = Pacer(rate=20, per_second=25)
        elsewhere = bot.get_partial_messageable(standin.guild.channel(CHANNEL).id, guild_id=standin.guild.id)

        async def answers_meanwhile():
            for _ in range(SERVERS // 4):  # a quarter of the way in
                await standin.wait_for_message(None, timeout=10)
            await asyncio.gather(*(elsewhere.send(f"an answer to a member, {n}") for n in range(40)))

        meanwhile = asyncio.create_task(answers_meanwhile())
        bot.clock.set(CHECK_IN_AT + timedelta(minutes=1))
        report = await scheduler.tick()
        await meanwhile

        assert len(report.posted) == SERVERS and not report.retrying
        assert standin.global_429s == 0
        sent = sorted(r.at for r in standin.requests if r.status == 200 and r.route == MESSAGES)
        assert len(sent) == SERVERS + 40
        assert most_within(sent, 1.0) <= 26  # the gate's count, a late arrival aside
