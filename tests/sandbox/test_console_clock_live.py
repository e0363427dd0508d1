"""`clock` in the console, against the real Nexus bot on the stand-in: what a person reads and what
lands in the channel when the bot's own clock is moved through its own scheduler."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from console_session import ConsoleSession
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from rich.console import Console

from bot.clock import FrozenClock
from bot.config import load_settings
from bot.posting import nonce_for
from bot.scheduling import Delivery, DuePost
from bot.scheduling.ledger import PostKey
from sandbox.console import SandboxConsole
from sandbox.console._complete import ConsoleCompleter
from sandbox.run import BotTimeline, sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SITE = ROOT / "tests" / "e2e" / "process_site"
LAGOS = ZoneInfo("Africa/Lagos")  # UTC+01:00 all year
# Monday 7 December 2026, 08:00 in Lagos: the first daily post (09:00) is an hour away.
START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
CHANNEL = "prodevprojectnexus"


class DailyAtNine:
    """A test-only scheduled feature: a note every day at 09:00 Lagos time in the demo channel."""

    kind = "test-daily"

    def __init__(self, guild_id: int, channel_id: int) -> None:
        self.guild_id = guild_id
        self.channel_id = channel_id

    def _times(self, after: datetime, until: datetime) -> Iterator[datetime]:
        moment = datetime.combine(after.astimezone(LAGOS).date(), time(9), LAGOS)
        while moment <= after:
            moment += timedelta(days=1)
        while moment <= until:
            yield moment.astimezone(UTC)
            moment += timedelta(days=1)

    def _post(self, at: datetime) -> DuePost:
        return DuePost(PostKey(self.guild_id, self.kind, "daily-note", at), self.channel_id, label="daily note")

    async def due_between(self, after: datetime, until: datetime) -> list[DuePost]:
        return [self._post(at) for at in self._times(after, until)]

    async def next_due_after(self, moment: datetime) -> datetime | None:
        return next(self._times(moment, moment + timedelta(days=2)))

    async def upcoming(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        return [self._post(at) for at in self._times(after, after + timedelta(days=limit))][:limit]


class Session(ConsoleSession):
    def daily_notes(self) -> list[Any]:
        return [m for m in self.standin.messages(CHANNEL) if m.content.startswith("Daily note")]


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[Session]:
    """The real bot on a clock standing at START, a daily 09:00 source on its scheduler, and the
    console wired as the sandbox wires it (the bot's own clock and scheduler)."""
    async with StandIn() as standin:
        settings = sandbox_settings(
            load_settings({"DEFAULT_TIMEZONE": "Africa/Lagos"}, env_file=None), standin, tmp_path / "nexus.db"
        )
        bot, task = await start_bot_against(standin, settings, clock=FrozenClock(START))
        try:
            channel_id = int(standin.guild.channel(CHANNEL).id)
            bot.services.scheduler.add_source(DailyAtNine(int(standin.guild.id), channel_id))

            async def deliver(delivery: Delivery) -> int:
                channel = bot.get_channel(delivery.post.channel_id)
                stamp = int(delivery.post.due_at.timestamp())
                message = await channel.send(f"Daily note for <t:{stamp}:F>, <t:{stamp}:R>", nonce=delivery.nonce)
                return int(message.id)

            bot.services.scheduler.set_delivery(DailyAtNine.kind, deliver)
            buffer = io.StringIO()
            console = SandboxConsole(
                standin, output=Console(file=buffer, width=160), member="mentor",
                timeline=BotTimeline(bot, int(standin.guild.id)),
            )
            yield Session(standin, console, buffer, bot)
        finally:
            await stop_bot(bot, task)


def _in_order(text: str, *parts: str) -> bool:
    """Every part appears in `text`, each after the one before."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found == -1:
            return False
        position = found + len(part)
    return True


async def test_clock_plus_three_days_makes_the_three_daily_posts_once_in_order(session: Session) -> None:
    out = await session.run("clock +3d")
    assert session.console.errors == []
    assert ("moving the clock 3 days forward, to Thursday, 10 December 2026 08:00 Africa/Lagos (UTC+01:00) · "
            "07:00 UTC") in out
    headers = [f"#{CHANNEL} · nexus · daily note, due {day}, {n} December 2026 09:00 Africa/Lagos (UTC+01:00)"
               for day, n in (("Monday", 7), ("Tuesday", 8), ("Wednesday", 9))]
    assert _in_order(out, *headers, "3 scheduled posts made on the way")
    # Relative times count from the simulated now, as a member reading on Thursday would see them.
    assert _in_order(out, "3 days ago", "2 days ago", "1 day ago")
    notes = session.daily_notes()
    due = [START + timedelta(hours=1, days=d) for d in range(3)]
    assert [m.nonce for m in notes] == [nonce_for(PostKey(int(session.standin.guild.id), DailyAtNine.kind,
                                                          "daily-note", at)) for at in due]
    assert session.bot.clock.now() == START + timedelta(days=3)  # the bot's own clock moved

    out = await session.run("clock +30m")
    assert "nothing fell due on the way" in out
    assert len(session.daily_notes()) == 3  # each post exactly once

    out = await session.run("clock")
    assert "simulated now: Thursday, 10 December 2026 08:30 Africa/Lagos (UTC+01:00) · 07:30 UTC" in out
    assert "Africa/Lagos until the server has one (/nexus setup … timezone:…)" in out
    assert "ahead of real time" in out


async def test_a_wall_time_in_the_servers_zone_includes_a_post_due_at_that_moment(session: Session) -> None:
    await session.run("/nexus setup channel:#prodevprojectnexus timezone:Asia/Tokyo")
    out = await session.run("clock")
    assert "simulated now: Monday, 7 December 2026 16:00 Asia/Tokyo (UTC+09:00) · 07:00 UTC" in out
    assert "Asia/Tokyo is the server's time zone" in out
    out = await session.run("clock 2026-12-08T17:00")  # 17:00 in Tokyo is 08:00 UTC, 09:00 in Lagos
    assert session.console.errors == []
    assert "2 scheduled posts made on the way" in out
    assert [m.content.split(",")[0] for m in session.daily_notes()] == [
        f"Daily note for <t:{int((START + timedelta(hours=1, days=d)).timestamp())}:F>" for d in range(2)
    ]


async def test_moving_back_or_a_typo_is_one_line_and_moves_nothing(session: Session) -> None:
    await session.run("clock +2d")
    made = len(session.daily_notes())
    now = session.bot.clock.now()
    for line, says in (
        ("clock -1d", "✗ the clock only moves forward"),
        ("clock 2026-12-08T09:00", "✗ Tuesday, 8 December 2026 09:00 Africa/Lagos (UTC+01:00) · 08:00 UTC is not "
                                   "after the simulated now (Wednesday, 9 December 2026 08:00"),
        ("clock +3x", "✗ clock +… takes amounts like +3d, +2h, +90m, +1w or +1d12h; got '+3x'"),
        ("clock soon", "✗ clock takes +3d, +2h, +90m, +1w"),
    ):
        out = await session.run(line)
        assert out.startswith(says), out
        assert len(out.splitlines()) == 1
    assert session.bot.clock.now() == now
    assert len(session.daily_notes()) == made
    assert len(session.console.errors) == 4


async def test_help_and_tab_know_the_word(session: Session) -> None:
    out = await session.run("help")
    assert "clock [+3d | 2026-12-07T09:00]" in out
    completer = ConsoleCompleter(session.console)

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert complete("cl") == ["clock"]
    assert complete("clock +") == ["+1h", "+1d", "+3d", "+1w"]
    bare = SandboxConsole(session.standin, output=Console(file=io.StringIO()))
    await bare.execute("clock")
    assert bare.errors == ["this console has no bot clock to show or move (it runs without the Nexus bot)"]


async def run_script(tmp_path: Path, lines: str) -> str:
    """`python -m bot sandbox --script` on these lines, as a person runs it; its output (exit 0 asserted)."""
    script = tmp_path / "script.txt"
    script.write_text(lines, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "DATABASE_", "KNOWLEDGE_", "NEXUS_", "DEFAULT_TIMEZONE"))}
    env.update(PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="200")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--script", str(script), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    out = stdout.decode()
    assert process.returncode == 0, out + stderr.decode()
    return out


async def test_a_script_shows_and_moves_the_clock(tmp_path: Path) -> None:
    out = await run_script(tmp_path, "clock\nclock +1d\nclock\n")
    assert _in_order(out, "» clock", "simulated now:", "the same as real time · UTC until the server has one",
                     "» clock +1d", "moving the clock 1 day forward", "nothing fell due on the way",
                     "» clock", "1 day ahead of real time")


async def test_clock_plus_seven_days_replays_a_week_of_prompts_in_order(tmp_path: Path) -> None:
    """The sandbox's week in a minute: set up a cohort starting next Monday, move to it, then
    `clock +7d` makes that week's default prompts once each, in the order they fall due."""
    today = date.today()
    monday = today + timedelta(days=2)
    monday += timedelta(days=(7 - monday.weekday()) % 7)  # a Monday at least two days from now
    out = await run_script(
        tmp_path,
        f"/nexus setup channel:#prodevprojectnexus cohort_start:{monday.isoformat()} timezone:Africa/Lagos\n"
        f"clock {monday.isoformat()}T00:00\n"
        "clock +7d\n",
    )
    week = ["weekly prompt monday-goals, due Monday", "weekly prompt wednesday-check, due Wednesday",
            "weekly prompt friday-show-and-tell, due Friday"]
    # Week one's kickoff and reminder fall in the same week (the kickoff with monday-goals, first); its
    # roundup on day 8, after the deadline.
    week_one = ["week one kickoff, due Monday", "week one reminder, due Thursday"]
    assert _in_order(out, "» clock +7d", *week, "5 scheduled posts made on the way"), out
    assert _in_order(out, "» clock +7d", "week one kickoff, due Monday", "weekly prompt monday-goals, due Monday"), out
    assert _in_order(out, "» clock +7d", *week_one, "5 scheduled posts made on the way"), out
    for post in week + week_one:
        assert out.count(post) == 1, f"{post!r} shown {out.count(post)} times"
