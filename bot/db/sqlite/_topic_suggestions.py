"""Suggestions: what members propose, the moderators' drafts and decisions, and the topics an
approval publishes (and a later unpublish takes back)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import aiosqlite

from bot.clock import to_db_time
from bot.db.common import like_containing
from bot.db.shared import knowledge as shared
from bot.db.sqlite._knowledge_rows import index_topics, unindex_topics
from bot.db.sqlite.database import Database
from bot.knowledge.model import Suggestion, Topic, TopicDraft, TopicSummary
from bot.knowledge.repository import TopicRows, topic_values


class _NotPending(Exception):
    """Rolls an approval back when another moderator decided the suggestion first."""


class TopicSuggestions:
    """The part of `KnowledgeRepository` about suggestions."""

    _db: Database

    async def add_suggestion(
        self, guild_id: int, author_id: int, title: str, explanation: str, links: str, now: datetime,
        target_topic_id: int | None = None,
    ) -> Suggestion:
        suggestion_id = await self._db.execute(
            "INSERT INTO topic_suggestions (guild_id, author_id, title, explanation, links, target_topic_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [guild_id, author_id, title, explanation, links, target_topic_id, to_db_time(now)],
        )
        suggestion = await self.get_suggestion(suggestion_id)
        assert suggestion is not None
        return suggestion

    async def get_suggestion(self, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetchone(shared.GET_SUGGESTION, [suggestion_id])
        return shared.suggestion_from_row(row) if row else None

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        rows = await self._db.fetchall(shared.PENDING_SUGGESTIONS, [guild_id])
        return [shared.suggestion_from_row(r) for r in rows]

    async def accepted_fixes(self) -> list[tuple[Suggestion, str]]:
        """Every accepted fix with the slug of the topic it is for, oldest first (for maintainers)."""
        rows = await self._db.fetchall(shared.ACCEPTED_FIXES)
        return [(shared.suggestion_from_row(r), r["target_slug"]) for r in rows]

    # --- deciding ----------------------------------------------------------------------------

    async def approve_suggestion(
        self, suggestion_id: int, reviewer_id: int, topic: Topic, guild_id: int, now: datetime
    ) -> Topic | None:
        """Store `topic` for the suggestion's server under the first free slug of `topic.slug`,
        `-2`, `-3`…, mark the suggestion approved and drop its drafts; None if it was no longer
        pending."""
        stamp = to_db_time(now)
        try:
            async with self._db.transaction() as conn:
                cursor = await conn.execute(shared.DECIDE, ["approved", reviewer_id, stamp, "", suggestion_id])
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
                await conn.execute(shared.SET_SUGGESTION_TOPIC, [topic_id, suggestion_id])
                await conn.execute(shared.DROP_DRAFTS, [suggestion_id])
                stored = replace(topic, slug=slug, id=topic_id, guild_id=guild_id, source="suggested")
                await index_topics(conn, [(topic_id, TopicRows.of(stored), guild_id)])
        except _NotPending:
            return None
        return stored

    async def decide_suggestion(
        self, suggestion_id: int, status: str, reviewer_id: int, note: str, now: datetime
    ) -> bool:
        """Reject a suggestion, or accept a fix ('approved' with no topic): False if it was no
        longer pending."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(shared.DECIDE, [status, reviewer_id, to_db_time(now), note, suggestion_id])
            if cursor.rowcount == 1:
                await conn.execute(shared.DROP_DRAFTS, [suggestion_id])
            return cursor.rowcount == 1

    # --- the moderator's form ----------------------------------------------------------------

    async def save_draft(self, suggestion_id: int, moderator_id: int, draft: TopicDraft, now: datetime) -> None:
        await self._db.execute(
            shared.SAVE_DRAFT, shared.draft_values(suggestion_id, moderator_id, draft, to_db_time(now)))

    async def get_draft(self, suggestion_id: int, moderator_id: int) -> TopicDraft | None:
        row = await self._db.fetchone(shared.GET_DRAFT, [suggestion_id, moderator_id])
        return shared.draft_from_row(row) if row else None

    # --- topics made from suggestions --------------------------------------------------------

    async def topic_summary(self, topic_id: int, guild_id: int) -> TopicSummary | None:
        """A topic this server can see, by id (the topic a fix is for)."""
        row = await self._db.fetchone(shared.TOPIC_SUMMARY, [topic_id, guild_id])
        return shared.summary_from_row(row) if row else None

    async def suggested_topics(self, guild_id: int, typed: str, limit: int) -> list[TopicSummary]:
        """This server's published topics made from suggestions whose title or slug holds `typed`,
        newest first."""
        pattern = like_containing(typed)
        rows = await self._db.fetchall(
            "SELECT id, slug, title, category, guild_id FROM knowledge_topics "
            "WHERE guild_id = ? AND source = 'suggested' AND published = 1 "
            "AND (title LIKE ? ESCAPE '\\' OR slug LIKE ? ESCAPE '\\') ORDER BY created_at DESC, id DESC LIMIT ?",
            [guild_id, pattern, pattern, limit],
        )
        return [shared.summary_from_row(r) for r in rows]

    async def unpublish_suggested(self, topic_id: int, guild_id: int, now: datetime) -> bool:
        """Take a server's suggested topic out of search (its row stays, for `kb export`); False
        if it is not a published suggested topic of that server."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(shared.UNPUBLISH_SUGGESTED, [to_db_time(now), topic_id, guild_id])
            if cursor.rowcount != 1:
                return False
            await unindex_topics(conn, [topic_id])
            return True


async def _free_slug(conn: aiosqlite.Connection, base: str) -> str:
    rows = await (
        await conn.execute("SELECT slug FROM knowledge_topics WHERE slug = ? OR slug LIKE ? || '-%'", [base, base])
    ).fetchall()
    return shared.first_free_slug(base, {r[0] for r in rows})
