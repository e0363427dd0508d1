"""A pairing round over generated cohorts of 200×200, 1,000×1,000 and 2,000×2,000 learners: the
time of the whole round computation (every pair's score, the optimal assignment, the reasons of
the pairs chosen) and its total fit against the greedy baseline on the same scores, in the same
process. Then `/pair find`'s core with 2,000 learners waiting: the time to prepare the side of
2,000 (once per week and change of the queue) and the median time of `best_for` (the five best
with their reasons) for each of 1,000 learners of the other side. Learners get a track,
knowledge-base topics leaning towards their track, a few weekly availability ranges in time zones
around the world, and some previous partners. Last, the `/pair find` command itself, end to end:
the real bot in its own process against the local stand-in, 2,000 learners waiting in the server
(profiles, projects, the queue, written to SQLite before it starts), `/pair find` by a learner of the
other side against the bare reply (`/help`) measured beside it, turn by turn (as
`benchmarks/latency.py` does for `/project list`). Prints one JSON line.

    .venv/bin/python benchmarks/pairing.py [--sizes 200 1000 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
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

import latency  # noqa: E402  (this folder: the bot process and the interleaved measurement)

from bot.pairing.fit_matrix import fit_matrix  # noqa: E402
from bot.pairing.model import Learner, WeeklyRange  # noqa: E402
from bot.pairing.pool import PreparedSide  # noqa: E402
from bot.pairing.rounds import greedy_round, optimal_round  # noqa: E402
from bot.projects.model import Discipline  # noqa: E402

WEEK = date(2026, 12, 14)  # week two of the cohort, when pairing starts
TARGETS = {"round_s_max_2000": 2.0, "total_fit_vs_greedy_min_pct": 100.0, "find_ms_p50_max_2000": 0.2,
           "pair_find_p50_vs_bare_reply_max": 1.5}
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


# Real topic names for the generated projects' stacks, so the bot's own matcher finds topics in them.
STACK_WORDS = ["Django", "PostgreSQL", "Redis", "Celery", "Docker", "JWT", "GraphQL", "RabbitMQ", "Docker Compose",
               "GitHub Actions", "Django Channels", "MySQL", "OpenAPI", "Graphene-Django", "REST API design"]
REAL_TRACKS = ["e-commerce-catalog", "job-board", "movie-recommendation", "social-media-feed", "online-poll"]


async def store_waiting_learners(standin: object, db_path: Path,
                                 learners: list[tuple[int, Discipline, Learner]]) -> None:
    """Generated learners as members of the stand-in's server who wait to be paired: a profile
    (discipline, time zone, availability), a project looking for a partner, a queue entry."""
    from datetime import UTC, datetime

    from bot.db import Database
    from bot.db.sqlite.pairing import SqlitePairingRepository
    from bot.db.sqlite.projects import SqliteProjectRepository
    from bot.pairing.availability_text import format_availability
    from bot.pairing.records import Profile
    from bot.projects.model import ProjectDraft

    guild_id = standin.guild.id  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    rng = random.Random(7)
    db = await Database.open(db_path)
    try:
        pairing, projects = SqlitePairingRepository(db), SqliteProjectRepository(db)
        drafts = []
        for number, (member, discipline, learner) in enumerate(learners):
            skills = "React, TypeScript" if discipline == "frontend" else "Python, Django"
            await pairing.save_profile(Profile(guild_id, member, discipline, learner.timezone, skills,
                                               format_availability(learner.availability), now))
            await pairing.join_queue(guild_id, member, "project", now)
            drafts.append((guild_id, member, ProjectDraft(
                track=rng.choice(REAL_TRACKS), discipline=discipline, looking_for_partner=True,
                title=f"Project {number}", description="An app with a REST API and a single-page front.",
                stack=", ".join(rng.sample(STACK_WORDS, 3)))))
        await projects.add_many(drafts, now)
    finally:
        await db.close()


async def measure_find_command(n: int) -> dict[str, object]:
    import tempfile

    from sandbox.standin import StandIn
    from sandbox.standin.demo import DemoMember

    backends, frontends = cohort(FIND_CANDIDATES, seed=FIND_CANDIDATES)
    # Backend learners who announced a project and wait, each running `/pair find` once: every one
    # of their finds is computed, none answered from what an earlier find of theirs left in memory.
    newcomers = [(2 * 10**15 + number, f"newcomer-{number}") for number in range(n + latency.WARMUP)]
    waiting: list[tuple[int, Discipline, Learner]] = [(10**15 + number, "frontend", learner)
                                                      for number, learner in enumerate(frontends)]
    waiting += [(member, "backend", backends[number % len(backends)])
                for number, (member, _) in enumerate(newcomers)]
    with tempfile.TemporaryDirectory(prefix="nexus-bench-") as tmp:
        db_path = Path(tmp) / "nexus.db"
        async with StandIn() as standin:
            await store_waiting_learners(standin, db_path, waiting)
            backend_role = next(role.id for role in standin.guild.roles if role.name == "Backend")
            standin.guild.members += [DemoMember(member, name, [backend_role]) for member, name in newcomers]
            process = await latency.start_process(standin, ["-m", "bot", "run"], db_path)
            try:
                await standin.invoke("mentor", "nexus setup", {"channel": "prodevprojectnexus",
                                                               "backend_role": "Backend", "frontend_role": "Frontend"},
                                     timeout=10)
                await standin.invoke("ada", "pair profile", {"timezone": "Africa/Lagos",
                                                             "availability": "Mon-Fri 18-21, Sat 10-14"}, timeout=10)
                found = await standin.invoke("ada", "pair find", timeout=30)  # the first one prepares the side
                if found.message is None or len(found.message.embeds[0].get("fields", [])) != 5:
                    raise SystemExit("/pair find did not answer with five partners")
                beside_ms, find_ms = await latency.measure_interleaved([
                    lambda: standin.invoke("chioma", "help", timeout=10),
                    lambda: standin.invoke("ada", "pair find", timeout=10),
                ], n)
                first_finds = iter(name for _, name in newcomers)
                beside_first_ms, first_ms = await latency.measure_interleaved([
                    lambda: standin.invoke("chioma", "help", timeout=10),
                    lambda: standin.invoke(next(first_finds), "pair find", timeout=10),
                ], n)
            finally:
                process.terminate()
                await asyncio.wait_for(process.wait(), timeout=20)
    beside, find = latency.percentiles(beside_ms), latency.percentiles(find_ms)
    beside_first, first = latency.percentiles(beside_first_ms), latency.percentiles(first_ms)
    return {"waiting": len(waiting), "frontend_candidates": len(frontends), "interactions": n,
            # A learner's first find (computed: every candidate scored, the best five with reasons).
            "bare_reply_beside_first_ms": beside_first, "pair_find_first_ms": first,
            "ratio_pair_find_first_p50_vs_bare_reply": round(first["p50"] / beside_first["p50"], 2),
            # The same learner again, nothing changed meanwhile (their five best are remembered).
            "bare_reply_beside_ms": beside, "pair_find_again_ms": find,
            "ratio_pair_find_again_p50_vs_bare_reply": round(find["p50"] / beside["p50"], 2)}


def main(sizes: list[int], repeats: int, n: int) -> dict[str, object]:
    results = {f"{size}x{size}": measure(size, repeats) for size in sizes}
    find = measure_find()
    command = asyncio.run(measure_find_command(n))
    largest = results.get("2000x2000")
    targets_met = {
        "round_2000": largest is not None and largest["round_s"] <= TARGETS["round_s_max_2000"],
        "total_fit_vs_greedy": all(r["total_fit_vs_greedy_pct"] >= TARGETS["total_fit_vs_greedy_min_pct"]
                                   for r in results.values()),
        "find_2000": find["find_ms_p50"] <= TARGETS["find_ms_p50_max_2000"],
        "pair_find_command_2000": command["ratio_pair_find_first_p50_vs_bare_reply"]  # type: ignore[operator]
        <= TARGETS["pair_find_p50_vs_bare_reply_max"],
    }
    return {"repeats": repeats, "sizes": results, "find": find, "find_command": command, "targets": TARGETS,
            "targets_met": targets_met}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=300, help="/pair find interactions measured (default 300)")
    options = parser.parse_args()
    print(json.dumps({"benchmark": "pairing", **main(options.sizes, options.repeats, options.n)}))
