"""Topics as full-text index rows, and the clause of the topics a server sees: shared by SQLite's
knowledge repositories (rows → models are bot/db/shared/knowledge.py's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from bot.db.sqlite.topic_index import scope_words
from bot.knowledge.repository import TopicRows


def visible(guild_id: int | None) -> tuple[str, list[Any]]:
    """A WHERE clause (and its parameters) for the published topics a server can see."""
    if guild_id is None:
        return "published = 1 AND guild_id IS NULL", []
    return "published = 1 AND (guild_id IS NULL OR guild_id = ?)", [guild_id]


async def index_topics(conn: aiosqlite.Connection, topics: Iterable[tuple[int, TopicRows, int | None]]) -> None:
    """Add (topic id, rows, owning server) to the full-text index."""
    await conn.executemany(
        "INSERT INTO knowledge_fts (rowid, title, aliases, challenges, summary, body, scope) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(topic_id, *rows.index, scope_words(guild_id)) for topic_id, rows, guild_id in topics],
    )


async def unindex_topics(conn: aiosqlite.Connection, topic_ids: Sequence[int]) -> None:
    await conn.executemany("DELETE FROM knowledge_fts WHERE rowid = ?", [(topic_id,) for topic_id in topic_ids])
