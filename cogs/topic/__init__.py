"""`/topic`: the knowledge base in Discord (lookups, browsing, suggestions, moderator review and stats)."""

from __future__ import annotations

from bot.app import NexusBot
from cogs.topic._cog import TopicCog


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(TopicCog(bot))
