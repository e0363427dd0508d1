"""The once-only posting ledger against a real SQLite file: one winner per key, retries after a
failure, take-over of a stale claim with the same nonce."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.posting import CLAIM_LEASE, NONCE_LENGTH, OnceOnlyPoster, PostOutcome, nonce_for
from bot.scheduling.ledger import PostKey
from bot.stores import stores_for

KEY = PostKey(guild_id=1, kind="introduction", ref="10")


@pytest.fixture
async def db(engine_db):  # each test runs on SQLite and on PostgreSQL (tests/engines.py)
    return engine_db


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def poster(db, clock):
    return OnceOnlyPoster(stores_for(db).ledger, clock)


class Channel:
    """Records sends; `fail` makes the next send raise."""

    def __init__(self):
        self.nonces = []
        self.fail = False

    async def send(self, nonce):
        await asyncio.sleep(0.01)  # long enough for rivals to arrive while this one is in flight
        if self.fail:
            self.fail = False
            raise ConnectionError("Discord said no")
        self.nonces.append(nonce)
        return 1000 + len(self.nonces)


async def test_many_callers_at_once_send_once(poster):
    channel = Channel()
    results = await asyncio.gather(*(poster.post(KEY, 10, channel.send) for _ in range(10)))
    assert len(channel.nonces) == 1
    assert [r.outcome for r in results].count(PostOutcome.POSTED) == 1
    later = await poster.post(KEY, 10, channel.send)
    assert later.outcome is PostOutcome.ALREADY_POSTED and later.message_id == 1001


async def test_two_processes_sharing_the_database_send_once(db, open_engine_db, clock):
    other = await open_engine_db()  # a second connection (SQLite) or pool (PostgreSQL), as another process
    channel = Channel()
    first = OnceOnlyPoster(stores_for(db).ledger, clock)
    second = OnceOnlyPoster(stores_for(other).ledger, clock)
    await asyncio.gather(first.post(KEY, 10, channel.send), second.post(KEY, 10, channel.send))
    assert len(channel.nonces) == 1


async def test_a_failed_send_is_retried_by_the_next_caller_with_the_same_nonce(poster):
    channel = Channel()
    channel.fail = True
    with pytest.raises(ConnectionError):
        await poster.post(KEY, 10, channel.send)
    result = await poster.post(KEY, 10, channel.send)
    assert result.outcome is PostOutcome.POSTED and channel.nonces == [nonce_for(KEY)]


async def test_a_claim_left_by_a_crash_is_taken_over_only_after_the_lease(poster, db, clock):
    ledger = stores_for(db).ledger
    assert await ledger.claim(KEY, 10, clock.now())  # a process claimed it, then died
    channel = Channel()
    assert (await poster.post(KEY, 10, channel.send)).outcome is PostOutcome.IN_PROGRESS
    clock.advance(CLAIM_LEASE + timedelta(seconds=1))
    assert (await poster.post(KEY, 10, channel.send)).outcome is PostOutcome.POSTED
    entry = await ledger.get(KEY)
    assert entry.status == "posted" and entry.attempts == 2 and entry.message_id == 1001


def test_nonces_are_stable_short_and_differ_between_keys():
    assert nonce_for(KEY) == nonce_for(PostKey(1, "introduction", "10"))
    assert len(nonce_for(KEY)) == NONCE_LENGTH
    due = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    keys = {KEY, PostKey(2, "introduction", "10"), PostKey(1, "introduction", "11"), PostKey(1, "prompt", "10", due),
            PostKey(1, "prompt", "10", due + timedelta(days=7))}
    assert len({nonce_for(k) for k in keys}) == len(keys)
