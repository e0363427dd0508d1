"""The Nexus bot: a `commands.Bot` whose `setup_hook` builds the services, loads every cog and syncs
the slash commands. `run_bot` opens and checks the database before it logs in to Discord."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import pkgutil
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.ext import commands

import cogs
from bot import __version__
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.db.engines import open_database
from bot.endpoints import use_discord_endpoints
from bot.gateway import tolerate_unreadable_gateway_messages
from bot.heartbeat import HEARTBEAT_SECONDS, heartbeat_path, write_heartbeat
from bot.scheduling.pacing import counts_against_global_limit
from bot.scheduling.scheduler import Scheduler
from bot.services import Services

if TYPE_CHECKING:
    from bot.db.postgres import PostgresDatabase  # asyncpg: only when DATABASE_URL asks for it

log = logging.getLogger(__name__)


def nexus_intents() -> discord.Intents:
    """The least the bot needs: `guilds` gives it the server's channels, roles, threads and its own
    member, so it can check its permissions and post. `members` (privileged: Server Members Intent)
    lets the week-one reminder fetch the member list to name who has not announced; it is fetched
    in chunks only then, never at start-up, and not kept. Slash commands, buttons and modals arrive
    as interactions, which need no intent; no message content or presence is read."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.members = True
    return intents


# Member-supplied text is posted in embeds and messages: it must never ping everyone or a role.
SAFE_MENTIONS = discord.AllowedMentions(everyone=False, roles=False, users=True, replied_user=False)


def cog_modules() -> list[str]:
    """Every extension in `cogs/`, found by walking the package: a new cog needs no list edit.
    A module or package counts when it defines `setup`; private `_modules` are helpers."""
    names = []
    for module in pkgutil.walk_packages(cogs.__path__, f"{cogs.__name__}."):
        if any(part.startswith("_") for part in module.name.split(".")[1:]):
            continue
        if hasattr(importlib.import_module(module.name), "setup"):
            names.append(module.name)
    return sorted(names)


class NexusBot(commands.Bot):
    def __init__(
        self, settings: Settings, *, database: Database | PostgresDatabase | None = None,
        heartbeat_file: Path | None = None, clock: Clock | None = None, **options: Any,
    ) -> None:
        """`database`: already open (the bot closes it); else setup_hook opens the one the settings name.
        `heartbeat_file`: where to beat while connected; None (the sandbox, tests) writes none.
        `clock`: the one clock every service reads (tests and the sandbox move it)."""
        # Nexus never joins voice: the "voice will NOT be supported" warnings are noise in its log.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        tolerate_unreadable_gateway_messages()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=nexus_intents(),
            allowed_mentions=SAFE_MENTIONS,
            help_command=None,
            # Members are fetched only when the week-one reminder needs them, and not kept.
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            http_trace=self._rate_limit_trace(),
            **options,
        )
        self.settings = settings
        self.clock = clock or Clock()
        self.started_at = time.monotonic()
        self.version = __version__
        self._db: Database | PostgresDatabase | None = database
        self._heartbeat_file = heartbeat_file
        self._services: Services | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the services are built in setup_hook; they are not ready yet")
        return self._services

    @property
    def running_services(self) -> Services | None:
        """The services; None on a bot whose setup_hook has not built them (one that only loads the
        cogs to look at their commands), so a cog can do its start-up work with them or not."""
        return self._services

    @property
    def scheduler(self) -> Scheduler | None:
        """The running bot's scheduler (None as `running_services`), so a cog can register its delivery or not."""
        return self._services.scheduler if self._services is not None else None

    def _rate_limit_trace(self) -> aiohttp.TraceConfig:
        """discord.py waits out each 429 itself, five tries a request, and tells nobody: the only place
        a 429 can be seen is the HTTP session, through aiohttp's tracing. Every one slows the
        scheduler's fan-out (`Pacer.slow_down`), so a storm is waited out instead of spending tries.
        The same trace holds every other request at the pacer's gate before it starts."""
        trace = aiohttp.TraceConfig()

        async def on_request_end(_session: Any, _context: Any, params: aiohttp.TraceRequestEndParams) -> None:
            response = params.response
            if response.status != 429 or self._services is None:
                return
            try:
                retry_after = float(response.headers.get("Retry-After", "1"))
            except ValueError:
                retry_after = 1.0
            is_global = response.headers.get("X-RateLimit-Global", "").lower() == "true"
            self._services.scheduler.pacer.slow_down(retry_after, is_global=is_global)

        async def on_request_start(_session: Any, _context: Any, params: aiohttp.TraceRequestStartParams) -> None:
            # aiohttp awaits this before the request leaves: every request Discord counts against the
            # bot's limit passes the pacer's gate (the fan-out's own are let through by their turn).
            if self._services is not None and counts_against_global_limit(
                    params.url.path, params.headers.get("Authorization", "")):
                await self._services.scheduler.pacer.gate()

        trace.on_request_start.append(on_request_start)
        trace.on_request_end.append(on_request_end)
        return trace

    async def setup_hook(self) -> None:
        if self._db is None:
            self._db = await open_database(self.settings, only_nexus=True)
        self._services = await Services.start(self._db, self.settings, self.clock)
        for name in cog_modules():
            await self.load_extension(name)
        await self.sync_commands()
        await self._services.scheduler.start()  # after the cogs registered their delivery handlers
        if self._heartbeat_file is not None:
            self._heartbeat = asyncio.create_task(self._beat(self._heartbeat_file), name="nexus-heartbeat")

    async def sync_commands(self) -> None:
        guild_id = self.settings.discord.guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to server %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_ready(self) -> None:
        log.info("connected as %s to %d server(s)", self.user, len(self.guilds))

    def gateway_connected(self) -> bool:
        # `is_ready()` stays true while discord.py retries a lost connection; the socket tells the truth.
        return self.is_ready() and self.ws is not None and self.ws.open

    async def _beat(self, file: Path) -> None:
        """Touch `file` while the gateway is up, from the moment it first is: the health check reads its age."""
        await self.wait_until_ready()
        warned = False
        while not self.is_closed():
            if self.gateway_connected():
                try:
                    await asyncio.to_thread(write_heartbeat, file)
                except OSError as exc:  # the health check will say unhealthy; say once here why
                    if not warned:
                        log.warning("cannot write the heartbeat file %s: %s", file, exc.strerror or exc)
                        warned = True
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._heartbeat_file is not None:  # a stopped bot is unhealthy at once, not 90 s later
            with contextlib.suppress(OSError):
                self._heartbeat_file.unlink(missing_ok=True)
        try:
            await super().close()
        finally:
            if self._services is not None:
                await self._services.close()
            if self._db is not None:
                await self._db.close()
                self._db = None


