"""`/topic suggest`: the form a member fills in to propose a topic or a fix. (The moderators' forms
are in `_review`.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

# The service checks (and cleans) every field; these limits only let Discord's form say it first.
from bot.errors import FormRefused, UserError
from bot.knowledge.model import Topic
from bot.knowledge.suggestions import EXPLANATION_MAX, EXPLANATION_MIN, LINKS_MAX, TITLE_MAX, TITLE_MIN
from cogs._feedback import ReportingForm, reply_private
from cogs._guarded import guild_of
from cogs.topic._embeds import quoted
from cogs.topic._views import knowledge_of


@dataclass(frozen=True)
class SuggestionText:
    """What the member typed in the form, kept to reopen it after a refusal."""

    title: str
    explanation: str
    links: str


class EditSuggestion(discord.ui.View):
    """One button that reopens the refused form, prefilled, for the member who filled it in. It
    lives as long as the form would (30 minutes) in this process: a restart forgets it, and the
    member starts `/topic suggest` again."""

    def __init__(self, author_id: int, fix_for: Topic | None, typed: SuggestionText) -> None:
        super().__init__(timeout=30 * 60)
        self.author_id, self.fix_for, self.typed = author_id, fix_for, typed

    @discord.ui.button(label="Edit your suggestion", style=discord.ButtonStyle.primary)
    async def edit(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        if interaction.user.id != self.author_id:
            await reply_private(interaction, "This button belongs to the member who filled in the form.")
            return
        await interaction.response.send_modal(SuggestTopicModal(self.fix_for, self.typed))


class SuggestTopicModal(ReportingForm):
    """Stored as a pending suggestion; a moderator approves or rejects it with `/topic review`.
    With `fix_for`, the suggestion is a fix for that topic. The modal keeps discord.py's random
    custom id: a fixed one would let two members' forms collide."""

    def __init__(self, fix_for: Topic | None = None, typed: SuggestionText | None = None) -> None:
        super().__init__(title="Suggest a fix" if fix_for else "Suggest a topic", timeout=30 * 60)
        self.fix_for = fix_for
        typed = typed or SuggestionText("", "", "")
        self.topic_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="title", min_length=TITLE_MIN, max_length=TITLE_MAX, default=typed.title or None,
            placeholder="e.g. The JWT refresh example is outdated" if fix_for else "e.g. Django signals",
        )
        self.explanation: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="explanation", style=discord.TextStyle.paragraph,
            min_length=EXPLANATION_MIN, max_length=EXPLANATION_MAX, default=typed.explanation or None,
            placeholder=("What is wrong or missing in the topic, and what it should say" if fix_for
                         else "The question a learner has, the ideas and pitfalls the topic should cover"),
        )
        self.links: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="links", style=discord.TextStyle.paragraph, required=False, max_length=LINKS_MAX,
            default=typed.links or None,
            placeholder="Official documentation or good articles: full https:// links, one per line",
        )
        about = f"A fix for: {fix_for.title}"[:100] if fix_for else None
        self.add_item(discord.ui.Label(text="Title", description=about, component=self.topic_title))
        self.add_item(discord.ui.Label(text="What should change?" if fix_for else "What should it explain?",
                                       component=self.explanation))
        self.add_item(discord.ui.Label(text="Links (optional)", component=self.links))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        typed = SuggestionText(self.topic_title.value, self.explanation.value, self.links.value or "")
        try:
            suggestion = await knowledge_of(interaction).suggest(
                guild_of(interaction), interaction.user.id, typed.title, typed.explanation, typed.links,
                fix_for=self.fix_for.slug if self.fix_for else None,
            )
        except UserError as refused:
            # Discord cannot answer a form with a form: a button reopens it with what was typed.
            several = isinstance(refused, FormRefused) and len(refused.problems) > 1
            why = f"Your suggestion needs a few changes:\n{refused}\n\n" if several else f"{refused} "
            await reply_private(interaction, f"{why}Nothing you typed is lost: press **Edit your suggestion**.",
                                view=EditSuggestion(interaction.user.id, self.fix_for, typed))
            return
        after = ("I'll tell you what the moderators decide." if self.fix_for
                 else "Once approved, `/topic query` finds it; I'll tell you what the moderators decide.")
        kind = f"fix for **{quoted(self.fix_for.title, 100)}**" if self.fix_for else "suggestion"
        await reply_private(
            interaction,
            f"Thanks! Your {kind}, **{quoted(suggestion.title, 100)}**, is waiting for a moderator's review. {after}",
        )

