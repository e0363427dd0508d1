"""The week-one roundup for 2,000 announced projects: read from a real SQLite file (the `projects`
table), grouped by track, packed into messages within Discord's limits and turned into discord.py
embeds, as the delivery does at day 8, 09:00. Target: under 200 ms (the median of the rounds, and
the slowest). Prints one JSON line.

    .venv/bin/python benchmarks/week_one.py [--projects 2000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import Database  # noqa: E402
from bot.learners.service import LearnerService  # noqa: E402
from bot.stores import stores_for  # noqa: E402
from bot.tracks import load_tracks  # noqa: E402
from bot.week_one import render  # noqa: E402
from bot.week_one.service import announced_projects  # noqa: E402
from cogs.week_one._delivery import to_embed  # noqa: E402

GUILD_ID = 1
TARGETS = {"roundup_ms_max": 200.0}


async def fill(db: Database, projects: int) -> None:
    tracks = [t.key for t in load_tracks(ROOT / "data" / "tracks.toml")]
    chance = random.Random(9)
    for n in range(projects):
        await db.execute(
            "INSERT INTO projects (guild_id, owner_id, title, track, description, discipline, looking_for_partner, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 'what it does', ?, ?, ?, ?)",
            (GUILD_ID, 10**17 + n, f"Project {n} " + "x" * chance.randint(5, 80), chance.choice(tracks),
             chance.choice(("backend", "frontend")), chance.randint(0, 1), "2027-01-04T10:00:00+00:00",
             "2027-01-04T10:00:00+00:00"))


async def main(projects: int, rounds: int) -> dict[str, object]:
    tracks = load_tracks(ROOT / "data" / "tracks.toml")
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "nexus.db")
        try:
            await fill(db, projects)
            stores = stores_for(db)
            learners = LearnerService(stores.projects, stores.pairing, knowledge=None)  # type: ignore[arg-type]  # counts only
            samples, messages = [], 0
            for _ in range(rounds + 1):  # the first round warms SQLite's pages up and is not counted
                start = time.perf_counter()
                learners.forget(GUILD_ID)  # each round reads who is paired afresh, as day 8's delivery does
                built = render.roundup(await announced_projects(learners, GUILD_ID), tracks, render.Available())
                embeds = [to_embed(spec) for message in built for spec in message.embeds]
                samples.append((time.perf_counter() - start) * 1000)
                messages, embed_count = len(built), len(embeds)
        finally:
            await db.close()
    samples = samples[1:]
    figures = {"roundup_ms_p50": round(statistics.median(samples), 2), "roundup_ms_max": round(max(samples), 2)}
    return {
        "projects": projects,
        "rounds": rounds,
        "messages": messages,
        "embeds": embed_count,
        **figures,
        "targets": TARGETS,
        "targets_met": {"roundup_ms": figures["roundup_ms_max"] <= TARGETS["roundup_ms_max"]},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(json.dumps({"benchmark": "week_one", **asyncio.run(main(options.projects, options.rounds))}))
