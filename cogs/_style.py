"""How Nexus looks and whom it may ping: one definition each, used by every cog."""

from __future__ import annotations

from datetime import datetime

import discord

# Nexus's brand colour (Discord blurple), on every embed that speaks for Nexus itself.
NEXUS_COLOUR = discord.Colour.from_rgb(88, 101, 242)

# Private answers and anything that echoes member text: nobody is pinged. (The bot-wide default,
# `bot.app.SAFE_MENTIONS`, already never lets @everyone, @here or a role through.)
NO_MENTIONS = discord.AllowedMentions.none()


def mention_only(*users: discord.abc.Snowflake) -> discord.AllowedMentions:
    """Ping exactly these members and nobody else, whatever the text contains."""
    return discord.AllowedMentions(everyone=False, roles=False, users=list(users), replied_user=False)


def timestamp(moment: datetime, style: str = "F") -> str:
    """An instant as a Discord timestamp, which every reader sees in their own time zone
    (`F`: "Monday 7 December 2026 09:00"; `R`: "in 3 days"). Calendar dates use `date_in_words`."""
    return f"<t:{int(moment.timestamp())}:{style}>"
