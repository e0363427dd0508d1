"""What search keeps in memory: each term's bm25 shares, read when the topics are loaded. A question
is ranked from them exactly as the full-text index ranks it, and a change to the topics is searched
by its new text at once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from bot.db import Database
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository
from bot.knowledge._confidence import AskedTerm, Confidence
from bot.knowledge._relevance import TermRelevance
from bot.knowledge._stemmer import porter_stem
from bot.knowledge._text import query_terms
from bot.knowledge.repository import FtsMatch, MatchTerm
from bot.knowledge.service import KnowledgeService

from ._support import SHIPPED_KNOWLEDGE
from .conftest import WriteTopic
from .test_relevance import CASES_DIR, load_cases, load_off_topic

CANDIDATES = 30


def questions() -> list[str]:
    # The team's own sets (the real-question and project sets beside them have their own formats).
    on_topic = [*sorted(CASES_DIR.glob("cases_*.toml")), CASES_DIR / "held_out.toml"]
    return [q for _, q, _ in load_cases(on_topic)] + load_off_topic()


@pytest.fixture
async def shipped_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "kb.db")
    try:
        report = await KnowledgeService(SqliteKnowledgeRepository(db), SHIPPED_KNOWLEDGE).sync()
        assert report.errors == []
        yield db
    finally:
        await db.close()


async def test_ranking_from_memory_is_the_index_ranking_bit_for_bit(shipped_db: Database) -> None:
    repository = SqliteKnowledgeRepository(shipped_db)
    relevance = TermRelevance(repository)
    await relevance.read_vocabulary((await repository.term_counts()).doc_freq)
    compared = 0
    for question in questions():
        terms = [MatchTerm(term) for term in query_terms(question)]
        from_index = await repository.search(terms, None, CANDIDATES)
        from_memory = await relevance.ranked(terms, lambda _: True, CANDIDATES)
        # The very same floats in the same order; the same topics, but for a tie at the cut (FTS5
        # leaves ties unordered, memory orders them by topic id).
        assert [m.relevance for m in from_memory] == [m.relevance for m in from_index]
        cut = from_index[-1].relevance if from_index else 0.0
        assert {(m.topic_id, m.relevance) for m in from_memory if m.relevance != cut} == {
            (m.topic_id, m.relevance) for m in from_index if m.relevance != cut}
        compared += len(from_index)
    assert compared > 1000


async def test_a_changed_topic_is_searched_by_its_new_text(write_topic: WriteTopic, service: KnowledgeService) -> None:
    write_topic("celery", title="Celery and its zebrafish broker", summary="Background jobs with a zebrafish broker.")
    write_topic("redis-caching", title="Redis caching", summary="Keep hot rows in memory.")
    await service.sync()
    assert [hit.slug for hit in await service.search("zebrafish broker")] == ["celery"]
    write_topic("celery", title="Celery", summary="Background jobs with a message broker.")
    write_topic("redis-caching", title="Redis caching in a zebrafish store",
                summary="Keep hot rows in a zebrafish store.")
    await service.sync()
    assert [hit.slug for hit in await service.search("zebrafish")] == ["redis-caching"]


class _CountingRepository(SqliteKnowledgeRepository):
    asked_terms = 0

    async def term_relevance(self, terms: Sequence[MatchTerm]) -> dict[MatchTerm, list[FtsMatch]]:
        self.asked_terms += len(terms)
        return await super().term_relevance(terms)


async def test_words_and_phrases_typed_as_code_are_ranked_from_memory(shipped_db: Database) -> None:
    """"agree" is indexed as "agre", which the index would stem again if asked for it: it is read,
    with every such word, by a word of the topics ("agree"). Phrases the topics write as code
    (`select_related`) are read too, and a phrase no topic holds needs no reading. So questions
    hardly ever wait for the index, and are still ranked exactly as the index ranks them."""
    repository = _CountingRepository(shipped_db)
    counts = await repository.term_counts()
    confidence = Confidence(repository)
    await confidence.read_topics([row.id for row in await repository.name_rows()])
    relevance = TermRelevance(repository)
    await relevance.read_vocabulary(counts.doc_freq, confidence.spellings(), confidence.phrases())
    read_at_start = repository.asked_terms
    stems_not_words = phrases = 0
    for question in questions():
        terms = [MatchTerm(term) for term in query_terms(question)
                 if len(term) > 1 or porter_stem(term[0]) in counts.doc_freq]
        from_index = await repository.search(terms, None, CANDIDATES)
        from_memory = await relevance.ranked(terms, lambda _: True, CANDIDATES, held_nowhere=confidence.held_nowhere)
        assert [m.relevance for m in from_memory] == [m.relevance for m in from_index]
        for term in terms:
            stem = porter_stem(term.words[0])
            stems_not_words += len(term.words) == 1 and porter_stem(stem) != stem
            phrases += len(term.words) > 1
    assert stems_not_words > 20 and phrases > 50
    assert repository.asked_terms - read_at_start < phrases / 10


async def test_words_planned_from_memory_are_planned_as_afresh(
    shipped_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words and code phrases of the topics are planned once, at start: every question's plan
    is the very plan worked out word by word, corrections and all."""
    from bot.knowledge import _plan
    from bot.knowledge.search import KnowledgeSearch

    search = KnowledgeSearch(SqliteKnowledgeRepository(shipped_db))
    indexes = await search._loaded()
    assert len(indexes.known_terms) > 1000
    remembered = [_plan.plan_query(question, indexes) for question in questions()]
    monkeypatch.setattr(_plan, "KNOWN_TERMS_KEPT", 0)  # nothing is looked up: all worked out
    afresh = [_plan.plan_query(question, replace(indexes, known_terms={})) for question in questions()]
    fields = ("terms", "too_common", "corrections", "words", "asked")
    assert [[getattr(plan, f) for f in fields] for plan in remembered] == [
        [getattr(plan, f) for f in fields] for plan in afresh]
    assert sum(bool(plan.corrections) for plan in afresh) > 10  # typos were among them


