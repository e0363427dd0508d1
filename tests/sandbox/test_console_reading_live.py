"""What the console says back, against the real Nexus bot on the stand-in: a choice taken by its
name as Discord's client offers it, times in the server's zone with UTC beside, and whom each bot
message pinged, computed as Discord would from its content and allowed_mentions."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from console_session import ConsoleSession
from rich.console import Console

from bot.clock import FrozenClock
from bot.config import load_settings
from sandbox.console import SandboxConsole
from sandbox.console._markup import format_timestamp
from sandbox.run import BotTimeline, sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

# Monday 30 November 2026, 13:00 in Lagos; the cohort starts the next day.
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SETUP = ("/nexus setup channel:#prodevprojectnexus backend_role:@Backend frontend_role:@Frontend "
         "cohort_start:2026-12-01 timezone:Africa/Lagos")


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[ConsoleSession]:
    async with StandIn() as standin:
        settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp_path / "nexus.db")
        bot, task = await start_bot_against(standin, settings, clock=FrozenClock(START))
        try:
            buffer = io.StringIO()
            console = SandboxConsole(standin, output=Console(file=buffer, width=200), member="mentor",
                                     timeline=BotTimeline(bot, int(standin.guild.id)))
            found = ConsoleSession(standin, console, buffer, bot)
            assert "Nexus is set up" in await found.run(SETUP)
            yield found
        finally:
            await stop_bot(bot, task)


async def test_a_weekday_is_taken_by_its_name_and_a_number_is_refused(session: ConsoleSession) -> None:
    out = await session.run("/prompts add key:tuesday-check weekday:Tuesday time:18:00")
    assert session.console.errors == [], out
    await session.run('fill text="How is your week going?"')
    assert session.console.errors == []
    prompts = session.bot.services.prompts
    saved = {listed.prompt.key: listed.prompt for listed in await prompts.listing(int(session.standin.guild.id))}
    assert saved["tuesday-check"].weekday == 1  # Tuesday, as typed: not refused, not another day
    out = await session.run("/prompts add key:late-check weekday:tuesday time:19:00")
    assert session.console.errors == [], out
    # No number stands for a day: `weekday:2` is refused with the names, never taken as Wednesday.
    out = await session.run("/prompts add key:wed-check weekday:2 time:18:00")
    assert out == ("✗ '2' is not a choice for weekday; choose one of: Monday, Tuesday, Wednesday, Thursday, Friday, "
                   "Saturday, Sunday")


async def test_times_are_in_the_servers_zone_with_utc_beside(session: ConsoleSession) -> None:
    out = await session.run("/prompts list")
    # monday-goals, the first default prompt, is next posted on Monday 7 December at 09:00 in Lagos.
    assert "Monday, 7 December 2026 09:00 Africa/Lagos (08:00 UTC)" in out, out
    assert format_timestamp(int(START.timestamp()), "F", zone="Africa/Lagos") == (
        "Monday, 30 November 2026 13:00 Africa/Lagos (12:00 UTC)")
    # Midnight in Tokyo is still 30 November in UTC: the UTC date is given too.
    assert format_timestamp(int(START.timestamp()) + 3 * 3600, "t", zone="Asia/Tokyo") == (
        "00:00 Asia/Tokyo (30 November 15:00 UTC)")
    assert format_timestamp(int(START.timestamp()), "f") == "30 November 2026 12:00 UTC"


async def test_every_bot_message_says_whom_it_pinged(session: ConsoleSession) -> None:
    out = await session.lines(
        "as ada", "/project announce track:job-board looking_for_partner:true",
        'fill title="Job board API" description="@everyone come and see, and @here too" stack="Django"',
    )
    assert session.console.errors == [], out
    post = next(m for m in session.standin.messages("prodevprojectnexus") if "Job board API" in m.text)
    assert "@everyone" in post.text
    # The learner's @everyone is shown as written, and pings no one: the bot allows no such mention.
    header = next(line for line in out.splitlines() if line.startswith("#prodevprojectnexus · nexus"))
    assert header.endswith("· pings nobody"), out
    out = await session.lines('/pair profile timezone:Africa/Lagos availability:"Mon 18-21"',
                              "as ben", '/pair profile timezone:Europe/London availability:"Mon 17-20"',
                              "as ada", "/pair request member:ben")
    dm = next(line for line in out.splitlines() if line.startswith("DM to ben · nexus"))
    assert dm.endswith("· pings nobody"), out  # @ada in ben's DM: ada cannot see it, ben is not mentioned
    out = await session.lines("as ben", "dms", "press Accept")
    assert session.console.errors == [], out
    thread_lines = [line for line in out.splitlines() if "Pair · ada & ben" in line and "nexus" in line]
    assert any(line.endswith("· pings @ada, @ben") for line in thread_lines), out
