"""Knowledge-base storage: topics with their two full-text indexes, suggestions, and lookups.

The indexes hold published topics only and are kept in step here, in the same transaction as the
row they index. Query words reach FTS5 only as quoted strings built by `_fts_phrase`, never as
syntax, whatever a member typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import from_db_time, to_db_time
from bot.db.database import Database
from bot.knowledge.model import (
    Challenge,
    Link,
    QueryCount,
    Suggestion,
    Topic,
    TopicCount,
    TopicSummary,
)

SUGGESTED_SCOPE = "kbsuggested"
# bm25 weights per column: a word in the title or an alias says far more than one in the body.
# Columns: title, aliases, challenges (the symptom headings), summary, body, scope.
SEARCH_WEIGHTS = (10.0, 7.0, 3.0, 2.0, 1.0, 0.0)
NAME_WEIGHTS = (3.0, 1.0, 0.0)  # title, aliases, scope
_SEARCH_COLUMNS = "{title aliases challenges summary body}"
_NAME_COLUMNS = "{title aliases}"
_TOPIC_COLUMNS = (
    "id, guild_id, slug, title, category, aliases, related, tracks, summary, key_ideas, challenges, "
    "best_practices, further_reading, source"
)


def _scope_words(guild_id: int | None) -> str:
    """The `scope` column: empty for a curated topic, the owning server for a suggested one."""
    return "" if guild_id is None else f"{SUGGESTED_SCOPE} kbguild{guild_id}"


def _other_servers_excluded(guild_id: int | None) -> str:
    """An FTS5 clause that drops other servers' suggested topics. Suggested topics are few, so this
    costs their short lists only, where requiring a mark on every curated topic would walk them all."""
    if guild_id is None:
        return f'NOT (scope : "{SUGGESTED_SCOPE}")'
    return f'NOT (scope : ("{SUGGESTED_SCOPE}" NOT "kbguild{guild_id}"))'


@dataclass(frozen=True)
class MatchTerm:
    """Words that must appear together and in order; with `prefix` the last may be unfinished."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class RankedTopic:
    id: int
    slug: str
    title: str
    category: str
    relevance: float  # -bm25: higher is better


@dataclass(frozen=True)
class NameRow:
    id: int
    guild_id: int | None
    slug: str
    title: str
    category: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class TermCounts:
    """How many published topics hold each stemmed term, out of `documents`."""

    documents: int
    doc_freq: dict[str, int]


@dataclass(frozen=True)
class SyncState:
    id: int
    slug: str
    source: str
    source_path: str | None
    content_hash: str | None
    published: bool


@dataclass(frozen=True)
class CuratedWrite:
    """A topic file to store: a new row, or over `existing_id` (which may have been a suggestion)."""

    topic: Topic
    source_path: str
    content_hash: str
    existing_id: int | None


def _fts_phrase(term: MatchTerm) -> str:
    text = " ".join(term.words).replace('"', '""')
    return f'"{text}"' + ("*" if term.prefix else "")


def _visible(guild_id: int | None, alias: str = "") -> tuple[str, list[Any]]:
    prefix = f"{alias}." if alias else ""
    if guild_id is None:
        return f"{prefix}published = 1 AND {prefix}guild_id IS NULL", []
    return f"{prefix}published = 1 AND ({prefix}guild_id IS NULL OR {prefix}guild_id = ?)", [guild_id]


