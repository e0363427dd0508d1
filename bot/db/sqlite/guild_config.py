"""Server configuration (`/nexus setup`). The row → model converter, and the statements PostgreSQL
runs alike, are in bot/db/shared/guild_config.py."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db_time
from bot.db.shared import guild_config as shared
from bot.db.sqlite.database import Database
from bot.guild_setup.model import GuildConfig


class SqliteGuildConfigRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildConfig | None:
        row = await self._db.fetchone(shared.GET, (guild_id,))
        return shared.config_from_row(row) if row else None

    async def save(self, config: GuildConfig, now: datetime) -> GuildConfig:
        await self._db.execute(shared.SAVE, shared.config_values(config, to_db_time(now)))
        saved = await self.get(config.guild_id)
        assert saved is not None
        return saved
