"""`/help`: what Nexus does and its commands, read from the synced command tree so it never goes
stale, and showing a member only what they may use: the commands Discord shows them, and of
those the subcommands whose permission (`cogs._checks.requires`) they hold."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.discord_limits import FIELD_VALUE_LIMIT
from cogs._catalogue import catalogue
from cogs._style import NEXUS_COLOUR, NO_MENTIONS

INTRO = (
    "Nexus is the bot of #ProDevProjectNexus, where the program's backend and frontend learners "
    "work together. These are the commands you can use here:"
)


class Help(commands.Cog):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Nexus does and the commands you can use")
    async def help_command(self, interaction: discord.Interaction[Any]) -> None:
        embed = discord.Embed(title="Nexus", description=INTRO, colour=NEXUS_COLOUR)
        # In a server Discord hides commands whose default permissions the member lacks; do the same,
        # and leave out the admin subcommands Discord cannot hide.
        permissions = interaction.permissions if interaction.guild is not None else None
        for entry in catalogue(self.bot.tree, permissions):
            subs = f" · {', '.join(f'`{sub}`' for sub in entry.subcommands)}" if entry.subcommands else ""
            embed.add_field(name=entry.name, value=f"{entry.description}{subs}"[:FIELD_VALUE_LIMIT], inline=False)
        embed.set_footer(text="Answers to your commands are private unless you choose to post them.")
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(Help(bot))
