"""Projects (`projects`) and a learner's refused project form (`project_drafts`) on PostgreSQL: the
statements of bot/db/sqlite/projects.py with PostgreSQL's placeholders, lists bound as arrays (where
SQLite reads a JSON text with json_each), and the row → model converter shared."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from bot.clock import to_db_time
from bot.db.postgres.database import PostgresDatabase
from bot.db.sqlite.projects import project_from_row
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
        return project_from_row(row) if row else None

    async def get(self, project_id: int) -> Project | None:
        row = await self._db.fetchone("SELECT * FROM projects WHERE id = $1", (project_id,))
        return project_from_row(row) if row else None

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
            return [project_from_row(row) for row in rows], int(rows[0]["total"])
        total = await self._db.fetchone(f"SELECT COUNT(*) FROM projects WHERE {where}", params)
        return [], int(total[0]) if total else 0

    async def all_active(self, guild_id: int) -> list[Project]:
        """The server's active projects, oldest announcement first."""
        rows = await self._db.fetchall(
            "SELECT * FROM projects WHERE guild_id = $1 AND status = 'active' ORDER BY created_at, id", (guild_id,))
        return [project_from_row(row) for row in rows]

    async def count_active(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active projects each server has (servers with none are left out)."""
        if not guild_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT guild_id, COUNT(*) AS n FROM projects WHERE status = 'active' AND guild_id = ANY($1::bigint[]) "
            "GROUP BY guild_id", (guild_ids,))
        return {row["guild_id"]: int(row["n"]) for row in rows}

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
        return project_from_row(row)

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
            await tx.executemany(
                "INSERT INTO projects (guild_id, owner_id, title, track, description, stack, repo_url, discipline, "
                "looking_for_partner, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                [(g, o, d.title, d.track, d.description, d.stack, d.repo_url or None, d.discipline,
                  int(d.looking_for_partner), stamp, stamp) for g, o, d in projects],
            )

    # --- drafts --------------------------------------------------------------------------------

    async def save_draft(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO project_drafts (guild_id, owner_id, track, discipline, looking_for_partner, title, "
            "description, stack, repo_url, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
            "ON CONFLICT (guild_id, owner_id) DO UPDATE "
            "SET track = excluded.track, discipline = excluded.discipline, "
            "looking_for_partner = excluded.looking_for_partner, title = excluded.title, "
            "description = excluded.description, stack = excluded.stack, repo_url = excluded.repo_url, "
            "saved_at = excluded.saved_at",
            (guild_id, owner_id, draft.track, draft.discipline, int(draft.looking_for_partner), draft.title,
             draft.description, draft.stack, draft.repo_url, to_db_time(now)),
        )

    async def draft(self, guild_id: int, owner_id: int) -> ProjectDraft | None:
        row = await self._db.fetchone(
            "SELECT * FROM project_drafts WHERE guild_id = $1 AND owner_id = $2", (guild_id, owner_id)
        )
        if row is None:
            return None
        return ProjectDraft(track=row["track"], discipline=row["discipline"],
                            looking_for_partner=bool(row["looking_for_partner"]), title=row["title"],
                            description=row["description"], stack=row["stack"], repo_url=row["repo_url"])
