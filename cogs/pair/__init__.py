"""`/pair`: backend and frontend learners find each other, by request or in rounds."""

from __future__ import annotations

from bot.app import NexusBot
from cogs.pair._cog import PairCog


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(PairCog(bot))
