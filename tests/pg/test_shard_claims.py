"""Shard claims on PostgreSQL: a process started on shards another running process holds is told in
one line at start; disjoint shards, a claim left by a process gone past its lease, or a released
claim tell nothing."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import to_db_time
from bot.db.postgres import PostgresDatabase
from bot.db.postgres.shard_claims import PostgresShardClaimRepository
from bot.shard_claims import LEASE, ShardClaims
from bot.shards import ShardPlan

pytestmark = pytest.mark.asyncio

NOW = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
async def two_databases(pg_url):
    """Two pools on one database: what two processes have."""
    first = await PostgresDatabase.open(pg_url)
    second = await PostgresDatabase.open(pg_url)
    yield first, second
    await first.close()
    await second.close()


def claims(db, ids, name, now=NOW):
    return ShardClaims(PostgresShardClaimRepository(db), ShardPlan(4, ids), process=name, now=lambda: now)


def warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "bot.shard_claims" and r.levelno == logging.WARNING]


async def test_a_second_process_on_the_same_shards_is_told_in_one_line(two_databases, caplog):
    first_db, second_db = two_databases
    first, second = claims(first_db, (0, 1), "host:1"), claims(second_db, (1, 2), "host:2", NOW + timedelta(seconds=5))
    try:
        with caplog.at_level(logging.WARNING, logger="bot.shard_claims"):
            assert await first.start() == []
            assert warnings(caplog) == []
            others = await second.start()
        assert [(c.shard_id, c.process) for c in others] == [(1, "host:1")]
        [line] = warnings(caplog)
        assert "\n" not in line
        assert line.startswith("shard 1 of 4 is also held by another running process (host:1; seen 5 s ago)")
        assert "exactly once" in line and "SHARD_IDS" in line
    finally:
        await first.close()
        await second.close()


async def test_disjoint_shards_a_released_claim_and_a_dead_one_tell_nothing(two_databases, caplog):
    first_db, second_db = two_databases
    with caplog.at_level(logging.WARNING, logger="bot.shard_claims"):
        left = claims(first_db, (0, 1), "host:1")
        await left.start()
        assert await claims(second_db, (2, 3), "host:2").claim() == []  # disjoint
        await left.close()  # released: nothing of host:1 is left
        assert await claims(second_db, (0, 1), "host:3").claim() == []
        # host:3 now "stops" without releasing (kill -9): its claim is dead once the lease has passed.
        assert await claims(second_db, (0, 1), "host:4", NOW + LEASE + timedelta(seconds=1)).claim() == []
    assert warnings(caplog) == []


async def test_claims_are_refreshed_while_the_process_runs(two_databases):
    first_db, second_db = two_databases
    refreshed = NOW + LEASE
    moments = iter([NOW])  # the start; every refresh after it happens one lease later
    first = ShardClaims(PostgresShardClaimRepository(first_db), ShardPlan(2, (0,)), process="host:1",
                        now=lambda: next(moments, refreshed), refresh_seconds=0.01)
    await first.start()
    try:
        for _ in range(200):  # the refresh runs in the background
            if await first_db.fetchone("SELECT 1 FROM shard_claims WHERE process = 'host:1' AND heartbeat_at = $1",
                                       (to_db_time(refreshed),)):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the claim was not refreshed")
        # Past the first claim's lease, but not the refreshed one's: host:1 still counts as running.
        later = ShardClaims(PostgresShardClaimRepository(second_db), ShardPlan(2, (0,)), process="host:2",
                            now=lambda: refreshed + timedelta(seconds=30))
        assert [c.process for c in await later.claim()] == ["host:1"]
    finally:
        await first.close()


async def test_processes_take_their_turns_from_the_bots_one_timeline(two_databases):
    """Two processes asking for turns at once get turns one after another on the database's one
    timeline, each as long as asked: it moves on by the sum of the turns, none lost to a race and no
    two taken at once; once it has passed, the next turn starts now."""
    from bot.db.postgres.pacing import PostgresGlobalPace

    first, second = (PostgresGlobalPace(db) for db in two_databases)
    turn = 0.1
    loop = asyncio.get_running_loop()
    await asyncio.gather(first.take(0.0), second.take(0.0))  # each pool's connection made and warm
    asked = loop.time()
    waits = await asyncio.gather(*(pace.take(turn) for _ in range(5) for pace in (first, second)))
    took = loop.time() - asked
    row = await two_databases[0].fetchone(
        "SELECT next_turn - EXTRACT(EPOCH FROM clock_timestamp()) AS ahead FROM global_pace")
    assert row is not None
    # Ten turns of 100 ms from about when they were asked: the timeline is a second ahead, less the
    # time the asking took, and the last turn starts 0.9 s after the first.
    assert 10 * turn - took - 0.05 <= row["ahead"] <= 10 * turn + 0.05
    assert max(waits) - min(waits) >= 9 * turn - took - 0.05
    await asyncio.sleep(row["ahead"] + 0.05)
    assert await first.take(turn) <= 0.0  # the timeline has passed: now


async def test_a_turn_is_taken_on_a_connection_of_its_own_which_comes_back_after_it_is_lost(two_databases):
    """The timeline's row is written on a connection outside the pool (never behind its queue of
    claims); when the server drops it, the turn is taken on a new one, with no error to the pacer."""
    from bot.db.postgres.pacing import PostgresGlobalPace

    db = two_databases[0]
    pace = PostgresGlobalPace(db)
    await pace.take(0.0)
    row = await db.fetchone("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> "
                            "pg_backend_pid() AND query LIKE '%global_pace%'", (db.process,))
    assert row is not None
    await db.fetchone("SELECT pg_terminate_backend($1)", (row["pid"],))
    await asyncio.sleep(0.1)
    assert await pace.take(0.0) <= 0.0  # taken on a new connection, as if nothing happened
    again = await db.fetchone("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> "
                              "pg_backend_pid() AND query LIKE '%global_pace%'", (db.process,))
    assert again is not None and again["pid"] != row["pid"]
