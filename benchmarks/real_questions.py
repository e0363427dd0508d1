"""Search on real learners' questions (tests/relevance/*_on_topic.toml, *_off_topic.toml): ONE JSON line.

    .venv/bin/python benchmarks/real_questions.py [--misses] [--report-held-out]

Halves (`HALVES`), each an on-topic and an off-topic set of real questions kept verbatim with sources:
- `dev`: the dev half of real_*.toml plus all of real_dev2_*.toml; looked at case by case while
  tuning (`--misses` lists its misses on stderr);
- `dev3`: dev3_*.toml, collected in issue 17's third session (half of a collection, the other half
  being blind5_*.toml, sealed): run once before any change to report, then a tuning half like `dev`;
- `dev4`: dev4_*.toml, a second collection of that session (its other half blind6_*.toml, sealed), the
  same way;
- `dev5`: dev5_*.toml, a fifth collection (issue 17's fourth session; its other half
  blind7_*.toml), the same way;
- `dev6`: dev6_*.toml, a sixth collection of the same session (its other half blind8_*.toml),
  added after the round tuned on dev5 and run once then: a blind measure of that round's search;
- `blind5`: blind5_*.toml, dev3's other half, sealed while dev3 and dev4 were tuned on and run for the
  first time to report that round;
- `blind6`: blind6_*.toml, dev4's other half, sealed through that round and the next (tuned on dev5)
  and run for the first time to report the latter;
- `blind7`, `blind8`: dev5's and dev6's other halves, sealed through the rounds tuned on them and run
  for the first time to report the seventh round (issue 17's fifth session);
- `dev7`: dev7_*.toml, a seventh collection (issue 17's sixth session; its other half blind9_*.toml,
  sealed), run once before any change of that session to report, then a tuning half;
- `blind9`: blind9_*.toml, dev7's other half, sealed through the rounds after it was gathered and run
  for the first time to report issue 17's tenth session;
- `held-out`: the held-out half of real_*.toml; never listed, its totals seen twice while tuning;
- `fresh`: fresh_*.toml, collected later and never run while tuning (its totals seen twice since);
- `unseen`: unseen_*.toml, a third blind set collected 2026-12-06 by a helper that never ran the
  search, labelled before any search ran: run only to report, never tuned on (its totals were seen
  for a few settings while the meaning rule was chosen on the other three halves);
- `blind4`: blind4_*.toml, a fourth blind set gathered the same way, sealed until the meaning rule
  was chosen and run for the first time to report it.
For each: on-topic top-1 and top-3 (a hit is a search whose first, or first three, results hold one
of the case's acceptable slugs; "no topic" is a miss) and the share of off-topic questions answered
with no topic. Only the tuning halves (`TUNING`) are printed unless `--report-held-out` asks for the
others (to report, never while tuning). `benchmarks/knowledge.py` reports these figures too, with
their targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import Database  # noqa: E402
from bot.db.sqlite.knowledge import SqliteKnowledgeRepository  # noqa: E402
from bot.knowledge.service import KnowledgeService  # noqa: E402

KNOWLEDGE_DIR = ROOT / "data" / "knowledge"
RELEVANCE_DIR = ROOT / "tests" / "relevance"
HALVES = ("dev", "dev3", "dev4", "dev5", "dev6", "held-out", "fresh", "unseen", "blind4", "blind5", "blind6",
          "blind7", "blind8", "dev7", "blind9")
# Looked at case by case (`--misses`); the others are run only to report.
TUNING = ("dev", "dev3", "dev4", "dev5", "dev6", "dev7")
# (on-topic file, off-topic file, the half of a case without its own `half`).
SETS = (
    ("real_on_topic.toml", "real_off_topic.toml", None),
    ("real_dev2_on_topic.toml", "real_dev2_off_topic.toml", "dev"),
    ("fresh_on_topic.toml", "fresh_off_topic.toml", "fresh"),
    ("unseen_on_topic.toml", "unseen_off_topic.toml", "unseen"),
    ("blind4_on_topic.toml", "blind4_off_topic.toml", "blind4"),
    ("dev3_on_topic.toml", "dev3_off_topic.toml", "dev3"),
    ("dev4_on_topic.toml", "dev4_off_topic.toml", "dev4"),
    ("blind5_on_topic.toml", "blind5_off_topic.toml", "blind5"),
    ("dev5_on_topic.toml", "dev5_off_topic.toml", "dev5"),
    ("blind6_on_topic.toml", "blind6_off_topic.toml", "blind6"),
    ("dev6_on_topic.toml", "dev6_off_topic.toml", "dev6"),
    ("blind7_on_topic.toml", "blind7_off_topic.toml", "blind7"),
    ("blind8_on_topic.toml", "blind8_off_topic.toml", "blind8"),
    ("dev7_on_topic.toml", "dev7_off_topic.toml", "dev7"),
    ("blind9_on_topic.toml", "blind9_off_topic.toml", "blind9"),
)
# Reported on the held-out half (issue 17), with the dev half beside it.
TARGETS = {"top1": 0.90, "top3": 0.97, "off_topic_no_topic": 0.90}


@dataclass
class HalfResult:
    on_topic: int = 0
    top1: int = 0
    top3: int = 0
    off_topic: int = 0
    no_topic: int = 0
    misses: list[str] = field(default_factory=list)  # filled for the tuning halves only

    def figures(self) -> dict[str, float | int]:
        return {
            "on_topic": self.on_topic,
            "top1": round(self.top1 / max(1, self.on_topic), 4),
            "top3": round(self.top3 / max(1, self.on_topic), 4),
            "off_topic": self.off_topic,
            "off_topic_no_topic": round(self.no_topic / max(1, self.off_topic), 4),
        }


def load(name: str) -> list[dict[str, object]]:
    return list(tomllib.loads((RELEVANCE_DIR / name).read_text(encoding="utf-8"))["case"])


def cases(kind: int) -> list[tuple[str, dict[str, object]]]:
    """(half, case) of every set's on-topic (`kind` 0) or off-topic (`kind` 1) file; a set whose
    files are absent is skipped."""
    found = []
    for *files, half in SETS:
        if (RELEVANCE_DIR / files[kind]).exists():
            found += [(half or str(case["half"]), case) for case in load(files[kind])]
    return found


async def measure(
    service: KnowledgeService, *, list_misses: bool = False, halves: tuple[str, ...] = HALVES
) -> dict[str, HalfResult]:
    """The figures of `halves` (cases of other halves are not even searched); with `list_misses`,
    the tuning halves' misses are kept (never the others')."""
    results = {half: HalfResult() for half in halves}
    known = {topic.slug for topic in await service.list_topics()}
    for half, case in cases(0):
        if half not in results:
            continue
        result = results[half]
        acceptable = [slug for slug in case["slugs"] if slug in known]  # type: ignore[attr-defined]
        found = [hit.slug for hit in await service.search(str(case["q"]), limit=3, remember=False)]
        result.on_topic += 1
        result.top1 += bool(found) and found[0] in acceptable
        result.top3 += any(slug in acceptable for slug in found)
        if list_misses and half in TUNING and (not found or found[0] not in acceptable):
            result.misses.append(f"on  {case['q']!r}: want {case['slugs']}, got {found or 'no topic'}")
    for half, case in cases(1):
        if half not in results:
            continue
        result = results[half]
        found = await service.search(str(case["q"]), limit=1, remember=False)
        result.off_topic += 1
        result.no_topic += not found
        if list_misses and half in TUNING and found:
            result.misses.append(f"off {case['q']!r}: got {found[0].slug} ({found[0].confidence:.2f})")
    return results


def targets_met(held_out: HalfResult) -> dict[str, bool]:
    figures = held_out.figures()
    return {key: figures[key] >= target for key, target in TARGETS.items()}


async def shipped_service(work: Path) -> tuple[Database, KnowledgeService]:
    db = await Database.open(work / "real.db")
    service = KnowledgeService(SqliteKnowledgeRepository(db), KNOWLEDGE_DIR)
    report = await service.sync()
    if report.errors:
        raise SystemExit(f"the shipped topics do not sync: {report.errors[:3]}")
    return db, service


async def main(list_misses: bool, halves: tuple[str, ...]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="nexus-real-") as tmp:
        db, service = await shipped_service(Path(tmp))
        try:
            results = await measure(service, list_misses=list_misses, halves=halves)
        finally:
            await db.close()
    for half in TUNING:
        for line in results[half].misses if half in results else ():
            print(f"{half:4} {line}", file=sys.stderr)
    numbers: dict[str, object] = {half: results[half].figures() for half in halves}
    if "held-out" in halves:
        numbers["targets"] = TARGETS
        numbers["targets_met"] = {half: targets_met(results[half]) for half in HALVES if half not in TUNING}
    return numbers


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the tuning halves' misses on stderr")
    parser.add_argument("--report-held-out", action="store_true",
                        help="report the held-out, fresh and unseen halves too (to report figures, never while tuning)")
    parser.add_argument("--dev-only", action="store_true", help="the default; kept for older instructions")
    options = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    chosen = HALVES if options.report_held_out else TUNING
    print(json.dumps({"benchmark": "real_questions", **asyncio.run(main(options.misses, chosen))}))
