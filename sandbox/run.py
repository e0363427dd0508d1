"""The sandbox: the local Discord stand-in, the real bot connected to it, and a console for a person."""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from discord.utils import time_snowflake
from rich.console import Console

from bot.app import NexusBot, make_bot
from bot.clock import Clock
from bot.config import DatabaseSettings, DiscordSettings, Secret, Settings
from bot.endpoints import reset_discord_endpoints, use_discord_endpoints
from bot.logs import configure_logging
from bot.posting import nonce_for
from bot.scheduling import DuePost
from bot.scheduling.scheduler import TickReport
from sandbox.console import MadePost, Move, SandboxConsole, ServerZone
from sandbox.processes import SHARDS, ProcessesTimeline, describe, start_postgres, start_processes
from sandbox.rehearsal import Rehearsal
from sandbox.standin import ShardingRules, StandIn
from sandbox.standin.demo import build_second_demo_guild

log = logging.getLogger(__name__)
READY_TIMEOUT = 30.0


def sandbox_settings(settings: Settings, standin: StandIn, db_path: Path) -> Settings:
    """The same settings, pointed at the stand-in, with commands synced to its demo server."""
    return replace(
        settings,
        discord=DiscordSettings(
            token=Secret(standin.token),
            guild_id=standin.guild.id,
            api_base_url=standin.api_base_url,
            gateway_url=standin.gateway_url,
        ),
        database=DatabaseSettings(path=db_path),
    )


async def start_bot_against(
    standin: StandIn, settings: Settings, *, clock: Clock | None = None, client: str | None = None
) -> tuple[NexusBot, asyncio.Task[None]]:
    """Start the real bot against a running stand-in and wait until its commands are synced.
    `clock` becomes the bot's one clock (`bot.clock`; by default real time, which `clock +3d` moves).
    `client`: added to its requests' User-Agent, so the stand-in's records tell which bot made what."""
    use_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    bot = make_bot(settings, clock=clock, guild_ready_timeout=0.05)
    if client is not None:
        bot.http.user_agent = f"{bot.http.user_agent} {client}"
    task = asyncio.create_task(bot.start(standin.token), name="nexus-bot")
    waiter = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, waiter}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if task in done:  # the bot stopped before it was ready: surface why
        waiter.cancel()
        task.result()
        raise RuntimeError("the bot stopped before it was ready")
    if waiter not in done:
        waiter.cancel()
        await bot.close()
        raise TimeoutError("the bot did not connect to the stand-in in time")
    await standin.wait_for_commands(timeout=READY_TIMEOUT)
    return bot, task


