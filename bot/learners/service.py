"""The facts about a server's learners that week one, prompts, project lists and pairing all show,
decided here once: whether a learner looks for a partner (`PartnerStates.looking`), the counts the
posts show, and which knowledge-base topics fit a project (`project_topics`). Each fact is read
from the repository of the feature that owns it (projects from projects, pairs and the queue from
pairing), so no repository reads another feature's table and no two places decide differently.

Pairing tells this service when pairs or the queue change (`changed`); the listeners (a project's
post shows its owner's badge) are told which members changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import replace

from bot.knowledge.model import SearchHit
from bot.knowledge.service import KnowledgeService
from bot.learners.model import CohortCounts, PartnerStates
from bot.pairing.repository import PairingRepository
from bot.projects.model import Project
from bot.projects.repository import ProjectRepository

MAX_PROJECT_TOPICS = 5
ChangeListener = Callable[[int, frozenset[int]], Awaitable[None]]


class LearnerService:
    def __init__(self, projects: ProjectRepository, pairing: PairingRepository, knowledge: KnowledgeService) -> None:
        self._projects = projects
        self._pairing = pairing
        self._knowledge = knowledge
        self._states: dict[int, PartnerStates] = {}  # per server, until pairing changes there
        self._generation: dict[int, int] = {}
        self._listeners: list[ChangeListener] = []
        self._forgetters: list[Callable[[int], None]] = []

    # --- looking for a partner -----------------------------------------------------------------

    async def partner_states(self, guild_id: int) -> PartnerStates:
        states = self._states.get(guild_id)
        if states is None:
            generation = self._generation.get(guild_id, 0)
            paired = await self._pairing.paired_members(guild_id)
            queued = frozenset(entry.member_id for entry in await self._pairing.queue(guild_id))
            states = PartnerStates(paired, queued)
            if self._generation.get(guild_id, 0) == generation:  # else it changed while being read
                self._states[guild_id] = states
        return states

    async def looking(self, guild_id: int, member_id: int, wants_partner: bool) -> bool:
        return (await self.partner_states(guild_id)).looking(member_id, wants_partner)

    async def resolved(self, project: Project) -> Project:
        """The project with `looking` decided by the one rule (its stored wish, the queue, a pair)."""
        states = await self.partner_states(project.guild_id)
        return replace(project, looking=project.status == "active"
                       and states.looking(project.owner_id, project.looking_for_partner))

    async def active_projects(self, guild_id: int) -> list[Project]:
        """The server's active projects, oldest announcement first, each with `looking` decided."""
        states = await self.partner_states(guild_id)
        return [replace(p, looking=states.looking(p.owner_id, p.looking_for_partner))
                for p in await self._projects.all_active(guild_id)]

    def on_change(self, listener: ChangeListener) -> None:
        """Call `listener(guild_id, members)` after pairs or the queue of a server changed."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def off_change(self, listener: ChangeListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def on_forget(self, forget: Callable[[int], None]) -> None:
        """Call `forget(guild_id)` whenever who looks for a partner may have changed there (a list
        of projects remembered with its badges is stale then)."""
        self._forgetters.append(forget)

    def forget(self, guild_id: int) -> None:
        """Pairing or the queue changed in this server: read the states afresh on next use."""
        self._states.pop(guild_id, None)
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1
        for forget in self._forgetters:
            forget(guild_id)

    async def changed(self, guild_id: int, members: Iterable[int]) -> None:
        """Pairs formed or ended for `members`: forget, then tell the listeners (posts follow)."""
        self.forget(guild_id)
        who = frozenset(members)
        for listener in self._listeners:
            await listener(guild_id, who)

    # --- counts ----------------------------------------------------------------------------------

    async def counts(self, guild_ids: Collection[int]) -> dict[int, CohortCounts]:
        """Active projects and current pairs of each server, for `{projects}` and `{pairs}`."""
        wanted = sorted(set(guild_ids))
        projects = await self._projects.count_active(wanted)
        pairs = await self._pairing.count_active_pairs(wanted)
        return {g: CohortCounts(projects.get(g, 0), pairs.get(g, 0)) for g in wanted}

    # --- a project's topics ----------------------------------------------------------------------

    async def project_topics(self, project: Project) -> list[SearchHit]:
        """The knowledge-base topics that fit a project: the one answer the project's thread,
        `/project show`, `/pair find`'s reasons and a pair's thread all give."""
        return await self._knowledge.project_topics(project.stack, project.description, project.guild_id,
                                                    MAX_PROJECT_TOPICS)
