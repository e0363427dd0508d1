"""`/topic suggest`: the form a member fills in to propose a topic or a fix."""

from __future__ import annotations

from typing import Any

import discord

# The service checks (and cleans) every field; these limits only let Discord's form say it first.
from bot.knowledge.suggestions import EXPLANATION_MAX, EXPLANATION_MIN, LINKS_MAX, TITLE_MAX, TITLE_MIN
from cogs._feedback import reply_private, report_error
from cogs.topic._embeds import quoted
from cogs.topic._views import guild_of, knowledge_of


class SuggestTopicModal(discord.ui.Modal, title="Suggest a topic"):
    """Stored as a pending suggestion; a moderator approves or rejects it with `/topic review`.
    The modal keeps discord.py's random custom id: a fixed one would let two members' forms collide."""

    def __init__(self) -> None:
        super().__init__(timeout=30 * 60)
        self.topic_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="title", min_length=TITLE_MIN, max_length=TITLE_MAX,
            placeholder="e.g. Django signals, or: fix the JWT topic",
        )
        self.explanation: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="explanation", style=discord.TextStyle.paragraph,
            min_length=EXPLANATION_MIN, max_length=EXPLANATION_MAX,
            placeholder="The question a learner has, the ideas and pitfalls the topic should cover",
        )
        self.links: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="links", style=discord.TextStyle.paragraph, required=False, max_length=LINKS_MAX,
            placeholder="Official documentation or good articles: full https:// links, one per line",
        )
        self.add_item(discord.ui.Label(text="Title", component=self.topic_title))
        self.add_item(discord.ui.Label(text="What should it explain?", component=self.explanation))
        self.add_item(discord.ui.Label(text="Links (optional)", component=self.links))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        suggestion = await knowledge_of(interaction).suggest(
            guild_of(interaction), interaction.user.id, self.topic_title.value, self.explanation.value,
            self.links.value or "",
        )
        await reply_private(
            interaction,
            f"Thanks! Your suggestion **{quoted(suggestion.title, 100)}** is waiting for a moderator's review. "
            "Once approved, `/topic query` finds it.",
        )

    # discord.py's Modal narrows BaseView's signature (no item); mypy sees the base one.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)
