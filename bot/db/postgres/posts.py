"""The once-only posting ledger (`scheduled_posts`) on PostgreSQL: the statements of
bot/db/sqlite/posts.py with PostgreSQL's placeholders, and a list of kinds bound as one array.

Every write is a single conditional statement, which is what keeps it exactly once across processes
under READ COMMITTED: a claim is an insert the primary key lets one caller win (`ON CONFLICT DO
NOTHING`), a take-over is an `UPDATE … WHERE` that re-checks its condition on the row it locks.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db_time, to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.db.sqlite.posts import entry_from_row
from bot.scheduling.ledger import LedgerEntry, PostKey, earliest_of_shards
from bot.shards import ShardPlan


def _key(key: PostKey) -> tuple[int, str, str, str]:
    return key.guild_id, key.kind, key.ref, key.stored_due_at


def _key_at(first: int) -> str:
    """The WHERE clause naming a post, its four values bound from parameter `first` on."""
    return (f"guild_id = ${first} AND kind = ${first + 1} AND ref = ${first + 2} "
            f"AND due_at = ${first + 3}")


class PostgresPostLedgerRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def claim(self, key: PostKey, channel_id: int, now: datetime) -> bool:
        """Claim a post never claimed before. True for exactly one caller, whatever the concurrency."""
        changed = await self._db.execute_changes(
            """
            INSERT INTO scheduled_posts (guild_id, kind, ref, due_at, channel_id, status, claimed_at, attempts)
            VALUES ($1, $2, $3, $4, $5, 'claimed', $6, 1)
            ON CONFLICT (guild_id, kind, ref, due_at) DO NOTHING
            """,
            (*_key(key), channel_id, to_db_time(now)),
        )
        return changed == 1

    async def take_over(self, key: PostKey, channel_id: int, now: datetime, stale_before: datetime) -> bool:
        """Claim again a post whose send failed, or whose claim is older than `stale_before` (its
        claimant crashed). True for exactly one caller: the row changes only while it still qualifies
        (a second UPDATE waits for the first's row lock, then finds the row claimed anew)."""
        changed = await self._db.execute_changes(
            f"""
            UPDATE scheduled_posts
               SET status = 'claimed', claimed_at = $1, channel_id = $2, attempts = attempts + 1, retry_at = NULL
             WHERE {_key_at(3)}
               AND (status = 'failed' OR (status = 'claimed' AND claimed_at < $7))
            """,
            (to_db_time(now), channel_id, *_key(key), to_db_time(stale_before)),
        )
        return changed == 1

    async def complete(self, key: PostKey, message_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE scheduled_posts SET status = 'posted', message_id = $1, posted_at = $2, last_error = NULL, "
            f"retry_at = NULL WHERE {_key_at(3)}",
            (message_id, to_db_time(now), *_key(key)),
        )

    async def fail(self, key: PostKey, error: str, retry_at: datetime | None = None) -> None:
        """Record a failed send: with `retry_at` it is tried again then (a reason that can pass);
        without, it stopped (a reason that cannot pass without an admin)."""
        await self._db.execute(
            f"UPDATE scheduled_posts SET status = 'failed', last_error = $1, retry_at = $2 "
            f"WHERE {_key_at(3)} AND status = 'claimed'",
            (error[:500], to_db_time(retry_at) if retry_at else None, *_key(key)),
        )

    async def give_up(self, key: PostKey, reason: str) -> bool:
        """Record as skipped a post still waiting to retry (or whose claimant died) that will not be
        made: the grace window ended, or it is no longer scheduled. True if this call recorded it."""
        changed = await self._db.execute_changes(
            f"UPDATE scheduled_posts SET status = 'skipped', last_error = $1, retry_at = NULL "
            f"WHERE {_key_at(2)} AND status IN ('failed', 'claimed')",
            (reason[:500], *_key(key)),
        )
        return changed == 1

    async def due_again(self, kinds: list[str], now: datetime, stale_before: datetime,
                        limit: int = 1000) -> list[LedgerEntry]:
        """Scheduled posts of these kinds to try again now: waiting to retry with their time come, or
        claimed before `stale_before` and never completed (the claimant died). Oldest due first."""
        if not kinds:
            return []
        rows = await self._db.fetchall(
            """
            SELECT * FROM scheduled_posts
             WHERE kind = ANY($1::text[]) AND due_at <> ''
               AND ((status = 'failed' AND retry_at IS NOT NULL AND retry_at <= $2)
                    OR (status = 'claimed' AND claimed_at < $3))
             ORDER BY due_at LIMIT $4
            """,
            (kinds, to_db_time(now), to_db_time(stale_before), limit),
        )
        return [entry_from_row(row) for row in rows]

    async def next_again(self, kinds: list[str]) -> tuple[datetime | None, datetime | None]:
        """(the earliest retry time, the earliest claim still open) of these kinds' scheduled posts."""
        if not kinds:
            return None, None
        row = await self._db.fetchone(
            """
            SELECT MIN(CASE WHEN status = 'failed' THEN retry_at END) AS retry_at,
                   MIN(CASE WHEN status = 'claimed' THEN claimed_at END) AS claimed_at
              FROM scheduled_posts
             WHERE kind = ANY($1::text[]) AND due_at <> '' AND status IN ('failed', 'claimed')
            """,
            (kinds,),
        )
        if row is None:
            return None, None
        return (from_db_time(row["retry_at"]) if row["retry_at"] else None,
                from_db_time(row["claimed_at"]) if row["claimed_at"] else None)

    async def skip(self, key: PostKey, channel_id: int, reason: str, now: datetime) -> bool:
        """Record a post that will never be made (found too late); True if this call recorded it."""
        changed = await self._db.execute_changes(
            """
            INSERT INTO scheduled_posts (guild_id, kind, ref, due_at, channel_id, status, claimed_at, attempts,
                                         last_error)
            VALUES ($1, $2, $3, $4, $5, 'skipped', $6, 0, $7)
            ON CONFLICT (guild_id, kind, ref, due_at) DO NOTHING
            """,
            (*_key(key), channel_id, to_db_time(now), reason[:500]),
        )
        return changed == 1

    async def problems(self, guild_id: int, since: datetime, limit: int = 10) -> list[LedgerEntry]:
        """This server's failed (stopped or waiting to retry) and skipped posts due since `since`,
        newest first."""
        rows = await self._db.fetchall(
            """
            SELECT * FROM scheduled_posts
             WHERE guild_id = $1 AND status IN ('failed', 'skipped') AND due_at >= $2
             ORDER BY due_at DESC LIMIT $3
            """,
            (guild_id, to_db_time(since), limit),
        )
        return [entry_from_row(row) for row in rows]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, ref, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        rows = await self._db.fetchall(
            "SELECT guild_id, ref, due_at FROM scheduled_posts WHERE kind = $1 AND due_at >= $2 "
            "AND status IN ('posted', 'claimed')",
            (kind, to_db_time(since)),
        )
        return {(row["guild_id"], row["ref"], from_db_time(row["due_at"])) for row in rows}

    async def get(self, key: PostKey) -> LedgerEntry | None:
        row = await self._db.fetchone(f"SELECT * FROM scheduled_posts WHERE {_key_at(1)}", _key(key))
        return entry_from_row(row) if row is not None else None


class PostgresSchedulerStateRepository:
    """How far the scheduler has looked for due posts: a restart catches up from here."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def checked_until(self, shards: ShardPlan | None = None) -> datetime | None:
        row = await self._db.fetchone("SELECT checked_until FROM scheduler_state WHERE id = 1")
        everything = from_db_time(row["checked_until"]) if row else None
        if shards is None:
            return everything
        rows = await self._db.fetchall(
            "SELECT shard_id, checked_until FROM scheduler_shard_state WHERE shard_count = $1", (shards.count,))
        return earliest_of_shards(shards, {r["shard_id"]: from_db_time(r["checked_until"]) for r in rows}, everything)

    async def set_checked_until(self, moment: datetime, shards: ShardPlan | None = None) -> None:
        if shards is None:
            await self._db.execute(
                "INSERT INTO scheduler_state (id, checked_until) VALUES (1, $1) "
                "ON CONFLICT (id) DO UPDATE SET checked_until = excluded.checked_until",
                (to_db_time(moment),),
            )
            return
        await self._db.execute(
            "INSERT INTO scheduler_shard_state (shard_count, shard_id, checked_until) "
            "SELECT $1, value, $2 FROM unnest($3::integer[]) AS value WHERE true "
            "ON CONFLICT (shard_count, shard_id) DO UPDATE SET checked_until = excluded.checked_until",
            (shards.count, to_db_time(moment), list(shards.ids)),
        )
