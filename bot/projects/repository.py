"""What projects ask of the database (implemented per engine in `bot/db/`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.learners.model import PartnerStates
from bot.projects.model import Project, ProjectDraft, ProjectFilter


class ProjectRepository(Protocol):
    """Projects (`projects`) and a learner's refused project form (`project_drafts`)."""

    async def active(self, guild_id: int, owner_id: int) -> Project | None:
        ...

    async def get(self, project_id: int) -> Project | None:
        ...

    async def newest(self, guild_id: int, wanted: ProjectFilter, states: PartnerStates, offset: int, limit: int
                     ) -> tuple[list[Project], int]:
        """A page of active projects, newest announcement first, and how many match in all: one
        query (the count rides along on each row), so a page costs one trip to the database.
        `states` (who is paired or queued, from pairing) decide the `looking` filter."""
        ...

    async def all_active(self, guild_id: int) -> list[Project]:
        """The server's active projects, oldest announcement first."""
        ...

    async def count_active(self, guild_ids: list[int]) -> dict[int, int]:
        """How many active projects each server has (servers with none are left out)."""
        ...

    async def save_active(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> Project:
        """The learner's one active project, added or updated with the checked draft, and their refused
        draft dropped, in one transaction. The post's ids are kept (set with `set_post`)."""
        ...

    async def set_post(self, project_id: int, channel_id: int | None, message_id: int | None,
                       thread_id: int | None) -> None:
        """Where the project's post and thread are (all None: it has none any more)."""
        ...

    async def withdraw(self, project_id: int, now: datetime) -> bool:
        ...

    async def add_many(self, projects: list[tuple[int, int, ProjectDraft]], now: datetime) -> None:
        """Active projects given as (guild, owner, draft), in one transaction (benchmarks, the sandbox)."""
        ...

    async def save_draft(self, guild_id: int, owner_id: int, draft: ProjectDraft, now: datetime) -> None:
        ...

    async def draft(self, guild_id: int, owner_id: int) -> ProjectDraft | None:
        ...
