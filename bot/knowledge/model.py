"""The knowledge base's data: topics, search hits, suggestions, reports. No behaviour, no imports
from the rest of the bot, so both the domain and the repository can use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

CATEGORIES: tuple[str, ...] = (
    "Python",
    "Django",
    "APIs",
    "GraphQL",
    "Databases",
    "Async & messaging",
    "Caching",
    "Security & auth",
    "DevOps",
    "Testing",
    "Architecture",
    "Collaboration",
)

TopicSource = Literal["curated", "suggested"]
SuggestionStatus = Literal["pending", "approved", "rejected"]


class Challenge(NamedTuple):
    challenge: str
    solution: str


class Link(NamedTuple):
    title: str
    url: str


@dataclass(frozen=True)
class Topic:
    """One topic as its file describes it; `id`, `guild_id` and `source` are set once it is stored."""

    slug: str
    title: str
    category: str
    aliases: tuple[str, ...]
    related: tuple[str, ...]
    tracks: tuple[str, ...]
    summary: str
    key_ideas: tuple[str, ...]
    challenges: tuple[Challenge, ...]
    best_practices: tuple[str, ...]
    further_reading: tuple[Link, ...]
    id: int | None = None
    guild_id: int | None = None
    source: TopicSource = "curated"
    # How learners describe the trouble in their own words ("runs twice", "duplicated"): searched as
    # the topic's challenge headings are. Only the files carry them; a stored topic has them in
    # the full-text index alone (`kb export` writes suggested topics, which have none).
    symptoms: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicSummary:
    """Enough of a topic to list it or offer it as a choice."""

    id: int
    slug: str
    title: str
    category: str
    guild_id: int | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A ranked answer; a higher score is a better match (scores compare within one query only).
    `confidence`, 0 to 1, is how much of what the query says the topic holds (bot.knowledge.search)."""

    topic_id: int
    slug: str
    title: str
    category: str
    score: float
    confidence: float = 1.0


@dataclass(frozen=True)
class FileProblem:
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass
class SyncReport:
    """What one sync of the topic folder did, by slug; `errors` are files that were skipped."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    errors: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.unpublished)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.unpublished)} unpublished, {len(self.errors)} skipped with errors"
        )


@dataclass(frozen=True)
class Suggestion:
    id: int
    guild_id: int
    author_id: int
    title: str
    explanation: str
    links: str
    status: SuggestionStatus
    reviewer_id: int | None
    reviewed_at: datetime | None
    topic_id: int | None
    created_at: datetime
    target_topic_id: int | None = None  # a fix for this topic (never becomes a topic of its own)
    decision_note: str = ""  # the moderator's reason or note, told to the author

    @property
    def is_fix(self) -> bool:
        return self.target_topic_id is not None


@dataclass(frozen=True)
class TopicDraft:
    """What a moderator writes in the approval form, as typed: the topic a suggestion becomes."""

    title: str
    category: str
    summary: str
    key_points: str  # one per line
    links: str  # one per line: a URL, optionally after its title


@dataclass(frozen=True)
class ReviewDecision:
    """A decided suggestion, with what the author is told about: the topic it became, or the
    topic it was a fix for."""

    suggestion: Suggestion
    topic: Topic | None = None
    target: TopicSummary | None = None


@dataclass(frozen=True)
class TopicCount:
    slug: str
    title: str
    lookups: int


@dataclass(frozen=True)
class QueryCount:
    query: str
    lookups: int


@dataclass(frozen=True)
class KnowledgeStatus:
    """The knowledge base's line in `/nexus status`."""

    topics: int
    days: int
    lookups: int


@dataclass(frozen=True)
class KnowledgeStats:
    """Lookups in one server since a moment: what people read, and what they found nothing for."""

    since: datetime
    total_lookups: int
    top_topics: list[TopicCount]
    unanswered: list[QueryCount]
