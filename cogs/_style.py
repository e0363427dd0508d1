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


def packed(lines: list[str], limit: int, more: str = "… and {count} more") -> str:
    """As many whole lines as fit in `limit` characters, then a last line saying how many were left
    out: a list is never cut mid-line, and the reader is told it goes on."""
    if sum(len(line) + 1 for line in lines) - 1 <= limit:
        return "\n".join(lines)
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        left = len(lines) - index
        tail = 0 if left == 1 else len(more.format(count=left - 1)) + 1  # room to say the rest is left out
        if used + len(line) + tail > limit:
            shown.append(more.format(count=left))
            break
        shown.append(line)
        used += len(line) + 1
    return "\n".join(shown)
