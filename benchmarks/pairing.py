"""A pairing round over generated cohorts of 200×200, 1,000×1,000 and 2,000×2,000 learners: the
time of the whole round computation (every pair's score, the optimal assignment, the reasons of
the pairs chosen) and its total fit against the greedy baseline on the same scores, in the same
process. Then `/pair find`'s core with 2,000 learners waiting: the time to prepare the side of
2,000 (once per week and change of the queue) and the median time of `best_for` (the five best
with their reasons) for each of 1,000 learners of the other side. Learners get a track,
knowledge-base topics leaning towards their track, a few weekly availability ranges in time zones
around the world, and some previous partners. Prints one JSON line.

    .venv/bin/python benchmarks/pairing.py [--sizes 200 1000 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.pairing.fit_matrix import fit_matrix  # noqa: E402
from bot.pairing.model import Learner, WeeklyRange  # noqa: E402
from bot.pairing.pool import PreparedSide  # noqa: E402
from bot.pairing.rounds import greedy_round, optimal_round  # noqa: E402

WEEK = date(2026, 12, 14)  # week two of the cohort, when pairing starts
TARGETS = {"round_s_max_2000": 2.0, "total_fit_vs_greedy_min_pct": 100.0, "find_ms_p50_max_2000": 0.2}
FIND_CANDIDATES = 2000
FIND_LEARNERS = 1000
TRACKS = ["e-commerce-catalog", "job-board", "movie-recommendation", "social-media-feed"]
ZONES = ["Africa/Lagos", "Africa/Nairobi", "Africa/Cairo", "Africa/Johannesburg", "Europe/London", "Europe/Berlin",
         "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata",
         "Asia/Dubai", "Asia/Manila", "Asia/Kathmandu", "Australia/Sydney"]
COMMON_TOPICS = range(0, 20)  # e.g. Git, REST, JWT, PostgreSQL, Docker
TRACK_TOPICS = 10  # each track leans on ten topics of its own


def generated_learner(rng: random.Random, member_id: int, other_side: range) -> Learner:
    track_index = rng.randrange(len(TRACKS))
    track = None if rng.random() < 0.1 else TRACKS[track_index]
    own = range(20 + TRACK_TOPICS * track_index, 20 + TRACK_TOPICS * (track_index + 1))
    topics = rng.sample(COMMON_TOPICS, rng.randint(1, 4)) + rng.sample(own, rng.randint(0, 4))
    ranges = []
    for _ in range(rng.randint(1, 5)):
        start = rng.randrange(6 * 4, 22 * 4)  # quarter hours from 06:00 to 21:45 local
        length = rng.randint(4, 16)  # one to four hours
        end = (start + length) % 96
        ranges.append(WeeklyRange(rng.randrange(7), clock_time(start // 4, start % 4 * 15),
                                  clock_time(end // 4, end % 4 * 15)))
    partners = frozenset(rng.sample(other_side, rng.choice([0, 0, 0, 1, 2])))
    return Learner(member_id, rng.choice(ZONES), tuple(ranges), track, track,
                   {topic: f"Topic {topic}" for topic in topics}, rng.random() < 0.9, partners)


def cohort(size: int, seed: int) -> tuple[list[Learner], list[Learner]]:
    rng = random.Random(seed)
    backend_ids, frontend_ids = range(1, size + 1), range(100_001, 100_001 + size)
    return ([generated_learner(rng, member, frontend_ids) for member in backend_ids],
            [generated_learner(rng, member, backend_ids) for member in frontend_ids])


def measure(size: int, repeats: int) -> dict[str, float | int]:
    backends, frontends = cohort(size, seed=size)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        plan = optimal_round(backends, frontends, week=WEEK)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    scores = fit_matrix(backends, frontends, week=WEEK)
    scoring_s = time.perf_counter() - started
    started = time.perf_counter()
    greedy = greedy_round(backends, frontends, week=WEEK, scores=scores)
    greedy_s = time.perf_counter() - started + scoring_s
    return {
        "round_s": round(statistics.median(timings), 3),
        "scoring_s": round(scoring_s, 3),
        "greedy_round_s": round(greedy_s, 3),
        "pairs": len(plan.pairs),
        "unmatched": len(plan.unmatched),
        "total_fit": plan.total_fit,
        "greedy_pairs": len(greedy.pairs),
        "greedy_total_fit": greedy.total_fit,
        "total_fit_vs_greedy_pct": round(100 * plan.total_fit / greedy.total_fit, 2) if greedy.total_fit else 100.0,
        "mean_fit": round(plan.total_fit / len(plan.pairs), 3) if plan.pairs else 0.0,
    }


def measure_find() -> dict[str, float | int]:
    """`PreparedSide.best_for` for one learner at a time against 2,000 prepared candidates."""
    backends, frontends = cohort(FIND_CANDIDATES, seed=FIND_CANDIDATES)
    started = time.perf_counter()
    side = PreparedSide(frontends, week=WEEK)
    prepare_s = time.perf_counter() - started
    side.best_for(backends[0], learner_is_backend=True)  # first call builds the running slot totals
    finds, scorings = [], []
    for learner in backends[:FIND_LEARNERS]:
        started = time.perf_counter()
        side.best_for(learner, learner_is_backend=True)
        finds.append(time.perf_counter() - started)
        started = time.perf_counter()
        side.scores_for(learner, learner_is_backend=True)
        scorings.append(time.perf_counter() - started)
    finds.sort()
    return {
        "candidates": FIND_CANDIDATES,
        "learners": len(finds),
        "prepare_2000_s": round(prepare_s, 3),
        "find_ms_p50": round(1000 * statistics.median(finds), 3),
        "find_ms_p99": round(1000 * finds[int(0.99 * (len(finds) - 1))], 3),
        "scores_ms_p50": round(1000 * statistics.median(scorings), 3),
    }


def main(sizes: list[int], repeats: int) -> dict[str, object]:
    results = {f"{size}x{size}": measure(size, repeats) for size in sizes}
    find = measure_find()
    largest = results.get("2000x2000")
    targets_met = {
        "round_2000": largest is not None and largest["round_s"] <= TARGETS["round_s_max_2000"],
        "total_fit_vs_greedy": all(r["total_fit_vs_greedy_pct"] >= TARGETS["total_fit_vs_greedy_min_pct"]
                                   for r in results.values()),
        "find_2000": find["find_ms_p50"] <= TARGETS["find_ms_p50_max_2000"],
    }
    return {"repeats": repeats, "sizes": results, "find": find, "targets": TARGETS, "targets_met": targets_met}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps({"benchmark": "pairing", **main(options.sizes, options.repeats)}))
