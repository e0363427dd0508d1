"""The learners of a server as pairing sees them, built from the database: discipline (profile, else
project), time zone (profile, else the server's), availability, the project's track and the
knowledge-base topics its stack, description and the profile's skills name, whether they look for
a partner, and every partner they ever had.

Building them reads five tables and matches every project against the knowledge base's names, so a
server's learners are kept, with each side prepared for scoring, until pairing or a project of that
server changes (every such write calls `forget`) or a new week starts (availability is compared in
the week's own time-zone offsets)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.guild_setup.service import GuildSetupService
from bot.knowledge.service import KnowledgeService
from bot.learners.model import PartnerStates
from bot.learners.service import LearnerService
from bot.pairing.availability import weekly_intervals
from bot.pairing.availability_text import AvailabilityError, parse_availability
from bot.pairing.fit import Fit
from bot.pairing.model import Learner, WeeklyRange
from bot.pairing.pool import PreparedSide
from bot.pairing.repository import PairingRepository
from bot.projects.model import Discipline
from bot.tracks import Track

REMEMBERED_TEXTS = 50_000  # availability texts and project texts, over all servers


def monday_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


@dataclass
class PreparedServer:
    """One server's learners for one week. `free`: not in an active pair."""

    week: date
    timezone: str  # the server's: a learner's until they give their own
    learners: dict[int, Learner]
    disciplines: dict[int, Discipline]
    paired: frozenset[int]
    queued: tuple[int, ...]  # in queue order
    project_owners: frozenset[int] = frozenset()
    _sides: dict[Discipline, PreparedSide] = field(default_factory=dict)
    _found: dict[int, list[tuple[Learner, Fit]]] = field(default_factory=dict)

    def learner(self, member_id: int) -> Learner | None:
        return self.learners.get(member_id)

    def side(self, discipline: Discipline) -> PreparedSide:
        """Every free learner of that discipline, prepared for scoring (built on first use)."""
        side = self._sides.get(discipline)
        if side is None:
            free = [learner for member, learner in self.learners.items()
                    if self.disciplines[member] == discipline and member not in self.paired]
            side = self._sides[discipline] = PreparedSide(free, week=self.week)
        return side

    def best_for(self, learner: Learner, discipline: Discipline, limit: int) -> list[tuple[Learner, Fit]]:
        """The `limit` free learners of the other side who fit `learner` best, with their fits;
        remembered per learner for as long as this server's learners are (until something changes)."""
        found = self._found.get(learner.member_id)
        if found is None or len(found) < limit:
            other: Discipline = "frontend" if discipline == "backend" else "backend"
            found = self.side(other).best_for(learner, learner_is_backend=discipline == "backend", limit=limit)
            self._found[learner.member_id] = found
        return found[:limit]

    def queued_side(self, discipline: Discipline) -> list[Learner]:
        """Queued free learners of that discipline, in queue order."""
        return [self.learners[m] for m in self.queued
                if m in self.learners and self.disciplines[m] == discipline and m not in self.paired]