async def test_confidence_is_weighed_in_order_until_enough_topics_are_confident(shipped_db: Database) -> None:
    repository = SqliteKnowledgeRepository(shipped_db)
    ids = [row.id for row in await repository.name_rows()]
    confidence = Confidence(repository)
    await confidence.read_topics(ids)
    documents = (await repository.term_counts()).documents
    asked = [AskedTerm(3, (MatchTerm(("celery",)),), False), AskedTerm(1, (MatchTerm(("beat",)),), False)]
    every = await confidence.of(asked, ids, documents)
    assert len(every) == len(ids) and 0 < sum(share >= 0.5 for share in every.values()) < len(ids)
    assert await confidence.of(asked, ids, documents, enough=0, at_least=0.5) == every
    first_two = [topic_id for topic_id in ids if every[topic_id] >= 0.5][:2]
    weighed = await confidence.of(asked, ids, documents, enough=2, at_least=0.5)
    assert list(weighed) == ids[:ids.index(first_two[-1]) + 1]  # up to the second confident one
    assert weighed == {topic_id: every[topic_id] for topic_id in weighed}


async def test_a_question_asks_for_one_topic_as_for_three(shipped_db: Database) -> None:
    # One topic wanted: confidence is weighed only until a topic is confident; the topic is the
    # first of the three a longer answer would give.
    service = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    for question in questions():
        assert await service.search(question, limit=1) == (await service.search(question, limit=3))[:1]


