"""Nexus at scale (issue 18's performance section), through the local Discord stand-in. Prints one
JSON line.

1. Fan-out of one prompt to 5,000 servers by 4 bot processes on one PostgreSQL, each holding 1 of 4
   shards, all taking their turns from the bot's one pacing timeline on the database, the stand-in
   enforcing Discord's global limit of 50 requests a second (counted across the processes, as
   Discord does for one bot) with 80 ms added to every request: the time from the due moment to the
   last server's post against the floor that limit sets (servers / 50 s), duplicates, missing posts
   and global 429s. Each bot is a real `python -m bot run` process (as deployed: its event loop is
   its own, and Discord's side, the stand-in in this process, is not on it), its clock reading the
   due moment at one real instant shared by all of them (the tests' process site,
   tests/e2e/process_site, turns that knob on), so their alarms fire together. The servers are set up
   before (`setup_s`, through the real set-up service, by one bot in this process holding every
   shard, stopped before the processes start). The same for one process on SQLite at 500 servers,
   run first in the same run: the baseline. Each fan-out also tells when its first post was made
   and the span from first to last post (the stand-in's request log), the bot processes' CPU time,
   and how late this process's loop woke meanwhile (`standin_loop_lag_ms`: a request is counted
   against the limit when that loop reads it).
2. `/topic query`, `/project list` and `/pair find` as members run them, on a server with 2,000
   projects, against one bot on SQLite and one on PostgreSQL (each with its own stand-in), turn by
   turn in the same rounds: p50 per command and engine, and PostgreSQL's against SQLite's.
3. One bot process holding every shard of the 5,000 servers (with 20,000 projects and 20,000
   learner profiles stored on PostgreSQL): the time from its start to ready (connected, commands
   synced), the time to prepare every server's learners (what `/pair find` and rounds use), and its
   memory (RSS) before it starts, when ready and when every server's learners are prepared. Run in
   a process of its own (this script again, with the stand-in and nothing else started before it),
   so the figures are the bot's, not this benchmark's. Figures only: the issue gives no target.

The bots of (1) and (2) are processes of their own, the stand-ins run in this one, and PostgreSQL in
its own, from pgserver, as the tests' does (tests/pg/_server.py).

    .venv/bin/python benchmarks/scale.py [--servers 5000] [--processes 4] [--sqlite-servers 500] [--n 150]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import math
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import latency  # noqa: E402  (this folder: the interleaved measurement, the learners' questions)
import prompts  # noqa: E402  (this folder: the 500-server fan-out on SQLite, its dates)

from bot.clock import FrozenClock  # noqa: E402
from bot.config import DatabaseSettings, Secret, Settings, load_settings  # noqa: E402
from bot.guild_setup.model import SetupRequest  # noqa: E402
from bot.heartbeat import heartbeat_path  # noqa: E402
from bot.pairing.learners import monday_of  # noqa: E402
from bot.pairing.records import Profile  # noqa: E402
from bot.projects.model import ProjectDraft  # noqa: E402
from bot.scheduling.pacing import PACED_RATE  # noqa: E402
from bot.shards import parse_shard_plan  # noqa: E402
from bot.stores import stores_for  # noqa: E402
from bot.tracks import load_tracks  # noqa: E402
from sandbox.run import sandbox_settings, start_bot_against, stop_bot  # noqa: E402
from sandbox.standin import StandIn  # noqa: E402
from sandbox.standin._shards import GUILDS_PER_SHARD, ShardingRules  # noqa: E402
from sandbox.standin.demo import DemoMember  # noqa: E402
from sandbox.standin.generated import generated_id  # noqa: E402
from tests.pg._server import SessionPostgres  # noqa: E402

GLOBAL_LIMIT = prompts.GLOBAL_LIMIT  # Discord's, requests per second, for the bot across its processes
LATENCY = prompts.LATENCY  # seconds added to every request
DUE = prompts.DUE  # the default mid-week check-in, due in every server
START_ALLOWANCE_S = 40  # from starting the bot processes to the due time: all of them connected by then
SETUP_AT_ONCE = 16  # servers set up at once on PostgreSQL (its pool); SQLite's one connection takes them in turn
PREPARE_AT_ONCE = 8  # servers whose learners are prepared at once (the pool has 10 connections)
PROJECTS_PER_SERVER = 4  # 5,000 servers: 20,000 projects, and as many learners with a profile
LATENCY_PROJECTS = 2000  # in the server where the commands are measured, as benchmarks/latency.py
TARGETS = {"fan_out_ratio_vs_limit_max": 1.05, "duplicates": 0, "global_429s": 0,
           "sqlite_fan_out_ratio_vs_limit_max": 1.05, "postgres_p50_vs_sqlite_max": 1.5}
CHILD_FLAG = "--memory-child"
URL_ENV = "NEXUS_SCALE_PG_URL"  # the child's database, not on its command line (it has a password)


def progress(text: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """This process's resident memory (Linux: /proc/self/status VmRSS), after a collection."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise SystemExit("no VmRSS in /proc/self/status: the memory figures need Linux")


