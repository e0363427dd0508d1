"""The real learners' question sets (issue 17) are what they say: verbatim questions, each with its
public source, on-topic ones labelled with topics that exist, no question or source in two sets,
and at least the issue's 200 on-topic and 100 off-topic questions. Read only: no search runs here
(the blind sets are run by benchmarks/real_questions.py to report, never while tuning). A sealed set,
when there is one, is checked too."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.real_questions import HALVES, SETS

ROOT = Path(__file__).resolve().parents[2]
RELEVANCE = ROOT / "tests" / "relevance"
TOPICS = {path.stem for path in (ROOT / "data" / "knowledge").glob("*.md")}


def cases(name: str) -> list[dict[str, object]]:
    return list(tomllib.loads((RELEVANCE / name).read_text(encoding="utf-8"))["case"])


# The sets the benchmark reports, and any sealed one it does not run yet (blind4 was unsealed on
# 2026-12-06, to report the meaning rule, and blind5, dev3's other half, to report the round tuned on
# dev3 and dev4, and blind6, dev4's other half, to report the round tuned on dev5; blind7 and blind8,
# dev5's and dev6's other halves, to report the seventh round; blind9, dev7's other half, to report
# the tenth). None is sealed now: a next round needs a new collection.
SEALED: tuple[tuple[str, str, str], ...] = ()
EVERY_SET = (*SETS, *SEALED)


def every_case() -> list[tuple[str, int, dict[str, object]]]:
    return [(name, kind, case) for *files, _half in EVERY_SET for kind, name in enumerate(files)
            for case in cases(name)]


@pytest.mark.parametrize("name", [name for *files, _ in EVERY_SET for name in files])
def test_each_case_is_a_sourced_question_with_its_half_and_existing_topics(name: str) -> None:
    on_topic = name.endswith("_on_topic.toml")
    for case in cases(name):
        assert isinstance(case["q"], str) and 0 < len(case["q"]) <= 300, case
        assert str(case["source"]).startswith(("https://", "http://")), case
        assert case.get("half", "dev") in (*HALVES, *(half for *_, half in SEALED)), case
        if on_topic:
            assert case["slugs"] and set(case["slugs"]) <= TOPICS, case  # type: ignore[operator]
        else:
            assert "slugs" not in case, case


def test_no_question_or_source_is_in_two_sets_and_the_issues_minimums_are_met() -> None:
    found = every_case()
    questions = Counter(" ".join(str(case["q"]).lower().split()) for _, _, case in found)
    sources = Counter(str(case["source"]).rstrip("/") for _, _, case in found)
    assert [q for q, n in questions.items() if n > 1] == []
    assert [s for s, n in sources.items() if n > 1] == []
    on_topic = sum(1 for _, kind, _ in found if kind == 0)
    off_topic = sum(1 for _, kind, _ in found if kind == 1)
    assert on_topic >= 200 and off_topic >= 100