class ShardedNexusBot(NexusBot, commands.AutoShardedBot):
    """Nexus holding some of Discord's shards (`SHARD_COUNT`, `SHARD_IDS`): discord.py's
    `AutoShardedBot` opens one gateway connection per shard, each IDENTIFYing in turn within Discord's
    `max_concurrency`; everything else is NexusBot's."""

    # Discord lets one IDENTIFY per max_concurrency bucket (shard_id % max_concurrency) in each
    # window of 5 s. (A test against a stand-in with a shorter window sets a shorter one.)
    identify_window_seconds = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_concurrency: int | None = None
        self._identified_at: dict[int, float] = {}

    def gateway_connected(self) -> bool:
        # An AutoShardedBot has no one `ws` (it stays None): each shard has a connection of its own,
        # and the process is connected while every one of them is open.
        return self.is_ready() and bool(self.shards) and not any(shard.is_closed() for shard in self.shards.values())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait only as Discord asks: discord.py waits 5 s before every IDENTIFY but the first,
        whatever the bucket, so a process of 4 shards takes 15 s to connect even where Discord's
        `max_concurrency` lets them all IDENTIFY at once. Here a shard waits only for the last
        IDENTIFY of its own bucket (shard_id % max_concurrency) in this process."""
        if self._max_concurrency is None:
            try:
                _, _, limits = await self.http.get_bot_gateway()  # GET /gateway/bot's session_start_limit
                self._max_concurrency = max(1, int(limits["max_concurrency"]))
            except (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, KeyError, TypeError,
                    ValueError):
                self._max_concurrency = 1  # as discord.py assumes: one at a time
        bucket = (shard_id or 0) % self._max_concurrency
        loop = asyncio.get_running_loop()
        last = self._identified_at.get(bucket)
        if last is not None:
            await asyncio.sleep(max(0.0, last + self.identify_window_seconds - loop.time()))
        self._identified_at[bucket] = loop.time()


def make_bot(settings: Settings, **options: Any) -> NexusBot:
    """One process holding every server (the default), or the shards the settings name."""
    plan = settings.shards
    if plan is None:
        return NexusBot(settings, **options)
    log.info("this process holds %s: it schedules only their servers, and gets DMs only with shard 0",
             plan.describe())
    return ShardedNexusBot(settings, shard_count=plan.count, shard_ids=list(plan.ids), **options)


async def run_bot(settings: Settings, token: str, **options: Any) -> None:
    """Run until Discord closes us or SIGINT/SIGTERM arrives; always close the database.

    The database is opened and checked first, so a bad DATABASE_PATH or DATABASE_URL is told even
    when Discord cannot be reached; the heartbeat lives beside it (see bot.heartbeat).
    """
    use_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    db = await open_database(settings, only_nexus=True)
    try:
        bot = make_bot(settings, database=db, heartbeat_file=heartbeat_path(settings.database.path), **options)
    except BaseException:
        await db.close()
        raise
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or not a Unix loop
            pass
    async with bot:
        runner = asyncio.create_task(bot.start(token), name="nexus-bot")
        stopper = asyncio.create_task(stop.wait(), name="nexus-signal")
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("shutting down on signal")
        stopper.cancel()
        await bot.close()
        if runner in done:
            runner.result()  # re-raise what stopped the bot (bad token, database error…)
        else:
            runner.cancel()
