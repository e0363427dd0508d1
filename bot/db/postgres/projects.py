"""Projects (`projects`) and a learner's refused project form (`project_drafts`) on PostgreSQL: the
statements of bot/db/sqlite/projects.py with PostgreSQL's placeholders, lists bound as arrays (where
SQLite reads a JSON text with json_each); the row → model converters, and the statements both run
alike, are in bot/db/shared/projects.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from bot.clock import to_db_time
from bot.db.common import counts_by_guild
from bot.db.postgres.database import PostgresDatabase
from bot.db.postgres.placeholders import numbered
from bot.db.shared import projects as shared
from bot.learners.model import PartnerStates
from bot.projects.model import Project, ProjectDraft, ProjectFilter


def _where(guild_id: int, wanted: ProjectFilter, states: PartnerStates) -> tuple[str, list[Any]]:
    clauses, params = ["guild_id = $1", "status = 'active'"], [cast(Any, guild_id)]

    def bind(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    if wanted.track is not None:
        clauses.append(f"track = {bind(wanted.track)}")
    if wanted.discipline is not None:
        clauses.append(f"discipline = {bind(wanted.discipline)}")
    if wanted.looking is not None:  # the one rule of bot.learners, in SQL: (wish or queued) and not paired
        queued, paired = bind(sorted(states.queued)), bind(sorted(states.paired))
        looking = (f"((looking_for_partner = 1 OR owner_id = ANY({queued}::bigint[])) "
                   f"AND NOT owner_id = ANY({paired}::bigint[]))")
        clauses.append(looking if wanted.looking else f"NOT {looking}")
    return " AND ".join(clauses), params


class PostgresProjectRepository:
    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    # --- reading -------------------------------------------------------------------------------

    async def active(self, guild_id: int, owner_id: int) -> Project | None:
        row = await self._db.fetchone(
            "SELECT * FROM projects WHERE guild_id = $1 AND owner_id = $2 AND status = 'active'", (guild_id, owner_id)
        )
        return shared.project_from_row(row) if row else None

    async def get(self, project_id: int) -> Project | None:
        row = await self._db.fetchone("SELECT * FROM projects WHERE id = $1", (project_id,))
        return shared.project_from_row(row) if row else None

    async def newest(self, guild_id: int, wanted: ProjectFilter, states: PartnerStates, offset: int, limit: int
                     ) -> tuple[list[Project], int]:
        """A page of active projects, newest announcement first, and how many match in all: one
        query (the count rides along on each row, a window over every match taken before LIMIT), so
        a page costs one trip to the database. `states` (who is paired or queued, from pairing)
        decide the `looking` filter."""
        where, params = _where(guild_id, wanted, states)
        n = len(params)
        rows = await self._db.fetchall(
            f"SELECT *, COUNT(*) OVER () AS total FROM projects WHERE {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT ${n + 1} OFFSET ${n + 2}",
            [*params, limit, offset],
        )
        if rows:
            return [shared.project_from_row(row) for row in rows], int(rows[0]["total"])
        total = await self._db.fetchone(f"SELECT COUNT(*) FROM projects WHERE {where}", params)
        return [], int(total[0]) if total else 0

    async def all_active(self, guild_id: int) -> list[Project]:
        """The server's active projects, oldest announcement first."""
        rows = await self._db.fetchall(
            "SELECT * FROM projects WHERE guild_id = $1 AND status = 'active' ORDER BY created_at, id", (guild_id,))
        return [shared.project_from_row(row) for row in rows]

    async def count_active(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active projects each server has (servers with none are left out)."""
        if not guild_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT guild_id, COUNT(*) AS n FROM projects WHERE status = 'active' AND guild_id = ANY($1::bigint[]) "
            "GROUP BY guild_id", (guild_ids,))
        return counts_by_guild(rows)

    # --- writing -------------------------------------------------------------------------------

    async def save_active(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> Project:
        """The learner's one active project, added or updated with the checked draft, and their refused
        draft dropped, in one transaction. The post's ids are kept (set with `set_post`).

        One upsert on the unique index of active projects, not SQLite's update-else-insert: under
        READ COMMITTED two saves at once (two processes) would both find nothing to update and the
        second insert would fail; `ON CONFLICT … DO UPDATE` makes the second update the first's row."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            row = await tx.fetchone_write(
                "INSERT INTO projects (title, track, description, stack, repo_url, discipline, looking_for_partner, "
                "guild_id, owner_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) "
                "ON CONFLICT (guild_id, owner_id) WHERE status = 'active' DO UPDATE SET title = excluded.title, "
                "track = excluded.track, description = excluded.description, stack = excluded.stack, "
                "repo_url = excluded.repo_url, discipline = excluded.discipline, "
                "looking_for_partner = excluded.looking_for_partner, updated_at = excluded.updated_at "
                "RETURNING *",
                (draft.title, draft.track, draft.description, draft.stack, draft.repo_url or None, draft.discipline,
                 int(draft.looking_for_partner), guild_id, owner_id, stamp),
            )
            await tx.execute("DELETE FROM project_drafts WHERE guild_id = $1 AND owner_id = $2", (guild_id, owner_id))
        assert row is not None  # an upsert always writes its row
        return shared.project_from_row(row)

    async def set_post(self, project_id: int, channel_id: int | None, message_id: int | None,
                       thread_id: int | None) -> None:
        """Where the project's post and thread are (all None: it has none any more)."""
        await self._db.execute(
            "UPDATE projects SET channel_id = $1, message_id = $2, thread_id = $3 WHERE id = $4",
            (channel_id, message_id, thread_id, project_id),
        )

    async def withdraw(self, project_id: int, now: datetime) -> bool:
        changed = await self._db.execute_changes(
            "UPDATE projects SET status = 'withdrawn', updated_at = $1 WHERE id = $2 AND status = 'active'",
            (to_db_time(now), project_id),
        )
        return changed == 1

    async def add_many(self, projects: list[tuple[int, int, ProjectDraft]], now: datetime) -> None:
        """Active projects given as (guild, owner, draft), in one transaction (benchmarks, the sandbox)."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            await tx.executemany(numbered(shared.ADD_PROJECT), shared.added_project_rows(projects, stamp))

    # --- drafts --------------------------------------------------------------------------------

    async def save_draft(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> None:
        await self._db.execute(
            numbered(shared.SAVE_DRAFT), shared.saved_draft_row(guild_id, owner_id, draft, to_db_time(now)))

    async def draft(self, guild_id: int, owner_id: int) -> ProjectDraft | None:
        row = await self._db.fetchone(
            "SELECT * FROM project_drafts WHERE guild_id = $1 AND owner_id = $2", (guild_id, owner_id)
        )
        return shared.draft_from_row(row) if row else None
