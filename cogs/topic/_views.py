"""The buttons and menus of `/topic` answers.

Every one is a `discord.ui.DynamicItem` whose custom id carries all it needs (`nexus:topic:open:<slug>`,
`nexus:topic:review:approve:<id>` …): a click rebuilds its state from the database, so buttons keep
working after a restart, and no view ever times out. Every one is a `GuardedItem`: its callback
checks who may act (a moderator, the member it belongs to) and tells the member about any failure,
in one place. The review of suggestions is in `_review`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self, cast

import discord

from bot.app import NexusBot
from bot.discord_limits import BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT
from bot.errors import UserError
from bot.knowledge.model import Topic, TopicSummary
from bot.knowledge.render import Section
from bot.knowledge.service import KnowledgeService
from cogs._guarded import GuardedItem, guild_of
from cogs._style import NO_MENTIONS
from cogs.topic._embeds import (
    clip,
    in_list_order,
    list_embed,
    list_page,
    list_page_count,
)
from cogs.topic._kept import KeptView, built_pages, built_view, kept_view

WHOLE = "all"  # the section part of a custom id when the whole topic is shown
MAX_RELATED_BUTTONS = 10  # two rows of five
POST_EMOJI = discord.PartialEmoji(name="📣")  # parsed once, not on every answer
NOT_YOURS = "These buttons are not yours: run `/topic list` to browse the topics yourself."


def knowledge_of(interaction: discord.Interaction[Any]) -> KnowledgeService:
    return cast(NexusBot, interaction.client).services.knowledge


def _section_code(section: Section | None) -> str:
    return WHOLE if section is None else section.value


def _section_from(code: str | None) -> Section | None:
    if not code or code == WHOLE:
        return None
    try:
        return Section(code)
    except ValueError:
        return None


# --- one topic ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TopicAnswer:
    embed: discord.Embed
    view: discord.ui.View
    page: int
    page_count: int


async def topic_answer(
    knowledge: KnowledgeService,
    topic: Topic,
    guild_id: int,
    *,
    section: Section | None = None,
    page: int = 0,
    shareable: bool,
) -> TopicAnswer:
    """A page of the topic with its buttons: page turns, "Post in channel" (for a private answer)
    and the related topics this server can open."""
    pages = built_pages(knowledge, topic, section)
    page = min(max(page, 0), len(pages) - 1)
    # A curated topic's related topics are curated (`kb check`), the same in every server: its
    # buttons are kept by the topic alone, and its related topics are read only to build them.
    curated = (topic.id, section, page, shareable) if topic.guild_id is None and topic.id is not None else None
    view = kept_view(knowledge, curated) if curated else None
    if view is None:
        related = tuple(await knowledge.related_topics(topic, guild_id))
        view = built_view(knowledge, curated or (topic.slug, section, page, len(pages), related, shareable),
                          lambda: topic_view(topic.slug, section, page, len(pages), related, shareable=shareable))
    return TopicAnswer(pages[page], view, page, len(pages))


async def build_answers(knowledge: KnowledgeService) -> None:
    """Build every curated topic's whole answer now, private and posted (pages and buttons, kept in
    `_kept`), so that no member's lookup waits for it. A curated topic's related topics are all
    curated, so its answer is the same in every server."""
    for topic in knowledge.topics_in_memory():
        if topic.guild_id is None:
            for shareable in (True, False):
                await topic_answer(knowledge, topic, 0, shareable=shareable)


def topic_view(
    slug: str,
    section: Section | None,
    page: int,
    page_count: int,
    related: Sequence[TopicSummary],
    *,
    shareable: bool,
) -> KeptView:
    view = KeptView(timeout=None)
    if page_count > 1:
        view.add_item(TopicPageButton(slug, section, max(page - 1, 0), "◀ Previous", disabled=page == 0))
        view.add_item(TopicPageButton(slug, section, min(page + 1, page_count - 1), "Next ▶",
                                      disabled=page >= page_count - 1))
    if shareable:
        view.add_item(PostTopicButton(slug, section))
    for number, topic in enumerate(related[:MAX_RELATED_BUTTONS]):
        view.add_item(OpenTopicButton(topic.slug, topic.title, row=1 + number // 5))
    return view


def choice_view(hits: Sequence[tuple[str, str]]) -> discord.ui.View:
    """Buttons that open topics, given as (slug, title): the "did you mean" of a lookup that found nothing."""
    view = discord.ui.View(timeout=None)
    for number, (slug, title) in enumerate(hits[:MAX_RELATED_BUTTONS]):
        view.add_item(OpenTopicButton(slug, title, row=number // 5, style=discord.ButtonStyle.primary))
    return view


async def open_topic(interaction: discord.Interaction[Any], slug: str) -> None:
    """Show a topic privately to whoever asked for it by a button or menu; a lookup like any other."""
    guild_id = guild_of(interaction)
    knowledge = knowledge_of(interaction)
    topic = await knowledge.get(slug, guild_id)
    await knowledge.log_lookup(guild_id, slug, topic.id if topic else None)
    if topic is None:
        raise UserError("That topic is no longer in the knowledge base. Search for it with `/topic query`.")
    answer = await topic_answer(knowledge, topic, guild_id, shareable=True)
    await interaction.response.send_message(embed=answer.embed, view=answer.view, ephemeral=True,
                                            allowed_mentions=NO_MENTIONS)


async def _topic_or_gone(interaction: discord.Interaction[Any], slug: str) -> Topic:
    topic = await knowledge_of(interaction).get(slug, guild_of(interaction))
    if topic is None:
        raise UserError("That topic is no longer in the knowledge base. Search for it with `/topic query`.")
    return topic


class OpenTopicButton(
    GuardedItem[discord.ui.Button[Any]], template=r"nexus:topic:open:(?P<slug>[a-z0-9-]+)"
):
    """A related topic (or a "did you mean" candidate): opens it, privately, for whoever presses."""

    def __init__(self, slug: str, title: str = "Open", *, row: int | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(
            discord.ui.Button(label=clip(title, BUTTON_LABEL_LIMIT), style=style, custom_id=f"nexus:topic:open:{slug}"),
            row=row,
        )
        self.slug = slug

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["slug"])

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        await open_topic(interaction, self.slug)


class PostTopicButton(
    GuardedItem[discord.ui.Button[Any]],
    template=r"nexus:topic:post:(?P<slug>[a-z0-9-]+)(?::(?P<section>[a-z_]+))?",
):
    """"Post in channel": what the member read privately, posted in the channel under their name."""

    def __init__(self, slug: str, section: Section | None = None) -> None:
        custom_id = f"nexus:topic:post:{slug}" + ("" if section is None else f":{section.value}")
        super().__init__(
            discord.ui.Button(label="Post in channel", emoji=POST_EMOJI, style=discord.ButtonStyle.success,
                              custom_id=custom_id),
            row=0,
        )
        self.slug = slug
        self.section = section

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["slug"], _section_from(match["section"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_of(interaction)
        topic = await _topic_or_gone(interaction, self.slug)
        channel = interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            raise UserError("I can't post in this channel.")
        can = interaction.app_permissions
        send = can.send_messages_in_threads if isinstance(channel, discord.Thread) else can.send_messages
        if not (send and can.embed_links):
            raise UserError("I can't post here: I need **Send Messages** and **Embed Links** in this channel.")
        answer = await topic_answer(knowledge_of(interaction), topic, guild_id, section=self.section,
                                    shareable=False)
        try:
            message = await channel.send(content=f"Shared by {interaction.user.mention}", embed=answer.embed,
                                         view=answer.view, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            raise UserError("I can't post here: I'm missing a permission in this channel.") from None
        await interaction.response.send_message(f"Posted in the channel: {message.jump_url}", ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


class TopicPageButton(
    GuardedItem[discord.ui.Button[Any]],
    template=r"nexus:topic:page:(?P<section>[a-z_]+):(?P<page>\d{1,3}):(?P<slug>[a-z0-9-]+)",
):
    """Previous/Next through a topic too long for one embed. A private answer turns in place; a
    public one turns in place only for the member who posted it; anyone else gets the page
    privately, so nobody's reading is changed under them."""

    def __init__(self, slug: str, section: Section | None, page: int, label: str = "Page", *,
                 disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                              custom_id=f"nexus:topic:page:{_section_code(section)}:{page}:{slug}"),
            row=0,
        )
        self.slug = slug
        self.section = section
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["slug"], _section_from(match["section"]), int(match["page"]))

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_of(interaction)
        topic = await _topic_or_gone(interaction, self.slug)
        message = interaction.message
        private = message is not None and message.flags.ephemeral
        metadata = message.interaction_metadata if message is not None else None
        poster = metadata.user.id if metadata is not None else None
        knowledge = knowledge_of(interaction)
        if private or poster == interaction.user.id:
            answer = await topic_answer(knowledge, topic, guild_id, section=self.section, page=self.page,
                                        shareable=private)
            await interaction.response.edit_message(embed=answer.embed, view=answer.view,
                                                    allowed_mentions=NO_MENTIONS)
        else:
            answer = await topic_answer(knowledge, topic, guild_id, section=self.section, page=self.page,
                                        shareable=True)
            await interaction.response.send_message(embed=answer.embed, view=answer.view, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)


