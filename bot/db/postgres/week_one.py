"""What week one reads, on PostgreSQL: the servers with a cohort start and a channel, and which
week-one posts the ledger says were made."""

from __future__ import annotations

from datetime import date, datetime

from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.posts import PostgresPostLedgerRepository
from bot.week_one.model import WeekOneServer


class PostgresWeekOneRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def servers(self, guild_id: int | None = None) -> list[WeekOneServer]:
        """Servers week one runs in: a channel and a cohort start are set."""
        sql = ("SELECT guild_id, channel_id, timezone, cohort_start, backend_role_id, frontend_role_id "
               "FROM guild_config WHERE channel_id IS NOT NULL AND cohort_start IS NOT NULL")
        params: tuple[object, ...] = ()
        if guild_id is not None:
            sql += " AND guild_id = $1"
            params = (guild_id,)
        rows = await self._db.fetchall(sql, params)
        return [WeekOneServer(row["guild_id"], row["channel_id"], row["timezone"],
                              date.fromisoformat(row["cohort_start"]), row["backend_role_id"],
                              row["frontend_role_id"]) for row in rows]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        return await PostgresPostLedgerRepository(self._db).made_since(kind, since)
