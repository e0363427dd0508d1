"""Server configuration (`/nexus setup`) on PostgreSQL: the statements of bot/db/sqlite/guild_config.py
with PostgreSQL's placeholders; the row → model converter is shared."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.db.sqlite.guild_config import config_from_row
from bot.guild_setup.model import GuildConfig


class PostgresGuildConfigRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildConfig | None:
        row = await self._db.fetchone("SELECT * FROM guild_config WHERE guild_id = $1", (guild_id,))
        return config_from_row(row) if row else None

    async def save(self, config: GuildConfig, now: datetime) -> GuildConfig:
        # One upsert, and the row it wrote: two setups at once leave the last one's values, as on SQLite.
        row = await self._db.fetchone_write(
            """
            INSERT INTO guild_config
                (guild_id, channel_id, backend_role_id, frontend_role_id, cohort_start, timezone,
                 updated_by, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (guild_id) DO UPDATE SET
                channel_id = excluded.channel_id,
                backend_role_id = excluded.backend_role_id,
                frontend_role_id = excluded.frontend_role_id,
                cohort_start = excluded.cohort_start,
                timezone = excluded.timezone,
                updated_by = excluded.updated_by,
                updated_at = excluded.updated_at
            RETURNING *
            """,
            (
                config.guild_id,
                config.channel_id,
                config.backend_role_id,
                config.frontend_role_id,
                config.cohort_start.isoformat() if config.cohort_start else None,
                config.timezone,
                config.updated_by,
                to_db_time(now),
            ),
        )
        assert row is not None  # an upsert always writes its row
        return config_from_row(row)
