"""What week one reads, on PostgreSQL: the servers with a cohort start and a channel, and which
week-one posts the ledger says were made."""

from __future__ import annotations

from datetime import datetime

from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.placeholders import numbered
from bot.db.postgres.posts import PostgresPostLedgerRepository
from bot.db.shared import week_one as shared
from bot.shards import ShardPlan
from bot.week_one.model import WeekOneServer


class PostgresWeekOneRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def servers(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[WeekOneServer]:
        """Servers week one runs in (one, or all, or all on `shards`): a channel and a cohort start are set."""
        sql, params = shared.servers_query(guild_id, shards, postgres=True)
        return [shared.server_from_row(row) for row in await self._db.fetchall(numbered(sql), params)]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        return await PostgresPostLedgerRepository(self._db).made_since(kind, since)
