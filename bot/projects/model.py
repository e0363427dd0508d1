"""A learner's project, what they typed in its form, and the program's tracks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Discipline = Literal["backend", "frontend"]
DISCIPLINES: tuple[Discipline, ...] = ("backend", "frontend")
ProjectStatus = Literal["active", "withdrawn"]

@dataclass(frozen=True)
class ProjectDraft:
    """What a learner gave: the command's options and the form's text, exactly as typed (checked
    by `validation.checked_draft`; kept as typed when refused, so the form reopens with it)."""

    track: str
    discipline: str
    looking_for_partner: bool
    title: str = ""
    description: str = ""
    stack: str = ""
    repo_url: str = ""


@dataclass(frozen=True)
class Project:
    id: int
    guild_id: int
    owner_id: int
    title: str
    track: str
    description: str
    stack: str
    repo_url: str | None
    discipline: Discipline
    looking_for_partner: bool
    status: ProjectStatus
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    created_at: datetime
    updated_at: datetime
    # Whether the owner looks for a partner now, as the one rule decides (bot.learners): their wish
    # (`looking_for_partner`, kept while they are paired) unless they are in a pair. Filled in by
    # the project service; what every post, list and badge shows.
    looking: bool = False

    @property
    def has_post(self) -> bool:
        return self.channel_id is not None and self.message_id is not None

    def as_draft(self) -> ProjectDraft:
        return ProjectDraft(track=self.track, discipline=self.discipline, looking_for_partner=self.looking_for_partner,
                            title=self.title, description=self.description, stack=self.stack,
                            repo_url=self.repo_url or "")


@dataclass(frozen=True)
class ProjectFilter:
    """`/project list`'s options: None means any."""

    track: str | None = None
    discipline: Discipline | None = None
    looking: bool | None = None


@dataclass(frozen=True)
class ProjectPage:
    projects: list[Project]
    page: int  # 0-based, within 0..page_count-1
    page_count: int
    total: int
