"""Week one's posts reach the channel: the cog registers their delivery with the scheduler, and the
"Post the kickoff now" button admins get when the kickoff will not be posted by itself. Admins see
and preview the posts through `/prompts list` and `/prompts preview` (see cogs/prompts)."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.app import NexusBot
from bot.week_one.schedule import WEEK_ONE_KIND
from cogs.week_one import _admin
from cogs.week_one._by_hand import PostKickoffNowButton
from cogs.week_one._delivery import WeekOneDelivery


class WeekOneCog(commands.Cog):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self.delivery = WeekOneDelivery(bot)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PostKickoffNowButton)
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.set_delivery(WEEK_ONE_KIND, self.delivery)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PostKickoffNowButton)
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.remove_delivery(WEEK_ONE_KIND)

    # `/prompts preview` shows week one's posts too (cogs/_previews.py).
    def preview_keys(self, typed: str) -> list[str]:
        return _admin.week_one_keys(typed)

    async def preview(self, guild_id: int, key: str) -> tuple[str, list[discord.Embed]]:
        return await _admin.preview(self.bot, guild_id, key)


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(WeekOneCog(bot))
