"""The knowledge base's rows as models, and the statements about suggestions, drafts and lookups
both engines run alike (bot/db/sqlite/knowledge.py, _topic_suggestions.py, _knowledge_feedback.py;
bot/db/postgres/knowledge.py)."""

from __future__ import annotations

import json

from bot.clock import from_db_time
from bot.db.common import StoredRow
from bot.knowledge.model import Challenge, Link, QueryCount, Suggestion, Topic, TopicCount, TopicDraft, TopicSummary

TOPIC_COLUMNS = (
    "id, guild_id, slug, title, category, aliases, related, tracks, summary, key_ideas, challenges, "
    "best_practices, further_reading, source"
)

# --- suggestions and the moderators' drafts ----------------------------------------------------

GET_SUGGESTION = "SELECT * FROM topic_suggestions WHERE id = ?"
PENDING_SUGGESTIONS = (
    "SELECT * FROM topic_suggestions WHERE guild_id = ? AND status = 'pending' ORDER BY created_at, id")
ACCEPTED_FIXES = (
    "SELECT s.*, t.slug AS target_slug FROM topic_suggestions AS s "
    "JOIN knowledge_topics AS t ON t.id = s.target_topic_id "
    "WHERE s.status = 'approved' ORDER BY s.reviewed_at, s.id")
DECIDE = (
    "UPDATE topic_suggestions SET status = ?, reviewer_id = ?, reviewed_at = ?, decision_note = ? "
    "WHERE id = ? AND status = 'pending'"
)
SET_SUGGESTION_TOPIC = "UPDATE topic_suggestions SET topic_id = ? WHERE id = ?"
DROP_DRAFTS = "DELETE FROM topic_drafts WHERE suggestion_id = ?"
SAVE_DRAFT = (
    "INSERT INTO topic_drafts (suggestion_id, moderator_id, title, category, summary, key_points, links, "
    "saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (suggestion_id, moderator_id) DO UPDATE SET "
    "title = excluded.title, category = excluded.category, summary = excluded.summary, "
    "key_points = excluded.key_points, links = excluded.links, saved_at = excluded.saved_at")
GET_DRAFT = ("SELECT title, category, summary, key_points, links FROM topic_drafts "
             "WHERE suggestion_id = ? AND moderator_id = ?")
TOPIC_SUMMARY = ("SELECT id, slug, title, category, guild_id FROM knowledge_topics "
                 "WHERE id = ? AND published = 1 AND (guild_id IS NULL OR guild_id = ?)")
UNPUBLISH_SUGGESTED = ("UPDATE knowledge_topics SET published = 0, updated_at = ? "
                       "WHERE id = ? AND guild_id = ? AND source = 'suggested' AND published = 1")

# --- lookups -----------------------------------------------------------------------------------

LOG_LOOKUP = "INSERT INTO topic_lookups (guild_id, query, topic_id, looked_up_at) VALUES (?, ?, ?, ?)"
COUNT_LOOKUPS = "SELECT COUNT(*) FROM topic_lookups WHERE guild_id = ? AND looked_up_at >= ?"
UNANSWERED_QUERIES = (
    "SELECT MIN(query) AS q, COUNT(*) AS n FROM topic_lookups "
    "WHERE guild_id = ? AND looked_up_at >= ? AND topic_id IS NULL "
    "GROUP BY lower(query) ORDER BY n DESC, q LIMIT ?")


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


def draft_from_row(row: StoredRow) -> TopicDraft:
    return TopicDraft(row["title"], row["category"], row["summary"], row["key_points"], row["links"])


def draft_values(suggestion_id: int, moderator_id: int, draft: TopicDraft, stamp: str) -> list[object]:
    """The parameters of SAVE_DRAFT."""
    return [suggestion_id, moderator_id, draft.title, draft.category, draft.summary, draft.key_points, draft.links,
            stamp]


def topic_count_from_row(row: StoredRow) -> TopicCount:
    return TopicCount(row["slug"], row["title"], int(row["n"]))


def query_count_from_row(row: StoredRow) -> QueryCount:
    return QueryCount(row["q"], int(row["n"]))


def first_free_slug(base: str, taken: set[str]) -> str:
    """`base`, else the first of `base-2`, `base-3`… not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
