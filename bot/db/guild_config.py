"""Server configuration (`/nexus setup`) and the counts `/nexus status` shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import aiosqlite

from bot.clock import to_db_time, utc_now
from bot.db.database import Database


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    channel_id: int | None
    backend_role_id: int | None
    frontend_role_id: int | None
    cohort_start: date | None
    timezone: str
    updated_by: int | None
    updated_at: str


@dataclass(frozen=True)
class GuildCounts:
    active_projects: int
    looking_for_partner: int
    active_pairs: int
    pending_requests: int
    queued_for_round: int
    topics: int
    lookups_last_7_days: int
    prompts_scheduled: int


def _config(row: aiosqlite.Row) -> GuildConfig:
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


class GuildConfigRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildConfig | None:
        row = await self._db.fetchone("SELECT * FROM guild_config WHERE guild_id = ?", (guild_id,))
        return _config(row) if row else None

    async def save(self, config: GuildConfig) -> GuildConfig:
        updated_at = to_db_time(utc_now())
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

    async def counts(self, guild_id: int, *, since: str) -> GuildCounts:
        row = await self._db.fetchone(
            """
            SELECT
              (SELECT COUNT(*) FROM projects WHERE guild_id = :g AND status = 'active') AS active_projects,
              (SELECT COUNT(*) FROM projects
                 WHERE guild_id = :g AND status = 'active' AND looking_for_partner = 1) AS looking_for_partner,
              (SELECT COUNT(*) FROM pairs WHERE guild_id = :g AND ended_at IS NULL) AS active_pairs,
              (SELECT COUNT(*) FROM pair_requests WHERE guild_id = :g AND status = 'pending') AS pending_requests,
              (SELECT COUNT(*) FROM pair_queue WHERE guild_id = :g) AS queued_for_round,
              (SELECT COUNT(*) FROM knowledge_topics
                 WHERE published = 1 AND (guild_id IS NULL OR guild_id = :g)) AS topics,
              (SELECT COUNT(*) FROM topic_lookups WHERE guild_id = :g AND looked_up_at >= :since) AS lookups,
              (SELECT COUNT(*) FROM prompts WHERE guild_id = :g AND paused = 0) AS prompts_scheduled
            """,
            {"g": guild_id, "since": since},
        )
        assert row is not None
        return GuildCounts(
            active_projects=row["active_projects"],
            looking_for_partner=row["looking_for_partner"],
            active_pairs=row["active_pairs"],
            pending_requests=row["pending_requests"],
            queued_for_round=row["queued_for_round"],
            topics=row["topics"],
            lookups_last_7_days=row["lookups"],
            prompts_scheduled=row["prompts_scheduled"],
        )
