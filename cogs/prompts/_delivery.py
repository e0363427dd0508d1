"""How a prompt reaches the channel: the scheduler calls `PromptDelivery` with a due post (and
`/prompts post` does, for a post made now); it sends the embed, opens the thread, and returns the
message id, or raises `PostFailed` saying what an admin must fix.

- The channel is reached by id (`get_partial_messageable`): nothing depends on the guild cache,
  which may not be filled yet when a catch-up runs right after start.
- The message is sent with the ledger's nonce: a re-send after a crash returns the first message.
- The thread is opened through the REST route by message id (discord.py's `Message.create_thread`
  needs the cached guild); a message that has its thread already (an earlier attempt opened it) is
  fine as it is.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

from discord.ext import commands

from bot.prompts.model import PromptPost
from bot.scheduling import Delivery
from cogs._feedback import permission_names
from cogs._outbox import channel_gone, discord_errors, open_thread_on
from cogs._style import NO_MENTIONS
from cogs.prompts._embeds import post_embed

log = logging.getLogger(__name__)

# Replies to a weekly prompt come within a day or two; a quiet thread then tidies itself away.
THREAD_ARCHIVE_MINUTES: Final[Literal[1440]] = 1440
# What the bot needs in the channel, in the order Discord's permissions depend on each other: without
# View Channel nothing else counts, without Send Messages no embed is sent (discord.py then reports
# Embed Links missing too). The first missing one is the one to name.
POST_NEEDS = ("view_channel", "send_messages", "embed_links")
THREAD_NEEDS = ("create_public_threads",)


class PromptDelivery:
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def __call__(self, delivery: Delivery) -> int:
        post = delivery.post
        payload = post.payload
        if not isinstance(payload, PromptPost):
            raise TypeError(f"a prompt delivery needs a PromptPost, got {type(payload).__name__}")
        guild_id, channel_id = post.key.guild_id, post.channel_id
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        embed = post_embed(payload, late_since=post.due_at if delivery.late else None)
        def forbidden() -> str:
            missing = self._missing(guild_id, channel_id, POST_NEEDS + (THREAD_NEEDS if payload.open_thread else ()))
            return (f"I can't post in <#{channel_id}>: give my role {missing} there, or run `/nexus setup` with "
                    "another channel")

        with discord_errors(gone=lambda: channel_gone(channel_id), forbidden=forbidden):
            message = await channel.send(embed=embed, nonce=delivery.nonce, allowed_mentions=NO_MENTIONS)
        if payload.open_thread:
            await self._open_thread(guild_id, channel_id, message.id, payload.thread_name)
        return message.id

    async def _open_thread(self, guild_id: int, channel_id: int, message_id: int, name: str) -> None:
        def forbidden() -> str:
            missing = self._missing(guild_id, channel_id, THREAD_NEEDS)
            return f"the prompt was posted in <#{channel_id}> without its thread: give my role {missing} there"

        await open_thread_on(self.bot.http, channel_id, message_id, name=name, archive_minutes=THREAD_ARCHIVE_MINUTES,
                             forbidden=forbidden)

    def _missing(self, guild_id: int, channel_id: int, needs: tuple[str, ...]) -> str:
        """The first permission the bot lacks in the channel, by name, when the cache knows the
        channel; else all those it needs there."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if guild is not None and channel is not None:
            have = channel.permissions_for(guild.me)
            lacking = next((name for name in needs if not getattr(have, name)), None)
            if lacking is not None:
                return permission_names([lacking])
        return permission_names(list(needs))
