"""The once-only posting ledger (`scheduled_posts`) on PostgreSQL: the statements of
bot/db/sqlite/posts.py (most are in bot/db/shared/posts.py, numbered for PostgreSQL), and a list of kinds
bound as one array.

Every write is a single conditional statement, which is what keeps it exactly once across processes
under READ COMMITTED: a claim is an insert the primary key lets one caller win (`ON CONFLICT DO
NOTHING`), a take-over is an `UPDATE … WHERE` that re-checks its condition on the row it locks.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db_time, to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.placeholders import numbered
from bot.db.shared import posts as shared
from bot.db.shared import shards as shared_shards
from bot.scheduling.ledger import LedgerEntry, PostKey, earliest_of_shards
from bot.shards import ShardPlan


class PostgresPostLedgerRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def claim(self, key: PostKey, channel_id: int, now: datetime) -> bool:
        """Claim a post never claimed before. True for exactly one caller, whatever the concurrency."""
        changed = await self._db.execute_changes(
            numbered(shared.CLAIM), (*shared.key_params(key), channel_id, to_db_time(now)))
        return changed == 1

    async def take_over(self, key: PostKey, channel_id: int, now: datetime, stale_before: datetime) -> bool:
        """Claim again a post whose send failed, or whose claim is older than `stale_before` (its
        claimant crashed). True for exactly one caller: the row changes only while it still qualifies
        (a second UPDATE waits for the first's row lock, then finds the row claimed anew)."""
        changed = await self._db.execute_changes(
            numbered(shared.TAKE_OVER),
            (to_db_time(now), channel_id, *shared.key_params(key), to_db_time(stale_before)))
        return changed == 1

    async def complete(self, key: PostKey, message_id: int, now: datetime) -> None:
        await self._db.execute(numbered(shared.COMPLETE), (message_id, to_db_time(now), *shared.key_params(key)))

    async def fail(self, key: PostKey, error: str, retry_at: datetime | None = None) -> None:
        """Record a failed send: with `retry_at` it is tried again then (a reason that can pass);
        without, it stopped (a reason that cannot pass without an admin)."""
        await self._db.execute(
            numbered(shared.FAIL),
            (error[:shared.REASON_CHARS], to_db_time(retry_at) if retry_at else None, *shared.key_params(key)))

    async def give_up(self, key: PostKey, reason: str) -> bool:
        """Record as skipped a post still waiting to retry (or whose claimant died) that will not be
        made: the grace window ended, or it is no longer scheduled. True if this call recorded it."""
        changed = await self._db.execute_changes(
            numbered(shared.GIVE_UP), (reason[:shared.REASON_CHARS], *shared.key_params(key)))
        return changed == 1

    async def due_again(self, kinds: list[str], now: datetime, stale_before: datetime,
                        limit: int = 1000, shards: ShardPlan | None = None) -> list[LedgerEntry]:
        """Scheduled posts of these kinds to try again now: waiting to retry with their time come, or
        claimed before `stale_before` and never completed (the claimant died). Oldest due first."""
        if not kinds:
            return []
        on_shards, shard_params = shared_shards.on_shards("guild_id", shards, postgres=True)
        rows = await self._db.fetchall(
            numbered(f"""
            SELECT * FROM scheduled_posts
             WHERE kind = ANY(?::text[]) AND due_at <> ''
               AND ((status = 'failed' AND retry_at IS NOT NULL AND retry_at <= ?)
                    OR (status = 'claimed' AND claimed_at < ?)){on_shards}
             ORDER BY due_at LIMIT ?
            """),
            (kinds, to_db_time(now), to_db_time(stale_before), *shard_params, limit),
        )
        return [shared.entry_from_row(row) for row in rows]

    async def next_again(self, kinds: list[str], shards: ShardPlan | None = None
                         ) -> tuple[datetime | None, datetime | None]:
        """(the earliest retry time, the earliest claim still open) of these kinds' scheduled posts."""
        if not kinds:
            return None, None
        on_shards, shard_params = shared_shards.on_shards("guild_id", shards, postgres=True)
        row = await self._db.fetchone(
            numbered(f"""
            SELECT MIN(CASE WHEN status = 'failed' THEN retry_at END) AS retry_at,
                   MIN(CASE WHEN status = 'claimed' THEN claimed_at END) AS claimed_at
              FROM scheduled_posts
             WHERE kind = ANY(?::text[]) AND due_at <> '' AND status IN ('failed', 'claimed'){on_shards}
            """),
            (kinds, *shard_params),
        )
        return shared.next_again_from_row(row)

    async def skip(self, key: PostKey, channel_id: int, reason: str, now: datetime) -> bool:
        """Record a post that will never be made (found too late); True if this call recorded it."""
        changed = await self._db.execute_changes(
            numbered(shared.SKIP), (*shared.key_params(key), channel_id, to_db_time(now), reason[:shared.REASON_CHARS]))
        return changed == 1

    async def problems(self, guild_id: int, since: datetime, limit: int = 10) -> list[LedgerEntry]:
        """This server's failed (stopped or waiting to retry) and skipped posts due since `since`,
        newest first."""
        rows = await self._db.fetchall(numbered(shared.PROBLEMS), (guild_id, to_db_time(since), limit))
        return [shared.entry_from_row(row) for row in rows]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        rows = await self._db.fetchall(numbered(shared.MADE_SINCE), (kind, to_db_time(since)))
        return shared.made_from_rows(rows)

    async def get(self, key: PostKey) -> LedgerEntry | None:
        row = await self._db.fetchone(numbered(shared.GET), shared.key_params(key))
        return shared.entry_from_row(row) if row is not None else None


class PostgresSchedulerStateRepository:
    """How far the scheduler has looked for due posts: a restart catches up from here."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def checked_until(self, shards: ShardPlan | None = None) -> datetime | None:
        row = await self._db.fetchone(numbered(shared.CHECKED_UNTIL))
        everything = from_db_time(row["checked_until"]) if row else None
        if shards is None:
            return everything
        rows = await self._db.fetchall(numbered(shared.SHARDS_CHECKED_UNTIL), (shards.count,))
        return earliest_of_shards(shards, shared.checked_by_shard(rows), everything)

    async def set_checked_until(self, moment: datetime, shards: ShardPlan | None = None) -> None:
        if shards is None:
            await self._db.execute(numbered(shared.SET_CHECKED_UNTIL), (to_db_time(moment),))
            return
        await self._db.execute(
            "INSERT INTO scheduler_shard_state (shard_count, shard_id, checked_until) "
            "SELECT $1, value, $2 FROM unnest($3::integer[]) AS value WHERE true "
            "ON CONFLICT (shard_count, shard_id) DO UPDATE SET checked_until = excluded.checked_until",
            (shards.count, to_db_time(moment), list(shards.ids)),
        )
