"""`/topic review`: moderators decide on suggestions, one at a time.

Approve opens a form, prefilled from the suggestion, where the moderator writes the topic (title,
category from the list, summary, key points, further reading) before it goes live; a refused form
is kept, and a button reopens it with what they wrote (Discord cannot answer a form with a form).
A fix for an existing topic is accepted (with an optional note) and never becomes a topic. Reject
takes an optional reason. The author is told either way (`_notify`).

Every card and form belongs to the moderator who opened it, and Manage Messages is checked again
by the bot on every click and every submit.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.errors import UserError
from bot.knowledge.model import CATEGORIES, ReviewDecision, TopicDraft
from bot.knowledge.service import NOTE_MAX, DraftRefused, KnowledgeService
from bot.knowledge.suggestions import KEY_POINTS_MAX, LINKS_MAX, SUMMARY_MAX, TITLE_MAX, TITLE_MIN
from cogs._feedback import ReportingForm, reply_private
from cogs._guarded import GuardedItem, check_actor, guild_of
from cogs._style import NO_MENTIONS
from cogs.topic._embeds import clip, quoted, review_done_embed, suggestion_embed
from cogs.topic._notify import tell_author
from cogs.topic._views import OpenTopicButton, knowledge_of

FORM_TIMEOUT = 60 * 60  # seconds a moderator has to fill in a form
NOT_YOUR_CARD = "This review belongs to another moderator: run `/topic review` to review yourself."
NOT_YOUR_FORM = "This form belongs to another moderator."


async def review_screen(
    knowledge: KnowledgeService, guild_id: int, owner_id: int, note: str | None = None
) -> tuple[discord.Embed, discord.ui.View]:
    """The oldest pending suggestion with its buttons (for `owner_id` only), or "nothing to
    review"; `note` says what the last decision did."""
    view = discord.ui.View(timeout=None)
    pending = await knowledge.pending_suggestions(guild_id)
    if not pending:
        return review_done_embed(note), view
    suggestion = pending[0]
    target = await knowledge.fix_target(suggestion)
    embed = suggestion_embed(suggestion, len(pending), target)
    if note:
        embed.description = clip(f"{note}\n\n{embed.description}", 4096)
    view.add_item(ReviewButton("approve", suggestion.id, owner_id, fix=suggestion.is_fix))
    view.add_item(ReviewButton("reject", suggestion.id, owner_id))
    if target is not None:
        view.add_item(OpenTopicButton(target.slug, f"Open: {target.title}", row=1))
    return embed, view


async def _show_queue(interaction: discord.Interaction[Any], note: str) -> None:
    """After a decision: the card the moderator pressed becomes the next suggestion, with `note`."""
    embed, view = await review_screen(knowledge_of(interaction), guild_of(interaction), interaction.user.id, note)
    if interaction.message is not None:
        await interaction.response.edit_message(content=None, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _decided(interaction: discord.Interaction[Any], decision: ReviewDecision, note: str) -> None:
    await _show_queue(interaction, note)
    await tell_author(interaction.client, decision)  # after answering: a DM may take a while


class ReviewButton(
    GuardedItem[discord.ui.Button[Any]],
    template=r"nexus:topic:review:(?P<action>approve|reject):(?P<id>\d+)(?::(?P<owner>\d+))?",
):
    """Approve (or accept a fix) or reject one suggestion: each opens a form. Only the moderator the
    card was made for may press (cards from before owners were recorded have none)."""

    moderator_only = True
    not_yours = NOT_YOUR_CARD

    def __init__(self, action: str, suggestion_id: int, owner_id: int | None, *, fix: bool = False) -> None:
        approve = action == "approve"
        custom_id = f"nexus:topic:review:{action}:{suggestion_id}" + (f":{owner_id}" if owner_id else "")
        super().__init__(
            discord.ui.Button(
                label=("Accept fix" if fix else "Approve") if approve else "Reject",
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
                custom_id=custom_id,
            ),
            row=0,
        )
        self.action = action
        self.suggestion_id = suggestion_id
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["action"], int(match["id"]), int(match["owner"]) if match["owner"] else None)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        knowledge = knowledge_of(interaction)
        try:
            suggestion = await knowledge.pending(self.suggestion_id, guild_of(interaction))
        except UserError as exc:  # decided by someone else meanwhile: show the queue as it is now
            await _show_queue(interaction, str(exc))
            return
        moderator = interaction.user.id
        modal: discord.ui.Modal
        if self.action == "reject":
            modal = DecisionNoteModal("reject", suggestion.id, moderator)
        elif suggestion.is_fix:
            modal = DecisionNoteModal("accept", suggestion.id, moderator)
        else:
            modal = TopicFormModal(suggestion.id, moderator, await knowledge.approval_draft(suggestion, moderator))
        await interaction.response.send_modal(modal)


