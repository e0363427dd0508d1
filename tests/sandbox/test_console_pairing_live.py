"""Pairing as a new user meets it in the console, against the real Nexus bot on the stand-in: a
request answered from `dms`, the pair's private thread found by `threads` and read by `channel`,
the expiry and the automatic round made by `clock`. What each test checks is what a person reads."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from console_session import ConsoleSession
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from rich.console import Console

from bot.clock import FrozenClock
from bot.config import load_settings
from sandbox.console import SandboxConsole
from sandbox.console._complete import ConsoleCompleter
from sandbox.run import BotTimeline, sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

# Monday 30 November 2026, 13:00 in Lagos; the cohort starts the next day, so day 8 is Tuesday 8 December.
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SETUP = ("/nexus setup channel:#prodevprojectnexus backend_role:@Backend frontend_role:@Frontend "
         "cohort_start:2026-12-01 timezone:Africa/Lagos")
THREAD = "Pair · ada & ben"


Session = ConsoleSession


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[Session]:
    """The real bot on a clock standing at START, the server set up, the console 80 columns wide
    (a plain terminal) and wired as the sandbox wires it."""
    async with StandIn() as standin:
        settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp_path / "nexus.db")
        bot, task = await start_bot_against(standin, settings, clock=FrozenClock(START))
        try:
            buffer = io.StringIO()
            console = SandboxConsole(standin, output=Console(file=buffer, width=80), member="mentor",
                                     timeline=BotTimeline(bot, int(standin.guild.id)))
            found = Session(standin, console, buffer)
            assert "Nexus is set up" in await found.run(SETUP)
            yield found
        finally:
            await stop_bot(bot, task)


async def paired(session: Session) -> str:
    """ada asks ben from /pair find; ben accepts from his DMs. Everything read on the way."""
    out = await session.lines(
        "as ada", '/pair profile timezone:Africa/Lagos availability:"Mon 18-21, Sat 10-14"',
        "as ben", '/pair profile timezone:Europe/London availability:"Mon 17-20"',
        "as ada", "/pair find", "press 1",
        "as ben", "dms", "press Accept",
    )
    assert session.console.errors == []
    return out


async def test_ben_accepts_from_his_dms_and_only_ben_can(session: Session) -> None:
    out = await session.lines(
        "as ada", '/pair profile timezone:Africa/Lagos availability:"Mon 18-21"',
        "as ben", '/pair profile timezone:Europe/London availability:"Mon 17-20"',
        "as ada", "/pair request member:ben", "dms ben",
    )
    assert "DMs to ben · 1 message" in out and "[1] ✅ Accept  [2] Decline" in out
    # `dms ben` shows anyone here ben's DMs; Discord shows them to ben alone, and so does `press`.
    out = await session.run("press Accept")
    assert out == "✗ that message is in ben's DMs, which only ben sees; `as ben` to use its buttons"
    assert session.standin.threads == []
    out = await session.lines("as ben", "press Accept")
    assert "✅ You accepted @ada's request: you're paired." in out
    assert f"private thread opened in #prodevprojectnexus: “{THREAD}” (members: nexus, ada, ben)" in out
    assert "DM to ada · nexus" in out and "@ben accepted your pairing request" in out


async def test_threads_lists_the_pair_thread_on_one_line_and_channel_finds_it_as_typed(session: Session) -> None:
    await paired(session)
    out = await session.run("threads")
    assert f"  “{THREAD}” · private thread in #prodevprojectnexus · 1 message · members: nexus, ada, ben" in out
    assert f'channel "{THREAD}" shows a thread\'s messages' in out
    # The `·` and `&` of the bot's thread names need not be typed.
    for typed in (f'"{THREAD}"', "pair ada ben", "ada & ben"):
        out = await session.run(f"channel {typed}")
        assert out.startswith(f"#{THREAD} · 1 message"), out
        assert "👋 @ada (backend) and @ben (frontend): this is your private thread." in out
    assert session.console.errors == []
    completer = ConsoleCompleter(session.console)
    for typed in ("channel Pair · a", 'channel "pair', "in pair"):
        assert [c.text for c in completer.get_completions(Document(typed), CompleteEvent())] == [f'"{THREAD}"']
    assert await session.run("in pair ada ben") == f"commands now typed in #{THREAD}"
    assert session.console.channel == THREAD


async def test_leaving_tells_the_partner_with_their_reason_on_its_own_line(session: Session) -> None:
    await paired(session)
    out = await session.lines("as ada", '/pair leave reason:"moving to the poll track"')
    assert "DM to ben · nexus" in out
    assert "\n  Their reason: moving to the poll track\n" in out + "\n"
    assert "poll track You can" not in out


async def test_an_expired_request_changes_its_dm_marked_edited_once_and_tells_the_sender(session: Session) -> None:
    await session.lines("as ada", "/pair request member:ben")
    out = await session.run("clock +4d")
    assert ("DM to ben · nexus · edited · pings nobody (an edit notifies no one)\n"
            "  ⌛ The pairing request from @ada expired before you answered it") in out
    assert "(edited)" not in out
    assert "⌛ Your pairing request to @ben expired without an answer." in out
    out = await session.lines("as ben", "dms")
    assert "DMs to ben · 1 message" in out and "[1] ✅ Accept" not in out


async def test_clock_past_day_eight_runs_the_automatic_round_and_names_it(session: Session) -> None:
    await session.lines("as ada", "/pair queue join", "as ben", "/pair queue join", "as esi", "/pair queue join",
                        "as mentor")
    out = await session.run("/pair round dry_run:true")
    assert "Dry run: 1 pair" in out and session.standin.threads == []
    out = await session.run("clock 2026-12-08T10:01")
    assert session.console.errors == []
    assert "private thread opened in #prodevprojectnexus: “Pair · " in out
    assert "🤝 Pairing round: 1 new pair" in out
    assert "This pairing round found no partner for you" in out  # esi, told why
    # The round's messages carry nonces of their own; the post itself is still named, in its place:
    # before what it posted (its thread, the announcement, esi's "no partner" DM), as it happened.
    ran = ("automatic pairing round, due Tuesday, 8 December 2026 10:00 Africa/Lagos (UTC+01:00) · 09:00 UTC: "
           "ran; what it posted follows")
    assert ran in out
    for made in ("private thread opened in #prodevprojectnexus: “Pair · ", "🤝 Pairing round: 1 new pair",
                 "This pairing round found no partner for you"):
        assert out.index(ran) < out.index(made), out
    assert out.index(ran) > out.index("week one kickoff")  # due on Tuesday 1 December, a week before


async def test_two_requests_in_dms_are_numbered_and_either_can_be_answered(session: Session) -> None:
    await session.lines('as ada', '/pair request member:ben note:"from ada"',
                        'as chioma', '/pair request member:ben note:"from chioma"', "as ben")
    out = await session.run("dms")
    assert "nexus · [on 1]" in out and "nexus · [on 2]" in out
    assert out.index("from ada") < out.index("[on 2]") < out.index("from chioma")
    assert "2 of these have buttons: press acts on the last; `press Accept on 1` on the first" in out
    # The earlier request, ada's, not the last one shown.
    out = await session.run("press Accept on 1")
    assert "✅ You accepted @ada's request: you're paired." in out
    assert "Your pairing request to @ben was closed: they paired with someone else." in out  # chioma, told
    assert await session.run("press Accept on 3") == "✗ no message 3; the listing numbered 1 to 2"
    # A message with buttons shown since (chioma's /pair find) ends the listing's numbers.
    assert "[1] 🤝 Request 1" in await session.lines("as diego", "/pair profile timezone:Africa/Lagos",
                                                    "as chioma", "/pair find")
    assert (await session.run("press 1 on 1")).startswith("✗ `on N` picks one of the messages a `dms` or "
                                                         "`channel` listing numbered")
