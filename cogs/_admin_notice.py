"""Telling a server's admin that a scheduled post stopped: the channel is gone or Nexus lost a
permission there, or Discord kept failing until the grace window ended. Nexus can't say it in the
channel (that is often what broke), so it says it by DM to the admin who last ran `/nexus setup`,
else to the server's owner: at most once a day per server, through the ledger, so a week of failed
posts is one message a day, never one per post. `/nexus status` lists every one of them."""

from __future__ import annotations

import logging

import discord

from bot.app import NexusBot
from bot.scheduling.ledger import PostKey
from cogs._outbox import discord_errors
from cogs._style import NO_MENTIONS

log = logging.getLogger(__name__)

NOTICE_KIND = "admin-notice"


class AdminNotices:
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    async def post_stopped(self, key: PostKey, reason: str) -> None:
        services = self.bot.services
        config = await services.guild_setup.get(key.guild_id)
        guild = self.bot.get_guild(key.guild_id)
        admin_id = (config.updated_by if config is not None else None) or (guild.owner_id if guild else None)
        if admin_id is None:
            log.warning("nobody to tell that %s %s stopped in server %s: %s", key.kind, key.ref, key.guild_id, reason)
            return
        where = f"**{guild.name}**" if guild is not None else "your server"
        what = f"{key.kind.replace('-', ' ')} `{key.ref}`"
        text = (f"⚠️ Nexus could not make a scheduled post in {where} ({what}) and stopped trying: {reason}. "
                "`/nexus status` there lists every post that failed this week.")
        day = services.clock.now().date().isoformat()

        async def send(nonce: str) -> int:
            with discord_errors(gone=lambda: "the admin's DMs are gone",
                                forbidden=lambda: "the admin does not take DMs from Nexus"):
                dm = await self.bot.create_dm(discord.Object(admin_id))
                return (await dm.send(text, nonce=nonce, allowed_mentions=NO_MENTIONS)).id

        try:
            await services.posting.post(PostKey(key.guild_id, NOTICE_KIND, f"stopped:{day}"), 0, send)
        except Exception as exc:  # the ledger and /nexus status keep the problem; the notice is a courtesy
            log.info("could not tell the admin of server %s that a post stopped: %s", key.guild_id, exc)
