"""Shard claims on PostgreSQL (see bot/shard_claims.py): the one engine several processes share."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db_time, to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.shard_claims import ShardClaim


class PostgresShardClaimRepository:
    shared = True

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def claim(self, count: int, ids: tuple[int, ...], process: str, now: datetime,
                    live_since: datetime) -> list[ShardClaim]:
        # Claims are taken one process at a time (a lock held to the end of the transaction): two
        # processes starting at the same moment would otherwise each write before the other commits,
        # and, reading committed rows only, neither would see the other. Serialised, the second sees
        # the first, and it is the second that was started by mistake.
        async with self._db.transaction() as tx:
            await tx.fetchone("SELECT pg_advisory_xact_lock(hashtext('nexus shard claims'))")
            await tx.execute_changes("DELETE FROM shard_claims WHERE heartbeat_at < $1", (to_db_time(live_since),))
            await tx.executemany(
                "INSERT INTO shard_claims (shard_count, shard_id, process, heartbeat_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (shard_count, shard_id, process) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
                [(count, shard, process, to_db_time(now)) for shard in ids],
            )
            rows = await tx.fetchall(
                "SELECT shard_id, process, heartbeat_at FROM shard_claims "
                "WHERE shard_count = $1 AND shard_id = ANY($2::integer[]) AND process <> $3 "
                "ORDER BY shard_id, process",
                (count, list(ids), process),
            )
        return [ShardClaim(row["shard_id"], row["process"], from_db_time(row["heartbeat_at"])) for row in rows]

    async def release(self, process: str) -> None:
        await self._db.execute_changes("DELETE FROM shard_claims WHERE process = $1", (process,))
