"""What the knowledge base asks of the database (implemented per engine in `bot/db/`), and the rows
it reads and writes: topics with their full-text index, suggestions, and lookups.

The topics' search runs in memory (`bot.knowledge.search`) from what `KnowledgeRepository` gives; the
repository keeps its full-text index in step with the rows, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bot.knowledge.model import QueryCount, Suggestion, Topic, TopicCount, TopicDraft, TopicSummary


# Named tuples, not dataclasses: search makes and hashes dozens a question, and a tuple is built
# and hashed in C.
class MatchTerm(NamedTuple):
    """Words that must appear together and in order (one word, or a phrase such as `n 1`)."""

    words: tuple[str, ...]


class FtsMatch(NamedTuple):
    topic_id: int
    relevance: float  # -bm25: higher is better


@dataclass(frozen=True)
class IndexedText:
    """A topic's text as the full-text index holds it: what names it, and the rest."""

    topic_id: int
    naming: str  # title, slug and aliases, challenge headings
    text: str  # summary, key ideas, solutions, best practices, link titles


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

    rows: TopicRows
    source_path: str
    content_hash: str
    existing_id: int | None


@dataclass(frozen=True)
class TopicRows:
    """A topic as its table row and its full-text columns. Pure work, so the loader does it on its
    parsing thread, in parallel with SQLite indexing the previous batch."""

    topic: Topic
    values: tuple[Any, ...]  # slug … further_reading, in table order
    index: tuple[str, ...]  # title, aliases, challenges, summary, body

    @classmethod
    def of(cls, topic: Topic) -> TopicRows:
        return cls(topic, topic_values(topic), _index_columns(topic))


def _index_columns(topic: Topic) -> tuple[str, ...]:
    """What the full-text index holds of a topic: the link titles, not the URLs."""
    aliases = "\n".join([topic.slug, *topic.aliases])
    body = "\n".join(
        [
            *topic.key_ideas,
            *(c.solution for c in topic.challenges),
            *topic.best_practices,
            *(link.title for link in topic.further_reading),
        ]
    )
    # Symptoms are how learners word a challenge: indexed with the challenge headings.
    challenges = "\n".join([*(c.challenge for c in topic.challenges), *topic.symptoms])
    return (topic.title, aliases, challenges, topic.summary, body)


def topic_values(topic: Topic) -> tuple[Any, ...]:
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


class CuratedWriter(Protocol):
    """Writes topic files inside `KnowledgeRepository.curated_writer`'s transaction, in batches, so
    the loader can parse the next batch while the database indexes this one."""

    async def write(self, writes: Sequence[CuratedWrite]) -> None:
        ...

    async def unpublish(self, topic_ids: Sequence[int]) -> None:
        ...


