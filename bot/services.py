"""The domain services one running bot uses, built once in `setup_hook` and handed to the cogs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.db import Database
from bot.db.guild_config import GuildConfigRepository
from bot.guild_setup import GuildSetupService
from bot.knowledge.service import KnowledgeService


@dataclass
class Services:
    db: Database
    guild_setup: GuildSetupService
    knowledge: KnowledgeService

    @classmethod
    async def start(cls, db: Database, settings: Settings) -> Services:
        """Build every service and do its start-up work (e.g. syncing the knowledge base)."""
        knowledge = KnowledgeService(db, settings.knowledge_dir)
        await knowledge.sync()  # never raises: a bad topic file is logged and skipped
        return cls(
            db=db,
            guild_setup=GuildSetupService(GuildConfigRepository(db), settings.default_timezone),
            knowledge=knowledge,
        )

    async def close(self) -> None:
        """Stop what the services started (scheduler jobs, background tasks)."""
