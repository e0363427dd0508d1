"""What week one reads: the servers with a cohort start and a channel, the projects announced there
(the `projects` table of 0001), and which week-one posts the ledger says were made."""

from __future__ import annotations

from datetime import datetime

from bot.db.shared import week_one as shared
from bot.db.sqlite.database import Database
from bot.db.sqlite.posts import SqlitePostLedgerRepository
from bot.shards import ShardPlan
from bot.week_one.model import WeekOneServer


class SqliteWeekOneRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def servers(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[WeekOneServer]:
        """Servers week one runs in (one, or all, or all on `shards`): a channel and a cohort start are set."""
        sql, params = shared.servers_query(guild_id, shards)
        return [shared.server_from_row(row) for row in await self._db.fetchall(sql, params)]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        return await SqlitePostLedgerRepository(self._db).made_since(kind, since)