class KnowledgeRepository(Protocol):
    """Topics: syncing the curated files, reading, full-text search; suggestions; and lookups."""

    async def sync_state(self) -> list[SyncState]:
        ...

    def curated_writer(self, now: datetime) -> AbstractAsyncContextManager[CuratedWriter]:
        """One transaction for a whole sync: every write inside commits together or not at all."""
        ...

    async def watch_topics(self, changed: Callable[[], None]) -> None:
        """Call `changed` whenever another process changed the topics (what memory holds of them is
        then out of date). A database only one process uses (SQLite) never calls it."""
        ...

    async def get(self, slug: str, guild_id: int | None) -> Topic | None:
        ...

    async def published_topics(self, limit: int) -> list[Topic]:
        """Up to `limit` published topics, of every server (to keep in memory), oldest first."""
        ...

    async def get_any(self, slug: str) -> Topic | None:
        """A topic of any server, published or not (for `kb export`, run by the bot's operators)."""
        ...

    async def list_topics(self, category: str | None, guild_id: int | None) -> list[TopicSummary]:
        ...

    async def category_counts(self, guild_id: int | None) -> dict[str, int]:
        ...

    async def random_topic(self, guild_id: int | None) -> Topic | None:
        ...

    async def name_rows(self) -> list[NameRow]:
        """Slug, title and aliases of every published topic, for the in-memory name index."""
        ...

    async def search(self, terms: Sequence[MatchTerm], guild_id: int | None, limit: int) -> list[FtsMatch]:
        """Topics holding any of `terms`, best bm25 first (ids only: the caller holds the names)."""
        ...

    async def term_relevance(self, terms: Sequence[MatchTerm]) -> dict[MatchTerm, list[FtsMatch]]:
        """For each term, every topic holding it (of any server: the caller drops other servers'
        suggested topics) with the term's share of bm25. FTS5's bm25 of a query of several terms
        adds, term by term in the query's order, one share per term (its idf times its weighted,
        saturated frequency in the topic, 0 where absent), so the sum of these shares in `search`'s
        order is, bit for bit, the relevance `search` returns, and each term's shares can be kept."""
        ...

    async def term_counts(self) -> TermCounts:
        ...

    async def curated_terms(self) -> frozenset[str]:
        """Every stemmed term of the published topics' titles and texts: aliases left out, since
        some aliases are deliberate misspellings ("celary") kept for matching only."""
        ...

    async def indexed_texts(self, topic_ids: Sequence[int]) -> list[IndexedText]:
        """What the full-text index holds of these topics, as the index has it (for search's confidence)."""
        ...

    async def like_scan(self, words: Sequence[str], guild_id: int | None, limit: int) -> list[int]:
        """The naive baseline the benchmark compares search against: `LIKE '%word%'` over every
        row's text, ranked by how many words it holds. Not used by the bot."""
        ...

    # --- suggestions -------------------------------------------------------------------------

    async def add_suggestion(
        self, guild_id: int, author_id: int, title: str, explanation: str, links: str, now: datetime,
        target_topic_id: int | None = None,
    ) -> Suggestion:
        ...

    async def get_suggestion(self, suggestion_id: int) -> Suggestion | None:
        ...

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        ...

    async def accepted_fixes(self) -> list[tuple[Suggestion, str]]:
        """Every accepted fix with the slug of the topic it is for, oldest first (for maintainers)."""
        ...

    async def approve_suggestion(
        self, suggestion_id: int, reviewer_id: int, topic: Topic, guild_id: int, now: datetime
    ) -> Topic | None:
        """Store `topic` for the suggestion's server under the first free slug of `topic.slug`,
        `-2`, `-3`…, mark the suggestion approved and drop its drafts; None if it was no longer
        pending."""
        ...

    async def decide_suggestion(
        self, suggestion_id: int, status: str, reviewer_id: int, note: str, now: datetime
    ) -> bool:
        """Reject a suggestion, or accept a fix ('approved' with no topic): False if it was no
        longer pending."""
        ...

    async def save_draft(self, suggestion_id: int, moderator_id: int, draft: TopicDraft, now: datetime) -> None:
        ...

    async def get_draft(self, suggestion_id: int, moderator_id: int) -> TopicDraft | None:
        ...

    async def topic_summary(self, topic_id: int, guild_id: int) -> TopicSummary | None:
        """A topic this server can see, by id (the topic a fix is for)."""
        ...

    async def suggested_topics(self, guild_id: int, typed: str, limit: int) -> list[TopicSummary]:
        """This server's published topics made from suggestions whose title or slug holds `typed`,
        newest first."""
        ...

    async def unpublish_suggested(self, topic_id: int, guild_id: int, now: datetime) -> bool:
        """Take a server's suggested topic out of search (its row stays, for `kb export`); False
        if it is not a published suggested topic of that server."""
        ...

    # --- lookups -------------------------------------------------------------------------------

    async def log_lookup(self, guild_id: int, query: str, topic_id: int | None, now: datetime) -> None:
        ...

    async def log_lookups(self, lookups: Sequence[tuple[int, str, int | None, datetime]]) -> None:
        """(server, query, topic found, when) of several lookups, written together."""
        ...

    async def count_lookups(self, guild_id: int, since: datetime) -> int:
        ...

    async def top_topics(self, guild_id: int, since: datetime, limit: int) -> list[TopicCount]:
        ...

    async def unanswered_queries(self, guild_id: int, since: datetime, limit: int) -> list[QueryCount]:
        ...
