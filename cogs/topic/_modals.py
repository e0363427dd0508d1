"""`/topic suggest`: the form a member fills in to propose a topic or a fix. (The moderators' forms
are in `_review`.)"""

from __future__ import annotations

from typing import Any

import discord

# The service checks (and cleans) every field; these limits only let Discord's form say it first.
from bot.knowledge.model import Topic
from bot.knowledge.suggestions import EXPLANATION_MAX, EXPLANATION_MIN, LINKS_MAX, TITLE_MAX, TITLE_MIN
from cogs._feedback import reply_private, report_error
from cogs.topic._embeds import quoted
from cogs.topic._views import guild_of, knowledge_of


class SuggestTopicModal(discord.ui.Modal):
    """Stored as a pending suggestion; a moderator approves or rejects it with `/topic review`.
    With `fix_for`, the suggestion is a fix for that topic. The modal keeps discord.py's random
    custom id: a fixed one would let two members' forms collide."""

    def __init__(self, fix_for: Topic | None = None) -> None:
        super().__init__(title="Suggest a fix" if fix_for else "Suggest a topic", timeout=30 * 60)
        self.fix_for = fix_for
        self.topic_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="title", min_length=TITLE_MIN, max_length=TITLE_MAX,
            placeholder="e.g. The JWT refresh example is outdated" if fix_for else "e.g. Django signals",
        )
        self.explanation: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="explanation", style=discord.TextStyle.paragraph,
            min_length=EXPLANATION_MIN, max_length=EXPLANATION_MAX,
            placeholder=("What is wrong or missing in the topic, and what it should say" if fix_for
                         else "The question a learner has, the ideas and pitfalls the topic should cover"),
        )
        self.links: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="links", style=discord.TextStyle.paragraph, required=False, max_length=LINKS_MAX,
            placeholder="Official documentation or good articles: full https:// links, one per line",
        )
        about = f"A fix for: {fix_for.title}"[:100] if fix_for else None
        self.add_item(discord.ui.Label(text="Title", description=about, component=self.topic_title))
        self.add_item(discord.ui.Label(text="What should change?" if fix_for else "What should it explain?",
                                       component=self.explanation))
        self.add_item(discord.ui.Label(text="Links (optional)", component=self.links))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        suggestion = await knowledge_of(interaction).suggest(
            guild_of(interaction), interaction.user.id, self.topic_title.value, self.explanation.value,
            self.links.value or "", fix_for=self.fix_for.slug if self.fix_for else None,
        )
        after = ("I'll tell you what the moderators decide." if self.fix_for
                 else "Once approved, `/topic query` finds it; I'll tell you what the moderators decide.")
        kind = f"fix for **{quoted(self.fix_for.title, 100)}**" if self.fix_for else "suggestion"
        await reply_private(
            interaction,
            f"Thanks! Your {kind}, **{quoted(suggestion.title, 100)}**, is waiting for a moderator's review. {after}",
        )

    # discord.py's Modal narrows BaseView's signature (no item); mypy sees the base one.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)
