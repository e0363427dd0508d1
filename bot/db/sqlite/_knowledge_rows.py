"""Topics as table rows and full-text index rows, and back: shared by the knowledge repositories."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from bot.clock import from_db_time
from bot.db.common import StoredRow
from bot.db.sqlite.topic_index import scope_words
from bot.knowledge.model import Challenge, Link, Suggestion, Topic, TopicSummary
from bot.knowledge.repository import TopicRows

TOPIC_COLUMNS = (
    "id, guild_id, slug, title, category, aliases, related, tracks, summary, key_ideas, challenges, "
    "best_practices, further_reading, source"
)


def visible(guild_id: int | None) -> tuple[str, list[Any]]:
    """A WHERE clause (and its parameters) for the published topics a server can see."""
    if guild_id is None:
        return "published = 1 AND guild_id IS NULL", []
    return "published = 1 AND (guild_id IS NULL OR guild_id = ?)", [guild_id]


def topic_from_row(row: StoredRow) -> Topic:
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


def summary_from_row(row: StoredRow) -> TopicSummary:
    return TopicSummary(row["id"], row["slug"], row["title"], row["category"], row["guild_id"])


def suggestion_from_row(row: StoredRow) -> Suggestion:
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
        target_topic_id=row["target_topic_id"],
        decision_note=row["decision_note"],
    )


async def index_topics(conn: aiosqlite.Connection, topics: Iterable[tuple[int, TopicRows, int | None]]) -> None:
    """Add (topic id, rows, owning server) to the full-text index."""
    await conn.executemany(
        "INSERT INTO knowledge_fts (rowid, title, aliases, challenges, summary, body, scope) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(topic_id, *rows.index, scope_words(guild_id)) for topic_id, rows, guild_id in topics],
    )


async def unindex_topics(conn: aiosqlite.Connection, topic_ids: Sequence[int]) -> None:
    await conn.executemany("DELETE FROM knowledge_fts WHERE rowid = ?", [(topic_id,) for topic_id in topic_ids])
