"""Relevance: realistic learner questions searched against the shipped topics, as `/topic query`
answers them (confident topics only).

- tests/relevance/cases_*.toml: on-topic questions, each with its one clearly best topic;
- tests/relevance/held_out.toml: more of them, written after search was tuned on the cases, to see
  how it does on questions it was not fitted to;
- tests/relevance/off_topic.toml: questions no topic covers (other stacks, other fields, everyday
  life), which should get no topic at all.

Targets: top-1 ≥ 90 % and top-3 ≥ 98 % over the on-topic questions (cases and held-out together),
and ≥ 80 % of the off-topic questions answered with no topic. The figures are printed per set."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository
from bot.knowledge.search import CONFIDENT
from bot.knowledge.service import KnowledgeService

from ._support import REPO, SHIPPED_KNOWLEDGE

CASES_DIR = REPO / "tests" / "relevance"
MIN_CASES = 80
MIN_OFF_TOPIC = 40
TOP1_TARGET = 0.90
TOP3_TARGET = 0.98
OFF_TOPIC_TARGET = 0.80


def load_cases(paths: list[Path]) -> list[tuple[str, str, str]]:
    cases = []
    for path in paths:
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            cases.append((path.name, case["q"], case["slug"]))
    return cases


def load_off_topic() -> list[str]:
    text = (CASES_DIR / "off_topic.toml").read_text(encoding="utf-8")
    return [question["q"] for question in tomllib.loads(text)["question"]]


@pytest.fixture
async def shipped(tmp_path: Path) -> AsyncIterator[KnowledgeService]:
    db = await Database.open(tmp_path / "kb.db")
    try:
        service = KnowledgeService(SqliteKnowledgeRepository(db), SHIPPED_KNOWLEDGE)
        report = await service.sync()
        assert report.errors == []
        yield service
    finally:
        await db.close()


async def _accuracy(service: KnowledgeService, cases: list[tuple[str, str, str]]) -> tuple[int, int, list[str]]:
    known = {t.slug for t in await service.list_topics()}
    assert {slug for _, _, slug in cases} <= known, "a case names a topic that does not exist"
    top1 = top3 = 0
    misses = []
    for file, question, slug in cases:
        found = [hit.slug for hit in await service.search(question, limit=3)]
        top1 += found[:1] == [slug]
        top3 += slug in found
        if found[:1] != [slug]:
            misses.append(f"  {file}: {question!r}: expected {slug}, got {found or 'no topic'}")
    return top1, top3, misses


async def test_learner_questions_find_their_topic_and_off_topic_ones_find_none(
    shipped: KnowledgeService, capsys: pytest.CaptureFixture[str]
) -> None:
    tuned = load_cases(sorted(CASES_DIR.glob("cases_*.toml")))
    held_out = load_cases([CASES_DIR / "held_out.toml"])
    off_topic = load_off_topic()
    assert len(tuned) + len(held_out) >= MIN_CASES, "too few relevance cases"
    assert len(off_topic) >= MIN_OFF_TOPIC, "too few off-topic questions"

    lines, misses = [], []
    totals = [0, 0]
    for name, cases in (("on-topic", tuned), ("held-out", held_out)):
        top1, top3, missed = await _accuracy(shipped, cases)
        totals[0] += top1
        totals[1] += top3
        misses += missed
        lines.append(f"{name} {len(cases)}: top-1 {top1 / len(cases):.3f}, top-3 {top3 / len(cases):.3f}")
    answered = []
    for question in off_topic:
        hits = await shipped.search(question, limit=1)
        if hits:
            answered.append(f"  off_topic.toml: {question!r}: got {hits[0].slug} ({hits[0].confidence:.2f})")
    unanswered = 1 - len(answered) / len(off_topic)
    lines.append(f"off-topic {len(off_topic)}: no topic {unanswered:.3f}")
    n = len(tuned) + len(held_out)
    with capsys.disabled():
        print("\nrelevance: " + "; ".join(lines))
        print("\n".join(misses + answered))
    assert totals[0] / n >= TOP1_TARGET
    assert totals[1] / n >= TOP3_TARGET
    assert unanswered >= OFF_TOPIC_TARGET


async def test_the_issues_misspellings_are_corrected_to_words_spelt_right(shipped: KnowledgeService) -> None:
    # The shipped topics carry misspelt aliases ("celary", "djnago") for matching only.
    assert await shipped.suggest_spelling("celry") == "celery"
    assert [hit.slug for hit in await shipped.search("celry", limit=1)] == ["celery"]
    assert await shipped.suggest_spelling("djnago rest framwork") == "django rest framework"
    found = await shipped.search("djnago rest framwork", limit=1)
    assert found and found[0].title.startswith("DRF ")


@pytest.mark.parametrize("question", ["stripe payments integration", "photoshop remove background",
                                      "react useEffect runs twice", "how do i file my taxes as a freelancer"])
async def test_off_topic_questions_get_no_topic_but_the_closest(shipped: KnowledgeService, question: str) -> None:
    # Before: "stripe payments integration" opened SOLID principles, "photoshop remove background"
    # Celery ("background" tasks), "react useEffect runs twice" message queues ("runs twice").
    assert await shipped.search(question) == []
    assert all(hit.confidence < CONFIDENT for hit in await shipped.closest(question))
