"""Server configuration (`/nexus setup`) on PostgreSQL: the statements of bot/db/sqlite/guild_config.py
with PostgreSQL's placeholders (they are in bot/db/shared/guild_config.py, with the row → model
converter), the upsert returning the row it wrote."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.placeholders import numbered
from bot.db.shared import guild_config as shared
from bot.guild_setup.model import GuildConfig


class PostgresGuildConfigRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildConfig | None:
        row = await self._db.fetchone(numbered(shared.GET), (guild_id,))
        return shared.config_from_row(row) if row else None

    async def save(self, config: GuildConfig, now: datetime) -> GuildConfig:
        # One upsert, and the row it wrote: two setups at once leave the last one's values, as on SQLite.
        row = await self._db.fetchone_write(
            numbered(shared.SAVE + "RETURNING *"), shared.config_values(config, to_db_time(now)))
        assert row is not None  # an upsert always writes its row
        return shared.config_from_row(row)
