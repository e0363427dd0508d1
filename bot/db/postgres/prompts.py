"""Weekly prompts (`prompts`), the defaults a server was given (`prompt_defaults_given`) and an admin's
refused form (`prompt_drafts`) on PostgreSQL: the statements of bot/db/sqlite/prompts.py with
PostgreSQL's placeholders; the row → model converters are shared."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.posts import PostgresPostLedgerRepository
from bot.db.sqlite.prompts import prompt_from_row, prompt_values, server_from_row
from bot.prompts.model import Prompt, PromptDraft, ScheduledPrompt

_SCHEDULED = """
    SELECT p.*, c.channel_id, c.timezone, c.cohort_start
      FROM prompts p JOIN guild_config c ON c.guild_id = p.guild_id
     WHERE p.paused = 0 AND c.channel_id IS NOT NULL
"""


class PostgresPromptRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    # --- reading -------------------------------------------------------------------------------

    async def get(self, guild_id: int, key: str) -> Prompt | None:
        row = await self._db.fetchone("SELECT * FROM prompts WHERE guild_id = $1 AND key = $2", (guild_id, key))
        return prompt_from_row(row) if row else None

    async def for_guild(self, guild_id: int) -> list[Prompt]:
        """Every prompt of the server, in the order of the week (weekday, time), then key."""
        rows = await self._db.fetchall(
            "SELECT * FROM prompts WHERE guild_id = $1 ORDER BY weekday, time_of_day, key", (guild_id,)
        )
        return [prompt_from_row(row) for row in rows]

    async def keys(self, guild_id: int, typed: str, limit: int) -> list[str]:
        """Keys containing `typed` (autocomplete), those starting with it first."""
        pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # ILIKE: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's LIKE does not; strpos
        # is case-sensitive like SQLite's instr.
        rows = await self._db.fetchall(
            """
            SELECT key FROM prompts WHERE guild_id = $1 AND key ILIKE $2 ESCAPE '\\'
             ORDER BY strpos(key, $3) <> 1, key LIMIT $4
            """,
            (guild_id, pattern, typed, limit),
        )
        return [row["key"] for row in rows]

    async def scheduled(self, guild_id: int | None = None) -> list[ScheduledPrompt]:
        """The prompts that are posted: not paused, in a server with a channel (one server, or all)."""
        if guild_id is None:
            rows = await self._db.fetchall(_SCHEDULED)
        else:
            rows = await self._db.fetchall(_SCHEDULED + " AND p.guild_id = $1", (guild_id,))
        return [ScheduledPrompt(prompt_from_row(row), server_from_row(row)) for row in rows]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, key, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        return await PostgresPostLedgerRepository(self._db).made_since(kind, since)

    # --- writing -------------------------------------------------------------------------------

    async def add(self, prompt: Prompt, actor_id: int | None, now: datetime) -> bool:
        """Insert a new prompt; False when the server has one with that key already."""
        changed = await self._db.execute_changes(
            """
            INSERT INTO prompts (guild_id, key, text, weekday, time_of_day, weeks, open_thread, paused, source,
                                 created_at, updated_by, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (guild_id, key) DO NOTHING
            """,
            (prompt.guild_id, prompt.key, *prompt_values(prompt), prompt.source, to_db_time(now), actor_id,
             to_db_time(now)),
        )
        return changed == 1

    async def update(self, prompt: Prompt, actor_id: int, now: datetime) -> bool:
        """Save a changed prompt (found by server and key); False when it no longer exists."""
        changed = await self._db.execute_changes(
            """
            UPDATE prompts SET text = $1, weekday = $2, time_of_day = $3, weeks = $4, open_thread = $5,
                               paused = $6, updated_by = $7, updated_at = $8
             WHERE guild_id = $9 AND key = $10
            """,
            (*prompt_values(prompt), actor_id, to_db_time(now), prompt.guild_id, prompt.key),
        )
        return changed == 1

    async def remove(self, guild_id: int, key: str) -> bool:
        changed = await self._db.execute_changes("DELETE FROM prompts WHERE guild_id = $1 AND key = $2",
                                                 (guild_id, key))
        return changed == 1

    async def give_defaults(self, guild_id: int, defaults: Sequence[Prompt], now: datetime) -> bool:
        """Give the server the default prompts, once ever: True when this call gave them. One
        transaction, so two setups at once give them once and a crash gives none (the next setup does).

        Once across processes: the marker row's primary key decides. A second setup's insert waits
        for the first's transaction and, once it commits, does nothing (if it rolls back, the second
        inserts and gives them)."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            marked = await tx.execute_changes(
                "INSERT INTO prompt_defaults_given (guild_id, given_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                (guild_id, stamp),
            )
            if marked != 1:
                return False
            await tx.executemany(
                """
                INSERT INTO prompts (guild_id, key, text, weekday, time_of_day, weeks, open_thread, paused, source,
                                     created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'default', $9, $10)
                ON CONFLICT (guild_id, key) DO NOTHING
                """,
                [(guild_id, p.key, *prompt_values(p), stamp, stamp) for p in defaults],
            )
        return True

    # --- an admin's refused form -----------------------------------------------------------

    async def save_draft(self, guild_id: int, admin_id: int, draft: PromptDraft, now: datetime) -> None:
        await self._db.execute(
            """
            INSERT INTO prompt_drafts (guild_id, admin_id, original_key, key, weekday, time_of_day, weeks, open_thread,
                                       text, saved_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (guild_id, admin_id) DO UPDATE SET
                original_key = excluded.original_key, key = excluded.key, weekday = excluded.weekday,
                time_of_day = excluded.time_of_day, weeks = excluded.weeks, open_thread = excluded.open_thread,
                text = excluded.text, saved_at = excluded.saved_at
            """,
            (guild_id, admin_id, draft.original_key, draft.key, draft.weekday, draft.time_text, draft.weeks_text,
             int(draft.open_thread), draft.text, to_db_time(now)),
        )

    async def draft(self, guild_id: int, admin_id: int) -> PromptDraft | None:
        row = await self._db.fetchone(
            "SELECT * FROM prompt_drafts WHERE guild_id = $1 AND admin_id = $2", (guild_id, admin_id)
        )
        if row is None:
            return None
        return PromptDraft(key=row["key"], weekday=row["weekday"], time_text=row["time_of_day"],
                           weeks_text=row["weeks"], open_thread=bool(row["open_thread"]), text=row["text"],
                           original_key=row["original_key"])

    async def delete_draft(self, guild_id: int, admin_id: int) -> None:
        await self._db.execute("DELETE FROM prompt_drafts WHERE guild_id = $1 AND admin_id = $2",
                               (guild_id, admin_id))
