"""The knowledge search answers alike on both engines: every question of every relevance set
(tests/relevance/*.toml: the tuned cases, the held-out ones, the off-topic ones and the real learners'
questions of every half) gets the same topics, in the same order, with the same confidence, from the
shipped topics synced into SQLite and into PostgreSQL. (Only sameness is checked here: the figures of
each set are the relevance suite's and the benchmarks'.)"""

from __future__ import annotations

import tomllib

import pytest

from bot.db import Database
from bot.db.postgres.database import PostgresDatabase
from bot.knowledge.service import KnowledgeService
from bot.stores import stores_for
from tests.knowledge._support import REPO, SHIPPED_KNOWLEDGE

pytestmark = pytest.mark.asyncio


def every_question() -> list[str]:
    questions = []
    for path in sorted((REPO / "tests" / "relevance").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in (*data.get("case", ()), *data.get("question", ())):
            if "q" in entry:
                questions.append(entry["q"])
    return questions


async def answers(service: KnowledgeService, questions: list[str]) -> list[list[tuple[str, float]]]:
    await service.sync()
    await service.prepare()
    return [[(hit.slug, hit.confidence) for hit in await service.search(q, limit=3, remember=False)]
            for q in questions]


async def test_every_relevance_question_gets_the_same_answer_on_sqlite_and_postgresql(pg_url, tmp_path):
    questions = every_question()
    assert len(questions) > 1000
    sqlite = await Database.open(tmp_path / "kb.db")
    try:
        on_sqlite = await answers(KnowledgeService(stores_for(sqlite).knowledge, SHIPPED_KNOWLEDGE), questions)
    finally:
        await sqlite.close()
    postgres = await PostgresDatabase.open(pg_url)
    try:
        on_postgres = await answers(KnowledgeService(stores_for(postgres).knowledge, SHIPPED_KNOWLEDGE), questions)
    finally:
        await postgres.close()
    differ = [(q, a, b) for q, a, b in zip(questions, on_sqlite, on_postgres, strict=True) if a != b]
    assert differ == [], differ[:5]
    assert sum(bool(a) for a in on_sqlite) > len(questions) / 2  # most questions found topics at all