async def create_database(server: SessionPostgres, name: str) -> str:
    admin = await asyncpg.connect(server.url())
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return server.url(name)


def postgres_settings(standin: StandIn, url: str, tmp: Path, shards: tuple[int, str | None] | None) -> Settings:
    """The sandbox's settings on PostgreSQL; with `shards` (count, ids) commands are global, as a bot
    in many servers syncs them (the sandbox syncs to the demo server only)."""
    settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp / "unused.db")
    settings = replace(settings, database=DatabaseSettings(path=tmp / "unused.db", url=Secret(url)))
    if shards is not None:
        count, ids = shards
        settings = replace(settings, discord=replace(settings.discord, guild_id=None),
                           shards=parse_shard_plan(str(count), ids))
    return settings


def shard_count_for(servers: int, wanted: int) -> int:
    """Discord refuses a connection holding more than 2,500 servers (the stand-in too)."""
    return max(wanted, math.ceil(servers / GUILDS_PER_SHARD))


# --- 1. the fan-out on PostgreSQL ----------------------------------------------------------------


async def fan_out(url: str | None, servers: int, processes: int, tmp: Path) -> dict[str, object]:
    """`processes` bots on PostgreSQL at `url`, one shard each; with no `url`, one bot on SQLite
    holding every server, unsharded (as benchmarks/prompts.py measures it). Each bot is a process
    of its own (`python -m bot run`), as deployed: its event loop is its own, and Discord's (the
    stand-in's, here in this process) is not on it."""
    sharding = ShardingRules(recommended_shards=processes, max_concurrency=processes)
    db_path = tmp / "fan-out.db"
    async with StandIn(extra_guilds=servers, sharding=sharding) as standin:
        setup_s = await set_up_servers(standin, url, db_path, processes)
        progress(f"set up {servers} servers in {setup_s:.1f} s; starting {processes} bot processes")
        standin.global_limit = GLOBAL_LIMIT
        standin.latency = LATENCY
        standin.clear_records()
        # The stand-in counts a request against the limit when its loop reads it: a pause of this
        # process's collector walking every server's objects (150 ms at 1,000 servers) stamps the
        # requests that arrived meanwhile as arriving together, a burst Discord would not have seen.
        gc.collect()
        gc.freeze()
        log_path = tmp / "fan-out-processes.log"
        # Every process's clock reads DUE at one real moment, long enough after their start for all of
        # them to be connected: their alarms then fire together, as the alarms of processes on one clock.
        due_wall = time.time() + START_ALLOWANCE_S
        started = time.perf_counter()
        children = [await start_child(standin, url, db_path, processes if url else None, shard, due_wall, tmp, log_path)
                    for shard in range(processes)]
        standin_priority = favour_this_process()
        try:
            beats = [heartbeat_path(db_path if url is None else heartbeat_folder(tmp, shard) / "unused.db")
                     for shard in range(processes)]
            while not all(beat.exists() for beat in beats):
                if any(child.returncode is not None for child in children):
                    raise SystemExit(f"a bot process stopped: see its log\n{log_path.read_text()[-3000:]}")
                if time.time() > due_wall:
                    raise SystemExit(f"the bot processes were not connected {START_ALLOWANCE_S} s after their start: "
                                     f"{[beat.exists() for beat in beats]}\n{log_path.read_text()[-3000:]}")
                await asyncio.sleep(0.05)
            start_s = time.perf_counter() - started
            progress(f"{processes} processes ready in {start_s:.1f} s; fanning out to {servers} servers at the "
                     f"due time, in {due_wall - time.time():.0f} s (the limit's floor: {servers / GLOBAL_LIMIT:.0f} s)")
            cpu_before = children_cpu_s(children)
            lags: list[float] = []
            watcher = asyncio.create_task(watch_loop(lags))

            def made() -> list[float]:
                return sorted(r.at for r in standin.requests if r.method == "POST"
                              and r.route == "/channels/{channel_id}/messages" and r.status == 200)

            deadline = due_wall + 3 * servers / GLOBAL_LIMIT + 60
            while len(made()) < servers and time.time() < deadline:  # noqa: ASYNC110 (the processes post)
                await asyncio.sleep(0.25)
            await asyncio.sleep(2.0)  # anything still to go out (a double) would go out by now
            cpu_s = children_cpu_s(children) - cpu_before
            watcher.cancel()
        finally:
            for child in children:
                if child.returncode is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    await asyncio.wait_for(child.wait(), timeout=30)
                except TimeoutError:
                    child.kill()
            if standin_priority:
                os.setpriority(os.PRIO_PROCESS, 0, 0)
        standin.latency = 0.0
        posts = made()
        fan_out_s = posts[-1] - due_wall if posts else float("inf")
        progress(f"fan-out took {fan_out_s:.1f} s")
        per_channel = Counter(
            message.channel_id
            for guild in standin.extra_guilds
            for message in standin.messages(guild.post_channel.id, guild=guild)
            if "Mid-week check-in" in message.text
        )
        text = log_path.read_text(errors="replace")
        if "Traceback" in text or standin.token in text:
            raise SystemExit(f"a bot process logged a traceback (or its token): {log_path}\n{text[-3000:]}")
        span = posts[-1] - posts[0] if len(posts) > 1 else 0.0
        return {
            "engine": "sqlite" if url is None else "postgresql",
            "servers": servers, "processes": processes, "start_s": round(start_s, 2), "setup_s": round(setup_s, 2),
            # From the due time to the last server's post (the stand-in's request log): what members see.
            "fan_out_s": round(fan_out_s, 2), "limit_itself_s": servers / GLOBAL_LIMIT,
            "ratio_vs_limit": round(fan_out_s / (servers / GLOBAL_LIMIT), 3),
            "posts": len(posts), "missing": servers - len(per_channel),
            "duplicates": sum(count - 1 for count in per_channel.values() if count > 1),
            "first_post_after_s": round(posts[0] - due_wall, 2) if posts else None,
            "posting_span_s": round(span, 2),
            "posting_span_vs_limit": round(span / (len(posts) / GLOBAL_LIMIT), 3) if posts else None,
            "global_429s": standin.global_429s,
            # Every process's requests together, on the bot's one timeline (PostgreSQL) or alone (SQLite).
            "pacer_rate_all_processes": PACED_RATE,
            # The bot processes' CPU time over the fan-out (user and system, all of them together).
            "bot_processes_cpu_s": round(cpu_s, 1),
            # How late a 50 ms sleep woke in this process, the stand-in's (Discord's side): a request
            # arriving meanwhile is counted against the limit when it is read, that much later.
            "standin_loop_lag_ms": latency.percentiles(lags) if len(lags) > 1 else None,
            "loadavg_1m": round(os.getloadavg()[0], 2),
            # This process's scheduling priority during the fan-out (`favour_this_process`).
            "standin_nice": standin_priority,
        }


