"""The scheduling core against a real SQLite file and a clock that is moved, never slept for."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock, FrozenClock
from bot.posting import CLAIM_LEASE, RETRY_FIRST, OnceOnlyPoster, PostFailed, RetryLater, nonce_for
from bot.scheduling import Delivery, DuePost
from bot.scheduling.ledger import PostKey
from bot.scheduling.pacing import Pacer
from bot.scheduling.scheduler import MAKING_AT_ONCE, PREPARE_AHEAD, Scheduler
from bot.stores import stores_for

START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


class HourlySource:
    """Posts due every hour on the hour, in each of `guilds`."""

    kind = "test"

    def __init__(self, guilds=(1,)):
        self.guilds = guilds

    def _hours(self, after, until):
        moment = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while moment <= until:
            yield moment
            moment += timedelta(hours=1)

    async def due_between(self, after, until):
        return [DuePost(PostKey(g, self.kind, "hourly", at), channel_id=100 + g, label="hourly")
                for at in self._hours(after, until) for g in self.guilds]

    async def next_due_after(self, moment):
        return next(self._hours(moment, moment + timedelta(hours=2)))

    async def upcoming(self, guild_id, after, limit):
        return [DuePost(PostKey(guild_id, self.kind, "hourly", at), 100 + guild_id, "hourly")
                for at in list(self._hours(after, after + timedelta(hours=limit)))[:limit]]


class Channel:
    def __init__(self):
        self.deliveries: list[Delivery] = []
        self.broken_guilds: set[int] = set()

    async def deliver(self, delivery: Delivery) -> int:
        if delivery.post.key.guild_id in self.broken_guilds:
            raise PostFailed("the channel was deleted")
        self.deliveries.append(delivery)
        return len(self.deliveries)


@pytest.fixture
async def db(engine_db):  # each test runs on SQLite and on PostgreSQL (tests/engines.py)
    return engine_db


@pytest.fixture
def clock():
    return FrozenClock(START)


def make_scheduler(db, clock, channel, source=None, shards=None):
    ledger = stores_for(db).ledger
    scheduler = Scheduler(OnceOnlyPoster(ledger, clock), ledger, stores_for(db).scheduler_state, clock,
                          grace=timedelta(hours=6), pacer=Pacer(rate=10_000, per_second=10_000), shards=shards)
    scheduler.add_source(source or HourlySource())
    scheduler.set_delivery("test", channel.deliver)
    return scheduler


async def test_each_due_post_is_made_once_in_order(db, clock):
    channel = Channel()
    scheduler = make_scheduler(db, clock, channel)
    await stores_for(db).scheduler_state.set_checked_until(START)
    await scheduler.advance_to(START + timedelta(hours=3))
    assert [d.post.due_at for d in channel.deliveries] == [START + timedelta(hours=h) for h in (1, 2, 3)]
    assert not any(d.late for d in channel.deliveries)
    await scheduler.tick()
    await scheduler.tick()
    assert len(channel.deliveries) == 3
    assert [d.nonce for d in channel.deliveries] == [nonce_for(d.post.key) for d in channel.deliveries]


async def test_a_restart_posts_late_what_is_within_grace_and_skips_older(db, clock):
    channel = Channel()
    await stores_for(db).scheduler_state.set_checked_until(START)
    clock.advance(timedelta(hours=8, minutes=30))  # down from 07:00 to 15:30
    scheduler = make_scheduler(db, clock, channel)
    report = await scheduler.tick()
    made = [d.post.due_at.hour for d in channel.deliveries]
    assert made == [10, 11, 12, 13, 14, 15]  # within 6 hours of 15:30
    assert all(d.late for d in channel.deliveries)  # even 15:00 is half an hour late at 15:30
    assert [p.due_at.hour for p in report.skipped] == [8, 9]
    problems = await scheduler.problems(1)
    assert [(p.key.due_at.hour, p.status) for p in problems] == [(9, "skipped"), (8, "skipped")]
    assert "offline" in problems[0].last_error
    await scheduler.tick()
    assert len(channel.deliveries) == 6  # nothing again, skipped ones included


async def test_a_failing_server_never_stops_the_others(db, clock):
    channel = Channel()
    channel.broken_guilds = {2}
    scheduler = make_scheduler(db, clock, channel, HourlySource(guilds=(1, 2, 3)))
    await stores_for(db).scheduler_state.set_checked_until(START)
    await scheduler.advance_to(START + timedelta(hours=1))
    assert sorted(d.post.key.guild_id for d in channel.deliveries) == [1, 3]
    [problem] = await scheduler.problems(2)
    assert problem.status == "failed" and problem.last_error == "the channel was deleted"
    assert await scheduler.problems(1) == []


async def test_a_claim_left_by_a_crash_is_sent_again_with_its_nonce_after_the_lease(db, clock):
    channel = Channel()
    scheduler = make_scheduler(db, clock, channel)
    await stores_for(db).scheduler_state.set_checked_until(START)
    due = START + timedelta(hours=1)
    key = PostKey(1, "test", "hourly", due)
    clock.set(due)
    await stores_for(db).ledger.claim(key, 101, clock.now())  # sent, then the process died
    report = await scheduler.tick()
    assert report.in_progress and channel.deliveries == []
    # The window moves on; the ledger says when to look again: once the dead claimant's lease ran out.
    assert await stores_for(db).scheduler_state.checked_until() == due
    assert await scheduler.next_retry() == due + CLAIM_LEASE + timedelta(seconds=1)
    clock.advance(CLAIM_LEASE - timedelta(seconds=1))
    assert (await scheduler.tick()).retried == [] and channel.deliveries == []  # not before
    clock.advance(timedelta(seconds=2))
    await scheduler.tick()
    assert [d.nonce for d in channel.deliveries] == [nonce_for(key)]
    assert (await stores_for(db).ledger.get(key)).status == "posted"


async def test_the_first_start_posts_nothing_from_the_past(db, clock):
    channel = Channel()
    scheduler = make_scheduler(db, clock, channel)
    await scheduler.start()
    try:
        assert await stores_for(db).scheduler_state.checked_until() == START
        for _ in range(100):  # the catch-up tick runs as a job of its own
            if "nexus:due:test" in scheduler.alarms():
                break
            await asyncio.sleep(0.01)
        assert channel.deliveries == []
        # The alarm is set for 08:00 on the (frozen) clock: an hour of real time from now.
        assert abs(scheduler.alarms()["nexus:due:test"] - (datetime.now(UTC) + timedelta(hours=1))) < timedelta(
            minutes=1)
    finally:
        await scheduler.shutdown()


class FlakyChannel(Channel):
    """Discord having a bad minute: servers in `storm` answer with a reason that can pass."""

    def __init__(self):
        super().__init__()
        self.storm: set[int] = set()
        self.attempts = 0

    async def deliver(self, delivery: Delivery) -> int:
        self.attempts += 1
        if delivery.post.key.guild_id in self.storm:
            raise RetryLater("Discord answered 429 Too Many Requests", retry_after=2.0)
        return await super().deliver(delivery)


async def test_a_post_that_fails_for_a_passing_reason_is_retried_with_backoff_until_it_posts(db, clock):
    channel = FlakyChannel()
    channel.storm = {2}
    scheduler = make_scheduler(db, clock, channel, HourlySource(guilds=(1, 2, 3)))
    await stores_for(db).scheduler_state.set_checked_until(START)
    due = START + timedelta(hours=1)
    clock.set(due)
    report = await scheduler.tick()
    assert [p.key.guild_id for p in report.retrying] == [2]
    assert await stores_for(db).scheduler_state.checked_until() == due  # the window moves on regardless
    entry = await stores_for(db).ledger.get(PostKey(2, "test", "hourly", due))
    assert entry.retrying and entry.retry_at == due + RETRY_FIRST and "429" in entry.last_error
    [problem] = await scheduler.problems(2)  # shown to admins while it waits
    assert problem.retrying

    clock.set(due + RETRY_FIRST)
    await scheduler.tick()  # still storming: the wait doubles
    entry = await stores_for(db).ledger.get(PostKey(2, "test", "hourly", due))
    assert entry.attempts == 2 and entry.retry_at == due + RETRY_FIRST + 2 * RETRY_FIRST
    assert await scheduler.next_retry() == entry.retry_at

    channel.storm = set()
    clock.set(entry.retry_at)
    report = await scheduler.tick()
    assert [p.key.guild_id for p in report.posted] == [2]
    assert sorted(d.post.key.guild_id for d in channel.deliveries) == [1, 2, 3]  # each once
    assert (await stores_for(db).ledger.get(PostKey(2, "test", "hourly", due))).status == "posted"
    assert await scheduler.next_retry() is None and await scheduler.problems(2) == []
    await scheduler.tick()
    assert len(channel.deliveries) == 3


async def test_moving_the_clock_far_ahead_tries_a_post_again_at_its_retry_time(db, clock):
    """`advance_to` (the sandbox's `clock +3d`) stops at retries as the alarms would: the post is made
    at its retry time, not found past its grace window when the clock arrives."""
    channel = FlakyChannel()
    channel.storm = {1}
    scheduler = make_scheduler(db, clock, channel, OneHourSource())
    await stores_for(db).scheduler_state.set_checked_until(START)
    due = START + timedelta(hours=1)
    clock.set(due)
    await scheduler.tick()
    channel.storm = set()  # Discord is back
    await scheduler.advance_to(due + timedelta(days=1))
    assert [d.post.due_at for d in channel.deliveries] == [due]
    entry = await stores_for(db).ledger.get(PostKey(1, "test", "hourly", due))
    assert entry.status == "posted" and entry.posted_at == due + RETRY_FIRST


class OneHourSource(HourlySource):
    """The hourly post of 08:00 only."""

    def _hours(self, after, until):
        return (at for at in super()._hours(after, until) if at == START + timedelta(hours=1))

    async def next_due_after(self, moment):
        return next(self._hours(moment, moment + timedelta(hours=2)), None)


async def test_a_post_still_failing_when_the_grace_window_ends_is_skipped_with_its_reason(db, clock):
    channel = FlakyChannel()
    channel.storm = {1}
    scheduler = make_scheduler(db, clock, channel, OneHourSource())
    await stores_for(db).scheduler_state.set_checked_until(START)
    due = START + timedelta(hours=1)
    clock.set(due)
    await scheduler.tick()
    while (again := await scheduler.next_retry()) is not None:
        clock.set(again)
        await scheduler.tick()
    assert channel.attempts > 5 and channel.deliveries == []
    assert clock.now() - due > timedelta(hours=6)  # tried until the grace window ended, not after
    entry = await stores_for(db).ledger.get(PostKey(1, "test", "hourly", due))
    assert entry.status == "skipped" and entry.retry_at is None
    assert entry.last_error == "not posted within the 6 h grace window: Discord answered 429 Too Many Requests"
    [problem] = await scheduler.problems(1)
    assert problem.status == "skipped"


async def test_a_reason_that_cannot_pass_stops_the_post_at_once(db, clock):
    channel = Channel()
    channel.broken_guilds = {1}
    scheduler = make_scheduler(db, clock, channel)
    await stores_for(db).scheduler_state.set_checked_until(START)
    clock.set(START + timedelta(hours=1))
    report = await scheduler.tick()
    assert len(report.failed) == 1 and report.retrying == []
    [problem] = await scheduler.problems(1)
    assert problem.status == "failed" and not problem.retrying and await scheduler.next_retry() is None


async def test_a_post_no_longer_scheduled_when_retried_is_skipped_saying_so(db, clock):
    channel = FlakyChannel()
    channel.storm = {1}
    source = HourlySource()
    scheduler = make_scheduler(db, clock, channel, source)
    await stores_for(db).scheduler_state.set_checked_until(START)
    due = START + timedelta(hours=1)
    clock.set(due)
    await scheduler.tick()
    source.guilds = ()  # the server removed the prompt meanwhile
    clock.set(due + RETRY_FIRST)
    await scheduler.tick()
    entry = await stores_for(db).ledger.get(PostKey(1, "test", "hourly", due))
    assert entry.status == "skipped" and entry.last_error == "no longer scheduled when it was tried again"


class FakeTime:
    """Monotonic time that passes only when the pacer sleeps."""

    def __init__(self, monkeypatch):
        self.now = 100.0
        self.slept: list[float] = []
        real_sleep = asyncio.sleep

        async def sleep(seconds):
            self.slept.append(seconds)
            self.now += seconds
            await real_sleep(0)

        monkeypatch.setattr("bot.scheduling.pacing.asyncio.sleep", sleep)

    def __call__(self):
        return self.now


async def test_a_429_slows_the_pacer_and_a_global_one_holds_it_for_retry_after(monkeypatch):
    time = FakeTime(monkeypatch)
    pacer = Pacer(rate=40, monotonic=time)
    await pacer.wait()
    pacer.slow_down(0.0, is_global=False)
    assert pacer.rate == 20
    time.now += 1  # a second later: a new signal
    pacer.slow_down(3.0, is_global=True)
    assert pacer.rate == 10
    await pacer.wait()
    assert time.now >= 104.0  # nothing starts before the global retry_after has passed
    for _ in range(200):
        time.now += 1
        await pacer.wait()
    assert pacer.rate == 40  # and the rate comes back, request by request


async def test_the_429s_of_one_moment_halve_the_rate_once(monkeypatch):
    time = FakeTime(monkeypatch)
    pacer = Pacer(rate=40, monotonic=time)
    for _ in range(30):  # every request in flight answered 429 at once
        pacer.slow_down(1.0, is_global=True)
    assert pacer.rate == 20 and pacer.slowed_down == 30


async def test_a_slow_down_holds_the_turns_asked_before_it(monkeypatch):
    """A fan-out asks for all its turns at once: a global 429 met halfway holds the ones still waiting
    for retry_after, then they start one interval apart at the lowered rate, never in a burst."""
    time = FakeTime(monkeypatch)
    pacer = Pacer(rate=10, monotonic=time)
    started: list[float] = []

    async def send():
        await pacer.wait()
        started.append(time.now)
        if len(started) == 3:  # the third request is answered: global 429, retry after 2 s
            pacer.slow_down(2.0, is_global=True)

    await asyncio.gather(*(send() for _ in range(8)))
    assert [round(at, 3) for at in started[:3]] == [100.0, 100.1, 100.2]
    assert started[3] >= 102.2 - 1e-9  # held for retry_after
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(started[3:])]
    assert all(gap >= 0.1 - 1e-9 for gap in gaps), gaps  # then paced at 5 a second, coming back, not a burst


async def test_processes_on_other_shards_never_move_a_process_s_window(db, clock):
    """Two processes on shards 0 and 1 of 2: the shard-0 process ticks past a due hour while the
    shard-1 process is down (a restart); when shard 1's process comes back, its servers' posts of
    that hour are still made (late), none twice, and shard 0's window is its own."""
    from bot.shards import ShardPlan, shard_of

    guilds = (4 << 22, 5 << 22)  # guild 4<<22 is on shard 0 of 2, 5<<22 on shard 1
    assert [shard_of(g, 2) for g in guilds] == [0, 1]
    channel = Channel()
    state = stores_for(db).scheduler_state
    await state.set_checked_until(START)  # the one process this bot was, until today

    def process(ids):
        return make_scheduler(db, clock, channel, HourlySource(guilds), shards=ShardPlan(2, ids))

    shard_0, shard_1 = process((0,)), process((1,))
    clock.advance(timedelta(hours=1, minutes=5))
    await shard_0.tick()  # 08:05: shard 1's process is restarting
    assert [d.post.key.guild_id for d in channel.deliveries] == [guilds[0]]
    assert await state.checked_until(ShardPlan(2, (0,))) == clock.now()
    assert await state.checked_until(ShardPlan(2, (1,))) == START  # not yet its own row: the one row's
    clock.advance(timedelta(minutes=10))
    await shard_1.tick()  # 08:15: back, it catches up its own server's 08:00 post
    assert sorted(d.post.key.guild_id for d in channel.deliveries) == sorted(guilds)
    assert channel.deliveries[1].late
    assert await state.checked_until(ShardPlan(2, (0, 1))) == clock.now() - timedelta(minutes=10)  # the earlier
    assert await state.checked_until() == START  # the one row is the unsharded process's alone
    await shard_0.tick()
    await shard_1.tick()
    assert len(channel.deliveries) == 2


async def test_a_process_waits_only_for_the_claims_and_retries_of_its_own_shards(db, clock):
    """Another process's open claim (its send still on its way) and its post waiting to retry are its
    own to wait for: a process on other shards neither sets its retry alarm for them (it would wake
    every second until they completed) nor stops there while its clock is moved through a week,
    which made it skip its own posts as found late."""
    from bot.shards import ShardPlan

    guilds = (4 << 22, 5 << 22)  # on shards 0 and 1 of 2
    channel = Channel()
    state = stores_for(db).scheduler_state
    await state.set_checked_until(START)

    def process(ids):
        return make_scheduler(db, clock, channel, HourlySource(guilds), shards=ShardPlan(2, ids))

    shard_0, shard_1 = process((0,)), process((1,))
    due = START + timedelta(hours=1)
    ledger = stores_for(db).ledger
    await ledger.claim(PostKey(guilds[1], "test", "hourly", due), 101, due)  # shard 1's send on its way
    assert await shard_0.next_retry() is None
    assert await shard_1.next_retry() == due + CLAIM_LEASE + timedelta(seconds=1)
    later = due + timedelta(hours=1)
    await ledger.claim(PostKey(guilds[1], "test", "hourly", later), 101, later)
    await ledger.fail(PostKey(guilds[1], "test", "hourly", later), "Discord answered 503", later + RETRY_FIRST)
    assert await shard_0.next_retry() is None
    # Moved through three hours, shard 0's process makes each of its own posts at its own hour.
    reports = await shard_0.advance_to(START + timedelta(hours=3, minutes=30))
    made = [post for report in reports for post in report.posted]
    assert [post.key.guild_id for post in made] == [guilds[0]] * 3
    assert not any(report.skipped for report in reports)
    assert all(not d.late for d in channel.deliveries)
    # The stale claim and the retry are shard 1's: its process finds them, shard 0's never did.
    clock.set(later + CLAIM_LEASE + timedelta(seconds=1))
    again = await ledger.due_again(["test"], clock.now(), clock.now() - CLAIM_LEASE, shards=ShardPlan(2, (1,)))
    assert {entry.key.due_at for entry in again} == {due, later}
    assert await ledger.due_again(["test"], clock.now(), clock.now() - CLAIM_LEASE, shards=ShardPlan(2, (0,))) == []


async def test_a_fan_out_makes_a_bounded_number_of_posts_at_a_time(db, clock):
    """Posts due together go out concurrently, but at most MAKING_AT_ONCE at a time: thousands of
    servers' ledger claims queued at once would stand between the pacer and the first post."""
    making = most = 0

    class Slow(Channel):
        async def deliver(self, delivery):
            nonlocal making, most
            making += 1
            most = max(most, making)
            await asyncio.sleep(0.1)  # Discord taking its time: the next posts are being made meanwhile
            making -= 1
            return await super().deliver(delivery)

    channel = Slow()
    servers = MAKING_AT_ONCE * 3
    scheduler = make_scheduler(db, clock, channel, HourlySource(guilds=range(1, servers + 1)))
    await stores_for(db).scheduler_state.set_checked_until(START)
    clock.set(START + timedelta(hours=1))
    report = await scheduler.tick()
    assert len(report.posted) == servers
    assert most == MAKING_AT_ONCE


async def test_an_alarm_rung_ahead_works_out_the_posts_first_and_makes_them_at_their_due_time(db):
    """A source's alarm rings PREPARE_AHEAD early: what is due is worked out then (thousands of
    servers' posts take a second), and the posts are made when the clock reads the due time, never
    before it. The real clock, 1.5 s before the hour."""
    clock = Clock()
    due = START + timedelta(hours=1)
    clock.set(due - timedelta(seconds=1.5))
    asked_at: list[datetime] = []
    made_at: list[datetime] = []

    class Watched(HourlySource):
        async def due_between(self, after, until):
            asked_at.append(clock.now())
            return await super().due_between(after, until)

    class Timed(Channel):
        async def deliver(self, delivery):
            made_at.append(clock.now())
            return await super().deliver(delivery)

    scheduler = make_scheduler(db, clock, Timed(), Watched(guilds=(1, 2, 3)))
    await stores_for(db).scheduler_state.set_checked_until(START)
    report = await scheduler.tick(at=due)
    assert len(report.posted) == 3 and not any(post.key.due_at != due for post in report.posted)
    assert asked_at and asked_at[0] < due - timedelta(seconds=1)  # worked out ahead
    assert min(made_at) >= due  # made at the due time, not before
    assert await stores_for(db).scheduler_state.checked_until() == due


async def test_an_alarm_for_a_time_further_ahead_than_it_could_ring_makes_nothing_early(db):
    """A due time further ahead than PREPARE_AHEAD (the clock was moved back meanwhile): the tick
    looks up to now only, and waits for nothing."""
    clock = Clock()
    due = START + timedelta(hours=1)
    clock.set(due - PREPARE_AHEAD - timedelta(minutes=5))
    channel = Channel()
    scheduler = make_scheduler(db, clock, channel, HourlySource(guilds=(1,)))
    await stores_for(db).scheduler_state.set_checked_until(START)
    report = await scheduler.tick(at=due)
    assert not report.posted and not channel.deliveries
