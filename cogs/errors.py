"""The central error handler: every slash-command error ends here unless a command handled it."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs._feedback import error_was_handled, report_error, writes_wait_for_answer


class ErrorHandling(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error
        self._previous_check = bot.tree.interaction_check

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.bot.tree.interaction_check = self.before_every_command  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]
        self.bot.tree.interaction_check = self._previous_check  # type: ignore[method-assign]

    async def before_every_command(self, interaction: discord.Interaction[Any], /) -> bool:
        """Run by discord.py in the command's own task before the command: its writes to a busy
        database give up in time for the member to be answered."""
        writes_wait_for_answer(interaction)
        return True

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        # discord.py calls this after a command's own error handler; one that answered the member
        # marked the interaction (`mark_error_handled`), so the member gets one message, not two.
        if error_was_handled(interaction):
            return
        await report_error(interaction, error)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ErrorHandling(bot))
