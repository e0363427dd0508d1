"""What search keeps in memory: each term's bm25 shares, read when the topics are loaded. A question
is ranked from them exactly as the full-text index ranks it, and a change to the topics is searched
by its new text at once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.db import Database
from bot.db.knowledge import FtsMatch, KnowledgeRepository, MatchTerm
from bot.knowledge._confidence import Confidence
from bot.knowledge._relevance import TermRelevance
from bot.knowledge._stemmer import porter_stem
from bot.knowledge._text import query_terms
from bot.knowledge.service import KnowledgeService

from ._support import SHIPPED_KNOWLEDGE
from .conftest import WriteTopic
from .test_relevance import CASES_DIR, load_cases, load_off_topic

CANDIDATES = 30


def questions() -> list[str]:
    on_topic = [path for path in sorted(CASES_DIR.glob("*.toml")) if path.name != "off_topic.toml"]
    return [q for _, q, _ in load_cases(on_topic)] + load_off_topic()


@pytest.fixture
async def shipped_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "kb.db")
    try:
        report = await KnowledgeService(db, SHIPPED_KNOWLEDGE).sync()
        assert report.errors == []
        yield db
    finally:
        await db.close()


async def test_ranking_from_memory_is_the_index_ranking_bit_for_bit(shipped_db: Database) -> None:
    repository = KnowledgeRepository(shipped_db)
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
    write_topic("celery", title="Celery", summary="Background jobs with a zebrafish broker.")
    write_topic("redis-caching", title="Redis caching", summary="Keep hot rows in memory.")
    await service.sync()
    assert [hit.slug for hit in await service.search("zebrafish broker")] == ["celery"]
    write_topic("celery", title="Celery", summary="Background jobs with a message broker.")
    write_topic("redis-caching", title="Redis caching", summary="Keep hot rows in a zebrafish store.")
    await service.sync()
    assert [hit.slug for hit in await service.search("zebrafish")] == ["redis-caching"]


class _CountingRepository(KnowledgeRepository):
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
