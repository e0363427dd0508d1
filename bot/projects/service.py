"""Projects of a server: one active project per learner, its form refused without losing a word,
the pages of `/project list`, and the knowledge-base topics that fit a project.

The cog posts to Discord; this service stores what was posted (`set_post`), so a post or thread a
moderator deleted is noticed by the cog the next time the project changes.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace

from bot.clock import Clock
from bot.db import saved_unless_refused_by_database
from bot.errors import ChoiceNeeded, UserError
from bot.guild_setup.model import GuildConfig
from bot.guild_setup.service import GuildSetupService
from bot.knowledge.model import SearchHit
from bot.learners.service import LearnerService
from bot.projects.model import Discipline, Project, ProjectDraft, ProjectFilter, ProjectPage
from bot.projects.repository import ProjectRepository
from bot.projects.validation import ProjectRefused, check_track, checked_draft
from bot.tracks import Track

PAGE_SIZE = 10
REMEMBERED_PAGES = 64  # per server; more filter/page combinations than members turn to between changes
REMEMBERED_ACTIVE = 1000  # per server: members whose project was looked up since the last change
ProjectListener = Callable[[Project], Awaitable[None]]
PICK_TRACK = "Pick your project's track to open the form."
PICK_DISCIPLINE = ("Pick your discipline, backend or frontend, to open the form: your roles don't say which "
                   "(you have both roles, or neither).")
NOT_SET_UP = ("Nexus isn't set up in this server yet, so there is no channel to announce projects in. "
              "An admin (Manage Server) runs `/nexus setup channel:#your-channel` first.")


def starting_draft(base: ProjectDraft | None, *, track: str | None, discipline: str | None,
                   from_roles: Discipline | None, looking: bool | None) -> ProjectDraft:
    """The form's starting point: what the learner last wrote (`base`: a refused form, else the
    current project) with the command's options on top; the discipline from the member's roles when
    no option says it. A track or discipline nothing gives is a ChoiceNeeded (the track first)."""
    chosen_track = track or (base.track if base else None)
    if chosen_track is None:
        raise ChoiceNeeded("track", PICK_TRACK)
    chosen = discipline or from_roles or (base.discipline if base else None)
    if chosen is None:
        raise ChoiceNeeded("discipline", PICK_DISCIPLINE)
    wanted = looking if looking is not None else (base.looking_for_partner if base else False)
    if base is None:
        return ProjectDraft(track=chosen_track, discipline=chosen, looking_for_partner=wanted)
    return replace(base, track=chosen_track, discipline=chosen, looking_for_partner=wanted)


class ProjectService:
    def __init__(self, projects: ProjectRepository, guild_setup: GuildSetupService, learners: LearnerService,
                 clock: Clock, tracks: tuple[Track, ...]) -> None:
        self._projects = projects
        self._guild_setup = guild_setup
        self._learners = learners  # who looks for a partner, and a project's topics
        self._clock = clock
        self.tracks = tracks
        # `/project list` pages and members' active projects as last read, per server, until a project
        # of that server changes. Every write to projects goes through this service, so it forgets them
        # exactly when they go stale; a read then costs no trip to the database, which is most of a
        # listing's time.
        self._pages: dict[int, dict[tuple[ProjectFilter, int], ProjectPage]] = {}
        self._actives: dict[int, dict[int, Project | None]] = {}
        self._listeners: list[ProjectListener] = []
        # Forms that could not be kept in the database (busy, or its disk full): kept here until the
        # learner saves, so nothing typed is lost.
        self._unsaved: dict[tuple[int, int], ProjectDraft] = {}
        learners.on_forget(self._forget_pages)  # who looks for a partner changed: so did the lists

    def on_change(self, listener: ProjectListener) -> None:
        """Call `listener` with a project after it is saved or withdrawn (pairing's queue follows it)."""
        self._listeners.append(listener)

    async def _changed(self, project: Project) -> None:
        for listener in self._listeners:
            await listener(project)

    def track_name(self, key: str) -> str:
        return next((t.name for t in self.tracks if t.key == key), key)

    async def config(self, guild_id: int) -> GuildConfig:
        """The server's set-up, or a UserError telling admins what to run."""
        config = await self._guild_setup.get(guild_id)
        if config is None or config.channel_id is None:
            raise UserError(NOT_SET_UP)
        return config

    @staticmethod
    def discipline_from_roles(config: GuildConfig, role_ids: Collection[int]) -> Discipline | None:
        """The discipline a member's roles give: None with both roles or neither (they must pick)."""
        backend = config.backend_role_id is not None and config.backend_role_id in role_ids
        frontend = config.frontend_role_id is not None and config.frontend_role_id in role_ids
        if backend == frontend:
            return None
        return "backend" if backend else "frontend"

    # --- one learner's project ---------------------------------------------------------------

    async def form_draft(self, guild_id: int, owner_id: int, role_ids: Collection[int], *, editing: bool,
                         track: str | None = None, discipline: str | None = None,
                         looking: bool | None = None) -> ProjectDraft:
        """What `/project announce` or `/project edit` opens its form with (see `starting_draft`);
        a ChoiceNeeded when the track or the discipline must be picked first."""
        config = await self.config(guild_id)
        if track is not None:  # Discord offers only the tracks; a stale or hand-made command may not
            check_track(track, self.tracks)
        current = await self.active(guild_id, owner_id)
        if editing and current is None:
            raise UserError("You have no announced project to edit: run `/project announce` first.")
        # A refused form not saved since comes back as it was written; else the stored project.
        base = await self.refused_draft(guild_id, owner_id) or (current.as_draft() if current else None)
        return starting_draft(base, track=track, discipline=discipline, looking=looking,
                              from_roles=self.discipline_from_roles(config, role_ids))

    async def active(self, guild_id: int, owner_id: int) -> Project | None:
        remembered = self._actives.setdefault(guild_id, {})
        if owner_id in remembered:
            return remembered[owner_id]
        stored = await self._projects.active(guild_id, owner_id)
        project = await self._learners.resolved(stored) if stored is not None else None
        if self._actives.get(guild_id) is remembered:  # else a project changed while it was read
            if len(remembered) >= REMEMBERED_ACTIVE:
                remembered.clear()
            remembered[owner_id] = project
        return project

    async def save(self, guild_id: int, owner_id: int, draft: ProjectDraft) -> Project:
        """Check the draft and save it as the learner's one active project (new, or updated). Refused
        (ProjectRefused), it is kept as written for `draft()` to reopen."""
        await self.config(guild_id)
        try:
            checked = checked_draft(draft, self.tracks)
        except ProjectRefused:
            await self.keep_draft(guild_id, owner_id, draft)
            raise
        saved = await self._projects.save_active(guild_id, owner_id, checked, self._clock.now())
        self._unsaved.pop((guild_id, owner_id), None)
        self._forget_pages(guild_id)
        await self._changed(saved)  # pairing's queue follows it, so `looking` is decided after
        return await self._learners.resolved(saved)

    async def keep_draft(
        self, guild_id: int, owner_id: int, draft: ProjectDraft, refused: UserError | None = None
    ) -> None:
        """Keep what the learner wrote for the form to reopen with: in the database, or in memory when
        it can't be written just now: when the database is what `refused` the form (busy, its wait
        already spent on the form; or unwritable), it isn't tried again."""
        if await saved_unless_refused_by_database(
                lambda: self._projects.save_draft(guild_id, owner_id, draft, self._clock.now()), refused):
            self._unsaved.pop((guild_id, owner_id), None)
        else:
            self._unsaved[(guild_id, owner_id)] = draft

    async def refused_draft(self, guild_id: int, owner_id: int) -> ProjectDraft | None:
        """What the learner wrote in a form that was refused and not saved since, if anything."""
        return self._unsaved.get((guild_id, owner_id)) or await self._projects.draft(guild_id, owner_id)

    async def draft(self, guild_id: int, owner_id: int) -> ProjectDraft:
        """What the learner last wrote in a refused form (else their project as stored)."""
        draft = await self.refused_draft(guild_id, owner_id)
        if draft is not None:
            return draft
        current = await self._projects.active(guild_id, owner_id)
        if current is None:
            raise UserError("There is nothing of yours to reopen: run `/project announce`.")
        return current.as_draft()

    async def set_post(self, project: Project, channel_id: int | None, message_id: int | None,
                       thread_id: int | None) -> None:
        await self._projects.set_post(project.id, channel_id, message_id, thread_id)
        self._forget_pages(project.guild_id)

    async def withdraw(self, guild_id: int, owner_id: int) -> Project:
        project = await self._projects.active(guild_id, owner_id)
        if project is None or not await self._projects.withdraw(project.id, self._clock.now()):
            raise UserError("You have no announced project to withdraw.")
        self._forget_pages(guild_id)
        withdrawn = await self._projects.get(project.id)
        assert withdrawn is not None
        await self._changed(withdrawn)
        return await self._learners.resolved(withdrawn)

    # --- the server's projects ---------------------------------------------------------------

    async def page(self, guild_id: int, wanted: ProjectFilter, page: int) -> ProjectPage:
        """One page of the server's active projects, newest first (a page past the end shows the last)."""
        if wanted.track is not None:
            check_track(wanted.track, self.tracks)
        page = max(page, 0)
        remembered = self._pages.setdefault(guild_id, {})
        if (found := remembered.get((wanted, page))) is not None:
            return found
        states = await self._learners.partner_states(guild_id)
        projects, total = await self._projects.newest(guild_id, wanted, states, page * PAGE_SIZE, PAGE_SIZE)
        page_count = max(1, math.ceil(total / PAGE_SIZE))
        if page >= page_count:  # past the end (projects withdrawn since): the last page
            page = page_count - 1
            projects, total = await self._projects.newest(guild_id, wanted, states, page * PAGE_SIZE, PAGE_SIZE)
        shown = ProjectPage([replace(p, looking=states.looking(p.owner_id, p.looking_for_partner)) for p in projects],
                            page, page_count, total)
        if self._pages.get(guild_id) is remembered:  # else a project changed while this page was read
            if len(remembered) >= REMEMBERED_PAGES:
                remembered.clear()
            remembered[(wanted, page)] = shown
        return shown

    def _forget_pages(self, guild_id: int) -> None:
        """After a write (never before: a read meanwhile could be remembered stale)."""
        self._pages.pop(guild_id, None)
        self._actives.pop(guild_id, None)

    async def suggested_topics(self, project: Project) -> list[SearchHit]:
        """The knowledge-base topics that fit the project (the one answer, from `bot.learners`)."""
        return await self._learners.project_topics(project)