STANDIN_NICE = -10


def favour_this_process() -> int:
    """Run this process, the stand-in's (Discord's side), ahead of the bot processes it started: Discord
    is other machines, whose reading of a request does not wait for the bots' turn on these two cores.
    Measured: the runs that drew a 429 had this loop 27–44 ms late, beyond the pacer's slack. The
    niceness it got (0 where it may not raise its priority)."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, STANDIN_NICE)
    except PermissionError:
        return 0
    return STANDIN_NICE


async def watch_loop(lags: list[float]) -> None:
    """How late a 50 ms sleep wakes, again and again: the event loop's lag, in ms."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(0.05)
        lags.append((time.perf_counter() - started - 0.05) * 1000)


async def set_up_servers(standin: StandIn, url: str | None, db_path: Path, processes: int) -> float:
    """What the admins did before: every server set up (through the real set-up service, several at
    once on PostgreSQL), by one bot holding every shard, stopped before the bot processes start."""
    settings = sandbox_settings(load_settings({}, env_file=None), standin, db_path)
    settings = replace(settings, discord=replace(settings.discord, guild_id=None))
    if url is not None:
        settings = postgres_settings(standin, url, db_path.parent, (processes, f"0-{processes - 1}"))
    bot, task = await start_bot_against(standin, settings, clock=FrozenClock(DUE - timedelta(hours=2)))
    try:
        services = bot.services
        gate = asyncio.Semaphore(SETUP_AT_ONCE if url is not None else 1)  # SQLite: its one connection

        async def set_up(guild: Any) -> None:
            async with gate:
                await services.guild_setup.configure(SetupRequest(
                    guild_id=guild.id, actor_id=guild.admin.id, channel_id=guild.post_channel.id,
                    cohort_start=prompts.COHORT_START, timezone="UTC"))

        started = time.perf_counter()
        # The alarms are set once after all of them, not per server.
        with patch.object(services.scheduler, "reschedule", prompts._alarms_set_later):
            await asyncio.gather(*(set_up(guild) for guild in standin.extra_guilds))
        return time.perf_counter() - started
    finally:
        await stop_bot(bot, task)


