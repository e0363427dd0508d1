"""Pairing rounds of a server: the plan (a dry run changes nothing), the round stored with its pairs
in one transaction under a key (a re-run finishes a round, never forms it twice), the automatic
round's schedule, and the scheduler's two sources of pairing: automatic rounds and request expiry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from bot.clock import Clock
from bot.errors import UserError
from bot.learners.service import LearnerService
from bot.pairing.fit import REASON_SEPARATOR
from bot.pairing.learners import LearnerPool, monday_of
from bot.pairing.records import PairRequest, PlannedPair, Round, RoundSchedule, RoundServer, StoredRound, UnmatchedEntry
from bot.pairing.repository import PairingRepository, RoundRepository
from bot.pairing.rounds import RoundPlan, UnmatchedReason, optimal_round
from bot.pairing.schedule import EXPIRY_KIND, ROUND_KIND, default_schedule, next_round_after, round_times
from bot.scheduling.ledger import PostKey
from bot.scheduling.scheduler import Scheduler
from bot.scheduling.sources import DuePost
from bot.scheduling.weekly import WEEKDAYS
from bot.shards import ShardPlan

REASON_CODES = {UnmatchedReason.NO_ONE_LEFT: "no-one-left",
                UnmatchedReason.ONLY_PREVIOUS_PARTNERS: "only-previous-partners"}
PARTNER_JUST_PAIRED = "partner-just-paired"


@dataclass(frozen=True)
class RoundDue:
    """The payload of a due automatic round."""

    guild_id: int
    channel_id: int
    due_at: datetime


def auto_round_key(due_at: datetime) -> str:
    return f"auto:{due_at.isoformat()}"


class RoundService:
    def __init__(self, repository: PairingRepository, rounds: RoundRepository, pool: LearnerPool,
                 scheduler: Scheduler, clock: Clock, learners: LearnerService) -> None:
        self._repository = repository
        self._learners = learners  # told who was paired (their projects stop looking)
        self._rounds = rounds
        self._pool = pool
        self._scheduler = scheduler
        self._clock = clock
        self.round_source = RoundSource(rounds, scheduler.shards)
        self.expiry_source = ExpirySource(repository, scheduler.shards)

    async def plan(self, guild_id: int) -> RoundPlan:
        """The round as it would be formed now over everyone queued and free; changes nothing."""
        week = monday_of(self._clock.now())
        server = await self._pool.prepared(guild_id, week)
        return optimal_round(server.queued_side("backend"), server.queued_side("frontend"), week=week)

    async def run(self, guild_id: int, round_key: str, started_by: int | None) -> StoredRound:
        """Form the round of this key (or return it as stored when it was formed before)."""
        plan = await self.plan(guild_id)
        stored = await self._rounds.store_round(
            guild_id, round_key, started_by, self._clock.now(),
            [PlannedPair(p.backend.member_id, p.frontend.member_id, REASON_SEPARATOR.join(p.fit.reasons))
             for p in plan.pairs],
            [UnmatchedEntry(u.learner.member_id, "backend" if u.side == "backend" else "frontend",
                            REASON_CODES[u.reason]) for u in plan.unmatched])
        self._pool.forget(guild_id)
        if stored.created:
            await self._learners.changed(guild_id, (m for p in stored.pairs for m in (p.backend_id, p.frontend_id)))
        await self._scheduler.reschedule()  # the queue changed: the next automatic round may differ
        return stored

    async def unfinished(self, guild_id: int | None = None) -> list[Round]:
        return await self._rounds.unfinished_rounds(guild_id)

    async def stored(self, round_: Round) -> StoredRound:
        return StoredRound(round_, await self._rounds.round_pairs(round_.id),
                           await self._rounds.round_unmatched(round_.id),
                           await self._rounds.closed_by_round(round_.id), False)

    async def complete(self, round_: Round, message_id: int | None) -> None:
        await self._rounds.complete_round(round_.id, message_id, self._clock.now())

    async def waiting(self, guild_id: int) -> int:
        return len(await self._repository.queue(guild_id))

    # --- the automatic round -------------------------------------------------------------------

    async def schedule(self, guild_id: int) -> tuple[RoundSchedule, RoundServer | None]:
        servers = await self._rounds.round_servers(guild_id)
        server = servers[0] if servers else None
        if server is None:
            stored = await self._rounds.schedule(guild_id)
            return stored or RoundSchedule(0, time(10), False, False), None
        return server.schedule or default_schedule(server.cohort_start), server

    async def next_round(self, guild_id: int) -> datetime | None:
        """When the automatic round runs next (whether anyone waits or not); None when paused or
        the server has no cohort start or channel."""
        schedule, server = await self.schedule(guild_id)
        if server is None:
            return None
        return next_round_after(server.cohort_start, server.timezone, schedule, self._clock.now())

    async def set_schedule(self, guild_id: int, by: int, *, weekday: str | None, at: str | None,
                           paused: bool | None) -> RoundSchedule:
        current, _server = await self.schedule(guild_id)
        day = current.weekday if weekday is None else _weekday(weekday)
        moment = current.at if at is None else _time_of_day(at)
        paused = current.paused if paused is None else paused
        await self._rounds.set_schedule(guild_id, day, moment, paused, by, self._clock.now())
        await self._scheduler.reschedule()
        return RoundSchedule(day, moment, paused, True)


_TIME_OF_DAY = re.compile(r"(?P<hours>[0-9]{1,2})(?::(?P<minutes>[0-9]{2}))?", re.ASCII)


def _weekday(text: str) -> int:
    typed = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if typed and (name == typed or (name[:3] == typed[:3] and name.startswith(typed))):
            return index
    raise UserError(f"`{text.strip()[:20]}` isn't a weekday: use monday … sunday.")


def _time_of_day(text: str) -> time:
    """24-hour `HH:MM` or a bare hour. Read by pattern, never by `int()` on whatever was typed: a
    23-digit number would overflow `time()` and other scripts' digits would pass `int()`."""
    typed = text.strip()
    match = _TIME_OF_DAY.fullmatch(typed)
    if match is None or int(match["hours"]) > 23 or int(match["minutes"] or 0) > 59:
        raise UserError(f"`{typed[:20]}` isn't a time of day: use 24-hour HH:MM, e.g. `10:00`.")
    return time(int(match["hours"]), int(match["minutes"] or 0))


