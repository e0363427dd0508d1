"""`/pair …`: profiles, finding a partner, requests, the pair itself, the queue, and (Manage Server)
rounds and their schedule. Thin: parse, call `PairingService` / `RoundService`, render with `_embeds`;
requests and their buttons are in `_requests`, what reaches members outside a reply in `_deliver`.
Answers are private; member text is sent with mentions off."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, timedelta
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.errors import ChoiceNeeded
from bot.guild_setup.service import timezone_choices
from bot.pairing.records import Profile
from bot.pairing.rounds_service import RoundService
from bot.pairing.schedule import EXPIRY_KIND, ROUND_KIND
from bot.pairing.service import PairingService
from bot.posting import CLAIM_LEASE, PostNotMade
from bot.projects.model import Discipline
from bot.timezones import find_zone
from cogs._checks import requires
from cogs._choices import DISCIPLINE_CHOICES, WEEKDAY_CHOICES
from cogs._feedback import reply_private
from cogs._guarded import guild_of
from cogs._outbox import tell
from cogs._style import NO_MENTIONS, timestamp
from cogs.pair._choice import DYNAMIC_ITEMS as CHOICE_ITEMS
from cogs.pair._choice import ask_discipline, find_answer, queue_join_answer
from cogs.pair._deliver import ExpiryDelivery, RoundDelivery, edit_quietly, finish_round, finish_unfinished
from cogs.pair._embeds import history_embed, plan_embed, profile_embed, schedule_text, status_embed
from cogs.pair._requests import DYNAMIC_ITEMS, role_ids, send_request

log = logging.getLogger(__name__)

READY_WAIT = 60.0
RESUME_TRIES = 5  # times a start tries to finish rounds cut short, a claim lease apart


@app_commands.guild_only()
class PairCog(commands.GroupCog, group_name="pair", group_description="Find a partner on the other side and pair up"):
    queue = app_commands.Group(name="queue", description="The queue of learners waiting for the next pairing round")

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self.round_delivery = RoundDelivery(bot)
        self.expiry_delivery = ExpiryDelivery(bot)
        self._resume: asyncio.Task[None] | None = None
        self._finishing = asyncio.Lock()  # one resume of rounds cut short at a time
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, *CHOICE_ITEMS)
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.set_delivery(ROUND_KIND, self.round_delivery)
            scheduler.set_delivery(EXPIRY_KIND, self.expiry_delivery)
            scheduler.after_tick(self._finish_after_tick)
            self._resume = asyncio.create_task(self._finish_cut_short())

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS, *CHOICE_ITEMS)
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.remove_delivery(ROUND_KIND)
            scheduler.remove_delivery(EXPIRY_KIND)
            scheduler.remove_after_tick(self._finish_after_tick)
        if self._resume is not None:
            self._resume.cancel()

    async def _finish_cut_short(self) -> None:
        """A round a crash or restart cut short is finished once the bot is connected. A step the dead
        process had claimed waits for the claim's lease, so this tries again once the lease has run
        out, a few times; after that, every scheduler tick does (`after_tick`)."""
        try:
            await asyncio.wait_for(self.bot.wait_until_ready(), READY_WAIT)
            for _ in range(RESUME_TRIES):
                async with self._finishing:
                    if not await finish_unfinished(self.bot):
                        return
                await asyncio.sleep((CLAIM_LEASE + timedelta(seconds=1)).total_seconds())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("finishing pairing rounds cut short failed; the next tick or round finishes them")

    async def _finish_after_tick(self) -> None:
        # One resume at a time: two at once each find the other's claims held and leave it unfinished.
        if self.bot.is_ready() and not self._finishing.locked():
            async with self._finishing:
                await finish_unfinished(self.bot)

    async def nexus_status(self, guild_id: int) -> tuple[str, str]:
        """Pairing's line in `/nexus status`."""
        pairs, queued, requests = await self.pairing.counts(guild_id)
        next_round = await self.rounds.next_round(guild_id)
        when = f"next automatic round {timestamp(next_round, 'F')}" if next_round else "no automatic round scheduled"
        return "Pairing", (f"Active pairs: **{pairs}** · waiting in the queue: {queued} · pending requests: "
                           f"{requests} · {when}")

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A learner who leaves the server leaves pairing: their partner and the learners waiting on a
        request with them are told; they are never proposed again."""
        member_id = payload.user.id
        pair, closed = await self.pairing.member_left(payload.guild_id, member_id)
        told: list[tuple[int, str]] = []
        if pair is not None:
            told.append((pair.partner_of(member_id), f"<@{member_id}> left the server, so your pair has ended. You "
                                                     "can be matched again: `/pair find`, `/pair queue join`."))
        for request in closed:
            await edit_quietly(self.bot, request, "This pairing request was closed: one of you left the server.")
            other = request.target_id if request.requester_id == member_id else request.requester_id
            told.append((other, f"Your pairing request with <@{member_id}> was closed: they left the server."))
        for other, text in told:
            try:
                await tell(self.bot, payload.guild_id, other, text)
            except PostNotMade as exc:
                log.info("could not tell member %s that %s left: %s", other, member_id, exc)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.pairing.member_returned(member.guild.id, member.id)

    @property
    def pairing(self) -> PairingService:
        return self.bot.services.pairing

    @property
    def rounds(self) -> RoundService:
        return self.bot.services.pair_rounds

    # --- a learner ------------------------------------------------------------------------------

    @app_commands.command(name="profile", description="Your pairing profile: discipline, time zone, skills, "
                                                       "availability (no options: show it)")
    @app_commands.describe(discipline="Backend or frontend (only when your roles don't say)",
                           timezone="Your time zone, e.g. Africa/Lagos",
                           skills="What you know, e.g. Django, JWT, Docker",
                           availability="When you can pair each week, your time: e.g. Mon 18:00-21:00, Sat 10-14")
    @app_commands.choices(discipline=DISCIPLINE_CHOICES)
    async def profile_command(self, interaction: discord.Interaction[Any],
                              discipline: app_commands.Choice[str] | None = None,
                              timezone: app_commands.Range[str, 1, 100] | None = None,
                              skills: app_commands.Range[str, 0, 200] | None = None,
                              availability: app_commands.Range[str, 0, 200] | None = None) -> None:
        guild_id = guild_of(interaction)
        roles = role_ids(interaction.user)
        changing = any(value is not None for value in (discipline, timezone, skills, availability))
        profile: Profile | None
        if changing:
            profile = await self.pairing.save_profile(
                guild_id, interaction.user.id, roles,
                discipline=cast(Discipline, discipline.value) if discipline else None,
                timezone=timezone, skills=skills, availability=availability)
        else:
            profile = await self.pairing.profile(guild_id, interaction.user.id)
        config = await self.pairing.config(guild_id)
        current = await self.pairing.discipline(guild_id, interaction.user.id, roles)
        await interaction.response.send_message("Saved." if changing else None,
                                                embed=profile_embed(profile, current, config.timezone),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    @profile_command.autocomplete("timezone")
    async def timezone_autocomplete(self, interaction: discord.Interaction[Any],
                                    current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in timezone_choices(current)]

    @app_commands.command(name="find", description="The five learners on the other side who fit you best")
    async def find_command(self, interaction: discord.Interaction[Any]) -> None:
        try:
            _, embed, view = await find_answer(interaction)
        except ChoiceNeeded as needed:
            await ask_discipline(interaction, needed, "find")
            return
        assert embed is not None and view is not None
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="request", description="Ask a learner on the other side to pair with you")
    @app_commands.describe(member="The learner you'd like to pair with", note="A short note they see with the request")
    async def request_command(self, interaction: discord.Interaction[Any], member: discord.Member,
                              note: app_commands.Range[str, 0, 300] | None = None) -> None:
        try:
            await send_request(interaction, member.id, role_ids(member), member.bot, note or "")
        except ChoiceNeeded as needed:
            await ask_discipline(interaction, needed, "request", member.id, (note or "").strip())

    @app_commands.command(name="status", description="Your pair, your pending requests and the queue")
    async def status_command(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_of(interaction)
        status = await self.pairing.status(guild_id, interaction.user.id, role_ids(interaction.user))
        next_round = await self.rounds.next_round(guild_id)
        zone = find_zone((await self.pairing.config(guild_id)).timezone) or UTC
        await interaction.response.send_message(embed=status_embed(status, next_round, zone), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="cancel", description="Withdraw your pending pairing request")
    @app_commands.describe(member="Only your request to this learner (default: all your pending requests)")
    async def cancel_command(self, interaction: discord.Interaction[Any],
                             member: discord.Member | None = None) -> None:
        cancelled = await self.pairing.cancel(guild_of(interaction), interaction.user.id,
                                              member.id if member else None)
        for request in cancelled:
            await edit_quietly(self.bot, request, f"<@{request.requester_id}> withdrew this pairing request.")
        names = ", ".join(f"<@{r.target_id}>" for r in cancelled)
        await reply_private(interaction, f"Cancelled your request to {names}.")

    @app_commands.command(name="leave", description="End your current pair (your partner is told)")
    @app_commands.describe(reason="Why, in a few words (your partner sees it)")
    async def leave_command(self, interaction: discord.Interaction[Any],
                            reason: app_commands.Range[str, 0, 300] | None = None) -> None:
        pair = await self.pairing.leave(guild_of(interaction), interaction.user.id, reason or "")
        partner = pair.partner_of(interaction.user.id)
        # The reason is the member's own words: last, on its own line, so no sentence runs into it.
        said = f"\nTheir reason: {pair.end_reason}" if pair.end_reason else ""
        try:
            await tell(self.bot, pair.guild_id, partner,
                       f"<@{interaction.user.id}> ended your pair. You can be matched again "
                       f"(`/pair find`, `/pair queue join`), never with them.{said}")
        except PostNotMade as exc:
            log.info("could not tell the partner of pair %s: %s", pair.id, exc)
        project = await self.bot.services.projects.active(pair.guild_id, interaction.user.id)
        again = (" Your project shows 🤝 again: you look for a partner (`/project edit looking_for_partner:False` "
                 "if you don't)." if project is not None and project.looking else "")
        await reply_private(interaction, f"Your pair with <@{partner}> has ended; they were told. You can be matched "
                                         f"again with `/pair find` or `/pair queue join`, never with them.{again}")

    @app_commands.command(name="history", description="Your pairs, current and earlier")
    async def history_command(self, interaction: discord.Interaction[Any]) -> None:
        pairs = await self.pairing.history(guild_of(interaction), interaction.user.id)
        await interaction.response.send_message(embed=history_embed(interaction.user.id, pairs), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @queue.command(name="join", description="Wait for the next pairing round")
    async def queue_join_command(self, interaction: discord.Interaction[Any]) -> None:
        try:
            text, _, _ = await queue_join_answer(interaction)
        except ChoiceNeeded as needed:
            await ask_discipline(interaction, needed, "queue")
            return
        await reply_private(interaction, text or "")

    @queue.command(name="leave", description="Stop waiting for a pairing round")
    async def queue_leave_command(self, interaction: discord.Interaction[Any]) -> None:
        await self.pairing.leave_queue(guild_of(interaction), interaction.user.id)
        await reply_private(interaction, "You left the queue. `/pair queue join` puts you back.")

    # --- admins ----------------------------------------------------------------------------------

    @requires(manage_guild=True)
    @app_commands.command(name="round", description="Pair everyone in the queue at once, with the best total fit")
    @app_commands.describe(dry_run="Only show the pairs it would make, privately; change nothing")
    async def round_command(self, interaction: discord.Interaction[Any], dry_run: bool = False) -> None:
        guild_id = guild_of(interaction)
        await self.pairing.config(guild_id)
        if dry_run:
            plan = await self.rounds.plan(guild_id)
            await interaction.response.send_message(embed=plan_embed(plan), ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await finish_unfinished(self.bot, guild_id)
        stored = await self.rounds.run(guild_id, f"admin:{interaction.id}", interaction.user.id)
        finished = await finish_round(self.bot, stored)
        if not stored.pairs and not stored.unmatched:
            text = "Nobody is in the queue, so no round was run."
        elif not finished.complete:
            text = (f"Round formed: {len(stored.pairs)} pair" + ("" if len(stored.pairs) == 1 else "s")
                    + f", {len(stored.unmatched)} left unmatched and told why. Discord refused some of the private "
                    "threads or the announcement (check my permissions in the channel); the next round or restart "
                    "makes what is missing, once.")
        else:
            formed = "1 pair formed, with its private thread" if len(stored.pairs) == 1 else (
                f"{len(stored.pairs)} pairs formed, each with a private thread")
            left = "nobody left unmatched" if not stored.unmatched else (
                f"{len(stored.unmatched)} left unmatched and told why")
            text = f"Round done: {formed}; {left}."
        await reply_private(interaction, text)

    @requires(manage_guild=True)
    @app_commands.command(name="schedule", description="When the automatic pairing round runs, or pause it")
    @app_commands.describe(weekday="The day it runs each week", time="When, 24-hour HH:MM in the server's time zone",
                           paused="true: no automatic rounds; false: run them again")
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def schedule_command(self, interaction: discord.Interaction[Any],
                               weekday: app_commands.Choice[str] | None = None,
                               time: app_commands.Range[str, 1, 10] | None = None,
                               paused: bool | None = None) -> None:
        guild_id = guild_of(interaction)
        await self.pairing.config(guild_id)
        if weekday is not None or time is not None or paused is not None:
            await self.rounds.set_schedule(guild_id, interaction.user.id, weekday=weekday.value if weekday else None,
                                           at=time, paused=paused)
        schedule, server = await self.rounds.schedule(guild_id)
        next_round = await self.rounds.next_round(guild_id)
        await reply_private(interaction, schedule_text(schedule, next_round, server.timezone if server else None))