async def start_child(standin: StandIn, url: str | None, db_path: Path, shard_count: int | None, shard: int,
                      due_wall: float, tmp: Path, log_path: Path) -> asyncio.subprocess.Process:
    """`python -m bot run` against `standin`, its clock reading DUE at `due_wall` (the tests' process
    site, tests/e2e/process_site, turns that knob on); its heartbeat file says when it is connected."""
    folder = heartbeat_folder(tmp, shard)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "DATABASE_", "KNOWLEDGE_", "NEXUS_", "SHARD_", "DEFAULT_TIMEZONE"))}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "tests" / "e2e" / "process_site"), str(ROOT)]),
               DISCORD_TOKEN=standin.token, DISCORD_API_BASE_URL=standin.api_base_url,
               DISCORD_GATEWAY_URL=standin.gateway_url, LOG_LEVEL="WARNING",
               NEXUS_TEST_CLOCK_AT=DUE.isoformat(), NEXUS_TEST_CLOCK_AT_WALL=repr(due_wall))
    if url is None:
        env["DATABASE_PATH"] = str(db_path)
    else:
        env.update(DATABASE_URL=url, DATABASE_PATH=str(folder / "unused.db"), SHARD_COUNT=str(shard_count),
                   SHARD_IDS=str(shard))
    with log_path.open("ab") as log:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                    stdout=log, stderr=asyncio.subprocess.STDOUT)


def heartbeat_folder(tmp: Path, shard: int) -> Path:
    """Where a process on PostgreSQL writes its heartbeat (beside its DATABASE_PATH, unused but for that)."""
    folder = tmp / f"process-{shard}"
    folder.mkdir(exist_ok=True)
    return folder


def children_cpu_s(children: list[asyncio.subprocess.Process]) -> float:
    """The CPU time (user and system) the running child processes have used, from /proc."""
    total = 0
    for child in children:
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


# --- 3. one process's memory and start-up, 5,000 servers ------------------------------------------


async def store_learners(url: str, servers: int) -> dict[str, object]:
    """4 projects and 4 learner profiles in every generated server (20,000 of each for 5,000),
    written through the repositories."""
    from bot.db.postgres import PostgresDatabase

    tracks = [track.key for track in load_tracks()]
    stacks = ["Django, PostgreSQL, Redis", "React, TypeScript, GraphQL", "Django REST framework, Celery, Docker",
              "Next.js, Tailwind, JWT"]
    zones = ["Africa/Lagos", "Africa/Nairobi", "Europe/London", "America/New_York"]
    availability = ["Mon-Fri 18-21", "Sat 10-14", "Mon-Fri 18-21, Sat 10-14", "Tue 19-22, Sun 09-12"]
    now = datetime.now(UTC)
    projects: list[tuple[int, int, ProjectDraft]] = []
    profiles: list[Profile] = []
    for number in range(1, servers + 1):
        guild_id = generated_id(number, 0)
        for n in range(PROJECTS_PER_SERVER):
            member = generated_id(number, 12 + n)  # learner{n}a and b, and two more ids of the server
            discipline = "backend" if n % 2 == 0 else "frontend"
            projects.append((guild_id, member, ProjectDraft(
                track=tracks[(number + n) % len(tracks)], discipline=discipline, looking_for_partner=n < 2,
                title=f"Project {number}-{n}: a job board for learners",
                description="Job postings, applications and role-based access. " * 4,
                stack=stacks[n], repo_url=f"https://github.com/learner{number}-{n}/project")))
            profiles.append(Profile(guild_id, member, discipline, zones[(number + n) % len(zones)],
                                    "Python, Django" if discipline == "backend" else "React, TypeScript",
                                    availability[n], now))
    db = await PostgresDatabase.open(url)
    try:
        stores = stores_for(db)
        started = time.perf_counter()
        await stores.projects.add_many(projects, now)
        gate = asyncio.Semaphore(SETUP_AT_ONCE)

        async def save(profile: Profile) -> None:
            async with gate:
                await stores.pairing.save_profile(profile)

        await asyncio.gather(*(save(profile) for profile in profiles))
        return {"projects": len(projects), "learners": len(profiles),
                "store_s": round(time.perf_counter() - started, 2)}
    finally:
        await db.close()