class BotTimeline:
    """The console's view of the running bot's time: its own clock (`bot.clock`, the one every
    service reads) and its scheduler, which moves that clock through every due time on the way.
    Given the stand-in and the settings, it can also take the bot down for a while (`downtime`)."""

    def __init__(
        self,
        bot: NexusBot,
        guild_id: int,
        *,
        task: asyncio.Task[None] | None = None,
        standin: StandIn | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._bot = bot
        self._guild_id = guild_id
        self._task = task
        self._standin = standin
        self._settings = settings

    @property
    def bot(self) -> NexusBot:
        """The bot running now (another one after each `downtime`)."""
        return self._bot

    @property
    def grace(self) -> timedelta:
        return self._bot.settings.schedule_grace

    async def stop(self) -> None:
        if self._task is not None:
            await stop_bot(self._bot, self._task)

    async def downtime(self, span: timedelta) -> Move | None:
        """Stop the bot, move its clock `span` while it is down, start it again on the same database
        and stand-in, and say what its start caught up (due within the grace window: made late) and
        what it skipped. None when this timeline cannot restart the bot."""
        if self._task is None or self._standin is None or self._settings is None:
            return None
        clock = self._bot.clock
        await stop_bot(self._bot, self._task)
        clock.advance(span)
        marks = [(time_snowflake(datetime.now(UTC)), clock.now())]
        self._bot, self._task = await start_bot_against(self._standin, self._settings, clock=clock)
        report = await self._bot.services.scheduler.caught_up()
        marks.append((time_snowflake(datetime.now(UTC)), clock.now()))
        return moved([report] if report is not None else [], marks)

    def now(self) -> datetime:
        return self._bot.clock.now()

    def real_now(self) -> datetime:
        return datetime.now(UTC)

    async def zone(self, guild_id: int | None = None) -> ServerZone:
        setup = self._bot.services.guild_setup
        config = await setup.get(guild_id if guild_id is not None else self._guild_id)
        if config is None:
            return ServerZone(setup.default_timezone, configured=False)
        return ServerZone(config.timezone, configured=True)

    async def advance_to(self, moment: datetime) -> Move:
        scheduler = self._bot.services.scheduler
        clock = self._bot.clock
        # When each tick ended, as a snowflake and the simulated now it ticked at: what a tick
        # posted has ids after the tick before it, and a post due at D is made by the first tick at D
        # or later (an alarm's tick may run among them; it counts the same).
        marks = [(time_snowflake(datetime.now(UTC)), clock.now())]

        async def mark() -> None:
            marks.append((time_snowflake(datetime.now(UTC)), clock.now()))

        scheduler.after_tick(mark)
        try:
            reports = await scheduler.advance_to(moment)
        finally:
            scheduler.remove_after_tick(mark)
        return moved(reports, marks)


def moved(reports: list[TickReport], marks: list[tuple[int, datetime]] | None = None) -> Move:
    """What the ticks' reports say was made, skipped, failed or held; `marks`: (a snowflake, the
    simulated now) at the start and after each tick, to place each post among the messages."""

    def made(post: DuePost) -> MadePost:
        after = 0
        for (before, _), (_, ticked_at) in itertools.pairwise(marks or []):
            if ticked_at >= post.due_at:
                after = before
                break
        return MadePost(post.due_at, post.label, nonce_for(post.key), after)

    move = Move()
    for report in reports:
        move.posted += map(made, report.posted)
        move.failed += map(made, report.failed)
        move.skipped += map(made, report.skipped)
        move.left_out += map(made, report.left_out)
        move.waiting += (post for post in map(made, report.in_progress) if post not in move.waiting)
    return move


async def stop_bot(bot: NexusBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    try:
        await asyncio.wait_for(task, timeout=10)
    except (asyncio.CancelledError, TimeoutError):
        task.cancel()
    reset_discord_endpoints()


async def run_sandbox(settings: Settings, *, script: Path | None, db_path: Path | None, processes: int = 1) -> int:
    """`processes` 2: two bot processes on two shards (sandbox/processes.py); else the one bot."""
    output = Console(highlight=False)
    with tempfile.TemporaryDirectory(prefix="nexus-sandbox-") as tmp:
        database = db_path or Path(tmp) / "sandbox.db"
        if script is None:
            log_file = Path(tmp) / "sandbox.log" if db_path is None else database.with_suffix(".log")
            configure_logging(settings.log_level, file=log_file)
        else:
            configure_logging("WARNING")
        if processes == 2:
            return await run_two_processes(settings, script=script, output=output, folder=Path(tmp),
                                           log_file=log_file if script is None else None)
        # With --db the whole rehearsal is kept: the stand-in's Discord and the clock beside the database.
        rehearsal = Rehearsal.beside(database) if db_path is not None else None
        async with StandIn() as standin:
            clock = Clock()
            try:
                resumed = rehearsal.restore(standin, clock) if rehearsal is not None else None
            except (OSError, ValueError, KeyError, TypeError) as exc:  # one line, never a traceback
                print(f"--db: cannot resume the rehearsal kept in {rehearsal.path if rehearsal else '?'} "
                      f"({type(exc).__name__}: {exc}); move it away to start the stand-in afresh", file=sys.stderr)
                return 2
            run_settings = sandbox_settings(settings, standin, database)
            bot, task = await start_bot_against(standin, run_settings, clock=clock)
            timeline = BotTimeline(bot, standin.guild.id, task=task, standin=standin, settings=run_settings)

            def keep() -> None:
                if rehearsal is not None:
                    rehearsal.save(standin, clock)

            try:
                console = SandboxConsole(standin, output=output, member="mentor", timeline=timeline, after_line=keep)
                if resumed is not None:
                    console._note(f"resumed the rehearsal kept in {rehearsal.path if rehearsal else ''}: the clock "
                                  f"stands at {resumed.isoformat(timespec='minutes')} (UTC), the channels, threads "
                                  "and DMs as they were")
                if script is not None:
                    await console.run_script(script)
                    return 1 if console.errors else 0
                output.print(
                    f"[bold]Nexus sandbox[/bold]: the real bot on a local stand-in of Discord, server "
                    f"[cyan]{standin.guild.name}[/cyan]. You are [green]mentor[/green] (Manage Server). "
                    "Type [bold]help[/bold] for what you can do; Ctrl-C stops a running command, "
                    "[bold]quit[/bold] or Ctrl-D leaves."
                )
                if db_path is None:
                    output.print(f"[dim]Bot log: {log_file} (deleted on exit; use --db to keep data and log)[/dim]")
                await console.run_interactive()
                return 0
            finally:
                keep()
                await timeline.stop()


async def run_two_processes(
    settings: Settings, *, script: Path | None, output: Console, folder: Path, log_file: Path | None
) -> int:
    """`--processes 2`: the stand-in with two shards and two demo servers, a bot process on each
    shard, one PostgreSQL and one clock for both (see sandbox/processes.py)."""
    postgres = await asyncio.to_thread(start_postgres, folder / "postgres")
    try:
        second = build_second_demo_guild()
        async with StandIn(more_guilds=[second], sharding=ShardingRules(recommended_shards=SHARDS,
                                                                        max_concurrency=SHARDS)) as standin:
            clock = Clock()
            processes = await start_processes(standin, settings, postgres.url, folder, clock)
            timeline = ProcessesTimeline(processes, clock, standin)
            try:
                console = SandboxConsole(standin, output=output, member="mentor", timeline=timeline,
                                         servers=[standin.guild, second], process_of=timeline.process_of)
                output.print(describe(processes, standin), highlight=False, soft_wrap=True)
                if script is not None:
                    await console.run_script(script)
                    return 1 if console.errors else 0
                output.print(
                    f"[bold]Nexus sandbox[/bold], two processes: servers [cyan]{standin.guild.name}[/cyan] (shard 0) "
                    f"and [cyan]{second.name}[/cyan] (shard 1). You are [green]mentor[/green] (Manage Server) in "
                    "the first; [bold]server 2[/bold] acts in the second. Type [bold]help[/bold] for what you can "
                    "do; [bold]quit[/bold] or Ctrl-D leaves."
                )
                if log_file is not None:
                    output.print(f"[dim]Bot log: {log_file} (deleted on exit)[/dim]")
                await console.run_interactive()
                return 0
            finally:
                await timeline.stop()
    finally:
        await asyncio.to_thread(postgres.stop)