# --- the topic list -------------------------------------------------------------------------

def _list_custom_id(owner_id: int, page: int, category: str | None) -> str:
    custom_id = f"nexus:topic:list:{owner_id}:{page}"
    if category:
        custom_id += f":{category}"
    if len(custom_id) > CUSTOM_ID_LIMIT:  # categories are short names; never expected
        raise ValueError(f"category too long for a button: {category!r}")
    return custom_id


def list_view(owner_id: int, topics: Sequence[TopicSummary], page: int, category: str | None) -> discord.ui.View:
    """Previous/Next (for `owner_id` only) and a menu opening a topic of this page (for anyone)."""
    view = discord.ui.View(timeout=None)
    count = list_page_count(len(topics))
    page = min(max(page, 0), count - 1)
    if count > 1:
        view.add_item(ListPageButton(owner_id, max(page - 1, 0), category, "◀ Previous", disabled=page == 0))
        view.add_item(ListPageButton(owner_id, min(page + 1, count - 1), category, "Next ▶",
                                     disabled=page >= count - 1))
    shown = list_page(topics, page)
    if shown:
        view.add_item(TopicPickSelect.for_topics(shown))
    return view


async def list_answer(
    knowledge: KnowledgeService, guild_id: int, owner_id: int, page: int, category: str | None
) -> tuple[discord.Embed, discord.ui.View]:
    topics = in_list_order(await knowledge.list_topics(category, guild_id))
    return list_embed(topics, page, category), list_view(owner_id, topics, page, category)


