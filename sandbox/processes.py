"""`python -m bot sandbox --processes 2`: Nexus as two processes beside each other, as it runs beyond
one machine (README, "Running beyond one machine").

The stand-in shards as Discord does, with two shards; it serves the demo server (shard 0) and a
second demo server (shard 1). Process 1 holds shard 0, so it also gets every DM and every button
pressed in one; process 2 holds shard 1. They are two sharded bots in this one OS process, each with
its own connection pool to one database, as two processes on two machines would be.

The database is PostgreSQL, a throwaway one made in the sandbox's temporary folder (pgserver's
binaries, as the tests use): a SQLite file cannot be shared. It is one process's by design (the lock
beside it refuses a second bot), and what one process changes never reaches the other's caches,
which PostgreSQL's NOTIFY carries (a pair formed from a DM by process 1 is then known to process 2,
which prepared the server's learners before).

Both bots read one simulated clock; `clock +7d` moves it through the due times of both schedulers,
in order, and at each one both tick: each makes its own servers' posts.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from discord.utils import time_snowflake

from bot.app import NexusBot
from bot.clock import Clock
from bot.config import DatabaseSettings, Secret, Settings
from bot.scheduling.scheduler import TickReport
from bot.shards import ShardPlan
from sandbox.console import Move, ServerZone
from sandbox.standin import MessageRecord, StandIn, ThreadRecord

SHARDS = 2


class SandboxUnavailable(Exception):
    """What the two-process sandbox needs is missing: told in one line (exit 2)."""


@dataclass
class Postgres:
    url: str
    server: Any  # pgserver's PostgresServer

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.server.cleanup()


def start_postgres(folder: Path) -> Postgres:
    """A throwaway PostgreSQL in `folder` (blocking: a second or two), on a Unix socket."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver's platformdirs warns of an unset XDG_RUNTIME_DIR
        try:
            import pgserver
        except ModuleNotFoundError:
            raise SandboxUnavailable(
                "--processes 2 runs both processes on one throwaway PostgreSQL, made with the pgserver package, "
                "which this installation lacks: run it from a checkout with `make run` (it installs the dev "
                "dependencies)") from None
        try:
            server = pgserver.get_server(folder, cleanup_mode="delete")
        except Exception as exc:  # one line, never a traceback
            raise SandboxUnavailable(f"--processes 2: could not start the throwaway PostgreSQL in {folder} "
                                     f"({type(exc).__name__}: {exc})") from None
    return Postgres(server.get_uri(), server)


@dataclass
class SandboxProcess:
    """One of the sandbox's bot processes: its number (1, 2), its shard and its running bot."""

    number: int
    shard: int
    settings: Settings
    bot: NexusBot
    task: asyncio.Task[None]

    @property
    def label(self) -> str:
        return f"process {self.number} · shard {self.shard}"

    @property
    def client(self) -> str:
        """What its HTTP requests add to their User-Agent: how the stand-in's records tell whose they are."""
        return client_tag(self.number)


def client_tag(number: int) -> str:
    return f"nexus-sandbox-process/{number}"


def process_settings(settings: Settings, standin: StandIn, database_url: str, folder: Path, shard: int) -> Settings:
    """Process `shard + 1`'s settings: shard `shard` of 2, the shared database, commands synced
    globally (a bot in several servers syncs them so; the one-process sandbox syncs to its server)."""
    from sandbox.run import sandbox_settings

    unused = folder / "unused.db"  # PostgreSQL holds the data; the path is only where a heartbeat would be
    base = sandbox_settings(settings, standin, unused)
    return replace(base, database=DatabaseSettings(path=unused, url=Secret(database_url)),
                   discord=replace(base.discord, guild_id=None), shards=ShardPlan(SHARDS, (shard,)))


async def start_processes(standin: StandIn, settings: Settings, database_url: str, folder: Path,
                          clock: Clock) -> list[SandboxProcess]:
    """Process 1 (shard 0), then process 2 (shard 1): the first migrates the database."""
    from sandbox.run import start_bot_against, stop_bot

    processes: list[SandboxProcess] = []
    try:
        for shard in range(SHARDS):
            own = process_settings(settings, standin, database_url, folder, shard)
            bot, task = await start_bot_against(standin, own, clock=clock, client=client_tag(shard + 1))
            processes.append(SandboxProcess(shard + 1, shard, own, bot, task))
    except BaseException:
        for process in reversed(processes):
            await stop_bot(process.bot, process.task)
        raise
    return processes


