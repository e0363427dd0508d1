"""Ranked search over the knowledge base: full text (FTS5 bm25, title and aliases weighted above the
body), topic names found in the question, typo correction, and autocomplete.

A query goes: words (stop words dropped) → unknown words completed when unfinished or corrected
from the names' vocabulary → the informative words (`_terms.affordable`) in one FTS5 query for
candidates, or the names in memory when every word is too common → a score that adds, to the
normalised bm25, a bonus for every topic whose name the question contains. No input raises:
whatever a member types is reduced to letters and digits before it reaches the index.

What it reads from the database to do this (names, term counts) stays in memory until a sync or
an approval changes the topics; those call `invalidate()`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from bot.db.knowledge import FtsMatch, KnowledgeRepository, MatchTerm
from bot.knowledge._names import NamedTopic, NameIndex
from bot.knowledge._terms import TermStats, affordable
from bot.knowledge._text import STOP_WORDS, query_terms, query_words, words
from bot.knowledge.model import SearchHit

CANDIDATES = 30
MAX_COMPLETIONS = 2
MAX_CORRECTIONS = 2
MAX_CORRECTED_WORDS = 3  # a query of many unknown words is not a typo, and each costs a fuzzy scan
# How much a topic's name inside the question adds, on a scale where the best full-text match is 1,
# scaled by the share of the question's words the name covers: "celery" says more as the whole
# query than as one word of a long question about query depth.
NAME_BONUS_PER_WORD = 0.35
NAME_BONUS_MAX_WORDS = 3
EXACT_NAME_BONUS = 2.0
CLOSEST_CUTOFF = 80  # rapidfuzz likeness, 0-100


@dataclass
class _QueryPlan:
    terms: list[MatchTerm] = field(default_factory=list)
    too_common: list[tuple[str, ...]] = field(default_factory=list)  # known words, all too common to search
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> the word searched instead
    words: list[str] = field(default_factory=list)  # every word, corrected, stop words included

    @property
    def content_words(self) -> int:
        return max(1, sum(1 for word in self.words if word not in STOP_WORDS))


@dataclass(frozen=True)
class _Indexes:
    """What search keeps in memory, read from the database after every change."""

    names: NameIndex
    terms: TermStats


class KnowledgeSearch:
    def __init__(self, repository: KnowledgeRepository) -> None:
        self._repository = repository
        self._indexes: _Indexes | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Topics changed in the database (a sync, an approval): reload what is in memory on next use."""
        self._indexes = None

    async def _loaded(self) -> _Indexes:
        indexes = self._indexes
        if indexes is None:
            async with self._lock:
                indexes = self._indexes
                if indexes is None:
                    names = NameIndex(await self._repository.name_rows())
                    terms = TermStats(await self._repository.term_counts())
                    indexes = self._indexes = _Indexes(names, terms)
        return indexes

    async def names(self) -> NameIndex:
        return (await self._loaded()).names

    async def search(self, query: str, guild_id: int | None = None, limit: int = 5) -> list[SearchHit]:
        limit = max(1, min(limit, 50))
        indexes = await self._loaded()
        plan = _plan(query, indexes)
        if plan.terms:
            candidates = await self._repository.search(plan.terms, guild_id, max(CANDIDATES, limit))
        else:  # nothing rare enough to rank cheaply in the full text: rank by the names alone
            candidates = indexes.names.search(plan.too_common, guild_id, max(CANDIDATES, limit))
        names = indexes.names
        name_matches = names.name_matches(plan.words, guild_id)
        return _rank(candidates, name_matches, _exact_names(plan, names, guild_id), names, limit, plan.content_words)

    async def autocomplete(self, prefix: str, guild_id: int | None = None, limit: int = 25) -> list[SearchHit]:
        """Choices while typing: topics with a name starting with the typed text (from memory, so
        every keystroke is cheap), topped up from full search (questions, typos) when those are few."""
        limit = max(1, min(limit, 25))
        names = await self.names()
        hits = [_hit(topic, 1.0) for topic in names.complete(prefix[:200], guild_id, limit)]
        if len(hits) < limit and words(prefix[:200]):
            seen = {hit.topic_id for hit in hits}
            hits += [hit for hit in await self.search(prefix, guild_id, limit) if hit.topic_id not in seen]
        return hits[:limit]

    async def suggest_spelling(self, query: str, guild_id: int | None = None) -> str | None:
        """"Did you mean": the query with its misspelt words corrected, or else, when nothing
        matches it, the title it most resembles. None when the query is fine as it is."""
        indexes = await self._loaded()
        plan = _plan(query, indexes)
        if plan.corrections:
            pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in plan.corrections) + r")\b")
            corrected = pattern.sub(lambda m: plan.corrections[m.group(1)], " ".join(query_words(query)))
            if await self.search(corrected, guild_id, 1):
                return corrected
        if await self.search(query, guild_id, 1):
            return None
        closest = indexes.names.closest(query, guild_id, 1)
        return closest[0][0].title if closest else None

    async def closest(self, query: str, guild_id: int | None = None, limit: int = 3) -> list[SearchHit]:
        """Topics whose names look like the query, for a "no match" answer. Only real likeness
        counts: below CLOSEST_CUTOFF a name is merely noise ("kubernetes" → REST API design at 68)."""
        names = await self.names()
        return [_hit(topic, score / 100)
                for topic, score in names.closest(query, guild_id, limit, cutoff=CLOSEST_CUTOFF)]


