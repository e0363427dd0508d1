"""Knowledge-base storage on PostgreSQL: topics with the text of their full-text index, suggestions,
and lookups. The statements of bot/db/sqlite/knowledge.py, _topic_suggestions.py and
_knowledge_feedback.py with PostgreSQL's placeholders; the row → model converters, and the statements
about suggestions and lookups both run alike, are in bot/db/shared/knowledge.py.

Search stays SQLite's FTS5, in memory: the rows of `knowledge_fts` (the index's text, kept in step
here in the same transaction as the topics, as SQLite's index is) are read into an
`InMemoryTopicIndex` on the first search after a change, so bm25 is bit for bit what it is on
SQLite. Every change of the topics NOTIFYs `nexus_topics` as it commits (the payload names the
repository that made it); `watch_topics` LISTENs, so a change another process made is read here too.

Writes of topics (a sync of the curated files, an approval) take one transaction-scoped advisory
lock: on SQLite the write lock serialises them, and here two processes syncing at start, or two
approvals choosing the first free slug, would otherwise both pick what the other is inserting.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.clock import to_db_time
from bot.db.common import NEXUS_APPLICATION_ID, like_containing, like_escaped
from bot.db.postgres.database import PostgresDatabase, PostgresTransaction, notify
from bot.db.postgres.placeholders import numbered
from bot.db.shared import knowledge as shared
from bot.db.shared.knowledge import TOPIC_COLUMNS, suggestion_from_row, summary_from_row, topic_from_row
from bot.db.sqlite.topic_index import INDEX_COLUMNS, Fts5TopicIndex, InMemoryTopicIndex, scope_words
from bot.knowledge.model import QueryCount, Suggestion, Topic, TopicCount, TopicDraft, TopicSummary
from bot.knowledge.repository import (
    CuratedWrite,
    FtsMatch,
    IndexedText,
    MatchTerm,
    NameRow,
    SyncState,
    TermCounts,
    TopicRows,
    topic_values,
)

# The advisory lock topic writes take (a key of Nexus's own, beside the migrations' NEXUS_APPLICATION_ID).
TOPIC_WRITES_LOCK = NEXUS_APPLICATION_ID + 1
_TOPIC_VALUES = ("slug, title, category, aliases, related, tracks, summary, key_ideas, challenges, "
                 "best_practices, further_reading")
_DECIDE = numbered(shared.DECIDE)


def _visible(guild_id: int | None, first: int) -> tuple[str, list[Any]]:
    """A WHERE clause (and its parameters, bound from `$first`) for the published topics a server can see."""
    if guild_id is None:
        return "published = 1 AND guild_id IS NULL", []
    return f"published = 1 AND (guild_id IS NULL OR guild_id = ${first})", [guild_id]


async def _index_topics(tx: PostgresTransaction, topics: Sequence[tuple[int, TopicRows, int | None]]) -> None:
    """Add (topic id, rows, owning server) to the index's text, as SQLite's index_topics adds them to FTS5."""
    marks = ", ".join(f"${n}" for n in range(1, len(INDEX_COLUMNS) + 2))
    await tx.executemany(
        f"INSERT INTO knowledge_fts (rowid, {', '.join(INDEX_COLUMNS)}) VALUES ({marks})",
        [(topic_id, *rows.index, scope_words(guild_id)) for topic_id, rows, guild_id in topics],
    )


async def _unindex_topics(tx: PostgresTransaction, topic_ids: Sequence[int]) -> None:
    if topic_ids:
        await tx.execute("DELETE FROM knowledge_fts WHERE rowid = ANY($1::bigint[])", (list(topic_ids),))


# The channel every change of the topics is notified on.
TOPICS_CHANNEL = "nexus_topics"


class PostgresCuratedWriter:
    """Writes topic files inside `PostgresKnowledgeRepository.curated_writer`'s transaction, in batches."""

    def __init__(self, tx: PostgresTransaction, stamp: str) -> None:
        self._tx = tx
        self._stamp = stamp
        self.wrote = False  # a sync that finds every file as stored changes nothing: no one is told

    async def write(self, writes: Sequence[CuratedWrite]) -> None:
        self.wrote = self.wrote or bool(writes)
        indexed: list[tuple[int, TopicRows, int | None]] = []
        for write in writes:
            if write.existing_id is None:
                # ON CONFLICT: another process's sync of the same files inserted it before this one
                # took the lock (its state was read before); its row and text are this file's already.
                row = await self._tx.fetchone_write(
                    f"INSERT INTO knowledge_topics ({_TOPIC_VALUES}, source, source_path, content_hash, published, "
                    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'curated', $12, "
                    "$13, 1, $14, $14) ON CONFLICT (slug) DO NOTHING RETURNING id",
                    (*write.rows.values, write.source_path, write.content_hash, self._stamp),
                )
                if row is not None:
                    indexed.append((row["id"], write.rows, None))
            else:
                # An update may adopt a suggested topic: a curated file now holds its slug.
                await self._tx.execute(
                    "UPDATE knowledge_topics SET slug = $1, title = $2, category = $3, aliases = $4, related = $5, "
                    "tracks = $6, summary = $7, key_ideas = $8, challenges = $9, best_practices = $10, "
                    "further_reading = $11, source = 'curated', guild_id = NULL, source_path = $12, "
                    "content_hash = $13, published = 1, updated_at = $14 WHERE id = $15",
                    (*write.rows.values, write.source_path, write.content_hash, self._stamp, write.existing_id),
                )
                indexed.append((write.existing_id, write.rows, None))
        await _unindex_topics(self._tx, [topic_id for topic_id, _, _ in indexed])
        await _index_topics(self._tx, indexed)

    async def unpublish(self, topic_ids: Sequence[int]) -> None:
        self.wrote = self.wrote or bool(topic_ids)
        await self._tx.executemany(
            "UPDATE knowledge_topics SET published = 0, updated_at = $1 WHERE id = $2",
            [(self._stamp, topic_id) for topic_id in topic_ids],
        )
        await _unindex_topics(self._tx, topic_ids)