async def memory_child(url: str, servers: int, shards: int) -> dict[str, object]:
    """In a process of its own: the stand-in first, then one bot holding every shard."""
    with tempfile.TemporaryDirectory(prefix="nexus-bench-scale-") as tmp:
        sharding = ShardingRules(recommended_shards=shards, max_concurrency=shards)
        async with StandIn(extra_guilds=servers, sharding=sharding) as standin:
            before = rss_mb()
            settings = postgres_settings(standin, url, Path(tmp), (shards, None))  # every shard
            started = time.perf_counter()
            bot, task = await start_bot_against(standin, settings, clock=FrozenClock(DUE))
            try:
                ready_s = time.perf_counter() - started
                ready = rss_mb()
                # Every server's learners prepared, as `/pair find` and a round prepare them. The pool
                # is the pairing service's own (no public handle: the services do not expose it).
                pool = bot.services.pairing._pool
                week = monday_of(bot.clock.now())
                gate = asyncio.Semaphore(PREPARE_AT_ONCE)

                async def prepare(guild_id: int) -> int:
                    async with gate:
                        return len((await pool.prepared(guild_id, week)).learners)

                started = time.perf_counter()
                learners = sum(await asyncio.gather(*(prepare(guild.id) for guild in standin.extra_guilds)))
                prepare_s = time.perf_counter() - started
                prepared = rss_mb()
                return {"servers": servers, "shards_held": shards, "start_to_ready_s": round(ready_s, 2),
                        "prepare_all_learners_s": round(prepare_s, 2), "prepared_at_once": PREPARE_AT_ONCE,
                        "learners_prepared": learners,
                        "rss_before_mb": before, "rss_ready_mb": ready, "rss_prepared_mb": prepared,
                        "rss_delta_ready_mb": round(ready - before, 1),
                        "rss_delta_prepared_mb": round(prepared - before, 1)}
            finally:
                await stop_bot(bot, task)


async def memory(url: str, servers: int, shards: int) -> dict[str, object]:
    stored = await store_learners(url, servers)
    progress(f"stored {stored['projects']} projects and {stored['learners']} profiles in {stored['store_s']} s; "
             "starting one bot holding every server, in a process of its own")
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, CHILD_FLAG, "--servers", str(servers), "--processes", str(shards),
        env={**os.environ, URL_ENV: url}, stdout=asyncio.subprocess.PIPE)
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"the memory measurement's process failed ({child.returncode})")
    return {**json.loads(out.decode().strip().splitlines()[-1]), "projects": stored["projects"],
            "learners": stored["learners"]}


# --- 2. command latency, PostgreSQL against SQLite ------------------------------------------------


def latency_projects(guild_id: int, ada: int) -> list[tuple[int, int, ProjectDraft]]:
    """2,000 active projects in the server, ada's among them (as benchmarks/latency.py stores them)."""
    tracks = [track.key for track in load_tracks()]
    owners = [ada] + [10**15 + number for number in range(LATENCY_PROJECTS - 1)]
    return [(guild_id, owner, ProjectDraft(
        track=tracks[number % len(tracks)], discipline="backend" if number % 2 == 0 else "frontend",
        looking_for_partner=number % 3 == 0, title=f"Project {number}: a **job board** for learners",
        description="Job postings, applications and role-based access. " * 8, stack="Django, PostgreSQL, Redis",
        repo_url=f"https://github.com/learner{number}/project")) for number, owner in enumerate(owners)]


