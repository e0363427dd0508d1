"""Server configuration (`/nexus setup`)."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import to_db_time
from bot.db.common import StoredRow
from bot.db.sqlite.database import Database
from bot.guild_setup.model import GuildConfig


def config_from_row(row: StoredRow) -> GuildConfig:
    return GuildConfig(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        backend_role_id=row["backend_role_id"],
        frontend_role_id=row["frontend_role_id"],
        cohort_start=date.fromisoformat(row["cohort_start"]) if row["cohort_start"] else None,
        timezone=row["timezone"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


class SqliteGuildConfigRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildConfig | None:
        row = await self._db.fetchone("SELECT * FROM guild_config WHERE guild_id = ?", (guild_id,))
        return config_from_row(row) if row else None

    async def save(self, config: GuildConfig, now: datetime) -> GuildConfig:
        updated_at = to_db_time(now)
        await self._db.execute(
            """
            INSERT INTO guild_config
                (guild_id, channel_id, backend_role_id, frontend_role_id, cohort_start, timezone,
                 updated_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                channel_id = excluded.channel_id,
                backend_role_id = excluded.backend_role_id,
                frontend_role_id = excluded.frontend_role_id,
                cohort_start = excluded.cohort_start,
                timezone = excluded.timezone,
                updated_by = excluded.updated_by,
                updated_at = excluded.updated_at
            """,
            (
                config.guild_id,
                config.channel_id,
                config.backend_role_id,
                config.frontend_role_id,
                config.cohort_start.isoformat() if config.cohort_start else None,
                config.timezone,
                config.updated_by,
                updated_at,
            ),
        )
        saved = await self.get(config.guild_id)
        assert saved is not None
        return saved