class PostgresKnowledgeRepository:
    """Topics: syncing the curated files, reading, full-text search (in memory); suggestions; lookups."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db
        self._memory: InMemoryTopicIndex | None = None
        self._memory_stale = True
        self._building = asyncio.Lock()
        # Names this repository in its notifications, so it does not read again what it just wrote.
        self._token = uuid.uuid4().hex

    def _index_changed(self) -> None:
        self._memory_stale = True

    async def watch_topics(self, changed: Callable[[], None]) -> None:
        """Call `changed` whenever another process (another repository) changed the topics, after
        marking the in-memory index stale; also when the listening connection was lost for a
        while, since a change may have been missed then."""

        def received(payload: str | None) -> None:
            if payload == self._token:
                return  # ours: already read again where it was made
            self._index_changed()
            changed()

        await self._db.listen(TOPICS_CHANNEL, received)

    async def _index(self) -> tuple[Fts5TopicIndex, int]:
        """The in-memory FTS5 index of the published topics and how many it holds, read again after
        a change this process made."""
        async with self._building:
            if self._memory is None or self._memory_stale:
                # Cleared before reading: a change committed during the read marks it stale again.
                self._memory_stale = False
                rows = await self._db.fetchall(
                    f"SELECT rowid, {', '.join(INDEX_COLUMNS)} FROM knowledge_fts ORDER BY rowid")
                built = InMemoryTopicIndex(rows)
                if self._memory is not None:
                    self._memory.close()
                self._memory = built
            return Fts5TopicIndex(self._memory), self._memory.documents

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
    async def curated_writer(self, now: datetime) -> AsyncIterator[PostgresCuratedWriter]:
        """One transaction for a whole sync: every write inside commits together or not at all."""
        async with self._db.transaction() as tx:
            await tx.fetchone("SELECT pg_advisory_xact_lock($1)", (TOPIC_WRITES_LOCK,))
            writer = PostgresCuratedWriter(tx, to_db_time(now))
            yield writer
            if writer.wrote:
                await notify(tx, TOPICS_CHANNEL, self._token)
        self._index_changed()

    # --- reading topics --------------------------------------------------------------------

    async def get(self, slug: str, guild_id: int | None) -> Topic | None:
        # lower() under the columns' "C" collation folds ASCII only: SQLite's COLLATE NOCASE.
        where, params = _visible(guild_id, 2)
        row = await self._db.fetchone(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE lower(slug) = lower($1) AND {where}",
            [slug, *params],
        )
        return topic_from_row(row) if row else None

    async def published_topics(self, limit: int) -> list[Topic]:
        """Up to `limit` published topics, of every server (to keep in memory), oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE published = 1 ORDER BY id LIMIT $1", [limit]
        )
        return [topic_from_row(row) for row in rows]

    async def get_any(self, slug: str) -> Topic | None:
        """A topic of any server, published or not (for `kb export`, run by the bot's operators)."""
        row = await self._db.fetchone(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE lower(slug) = lower($1)", [slug]
        )
        return topic_from_row(row) if row else None

    async def list_topics(self, category: str | None, guild_id: int | None) -> list[TopicSummary]:
        where, params = _visible(guild_id, 1)
        if category is not None:
            params.append(category)
            where += f" AND lower(category) = lower(${len(params)})"
        rows = await self._db.fetchall(
            f"SELECT id, slug, title, category, guild_id FROM knowledge_topics WHERE {where} "
            "ORDER BY category, lower(title)",
            params,
        )
        return [summary_from_row(r) for r in rows]

    async def category_counts(self, guild_id: int | None) -> dict[str, int]:
        where, params = _visible(guild_id, 1)
        rows = await self._db.fetchall(
            f"SELECT category, COUNT(*) AS n FROM knowledge_topics WHERE {where} GROUP BY category", params
        )
        return {r["category"]: int(r["n"]) for r in rows}

    async def random_topic(self, guild_id: int | None) -> Topic | None:
        where, params = _visible(guild_id, 1)
        row = await self._db.fetchone(
            f"SELECT {TOPIC_COLUMNS} FROM knowledge_topics WHERE {where} LIMIT 1 OFFSET "
            f"(SELECT floor(random() * GREATEST(COUNT(*), 1))::bigint FROM knowledge_topics WHERE {where})",
            params,
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

    # --- full-text search (the in-memory FTS5 index) ---------------------------------------

    async def search(self, terms: Sequence[MatchTerm], guild_id: int | None, limit: int) -> list[FtsMatch]:
        """Topics holding any of `terms`, best bm25 first (ids only: the caller holds the names)."""
        index, _ = await self._index()
        return await index.search(terms, guild_id, limit)

    async def term_relevance(self, terms: Sequence[MatchTerm]) -> dict[MatchTerm, list[FtsMatch]]:
        """For each term, every topic holding it with the term's share of bm25 (see the protocol)."""
        index, _ = await self._index()
        return await index.term_relevance(terms)

    async def term_counts(self) -> TermCounts:
        # The index holds the published topics only: its size is SQLite's count of published rows,
        # taken from the same snapshot as the terms.
        index, documents = await self._index()
        return TermCounts(documents, await index.doc_freq())

    async def curated_terms(self) -> frozenset[str]:
        """Every stemmed term of the published topics' titles and texts (aliases left out)."""
        index, _ = await self._index()
        return await index.curated_terms()

    async def indexed_texts(self, topic_ids: Sequence[int]) -> list[IndexedText]:
        """What the full-text index holds of these topics, as the index has it (for search's confidence)."""
        index, _ = await self._index()
        return await index.indexed_texts(topic_ids)

    async def like_scan(self, words: Sequence[str], guild_id: int | None, limit: int) -> list[int]:
        """The naive baseline the benchmark compares search against: `LIKE '%word%'` over every
        row's text (ILIKE: SQLite's LIKE ignores ASCII case), ranked by how many words it holds.
        Not used by the bot."""
        if not words:
            return []
        text = "(title || aliases || summary || key_ideas || challenges || best_practices)"
        score = " + ".join(f"({text} ILIKE ${n})::int" for n in range(1, len(words) + 1))
        where, params = _visible(guild_id, len(words) + 1)
        rows = await self._db.fetchall(
            f"SELECT id FROM (SELECT id, {score} AS hits FROM knowledge_topics WHERE {where}) AS scored "
            f"WHERE hits > 0 ORDER BY hits DESC LIMIT ${len(words) + len(params) + 1}",
            [*(f"%{w}%" for w in words), *params, limit],
        )
        return [r["id"] for r in rows]

    # --- suggestions -------------------------------------------------------------------------

    async def add_suggestion(
        self, guild_id: int, author_id: int, title: str, explanation: str, links: str, now: datetime,
        target_topic_id: int | None = None,
    ) -> Suggestion:
        row = await self._db.fetchone_write(
            "INSERT INTO topic_suggestions (guild_id, author_id, title, explanation, links, target_topic_id, "
            "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
            [guild_id, author_id, title, explanation, links, target_topic_id, to_db_time(now)],
        )
        assert row is not None
        return suggestion_from_row(row)

    async def get_suggestion(self, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetchone(numbered(shared.GET_SUGGESTION), [suggestion_id])
        return suggestion_from_row(row) if row else None

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        rows = await self._db.fetchall(numbered(shared.PENDING_SUGGESTIONS), [guild_id])
        return [suggestion_from_row(r) for r in rows]

    async def accepted_fixes(self) -> list[tuple[Suggestion, str]]:
        """Every accepted fix with the slug of the topic it is for, oldest first (for maintainers)."""
        rows = await self._db.fetchall(numbered(shared.ACCEPTED_FIXES))
        return [(suggestion_from_row(r), r["target_slug"]) for r in rows]

    async def approve_suggestion(
        self, suggestion_id: int, reviewer_id: int, topic: Topic, guild_id: int, now: datetime
    ) -> Topic | None:
        """Store `topic` for the suggestion's server under the first free slug of `topic.slug`,
        `-2`, `-3`…, mark the suggestion approved and drop its drafts; None if it was no longer
        pending. The decision is a compare-and-set (one of two moderators wins); the slug is chosen
        under the topic writes' lock, so two approvals at once never pick the same one."""
        stamp = to_db_time(now)
        async with self._db.transaction() as tx:
            if await tx.execute_changes(_DECIDE, ["approved", reviewer_id, stamp, "", suggestion_id]) != 1:
                return None
            await tx.fetchone("SELECT pg_advisory_xact_lock($1)", (TOPIC_WRITES_LOCK,))
            slug = await _free_slug(tx, topic.slug)
            row = await tx.fetchone_write(
                f"INSERT INTO knowledge_topics ({_TOPIC_VALUES}, guild_id, source, published, created_at, "
                "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'suggested', 1, $13, $13) "
                "RETURNING id",
                [slug, *topic_values(topic)[1:], guild_id, stamp],
            )
            assert row is not None
            topic_id = int(row["id"])
            await tx.execute(numbered(shared.SET_SUGGESTION_TOPIC), [topic_id, suggestion_id])
            await tx.execute(numbered(shared.DROP_DRAFTS), [suggestion_id])
            stored = replace(topic, slug=slug, id=topic_id, guild_id=guild_id, source="suggested")
            await _index_topics(tx, [(topic_id, TopicRows.of(stored), guild_id)])
            await notify(tx, TOPICS_CHANNEL, self._token)
        self._index_changed()
        return stored

    async def decide_suggestion(
        self, suggestion_id: int, status: str, reviewer_id: int, note: str, now: datetime
    ) -> bool:
        """Reject a suggestion, or accept a fix ('approved' with no topic): False if it was no
        longer pending."""
        async with self._db.transaction() as tx:
            decided = await tx.execute_changes(_DECIDE, [status, reviewer_id, to_db_time(now), note, suggestion_id])
            if decided == 1:
                await tx.execute(numbered(shared.DROP_DRAFTS), [suggestion_id])
            return decided == 1

    async def save_draft(self, suggestion_id: int, moderator_id: int, draft: TopicDraft, now: datetime) -> None:
        await self._db.execute(numbered(shared.SAVE_DRAFT),
                               shared.draft_values(suggestion_id, moderator_id, draft, to_db_time(now)))

    async def get_draft(self, suggestion_id: int, moderator_id: int) -> TopicDraft | None:
        row = await self._db.fetchone(numbered(shared.GET_DRAFT), [suggestion_id, moderator_id])
        return shared.draft_from_row(row) if row else None

    async def topic_summary(self, topic_id: int, guild_id: int) -> TopicSummary | None:
        """A topic this server can see, by id (the topic a fix is for)."""
        row = await self._db.fetchone(numbered(shared.TOPIC_SUMMARY), [topic_id, guild_id])
        return summary_from_row(row) if row else None

    async def suggested_topics(self, guild_id: int, typed: str, limit: int) -> list[TopicSummary]:
        """This server's published topics made from suggestions whose title or slug holds `typed`
        (ILIKE: SQLite's LIKE ignores ASCII case), newest first."""
        pattern = like_containing(typed)
        rows = await self._db.fetchall(
            "SELECT id, slug, title, category, guild_id FROM knowledge_topics "
            "WHERE guild_id = $1 AND source = 'suggested' AND published = 1 "
            "AND (title ILIKE $2 ESCAPE '\\' OR slug ILIKE $2 ESCAPE '\\') ORDER BY created_at DESC, id DESC "
            "LIMIT $3",
            [guild_id, pattern, limit],
        )
        return [summary_from_row(r) for r in rows]

    async def unpublish_suggested(self, topic_id: int, guild_id: int, now: datetime) -> bool:
        """Take a server's suggested topic out of search (its row stays, for `kb export`); False
        if it is not a published suggested topic of that server."""
        async with self._db.transaction() as tx:
            changed = await tx.execute_changes(
                numbered(shared.UNPUBLISH_SUGGESTED), [to_db_time(now), topic_id, guild_id])
            if changed != 1:
                return False
            await _unindex_topics(tx, [topic_id])
            await notify(tx, TOPICS_CHANNEL, self._token)
        self._index_changed()
        return True

    # --- lookups ---------------------------------------------------------------------------

    async def log_lookup(self, guild_id: int, query: str, topic_id: int | None, now: datetime) -> None:
        await self.log_lookups([(guild_id, query, topic_id, now)])

    async def log_lookups(self, lookups: Sequence[tuple[int, str, int | None, datetime]]) -> None:
        """(server, query, topic found, when) of several lookups, written together."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                numbered(shared.LOG_LOOKUP),
                [(guild_id, query, topic_id, to_db_time(at)) for guild_id, query, topic_id, at in lookups],
            )

    async def count_lookups(self, guild_id: int, since: datetime) -> int:
        row = await self._db.fetchone(numbered(shared.COUNT_LOOKUPS), [guild_id, to_db_time(since)])
        return int(row[0]) if row else 0

    async def top_topics(self, guild_id: int, since: datetime, limit: int) -> list[TopicCount]:
        rows = await self._db.fetchall(
            "SELECT t.slug, t.title, COUNT(*) AS n FROM topic_lookups AS l "
            "JOIN knowledge_topics AS t ON t.id = l.topic_id "
            "WHERE l.guild_id = $1 AND l.looked_up_at >= $2 GROUP BY t.id ORDER BY n DESC, t.title LIMIT $3",
            [guild_id, to_db_time(since), limit],
        )
        return [shared.topic_count_from_row(r) for r in rows]

    async def unanswered_queries(self, guild_id: int, since: datetime, limit: int) -> list[QueryCount]:
        rows = await self._db.fetchall(numbered(shared.UNANSWERED_QUERIES), [guild_id, to_db_time(since), limit])
        return [shared.query_count_from_row(r) for r in rows]


async def _free_slug(tx: PostgresTransaction, base: str) -> str:
    rows = await tx.fetchall(
        "SELECT slug FROM knowledge_topics WHERE slug = $1 OR slug LIKE $2", [base, like_escaped(base) + "-%"])
    return shared.first_free_slug(base, {r[0] for r in rows})

