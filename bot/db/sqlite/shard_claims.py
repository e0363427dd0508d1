"""Shard claims on SQLite: none. A SQLite file is one process's (bot/db/sqlite/lock.py refuses a
second), so no other process can hold our shards; the table exists only to keep both engines'
schemas alike (migration 0013)."""

from __future__ import annotations

from datetime import datetime

from bot.db.sqlite.database import Database
from bot.shard_claims import ShardClaim


class SqliteShardClaimRepository:
    shared = False

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, count: int, ids: tuple[int, ...], process: str, now: datetime,
                    live_since: datetime) -> list[ShardClaim]:
        return []

    async def release(self, process: str) -> None:
        return None
