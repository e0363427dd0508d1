"""`kill -9` of one bot process in the middle of a fan-out, then a restart: no post twice, none
missing. Two real `python -m bot run` processes, on shards 0 and 1 of 2, share one PostgreSQL and the
sharding stand-in with 40 servers; the shard-0 process is killed (SIGKILL: no clean-up of any kind)
while its servers' prompt is going out, some sends answered, some in flight, some not yet made; a
new shard-0 process takes over the dead one's claims once their lease runs out, and Discord's nonce
(`enforce_nonce`) answers a send the dead process made but never recorded with the message it made.

The children run with tests/e2e/process_site (loopback only) and two of its test knobs: their one
clock starts just past the prompt's due time (so the start's catch-up makes the fan-out at once),
and the claim lease is 3 s instead of 60 s (so the restart need not wait a minute)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.config import DatabaseSettings, Secret, load_settings
from bot.guild_setup.model import SetupRequest
from bot.prompts.model import PromptDraft
from bot.shards import shard_of
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from sandbox.standin._shards import ShardingRules

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
PROCESS_SITE = ROOT / "tests" / "e2e" / "process_site"
SERVERS = 40
TITLE = "Fan out check"  # the prompt `fan-out-check`'s title
LEASE_S = 3
# The bot's requests a second, its two processes' together (taking turns from the one timeline): at
# most ~8 sends of 0.4 s in flight at once, so a kill after 3 of 20 posts leaves posts to make.
PACED_RATE = 20


def checks(standin, guild):
    return [m for m in standin.messages(guild.post_channel.id, guild=guild) if TITLE in m.text]


def child_env(standin, pg_url: str, shard: int, clock_at: datetime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "DATABASE_", "KNOWLEDGE_", "NEXUS_", "SHARD_", "DEFAULT_TIMEZONE"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(PROCESS_SITE), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1",
        LOG_LEVEL=os.environ.get("KILL_TEST_LOG_LEVEL", "INFO"),
        DISCORD_TOKEN=standin.token, DISCORD_API_BASE_URL=standin.api_base_url,
        DISCORD_GATEWAY_URL=standin.gateway_url, DATABASE_URL=pg_url, SHARD_COUNT="2", SHARD_IDS=str(shard),
        NEXUS_TEST_CLOCK_AT=clock_at.isoformat(), NEXUS_TEST_CLAIM_LEASE_S=str(LEASE_S),
        NEXUS_TEST_PACED_RATE=str(PACED_RATE),
    )
    return env


async def start_child(standin, pg_url, shard, clock_at, log_path: Path):
    log = log_path.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=child_env(standin, pg_url, shard, clock_at),
        stdout=log, stderr=asyncio.subprocess.STDOUT)
    log.close()
    return process


async def set_up_servers(standin, pg_url, tmp_path, at: datetime, due: datetime) -> None:
    """What an admin did before: every server set up, with a prompt due at `due` (a process holding
    every server, on the same database, its clock at `at`, well before `due`; it stops before then)."""
    clock = Clock()
    clock.set(at)
    settings = sandbox_settings(load_settings({}, env_file=None), standin, tmp_path / "unused.db")
    settings = replace(settings, database=DatabaseSettings(path=tmp_path / "unused.db", url=Secret(pg_url)),
                       discord=replace(settings.discord, guild_id=None))
    bot, task = await start_bot_against(standin, settings, clock=clock)
    try:
        # Prompts run from the cohort's start; week one (and its posts) ended a week before today.
        cohort_start = due.date() - timedelta(days=due.weekday() + 14)
        for guild in standin.extra_guilds:
            await bot.services.guild_setup.configure(SetupRequest(
                guild.id, guild.admin.id, guild.post_channel.id, cohort_start=cohort_start.isoformat(), timezone="UTC"))
            await bot.services.prompts.save(guild.id, guild.admin.id, PromptDraft(
                key="fan-out-check", weekday=due.weekday(), time_text=f"{due:%H:%M}", weeks_text="",
                open_thread=False, text="Where is your project this week? One line each."))
    finally:
        await stop_bot(bot, task)


async def wait_until(condition, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{what} did not happen within {seconds} s")
        await asyncio.sleep(0.005)


async def test_kill_9_in_the_middle_of_a_fan_out_then_a_restart_posts_every_server_exactly_once(pg_url, tmp_path):
    due = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    sharding = ShardingRules(recommended_shards=2, max_concurrency=2)
    async with StandIn(extra_guilds=SERVERS, sharding=sharding) as standin:
        shard_0 = [g for g in standin.extra_guilds if shard_of(g.id, 2) == 0]
        shard_1 = [g for g in standin.extra_guilds if shard_of(g.id, 2) == 1]
        assert len(shard_0) >= 10 and len(shard_1) >= 10
        await set_up_servers(standin, pg_url, tmp_path, due - timedelta(minutes=10), due)
        standin.nonce_window = timedelta(minutes=10)
        # Every request takes 0.4 s: the fan-out lasts long enough to be killed in the middle of it.
        standin.latency = 0.4
        log = tmp_path / "children.log"
        children = [await start_child(standin, pg_url, shard, due + timedelta(seconds=30), log) for shard in (0, 1)]
        restarted = None
        try:
            def made(guilds):
                return sum(len(checks(standin, g)) for g in guilds)

            # Killed once its first posts are made and more of its sends are on their way to Discord.
            channels = {f"/api/v10/channels/{g.post_channel.id}/messages" for g in shard_0}
            await wait_until(lambda: made(shard_0) >= 3 and any(
                method == "POST" and path in channels for method, path in standin.requests_in_flight), 90,
                "the shard-0 process's first posts, with more on their way")
            children[0].send_signal(signal.SIGKILL)
            await children[0].wait()
            killed_with = made(shard_0)
            await asyncio.sleep(1.0)  # what was in flight to Discord lands, its answers unread
            assert made(shard_0) < len(shard_0), "the fan-out was over before the kill"

            restarted = await start_child(standin, pg_url, 0, due + timedelta(seconds=40), log)
            await wait_until(lambda: made(shard_0) == len(shard_0) and made(shard_1) == len(shard_1),
                             90, "every server's post")
            await asyncio.sleep(LEASE_S + 2.0)  # anything still to go out (a double) would go out by now
            for guild in standin.extra_guilds:
                assert len(checks(standin, guild)) == 1, (guild.id, killed_with)
            # The case the nonce is for happened: a send the dead process made (Discord made the
            # message) but never recorded, sent again by the restart and answered with that message.
            sends = Counter(r.json["nonce"] for r in standin.requests
                            if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
                            and isinstance(r.json, dict) and r.json.get("nonce"))
            assert any(count == 2 for count in sends.values()), (killed_with, sends)
            assert max(sends.values()) <= 2
            assert children[1].returncode is None and restarted.returncode is None  # both still running
        finally:
            for process in (*children, restarted):
                if process is not None and process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in (*children, restarted):
                if process is not None:
                    try:
                        await asyncio.wait_for(process.wait(), timeout=30)
                    except TimeoutError:
                        process.kill()
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]
        assert standin.token not in text
