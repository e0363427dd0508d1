"""Permission checks made by the bot itself.

Discord's default permissions hide a command from members without them, but a server admin can
override those defaults; so every admin or moderator action is checked again here, on every use,
against what Discord resolved for this member in this channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands


def ensure_permissions(interaction: discord.Interaction[Any], **required: bool) -> None:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    # `interaction.permissions` includes roles, channel overwrites, ownership and Administrator.
    have = interaction.permissions
    missing = [name for name, wanted in required.items() if wanted and not getattr(have, name)]
    if missing:
        raise app_commands.MissingPermissions(missing)


REQUIRED_PERMISSIONS = "nexus_required_permissions"  # the key in a command's `extras`

_CommandT = TypeVar("_CommandT", bound="app_commands.Command[Any, ..., Any]")


def requires(**required: bool) -> Callable[[_CommandT], _CommandT]:
    """Put above `@app_commands.command` on a subcommand only some members may use. Discord's default
    permissions apply to a whole top-level command, never to one subcommand, so this one rule serves
    twice: the bot checks it on every use (before the command runs), and `/help` reads it from the
    command's `extras` to leave the subcommand out for members without it."""

    def decorate(command: _CommandT) -> _CommandT:
        command.extras[REQUIRED_PERMISSIONS] = discord.Permissions(**required)

        def check(interaction: discord.Interaction[Any]) -> bool:
            ensure_permissions(interaction, **required)
            return True

        command.add_check(check)
        return command

    return decorate


def required_permissions(
    command: app_commands.Command[Any, ..., Any] | app_commands.Group,
) -> discord.Permissions | None:
    """What a member needs to use a command: its own `requires` rule and its default permissions."""
    needed = discord.Permissions.none()
    if command.default_permissions is not None:
        needed |= command.default_permissions
    marked = command.extras.get(REQUIRED_PERMISSIONS)
    if isinstance(marked, discord.Permissions):
        needed |= marked
    return needed if needed.value else None
