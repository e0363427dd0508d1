"""The domain services one running bot uses, built once in `setup_hook` and handed to the cogs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.db import Database
from bot.db.guild_config import GuildConfigRepository
from bot.guild_setup import GuildSetupService


@dataclass
class Services:
    db: Database
    guild_setup: GuildSetupService

    @classmethod
    async def start(cls, db: Database, settings: Settings) -> Services:
        """Build every service and do its start-up work (e.g. syncing the knowledge base)."""
        return cls(
            db=db,
            guild_setup=GuildSetupService(GuildConfigRepository(db), settings.default_timezone),
        )

    async def close(self) -> None:
        """Stop what the services started (scheduler jobs, background tasks)."""
