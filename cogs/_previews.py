"""Scheduled posts that are not prompts (week one's) previewed through `/prompts preview`: a feature's
cog offers its keys and previews by having these two methods, so `/prompts` knows no feature by
name (the pattern of `/nexus status`'s `StatusContributor`)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import discord
from discord.ext import commands


@runtime_checkable
class PostPreviews(Protocol):
    def preview_keys(self, typed: str) -> list[str]:
        """The keys of this feature's scheduled posts that contain `typed` (for autocomplete)."""
        ...

    async def preview(self, guild_id: int, key: str) -> tuple[str, list[discord.Embed]]:
        """The post as it would be made now (its content and embeds, a note for the admin last)."""
        ...


def previews_for(bot: commands.Bot, key: str) -> PostPreviews | None:
    """The cog whose scheduled post is called `key`, if one is."""
    typed = key.strip().lower()
    return next((cog for cog in _previewers(bot) if typed in cog.preview_keys(typed)), None)


def preview_keys(bot: commands.Bot, typed: str) -> list[str]:
    return [key for cog in _previewers(bot) for key in cog.preview_keys(typed)]


def _previewers(bot: commands.Bot) -> list[PostPreviews]:
    cogs: list[Any] = list(bot.cogs.values())
    return [cog for cog in cogs if isinstance(cog, PostPreviews)]
