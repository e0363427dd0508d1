"""Pairing requests on Discord: sending one (by DM, else in the channel mentioning only the target),
its Accept and Decline buttons, and the Request buttons of `/pair find`.

The buttons are `GuardedItem`s whose custom id carries what they act on
(`nexus:pair:accept:<server>:<request>`), so they keep working after a restart. Only the target may
answer (the service checks it on every press); a button pressed in another server than the one its
request belongs to is refused; a second press says the request is already decided."""

from __future__ import annotations

import logging
import re
from typing import Any, Self, cast

import discord

from bot.app import NexusBot
from bot.errors import UserError
from bot.pairing.records import PairRequest
from bot.pairing.service import Accepted, PairingService
from bot.posting import PostFailed, PostNotMade, RetryLater
from cogs._feedback import reply_private
from cogs._guarded import GuardedItem
from cogs._outbox import tell
from cogs._style import NEXUS_COLOUR, mention_only, timestamp
from cogs.pair._deliver import edit_quietly, open_pair_thread

log = logging.getLogger(__name__)


def bot_of(interaction: discord.Interaction[Any]) -> NexusBot:
    return cast(NexusBot, interaction.client)


def pairing_of(interaction: discord.Interaction[Any]) -> PairingService:
    return bot_of(interaction).services.pairing


def role_ids(member: discord.abc.User) -> set[int]:
    return {role.id for role in member.roles} if isinstance(member, discord.Member) else set()


def answer_view(request: PairRequest) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AcceptButton(request.guild_id, request.id))
    view.add_item(DeclineButton(request.guild_id, request.id))
    return view


async def send_request(interaction: discord.Interaction[Any], target_id: int, target_roles: set[int] | None,
                       target_is_bot: bool, note: str) -> None:
    """Check and store the request, deliver it to the target, and tell the requester where it went."""
    bot = bot_of(interaction)
    pairing = bot.services.pairing
    assert interaction.guild_id is not None
    request = await pairing.request(interaction.guild_id, interaction.user.id, role_ids(interaction.user), target_id,
                                    target_roles, target_is_bot, note)
    await interaction.response.defer(ephemeral=True, thinking=True)
    fit = await pairing.request_fit(request)
    guild_name = interaction.guild.name if interaction.guild else "the server"
    embed = discord.Embed(title="A pairing request", colour=NEXUS_COLOUR,
                          description=f"<@{request.requester_id}> would like to pair with you in **{guild_name}**.")
    if request.note:
        embed.add_field(name="Their note", value=request.note, inline=False)
    if fit is not None:
        embed.add_field(name="Why you'd fit", value="\n".join(f"• {r[0].upper()}{r[1:]}" for r in fit.reasons),
                        inline=False)
    embed.add_field(name="Answer by", value=timestamp(request.expires_at, "F"), inline=False)
    try:
        told = await tell(bot, request.guild_id, target_id, "🤝 You have a pairing request.", embed=embed,
                          view=answer_view(request))
    except RetryLater as exc:
        await pairing.cancel(request.guild_id, request.requester_id, target_id)
        raise UserError(f"Discord didn't take your request to <@{target_id}> just now, so it was not sent: "
                        "try again in a moment.") from exc
    except (PostFailed, discord.HTTPException) as exc:
        await pairing.cancel(request.guild_id, request.requester_id, target_id)
        raise UserError(f"I couldn't deliver your request to <@{target_id}>: their DMs are closed and I can't "
                        "post in the Nexus channel. It was not sent.") from exc
    await pairing.delivered(request, told.message.channel.id, told.message.id, "dm" if told.in_dm else "channel")
    where = "by DM" if told.in_dm else "in the Nexus channel (their DMs are closed)"
    await reply_private(interaction, f"Request sent to <@{target_id}> {where}. They have until "
                                     f"{timestamp(request.expires_at, 'F')} to answer; `/pair cancel` withdraws it.")


class _RequestAnswer(GuardedItem[discord.ui.Button[Any]], template=r"(?!)"):
    """What Accept and Decline share: the server and request in the custom id, and the checks."""

    action: str
    label: str
    emoji: str | None = None
    style = discord.ButtonStyle.secondary

    def __init__(self, guild_id: int, request_id: int) -> None:
        super().__init__(discord.ui.Button(label=self.label, emoji=self.emoji, style=self.style,
                                           custom_id=f"nexus:pair:{self.action}:{guild_id}:{request_id}"))
        self.guild_id, self.request_id = guild_id, request_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["guild"]), int(match["request"]))

    def _checked_guild(self, interaction: discord.Interaction[Any]) -> int:
        if interaction.guild_id is not None and interaction.guild_id != self.guild_id:
            raise UserError("This button belongs to a request of another server.")
        return self.guild_id


