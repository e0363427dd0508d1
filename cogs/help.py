"""`/help`: what Nexus can do, read from the synced command tree so it never goes stale."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot

NEXUS_COLOUR = discord.Colour.from_rgb(88, 101, 242)
INTRO = (
    "Nexus helps #ProDevProjectNexus run: announce your project in week one, find a partner on the other "
    "side (backend ↔ frontend), look up concepts with their pitfalls and best practices, and keep going "
    "with the weekly prompts."
)


def _command_lines(tree: app_commands.CommandTree[Any]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for command in sorted(tree.get_commands(), key=lambda c: c.name):
        if isinstance(command, app_commands.Group):
            subs = ", ".join(f"`{sub.name}`" for sub in command.commands)
            lines.append((f"/{command.name}", f"{command.description} · {subs}"))
        elif isinstance(command, app_commands.Command):
            lines.append((f"/{command.name}", command.description))
    return lines


class Help(commands.Cog):
    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What Nexus does and the commands you can use")
    async def help_command(self, interaction: discord.Interaction[Any]) -> None:
        embed = discord.Embed(title="Nexus", description=INTRO, colour=NEXUS_COLOUR)
        for name, description in _command_lines(self.bot.tree):
            embed.add_field(name=name, value=description[:1024], inline=False)
        embed.set_footer(text="Answers to your commands are private unless you choose to post them.")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: NexusBot) -> None:
    await bot.add_cog(Help(bot))
