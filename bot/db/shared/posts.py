"""The posting ledger's rows as models, and the statements both engines run alike
(bot/db/sqlite/posts.py, bot/db/postgres/posts.py). Every write is one conditional statement: see
each engine's module for why that keeps a post exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.clock import from_db_time
from bot.db.common import StoredRow
from bot.scheduling.ledger import LedgerEntry, PostKey

# The WHERE clause naming one post; its four values are `key_params(key)`.
_KEY = "guild_id = ? AND kind = ? AND ref = ? AND due_at = ?"

CLAIM = """
            INSERT INTO scheduled_posts (guild_id, kind, ref, due_at, channel_id, status, claimed_at, attempts)
            VALUES (?, ?, ?, ?, ?, 'claimed', ?, 1)
            ON CONFLICT (guild_id, kind, ref, due_at) DO NOTHING
            """
TAKE_OVER = f"""
            UPDATE scheduled_posts
               SET status = 'claimed', claimed_at = ?, channel_id = ?, attempts = attempts + 1, retry_at = NULL
             WHERE {_KEY}
               AND (status = 'failed' OR (status = 'claimed' AND claimed_at < ?))
            """
COMPLETE = ("UPDATE scheduled_posts SET status = 'posted', message_id = ?, posted_at = ?, last_error = NULL, "
            f"retry_at = NULL WHERE {_KEY}")
FAIL = f"UPDATE scheduled_posts SET status = 'failed', last_error = ?, retry_at = ? WHERE {_KEY} AND status = 'claimed'"
GIVE_UP = (f"UPDATE scheduled_posts SET status = 'skipped', last_error = ?, retry_at = NULL "
           f"WHERE {_KEY} AND status IN ('failed', 'claimed')")
SKIP = """
            INSERT INTO scheduled_posts (guild_id, kind, ref, due_at, channel_id, status, claimed_at, attempts,
                                         last_error)
            VALUES (?, ?, ?, ?, ?, 'skipped', ?, 0, ?)
            ON CONFLICT (guild_id, kind, ref, due_at) DO NOTHING
            """
PROBLEMS = """
            SELECT * FROM scheduled_posts
             WHERE guild_id = ? AND status IN ('failed', 'skipped') AND due_at >= ?
             ORDER BY due_at DESC LIMIT ?
            """
MADE_SINCE = ("SELECT guild_id, ref, due_at FROM scheduled_posts WHERE kind = ? AND due_at >= ? "
              "AND status IN ('posted', 'claimed')")
GET = f"SELECT * FROM scheduled_posts WHERE {_KEY}"
CHECKED_UNTIL = "SELECT checked_until FROM scheduler_state WHERE id = 1"
SET_CHECKED_UNTIL = ("INSERT INTO scheduler_state (id, checked_until) VALUES (1, ?) "
                     "ON CONFLICT (id) DO UPDATE SET checked_until = excluded.checked_until")
# A sharded process's windows (0014): one row per shard, `earliest_of_shards` reads them.
SHARDS_CHECKED_UNTIL = "SELECT shard_id, checked_until FROM scheduler_shard_state WHERE shard_count = ?"
# How much of an error or reason is kept.
REASON_CHARS = 500


def key_params(key: PostKey) -> tuple[int, str, str, str]:
    return key.guild_id, key.kind, key.ref, key.stored_due_at


def _time(value: str | None) -> datetime | None:
    return from_db_time(value) if value else None


def entry_from_row(row: StoredRow) -> LedgerEntry:
    return LedgerEntry(
        key=PostKey(row["guild_id"], row["kind"], row["ref"], _time(row["due_at"])),
        status=row["status"],
        claimed_at=_time(row["claimed_at"]),
        posted_at=_time(row["posted_at"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        retry_at=_time(row["retry_at"]),
    )


def next_again_from_row(row: StoredRow | None) -> tuple[datetime | None, datetime | None]:
    """(the earliest retry time, the earliest claim still open) of the next-again query's row."""
    if row is None:
        return None, None
    return _time(row["retry_at"]), _time(row["claimed_at"])


def made_from_rows(rows: Iterable[StoredRow]) -> set[tuple[int, str, datetime]]:
    """(server, ref, due time) of the rows of MADE_SINCE."""
    return {(row["guild_id"], row["ref"], from_db_time(row["due_at"])) for row in rows}


def checked_by_shard(rows: Iterable[StoredRow]) -> dict[int, datetime]:
    """The rows of SHARDS_CHECKED_UNTIL as shard → how far it was checked."""
    return {row["shard_id"]: from_db_time(row["checked_until"]) for row in rows}