# A round pairs everyone waiting and announces who is still waiting and why: what the old default
# prompt `find-your-partner` asked for, so that prompt within an hour of a round is not posted.
ROUND_PURPOSE = "find-your-partner"


class RoundSource:
    """The scheduler's view of automatic rounds (kind "pair-round"): due in servers with a channel and
    a cohort start, not paused, while anyone waits in the queue (read afresh each time)."""

    kind = ROUND_KIND

    def __init__(self, repository: RoundRepository, shards: ShardPlan | None = None) -> None:
        self._repository = repository
        self._shards = shards  # a sharded process's: only its servers are read

    async def _waiting(self) -> list[RoundServer]:
        return [server for server in await self._repository.round_servers(shards=self._shards) if server.waiting]

    @staticmethod
    def _due(server: RoundServer, at: datetime) -> DuePost:
        return DuePost(key=PostKey(server.guild_id, ROUND_KIND, "round", at), channel_id=server.channel_id,
                       label="automatic pairing round", payload=RoundDue(server.guild_id, server.channel_id, at),
                       requests=4, purpose=ROUND_PURPOSE)

    async def due_between(self, after: datetime, until: datetime) -> list[DuePost]:
        return [self._due(server, at) for server in await self._waiting()
                for at in round_times(server.cohort_start, server.timezone, server.schedule, after, until)]

    async def next_due_after(self, moment: datetime) -> datetime | None:
        times = [at for server in await self._waiting()
                 if (at := next_round_after(server.cohort_start, server.timezone, server.schedule, moment))]
        return min(times, default=None)

    async def upcoming(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        posts = []
        for server in await self._repository.round_servers(guild_id):
            at = next_round_after(server.cohort_start, server.timezone, server.schedule, after)
            if at is not None and server.waiting and limit > 0:
                posts.append(self._due(server, at))
        return posts


class ExpirySource:
    """Pending requests whose time is up (kind "pair-expiry"): the delivery expires each and tells
    both learners, once (the post ledger's claim)."""

    kind = EXPIRY_KIND

    def __init__(self, repository: PairingRepository, shards: ShardPlan | None = None) -> None:
        self._repository = repository
        self._shards = shards

    @staticmethod
    def _due(request: PairRequest) -> DuePost:
        return DuePost(key=PostKey(request.guild_id, EXPIRY_KIND, str(request.id), request.expires_at),
                       channel_id=request.channel_id or 0, label="pairing request expiry", payload=request,
                       requests=3)

    async def due_between(self, after: datetime, until: datetime) -> list[DuePost]:
        return [self._due(request) for request in await self._repository.expiring_between(after, until)
                if self._shards is None or self._shards.owns(request.guild_id)]

    async def next_due_after(self, moment: datetime) -> datetime | None:
        return await self._repository.next_expiry_after(moment)

    async def upcoming(self, guild_id: int, after: datetime, limit: int) -> list[DuePost]:
        return [self._due(request) for request in await self._repository.expiring_after(guild_id, after, limit)]
