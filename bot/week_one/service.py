"""What admins and the delivery ask of week one: its three posts with their next times (for
`/prompts list`), and each post's messages built from the database and the members given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import UserError
from bot.guild_setup.model import GuildConfig
from bot.learners.service import LearnerService
from bot.pairing.schedule import first_round_at
from bot.posting import OnceOnlyPoster, PostFailed, PostResult
from bot.scheduling import Delivery, DeliveryHandler, DuePost
from bot.scheduling.ledger import PostKey
from bot.scheduling.scheduler import Scheduler
from bot.tracks import Track
from bot.week_one import render
from bot.week_one.model import AnnouncedProject, WeekOneServer
from bot.week_one.render import Available, OutgoingMessage
from bot.week_one.repository import WeekOneRepository
from bot.week_one.schedule import (
    BY_HAND_KIND,
    BY_KEY,
    REMINDER,
    ROUNDUP,
    SAME_COHORT,
    WEEK_ONE_KIND,
    WEEK_ONE_POSTS,
    WeekOnePostSpec,
    deadline,
    due_at,
)
from bot.week_one.source import WeekOneDue, WeekOneSource


@dataclass(frozen=True)
class Learner:
    user_id: int
    discipline: str  # from the member's backend/frontend role


@dataclass(frozen=True)
class WeekOneListing:
    spec: WeekOnePostSpec
    due: datetime | None  # when it is (or was) due for this server's cohort start
    upcoming: bool  # still to be posted
    not_scheduled: str | None  # why there is no time, in words for an admin


class WeekOneService:
    def __init__(self, repository: WeekOneRepository, scheduler: Scheduler, poster: OnceOnlyPoster, clock: Clock,
                 tracks: tuple[Track, ...], learners: LearnerService) -> None:
        self._repository = repository
        self._poster = poster
        self._learners = learners  # the projects, and who looks for a partner
        self._scheduler = scheduler
        self._clock = clock
        self.source = WeekOneSource(repository, scheduler.shards)
        self.tracks = tracks

    async def server_configured(self, config: GuildConfig) -> None:
        """A changed cohort start, time zone or channel moves the posts: set the alarms again. A start
        in the past: what is ahead is posted as scheduled, and a post missed by less than the grace
        window is made now (late); older ones are not made."""
        await self._scheduler.reschedule()
        now = self._clock.now()
        missed = [post for post in await self.source.upcoming(config.guild_id, now - self._scheduler.grace,
                                                             len(WEEK_ONE_POSTS)) if post.due_at <= now]
        self._scheduler.make_missed(missed)

    async def server(self, guild_id: int) -> WeekOneServer | None:
        servers = await self._repository.servers(guild_id)
        return servers[0] if servers else None

    async def listing(self, guild_id: int) -> list[WeekOneListing]:
        server = await self.server(guild_id)
        if server is None:
            why = "needs a channel and a cohort start: set them with `/nexus setup`"
            return [WeekOneListing(spec, None, False, why) for spec in WEEK_ONE_POSTS]
        now = self._clock.now()
        upcoming = {p.key.ref for p in await self.source.upcoming(guild_id, now, len(WEEK_ONE_POSTS))}
        return [WeekOneListing(spec, due_at(spec, server.cohort_start, server.timezone), spec.ref in upcoming, None)
                for spec in WEEK_ONE_POSTS]

    async def not_made(self, guild_id: int) -> list[tuple[WeekOnePostSpec, datetime]]:
        """Week one's posts that will never be made: due longer ago than the grace window (a cohort
        start set in the past, or downtime) and not made. For the setup's answer and `/nexus status`."""
        server = await self.server(guild_id)
        if server is None:
            return []
        now = self._clock.now()
        due = [(spec, due_at(spec, server.cohort_start, server.timezone)) for spec in WEEK_ONE_POSTS]
        late = [(spec, at) for spec, at in due if at < now - self._scheduler.grace]
        if not late:
            return []
        since = late[0][1] - SAME_COHORT
        made = {ref for kind in (WEEK_ONE_KIND, BY_HAND_KIND)
                for guild, ref, _ in await self._repository.made_since(kind, since) if guild == guild_id}
        return [(spec, at) for spec, at in late if spec.ref not in made]

    async def post_by_hand(self, guild_id: int, key: str, deliver: DeliveryHandler) -> tuple[PostResult, int]:
        """Post now a week-one post the scheduler will not make (due before the grace window), marked
        late. Keyed by its original due time under its own kind: two presses, or two admins, make one
        post, and it then counts as made (not listed as "will not be posted", never made again by the
        scheduler for this cohort). Returns the result and the channel id."""
        spec = self.spec(key)
        server = await self.server(guild_id)
        if server is None:
            raise UserError("Week one needs a channel and a cohort start: run `/nexus setup` first.")
        at = due_at(spec, server.cohort_start, server.timezone)
        if (spec, at) not in await self.not_made(guild_id):
            now = self._clock.now()
            if at > now:
                raise UserError(f"The {spec.label} is still to come: Nexus posts it by itself at its time.")
            if at > now - self._scheduler.grace:
                hours = self._scheduler.grace.total_seconds() / 3600
                raise UserError(f"The {spec.label} was due less than {hours:g} hours ago, so Nexus posts it by itself "
                                "(late): see the channel.")
            raise UserError(f"The {spec.label} was already posted: see the channel.")
        post = DuePost(PostKey(guild_id, BY_HAND_KIND, spec.ref, at), server.channel_id, spec.label,
                       WeekOneDue(spec, server, deadline(server.cohort_start, server.timezone)))

        async def send(nonce: str) -> int:
            return await deliver(Delivery(post, nonce, late=True))

        try:
            return await self._poster.post(post.key, server.channel_id, send), server.channel_id
        except PostFailed as failed:
            raise UserError(f"I couldn't post the {spec.label}: {failed}") from None

    @staticmethod
    def spec(key: str) -> WeekOnePostSpec:
        spec = BY_KEY.get(key.strip().lower())
        if spec is None:
            raise UserError(f"There is no week-one post `{key[:40]}`.")
        return spec

    async def messages(self, spec: WeekOnePostSpec, server: WeekOneServer, available: Available,
                       learners: Iterable[Learner] | None = None) -> list[OutgoingMessage]:
        """The post's messages with the projects of this moment. `learners`: the members with the
        backend or frontend role (the reminder names those who have not announced)."""
        end = deadline(server.cohort_start, server.timezone)
        if spec is ROUNDUP:
            return render.roundup(await announced_projects(self._learners, server.guild_id), self.tracks, available,
                                  first_round_at(server.cohort_start, server.timezone))
        if spec is REMINDER:
            projects = await announced_projects(self._learners, server.guild_id)
            announced = {p.owner_id for p in projects}
            not_yet = [] if learners is None else [x.user_id for x in learners if x.user_id not in announced]
            return render.reminder(render.counts_of(projects), not_yet, end, server.channel_id, available,
                                   names_known=learners is not None)
        # Posted by hand days later, "week one starts today" would be wrong: it says when it started.
        today = self._clock.now().astimezone(ZoneInfo(server.timezone)).date()
        started = server.cohort_start if today != server.cohort_start else None
        return render.kickoff(server.channel_id, end, available, first_round_at(server.cohort_start, server.timezone),
                              started=started)


async def announced_projects(learners: LearnerService, guild_id: int) -> list[AnnouncedProject]:
    """The server's active projects as the week-one posts show them, `looking` as pairing decides it."""
    return [AnnouncedProject(p.owner_id, p.title, p.track, p.discipline, p.looking)
            for p in await learners.active_projects(guild_id)]