async def seed_projects(standin: StandIn, *, path: Path | None = None, url: str | None = None) -> None:
    """The projects written through the engine's repository before the bot starts (the database is
    created and migrated as the bot would)."""
    from bot.db import Database
    from bot.db.postgres import PostgresDatabase

    db: Any = await Database.open(path) if path is not None else await PostgresDatabase.open(url or "")
    try:
        projects = latency_projects(standin.guild.id, standin.guild.member("ada").id)
        await stores_for(db).projects.add_many(projects, datetime.now(UTC))
    finally:
        await db.close()


async def start_process(standin: StandIn, db_path: Path, url: str | None) -> asyncio.subprocess.Process:
    """`python -m bot run` against `standin`: each bot in a process of its own, as discord.py's
    endpoints are one per process (and as deployed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_"))}
    env.update(DISCORD_TOKEN=standin.token, DISCORD_GUILD_ID=str(standin.guild.id),
               DISCORD_API_BASE_URL=standin.api_base_url, DISCORD_GATEWAY_URL=standin.gateway_url,
               DATABASE_PATH=str(db_path), LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    if url is not None:
        env["DATABASE_URL"] = url
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env)
    await standin.wait_until_ready(timeout=120)
    await standin.wait_for_commands(timeout=120)
    return process


def callers(standin: StandIn, questions: list[str], newcomers: list[str]) -> list[Callable[[], Awaitable[Any]]]:
    """`/topic query` with a question not asked before of this bot, `/project list`, and `/pair find`
    by a learner finding for the first time (their best partners computed, their discipline recorded)."""
    asked: Iterator[str] = iter(questions)
    finders: Iterator[str] = iter(newcomers)
    return [lambda: standin.invoke("ada", "topic query", {"query": next(asked)}, timeout=30),
            lambda: standin.invoke("ben", "project list", timeout=30),
            lambda: standin.invoke(next(finders), "pair find", timeout=30)]


def add_newcomers(standin: StandIn, rounds: int) -> list[str]:
    backend = next(role.id for role in standin.guild.roles if role.name == "Backend")
    newcomers = [f"newcomer-{number}" for number in range(rounds)]
    standin.guild.members += [DemoMember(3 * 10**15 + number, name, [backend]) for number, name in enumerate(newcomers)]
    return newcomers


async def set_up_server(standin: StandIn) -> None:
    await standin.invoke("mentor", "nexus setup", {"channel": "prodevprojectnexus", "backend_role": "Backend",
                                                   "frontend_role": "Frontend"}, timeout=30)
    listed = await standin.invoke("ben", "project list", timeout=30)
    found = await standin.invoke("ada", "pair find", timeout=30)  # the first one prepares the server's learners
    if listed.message is None or f"{LATENCY_PROJECTS} projects" not in listed.message.text:
        raise SystemExit("/project list did not answer with the stored projects")
    if found.message is None or not found.message.embeds:
        raise SystemExit("/pair find did not answer with partners")


async def stop_process(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await asyncio.wait_for(process.wait(), timeout=30)


async def command_latency(url: str, n: int, tmp: Path) -> dict[str, object]:
    questions = latency.learner_questions()
    n = min(n, len(questions) - latency.WARMUP)
    rounds = n + latency.WARMUP
    async with StandIn() as lite_standin, StandIn() as pg_standin:
        await seed_projects(lite_standin, path=tmp / "latency.db")
        await seed_projects(pg_standin, url=url)
        lite_newcomers, pg_newcomers = add_newcomers(lite_standin, rounds), add_newcomers(pg_standin, rounds)
        lite = await start_process(lite_standin, tmp / "latency.db", None)
        try:
            pg = await start_process(pg_standin, tmp / "unused.db", url)
            try:
                await set_up_server(lite_standin)
                await set_up_server(pg_standin)
                progress(f"measuring 3 commands on both engines, {n} rounds")
                # Both engines' commands in turn, round after round: a busy moment slows them alike.
                samples = await latency.measure_interleaved(
                    [*callers(lite_standin, questions, lite_newcomers), *callers(pg_standin, questions, pg_newcomers)],
                    n)
            finally:
                await stop_process(pg)
        finally:
            await stop_process(lite)
    figures: dict[str, object] = {"interactions_per_command": n, "projects_in_server": LATENCY_PROJECTS}
    ratios: dict[str, float] = {}
    for index, command in enumerate(["topic_query", "project_list", "pair_find"]):
        on_sqlite, on_postgres = latency.percentiles(samples[index]), latency.percentiles(samples[index + 3])
        figures[f"{command}_sqlite_ms"] = on_sqlite
        figures[f"{command}_postgres_ms"] = on_postgres
        ratios[command] = round(on_postgres["p50"] / on_sqlite["p50"], 2)
    figures["postgres_p50_vs_sqlite"] = ratios
    return figures


# --- the run ---------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, object]:
    server = SessionPostgres()
    await asyncio.to_thread(server.start)
    try:
        with tempfile.TemporaryDirectory(prefix="nexus-bench-scale-") as folder:
            tmp = Path(folder)
            progress(f"baseline: one process on SQLite, {args.sqlite_servers} servers")
            sqlite_fan_out = await fan_out(None, args.sqlite_servers, 1, tmp)
            progress(f"SQLite fan-out took {sqlite_fan_out['fan_out_s']} s")
            progress("command latency, SQLite and PostgreSQL")
            commands = await command_latency(await create_database(server, "nexus_latency"), args.n, tmp)
            url = await create_database(server, "nexus_scale")
            postgres_fan_out = await fan_out(url, args.servers, args.processes, tmp)
            held = await memory(url, args.servers, shard_count_for(args.servers, args.processes))
            return {"sqlite": sqlite_fan_out, "postgres": postgres_fan_out, "commands": commands, "memory": held}
    finally:
        await asyncio.to_thread(server.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=5000, help="servers of the PostgreSQL fan-out (default 5000)")
    parser.add_argument("--processes", type=int, default=4, help="bot processes, one shard each (default 4)")
    parser.add_argument("--sqlite-servers", type=int, default=500, help="servers of the SQLite fan-out (default 500)")
    parser.add_argument("--n", type=int, default=150, help="interactions per command and engine (default 150)")
    parser.add_argument(CHILD_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.memory_child:
        print(json.dumps(asyncio.run(memory_child(os.environ[URL_ENV], args.servers, args.processes))))
        return
    if args.servers / args.processes > GUILDS_PER_SHARD:
        parser.error(f"a process's shard would hold more than {GUILDS_PER_SHARD} servers: more --processes")
    began = time.perf_counter()
    measured = asyncio.run(run(args))
    sqlite, postgres, commands = measured["sqlite"], measured["postgres"], measured["commands"]
    ratios: dict[str, float] = commands["postgres_p50_vs_sqlite"]  # type: ignore[index,assignment]
    met = {
        "fan_out_ratio_vs_limit": postgres["ratio_vs_limit"] <= TARGETS["fan_out_ratio_vs_limit_max"],
        "duplicates": postgres["duplicates"] == 0 and sqlite["duplicates"] == 0,
        "global_429s": postgres["global_429s"] == 0 and sqlite["global_429s"] == 0,
        "posts": postgres["missing"] == 0 and sqlite["missing"] == 0,
        "sqlite_fan_out_ratio_vs_limit": sqlite["ratio_vs_limit"] <= TARGETS["sqlite_fan_out_ratio_vs_limit_max"],
        **{f"{command}_postgres_p50_vs_sqlite": ratio <= TARGETS["postgres_p50_vs_sqlite_max"]
           for command, ratio in ratios.items()},
    }
    print(json.dumps({
        "benchmark": "scale",
        # The fan-out on PostgreSQL, its processes each holding one shard; its ratio is to the floor the
        # global limit sets, and beside it the same ratio of one SQLite process measured in this run.
        "fan_out": postgres,
        "fan_out_sqlite_baseline": sqlite,
        "ratio_postgres_vs_sqlite_fan_out": round(postgres["ratio_vs_limit"] / sqlite["ratio_vs_limit"], 3),
        # What the bot's pacing allows at best: the fan-out's turns at PACED_RATE, a timing margin below 50.
        "paced_rate": PACED_RATE, "ratio_floor_at_paced_rate": round(GLOBAL_LIMIT / PACED_RATE, 3),
        "commands": commands,
        # One process holding every server: figures only, the issue sets no target for them.
        "one_process_all_servers": measured["memory"],
        "run_s": round(time.perf_counter() - began, 1),
        "targets": TARGETS,
        "targets_met": met,
    }))


if __name__ == "__main__":
    main()
