"""Week one's posts reach the channel: the cog registers their delivery with the scheduler. Admins
see and preview them through `/prompts list` and `/prompts preview` (see cogs/prompts)."""

from __future__ import annotations

from discord.ext import commands

from bot.app import NexusBot
from bot.week_one.schedule import WEEK_ONE_KIND
from cogs.week_one._delivery import WeekOneDelivery


class WeekOneCog(commands.Cog):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        self.delivery = WeekOneDelivery(bot)

    async def cog_load(self) -> None:
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.set_delivery(WEEK_ONE_KIND, self.delivery)

    async def cog_unload(self) -> None:
        scheduler = self.bot.scheduler
        if scheduler is not None:
            scheduler.remove_delivery(WEEK_ONE_KIND)


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(WeekOneCog(bot))
