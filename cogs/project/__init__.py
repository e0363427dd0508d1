"""`/project`: learners announce their projects in the Nexus channel, with a thread each."""

from __future__ import annotations

from bot.app import NexusBot
from cogs.project._cog import ProjectCog


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(ProjectCog(bot))