async def test_a_popular_question_asked_again_is_answered_without_planning_it_again(
    shipped_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/topic query` searches a question, then asks for its "did you mean": asked again after many
    other questions (far more than the plans kept), both come from memory, the same as before."""
    from bot.knowledge import search as search_module

    planned: list[str] = []
    plan_query = search_module.plan_query

    def counted(query: str, indexes: object) -> object:
        planned.append(query)
        return plan_query(query, indexes)  # type: ignore[arg-type]

    monkeypatch.setattr(search_module, "plan_query", counted)
    service = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    popular, typo = "my celery task runs twice", "celary beat schedule"
    asked = [popular, typo, *questions()]
    assert len(asked) > 2 * search_module.REMEMBERED_PLANS
    first = [(await service.search(q, limit=1), await service.corrected_query(q)) for q in asked]
    assert first[1][1] == "celery beat schedule" and first[0][1] is None
    planned.clear()
    assert [(await service.search(q, limit=1), await service.corrected_query(q)) for q in asked] == first
    assert planned == []


async def test_past_the_memory_budget_the_costly_words_are_read_at_load_and_searched_afresh_from_memory(
    shipped_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the vocabulary does not fit in memory (10,000 topics), the words held by many topics
    (COSTLY_TERM_DOCS) are read when the topics are loaded all the same: a question of them never
    waits for the index, not even searched afresh (`remember=False`), and ranks as the index does."""
    from bot.knowledge import _relevance

    monkeypatch.setattr(_relevance, "POSTINGS_KEPT", 100)
    monkeypatch.setattr(_relevance, "COSTLY_TERM_DOCS", 4)
    repository = _CountingRepository(shipped_db)
    counts = await repository.term_counts()
    relevance = TermRelevance(repository)
    await relevance.read_vocabulary(counts.doc_freq)
    costly = {stem for stem, docs in counts.doc_freq.items() if docs > 4}
    read_at_start = repository.asked_terms
    assert 0 < read_at_start <= len(costly)
    compared = 0
    for question in questions():
        terms = [MatchTerm(term) for term in query_terms(question)
                 if len(term) == 1 and porter_stem(term[0]) in costly]
        before = repository.asked_terms
        from_memory = await relevance.ranked(terms, lambda _: True, CANDIDATES, remember=False)
        compared += repository.asked_terms == before
        from_index = await repository.search(terms, None, CANDIDATES)
        assert [m.relevance for m in from_memory] == [m.relevance for m in from_index]
    assert compared > len(questions()) * 0.9


async def test_a_search_sharing_what_another_worked_out_answers_as_one_that_worked_it_out(
    tmp_path: Path, shipped_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`share_prepared` (the tests' bots): a search over a second database of the same topic files
    takes what loading them works out from the first, and answers every question, corrections,
    misses and autocomplete included, exactly as a search that worked it all out itself."""
    from bot.knowledge import search as search_module

    monkeypatch.setattr(search_module, "_shared", None)
    alone = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    await alone.prepare()
    search_module.share_prepared()
    first = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    await first.prepare()
    assert search_module._shared is not None and len(search_module._shared) == 1
    other_db = await Database.open(tmp_path / "other.db")
    try:
        shared = KnowledgeService(SqliteKnowledgeRepository(other_db), SHIPPED_KNOWLEDGE)
        await shared.sync()
        counting = _CountingRepository(other_db)
        shared._search = search_module.KnowledgeSearch(counting, shared._search._other_stacks)
        await shared.prepare()
        assert counting.asked_terms == 0  # taken from the first, not read from the index
        assert len(search_module._shared) == 1
        for number, question in enumerate(questions()):
            assert await shared.search(question) == await alone.search(question), question
            if number % 4 == 0:  # the rest of what a lookup asks, on a quarter of them (time)
                assert await shared.miss(question) == await alone.miss(question), question
                assert await shared.corrected_query(question) == await alone.corrected_query(question), question
                assert await shared.autocomplete(question[:12]) == await alone.autocomplete(question[:12]), question
        # What a search keeps as it answers is its own: the first, asked nothing, is as it was.
        assert len(first._search._answers) == 0
    finally:
        await other_db.close()


async def test_searches_over_different_topics_share_nothing(
    write_topic: WriteTopic, service: KnowledgeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.knowledge import search as search_module

    monkeypatch.setattr(search_module, "_shared", None)
    search_module.share_prepared()
    write_topic("celery", title="Celery and its zebrafish broker", summary="Background jobs with a zebrafish broker.")
    await service.sync()
    assert [hit.slug for hit in await service.search("zebrafish broker")] == ["celery"]
    write_topic("celery", title="Celery", summary="Background jobs with a message broker.")
    write_topic("redis-caching", title="Redis caching in a zebrafish store",
                summary="Keep hot rows in a zebrafish store.")
    await service.sync()
    assert [hit.slug for hit in await service.search("zebrafish")] == ["redis-caching"]
    assert len(search_module._shared or {}) == 2


async def test_a_search_for_fewer_topics_is_answered_from_a_wider_one_as_it_would_be_afresh(
    shipped_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/topic query` (one topic) after the autocomplete searched the same text (five): the answer
    comes from the autocomplete's search, with nothing planned or ranked again, and it is what a
    search of one topic finds afresh, for every question of the team's sets (a search's first
    answers are the same whatever its limit)."""
    from bot.knowledge import search as search_module

    asked = questions()
    alone = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    afresh = {q: await alone.search(q, limit=1) for q in asked}
    assert sum(1 for hits in afresh.values() if hits) > len(asked) / 2  # most find a topic: the check means something
    service = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    completed = {q: await service.search(q, limit=search_module.AUTOCOMPLETE_SEARCHED) for q in asked}
    ranked: list[str] = []
    original = search_module.KnowledgeSearch._ranked

    async def counted(self: object, query: str, *args: object, **kwargs: object) -> object:
        ranked.append(query)
        return await original(self, query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search_module.KnowledgeSearch, "_ranked", counted)
    for q in asked:
        assert await service.search(q, limit=1) == afresh[q] == completed[q][:1]
        assert await service.search(q, limit=3) == completed[q][:3]
    assert ranked == []
    new = "celery retry with exponential backoff"  # never searched wider: searched
    found = await service.search(new, limit=1)
    assert ranked == [new]
    assert found == await alone.search(new, limit=1)


async def test_a_first_answer_alone_weighs_fewer_topics_in_meaning_and_is_the_same(
    shipped_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/topic query` asks for one topic: its answer is the first of the full ordering, for every
    question of the team's sets, and topics that could not overtake the best found are not weighed
    in meaning (each is a product of the question's vector with all the topic's names): far fewer
    than when every held topic is."""
    from bot.knowledge import _meaning
    from bot.knowledge import search as search_module

    weighed: list[int] = []
    closeness = _meaning.TopicMeaning.closeness

    def counted(self: _meaning.TopicMeaning, asked: object, length: float = 1.0) -> float:
        weighed.append(1)
        return closeness(self, asked, length)  # type: ignore[arg-type]

    monkeypatch.setattr(_meaning.TopicMeaning, "closeness", counted)
    asked = questions()
    full = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
    firsts = [(await full.search(q, limit=3))[:1] for q in asked]
    assert sum(1 for first in firsts if first) > len(asked) / 2

    async def first_answers(closeness_max: float) -> int:
        monkeypatch.setattr(search_module, "CLOSENESS_MAX", closeness_max)
        weighed.clear()
        alone = KnowledgeService(SqliteKnowledgeRepository(shipped_db), SHIPPED_KNOWLEDGE)
        assert [await alone.search(q, limit=1) for q in asked] == firsts
        return len(weighed)

    closeness_max = search_module.CLOSENESS_MAX
    every_held = await first_answers(1e9)  # no topic is ever out of reach: all are weighed
    assert await first_answers(closeness_max) < 0.5 * every_held  # 253 of 702 when written
