"""The baseline for benchmarks/latency.py: a bare discord.py bot with one reply command.

Run as its own process, like Nexus, so the ratio shows what Nexus adds on top of discord.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord
from discord.ext import commands

from bot.endpoints import use_discord_endpoints


async def main() -> None:
    use_discord_endpoints(os.environ["DISCORD_API_BASE_URL"], os.environ["DISCORD_GATEWAY_URL"])
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents(guilds=True))
    guild = discord.Object(id=int(os.environ["DISCORD_GUILD_ID"]))

    @bot.tree.command(name="ping", description="Reply at once", guild=guild)
    async def ping(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
