"""Telling a member what a moderator decided about their suggestion: by DM, or, when their DMs are
closed, in the server's configured channel with a mention of them alone. Never raises: the
decision is made whether or not the member could be told (a failure is logged)."""

from __future__ import annotations

import logging
from typing import Any, cast

import discord

from bot.app import NexusBot
from bot.discord_limits import MESSAGE_CONTENT_LIMIT as MESSAGE_LIMIT
from bot.knowledge.model import ReviewDecision
from cogs._style import NO_MENTIONS, mention_only
from cogs.topic._embeds import quoted

log = logging.getLogger(__name__)



def _note(label: str, text: str) -> str:
    """The moderator's note as a quote, its line breaks kept."""
    if not text:
        return ""
    return f"\n\n{label}\n" + "\n".join(f"> {line}" for line in text.split("\n"))


def decision_message(decision: ReviewDecision, server: str) -> str:
    """What the author reads, in their DMs or in the channel."""
    suggestion = decision.suggestion
    title = quoted(suggestion.title, 100)
    where = f"in **{discord.utils.escape_markdown(server)}**" if server else "in the server"
    if suggestion.status == "rejected":
        kind = "fix" if suggestion.is_fix else "topic suggestion"
        text = (f"Your {kind} **{title}** {where} was reviewed and not added to the knowledge base."
                + _note("The moderator's reason:", suggestion.decision_note))
    elif suggestion.is_fix:
        target = f" to **{quoted(decision.target.title, 100)}**" if decision.target else ""
        text = (f"✅ Your fix **{title}**{target} {where} was accepted: the maintainers will update the topic."
                + _note("The moderator's note:", suggestion.decision_note))
    else:
        topic = decision.topic
        renamed = f" as **{quoted(topic.title, 100)}**" if topic and topic.title != suggestion.title else ""
        published = f"{renamed}: find it with `/topic query {topic.slug}`" if topic else ""
        text = f"✅ Your topic suggestion **{title}** {where} was approved and published{published}. Thank you!"
    return text[:MESSAGE_LIMIT]


async def tell_author(client: discord.Client, decision: ReviewDecision) -> None:
    suggestion = decision.suggestion
    guild = client.get_guild(suggestion.guild_id)
    text = decision_message(decision, guild.name if guild else "")
    try:
        user = client.get_user(suggestion.author_id) or await client.fetch_user(suggestion.author_id)
        await user.send(text, allowed_mentions=NO_MENTIONS)
        return
    except discord.HTTPException as exc:  # 50007: their DMs are closed to the bot
        log.info("could not DM the author of suggestion %s (%s); trying the channel", suggestion.id, exc)
    except Exception:
        log.exception("could not DM the author of suggestion %s; trying the channel", suggestion.id)
    try:
        await _tell_in_channel(client, decision, text)
    except Exception:
        log.exception("could not tell the author of suggestion %s about the decision", suggestion.id)


async def _tell_in_channel(client: discord.Client, decision: ReviewDecision, text: str) -> None:
    suggestion = decision.suggestion
    config = await cast(NexusBot, client).services.guild_setup.get(suggestion.guild_id)
    channel: Any = client.get_channel(config.channel_id) if config and config.channel_id else None
    if not isinstance(channel, discord.abc.Messageable):
        log.warning("suggestion %s: the author's DMs are closed and server %s has no channel set up; "
                    "they were not told", suggestion.id, suggestion.guild_id)
        return
    author = discord.Object(suggestion.author_id)
    await channel.send(
        f"<@{suggestion.author_id}> {text}"[:MESSAGE_LIMIT],
        allowed_mentions=mention_only(author),
    )
