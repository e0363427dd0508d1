"""The sandbox as a rehearsal, against the real Nexus bot on the stand-in: `--db` keeps the whole of
it (the clock, the channels, threads, messages and DMs), and downtime can be rehearsed."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from console_session import ConsoleSession
from rich.console import Console

from bot.clock import FrozenClock
from bot.config import load_settings
from sandbox.console import SandboxConsole
from sandbox.run import BotTimeline, sandbox_settings, start_bot_against
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SITE = ROOT / "tests" / "e2e" / "process_site"


async def sandbox_script(tmp_path: Path, lines: str, *args: str) -> str:
    """`python -m bot sandbox --script` on these lines, as a person runs it; its output (exit 0 asserted)."""
    script = tmp_path / "script.txt"
    script.write_text(lines, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "DATABASE_", "KNOWLEDGE_", "NEXUS_", "DEFAULT_TIMEZONE"))}
    env.update(PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="200")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--script", str(script), *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    out = stdout.decode()
    assert process.returncode == 0, out + stderr.decode()
    return out


def next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


async def test_the_same_db_resumes_the_clock_the_channels_and_the_dms(tmp_path: Path) -> None:
    monday = next_monday()
    db = tmp_path / "rehearsal.db"
    first = await sandbox_script(tmp_path, (
        f"/nexus setup channel:#prodevprojectnexus backend_role:@Backend frontend_role:@Frontend "
        f"cohort_start:{monday.isoformat()} timezone:Africa/Lagos\n"
        f"clock {monday.isoformat()}T10:00\n"
        "as ada\n"
        '/pair profile timezone:Africa/Lagos availability:"Mon 18-21"\n'
        "as ben\n"
        '/pair profile timezone:Europe/London availability:"Mon 17-20"\n'
        "as ada\n"
        "/pair request member:ben\n"
    ), "--db", str(db))
    assert "week one kickoff, due Monday" in first
    kept = db.with_name("rehearsal.db.rehearsal.json")
    assert kept.exists()
    assert json.loads(kept.read_text(encoding="utf-8"))["clock"].startswith(f"{monday.isoformat()}T09:00")

    second = await sandbox_script(tmp_path, (
        "clock\n"
        "/nexus status\n"
        "channel\n"
        "as ben\n"
        "dms\n"
        "press Accept\n"
        "threads\n"
    ), "--db", str(db))
    # The clock resumes where the rehearsal stood (10:00 in Lagos on the cohort's first day), not real time.
    assert f"simulated now: Monday, {monday.day} {monday:%B %Y} 10:00 Africa/Lagos" in second, second
    status = second[second.index("» /nexus status"):second.index("» channel")]
    # Made on the first run: not listed as upcoming (it was, when the clock jumped back to real time).
    assert "kickoff" not in status.lower(), status
    # The channel still holds the kickoff, and ben's DM the request, whose button still works.
    listing = second[second.index("» channel"):second.index("» as ben")]
    assert "Week one starts today" in listing, listing
    assert "DMs to ben · 1 message" in second
    assert "✅ You accepted @ada's request: you're paired." in second
    assert "Pair · ada & ben" in second


@pytest.fixture
async def rehearsal(tmp_path: Path) -> AsyncIterator[ConsoleSession]:
    """The console as the sandbox wires it, its timeline able to restart the bot; the server set up
    with a cohort starting Tuesday 1 December 2026, the clock on the Monday before at noon UTC."""
    async with StandIn() as standin:
        settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp_path / "nexus.db")
        clock = FrozenClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
        bot, task = await start_bot_against(standin, settings, clock=clock)
        timeline = BotTimeline(bot, int(standin.guild.id), task=task, standin=standin, settings=settings)
        try:
            buffer = io.StringIO()
            console = SandboxConsole(standin, output=Console(file=buffer, width=200), member="mentor",
                                     timeline=timeline)
            session = ConsoleSession(standin, console, buffer, timeline)
            assert "Nexus is set up" in await session.run(
                "/nexus setup channel:#prodevprojectnexus cohort_start:2026-12-01 timezone:Africa/Lagos")
            yield session
        finally:
            await timeline.stop()


async def test_downtime_stops_the_bot_and_its_start_catches_up_within_grace_and_skips_the_rest(
    rehearsal: ConsoleSession,
) -> None:
    first_bot = rehearsal.bot.bot
    # Tuesday 1 December: the kickoff at 09:00 (Lagos), monday-goals was the day before. Down until
    # 12:00 on the Tuesday: the kickoff (3 h late) is within the 6 h grace; nothing else fell due.
    out = await rehearsal.run("downtime 2026-12-01T12:00")
    assert rehearsal.console.errors == [], out
    assert rehearsal.bot.bot is not first_bot and first_bot.is_closed()  # it really stopped and started again
    assert "the bot stops; 23 hours pass while it is down" in out
    assert ("week one kickoff, due Tuesday, 1 December 2026 09:00 Africa/Lagos (UTC+01:00) · 08:00 UTC, caught up "
            "late on start") in out
    assert "1 scheduled post caught up on start (due within the 6 h grace window)" in out
    kickoff = [m for m in rehearsal.standin.messages("prodevprojectnexus") if "Week one starts" in m.text]
    assert len(kickoff) == 1
    # Down for four days: the reminder (day 4, Friday 4 December 09:00) is 27 h old when the bot is
    # back, past the grace window: skipped, never posted, and said so.
    out = await rehearsal.run("downtime 4d")
    assert rehearsal.console.errors == [], out
    assert "skipped: due more than 6 h before the bot came back (/nexus status lists them):" in out
    assert "  week one reminder, due Friday, 4 December 2026 09:00 Africa/Lagos" in out
    assert not [m for m in rehearsal.standin.messages("prodevprojectnexus") if "Not announced yet" in m.text]
    out = await rehearsal.run("help")
    assert "downtime 2d | 6h | 2026-12-07T09:00" in out
    assert (await rehearsal.run("downtime soon")).startswith("✗ ")


async def test_an_unreadable_rehearsal_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.with_name("broken.db.rehearsal.json").write_text("{not json", encoding="utf-8")
    script = tmp_path / "script.txt"
    script.write_text("clock\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "NEXUS_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--script", str(script), "--db", str(db), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 2
    said = stderr.decode().strip().splitlines()
    assert len(said) == 1 and said[0].startswith("--db: cannot resume the rehearsal kept in"), said
