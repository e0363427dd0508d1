"""Weekly prompts (`prompts`), the defaults a server was given (`prompt_defaults_given`) and an admin's
refused form (`prompt_drafts`) on PostgreSQL: the statements of bot/db/sqlite/prompts.py with
PostgreSQL's placeholders; the row → model converters, and the statements both run alike, are in
bot/db/shared/prompts.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import to_db_time
from bot.db.common import like_containing
from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.placeholders import numbered
from bot.db.postgres.posts import PostgresPostLedgerRepository
from bot.db.shared import prompts as shared
from bot.prompts.model import Prompt, PromptDraft, ScheduledPrompt
from bot.shards import ShardPlan


class PostgresPromptRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    # --- reading -------------------------------------------------------------------------------

    async def get(self, guild_id: int, key: str) -> Prompt | None:
        row = await self._db.fetchone("SELECT * FROM prompts WHERE guild_id = $1 AND key = $2", (guild_id, key))
        return shared.prompt_from_row(row) if row else None

    async def for_guild(self, guild_id: int) -> list[Prompt]:
        """Every prompt of the server, in the order of the week (weekday, time), then key."""
        rows = await self._db.fetchall(
            "SELECT * FROM prompts WHERE guild_id = $1 ORDER BY weekday, time_of_day, key", (guild_id,)
        )
        return [shared.prompt_from_row(row) for row in rows]

    async def keys(self, guild_id: int, typed: str, limit: int) -> list[str]:
        """Keys containing `typed` (autocomplete), those starting with it first."""
        pattern = like_containing(typed)
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

    async def scheduled(self, guild_id: int | None = None, shards: ShardPlan | None = None) -> list[ScheduledPrompt]:
        """The prompts that are posted: not paused, in a server with a channel (one server, or all, or
        all of the servers on `shards`)."""
        sql, params = shared.scheduled_query(guild_id, shards, postgres=True)
        rows = await self._db.fetchall(numbered(sql), params)
        return [shared.scheduled_from_row(row) for row in rows]

    async def made_since(self, kind: str, since: datetime) -> set[tuple[int, str, datetime]]:
        """(server, key, due time) of the posts of `kind` due since `since` that were made or are
        being made (failed and skipped ones are not)."""
        return await PostgresPostLedgerRepository(self._db).made_since(kind, since)

    # --- writing -------------------------------------------------------------------------------

    async def add(self, prompt: Prompt, actor_id: int | None, now: datetime) -> bool:
        """Insert a new prompt; False when the server has one with that key already."""
        stamp = to_db_time(now)
        changed = await self._db.execute_changes(
            numbered(shared.ADD),
            (prompt.guild_id, prompt.key, *shared.prompt_values(prompt), prompt.source, stamp, actor_id, stamp))
        return changed == 1

    async def update(self, prompt: Prompt, actor_id: int, now: datetime) -> bool:
        """Save a changed prompt (found by server and key); False when it no longer exists."""
        changed = await self._db.execute_changes(
            numbered(shared.UPDATE),
            (*shared.prompt_values(prompt), actor_id, to_db_time(now), prompt.guild_id, prompt.key))
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
            marked = await tx.execute_changes(numbered(shared.MARK_DEFAULTS_GIVEN), (guild_id, stamp))
            if marked != 1:
                return False
            await tx.executemany(
                numbered(shared.ADD_DEFAULT),
                [(guild_id, p.key, *shared.prompt_values(p), stamp, stamp) for p in defaults])
        return True

    # --- an admin's refused form -----------------------------------------------------------

    async def save_draft(self, guild_id: int, admin_id: int, draft: PromptDraft, now: datetime) -> None:
        await self._db.execute(
            numbered(shared.SAVE_DRAFT), shared.draft_values(guild_id, admin_id, draft, to_db_time(now)))

    async def draft(self, guild_id: int, admin_id: int) -> PromptDraft | None:
        row = await self._db.fetchone(
            "SELECT * FROM prompt_drafts WHERE guild_id = $1 AND admin_id = $2", (guild_id, admin_id)
        )
        return shared.draft_from_row(row) if row else None

    async def delete_draft(self, guild_id: int, admin_id: int) -> None:
        await self._db.execute("DELETE FROM prompt_drafts WHERE guild_id = $1 AND admin_id = $2",
                               (guild_id, admin_id))
