"""Relevance: realistic learner questions (tests/relevance/*.toml, written as learners write them)
searched against the shipped topics; top-1 and top-3 accuracy must hold."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.db import Database
from bot.knowledge.service import KnowledgeService

from ._support import REPO, SHIPPED_KNOWLEDGE

CASES_DIR = REPO / "tests" / "relevance"
MIN_CASES = 80
TOP1_TARGET = 0.90
TOP3_TARGET = 0.98


def load_cases() -> list[tuple[str, str, str]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8")).get("case", []):
            cases.append((path.name, case["q"], case["slug"]))
    return cases


async def test_learner_questions_find_their_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = load_cases()
    assert len(cases) >= MIN_CASES, f"only {len(cases)} relevance cases"
    db = await Database.open(tmp_path / "kb.db")
    try:
        service = KnowledgeService(db, SHIPPED_KNOWLEDGE)
        report = await service.sync()
        assert report.errors == []
        known = {t.slug for t in await service.list_topics()}
        assert {slug for _, _, slug in cases} <= known, "a case names a topic that does not exist"
        top1 = top3 = 0
        misses = []
        for file, question, slug in cases:
            found = [hit.slug for hit in await service.search(question, limit=3)]
            top1 += found[:1] == [slug]
            top3 += slug in found
            if found[:1] != [slug]:
                misses.append(f"  {file}: {question!r}: expected {slug}, got {found}")
    finally:
        await db.close()
    n = len(cases)
    with capsys.disabled():
        print(f"\nrelevance: {n} cases, top-1 {top1 / n:.3f}, top-3 {top3 / n:.3f}")
        print("\n".join(misses))
    assert top1 / n >= TOP1_TARGET
    assert top3 / n >= TOP3_TARGET
