"""Knowledge-base storage: topics with their full-text index, suggestions, and lookups.

The index holds published topics only and is kept in step here, in the same transaction as the
rows it indexes; its queries are `Fts5TopicIndex`'s (bot/db/sqlite/topic_index.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import aiosqlite

from bot.clock import to_db_time
from bot.db.shared.knowledge import TOPIC_COLUMNS, summary_from_row, topic_from_row
from bot.db.sqlite._knowledge_feedback import SuggestionsAndLookups
from bot.db.sqlite._knowledge_rows import index_topics, unindex_topics, visible
from bot.db.sqlite.database import Database
from bot.db.sqlite.topic_index import Fts5TopicIndex
from bot.knowledge.model import Topic, TopicSummary
from bot.knowledge.repository import (
    CuratedWrite,
    FtsMatch,
    IndexedText,
    MatchTerm,
    NameRow,
    SyncState,
    TermCounts,
)


class SqliteCuratedWriter:
    """Writes topic files inside `SqliteKnowledgeRepository.curated_writer`'s transaction, in batches, so
    the loader can parse the next batch while SQLite indexes this one."""

    def __init__(self, conn: aiosqlite.Connection, stamp: str, next_id: int) -> None:
        self._conn = conn
        self._stamp = stamp
        # Ids are given here (the transaction holds the write lock) so rows and index go in bulk.
        self._next_id = next_id

    async def write(self, writes: Sequence[CuratedWrite]) -> None:
        inserts = [w for w in writes if w.existing_id is None]
        new_ids = list(range(self._next_id, self._next_id + len(inserts)))
        self._next_id += len(inserts)
        updates = [(w.existing_id, w) for w in writes if w.existing_id is not None]
        await self._conn.executemany(
            "INSERT INTO knowledge_topics (id, slug, title, category, aliases, related, tracks, summary, "
            "key_ideas, challenges, best_practices, further_reading, source, source_path, content_hash, "
            "published, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'curated', ?, ?, 1, ?, ?)",
            [(topic_id, *w.rows.values, w.source_path, w.content_hash, self._stamp, self._stamp)
             for topic_id, w in zip(new_ids, inserts, strict=True)],
        )
        # An update may adopt a suggested topic: a curated file now holds its slug.
        await self._conn.executemany(
            "UPDATE knowledge_topics SET slug = ?, title = ?, category = ?, aliases = ?, related = ?, "
            "tracks = ?, summary = ?, key_ideas = ?, challenges = ?, best_practices = ?, further_reading = ?, "
            "source = 'curated', guild_id = NULL, source_path = ?, content_hash = ?, published = 1, "
            "updated_at = ? WHERE id = ?",
            [(*w.rows.values, w.source_path, w.content_hash, self._stamp, topic_id)
             for topic_id, w in updates],
        )
        await unindex_topics(self._conn, [topic_id for topic_id, _ in updates])
        await index_topics(
            self._conn,
            [(topic_id, w.rows, None) for topic_id, w in zip(new_ids, inserts, strict=True)]
            + [(topic_id, w.rows, None) for topic_id, w in updates],
        )

    async def unpublish(self, topic_ids: Sequence[int]) -> None:
        await self._conn.executemany(
            "UPDATE knowledge_topics SET published = 0, updated_at = ? WHERE id = ?",
            [(self._stamp, topic_id) for topic_id in topic_ids],
        )
        await unindex_topics(self._conn, topic_ids)


class SqliteKnowledgeRepository(SuggestionsAndLookups):
    """Topics: syncing the curated files, reading, full-text search; and (inherited) suggestions and
    lookups."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._index = Fts5TopicIndex(db)

    async def watch_topics(self, changed: Callable[[], None]) -> None:
        """Nothing to watch: a SQLite file is one process's, and this process knows its own changes."""

    # --- syncing curated files -------------------------------------------------------------

    async def sync_state(self) -> list[SyncState]:
        rows = await self._db.fetchall(
            "SELECT id, slug, source, source_path, content_hash, published FROM knowledge_topics"
        )
        return [
            SyncState(r["id"], r["slug"], r["source"], r["source_path"], r["content_hash"], bool(r["published"]))
            for r in rows
        ]

    @asynccontextmanager
    async def curated_writer(self, now: datetime) -> AsyncIterator[SqliteCuratedWriter]:
        """One transaction for a whole sync: every write inside commits together or not at all."""
        async with self._db.transaction() as conn:
            row = await (await conn.execute("SELECT COALESCE(MAX(id), 0) FROM knowledge_topics")).fetchone()
            yield SqliteCuratedWriter(conn, to_db_time(now), int(row[0]) + 1 if row else 1)

    # --- reading topics --------------------------------------------------------------------

    async def get(self, slug: str, guild_id: int | None) -> Topic | None:
        where, params = visible(guild_id)
        row = await self._db.fetchone(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE slug = ? COLLATE NOCASE AND {where}",
            [slug, *params],
        )
        return topic_from_row(row) if row else None

    async def published_topics(self, limit: int) -> list[Topic]:
        """Up to `limit` published topics, of every server (to keep in memory), oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE published = 1 ORDER BY id LIMIT ?", [limit]
        )
        return [topic_from_row(row) for row in rows]

    async def get_any(self, slug: str) -> Topic | None:
        """A topic of any server, published or not (for `kb export`, run by the bot's operators)."""
        row = await self._db.fetchone(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE slug = ? COLLATE NOCASE", [slug]
        )
        return topic_from_row(row) if row else None

    async def list_topics(self, category: str | None, guild_id: int | None) -> list[TopicSummary]:
        where, params = visible(guild_id)
        if category is not None:
            where += " AND category = ? COLLATE NOCASE"
            params.append(category)
        rows = await self._db.fetchall(
            f"SELECT id, slug, title, category, guild_id FROM knowledge_topics WHERE {where} "
            "ORDER BY category, title COLLATE NOCASE",
            params,
        )
        return [summary_from_row(r) for r in rows]

    async def category_counts(self, guild_id: int | None) -> dict[str, int]:
        where, params = visible(guild_id)
        rows = await self._db.fetchall(
            f"SELECT category, COUNT(*) AS n FROM knowledge_topics WHERE {where} GROUP BY category", params
        )
        return {r["category"]: r["n"] for r in rows}

    async def random_topic(self, guild_id: int | None) -> Topic | None:
        where, params = visible(guild_id)
        row = await self._db.fetchone(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE {where} "
            f"LIMIT 1 OFFSET ABS(RANDOM()) % MAX((SELECT COUNT(*) FROM knowledge_topics WHERE {where}), 1)",
            params * 2,
        )
        return topic_from_row(row) if row else None

    async def name_rows(self) -> list[NameRow]:
        """Slug, title and aliases of every published topic, for the in-memory name index."""
        rows = await self._db.fetchall(
            "SELECT id, guild_id, slug, title, category, aliases FROM knowledge_topics WHERE published = 1"
        )
        return [
            NameRow(r["id"], r["guild_id"], r["slug"], r["title"], r["category"], tuple(json.loads(r["aliases"])))
            for r in rows
        ]

    # --- full-text search ------------------------------------------------------------------

    async def search(self, terms: Sequence[MatchTerm], guild_id: int | None, limit: int) -> list[FtsMatch]:
        """Topics holding any of `terms`, best bm25 first (ids only: the caller holds the names)."""
        return await self._index.search(terms, guild_id, limit)

    async def term_relevance(self, terms: Sequence[MatchTerm]) -> dict[MatchTerm, list[FtsMatch]]:
        """For each term, every topic holding it (of any server: the caller drops other servers'
        suggested topics) with the term's share of bm25 (see `KnowledgeRepository.term_relevance`)."""
        return await self._index.term_relevance(terms)

    async def term_counts(self) -> TermCounts:
        total = await self._db.fetchone("SELECT COUNT(*) FROM knowledge_topics WHERE published = 1")
        return TermCounts(int(total[0]) if total else 0, await self._index.doc_freq())

    async def curated_terms(self) -> frozenset[str]:
        """Every stemmed term of the published topics' titles and texts: aliases left out, since
        some aliases are deliberate misspellings ("celary") kept for matching only."""
        return await self._index.curated_terms()

    async def indexed_texts(self, topic_ids: Sequence[int]) -> list[IndexedText]:
        """What the full-text index holds of these topics, as the index has it (for search's confidence)."""
        return await self._index.indexed_texts(topic_ids)

    async def like_scan(self, words: Sequence[str], guild_id: int | None, limit: int) -> list[int]:
        """The naive baseline the benchmark compares search against: `LIKE '%word%'` over every
        row's text, ranked by how many words it holds. Not used by the bot."""
        if not words:
            return []
        text = "(title || aliases || summary || key_ideas || challenges || best_practices)"
        score = " + ".join(f"({text} LIKE ?)" for _ in words)
        where, params = visible(guild_id)
        rows = await self._db.fetchall(
            f"SELECT id, {score} AS hits FROM knowledge_topics WHERE {where} AND hits > 0 "
            "ORDER BY hits DESC LIMIT ?",
            [*(f"%{w}%" for w in words), *params, limit],
        )
        return [r["id"] for r in rows]