class ReopenFormButton(
    GuardedItem[discord.ui.Button[Any]], template=r"nexus:topic:form:(?P<id>\d+):(?P<owner>\d+)"
):
    """On a refused form: opens it again with what the moderator wrote (kept in the database)."""

    moderator_only = True
    not_yours = NOT_YOUR_FORM

    def __init__(self, suggestion_id: int, owner_id: int) -> None:
        super().__init__(discord.ui.Button(label="Edit the topic", emoji="✏️", style=discord.ButtonStyle.primary,
                                           custom_id=f"nexus:topic:form:{suggestion_id}:{owner_id}"))
        self.suggestion_id = suggestion_id
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["id"]), int(match["owner"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        knowledge = knowledge_of(interaction)
        suggestion = await knowledge.pending(self.suggestion_id, guild_of(interaction))
        draft = await knowledge.approval_draft(suggestion, interaction.user.id)
        await interaction.response.send_modal(TopicFormModal(suggestion.id, interaction.user.id, draft))


class _ModeratorForm(ReportingForm):
    """A form of one moderator about one suggestion; its custom id names both, so two moderators'
    forms never collide and the same moderator's second form replaces the first."""

    def __init__(self, kind: str, title: str, suggestion_id: int, owner_id: int) -> None:
        super().__init__(title=title, timeout=FORM_TIMEOUT,
                         custom_id=f"nexus:topic:{kind}-form:{suggestion_id}:{owner_id}")
        self.suggestion_id = suggestion_id
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        check_actor(interaction, moderator=True, owner_id=self.owner_id, not_yours=NOT_YOUR_FORM)
        return await super().interaction_check(interaction)



def _text_input(custom_id: str, default: str, max_length: int, *, paragraph: bool = True, required: bool = True,
                min_length: int | None = None, placeholder: str | None = None) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        custom_id=custom_id, default=default[:max_length] or None, max_length=max_length, min_length=min_length,
        required=required, placeholder=placeholder,
        style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
    )


class TopicFormModal(_ModeratorForm):
    """The topic a suggestion becomes, written by the moderator; published on submit."""

    def __init__(self, suggestion_id: int, owner_id: int, draft: TopicDraft) -> None:
        super().__init__("approve", "Write the topic", suggestion_id, owner_id)
        self.topic_title = _text_input("title", draft.title, TITLE_MAX, paragraph=False, min_length=TITLE_MIN)
        self.category: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="category", required=True, min_values=1, max_values=1,
            options=[discord.SelectOption(label=name, value=name, default=name == draft.category)
                     for name in CATEGORIES],
        )
        self.summary = _text_input("summary", draft.summary, SUMMARY_MAX,
                                   placeholder="What it is and why a backend learner cares")
        self.key_points = _text_input("key_points", draft.key_points, KEY_POINTS_MAX,
                                      placeholder="One key point a line: what a learner must remember")
        self.links = _text_input("links", draft.links, LINKS_MAX, required=False,
                                 placeholder="One link a line; a title before the link is fine")
        self.add_item(discord.ui.Label(text="Title", component=self.topic_title))
        self.add_item(discord.ui.Label(text="Category", component=self.category))
        self.add_item(discord.ui.Label(text="Summary", component=self.summary))
        self.add_item(discord.ui.Label(text="Key points", description="One per line", component=self.key_points))
        self.add_item(discord.ui.Label(text="Further reading (optional)", description="One http(s) link per line",
                                       component=self.links))

    def draft(self) -> TopicDraft:
        chosen = self.category.values
        return TopicDraft(self.topic_title.value, str(chosen[0]) if chosen else "", self.summary.value,
                          self.key_points.value, self.links.value or "")

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        knowledge = knowledge_of(interaction)
        try:
            decision = await knowledge.approve(self.suggestion_id, interaction.user.id, self.draft(),
                                               guild_id=guild_of(interaction))
        except DraftRefused as refused:
            view = discord.ui.View(timeout=None)
            view.add_item(ReopenFormButton(self.suggestion_id, self.owner_id))
            await reply_private(interaction, f"I can't publish this topic yet:\n{refused}\n\n"
                                             "What you wrote is kept: press **Edit the topic** to fix it.", view=view)
            return
        except UserError as exc:  # decided by another moderator meanwhile
            await _show_queue(interaction, str(exc))
            return
        topic = decision.topic
        assert topic is not None
        await _decided(interaction, decision, f"✅ Published **{quoted(topic.title, 100)}**: "
                                              f"`/topic query {topic.slug}` finds it now in this server.")


class DecisionNoteModal(_ModeratorForm):
    """Reject a suggestion, or accept a fix, with an optional note the author is told."""

    def __init__(self, action: str, suggestion_id: int, owner_id: int) -> None:
        reject = action == "reject"
        super().__init__(action, "Reject the suggestion" if reject else "Accept the fix", suggestion_id, owner_id)
        self.action = action
        self.note = _text_input("note", "", NOTE_MAX, required=False,
                                placeholder="Sent to the member with the decision")
        label = "Reason (optional)" if reject else "Note to the member (optional)"
        self.add_item(discord.ui.Label(text=label, component=self.note))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        knowledge = knowledge_of(interaction)
        guild_id = guild_of(interaction)
        note = self.note.value or ""
        try:
            if self.action == "reject":
                decision = await knowledge.reject(self.suggestion_id, interaction.user.id, note, guild_id=guild_id)
            else:
                decision = await knowledge.accept_fix(self.suggestion_id, interaction.user.id, note,
                                                      guild_id=guild_id)
        except UserError as exc:
            await _show_queue(interaction, str(exc))
            return
        title = quoted(decision.suggestion.title, 100)
        done = (f"❌ Rejected **{title}**." if self.action == "reject"
                else f"✅ Accepted the fix **{title}** for the maintainers.")
        await _decided(interaction, decision, done)


REVIEW_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ReviewButton, ReopenFormButton)
