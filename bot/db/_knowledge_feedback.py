"""Suggestions and the lookup log: what members propose and what they look up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import aiosqlite

from bot.clock import to_db_time
from bot.db._knowledge_rows import TopicRows, index_topics, suggestion_from_row, topic_values
from bot.db.database import Database
from bot.knowledge.model import QueryCount, Suggestion, Topic, TopicCount


class _NotPending(Exception):
    """Rolls an approval back when another moderator decided the suggestion first."""


class SuggestionsAndLookups:
    """The part of `KnowledgeRepository` about members: their suggestions and their lookups."""

    _db: Database

    async def add_suggestion(
        self, guild_id: int, author_id: int, title: str, explanation: str, links: str, now: datetime
    ) -> Suggestion:
        suggestion_id = await self._db.execute(
            "INSERT INTO topic_suggestions (guild_id, author_id, title, explanation, links, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [guild_id, author_id, title, explanation, links, to_db_time(now)],
        )
        suggestion = await self.get_suggestion(suggestion_id)
        assert suggestion is not None
        return suggestion

    async def get_suggestion(self, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetchone("SELECT * FROM topic_suggestions WHERE id = ?", [suggestion_id])
        return suggestion_from_row(row) if row else None

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        rows = await self._db.fetchall(
            "SELECT * FROM topic_suggestions WHERE guild_id = ? AND status = 'pending' ORDER BY created_at, id",
            [guild_id],
        )
        return [suggestion_from_row(r) for r in rows]

    async def approve_suggestion(
        self, suggestion_id: int, reviewer_id: int, topic: Topic, guild_id: int, now: datetime
    ) -> Topic | None:
        """Store `topic` for the suggestion's server under the first free slug of `topic.slug`,
        `-2`, `-3`…, and mark the suggestion approved; None if it was no longer pending."""
        stamp = to_db_time(now)
        try:
            async with self._db.transaction() as conn:
                cursor = await conn.execute(
                    "UPDATE topic_suggestions SET status = 'approved', reviewer_id = ?, reviewed_at = ? "
                    "WHERE id = ? AND status = 'pending'",
                    [reviewer_id, stamp, suggestion_id],
                )
                if cursor.rowcount != 1:
                    raise _NotPending
                slug = await _free_slug(conn, topic.slug)
                values = topic_values(topic)
                cursor = await conn.execute(
                    "INSERT INTO knowledge_topics (slug, title, category, aliases, related, tracks, summary, "
                    "key_ideas, challenges, best_practices, further_reading, guild_id, source, published, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'suggested', 1, ?, ?)",
                    [slug, *values[1:], guild_id, stamp, stamp],
                )
                topic_id = int(cursor.lastrowid or 0)
                await conn.execute("UPDATE topic_suggestions SET topic_id = ? WHERE id = ?", [topic_id, suggestion_id])
                stored = replace(topic, slug=slug, id=topic_id, guild_id=guild_id, source="suggested")
                await index_topics(conn, [(topic_id, TopicRows.of(stored), guild_id)])
        except _NotPending:
            return None
        return stored

    async def reject_suggestion(self, suggestion_id: int, reviewer_id: int, now: datetime) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE topic_suggestions SET status = 'rejected', reviewer_id = ?, reviewed_at = ? "
                "WHERE id = ? AND status = 'pending'",
                [reviewer_id, to_db_time(now), suggestion_id],
            )
            return cursor.rowcount == 1

    # --- lookups ---------------------------------------------------------------------------

    async def log_lookup(self, guild_id: int, query: str, topic_id: int | None, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO topic_lookups (guild_id, query, topic_id, looked_up_at) VALUES (?, ?, ?, ?)",
            [guild_id, query, topic_id, to_db_time(now)],
        )

    async def count_lookups(self, guild_id: int, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM topic_lookups WHERE guild_id = ? AND looked_up_at >= ?",
            [guild_id, to_db_time(since)],
        )
        return int(row[0]) if row else 0

    async def top_topics(self, guild_id: int, since: datetime, limit: int) -> list[TopicCount]:
        rows = await self._db.fetchall(
            "SELECT t.slug, t.title, COUNT(*) AS n FROM topic_lookups AS l "
            "JOIN knowledge_topics AS t ON t.id = l.topic_id "
            "WHERE l.guild_id = ? AND l.looked_up_at >= ? GROUP BY l.topic_id ORDER BY n DESC, t.title LIMIT ?",
            [guild_id, to_db_time(since), limit],
        )
        return [TopicCount(r["slug"], r["title"], r["n"]) for r in rows]

    async def unanswered_queries(self, guild_id: int, since: datetime, limit: int) -> list[QueryCount]:
        rows = await self._db.fetchall(
            "SELECT MIN(query) AS q, COUNT(*) AS n FROM topic_lookups "
            "WHERE guild_id = ? AND looked_up_at >= ? AND topic_id IS NULL "
            "GROUP BY lower(query) ORDER BY n DESC, q LIMIT ?",
            [guild_id, to_db_time(since), limit],
        )
        return [QueryCount(r["q"], r["n"]) for r in rows]


async def _free_slug(conn: aiosqlite.Connection, base: str) -> str:
    rows = await (
        await conn.execute("SELECT slug FROM knowledge_topics WHERE slug = ? OR slug LIKE ? || '-%'", [base, base])
    ).fetchall()
    taken = {r[0] for r in rows}
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
