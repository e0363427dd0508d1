"""`KnowledgeService`: everything the `/topic` commands and `kb` CLI ask of the knowledge base.

Curated topics (guild_id None) are shared by every server; a topic approved from a suggestion
belongs to its server and is found only there. Every `guild_id` parameter means "as seen from this
server"; None means the curated set alone (the CLI).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.db import Database
from bot.db.knowledge import KnowledgeRepository
from bot.errors import UserError
from bot.knowledge.loader import sync_topics
from bot.knowledge.model import (
    CATEGORIES,
    KnowledgeStats,
    KnowledgeStatus,
    SearchHit,
    Suggestion,
    SyncReport,
    Topic,
    TopicSummary,
)
from bot.knowledge.search import KnowledgeSearch
from bot.knowledge.suggestions import check_suggestion, topic_from_suggestion
from bot.knowledge.validation import load_track_keys

log = logging.getLogger(__name__)

MAX_LOGGED_QUERY = 200
STATS_ROWS = 10
RELATED_FROM_SEARCH = 3


class KnowledgeService:
    def __init__(
        self, db: Database, knowledge_dir: Path, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.knowledge_dir = knowledge_dir
        self._repository = KnowledgeRepository(db)
        self._search = KnowledgeSearch(self._repository)
        # `Clock.now` of the bot's one clock; tools without a bot (the kb CLI, tests) read real time.
        self._clock = clock or Clock().now

    # --- the curated files -----------------------------------------------------------------

    async def sync(self) -> SyncReport:
        """Bring the database in line with the topic files; never raises (problems are in the report)."""
        try:
            track_keys = load_track_keys(self.knowledge_dir.parent / "tracks.toml")
        except (OSError, ValueError) as exc:
            log.warning("tracks file unreadable, topic tracks not checked: %s", exc)
            track_keys = None
        report = await sync_topics(self._repository, self.knowledge_dir, self._clock(), track_keys)
        if report.changed:
            self._search.invalidate()
        log.info("knowledge base synced from %s: %s", self.knowledge_dir, report.summary())
        return report

    # --- finding topics --------------------------------------------------------------------

    async def search(self, query: str, guild_id: int | None = None, limit: int = 5) -> list[SearchHit]:
        return await self._search.search(query, guild_id, limit)

    async def autocomplete(self, prefix: str, guild_id: int | None = None, limit: int = 25) -> list[SearchHit]:
        return await self._search.autocomplete(prefix, guild_id, limit)

    async def suggest_spelling(self, query: str, guild_id: int | None = None) -> str | None:
        return await self._search.suggest_spelling(query, guild_id)

    async def closest(self, query: str, guild_id: int | None = None, limit: int = 3) -> list[SearchHit]:
        return await self._search.closest(query, guild_id, limit)

    async def get(self, slug: str, guild_id: int | None = None) -> Topic | None:
        return await self._repository.get(slug.strip(), guild_id)

    async def related_topics(self, topic: Topic, guild_id: int | None = None) -> list[TopicSummary]:
        """The topic's related topics that this server can open, in the file's order."""
        found = []
        for slug in topic.related:
            related = await self._repository.get(slug, guild_id)
            if related is not None and related.id is not None:
                found.append(TopicSummary(related.id, related.slug, related.title, related.category, related.guild_id))
        return found

    async def list_topics(self, category: str | None = None, guild_id: int | None = None) -> list[TopicSummary]:
        return await self._repository.list_topics(category, guild_id)

    async def categories(self, guild_id: int | None = None) -> list[str]:
        """Categories that hold a topic, in the format's order."""
        counts = await self._repository.category_counts(guild_id)
        return [c for c in CATEGORIES if counts.get(c)] + sorted(c for c in counts if c not in CATEGORIES)

    async def random_topic(self, guild_id: int | None = None) -> Topic | None:
        return await self._repository.random_topic(guild_id)

    async def topic_to_export(self, slug: str) -> Topic | None:
        """Any stored topic, of any server (for `kb export`, which operators run)."""
        return await self._repository.get_any(slug.strip())

    # --- lookups ---------------------------------------------------------------------------

    async def log_lookup(self, guild_id: int, query: str, topic_id: int | None) -> None:
        """Record a lookup: the server, the query text and what it found. Nothing about who asked."""
        text = " ".join(query.split())[:MAX_LOGGED_QUERY]
        await self._repository.log_lookup(guild_id, text, topic_id, self._clock())

    async def recent_stats(self, guild_id: int, days: int, limit: int = STATS_ROWS) -> KnowledgeStats:
        """`stats` over the last `days` days, counted back from the clock's now."""
        return await self.stats(guild_id, self._clock() - timedelta(days=days), limit)

    async def stats(self, guild_id: int, since: datetime, limit: int = STATS_ROWS) -> KnowledgeStats:
        return KnowledgeStats(
            since=since,
            total_lookups=await self._repository.count_lookups(guild_id, since),
            top_topics=await self._repository.top_topics(guild_id, since, limit),
            unanswered=await self._repository.unanswered_queries(guild_id, since, limit),
        )

    # --- suggestions -----------------------------------------------------------------------

    async def suggest(self, guild_id: int, author_id: int, title: str, explanation: str, links: str = "") -> Suggestion:
        title, explanation, links = check_suggestion(title, explanation, links)
        return await self._repository.add_suggestion(guild_id, author_id, title, explanation, links, self._clock())

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        return await self._repository.pending_suggestions(guild_id)

    async def approve(self, suggestion_id: int, reviewer_id: int, *, guild_id: int | None = None) -> Topic:
        """Publish the suggestion as a topic of its server, searchable at once. With `guild_id`, a
        suggestion of another server is treated as not found."""
        suggestion = await self._pending(suggestion_id, guild_id)
        # The closest existing topics give the new one its category and its related links.
        near = await self._search.search(f"{suggestion.title} {suggestion.explanation}", suggestion.guild_id,
                                         RELATED_FROM_SEARCH)
        category = next((hit.category for hit in near if hit.category in CATEGORIES), None)
        topic = topic_from_suggestion(suggestion, category, tuple(hit.slug for hit in near))
        stored = await self._repository.approve_suggestion(
            suggestion.id, reviewer_id, topic, suggestion.guild_id, self._clock()
        )
        if stored is None:
            raise UserError("Another moderator has already reviewed this suggestion.")
        self._search.invalidate()
        return stored

    async def reject(self, suggestion_id: int, reviewer_id: int, *, guild_id: int | None = None) -> Suggestion:
        suggestion = await self._pending(suggestion_id, guild_id)
        if not await self._repository.reject_suggestion(suggestion.id, reviewer_id, self._clock()):
            raise UserError("Another moderator has already reviewed this suggestion.")
        return replace(suggestion, status="rejected", reviewer_id=reviewer_id, reviewed_at=self._clock())

    async def _pending(self, suggestion_id: int, guild_id: int | None) -> Suggestion:
        suggestion = await self._repository.get_suggestion(suggestion_id)
        if suggestion is None or (guild_id is not None and suggestion.guild_id != guild_id):
            raise UserError("That suggestion no longer exists.")
        if suggestion.status != "pending":
            raise UserError(f"This suggestion was already {suggestion.status}.")
        return suggestion

    # --- what /nexus status shows ----------------------------------------------------------

    async def status(self, guild_id: int, days: int = 7) -> KnowledgeStatus:
        """Topics this server can open, and its lookups over the last `days` days."""
        counts = await self._repository.category_counts(guild_id)
        since = self._clock() - timedelta(days=days)
        return KnowledgeStatus(topics=sum(counts.values()), days=days,
                               lookups=await self._repository.count_lookups(guild_id, since))