def _index_rows(topic_id: int, topic: Topic, guild_id: int | None) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The rows of both full-text indexes for one topic."""
    aliases = "\n".join([topic.slug, *topic.aliases])
    body = "\n".join(
        [
            *topic.key_ideas,
            *(c.solution for c in topic.challenges),
            *topic.best_practices,
            *(link.title for link in topic.further_reading),
        ]
    )
    challenges = "\n".join(c.challenge for c in topic.challenges)
    scope = _scope_words(guild_id)
    return (
        (topic_id, topic.title, aliases, challenges, topic.summary, body, scope),
        (topic_id, topic.title, aliases, scope),
    )


def _topic_values(topic: Topic) -> tuple[Any, ...]:
    return (
        topic.slug,
        topic.title,
        topic.category,
        json.dumps(list(topic.aliases)),
        json.dumps(list(topic.related)),
        json.dumps(list(topic.tracks)),
        topic.summary,
        json.dumps(list(topic.key_ideas)),
        json.dumps([{"challenge": c.challenge, "solution": c.solution} for c in topic.challenges]),
        json.dumps(list(topic.best_practices)),
        json.dumps([{"title": link.title, "url": link.url} for link in topic.further_reading]),
    )


def _topic(row: aiosqlite.Row) -> Topic:
    return Topic(
        id=row["id"],
        guild_id=row["guild_id"],
        source=row["source"],
        slug=row["slug"],
        title=row["title"],
        category=row["category"],
        aliases=tuple(json.loads(row["aliases"])),
        related=tuple(json.loads(row["related"])),
        tracks=tuple(json.loads(row["tracks"])),
        summary=row["summary"],
        key_ideas=tuple(json.loads(row["key_ideas"])),
        challenges=tuple(Challenge(c["challenge"], c["solution"]) for c in json.loads(row["challenges"])),
        best_practices=tuple(json.loads(row["best_practices"])),
        further_reading=tuple(Link(li["title"], li["url"]) for li in json.loads(row["further_reading"])),
    )


def _summary(row: aiosqlite.Row) -> TopicSummary:
    return TopicSummary(row["id"], row["slug"], row["title"], row["category"], row["guild_id"])


def _suggestion(row: aiosqlite.Row) -> Suggestion:
    return Suggestion(
        id=row["id"],
        guild_id=row["guild_id"],
        author_id=row["author_id"],
        title=row["title"],
        explanation=row["explanation"],
        links=row["links"],
        status=row["status"],
        reviewer_id=row["reviewer_id"],
        reviewed_at=from_db_time(row["reviewed_at"]) if row["reviewed_at"] else None,
        topic_id=row["topic_id"],
        created_at=from_db_time(row["created_at"]),
    )


class _NotPending(Exception):
    """Rolls an approval back when another moderator decided the suggestion first."""


async def _index(conn: aiosqlite.Connection, topics: Iterable[tuple[int, Topic, int | None]]) -> None:
    rows = [_index_rows(topic_id, topic, guild_id) for topic_id, topic, guild_id in topics]
    await conn.executemany(
        "INSERT INTO knowledge_fts (rowid, title, aliases, challenges, summary, body, scope) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [search_row for search_row, _ in rows],
    )
    await conn.executemany(
        "INSERT INTO knowledge_names_fts (rowid, title, aliases, scope) VALUES (?, ?, ?, ?)",
        [name_row for _, name_row in rows],
    )


async def _unindex(conn: aiosqlite.Connection, topic_ids: Sequence[int]) -> None:
    params = [(topic_id,) for topic_id in topic_ids]
    await conn.executemany("DELETE FROM knowledge_fts WHERE rowid = ?", params)
    await conn.executemany("DELETE FROM knowledge_names_fts WHERE rowid = ?", params)


class KnowledgeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- syncing curated files -------------------------------------------------------------

    async def sync_state(self) -> list[SyncState]:
        rows = await self._db.fetchall(
            "SELECT id, slug, source, source_path, content_hash, published FROM knowledge_topics"
        )
        return [
            SyncState(r["id"], r["slug"], r["source"], r["source_path"], r["content_hash"], bool(r["published"]))
            for r in rows
        ]

    async def write_curated(self, writes: Sequence[CuratedWrite], unpublish_ids: Sequence[int], now: datetime) -> None:
        """Store changed topic files and unpublish removed ones, all in one transaction."""
        if not writes and not unpublish_ids:
            return
        stamp = to_db_time(now)
        updates = [w for w in writes if w.existing_id is not None]
        async with self._db.transaction() as conn:
            row = await (await conn.execute("SELECT COALESCE(MAX(id), 0) FROM knowledge_topics")).fetchone()
            next_id = int(row[0]) + 1 if row else 1
            # Ids are given here (one writer holds the lock) so the index rows can be written in bulk.
            inserts = [(next_id + i, w) for i, w in enumerate(w for w in writes if w.existing_id is None)]
            await conn.executemany(
                "INSERT INTO knowledge_topics (id, slug, title, category, aliases, related, tracks, summary, "
                "key_ideas, challenges, best_practices, further_reading, source, source_path, content_hash, "
                "published, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'curated', ?, ?, 1, ?, ?)",
                [(topic_id, *_topic_values(w.topic), w.source_path, w.content_hash, stamp, stamp)
                 for topic_id, w in inserts],
            )
            # A suggested topic whose slug now has a curated file becomes that curated topic.
            await conn.executemany(
                "UPDATE knowledge_topics SET slug = ?, title = ?, category = ?, aliases = ?, related = ?, "
                "tracks = ?, summary = ?, key_ideas = ?, challenges = ?, best_practices = ?, further_reading = ?, "
                "source = 'curated', guild_id = NULL, source_path = ?, content_hash = ?, published = 1, "
                "updated_at = ? WHERE id = ?",
                [(*_topic_values(w.topic), w.source_path, w.content_hash, stamp, w.existing_id) for w in updates],
            )
            await conn.executemany(
                "UPDATE knowledge_topics SET published = 0, updated_at = ? WHERE id = ?",
                [(stamp, topic_id) for topic_id in unpublish_ids],
            )
            await _unindex(conn, [w.existing_id for w in updates if w.existing_id is not None] + list(unpublish_ids))
            await _index(
                conn,
                [(topic_id, w.topic, None) for topic_id, w in inserts]
                + [(w.existing_id, w.topic, None) for w in updates if w.existing_id is not None],
            )

    # --- reading topics --------------------------------------------------------------------

    async def get(self, slug: str, guild_id: int | None) -> Topic | None:
        where, params = _visible(guild_id)
        row = await self._db.fetchone(
            f"SELECT {_TOPIC_COLUMNS} FROM knowledge_topics WHERE slug = ? COLLATE NOCASE AND {where}",
            [slug, *params],
        )
        return _topic(row) if row else None

    async def get_any(self, slug: str) -> Topic | None:
        """A topic of any server, published or not (for `kb export`, run by the bot's operators)."""
        row = await self._db.fetchone(
            f"SELECT {_TOPIC_COLUMNS} FROM knowledge_topics WHERE slug = ? COLLATE NOCASE", [slug]
        )
        return _topic(row) if row else None

    async def get_by_id(self, topic_id: int) -> Topic | None:
        row = await self._db.fetchone(f"SELECT {_TOPIC_COLUMNS} FROM knowledge_topics WHERE id = ?", [topic_id])
        return _topic(row) if row else None

    async def list_topics(self, category: str | None, guild_id: int | None) -> list[TopicSummary]:
        where, params = _visible(guild_id)
        if category is not None:
            where += " AND category = ? COLLATE NOCASE"
            params.append(category)
        rows = await self._db.fetchall(
            f"SELECT id, slug, title, category, guild_id FROM knowledge_topics WHERE {where} "
            "ORDER BY category, title COLLATE NOCASE",
            params,
        )
        return [_summary(r) for r in rows]

    async def first_topics(self, guild_id: int | None, limit: int) -> list[TopicSummary]:
        where, params = _visible(guild_id)
        rows = await self._db.fetchall(
            f"SELECT id, slug, title, category, guild_id FROM knowledge_topics WHERE {where} "
            "ORDER BY title COLLATE NOCASE LIMIT ?",
            [*params, limit],
        )
        return [_summary(r) for r in rows]

    async def category_counts(self, guild_id: int | None) -> dict[str, int]:
        where, params = _visible(guild_id)
        rows = await self._db.fetchall(
            f"SELECT category, COUNT(*) AS n FROM knowledge_topics WHERE {where} GROUP BY category", params
        )
        return {r["category"]: r["n"] for r in rows}

    async def random_topic(self, guild_id: int | None) -> Topic | None:
        where, params = _visible(guild_id)
        row = await self._db.fetchone(
            f"SELECT {_TOPIC_COLUMNS} FROM knowledge_topics WHERE {where} "
            f"LIMIT 1 OFFSET ABS(RANDOM()) % MAX((SELECT COUNT(*) FROM knowledge_topics WHERE {where}), 1)",
            params * 2,
        )
        return _topic(row) if row else None

    async def slug_taken(self, slug: str) -> bool:
        return await self._db.fetchone("SELECT 1 FROM knowledge_topics WHERE slug = ?", [slug]) is not None

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

    async def search(self, terms: Sequence[MatchTerm], guild_id: int | None, limit: int) -> list[RankedTopic]:
        """Topics holding any of `terms`, best bm25 first."""
        if not terms:
            return []
        either = " OR ".join(_fts_phrase(t) for t in terms)
        match = f"({_SEARCH_COLUMNS} : ({either})) {_other_servers_excluded(guild_id)}"
        return await self._ranked("knowledge_fts", SEARCH_WEIGHTS, match, limit)

    async def search_names(
        self, groups: Sequence[Sequence[MatchTerm]], guild_id: int | None, limit: int
    ) -> list[RankedTopic]:
        """Topics whose title or aliases hold one term of every group (autocomplete)."""
        if not groups or not all(groups):
            return []
        required = " AND ".join("(" + " OR ".join(_fts_phrase(t) for t in group) + ")" for group in groups)
        match = f"({_NAME_COLUMNS} : ({required})) {_other_servers_excluded(guild_id)}"
        return await self._ranked("knowledge_names_fts", NAME_WEIGHTS, match, limit)

    async def _ranked(self, table: str, weights: Sequence[float], match: str, limit: int) -> list[RankedTopic]:
        bm25 = f"bm25({', '.join(str(w) for w in weights)})"
        rows = await self._db.fetchall(
            f"SELECT t.id, t.slug, t.title, t.category, m.rank FROM ("
            f"  SELECT rowid, rank FROM {table} WHERE {table} MATCH ? AND rank MATCH ? ORDER BY rank LIMIT ?"
            f") AS m JOIN knowledge_topics AS t ON t.id = m.rowid ORDER BY m.rank",
            [match, bm25, limit],
        )
        return [RankedTopic(r["id"], r["slug"], r["title"], r["category"], -float(r["rank"])) for r in rows]

    async def term_counts(self) -> TermCounts:
        rows = await self._db.fetchall("SELECT term, doc FROM knowledge_fts_terms")
        total = await self._db.fetchone("SELECT COUNT(*) FROM knowledge_topics WHERE published = 1")
        return TermCounts(int(total[0]) if total else 0, {r[0]: r[1] for r in rows})

    async def like_scan(self, words: Sequence[str], guild_id: int | None, limit: int) -> list[int]:
        """The naive baseline the benchmark compares search against: `LIKE '%word%'` over every
        row's text, ranked by how many words it holds. Not used by the bot."""
        if not words:
            return []
        text = "(title || ' ' || aliases || ' ' || summary || ' ' || key_ideas || ' ' || challenges || ' ' || best_practices)"
        score = " + ".join(f"({text} LIKE ?)" for _ in words)
        where, params = _visible(guild_id)
        rows = await self._db.fetchall(
            f"SELECT id, {score} AS hits FROM knowledge_topics WHERE {where} AND hits > 0 "
            "ORDER BY hits DESC LIMIT ?",
            [*(f"%{w}%" for w in words), *params, limit],
        )
        return [r["id"] for r in rows]

    # --- suggestions -----------------------------------------------------------------------

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
        return _suggestion(row) if row else None

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        rows = await self._db.fetchall(
            "SELECT * FROM topic_suggestions WHERE guild_id = ? AND status = 'pending' ORDER BY created_at, id",
            [guild_id],
        )
        return [_suggestion(r) for r in rows]

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
                values = _topic_values(topic)
                cursor = await conn.execute(
                    "INSERT INTO knowledge_topics (slug, title, category, aliases, related, tracks, summary, "
                    "key_ideas, challenges, best_practices, further_reading, guild_id, source, published, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'suggested', 1, ?, ?)",
                    [slug, *values[1:], guild_id, stamp, stamp],
                )
                topic_id = int(cursor.lastrowid or 0)
                await conn.execute("UPDATE topic_suggestions SET topic_id = ? WHERE id = ?", [topic_id, suggestion_id])
                stored = replace(topic, slug=slug, id=topic_id, guild_id=guild_id, source="suggested")
                await _index(conn, [(topic_id, stored, guild_id)])
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
