"""How a week-one post reaches the channel, and how an admin previews it.

- The reminder needs to know who has not announced: the server's members are fetched in chunks
  over the gateway (`Guild.chunk(cache=False)`, the Server Members intent) only then, and not kept.
- Every message of a post is sent with its own nonce derived from the ledger's, so a re-send after
  a crash returns the messages the first attempt made instead of repeating them.
- Mentions: each message pings exactly the users it names (the reminder) or nobody (the others).
- A roundup longer than one message continues in a thread opened on its first message, so the
  channel shows one post (a thread started on a message has that message's id).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

import discord
from discord.ext import commands

from bot.app import NexusBot
from bot.cohort import date_in_words
from bot.discord_limits import MESSAGE_CONTENT_LIMIT, THREAD_NAME_LIMIT
from bot.posting import PostFailed, RetryLater
from bot.scheduling import Delivery
from bot.week_one.model import WeekOneServer
from bot.week_one.render import Available, EmbedSpec, OutgoingMessage
from bot.week_one.schedule import REMINDER, ROUNDUP, WeekOnePostSpec
from bot.week_one.service import Learner, WeekOneService
from bot.week_one.source import WeekOneDue
from cogs._catalogue import command_exists
from cogs._outbox import channel_gone, derived_nonce, discord_errors, open_thread_on
from cogs._style import NEXUS_COLOUR, NO_MENTIONS, mention_only, timestamp

log = logging.getLogger(__name__)

READY_WAIT = 60.0  # seconds a catch-up right after start waits for the server list
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080  # the roundup is read over the following week
CHUNK_WAIT = 120.0  # seconds Discord gets to send the member list (chunks of 1,000 members)


def available(bot: commands.Bot) -> Available:
    return Available(project_announce=command_exists(bot.tree, "project announce"),
                     pair_queue=command_exists(bot.tree, "pair queue join"),
                     pair_find=command_exists(bot.tree, "pair find"))


def to_embed(spec: EmbedSpec) -> discord.Embed:
    embed = discord.Embed(title=spec.title, description=spec.description or None, colour=NEXUS_COLOUR)
    for name, value in spec.fields:
        embed.add_field(name=name, value=value, inline=True)
    return embed


def allowed(message: OutgoingMessage) -> discord.AllowedMentions:
    if not message.mentions:
        return NO_MENTIONS
    return mention_only(*(discord.Object(user_id) for user_id in message.mentions))


def forbidden(channel_id: int) -> str:
    return (f"I can't post in <#{channel_id}>: give my role View Channel, Send Messages, Embed Links, Create Public "
            "Threads and Send Messages in Threads there, or run `/nexus setup` with another channel")


def with_late_note(messages: list[OutgoingMessage], due_at: Any) -> list[OutgoingMessage]:
    note = f"⏰ Posted late: it was due {timestamp(due_at, 'F')}."
    first = messages[0]
    if len(first.content) + 1 + len(note) <= MESSAGE_CONTENT_LIMIT:
        return [OutgoingMessage(f"{first.content}\n{note}".strip(), first.embeds, first.mentions), *messages[1:]]
    return [OutgoingMessage(note), *messages]


async def learners(bot: commands.Bot, server: WeekOneServer) -> list[Learner] | None:
    """Members with the backend or frontend role, fetched in chunks now; None when the roles are not
    set (nobody can be named)."""
    roles = {server.backend_role_id: "backend", server.frontend_role_id: "frontend"}
    roles.pop(None, None)
    if not roles:
        return None
    try:
        await asyncio.wait_for(bot.wait_until_ready(), READY_WAIT)
    except TimeoutError:
        raise RetryLater("the connection to Discord was not ready yet") from None
    guild = bot.get_guild(server.guild_id)
    if guild is None:
        raise PostFailed("I am not in this server any more, or Discord has not told me about it yet")
    try:
        members = await asyncio.wait_for(guild.chunk(cache=False), CHUNK_WAIT)
    except TimeoutError:
        raise RetryLater("Discord did not send the member list in time") from None
    if members is None:  # the guild left the cache meanwhile
        raise PostFailed("I am not in this server any more")
    found = []
    for member in members:
        if member.bot:
            continue
        disciplines = [roles[r.id] for r in member.roles if r.id in roles]
        if disciplines:
            found.append(Learner(member.id, disciplines[0]))
    return found


async def build(bot: NexusBot, spec: WeekOnePostSpec, server: WeekOneServer) -> list[OutgoingMessage]:
    service: WeekOneService = bot.services.week_one
    members = await learners(bot, server) if spec is REMINDER else None
    return await service.messages(spec, server, available(bot), members)


class WeekOneDelivery:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def __call__(self, delivery: Delivery) -> int:
        payload = delivery.post.payload
        if not isinstance(payload, WeekOneDue):
            raise TypeError(f"a week-one delivery needs a WeekOneDue, got {type(payload).__name__}")
        messages = await build(self.bot, payload.spec, payload.server)
        if delivery.late:
            messages = with_late_note(messages, delivery.post.due_at)
        channel_id = delivery.post.channel_id
        guild_id = payload.server.guild_id
        target: discord.PartialMessageable = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        first_id: int | None = None
        with discord_errors(gone=lambda: channel_gone(channel_id), forbidden=lambda: forbidden(channel_id)):
            for index, message in enumerate(messages):
                sent = await target.send(content=message.content or None,
                                         embeds=[to_embed(e) for e in message.embeds],
                                         nonce=derived_nonce(delivery.nonce, index), allowed_mentions=allowed(message))
                if first_id is None:
                    first_id = sent.id
                    if payload.spec is ROUNDUP and len(messages) > 1:
                        name = thread_name(delivery.post.due_at, payload.server.timezone)
                        target = await self._open_thread(guild_id, channel_id, first_id, name)
        assert first_id is not None  # every post has at least one message
        return first_id

    async def _open_thread(self, guild_id: int, channel_id: int, message_id: int, name: str
                           ) -> discord.PartialMessageable:
        """The roundup's thread (an earlier attempt's, if it opened one), for the messages after the first."""
        thread_id = await open_thread_on(self.bot.http, channel_id, message_id, name=name,
                                         archive_minutes=THREAD_ARCHIVE_MINUTES,
                                         forbidden=lambda: forbidden(channel_id))
        return self.bot.get_partial_messageable(thread_id, guild_id=guild_id)


def thread_name(due_at: datetime, timezone: str) -> str:
    return f"Week one roundup · {date_in_words(due_at.astimezone(ZoneInfo(timezone)).date())}"[:THREAD_NAME_LIMIT]
