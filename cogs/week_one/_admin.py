"""Week one in the admins' `/prompts preview`: each post as it would be posted now (only the admin
sees it; nobody is pinged). `/prompts list` shows their times in the calendar of the coming week."""

from __future__ import annotations

import discord

from bot.app import NexusBot
from bot.discord_limits import MESSAGE_CONTENT_LIMIT
from bot.errors import UserError
from bot.week_one.schedule import BY_KEY, WeekOnePostSpec
from cogs._style import timestamp
from cogs.week_one._delivery import build, to_embed

MAX_EMBEDS = 10


def week_one_keys(typed: str) -> list[str]:
    typed = typed.strip().lower()
    return [key for key in BY_KEY if typed in key]


def _when(spec: WeekOnePostSpec) -> str:
    return f"day {spec.day} at {spec.at:%H:%M}"


async def preview(bot: NexusBot, guild_id: int, key: str) -> tuple[str, list[discord.Embed]]:
    """The post as it would be made now, its first message in full and how many follow."""
    service = bot.services.week_one
    spec = service.spec(key)
    server = await service.server(guild_id)
    if server is None:
        raise UserError(f"`{spec.key}` is posted once a channel and a cohort start are set: run `/nexus setup` "
                        "with `cohort_start`.")
    messages = await build(bot, spec, server)
    first = messages[0]
    embeds = [to_embed(e) for e in first.embeds][:MAX_EMBEDS - 1]
    listing = next(item for item in await service.listing(guild_id) if item.spec is spec)
    about = discord.Embed(colour=discord.Colour.light_grey(), title=f"Preview of {spec.key}")
    due = listing.due
    lines = [f"{_when(spec)} ({server.timezone}) · {spec.what}",
             (f"Next: {timestamp(due, 'F')} ({timestamp(due, 'R')})" if due and listing.upcoming
              else f"Was due {timestamp(due, 'F')}: it is not posted again" if due else "Not scheduled"),
             "Nothing was posted and nobody was pinged: this preview is only for you."]
    if len(messages) > 1:
        lines.append(f"It continues in {len(messages) - 1} more message{'s' if len(messages) > 2 else ''}.")
    about.description = "\n".join(lines)
    return first.content[:MESSAGE_CONTENT_LIMIT], [*embeds, about]
