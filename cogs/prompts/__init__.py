"""`/prompts`: the weekly prompts Nexus posts in the channel, managed by admins."""

from __future__ import annotations

from bot.app import NexusBot
from cogs.prompts._cog import PromptsCog


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(PromptsCog(bot))
