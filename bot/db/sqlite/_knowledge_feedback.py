"""Suggestions and the lookup log: what members propose (`_topic_suggestions`) and what they look up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock import to_db_time
from bot.db.shared import knowledge as shared
from bot.db.sqlite._topic_suggestions import TopicSuggestions
from bot.db.sqlite.database import Database
from bot.knowledge.model import QueryCount, TopicCount


class SuggestionsAndLookups(TopicSuggestions):
    """The part of `KnowledgeRepository` about members: their suggestions (inherited) and their
    lookups."""

    _db: Database

    # --- lookups ---------------------------------------------------------------------------

    async def log_lookup(self, guild_id: int, query: str, topic_id: int | None, now: datetime) -> None:
        await self.log_lookups([(guild_id, query, topic_id, now)])

    async def log_lookups(self, lookups: Sequence[tuple[int, str, int | None, datetime]]) -> None:
        """(server, query, topic found, when) of several lookups, written together."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                shared.LOG_LOOKUP,
                [(guild_id, query, topic_id, to_db_time(at)) for guild_id, query, topic_id, at in lookups],
            )

    async def count_lookups(self, guild_id: int, since: datetime) -> int:
        row = await self._db.fetchone(shared.COUNT_LOOKUPS, [guild_id, to_db_time(since)])
        return int(row[0]) if row else 0

    async def top_topics(self, guild_id: int, since: datetime, limit: int) -> list[TopicCount]:
        rows = await self._db.fetchall(
            "SELECT t.slug, t.title, COUNT(*) AS n FROM topic_lookups AS l "
            "JOIN knowledge_topics AS t ON t.id = l.topic_id "
            "WHERE l.guild_id = ? AND l.looked_up_at >= ? GROUP BY l.topic_id ORDER BY n DESC, t.title LIMIT ?",
            [guild_id, to_db_time(since), limit],
        )
        return [shared.topic_count_from_row(r) for r in rows]

    async def unanswered_queries(self, guild_id: int, since: datetime, limit: int) -> list[QueryCount]:
        rows = await self._db.fetchall(shared.UNANSWERED_QUERIES, [guild_id, to_db_time(since), limit])
        return [shared.query_count_from_row(r) for r in rows]