def _plan(query: str, indexes: _Indexes) -> _QueryPlan:
    plan = _QueryPlan()
    weighed: list[tuple[int, MatchTerm]] = []
    attempts = 0
    for term in query_terms(query):
        doc_freq = indexes.terms.doc_freq(term)
        if not doc_freq and len(term) > 1 and attempts < MAX_CORRECTED_WORDS:
            # A joined chunk with a misspelt part ("prefetch_relatd"): correct the parts, keep the phrase.
            fixed = []
            for word in term:
                correction = None
                if len(word) >= 4 and word.isalpha() and not indexes.terms.doc_freq((word,)):
                    attempts += 1
                    correction = next(iter(indexes.names.corrections(word, 1)), None)
                if correction is not None:
                    plan.corrections[word] = correction
                fixed.append(correction or word)
            term = tuple(fixed)
            doc_freq = indexes.terms.doc_freq(term)
        if doc_freq or len(term) > 1 or not term[0].isalpha() or attempts == MAX_CORRECTED_WORDS:
            weighed.append((doc_freq, MatchTerm(term)))
            continue
        # A word no topic holds: unfinished ("pagina") or misspelt ("celary").
        word = term[0]
        attempts += 1
        alternatives = indexes.names.completions(word, MAX_COMPLETIONS) if len(word) >= 4 else []
        alternatives += [w for w in indexes.names.corrections(word, MAX_CORRECTIONS) if w not in alternatives]
        weighed += [(indexes.terms.doc_freq((alt,)), MatchTerm((alt,))) for alt in alternatives]
        if alternatives:
            plan.corrections[word] = alternatives[0]
    plan.terms = affordable(weighed, indexes.terms.documents)
    if not plan.terms:
        plan.too_common = [term.words for doc_freq, term in weighed if doc_freq]
    plan.words = [plan.corrections.get(w, w) for w in query_words(query)]
    return plan


def _exact_names(plan: _QueryPlan, names: NameIndex, guild_id: int | None) -> set[int]:
    """Topics one of whose names is the whole query, give or take stop words."""
    meaningful = [w for w in plan.words if w not in STOP_WORDS] or plan.words
    exact = names.name_matches(meaningful, guild_id)
    return {topic_id for topic_id, length in exact.items() if length == len(meaningful)}


def _hit(topic: NamedTopic, score: float) -> SearchHit:
    return SearchHit(topic.id, topic.slug, topic.title, topic.category, round(score, 4))


def _rank(
    candidates: list[FtsMatch],
    name_matches: dict[int, int],
    exact: set[int],
    names: NameIndex,
    limit: int,
    content_words: int,
) -> list[SearchHit]:
    best = max((c.relevance for c in candidates), default=0.0) or 1.0
    scores: dict[int, float] = {c.topic_id: c.relevance / best for c in candidates}
    for topic_id, length in name_matches.items():
        coverage = min(1.0, length / content_words)
        bonus = NAME_BONUS_PER_WORD * min(length, NAME_BONUS_MAX_WORDS) * coverage
        scores[topic_id] = scores.get(topic_id, 0.0) + bonus + (EXACT_NAME_BONUS if topic_id in exact else 0.0)
    ranked = []
    for topic_id, score in scores.items():
        topic = names.topic(topic_id)
        if topic is not None:  # None only for a topic published since the names were read
            ranked.append((-score, topic.title, topic))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [_hit(topic, -negative) for negative, _, topic in ranked[:limit]]
