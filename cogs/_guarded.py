"""What every cog's commands, buttons and menus share: the server an interaction comes from, and the
one guard a persistent button or menu runs through (who may act, every failure told to the member).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import discord
from discord import app_commands

from bot.errors import UserError
from cogs._checks import ensure_permissions
from cogs._feedback import report_error, writes_wait_for_answer

MODERATOR = {"manage_messages": True}


def guild_of(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def check_actor(interaction: discord.Interaction[Any], *, moderator: bool, owner_id: int | None,
                not_yours: str) -> None:
    """The bot's own check before a click or a form acts: Manage Messages for moderator actions
    (roles may have changed since the message was sent), and the member it belongs to."""
    if moderator:
        ensure_permissions(interaction, **MODERATOR)
    if owner_id is not None and interaction.user.id != owner_id:
        raise UserError(not_yours)


_ItemT = TypeVar("_ItemT", bound=discord.ui.Item[Any])


class GuardedItem(discord.ui.DynamicItem[_ItemT], template=r"(?!)"):  # the base matches no custom id
    """A persistent button or menu whose callback runs through one guard: the bot checks Manage
    Messages itself (`moderator_only`) and the member the item belongs to (`owner_id`, when set),
    and any failure reaches the member privately (a bug also logged, with an error id they see):
    discord.py would log and swallow it. Subclasses implement `act`."""

    moderator_only: ClassVar[bool] = False
    not_yours: ClassVar[str] = "These buttons are not yours."
    owner_id: int | None = None

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        writes_wait_for_answer(interaction)
        try:
            check_actor(interaction, moderator=self.moderator_only, owner_id=self.owner_id,
                        not_yours=self.not_yours)
            await self.act(interaction)
        except Exception as exc:  # every failure reaches the member; a bug is also logged, with an id
            await report_error(interaction, exc)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError
