"""Pairing of a server: profiles, `/pair find`, requests and their answers, pairs, the queue.
Rounds and their schedule are in `rounds_service.py`; both share the learners of `LearnerPool`.

Every check a member can fail raises UserError with the reason in words; every change that must be
all-or-nothing is one repository transaction (an accept, a leave)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.clock import Clock
from bot.errors import ChoiceNeeded, UserError
from bot.guild_setup.model import GuildConfig
from bot.guild_setup.service import parse_timezone
from bot.learners.service import LearnerService
from bot.pairing.availability_text import AvailabilityError, format_availability, parse_availability
from bot.pairing.fit import REASON_SEPARATOR, Fit, fit
from bot.pairing.learners import LearnerPool, monday_of
from bot.pairing.model import Learner
from bot.pairing.records import AlreadyPaired, Pair, PairRequest, PlannedPair, Profile
from bot.pairing.repository import PairingRepository
from bot.projects.model import Discipline, Project
from bot.projects.service import ProjectService
from bot.scheduling.scheduler import Scheduler

log = logging.getLogger(__name__)

FIND_LIMIT = 5
MAX_NOTE = 300
MAX_SKILLS = 200
MAX_REASON = 300
CHOOSE_DISCIPLINE = "Nexus doesn't know yet whether you're a backend or a frontend learner (you have {roles})."


def other(discipline: Discipline) -> Discipline:
    return "frontend" if discipline == "backend" else "backend"


@dataclass(frozen=True)
class Candidate:
    learner: Learner
    fit: Fit


@dataclass(frozen=True)
class FindResult:
    me: Learner
    discipline: Discipline
    candidates: list[Candidate]
    has_project: bool
    has_availability: bool


@dataclass(frozen=True)
class Accepted:
    pair: Pair
    request: PairRequest
    fit: Fit
    closed: list[PairRequest]  # the other open requests of the two, closed by this pair


@dataclass(frozen=True)
class PairStatus:
    discipline: Discipline | None
    pair: Pair | None
    outgoing: list[PairRequest]
    incoming: list[PairRequest]
    queued: bool
    profile: Profile | None
    looking: bool = False  # for a partner, as every other place shows it (bot.learners)


class PairingService:
    def __init__(self, repository: PairingRepository, pool: LearnerPool, projects: ProjectService, clock: Clock,
                 request_ttl: timedelta, scheduler: Scheduler, learners: LearnerService) -> None:
        self._repository = repository
        self._learners = learners  # told who was paired or left a pair (their projects' badges follow)
        # The automatic round is due only while someone waits: a queue that changes moves its alarm.
        self._scheduler = scheduler
        self._pool = pool
        self._projects = projects
        self._clock = clock
        self._request_ttl = request_ttl
        projects.on_change(self.project_changed)

    async def config(self, guild_id: int) -> GuildConfig:
        return await self._projects.config(guild_id)

    # --- who a member is -----------------------------------------------------------------------

    async def discipline(self, guild_id: int, member_id: int, role_ids: Collection[int]) -> Discipline | None:
        """From the configured roles (recorded in the profile, so others find the member), else the
        member's `/pair profile`, else their project's; None when nothing says (both roles or neither)."""
        config = await self.config(guild_id)
        from_roles = ProjectService.discipline_from_roles(config, role_ids)
        profile = await self._repository.profile(guild_id, member_id)
        if from_roles is not None:
            if profile is None or profile.discipline != from_roles:
                base = profile or Profile(guild_id, member_id, None, None, "", "", self._clock.now())
                await self._repository.save_profile(replace(base, discipline=from_roles, updated_at=self._clock.now()))
                if profile is None:
                    self._pool.note_discipline(guild_id, member_id, from_roles)
                else:  # a changed role moves a known learner to the other side
                    self._pool.forget(guild_id)
            return from_roles
        if profile is not None and profile.discipline is not None:
            return profile.discipline
        project = await self._projects.active(guild_id, member_id)
        return project.discipline if project is not None else None

    async def required_discipline(self, guild_id: int, member_id: int, role_ids: Collection[int]) -> Discipline:
        discipline = await self.discipline(guild_id, member_id, role_ids)
        if discipline is None:
            config = await self.config(guild_id)
            both = (config.backend_role_id in role_ids and config.frontend_role_id in role_ids
                    and config.backend_role_id is not None)
            roles = "both the backend and the frontend role" if both else "neither the backend nor the frontend role"
            raise ChoiceNeeded("discipline", CHOOSE_DISCIPLINE.format(roles=roles))
        return discipline

    async def profile(self, guild_id: int, member_id: int) -> Profile | None:
        return await self._repository.profile(guild_id, member_id)

    async def save_profile(self, guild_id: int, member_id: int, role_ids: Collection[int], *,
                           discipline: Discipline | None = None, timezone: str | None = None,
                           skills: str | None = None, availability: str | None = None) -> Profile:
        """Change what was given, keep the rest. The roles win over a chosen discipline."""
        config = await self.config(guild_id)
        from_roles = ProjectService.discipline_from_roles(config, role_ids)
        if discipline is not None and from_roles is not None and discipline != from_roles:
            raise UserError(f"Your server role makes you a {from_roles} learner; an admin changes roles, not "
                            "`/pair profile`.")
        current = await self._repository.profile(guild_id, member_id) or Profile(
            guild_id, member_id, None, None, "", "", self._clock.now())
        if timezone is not None:
            timezone = parse_timezone(timezone)
        if skills is not None:
            skills = " ".join(skills.split())
            if len(skills) > MAX_SKILLS:
                raise UserError(f"Skills are at most {MAX_SKILLS} characters; yours are {len(skills)}.")
        if availability is not None:
            try:
                availability = format_availability(parse_availability(availability))
            except AvailabilityError as exc:
                raise UserError(f"Availability: {exc}") from None
        saved = Profile(guild_id, member_id, from_roles or discipline or current.discipline,
                        timezone or current.timezone, current.skills if skills is None else skills,
                        current.availability if availability is None else availability, self._clock.now())
        await self._repository.save_profile(saved)
        self._pool.forget(guild_id)
        return saved

    # --- finding a partner ---------------------------------------------------------------------

    async def find(self, guild_id: int, member_id: int, role_ids: Collection[int],
                   limit: int = FIND_LIMIT) -> FindResult:
        """The best partners on the other side. Everything comes from the server's prepared learners
        (kept until pairing or a project changes), so a find reads the database only for a member
        pairing does not know yet."""
        config = await self.config(guild_id)
        prepared = await self._pool.prepared(guild_id, monday_of(self._clock.now()))
        discipline = ProjectService.discipline_from_roles(config, role_ids)
        if discipline is None or prepared.disciplines.get(member_id) != discipline:
            discipline = await self.required_discipline(guild_id, member_id, role_ids)  # records it
            prepared = await self._pool.prepared(guild_id, monday_of(self._clock.now()))
        if member_id in prepared.paired:
            await self._refuse_if_paired(guild_id, member_id)
        me = prepared.learner(member_id) or await self._pool.learner(guild_id, member_id, discipline)
        best = prepared.best_for(me, discipline, limit)
        return FindResult(me, discipline, [Candidate(learner, found) for learner, found in best],
                          member_id in prepared.project_owners, bool(me.availability))

    async def _refuse_if_paired(self, guild_id: int, member_id: int) -> None:
        pair = await self._repository.active_pair(guild_id, member_id)
        if pair is not None:
            raise UserError(f"You're already paired with <@{pair.partner_of(member_id)}>. To pair with someone "
                            "else, `/pair leave` first.")

    # --- requests ------------------------------------------------------------------------------

    async def request(self, guild_id: int, requester_id: int, requester_roles: Collection[int], target_id: int,
                      target_roles: Collection[int] | None, target_is_bot: bool, note: str) -> PairRequest:
        """A new pending request, checked: each refusal says why."""
        await self.config(guild_id)
        if target_id == requester_id:
            raise UserError("That's you: a request goes to another learner. `/pair find` shows who fits you.")
        if target_is_bot:
            raise UserError(f"<@{target_id}> is a bot: pairs are two learners.")
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise UserError(f"The note is at most {MAX_NOTE} characters; yours is {len(note)}.")
        mine = await self.required_discipline(guild_id, requester_id, requester_roles)
        theirs = await self.discipline(guild_id, target_id, target_roles or ())
        if theirs is None:
            raise UserError(f"<@{target_id}> hasn't said yet whether they're a backend or a frontend learner "
                            "(no role, profile or project), so they can't be asked yet.")
        if theirs == mine:
            raise UserError(f"<@{target_id}> is a {theirs} learner too: a pair is one backend and one frontend "
                            "learner.")
        await self._refuse_if_paired(guild_id, requester_id)
        partner = await self._repository.active_pair(guild_id, target_id)
        if partner is not None:
            raise UserError(f"<@{target_id}> is already paired. `/pair find` shows who is free.")
        if any(target_id in (p.backend_id, p.frontend_id) for p in await self._repository.pairs_of(guild_id,
                                                                                                   requester_id)):
            raise UserError(f"<@{target_id}> was your partner before, and Nexus never pairs the same two twice.")
        now = self._clock.now()
        for open_request in await self._repository.open_requests(guild_id, requester_id, now):
            if open_request.requester_id == target_id:
                raise UserError(f"<@{target_id}> already asked you: accept their request (in your DMs or the "
                                "channel) instead.")
        created = await self._repository.create_request(guild_id, requester_id, target_id, note, now,
                                                        now + self._request_ttl)
        if created is None:
            raise UserError(f"You already asked <@{target_id}>; the request is waiting for their answer. "
                            "`/pair cancel` withdraws it.")
        return created

    async def get_request(self, request_id: int) -> PairRequest | None:
        return await self._repository.get_request(request_id)

    async def delivered(self, request: PairRequest, channel_id: int, message_id: int, delivered_in: str) -> None:
        await self._repository.set_request_delivery(request.id, channel_id, message_id, delivered_in)

    async def answerable(self, guild_id: int, request_id: int, presser_id: int) -> PairRequest:
        """The request a button names, if this member may answer it now; else UserError saying why."""
        request = await self._repository.get_request(request_id)
        if request is None or request.guild_id != guild_id:
            raise UserError("This request doesn't exist in this server.")
        if presser_id != request.target_id:
            raise UserError(f"This request is for <@{request.target_id}>; only they can answer it.")
        if not request.is_open(self._clock.now()):
            raise UserError(self.decided_text(request))
        return request

    def decided_text(self, request: PairRequest) -> str:
        by = f"<@{request.requester_id}>"
        if request.status == "accepted":
            return f"This request is already decided: you accepted it and are paired with {by}."
        if request.status == "declined":
            return "This request is already decided: you declined it."
        if request.status == "cancelled":
            return f"{by} cancelled this request."
        if request.status == "closed":
            return "This request was closed: one of you is paired now (`/pair status` shows with whom)."
        return "This request has expired."

    async def accept(self, guild_id: int, request_id: int, presser_id: int) -> Accepted:
        request = await self.answerable(guild_id, request_id, presser_id)
        week = monday_of(self._clock.now())
        requester_side = await self.discipline(guild_id, request.requester_id, ())
        backend_id, frontend_id = ((request.requester_id, request.target_id) if requester_side != "frontend"
                                   else (request.target_id, request.requester_id))
        backend = await self._pool.learner(guild_id, backend_id, "backend")
        frontend = await self._pool.learner(guild_id, frontend_id, "frontend")
        pair_fit = fit(replace(backend, partner_ids=frozenset()), replace(frontend, partner_ids=frozenset()),
                       week=week)
        assert pair_fit is not None  # two different members, partner ids left out
        try:
            accepted = await self._repository.accept(
                request.id, PlannedPair(backend_id, frontend_id, REASON_SEPARATOR.join(pair_fit.reasons)),
                self._clock.now())
        except AlreadyPaired:
            raise UserError("One of you was paired with someone else a moment ago, so this request can't be "
                            "accepted any more.") from None
        finally:
            self._pool.forget(guild_id)
        if accepted is None:  # decided meanwhile (a second click, another device): say what happened
            latest = await self._repository.get_request(request.id)
            raise UserError(self.decided_text(latest or request))
        pair, closed = accepted
        await self._learners.changed(guild_id, (pair.backend_id, pair.frontend_id))
        return Accepted(pair, request, pair_fit, closed)

    async def decline(self, guild_id: int, request_id: int, presser_id: int) -> PairRequest:
        request = await self.answerable(guild_id, request_id, presser_id)
        declined = await self._repository.decide(request.id, "declined", self._clock.now())
        if declined is None:
            latest = await self._repository.get_request(request.id)
            raise UserError(self.decided_text(latest or request))
        return declined

    async def cancel(self, guild_id: int, member_id: int, target_id: int | None = None) -> list[PairRequest]:
        """Cancel the member's pending requests (to `target_id` only, when given)."""
        now = self._clock.now()
        mine = [r for r in await self._repository.open_requests(guild_id, member_id, now)
                if r.requester_id == member_id and (target_id is None or r.target_id == target_id)]
        if not mine:
            raise UserError("You have no pending request to cancel." if target_id is None
                            else f"You have no pending request to <@{target_id}>.")
        cancelled = [c for r in mine if (c := await self._repository.decide(r.id, "cancelled", now)) is not None]
        if not cancelled:
            raise UserError("Your request was answered a moment ago, so there is nothing to cancel.")
        return cancelled

    async def expire(self, request_id: int) -> PairRequest | None:
        """Called when a request's time is up: expired now, or None when it was decided before."""
        return await self._repository.expire(request_id, self._clock.now())

    # --- pairs ---------------------------------------------------------------------------------

    async def pair_fit(self, pair: Pair) -> Fit:
        """The pair's fit as of now, for the thread's first message (previous partners aside)."""
        backend = await self._pool.learner(pair.guild_id, pair.backend_id, "backend")
        frontend = await self._pool.learner(pair.guild_id, pair.frontend_id, "frontend")
        found = fit(replace(backend, partner_ids=frozenset()), replace(frontend, partner_ids=frozenset()),
                    week=monday_of(self._clock.now()))
        assert found is not None
        return found

    async def request_fit(self, request: PairRequest) -> Fit | None:
        """How the two of a request fit (shown to the target with the request)."""
        requester_side = await self.discipline(request.guild_id, request.requester_id, ())
        backend_id, frontend_id = ((request.requester_id, request.target_id) if requester_side != "frontend"
                                   else (request.target_id, request.requester_id))
        backend = await self._pool.learner(request.guild_id, backend_id, "backend")
        frontend = await self._pool.learner(request.guild_id, frontend_id, "frontend")
        return fit(backend, frontend, week=monday_of(self._clock.now()))

    async def opened_thread(self, pair: Pair, thread_id: int | None, message_id: int | None) -> None:
        await self._repository.set_pair_thread(pair.id, thread_id, message_id)

    async def active_pair(self, guild_id: int, member_id: int) -> Pair | None:
        return await self._repository.active_pair(guild_id, member_id)

    async def leave(self, guild_id: int, member_id: int, reason: str) -> Pair:
        reason = " ".join(reason.split())
        if len(reason) > MAX_REASON:
            raise UserError(f"The reason is at most {MAX_REASON} characters; yours is {len(reason)}.")
        pair = await self._repository.active_pair(guild_id, member_id)
        if pair is None:
            raise UserError("You're not in a pair right now. `/pair history` lists your earlier ones.")
        ended = await self._repository.end_pair(pair.id, member_id, reason, self._clock.now())
        self._pool.forget(guild_id)
        if ended is None:
            raise UserError("Your pair had already ended.")
        # Both look again unless they said otherwise: a project that looks for a partner puts its
        # owner back in the queue (pairing took them out), so the next round includes them.
        for member in (ended.backend_id, ended.frontend_id):
            project = await self._projects.active(guild_id, member)
            if project is not None and project.looking_for_partner:
                await self._repository.join_queue(guild_id, member, "project", self._clock.now())
        self._pool.forget(guild_id)
        await self._scheduler.reschedule()
        await self._learners.changed(guild_id, (ended.backend_id, ended.frontend_id))
        return ended

    async def member_left(self, guild_id: int, member_id: int) -> tuple[Pair | None, list[PairRequest]]:
        """A member left the server: nothing of pairing waits on them any more (see the repository)."""
        left = await self._repository.member_left(guild_id, member_id, self._clock.now())
        self._pool.forget(guild_id)
        if left[0] is not None:
            await self._learners.changed(guild_id, (left[0].backend_id, left[0].frontend_id))
        return left

    async def member_returned(self, guild_id: int, member_id: int) -> None:
        """A member who had left came back: they can be proposed and paired again."""
        if await self._repository.member_returned(guild_id, member_id):
            self._pool.forget(guild_id)

    async def history(self, guild_id: int, member_id: int) -> list[Pair]:
        return await self._repository.pairs_of(guild_id, member_id)

    async def status(self, guild_id: int, member_id: int, role_ids: Collection[int]) -> PairStatus:
        discipline = await self.discipline(guild_id, member_id, role_ids)
        now = self._clock.now()
        requests = await self._repository.open_requests(guild_id, member_id, now)
        queued = any(e.member_id == member_id for e in await self._repository.queue(guild_id))
        project = await self._projects.active(guild_id, member_id)
        return PairStatus(discipline, await self._repository.active_pair(guild_id, member_id),
                          [r for r in requests if r.requester_id == member_id],
                          [r for r in requests if r.target_id == member_id], queued,
                          await self._repository.profile(guild_id, member_id),
                          looking=await self._learners.looking(guild_id, member_id,
                                                               project is not None and project.looking_for_partner))

    async def counts(self, guild_id: int) -> tuple[int, int, int]:
        """(active pairs, members queued, open requests), for `/nexus status`."""
        return await self._repository.counts(guild_id, self._clock.now())

    # --- the queue -----------------------------------------------------------------------------

    async def join_queue(self, guild_id: int, member_id: int, role_ids: Collection[int]) -> bool:
        """True when the member joined now (False: they were queued already)."""
        await self.required_discipline(guild_id, member_id, role_ids)
        await self._refuse_if_paired(guild_id, member_id)
        joined = await self._repository.join_queue(guild_id, member_id, "command", self._clock.now())
        self._pool.forget(guild_id)
        await self._scheduler.reschedule()
        if joined:  # the queue says they look: their project's post shows the badge too
            await self._learners.changed(guild_id, (member_id,))
        return joined

    async def leave_queue(self, guild_id: int, member_id: int) -> None:
        if not await self._repository.leave_queue(guild_id, member_id):
            raise UserError("You're not in the queue. `/pair queue join` puts you in it.")
        self._pool.forget(guild_id)
        await self._learners.changed(guild_id, (member_id,))

    async def project_changed(self, project: Project) -> None:
        """A project looking for a partner puts its owner in the queue; withdrawing it, or no longer
        looking, takes out an owner the project had put there (one who joined by command stays)."""
        if project.status == "active" and project.looking_for_partner:
            if await self._repository.active_pair(project.guild_id, project.owner_id) is None:
                await self._repository.join_queue(project.guild_id, project.owner_id, "project", self._clock.now())
        else:
            await self._repository.leave_queue(project.guild_id, project.owner_id, only_via="project")
        self._pool.forget(project.guild_id)
        await self._scheduler.reschedule()
