"""Permission checks made by the bot itself.

Discord's default permissions hide a command from members without them, but a server admin can
override those defaults; so every admin or moderator action is checked again here, on every use,
against what Discord resolved for this member in this channel.
"""

from __future__ import annotations

from typing import Any

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
