"""Server configuration's rows as models, and the statement both engines save it with
(bot/db/sqlite/guild_config.py, bot/db/postgres/guild_config.py)."""

from __future__ import annotations

from datetime import date

from bot.db.common import StoredRow
from bot.guild_setup.model import GuildConfig

GET = "SELECT * FROM guild_config WHERE guild_id = ?"
SAVE = """
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
            """


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


def config_values(config: GuildConfig, updated_at: str) -> tuple[object, ...]:
    """The parameters of SAVE."""
    return (
        config.guild_id,
        config.channel_id,
        config.backend_role_id,
        config.frontend_role_id,
        config.cohort_start.isoformat() if config.cohort_start else None,
        config.timezone,
        config.updated_by,
        updated_at,
    )
