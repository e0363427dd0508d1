"""How errors reach a member, through the real bot and the stand-in: a stale command registration,
and a command that handles its own error (exactly one message)."""

import re

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from cogs._feedback import mark_error_handled

pytestmark = pytest.mark.asyncio


async def test_a_command_the_bot_no_longer_has_is_told_to_refresh(nexus):
    # Discord still shows the old registration; this version of the bot has no such command.
    nexus.bot.tree.remove_command("help")
    nexus.bot.tree.remove_command("help", guild=discord.Object(nexus.standin.guild.id))
    reply = await nexus.standin.invoke("ada", "help")
    assert reply.ephemeral
    assert "has changed" in reply.message.text and "try again" in reply.message.text
    assert not re.search(r"Error id", reply.message.text)


async def test_a_subcommand_the_bot_no_longer_has_is_told_to_refresh(nexus):
    nexus.bot.tree.get_command("topic").remove_command("random")
    reply = await nexus.standin.invoke("ada", "topic random")
    assert "has changed" in reply.message.text
    assert "Error id" not in reply.message.text


class SelfHandling(commands.Cog):
    """A command that answers its own errors, as a feature may."""

    @app_commands.command(name="fragile", description="Fails, and says so itself")
    async def fragile(self, interaction: discord.Interaction) -> None:
        raise UserError("central handler text")

    @fragile.error
    async def fragile_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await interaction.response.send_message("the command's own answer", ephemeral=True)
        mark_error_handled(interaction)


async def test_a_command_with_its_own_error_handler_sends_exactly_one_message(nexus, settled):
    await nexus.bot.add_cog(SelfHandling(), guild=discord.Object(nexus.standin.guild.id))
    await nexus.bot.sync_commands()
    reply = await nexus.standin.invoke("ada", "fragile")
    await settled(nexus.bot)  # the command and its error handlers have run: a second answer would be here
    assert reply.message.text == "the command's own answer"
    assert reply.followups == []
    answers = [r for r in nexus.standin.requests if f"/{reply.id}/" in r.path or "/webhooks/" in r.path]
    assert len(answers) == 1, [r.path for r in answers]
