"""The "Post the kickoff now" button an admin gets beside "Will not be posted" (a cohort start set in
the past, or downtime longer than the grace window): the kickoff is made once, marked late."""

from __future__ import annotations

import logging
import re
from typing import Any, Self, cast

import discord

from bot.app import NexusBot
from bot.posting import PostOutcome
from bot.week_one.schedule import KICKOFF
from cogs._checks import ensure_permissions
from cogs._guarded import GuardedItem, guild_of
from cogs._style import NO_MENTIONS
from cogs.week_one._delivery import WeekOneDelivery

log = logging.getLogger(__name__)


class PostKickoffNowButton(GuardedItem[discord.ui.Button[Any]],
                           template=r"nexus:week-one:post-now:(?P<owner>\d+)"):
    """For the admin whose setup or status answer showed it; Manage Server is checked again on the click."""

    not_yours = "This button belongs to the admin who ran the command: run `/nexus status` yourself."

    def __init__(self, owner_id: int) -> None:
        super().__init__(discord.ui.Button(label="Post the kickoff now", style=discord.ButtonStyle.primary,
                                           emoji="📣", custom_id=f"nexus:week-one:post-now:{owner_id}"))
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(int(match["owner"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        ensure_permissions(interaction, manage_guild=True)
        bot = cast(NexusBot, interaction.client)
        guild_id = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)  # the post may wait for Discord's limits
        result, channel_id = await bot.services.week_one.post_by_hand(guild_id, KICKOFF.key, WeekOneDelivery(bot))
        if result.outcome is PostOutcome.POSTED:
            link = f"https://discord.com/channels/{guild_id}/{channel_id}/{result.message_id}"
            text = f"Posted the week one kickoff in <#{channel_id}>, marked late: {link}"
            log.info("admin %s posted the week one kickoff by hand in server %s", interaction.user.id, guild_id)
        else:
            text = f"The week one kickoff is already posted (or being posted): see <#{channel_id}>."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


def post_kickoff_view(owner_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PostKickoffNowButton(owner_id))
    return view
