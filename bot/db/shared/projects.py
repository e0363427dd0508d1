"""Projects' rows as models, and the statements both engines run alike (bot/db/sqlite/projects.py,
bot/db/postgres/projects.py)."""

from __future__ import annotations

from typing import Any, cast

from bot.clock import from_db_time
from bot.db.common import StoredRow
from bot.projects.model import Discipline, Project, ProjectDraft, ProjectStatus

ADD_PROJECT = (
    "INSERT INTO projects (guild_id, owner_id, title, track, description, stack, repo_url, discipline, "
    "looking_for_partner, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
SAVE_DRAFT = (
    "INSERT INTO project_drafts (guild_id, owner_id, track, discipline, looking_for_partner, title, "
    "description, stack, repo_url, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, owner_id) DO UPDATE "
    "SET track = excluded.track, discipline = excluded.discipline, "
    "looking_for_partner = excluded.looking_for_partner, title = excluded.title, "
    "description = excluded.description, stack = excluded.stack, repo_url = excluded.repo_url, "
    "saved_at = excluded.saved_at")


def project_from_row(row: StoredRow) -> Project:
    return Project(
        id=row["id"],
        guild_id=row["guild_id"],
        owner_id=row["owner_id"],
        title=row["title"],
        track=row["track"],
        description=row["description"],
        stack=row["stack"],
        repo_url=row["repo_url"],
        discipline=cast(Discipline, row["discipline"]),
        looking_for_partner=bool(row["looking_for_partner"]),
        status=cast(ProjectStatus, row["status"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        # The wish alone: the project service decides `looking` with pairing's states (bot.learners).
        looking=bool(row["looking_for_partner"]) and row["status"] == "active",
    )


def draft_from_row(row: StoredRow) -> ProjectDraft:
    return ProjectDraft(track=row["track"], discipline=row["discipline"],
                        looking_for_partner=bool(row["looking_for_partner"]), title=row["title"],
                        description=row["description"], stack=row["stack"], repo_url=row["repo_url"])


def added_project_rows(projects: list[tuple[int, int, ProjectDraft]], stamp: str) -> list[tuple[Any, ...]]:
    """The parameters of ADD_PROJECT for each (guild, owner, draft)."""
    return [(g, o, d.title, d.track, d.description, d.stack, d.repo_url or None, d.discipline,
             int(d.looking_for_partner), stamp, stamp) for g, o, d in projects]


def saved_draft_row(guild_id: int, owner_id: int, draft: ProjectDraft, stamp: str) -> tuple[Any, ...]:
    """The parameters of SAVE_DRAFT."""
    return (guild_id, owner_id, draft.track, draft.discipline, int(draft.looking_for_partner), draft.title,
            draft.description, draft.stack, draft.repo_url, stamp)
