"""`/topic …`: look up concepts in the knowledge base, browse it, suggest topics, and (moderators)
review suggestions and see what members look for.

Thin: parse, call `KnowledgeService`, render with `_embeds`, attach `_views`' buttons. Answers are
private unless the member asks to post them; everything a member typed is sent with mentions off.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import NexusBot
from bot.discord_limits import CHOICE_NAME_LIMIT, MAX_CHOICES
from bot.errors import UserError
from bot.knowledge.model import Topic
from bot.knowledge.render import Section
from bot.knowledge.service import KnowledgeService
from cogs._checks import requires
from cogs._guarded import MODERATOR, guild_of
from cogs._style import NO_MENTIONS
from cogs.topic._embeds import clip, no_match_embed, quoted, spelling_note, stats_embed
from cogs.topic._modals import SuggestTopicModal
from cogs.topic._review import REVIEW_ITEMS, review_screen
from cogs.topic._views import (
    DYNAMIC_ITEMS,
    build_answers,
    choice_view,
    list_answer,
    topic_answer,
)

SECTION_CHOICES = [app_commands.Choice(name=section.label, value=section.value) for section in Section]
QUERY_MAX = 200
CLOSEST = 3
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
log = logging.getLogger(__name__)


@app_commands.guild_only()
class TopicCog(
    commands.GroupCog, group_name="topic", group_description="Look up backend concepts in the knowledge base"
):
    # `/topic review`, `/topic unpublish` and `/topic stats` are for moderators. Discord's default
    # permissions apply to a whole top-level command, not to one subcommand, so Discord cannot hide
    # these from learners; `requires` has the bot check Manage Messages itself on every use (and
    # `/help` leave them out for learners); every review click and form checks it again.

    def __init__(self, bot: NexusBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        # Buttons of earlier answers (even from before a restart) are matched by their custom id.
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, *REVIEW_ITEMS)
        if self.bot.running_services is not None:  # else only loaded to look at its commands
            self.knowledge.on_prepared(self._build_answers)
            await self._build_answers()

    async def _build_answers(self) -> None:
        await build_answers(self.knowledge)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS, *REVIEW_ITEMS)

    async def nexus_status(self, guild_id: int) -> tuple[str, str]:
        """The knowledge base's line in `/nexus status`."""
        status = await self.knowledge.status(guild_id)
        return "Knowledge base", (f"Topics: **{status.topics}** · lookups in the last {status.days} days: "
                                  f"{status.lookups}")

    @property
    def knowledge(self) -> KnowledgeService:
        return self.bot.services.knowledge

    # --- looking up ----------------------------------------------------------------------

    @app_commands.command(name="query", description="Look up a concept: summary, key ideas, pitfalls, best practices")
    @app_commands.describe(
        query="What you want to know, e.g. 'select_related vs prefetch_related' (pick a suggestion or type freely)",
        section="Only this part of the topic (default: the whole topic)",
        public="Post the answer in the channel for everyone (default: only you see it)",
    )
    @app_commands.choices(section=SECTION_CHOICES)
    async def query_command(
        self,
        interaction: discord.Interaction[Any],
        query: app_commands.Range[str, 1, QUERY_MAX],
        section: app_commands.Choice[str] | None = None,
        public: bool = False,
    ) -> None:
        guild_id = guild_of(interaction)
        text = " ".join(query.split())
        if not text:
            raise UserError("Type what you're looking for, e.g. `select_related vs prefetch_related`.")
        topic, spelling = await self._find(text, guild_id)
        if topic is None:
            await self._no_match(interaction, text, guild_id)
        else:
            answer = await topic_answer(self.knowledge, topic, guild_id,
                                        section=Section(section.value) if section else None, shareable=not public)
            await interaction.response.send_message(
                content=spelling_note(spelling) if spelling else None, embed=answer.embed, view=answer.view,
                ephemeral=not public, allowed_mentions=NO_MENTIONS,
            )
        # The only record of a lookup: server, query, what it found, when. Never who asked. Written
        # after the answer: the member waits for the topic, not for the statistics.
        await self.knowledge.log_lookup(guild_id, text, topic.id if topic else None)

    @query_command.autocomplete("query")
    async def query_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        # The value is the slug, so a picked choice opens exactly that topic. The text is searched
        # as the command will search it (spaces as `query_command` leaves them): a question typed
        # to the end is answered from what its autocomplete found.
        typed = " ".join(current[:QUERY_MAX].split())
        hits = await self.knowledge.autocomplete(typed, interaction.guild_id, MAX_CHOICES)
        return [app_commands.Choice(name=clip(hit.title, CHOICE_NAME_LIMIT), value=hit.slug)
                for hit in hits[:MAX_CHOICES]]

    async def _find(self, text: str, guild_id: int) -> tuple[Topic | None, str | None]:
        """The topic a query means, and the corrected query when a typo was fixed on the way. A slug
        (what an autocomplete choice sends) opens that topic; anything else is searched."""
        if _SLUG.fullmatch(text.casefold()):
            topic = await self.knowledge.get(text.casefold(), guild_id)
            if topic is not None:
                return topic, None
        hits = await self.knowledge.search(text, guild_id, limit=1)
        if not hits:
            return None, None
        topic = await self.knowledge.get(hits[0].slug, guild_id)
        # It found a topic: "did you mean" is the query as corrected on the way, if it was.
        spelling = await self.knowledge.corrected_query(text) if topic else None
        return topic, spelling

    async def _no_match(self, interaction: discord.Interaction[Any], text: str, guild_id: int) -> None:
        """Nothing found: what `KnowledgeService.miss` offers ("did you mean", the closest topics as
        buttons), else `/topic list`; and `/topic suggest`. Always private, even with `public:true`:
        a miss is nothing to post."""
        miss = await self.knowledge.miss(text, guild_id, CLOSEST)
        candidates = [(hit.slug, hit.title) for hit in miss.closest]
        await interaction.response.send_message(
            embed=no_match_embed(text, miss.spelling, bool(candidates)), view=choice_view(candidates),
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )

    # --- browsing ------------------------------------------------------------------------

    @app_commands.command(name="list", description="Browse the knowledge base's topics, by category")
    @app_commands.describe(
        category="Only the topics of this category (default: all)",
        public="Post the list in the channel for everyone (default: only you see it)",
    )
    async def list_command(
        self, interaction: discord.Interaction[Any], category: str | None = None, public: bool = False
    ) -> None:
        guild_id = guild_of(interaction)
        chosen = await self._category(category, guild_id) if category and category.strip() else None
        embed, view = await list_answer(self.knowledge, guild_id, interaction.user.id, 0, chosen)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=not public,
                                                allowed_mentions=NO_MENTIONS)

    @list_command.autocomplete("category")
    async def category_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.strip().casefold()
        return [app_commands.Choice(name=name, value=name)
                for name in await self.knowledge.categories(interaction.guild_id)
                if wanted in name.casefold()][:MAX_CHOICES]

    async def _category(self, typed: str, guild_id: int) -> str:
        categories = await self.knowledge.categories(guild_id)
        match = next((name for name in categories if name.casefold() == typed.strip().casefold()), None)
        if match is None:
            names = ", ".join(f"`{name}`" for name in categories)
            raise UserError(f"There is no category `{clip(typed.strip(), 50)}`. Pick one of: {names}.")
        return match

    @app_commands.command(name="random", description="A random topic from the knowledge base")
    async def random_command(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = guild_of(interaction)
        topic = await self.knowledge.random_topic(guild_id)
        if topic is None:
            raise UserError("The knowledge base has no topics yet.")
        answer = await topic_answer(self.knowledge, topic, guild_id, shareable=True)
        await interaction.response.send_message(content="🎲 A random topic:", embed=answer.embed, view=answer.view,
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    # --- growing the knowledge base ------------------------------------------------------

    @app_commands.command(name="suggest", description="Propose a new topic or a fix; a moderator reviews it")
    @app_commands.describe(topic="Suggest a fix for this topic (leave out to propose a new topic)")
    async def suggest_command(self, interaction: discord.Interaction[Any], topic: str | None = None) -> None:
        guild_id = guild_of(interaction)
        fix_for = None
        if topic and topic.strip():
            fix_for = await self.knowledge.get(topic.strip().casefold(), guild_id)
            if fix_for is None:
                raise UserError(f"There is no topic `{clip(topic.strip(), 60)}`: pick the topic to fix from the "
                                "list, or leave the option out to suggest a new topic.")
        await interaction.response.send_modal(SuggestTopicModal(fix_for))

    @suggest_command.autocomplete("topic")
    async def suggest_topic_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        hits = await self.knowledge.autocomplete(current[:QUERY_MAX], interaction.guild_id, MAX_CHOICES)
        return [app_commands.Choice(name=clip(hit.title, CHOICE_NAME_LIMIT), value=hit.slug)
                for hit in hits[:MAX_CHOICES]]

    @requires(**MODERATOR)
    @app_commands.command(name="review", description="Moderators: approve or reject suggested topics and fixes")
    async def review_command(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await review_screen(self.knowledge, guild_of(interaction), interaction.user.id)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)

    @requires(**MODERATOR)
    @app_commands.command(name="unpublish",
                          description="Moderators: take a topic approved from a suggestion out of the knowledge base")
    @app_commands.describe(topic="A topic approved from a suggestion in this server (curated topics cannot be)")
    async def unpublish_command(self, interaction: discord.Interaction[Any], topic: str) -> None:
        removed = await self.knowledge.unpublish(topic.strip().casefold(), guild_of(interaction))
        log.info("moderator %s unpublished suggested topic %s in server %s", interaction.user.id, removed.slug,
                 interaction.guild_id)
        await interaction.response.send_message(
            f"Unpublished **{quoted(removed.title, 100)}** (`{removed.slug}`): `/topic query` no longer finds it "
            "in this server. Its text is kept: `python -m bot kb export` still exports it.",
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )

    @unpublish_command.autocomplete("topic")
    async def unpublish_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not interaction.permissions.manage_messages:
            return []  # nothing of the moderators' to show a learner
        topics = await self.knowledge.suggested_topics(interaction.guild_id, current[:QUERY_MAX], MAX_CHOICES)
        return [app_commands.Choice(name=clip(t.title, CHOICE_NAME_LIMIT), value=t.slug) for t in topics]

    @requires(**MODERATOR)
    @app_commands.command(name="stats",
                          description="Moderators: the most looked-up topics and the queries that found nothing")
    @app_commands.describe(days="How many days back to count, 1 to 365 (default 30)")
    async def stats_command(
        self, interaction: discord.Interaction[Any], days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        stats = await self.knowledge.recent_stats(guild_of(interaction), days)
        await interaction.response.send_message(embed=stats_embed(stats, days), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
