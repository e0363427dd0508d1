"""Which knowledge-base topics fit a project: prints ONE JSON line.

    .venv/bin/python benchmarks/project_topics.py

Runs the one function that gives a project's topics (`KnowledgeService.project_topics`, used by the
project's thread, `/project show`, `/pair find` and the pair's thread) on real project READMEs
written by learners outside this project (tests/relevance/project_topics.toml: stack and
description verbatim, each with its public source, the fitting topics labelled before the
function ran), and reports micro-averaged precision and recall of the five topics it suggests, on
the development half and on the held-out half. The baseline, in the same run, is what the thread
suggested before: a full-text search over the stack and description, its top five.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import Database  # noqa: E402
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository  # noqa: E402
from bot.knowledge.service import KnowledgeService  # noqa: E402

CASES = ROOT / "tests" / "relevance" / "project_topics.toml"
SHOWN = 5  # topics a project's thread and `/project show` show
TARGETS = {"precision_min": 0.9, "recall_min": 0.8}

Suggest = Callable[[dict], Awaitable[list[str]]]


def load_cases() -> list[dict]:
    with CASES.open("rb") as file:
        return tomllib.load(file)["project"]


async def scores(cases: list[dict], suggest: Suggest) -> dict[str, float]:
    """Micro precision (suggested topics that fit) and recall (fitting topics suggested, counting at
    most five per project, as many as are shown)."""
    right = suggested = fitting = 0
    for case in cases:
        got = set(await suggest(case))
        wanted = set(case["topics"])
        right += len(got & wanted)
        suggested += len(got)
        fitting += min(len(wanted), SHOWN)
    return {"precision": round(right / suggested, 3) if suggested else 1.0,
            "recall": round(right / fitting, 3) if fitting else 1.0, "projects": len(cases)}


async def main() -> None:
    cases = load_cases()
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "nexus.db")
        knowledge = KnowledgeService(SqliteKnowledgeRepository(db), ROOT / "data" / "knowledge")
        await knowledge.sync()
        await knowledge.prepare()

        async def one_function(case: dict) -> list[str]:
            return [h.slug for h in await knowledge.project_topics(case["stack"], case["description"], None, SHOWN)]

        async def full_text_baseline(case: dict) -> list[str]:
            query = f"{case['stack']} {case['description']}"
            return [h.slug for h in await knowledge.search(query, None, SHOWN, remember=False)]

        result: dict[str, object] = {"benchmark": "project-topics"}
        for half in ("dev", "held-out"):
            chosen = [c for c in cases if c["half"] == half]
            result[half] = await scores(chosen, one_function)
            result[f"{half}_baseline"] = await scores(chosen, full_text_baseline)
        await knowledge.close()
        await db.close()
    held_out = result["held-out"]
    assert isinstance(held_out, dict)
    result["targets"] = TARGETS
    result["targets_met"] = held_out["precision"] >= TARGETS["precision_min"] and \
        held_out["recall"] >= TARGETS["recall_min"]
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
