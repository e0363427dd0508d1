"""`KnowledgeService`: everything the `/topic` commands and `kb` CLI ask of the knowledge base.

Curated topics (guild_id None) are shared by every server; a topic approved from a suggestion
belongs to its server and is found only there. Every `guild_id` parameter means "as seen from this
server"; None means the curated set alone (the CLI).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.errors import UserError
from bot.knowledge._text import words
from bot.knowledge.loader import sync_topics
from bot.knowledge.lookups import LookupLog
from bot.knowledge.model import (
    CATEGORIES,
    KnowledgeStats,
    KnowledgeStatus,
    ReviewDecision,
    SearchHit,
    Suggestion,
    SuggestionStatus,
    SyncReport,
    Topic,
    TopicDraft,
    TopicSummary,
)
from bot.knowledge.other_stacks import load_other_stacks
from bot.knowledge.repository import KnowledgeRepository
from bot.knowledge.search import KnowledgeSearch
from bot.knowledge.suggestions import (
    check_draft,
    check_suggestion,
    clean_text,
    draft_from_suggestion,
    topic_from_draft,
)
from bot.knowledge.validation import load_track_keys
from bot.tracks import TracksFileError

log = logging.getLogger(__name__)

MAX_LOGGED_QUERY = 200
STATS_ROWS = 10
RELATED_FROM_SEARCH = 3
RECENT_TOPICS = 512  # whole topics kept in memory, most recently opened first
NOTE_MAX = 500
FALLBACK_CATEGORY = "Collaboration"


@dataclass(frozen=True)
class Miss:
    """A query no topic answers: its spelling corrected, if it was misspelt, and the closest topics."""

    spelling: str | None
    closest: list[SearchHit]


class KnowledgeService:
    def __init__(
        self, repository: KnowledgeRepository, knowledge_dir: Path, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.knowledge_dir = knowledge_dir
        self._repository = repository
        self._search = KnowledgeSearch(self._repository, load_other_stacks(knowledge_dir))
        self._recent: OrderedDict[str, Topic] = OrderedDict()
        # Goes up whenever the topics change, so what others derived from them (pairing's topics of
        # each project) knows when to derive it again.
        self.topics_version = 0
        self._lookups = LookupLog(self._repository)
        self._prepared_listeners: list[Callable[[], Awaitable[None]]] = []
        self._rebuilding: asyncio.Task[None] | None = None
        self._rebuild_again = False
        # `Clock.now` of the bot's one clock; tools without a bot (the kb CLI, tests) read real time.
        self._clock = clock or Clock().now

    # --- the curated files -----------------------------------------------------------------

    async def sync(self) -> SyncReport:
        """Bring the database in line with the topic files; never raises (problems are in the report)."""
        try:
            track_keys = load_track_keys(self.knowledge_dir.parent / "tracks.toml")
        except (OSError, ValueError, TracksFileError) as exc:
            log.warning("tracks file unreadable, topic tracks not checked: %s", exc)
            track_keys = None
        report = await sync_topics(self._repository, self.knowledge_dir, self._clock(), track_keys)
        if report.changed:
            self._topics_changed()
        log.info("knowledge base synced from %s: %s", self.knowledge_dir, report.summary())
        return report

    async def prepare(self) -> None:
        """Load what search keeps in memory (names, term counts, each term's bm25 shares, the
        topics' words) and the topics themselves (up to RECENT_TOPICS) now, after a start or a
        change, so that no member's question waits for them."""
        await self._search.prepare()
        version = self.topics_version
        topics = await self._repository.published_topics(RECENT_TOPICS)
        if version == self.topics_version:  # else they changed while being read: read on demand
            for topic in topics:
                self._recent.setdefault(topic.slug.casefold(), topic)
        for listener in self._prepared_listeners:
            await listener()

    async def watch(self) -> None:
        """Read the topics again whenever another process changes them (PostgreSQL: LISTEN), so a
        topic approved there is searchable here within moments, not after a restart."""
        await self._repository.watch_topics(self._changed_elsewhere)

    def _changed_elsewhere(self) -> None:
        self._topics_changed()  # at once: no search answers from what memory held before
        if self._rebuilding is not None and not self._rebuilding.done():
            # Several changes in a row make one more rebuild after the running one, not one each.
            self._rebuild_again = True
            return
        self._rebuilding = asyncio.get_running_loop().create_task(self._rebuild(), name="nexus-topics-rebuild")

    async def _rebuild(self) -> None:
        while True:
            self._rebuild_again = False
            try:
                await self.prepare()
            except Exception:  # searches read on demand instead; the next change tries again
                log.exception("could not read the topics again after another process changed them")
            if not self._rebuild_again:
                return
            self._topics_changed()

    def on_prepared(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Call `listener` whenever the topics were read into memory again (after a start, an
        approval, an unpublish), so what is derived from them is built before a member asks."""
        if listener not in self._prepared_listeners:
            self._prepared_listeners.append(listener)

    def topics_in_memory(self) -> list[Topic]:
        """The topics kept in memory (all of them, up to RECENT_TOPICS, after `prepare`)."""
        return list(self._recent.values())

    # --- finding topics --------------------------------------------------------------------

    async def search(
        self, query: str, guild_id: int | None = None, limit: int = 5, *, remember: bool = True
    ) -> list[SearchHit]:
        return await self._search.search(query, guild_id, limit, remember=remember)

    async def autocomplete(
        self, prefix: str, guild_id: int | None = None, limit: int = 25, *, remember: bool = True
    ) -> list[SearchHit]:
        return await self._search.autocomplete(prefix, guild_id, limit, remember=remember)

    async def suggest_spelling(self, query: str, guild_id: int | None = None) -> str | None:
        return await self._search.suggest_spelling(query, guild_id)

    async def closest(self, query: str, guild_id: int | None = None, limit: int = 3) -> list[SearchHit]:
        return await self._search.closest(query, guild_id, limit)

    async def miss(self, query: str, guild_id: int | None = None, limit: int = 3) -> Miss:
        """What to offer for a query no topic answers: "did you mean" when it is misspelt, and the
        closest topics when some are close enough (those of the spelling, when only it finds any).
        Both empty for a question about something else: the answer then points to `/topic list`
        and `/topic suggest`, not to topics that share a word with it."""
        spelling = await self._search.suggest_spelling(query, guild_id)
        closest = await self._search.closest(query, guild_id, limit)
        if spelling and not closest:
            closest = await self._search.search(spelling, guild_id, limit)
        return Miss(spelling, closest)

    async def project_topics(self, stack: str, description: str, guild_id: int | None,
                             limit: int | None = None) -> list[SearchHit]:
        """The topics that fit a project: those its stack names (any name), then those its
        description names in two words or more ("REST API", "JWT authentication"; a lone "rest" or
        "cache" in a sentence is an English word), in the order they are written. Names, not the
        full-text search: a project is described by what it uses, and a search over a paragraph
        finds topics it merely brushes against (Django Channels for a Django app that never mentions
        real time)."""
        names = await self._search.names()
        found: dict[int, None] = {}
        for text, min_words in ((stack, 1), (description, 2)):
            for topic_id, length in names.name_matches(words(text), guild_id).items():  # in the text's order
                if length >= min_words:
                    found.setdefault(topic_id)
        hits = []
        for topic_id in found:
            topic = names.topic(topic_id)
            if topic is not None:
                hits.append(SearchHit(topic_id, topic.slug, topic.short_title, topic.category, score=1.0))
        return hits[:limit] if limit is not None else hits

    async def slugs_of(self, topic_ids: list[int]) -> dict[int, str]:
        """The slug of each topic id still in the knowledge base (to open it with a button)."""
        names = await self._search.names()
        return {topic_id: topic.slug for topic_id in topic_ids if (topic := names.topic(topic_id)) is not None}

    async def corrected_query(self, query: str) -> str | None:
        """The query with its misspelt words corrected (the "did you mean" of a query that found a
        topic), or None when nothing was corrected. From memory: no search is run again."""
        return await self._search.corrected(query)

    async def get(self, slug: str, guild_id: int | None = None) -> Topic | None:
        """A published topic this server can open. Recently opened topics are kept in memory (a
        lookup and its related-topic buttons read several), until the topics change."""
        key = slug.strip().casefold()
        topic = self._recent.get(key)
        if topic is not None:
            self._recent.move_to_end(key)
            return topic if topic.guild_id is None or topic.guild_id == guild_id else None
        topic = await self._repository.get(key, guild_id)
        if topic is not None:
            self._recent[key] = topic
            while len(self._recent) > RECENT_TOPICS:
                self._recent.popitem(last=False)
        return topic

    def _topics_changed(self) -> None:
        """A sync, an approval or an unpublish changed the topics: forget what memory holds of them."""
        self.topics_version += 1
        self._search.invalidate()
        self._recent.clear()

    async def related_topics(self, topic: Topic, guild_id: int | None = None) -> list[TopicSummary]:
        """The topic's related topics that this server can open, in the file's order."""
        found = []
        for slug in topic.related:
            related = await self.get(slug, guild_id)
            if related is not None and related.id is not None:
                found.append(TopicSummary(related.id, related.slug, related.title, related.category, related.guild_id))
        return found

    async def list_topics(self, category: str | None = None, guild_id: int | None = None) -> list[TopicSummary]:
        return await self._repository.list_topics(category, guild_id)

    async def categories(self, guild_id: int | None = None) -> list[str]:
        """Categories that hold a topic, in the format's order."""
        counts = await self._repository.category_counts(guild_id)
        return [c for c in CATEGORIES if counts.get(c)] + sorted(c for c in counts if c not in CATEGORIES)

    async def random_topic(self, guild_id: int | None = None) -> Topic | None:
        return await self._repository.random_topic(guild_id)

    async def topic_to_export(self, slug: str) -> Topic | None:
        """Any stored topic, of any server (for `kb export`, which operators run)."""
        return await self._repository.get_any(slug.strip())

    # --- lookups ---------------------------------------------------------------------------

    async def log_lookup(self, guild_id: int, query: str, topic_id: int | None) -> None:
        """Record a lookup: the server, the query text and what it found. Nothing about who asked.
        Written behind (`lookups`): within a second, before the log is read, or when the bot stops."""
        text = " ".join(query.split())[:MAX_LOGGED_QUERY]
        self._lookups.add(guild_id, text, topic_id, self._clock())

    async def write_lookups(self) -> None:
        """Write the lookups still held in memory (before reading the log, and when the bot stops)."""
        await self._lookups.write()

    async def close(self) -> None:
        if self._rebuilding is not None:
            self._rebuilding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rebuilding
        await self.write_lookups()

    async def recent_stats(self, guild_id: int, days: int, limit: int = STATS_ROWS) -> KnowledgeStats:
        """`stats` over the last `days` days, counted back from the clock's now."""
        return await self.stats(guild_id, self._clock() - timedelta(days=days), limit)

    async def stats(self, guild_id: int, since: datetime, limit: int = STATS_ROWS) -> KnowledgeStats:
        await self.write_lookups()
        return KnowledgeStats(
            since=since,
            total_lookups=await self._repository.count_lookups(guild_id, since),
            top_topics=await self._repository.top_topics(guild_id, since, limit),
            unanswered=await self._repository.unanswered_queries(guild_id, since, limit),
        )

    # --- suggestions ---------------------------------------------------------------------

    async def suggest(
        self, guild_id: int, author_id: int, title: str, explanation: str, links: str = "", *,
        fix_for: str | None = None,
    ) -> Suggestion:
        """Store a suggestion for review: a new topic, or (`fix_for`, a slug) a fix for a topic."""
        target = await self._fix_target(fix_for, guild_id) if fix_for else None
        title, explanation, links = check_suggestion(title, explanation, links)
        return await self._repository.add_suggestion(guild_id, author_id, title, explanation, links, self._clock(),
                                                     target.id if target else None)

    async def _fix_target(self, slug: str, guild_id: int) -> Topic:
        topic = await self._repository.get(slug.strip(), guild_id)
        if topic is None or topic.id is None:
            raise UserError(f"There is no topic `{slug.strip()[:60]}` to suggest a fix for: pick one from the list, "
                            "or leave the topic out to suggest a new one.")
        return topic

    async def pending_suggestions(self, guild_id: int) -> list[Suggestion]:
        return await self._repository.pending_suggestions(guild_id)

    async def fix_target(self, suggestion: Suggestion) -> TopicSummary | None:
        """The topic a fix is for, if this server still has it."""
        if suggestion.target_topic_id is None:
            return None
        return await self._repository.topic_summary(suggestion.target_topic_id, suggestion.guild_id)

    async def pending(self, suggestion_id: int, guild_id: int | None = None) -> Suggestion:
        """A suggestion still waiting for review, or a `UserError`. With `guild_id`, a suggestion of
        another server is treated as not found."""
        suggestion = await self._repository.get_suggestion(suggestion_id)
        if suggestion is None or (guild_id is not None and suggestion.guild_id != guild_id):
            raise UserError("That suggestion no longer exists.")
        if suggestion.status != "pending":
            raise UserError(f"This suggestion was already {suggestion.status}.")
        return suggestion

    async def approval_draft(self, suggestion: Suggestion, moderator_id: int) -> TopicDraft:
        """What the approval form opens with: what this moderator wrote last time the bot refused
        it, or the suggestion itself in the category of the topics closest to it."""
        saved = await self._repository.get_draft(suggestion.id, moderator_id)
        if saved is not None:
            return saved
        near = await self._search.search(f"{suggestion.title} {suggestion.explanation}", suggestion.guild_id,
                                         RELATED_FROM_SEARCH)
        category = next((hit.category for hit in near if hit.category in CATEGORIES), FALLBACK_CATEGORY)
        return draft_from_suggestion(suggestion, category)

    async def approve(
        self, suggestion_id: int, reviewer_id: int, draft: TopicDraft, *, guild_id: int | None = None
    ) -> ReviewDecision:
        """Publish the moderator's topic for the suggestion's server, searchable there at once. A
        form with problems is kept (`approval_draft` reopens it) and refused with `DraftRefused`."""
        suggestion = await self.pending(suggestion_id, guild_id)
        if suggestion.is_fix:
            raise UserError("This suggestion is a fix for an existing topic: accepting it never makes a new topic.")
        problems = check_draft(draft)
        if problems:
            await self._repository.save_draft(suggestion.id, reviewer_id, draft, self._clock())
            raise DraftRefused(problems)
        topic = topic_from_draft(draft, ())
        near = await self._search.search(f"{topic.title} {topic.summary}", suggestion.guild_id, RELATED_FROM_SEARCH)
        topic = replace(topic, related=tuple(hit.slug for hit in near if hit.slug != topic.slug))
        stored = await self._repository.approve_suggestion(
            suggestion.id, reviewer_id, topic, suggestion.guild_id, self._clock()
        )
        if stored is None:
            raise UserError("Another moderator has already reviewed this suggestion.")
        self._topics_changed()
        await self.prepare()
        decided = replace(suggestion, status="approved", reviewer_id=reviewer_id, reviewed_at=self._clock(),
                          topic_id=stored.id)
        return ReviewDecision(decided, topic=stored)

    async def accept_fix(
        self, suggestion_id: int, reviewer_id: int, note: str = "", *, guild_id: int | None = None
    ) -> ReviewDecision:
        """Mark a fix accepted for the maintainers (`kb fixes` lists it); no topic changes."""
        suggestion = await self.pending(suggestion_id, guild_id)
        if not suggestion.is_fix:
            raise UserError("This suggestion is a new topic: approve it with the topic form.")
        return await self._decide(suggestion, "approved", reviewer_id, note)

    async def reject(
        self, suggestion_id: int, reviewer_id: int, reason: str = "", *, guild_id: int | None = None
    ) -> ReviewDecision:
        return await self._decide(await self.pending(suggestion_id, guild_id), "rejected", reviewer_id, reason)

    async def _decide(self, suggestion: Suggestion, status: SuggestionStatus, reviewer_id: int,
                      note: str) -> ReviewDecision:
        note = clean_text(note)
        if len(note) > NOTE_MAX:
            raise UserError(f"The note to the member may be at most {NOTE_MAX} characters.")
        if not await self._repository.decide_suggestion(suggestion.id, status, reviewer_id, note, self._clock()):
            raise UserError("Another moderator has already reviewed this suggestion.")
        decided = replace(suggestion, status=status, reviewer_id=reviewer_id, reviewed_at=self._clock(),
                          decision_note=note)
        return ReviewDecision(decided, target=await self.fix_target(suggestion))

    async def accepted_fixes(self) -> list[tuple[Suggestion, str]]:
        return await self._repository.accepted_fixes()

    # --- topics made from suggestions --------------------------------------------------------

    async def suggested_topics(self, guild_id: int, typed: str = "", limit: int = 25) -> list[TopicSummary]:
        return await self._repository.suggested_topics(guild_id, " ".join(typed.split()), limit)

    async def unpublish(self, slug: str, guild_id: int) -> Topic:
        """Take a topic approved in this server out of search at once. Curated topics come from
        the topic files and are changed there, never here."""
        topic = await self._repository.get(slug.strip(), guild_id)
        if topic is None or topic.id is None:
            raise UserError(f"There is no topic `{slug.strip()[:60]}` in this server's knowledge base.")
        if topic.source != "suggested":
            raise UserError(f"**{topic.title}** is a curated topic: it comes from the knowledge-base files, which "
                            "the maintainers edit. Only topics approved from suggestions can be unpublished here.")
        if not await self._repository.unpublish_suggested(topic.id, guild_id, self._clock()):
            raise UserError("That topic was already unpublished.")
        self._topics_changed()
        await self.prepare()
        return topic


    # --- what /nexus status shows ----------------------------------------------------------

    async def status(self, guild_id: int, days: int = 7) -> KnowledgeStatus:
        """Topics this server can open, and its lookups over the last `days` days."""
        await self.write_lookups()
        counts = await self._repository.category_counts(guild_id)
        since = self._clock() - timedelta(days=days)
        return KnowledgeStatus(topics=sum(counts.values()), days=days,
                               lookups=await self._repository.count_lookups(guild_id, since))


class DraftRefused(UserError):
    """The approval form has problems; the moderator's text is kept to reopen the form with."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(f"• {problem}" for problem in problems))
        self.problems = problems