class AcceptButton(_RequestAnswer, template=r"nexus:pair:accept:(?P<guild>\d+):(?P<request>\d+)"):
    action, label, emoji, style = "accept", "Accept", "✅", discord.ButtonStyle.success

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        accepted = await bot.services.pairing.accept(self._checked_guild(interaction), self.request_id,
                                                     interaction.user.id)
        # The pair is stored; opening the thread and telling everyone takes a few requests, so the
        # press is acknowledged first and the request's message changed once all is done.
        await interaction.response.defer()
        thread_id = await open_pair_thread(bot, accepted.pair, accepted.fit)
        await after_accept(bot, accepted, thread_id)
        where = f" Your private thread: <#{thread_id}>." if thread_id else ""
        await interaction.edit_original_response(
            content=f"✅ You accepted <@{accepted.request.requester_id}>'s request: you're paired.{where}",
            embed=None, view=None)


async def after_accept(bot: NexusBot, accepted: Accepted, thread_id: int | None) -> None:
    """Tell the requester, announce the pair in the channel, close the two's other requests."""
    pair, request = accepted.pair, accepted.request
    where = f" Your private thread: <#{thread_id}>." if thread_id else ""
    try:
        await tell(bot, pair.guild_id, request.requester_id,
                   f"✅ <@{request.target_id}> accepted your pairing request: you're paired.{where}")
    except PostNotMade as exc:
        log.info("could not tell requester of request %s: %s", request.id, exc)
    config = await bot.services.guild_setup.get(pair.guild_id)
    if config is not None and config.channel_id is not None:
        track = ""
        if accepted.fit.same_track:
            project = await bot.services.projects.active(pair.guild_id, pair.backend_id)
            if project is not None:
                track = f" on the **{bot.services.projects.track_name(project.track)}** track"
        try:
            await bot.get_partial_messageable(config.channel_id, guild_id=pair.guild_id).send(
                f"🤝 <@{pair.backend_id}> (backend) and <@{pair.frontend_id}> (frontend) are now a pair{track}.",
                allowed_mentions=mention_only(discord.Object(pair.backend_id), discord.Object(pair.frontend_id)))
        except discord.HTTPException as exc:
            log.warning("could not announce pair %s in server %s: %s", pair.id, pair.guild_id, exc)
    for closed in accepted.closed:
        await edit_quietly(bot, closed, "This pairing request was closed: one of you paired with someone else.")
        if closed.requester_id in (pair.backend_id, pair.frontend_id):
            continue  # their own request: they know they are paired now
        try:
            await tell(bot, closed.guild_id, closed.requester_id,
                       f"Your pairing request to <@{closed.target_id}> was closed: they paired with someone else. "
                       "`/pair find` shows who else fits you.")
        except PostNotMade as exc:
            log.info("could not tell requester of closed request %s: %s", closed.id, exc)


class DeclineButton(_RequestAnswer, template=r"nexus:pair:decline:(?P<guild>\d+):(?P<request>\d+)"):
    action, label = "decline", "Decline"

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        declined = await bot.services.pairing.decline(self._checked_guild(interaction), self.request_id,
                                                      interaction.user.id)
        try:
            await tell(bot, declined.guild_id, declined.requester_id,
                       f"<@{declined.target_id}> declined your pairing request. `/pair find` shows who else fits you.")
        except PostNotMade as exc:
            log.info("could not tell requester of declined request %s: %s", declined.id, exc)
        await interaction.response.edit_message(
            content=f"You declined <@{declined.requester_id}>'s pairing request.", embed=None, view=None)


class AskButton(GuardedItem[discord.ui.Button[Any]], template=r"nexus:pair:ask:(?P<owner>\d+):(?P<target>\d+)"):
    """A "Request" button of `/pair find`: sends a request to that learner, for the member who searched."""

    not_yours = "These buttons are someone else's: `/pair find` shows the partners that fit you."

    def __init__(self, owner_id: int, target_id: int, label: str) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.primary, emoji="🤝",
                                           custom_id=f"nexus:pair:ask:{owner_id}:{target_id}"))
        self.owner_id, self.target_id = owner_id, target_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["owner"]), int(match["target"]), "Request")

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        await send_request(interaction, self.target_id, None, False, "")


DYNAMIC_ITEMS = (AcceptButton, DeclineButton, AskButton)