def describe(processes: list[SandboxProcess], standin: StandIn) -> str:
    """The one line said at start: which process holds which shard, and so which server."""
    parts = []
    for process in processes:
        plan = process.settings.shards
        servers = [g.name for g in standin.guilds if plan is not None and plan.owns(g.id)]
        dms = " and every DM" if plan is not None and plan.receives_dms else ""
        parts.append(f"process {process.number} holds shard {process.shard} of {SHARDS} "
                     f"({', '.join(servers) or 'no server'}{dms})")
    return f"Two Nexus processes, one database, one clock: {'; '.join(parts)}."


class ProcessesTimeline:
    """The console's view of the two processes' time: one clock both read, and both schedulers."""

    def __init__(self, processes: list[SandboxProcess], clock: Clock, standin: StandIn) -> None:
        self.processes = processes
        self._clock = clock
        self._standin = standin

    @property
    def grace(self) -> timedelta:
        return self.processes[0].settings.schedule_grace

    def now(self) -> datetime:
        return self._clock.now()

    def real_now(self) -> datetime:
        return datetime.now(UTC)

    def process_of(self, record: MessageRecord | ThreadRecord, interaction: int | None = None) -> str | None:
        """`process 2 · shard 1` for what process 2 made, or for the answer to an interaction it got.

        An interaction's answer, follow-ups and the message a button updated are sent through
        discord.py's webhook adapter, whose requests carry aiohttp's User-Agent, not the bot's: they
        are told by the shard that got the interaction (a DM's: shard 0). What the bot made through
        its HTTP client (posts, DMs, threads) carries the bot's User-Agent, with its process's tag."""
        interaction = interaction if interaction is not None else getattr(record, "interaction_id", None)
        if interaction is not None:
            shards = self._standin.shards_reached("INTERACTION_CREATE", int(interaction))
            found = next((p.label for p in self.processes if p.shard in shards), None)
            if found is not None:
                return found
        client = record.client or ""
        return next((p.label for p in self.processes if client.endswith(p.client)), None)

    def _owner(self, guild_id: int) -> SandboxProcess:
        return next((p for p in self.processes if p.settings.shards is not None and p.settings.shards.owns(guild_id)),
                    self.processes[0])

    async def zone(self, guild_id: int | None = None) -> ServerZone:
        guild_id = guild_id if guild_id is not None else self._standin.guild.id
        setup = self._owner(guild_id).bot.services.guild_setup
        config = await setup.get(guild_id)
        if config is None:
            return ServerZone(setup.default_timezone, configured=False)
        return ServerZone(config.timezone, configured=True)

    def _mark(self, marks: list[tuple[int, datetime]]) -> None:
        marks.append((time_snowflake(datetime.now(UTC)), self._clock.now()))

    async def _tick_all(self) -> list[TickReport]:
        return list(await asyncio.gather(*(p.bot.services.scheduler.tick() for p in self.processes)))

    async def advance_to(self, moment: datetime) -> Move:
        """As `Scheduler.advance_to`, over both schedulers: the clock stops at each due time either
        has, in order, and both tick there (each makes its own servers' posts)."""
        from sandbox.run import moved

        marks: list[tuple[int, datetime]] = []
        self._mark(marks)
        reports: list[TickReport] = []
        previous: datetime | None = None
        while True:
            steps = [step for p in self.processes if (step := await p.bot.services.scheduler.next_step()) is not None]
            step = min(steps, default=None)
            if step is None or step > moment or step == previous:
                break
            previous = step
            if step > self._clock.now():
                self._clock.set(step)
            reports += await self._tick_all()
            self._mark(marks)
        if moment > self._clock.now():
            self._clock.set(moment)
        reports += await self._tick_all()
        self._mark(marks)
        return moved(reports, marks)

    async def downtime(self, span: timedelta) -> Move | None:
        """Both processes stop, the clock moves `span`, both start again and catch up."""
        from sandbox.run import moved, start_bot_against, stop_bot

        for process in reversed(self.processes):
            await stop_bot(process.bot, process.task)
        self._clock.advance(span)
        marks: list[tuple[int, datetime]] = []
        self._mark(marks)
        for process in self.processes:
            process.bot, process.task = await start_bot_against(self._standin, process.settings, clock=self._clock,
                                                                client=process.client)
        reports = [report for p in self.processes if (report := await p.bot.services.scheduler.caught_up()) is not None]
        self._mark(marks)
        return moved(reports, marks)

    async def stop(self) -> None:
        from sandbox.run import stop_bot

        for process in reversed(self.processes):
            await stop_bot(process.bot, process.task)
