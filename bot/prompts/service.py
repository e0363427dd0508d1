"""What admins do with prompts (`/prompts …`) and what `/nexus setup` gives a server.

Every change is checked in full before anything is written, and the scheduler is told after each
one (`reschedule`), so its alarm is always set for the next post the database says is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.clock import Clock
from bot.cohort import program_week
from bot.db import saved_unless_refused_by_database
from bot.errors import FormRefused, Problems, UserError
from bot.guild_setup.model import GuildConfig
from bot.guild_setup.repository import GuildConfigRepository
from bot.learners.service import LearnerService
from bot.posting import OnceOnlyPoster, PostFailed, PostResult
from bot.prompts.defaults import PromptDefaults
from bot.prompts.model import Prompt, PromptDraft, PromptListing, PromptPost, ServerSchedule, weeks_to_text
from bot.prompts.parsing import parse_key, parse_time, parse_weeks, shown
from bot.prompts.repository import PromptRepository
from bot.prompts.schedule import FireTime, next_fire_time, why_not_scheduled
from bot.prompts.source import MANUAL_KIND, PromptSource, label, prompt_post
from bot.prompts.template import check_template, placeholders_used
from bot.scheduling import Delivery, DeliveryHandler, DuePost
from bot.scheduling.ledger import PostKey
from bot.scheduling.scheduler import Scheduler

log = logging.getLogger(__name__)

MAX_CHOICES = 25
COHORT_PLACEHOLDERS = {"week", "next_week", "cohort_start"}


class PromptRefused(FormRefused):
    """A prompt's form could not be saved (every problem named); what the admin wrote is kept for the
    form to reopen."""


@dataclass(frozen=True)
class Preview:
    prompt: Prompt
    post: PromptPost
    next_at: FireTime | None
    notes: tuple[str, ...]  # what the admin should know (no channel, no cohort start…)


class PromptService:
    def __init__(self, prompts: PromptRepository, configs: GuildConfigRepository, scheduler: Scheduler,
                 poster: OnceOnlyPoster, clock: Clock, defaults: PromptDefaults, learners: LearnerService) -> None:
        self._prompts = prompts
        self._learners = learners  # the counts the placeholders show
        self._configs = configs
        # Forms that could not be kept in the database (busy, or its disk full), until saved.
        self._unsaved: dict[tuple[int, int], PromptDraft] = {}
        self._scheduler = scheduler
        self._poster = poster
        self._clock = clock
        self.defaults = defaults
        self.source = PromptSource(prompts, learners, defaults.program_weeks, scheduler.shards)

    @property
    def program_weeks(self) -> int:
        return self.defaults.program_weeks

    # --- setup -------------------------------------------------------------------------------

    async def server_configured(self, config: GuildConfig) -> None:
        """After `/nexus setup`: the default prompts the first time, and the alarms again (the
        channel, time zone or cohort start may have changed when posts fall due)."""
        if await self._prompts.give_defaults(config.guild_id, self.defaults.prompts, self._clock.now()):
            log.info("gave server %s the %d default prompts", config.guild_id, len(self.defaults.prompts))
        await self._scheduler.reschedule()

    # --- reading -----------------------------------------------------------------------------

    async def get(self, guild_id: int, key_text: str) -> Prompt:
        prompt = await self._prompts.get(guild_id, parse_key(key_text))
        if prompt is None:
            raise UserError(f"There is no prompt `{shown(key_text)}` in this server: `/prompts list` shows them.")
        return prompt

    async def keys(self, guild_id: int, typed: str) -> list[str]:
        return await self._prompts.keys(guild_id, typed.strip().lower()[:64], MAX_CHOICES)

    async def listing(self, guild_id: int) -> list[PromptListing]:
        server = await self._server(guild_id)
        now = self._clock.now()
        listings = []
        for prompt in await self._prompts.for_guild(guild_id):
            why = why_not_scheduled(prompt, server, now, self.program_weeks)
            fire = None if why or server is None else next_fire_time(prompt, server, now, self.program_weeks)
            listings.append(PromptListing(prompt, fire.at if fire else None, why))
        return listings

    async def next_post(self, prompt: Prompt) -> FireTime | None:
        server = await self._server(prompt.guild_id)
        if server is None or why_not_scheduled(prompt, server, self._clock.now(), self.program_weeks):
            return None
        return next_fire_time(prompt, server, self._clock.now(), self.program_weeks)

    async def preview(self, guild_id: int, key_text: str) -> Preview:
        """The prompt as it would be posted now, with today's numbers; posts nothing."""
        prompt = await self.get(guild_id, key_text)
        server = await self._server(guild_id) or ServerSchedule(guild_id, None, "UTC", None)
        notes = []
        if server.channel_id is None:
            notes.append("No channel is set: run `/nexus setup` to choose where prompts are posted.")
        missing = placeholders_used(prompt.text) & COHORT_PLACEHOLDERS
        if missing and server.cohort_start is None:
            names = ", ".join(f"`{{{name}}}`" for name in sorted(missing))
            notes.append(f"{names} show as `?` until a cohort start is set with `/nexus setup cohort_start`.")
        reason = why_not_scheduled(prompt, server, self._clock.now(), self.program_weeks)
        if reason:
            notes.append(f"Not scheduled: {reason}.")
        fire = await self.next_post(prompt)
        # As it will be posted next (its week, its date), with the numbers of today.
        return Preview(prompt, await self._render_now(prompt, server, fire), fire, tuple(notes))

    # --- admins' changes ---------------------------------------------------------------------

    async def check_new(self, guild_id: int, draft: PromptDraft) -> PromptDraft:
        """The options of `/prompts add`, checked before the form for the text opens."""
        prompt = self._checked(guild_id, draft, text_too=False)
        if await self._prompts.get(guild_id, prompt.key) is not None:
            raise UserError(f"This server has a prompt `{prompt.key}` already: change it with `/prompts edit`, "
                            "or pick another key.")
        return replace(draft, key=prompt.key, time_text=f"{prompt.at:%H:%M}", weeks_text=weeks_to_text(prompt.weeks))

    async def start_edit(self, guild_id: int, key_text: str, *, weekday: int | None = None,
                         time_text: str | None = None, weeks_text: str | None = None,
                         open_thread: bool | None = None) -> PromptDraft:
        """The form of `/prompts edit`: the prompt as it is, with the options given applied (checked now)."""
        prompt = await self.get(guild_id, key_text)
        draft = PromptDraft(
            key=prompt.key,
            weekday=prompt.weekday if weekday is None else weekday,
            time_text=f"{prompt.at:%H:%M}" if time_text is None else time_text,
            weeks_text=weeks_to_text(prompt.weeks) if weeks_text is None else weeks_text,
            open_thread=prompt.open_thread if open_thread is None else open_thread,
            text=prompt.text,
            original_key=prompt.key,
        )
        checked = self._checked(guild_id, draft, text_too=False)
        return replace(draft, time_text=f"{checked.at:%H:%M}", weeks_text=weeks_to_text(checked.weeks))

    async def save(self, guild_id: int, actor_id: int, draft: PromptDraft) -> Prompt:
        """Save a prompt's form: a new prompt, or the changed one. Refused (PromptRefused), the form
        is kept as the admin wrote it, for `draft()` to reopen."""
        try:
            prompt = self._checked(guild_id, draft, text_too=True)
            now = self._clock.now()
            if draft.original_key is None:
                if not await self._prompts.add(prompt, actor_id, now):
                    raise UserError(f"This server has a prompt `{prompt.key}` already (added meanwhile?): change "
                                    "the key in the form, or edit that prompt with `/prompts edit`.")
            else:
                current = await self._prompts.get(guild_id, draft.original_key)
                if current is None:
                    raise UserError(f"The prompt `{draft.original_key}` was removed meanwhile: add it again with "
                                    "`/prompts add`.")
                prompt = replace(prompt, paused=current.paused, source=current.source)
                if not await self._prompts.update(prompt, actor_id, now):
                    raise UserError(f"The prompt `{draft.original_key}` was removed meanwhile.")
        except UserError as refused:
            await self._keep_draft(guild_id, actor_id, draft, refused)
            raise PromptRefused(*(refused.problems if isinstance(refused, FormRefused) else (str(refused),))) from None
        self._unsaved.pop((guild_id, actor_id), None)
        await self._prompts.delete_draft(guild_id, actor_id)
        await self._scheduler.reschedule()
        log.info("admin %s saved prompt %s in server %s", actor_id, prompt.key, guild_id)
        return prompt

    async def _keep_draft(self, guild_id: int, actor_id: int, draft: PromptDraft, refused: UserError) -> None:
        """Keep the refused form for `draft()` to reopen: in the database, or in memory when the database
        is what refused it (busy, its wait already spent on the form; or unwritable)."""
        if await saved_unless_refused_by_database(
                lambda: self._prompts.save_draft(guild_id, actor_id, draft, self._clock.now()), refused):
            self._unsaved.pop((guild_id, actor_id), None)  # else an older form kept in memory reopened
        else:
            self._unsaved[(guild_id, actor_id)] = draft

    async def draft(self, guild_id: int, admin_id: int) -> PromptDraft:
        draft = self._unsaved.get((guild_id, admin_id)) or await self._prompts.draft(guild_id, admin_id)
        if draft is None:
            raise UserError("That form was saved or replaced since: `/prompts list` shows the prompts as they are.")
        return draft

    async def remove(self, guild_id: int, key_text: str) -> Prompt:
        prompt = await self.get(guild_id, key_text)
        if not await self._prompts.remove(guild_id, prompt.key):
            raise UserError(f"The prompt `{prompt.key}` was removed already.")
        await self._scheduler.reschedule()
        return prompt

    async def set_paused(self, guild_id: int, key_text: str, paused: bool, actor_id: int) -> Prompt:
        prompt = await self.get(guild_id, key_text)
        if prompt.paused == paused:
            state = "paused" if paused else "running"
            raise UserError(f"The prompt `{prompt.key}` is {state} already.")
        changed = replace(prompt, paused=paused)
        if not await self._prompts.update(changed, actor_id, self._clock.now()):
            raise UserError(f"The prompt `{prompt.key}` was removed meanwhile.")
        await self._scheduler.reschedule()
        return changed

    async def post_now(self, guild_id: int, key_text: str, deliver: DeliveryHandler) -> tuple[PostResult, int]:
        """Post the prompt at once (paused or not), recorded in the ledger as a manual post; returns
        the result and the channel id."""
        prompt = await self.get(guild_id, key_text)
        server = await self._server(guild_id)
        if server is None or server.channel_id is None:
            raise UserError("No channel is set for prompts: run `/nexus setup` to choose one first.")
        now = self._clock.now()
        post = DuePost(PostKey(guild_id, MANUAL_KIND, prompt.key, now), server.channel_id, label(prompt.key),
                       await self._render_now(prompt, server), requests=2 if prompt.open_thread else 1)

        async def send(nonce: str) -> int:
            return await deliver(Delivery(post, nonce, late=False))

        try:
            return await self._poster.post(post.key, server.channel_id, send), server.channel_id
        except PostFailed as failed:
            raise UserError(f"I couldn't post `{prompt.key}`: {failed}") from None

    # --- helpers -----------------------------------------------------------------------------

    def _checked(self, guild_id: int, draft: PromptDraft, *, text_too: bool) -> Prompt:
        """The prompt a form or the options describe; every problem at once, as a FormRefused."""
        problems = Problems()
        if not 0 <= draft.weekday <= 6:
            problems.found.append("Pick the weekday from the list.")
        key = problems.check(lambda: parse_key(draft.key))
        at = problems.check(lambda: parse_time(draft.time_text))
        weeks = problems.check(lambda: parse_weeks(draft.weeks_text, self.program_weeks))
        if text_too:
            problems.check(lambda: check_template(draft.text))
        if problems.found:
            raise FormRefused(*problems.found)
        assert key is not None and at is not None and weeks is not None
        return Prompt(guild_id=guild_id, key=key, weekday=draft.weekday, at=at, text=draft.text.strip(), weeks=weeks,
                      open_thread=draft.open_thread)

    async def _server(self, guild_id: int) -> ServerSchedule | None:
        config = await self._configs.get(guild_id)
        if config is None:
            return None
        return ServerSchedule(guild_id, config.channel_id, config.timezone, config.cohort_start)

    async def _render_now(self, prompt: Prompt, server: ServerSchedule, fire: FireTime | None = None) -> PromptPost:
        """The prompt with today's numbers, as posted at `fire` (default: now)."""
        if fire is None:
            today = self._clock.today_in(server.timezone)
            week = program_week(server.cohort_start, today) if server.cohort_start else None
            fire = FireTime(today, self._clock.now(), week)
        counts = (await self._learners.counts([prompt.guild_id]))[prompt.guild_id]
        return prompt_post(prompt, server, fire, counts)