class LearnerPool:
    def __init__(self, repository: PairingRepository, guild_setup: GuildSetupService, knowledge: KnowledgeService,
                 learners: LearnerService, tracks: tuple[Track, ...]) -> None:
        self._repository = repository
        self._learners = learners  # the projects, and told whenever pairing changes (who looks for a partner)
        self._guild_setup = guild_setup
        self._knowledge = knowledge
        self._track_names = {track.key: track.name for track in tracks}
        self._servers: dict[int, PreparedServer] = {}
        self._generation: dict[int, int] = {}
        # What each stored text gives, kept across rebuilds: after a change most learners are the
        # same, and reading their availability and matching their project against the knowledge
        # base's names is most of a rebuild's time. Topics are matched again when the topics change.
        self._ranges: dict[str, tuple[WeeklyRange, ...]] = {}
        self._topics: dict[tuple[str, str, int], Mapping[int, str]] = {}
        self._topics_version = knowledge.topics_version

    def forget(self, guild_id: int) -> None:
        """Pairing or a project of this server changed: build its learners afresh on next use."""
        self._servers.pop(guild_id, None)
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1
        self._learners.forget(guild_id)

    async def watch(self) -> None:
        """Forget a server's learners whenever another process changes them (PostgreSQL: LISTEN):
        a pair formed from a DM reaches the process holding shard 0, whichever holds the server."""
        await self._repository.watch_learners(self._changed_elsewhere)

    def _changed_elsewhere(self, guild_id: int | None) -> None:
        # None: changes may have been missed (the listening connection was lost): forget them all.
        known = {guild_id} if guild_id is not None else {*self._servers, *self._generation}
        for guild in known:
            self.forget(guild)

    def note_discipline(self, guild_id: int, member_id: int, discipline: Discipline) -> None:
        """A member's discipline was recorded from their role: they are known to pairing now, with
        nothing else stored, so candidates of the server need not be prepared again for it (such a
        member joins the candidates at the next rebuild)."""
        server = self._servers.get(guild_id)
        if server is not None and member_id not in server.learners:
            server.learners[member_id] = Learner(member_id, server.timezone)
            server.disciplines[member_id] = discipline

    async def prepared(self, guild_id: int, week: date) -> PreparedServer:
        server = self._servers.get(guild_id)
        if server is not None and server.week == week:
            return server
        generation = self._generation.get(guild_id, 0)
        server = await self._build(guild_id, week)
        if self._generation.get(guild_id, 0) == generation:  # else it changed while being read
            self._servers[guild_id] = server
        return server

    async def learner(self, guild_id: int, member_id: int, discipline: Discipline) -> Learner:
        """The member as pairing sees them, also one with nothing stored yet (default zone, no topics)."""
        server = await self._build(guild_id, None, only=member_id)
        found = server.learner(member_id)
        if found is not None:
            return found
        config = await self._guild_setup.get(guild_id)
        pairs = await self._repository.pairs_of(guild_id, member_id)
        return Learner(member_id, config.timezone if config else "UTC",
                       partner_ids=frozenset(p.partner_of(member_id) for p in pairs))

    async def _build(self, guild_id: int, week: date | None, only: int | None = None) -> PreparedServer:
        config = await self._guild_setup.get(guild_id)
        server_zone = config.timezone if config else "UTC"
        profiles = {p.member_id: p for p in await self._repository.profiles(guild_id)}
        projects = {p.owner_id: p for p in await self._learners.active_projects(guild_id)}
        queue = await self._repository.queue(guild_id)
        pairs = await self._repository.all_pairs(guild_id)
        partners: dict[int, set[int]] = {}
        for pair in pairs:
            partners.setdefault(pair.backend_id, set()).add(pair.frontend_id)
            partners.setdefault(pair.frontend_id, set()).add(pair.backend_id)
        queued = tuple(entry.member_id for entry in queue)
        departed = await self._repository.departed(guild_id)
        paired = frozenset(m for p in pairs if p.active for m in (p.backend_id, p.frontend_id))
        states = PartnerStates(paired, frozenset(queued))
        members: Iterable[int] = ({*profiles, *projects, *queued} - departed) if only is None else (only,)
        learners: dict[int, Learner] = {}
        disciplines: dict[int, Discipline] = {}
        for member in members:
            profile, project = profiles.get(member), projects.get(member)
            discipline = (profile.discipline if profile is not None and profile.discipline is not None
                          else project.discipline if project is not None else None)
            if discipline is None:
                continue
            named = " ".join(part for part in (project.stack if project else "", profile.skills if profile else "")
                             if part)
            prose = project.description if project else ""
            learners[member] = Learner(
                member_id=member,
                timezone=(profile.timezone if profile is not None and profile.timezone else server_zone),
                availability=self._availability(profile.availability if profile else ""),
                track=project.track if project else None,
                track_name=self._track_names.get(project.track, project.track) if project else None,
                topics=await self._topics_of(named, prose, guild_id),
                looking=states.looking(member, bool(project and project.looking_for_partner)),
                partner_ids=frozenset(partners.get(member, ())),
            )
            disciplines[member] = discipline
            if week is not None:  # into the memo now: a find compares the finder's own week too
                weekly_intervals(learners[member], week)
        return PreparedServer(week or date.min, server_zone, learners, disciplines, paired, queued,
                              frozenset(projects))


    def _availability(self, text: str) -> tuple[WeeklyRange, ...]:
        ranges = self._ranges.get(text)
        if ranges is None:
            try:
                ranges = parse_availability(text)
            except AvailabilityError:  # stored by an older rule: better no availability than no learner
                ranges = ()
            if len(self._ranges) >= REMEMBERED_TEXTS:
                self._ranges.clear()
            self._ranges[text] = ranges
        return ranges

    async def _topics_of(self, named: str, prose: str, guild_id: int) -> Mapping[int, str]:
        """The topics of a learner's project and skills: the knowledge base's one answer to "which
        topics fit this project" (`KnowledgeService.project_topics`), the skills read as a stack."""
        if not named and not prose:
            return {}
        if self._topics_version != self._knowledge.topics_version:
            self._topics.clear()
            self._topics_version = self._knowledge.topics_version
        key = (named, prose, guild_id)
        topics = self._topics.get(key)
        if topics is None:
            topics = {hit.topic_id: hit.title
                      for hit in await self._knowledge.project_topics(named, prose, guild_id)}
            if len(self._topics) >= REMEMBERED_TEXTS:
                self._topics.clear()
            self._topics[key] = topics
        return topics
