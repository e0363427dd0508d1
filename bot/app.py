"""The Nexus bot: a `commands.Bot` whose `setup_hook` opens the database, builds the services,
loads every cog and syncs the slash commands."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import signal
import time
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot import __version__
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.endpoints import use_discord_endpoints
from bot.services import Services

log = logging.getLogger(__name__)

HEARTBEAT_FILE = Path("/tmp/nexus-heartbeat")
HEARTBEAT_SECONDS = 30


def nexus_intents() -> discord.Intents:
    """The least the bot needs: `guilds` gives it the server's channels, roles, threads and its own
    member, so it can check its permissions and post. Slash commands, buttons and modals arrive as
    interactions, which need no intent; no message content, presence or member list is read."""
    intents = discord.Intents.none()
    intents.guilds = True
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
    def __init__(self, settings: Settings, *, clock: Clock | None = None, **options: Any) -> None:
        # Nexus never joins voice: the "voice will NOT be supported" warnings are noise in its log.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=nexus_intents(),
            allowed_mentions=SAFE_MENTIONS,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.clock = clock or Clock()  # the one clock every service reads; tests and the sandbox move it
        self.started_at = time.monotonic()
        self.version = __version__
        self._db: Database | None = None
        self._services: Services | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is opened in setup_hook; it is not open yet")
        return self._db

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the services are built in setup_hook; they are not ready yet")
        return self._services

    async def setup_hook(self) -> None:
        self._db = await Database.open(self.settings.database.path)
        self._services = await Services.start(self._db, self.settings, self.clock)
        for name in cog_modules():
            await self.load_extension(name)
        await self.sync_commands()
        self._heartbeat = asyncio.create_task(self._beat(), name="nexus-heartbeat")

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

    async def _beat(self) -> None:
        """Touch a file while the gateway is up: the Docker HEALTHCHECK reads its age."""
        while not self.is_closed():
            if self.gateway_connected():
                try:
                    await asyncio.to_thread(HEARTBEAT_FILE.write_text, str(time.time()))
                except OSError:  # a read-only /tmp must not take the bot down
                    log.debug("cannot write heartbeat file", exc_info=True)
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        try:
            await super().close()
        finally:
            if self._services is not None:
                await self._services.close()
            if self._db is not None:
                await self._db.close()
                self._db = None


async def run_bot(settings: Settings, token: str, **options: Any) -> None:
    """Run until Discord closes us or SIGINT/SIGTERM arrives; always close the database."""
    use_discord_endpoints(settings.discord.api_base_url, settings.discord.gateway_url)
    bot = NexusBot(settings, **options)
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
