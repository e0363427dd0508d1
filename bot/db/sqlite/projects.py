"""Projects (`projects`) and a learner's refused project form (`project_drafts`). The row → model
converters, and the statements PostgreSQL runs alike, are in bot/db/shared/projects.py."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from bot.clock import to_db_time
from bot.db.common import counts_by_guild
from bot.db.shared import projects as shared
from bot.db.sqlite.database import Database
from bot.learners.model import PartnerStates
from bot.projects.model import Project, ProjectDraft, ProjectFilter


def _where(guild_id: int, wanted: ProjectFilter, states: PartnerStates) -> tuple[str, list[Any]]:
    clauses, params = ["guild_id = ?", "status = 'active'"], [cast(Any, guild_id)]
    if wanted.track is not None:
        clauses.append("track = ?")
        params.append(wanted.track)
    if wanted.discipline is not None:
        clauses.append("discipline = ?")
        params.append(wanted.discipline)
    if wanted.looking is not None:  # the one rule of bot.learners, in SQL: (wish or queued) and not paired
        looking = ("((looking_for_partner = 1 OR owner_id IN (SELECT value FROM json_each(?))) "
                   "AND owner_id NOT IN (SELECT value FROM json_each(?)))")
        clauses.append(looking if wanted.looking else f"NOT {looking}")
        params += [json.dumps(sorted(states.queued)), json.dumps(sorted(states.paired))]
    return " AND ".join(clauses), params


class SqliteProjectRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- reading -------------------------------------------------------------------------------

    async def active(self, guild_id: int, owner_id: int) -> Project | None:
        row = await self._db.fetchone(
            "SELECT * FROM projects WHERE guild_id = ? AND owner_id = ? AND status = 'active'", (guild_id, owner_id)
        )
        return shared.project_from_row(row) if row else None

    async def get(self, project_id: int) -> Project | None:
        row = await self._db.fetchone("SELECT * FROM projects WHERE id = ?", (project_id,))
        return shared.project_from_row(row) if row else None

    async def newest(self, guild_id: int, wanted: ProjectFilter, states: PartnerStates, offset: int, limit: int
                     ) -> tuple[list[Project], int]:
        """A page of active projects, newest announcement first, and how many match in all: one
        query (the count rides along on each row), so a page costs one trip to the database.
        `states` (who is paired or queued, from pairing) decide the `looking` filter."""
        where, params = _where(guild_id, wanted, states)
        rows = await self._db.fetchall(
            f"SELECT (SELECT COUNT(*) FROM projects WHERE {where}) AS total, * FROM projects WHERE {where} "
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            [*params, *params, limit, offset],
        )
        if rows:
            return [shared.project_from_row(row) for row in rows], int(rows[0]["total"])
        total = await self._db.fetchone(f"SELECT COUNT(*) FROM projects WHERE {where}", params)
        return [], int(total[0]) if total else 0

    async def all_active(self, guild_id: int) -> list[Project]:
        """The server's active projects, oldest announcement first."""
        rows = await self._db.fetchall(
            "SELECT * FROM projects WHERE guild_id = ? AND status = 'active' ORDER BY created_at, id", (guild_id,))
        return [shared.project_from_row(row) for row in rows]

    async def count_active(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active projects each server has (servers with none are left out)."""
        if not guild_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT guild_id, COUNT(*) AS n FROM projects WHERE status = 'active' AND guild_id IN "
            f"({','.join('?' * len(guild_ids))}) GROUP BY guild_id", guild_ids)
        return counts_by_guild(rows)

    # --- writing -------------------------------------------------------------------------------

    async def save_active(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> Project:
        """The learner's one active project, added or updated with the checked draft, and their refused
        draft dropped, in one transaction. The post's ids are kept (set with `set_post`)."""
        stamp = to_db_time(now)
        values = (draft.title, draft.track, draft.description, draft.stack, draft.repo_url or None,
                  draft.discipline, int(draft.looking_for_partner))
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE projects SET title = ?, track = ?, description = ?, stack = ?, repo_url = ?, discipline = ?, "
                "looking_for_partner = ?, updated_at = ? WHERE guild_id = ? AND owner_id = ? AND status = 'active' "
                "RETURNING id",
                (*values, stamp, guild_id, owner_id),
            )
            updated = await cursor.fetchone()
            if updated is None:
                cursor = await conn.execute(
                    "INSERT INTO projects (title, track, description, stack, repo_url, discipline, "
                    "looking_for_partner, guild_id, owner_id, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (*values, guild_id, owner_id, stamp, stamp),
                )
                updated = await cursor.fetchone()
            assert updated is not None  # RETURNING gives the row written
            await conn.execute("DELETE FROM project_drafts WHERE guild_id = ? AND owner_id = ?", (guild_id, owner_id))
            row = await (await conn.execute("SELECT * FROM projects WHERE id = ?", (updated[0],))).fetchone()
        assert row is not None
        return shared.project_from_row(row)

    async def set_post(self, project_id: int, channel_id: int | None, message_id: int | None,
                       thread_id: int | None) -> None:
        """Where the project's post and thread are (all None: it has none any more)."""
        await self._db.execute(
            "UPDATE projects SET channel_id = ?, message_id = ?, thread_id = ? WHERE id = ?",
            (channel_id, message_id, thread_id, project_id),
        )

    async def withdraw(self, project_id: int, now: datetime) -> bool:
        changed = await self._db.execute_changes(
            "UPDATE projects SET status = 'withdrawn', updated_at = ? WHERE id = ? AND status = 'active'",
            (to_db_time(now), project_id),
        )
        return changed == 1

    async def add_many(self, projects: list[tuple[int, int, ProjectDraft]], now: datetime) -> None:
        """Active projects given as (guild, owner, draft), in one transaction (benchmarks, the sandbox)."""
        stamp = to_db_time(now)
        async with self._db.transaction() as conn:
            await conn.executemany(shared.ADD_PROJECT, shared.added_project_rows(projects, stamp))

    # --- drafts --------------------------------------------------------------------------------

    async def save_draft(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> None:
        await self._db.execute(shared.SAVE_DRAFT, shared.saved_draft_row(guild_id, owner_id, draft, to_db_time(now)))

    async def draft(self, guild_id: int, owner_id: int) -> ProjectDraft | None:
        row = await self._db.fetchone(
            "SELECT * FROM project_drafts WHERE guild_id = ? AND owner_id = ?", (guild_id, owner_id)
        )
        return shared.draft_from_row(row) if row else None