class ListPageButton(
    GuardedItem[discord.ui.Button[Any]],
    template=r"nexus:topic:list:(?P<owner>\d+):(?P<page>\d{1,4})(?::(?P<category>.+))?",
):
    """Previous/Next of `/topic list`: only the member who ran it turns its pages."""

    not_yours = NOT_YOURS

    def __init__(self, owner_id: int, page: int, category: str | None, label: str = "Page", *,
                 disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                              custom_id=_list_custom_id(owner_id, page, category)),
            row=0,
        )
        self.owner_id = owner_id
        self.page = page
        self.category = category

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["owner"]), int(match["page"]), match["category"])

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await list_answer(knowledge_of(interaction), guild_of(interaction), interaction.user.id,
                                        self.page, self.category)
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_MENTIONS)


class TopicPickSelect(GuardedItem[discord.ui.Select[Any]], template=r"nexus:topic:pick"):
    """The list page's "open a topic" menu: the chosen topic opens privately for whoever chose it."""

    def __init__(self, select: discord.ui.Select[Any]) -> None:
        super().__init__(select, row=1)

    @classmethod
    def for_topics(cls, topics: Sequence[TopicSummary]) -> Self:
        options = [discord.SelectOption(label=clip(t.title, 100), value=t.slug, description=clip(t.category, 100))
                   for t in topics[:25]]
        return cls(discord.ui.Select(custom_id="nexus:topic:pick", placeholder="Open a topic from this page",
                                     options=options))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        if not isinstance(item, discord.ui.Select):
            raise TypeError(f"nexus:topic:pick is a select menu, got {type(item).__name__}")
        return cls(item)

    async def act(self, interaction: discord.Interaction[Any]) -> None:
        values = self.item.values
        if values:
            await open_topic(interaction, str(values[0]))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    OpenTopicButton,
    PostTopicButton,
    TopicPageButton,
    ListPageButton,
    TopicPickSelect,
)
