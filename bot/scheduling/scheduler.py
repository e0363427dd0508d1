"""The scheduler every timed feature shares: APScheduler is the alarm clock, the database the calendar.

- Sources (prompts, week one, request expiry…) say what falls due between two moments, reading the
  database each time; the scheduler never keeps a schedule of its own.
- A tick looks at (checked_until, now]: each due post goes through the once-only poster (a ledger
  claim, then a send with a nonce derived from the claim) to the delivery handler its kind's cog
  registered. `checked_until` is stored, so after a restart the first tick catches up: a post due
  within the grace window is made, marked late; an older one is recorded as skipped, never posted.
- The window always moves on; what must be tried again is the ledger's to say: a post that failed
  for a reason that can pass (429, 5xx, a timeout) at its retry time, with backoff, and a claim whose
  claimant died (kill -9 mid fan-out) once its lease has run out. Each is found again through its
  source and made then, or recorded as skipped with why when the grace window has ended. One alarm
  waits for the earliest of them, so a restart with claims still held waits quietly, never spins.
- A post that will not be made (stopped for a reason that cannot pass, or given up) is told to the
  `on_stopped` listeners: the admin cog's notice.
- APScheduler (`AsyncIOScheduler`) holds one alarm per source, a `DateTrigger` PREPARE_AHEAD before
  that source's next due time (the tick works out what is due, then makes it at the due time),
  rebuilt after every tick and whenever an admin changes something (`reschedule`).
  Fire times themselves come from `CronTrigger` (see `weekly.py`).
- Posts due at the same moment (one prompt in 500 servers) go out concurrently, paced under
  Discord's global rate limit, slower after Discord answered 429 (`Pacer.slow_down`); a failure in
  one server is recorded and never stops the others.
- The clock can be moved (tests, the sandbox's `clock +3d`): `advance_to` steps through every due
  time on the way, in order, so each post is made once, at its own moment, never "late".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.posting import CLAIM_LEASE, OnceOnlyPoster, PostFailed, PostOutcome, RetryLater
from bot.scheduling.calendar import Calendar
from bot.scheduling.ledger import LedgerEntry, PostKey, PostLedgerRepository, SchedulerStateRepository
from bot.scheduling.pacing import Pacer
from bot.scheduling.sources import Delivery, DeliveryHandler, DuePost, PostSource
from bot.shards import ShardPlan

log = logging.getLogger(__name__)

StopListener = Callable[[PostKey, str], Awaitable[object]]

# A post this much past its due time is "late" (the bot was down); under it, it is on time.
LATE_AFTER = timedelta(minutes=5)
RETRY_JOB = "nexus:retry"
RETRY_FLOOR = timedelta(seconds=1)
MISSED_JOB = "nexus:missed"
CATCH_UP_JOB = "nexus:catch-up"
# Posts being made at once in a fan-out: enough that the pacer always has the next turn's post waiting
# while the sends before it are on their way (50 a second with Discord's answer taking up to a second).
MAKING_AT_ONCE = 64
# A source's alarm rings this long before its due time: the tick works out what is due (5,000
# servers' posts: a second) and makes it when the due time comes, not that second after it.
PREPARE_AHEAD = timedelta(seconds=3)


@dataclass
class TickReport:
    """What one tick did, for logs and tests."""

    posted: list[DuePost] = field(default_factory=list)
    skipped: list[DuePost] = field(default_factory=list)  # found past the grace window
    left_out: list[DuePost] = field(default_factory=list)  # the calendar's repeats of a post within the hour
    failed: list[DuePost] = field(default_factory=list)  # stopped: a reason that cannot pass
    retrying: list[DuePost] = field(default_factory=list)  # a reason that can pass: tried again later
    in_progress: list[DuePost] = field(default_factory=list)
    retried: list[DuePost] = field(default_factory=list)  # found again through the ledger this tick


class Scheduler:
    def __init__(
        self,
        poster: OnceOnlyPoster,
        ledger: PostLedgerRepository,
        state: SchedulerStateRepository,
        clock: Clock,
        grace: timedelta,
        pacer: Pacer | None = None,
        shards: ShardPlan | None = None,
    ) -> None:
        """`shards`: the shards this process holds; it schedules only their servers' posts, and
        keeps its own window of how far it has looked (one per shard); None: every server. Another
        process holding the same shard by mistake changes nothing members see: the ledger's claims
        make each post once whoever fires it."""
        self._poster = poster
        self._ledger = ledger
        self._state = state
        self._clock = clock
        self.grace = grace
        self._pacer = pacer or Pacer()
        self._shards = shards
        self._owns = shards.owns if shards else (lambda _guild_id: True)
        self._sources: dict[str, PostSource] = {}
        self.calendar = Calendar(self._sources)  # reads the sources as they are added
        self._handlers: dict[str, DeliveryHandler] = {}
        self._alarms: AsyncIOScheduler | None = None
        self._tick_lock = asyncio.Lock()
        self._running: set[asyncio.Task[object]] = set()
        self._tick_hooks: list[Callable[[], Awaitable[object]]] = []
        self._stop_listeners: list[StopListener] = []
        self._caught_up = asyncio.Event()
        self.catch_up_report: TickReport | None = None  # what the start's first tick did

    # --- wiring ------------------------------------------------------------------------------

    @property
    def pacer(self) -> Pacer:
        """The fan-out's pace, which the bot slows down when Discord answers 429."""
        return self._pacer

    @property
    def shards(self) -> ShardPlan | None:
        """The shards whose servers' posts this process schedules (None: every server's). The sources
        read and work out those servers' schedules only: four processes do not each work out every
        server's, three quarters of it for nothing. (`upcoming`, one server's, is never filtered: it
        is asked by the process that server's interactions reach.)"""
        return self._shards

    def add_source(self, source: PostSource) -> None:
        self._sources[source.kind] = source

    def set_delivery(self, kind: str, handler: DeliveryHandler) -> None:
        """A cog registers how posts of `kind` reach Discord (data flows scheduler → cog, never back)."""
        self._handlers[kind] = handler

    def remove_delivery(self, kind: str) -> None:
        self._handlers.pop(kind, None)

    def after_tick(self, hook: Callable[[], Awaitable[object]]) -> None:
        """Work a feature resumes after every tick (a pairing round a crash cut short): run once the
        tick's posts are made, each hook on its own, a failure logged and never stopping the rest."""
        self._tick_hooks.append(hook)

    def remove_after_tick(self, hook: Callable[[], Awaitable[object]]) -> None:
        if hook in self._tick_hooks:
            self._tick_hooks.remove(hook)

    # --- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the alarm clock (once, from `setup_hook`, never `on_ready`, which fires again after
        every reconnect) with a first tick at once, which catches up on what fell due while down.
        The tick runs as a job of its own, so logging in never waits for a catch-up."""
        if self._alarms is not None:
            return
        if await self._state.checked_until(self._shards) is None:
            # A first start: nothing before this moment was ever scheduled to be posted.
            await self._state.set_checked_until(self._clock.now(), self._shards)
        self._alarms = AsyncIOScheduler(timezone=UTC)
        self._alarms.start()
        self._alarms.add_job(self._catch_up, id=CATCH_UP_JOB, misfire_grace_time=None)

    async def shutdown(self) -> None:
        """Stop the alarms and any tick they started, before the database closes under it."""
        if self._alarms is not None:
            self._alarms.shutdown(wait=False)
            self._alarms = None
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _alarm(self, due: datetime | None = None) -> None:
        """What an alarm runs: a tick, tracked so shutdown can stop it, its failure logged. A source's
        alarm rings PREPARE_AHEAD before its `due` time, and the tick posts at it (see `tick`)."""
        await self._tracked(self.tick(at=due), "a scheduled tick", "the next alarm tries again")

    async def _catch_up(self) -> None:
        """The start's first tick, its report kept: what fell due while the bot was down."""
        async def tick() -> None:
            self.catch_up_report = await self.tick()

        try:
            await self._tracked(tick(), "the catch-up tick at start", "the next alarm tries again")
        finally:
            self._caught_up.set()

    async def caught_up(self) -> TickReport | None:
        """Once the start's catch-up tick has run, its report: the posts made late (due within the
        grace window while the bot was down) and those skipped (due before it); None if it failed.
        For the sandbox's rehearsed downtime and tests."""
        await self._caught_up.wait()
        return self.catch_up_report

    async def _tracked(self, work: Awaitable[object], what: str, then: str) -> None:
        """Run a job's work as a task shutdown can stop; a failure is logged, never raised into
        APScheduler. Only `shutdown` cancels: the bot is stopping, and what was not finished stays
        due (the ledger and checked_until say so), so the next start catches it up."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await work
        except asyncio.CancelledError:
            log.debug("%s was stopped by shutdown", what)
        except Exception:
            log.exception("%s failed; %s", what, then)
        finally:
            if task is not None:
                self._running.discard(task)

    # --- what is due ---------------------------------------------------------------------------

    async def tick(self, at: datetime | None = None) -> TickReport:
        """Post everything due up to now, once; then set the alarms for what comes next. With `at` a
        moment just ahead (an alarm rung PREPARE_AHEAD early), the posts due by then are worked out
        first and made when the clock reads it: thousands of servers' posts are ready at the due
        moment instead of being worked out after it."""
        async with self._tick_lock:
            report = await self._run_due(self._clock.now(), at)
        await self.reschedule()
        for hook in list(self._tick_hooks):
            try:
                await hook()
            except Exception:
                log.exception("work resumed after a tick failed; the next tick tries again")
        return report

    def make_missed(self, posts: list[DuePost]) -> None:
        """Make, in the background, posts that were due before the scheduler's window but are only
        now scheduled (a cohort start set in the past): each once through the ledger, marked late.
        The caller passes only posts inside the grace window; the bot not yet started makes none."""
        if self._alarms is None or not posts:
            return
        self._alarms.add_job(self._make_missed, args=[list(posts)], id=f"{MISSED_JOB}:{id(posts)}",
                             misfire_grace_time=None)

    async def _make_missed(self, posts: list[DuePost]) -> None:
        await self._tracked(self._make_each(posts), "making missed posts", "they stay as the ledger says")

    async def _make_each(self, posts: list[DuePost]) -> None:
        async with self._tick_lock:
            report = TickReport()
            now = self._clock.now()
            for _due_at, batch in _by_due_time(posts):
                await self._make_all(batch, now, report)

    async def advance_to(self, moment: datetime) -> list[TickReport]:
        """Move the clock forward to `moment`, stopping at every due time on the way (in order) so
        each post is made at its own moment, and at every retry the ledger holds, as the alarms would
        (a post waiting out Discord's bad minute is tried then, not found past its grace at the end).
        For tests and the sandbox."""
        reports = []
        previous: datetime | None = None
        while True:
            step = await self.next_step()
            if step is None or step > moment or step == previous:  # the same step again: nothing moved
                break
            previous = step
            if step > self._clock.now():
                self._clock.set(step)
            reports.append(await self.tick())
        if moment > self._clock.now():
            self._clock.set(moment)
        reports.append(await self.tick())
        return reports

    async def next_step(self) -> datetime | None:
        """The next moment this scheduler has something to do: the first due time after the window
        it checked, or a retry the ledger holds. (The sandbox moves one clock through the steps of
        two schedulers, as `advance_to` does through one's.)"""
        checked = await self._state.checked_until(self._shards) or self._clock.now()
        upcoming = [due for source in self._sources.values()
                    if (due := await source.next_due_after(checked)) is not None]
        if (again := await self.next_retry()) is not None:
            upcoming.append(again)
        return min(upcoming, default=None)

    async def _run_due(self, now: datetime, at: datetime | None = None) -> TickReport:
        report = TickReport()
        # An alarm rung early looks as far as its due time (never further than it could have rung
        # early: a clock moved meanwhile makes nothing ahead of time).
        early = at is not None and timedelta(0) < at - now <= PREPARE_AHEAD + timedelta(seconds=1)
        until = at if early and at is not None else now
        checked = await self._state.checked_until(self._shards) or now
        due: list[DuePost] = []
        if until > checked:
            entries = await self.calendar.due_between(checked, until)
            if early:  # worked out ahead: made when the due time comes, and counted as made then
                ahead = (until - self._clock.now()).total_seconds()
                if ahead > 0:
                    await asyncio.sleep(ahead)
                now = until
            for entry in entries:
                if not self._owns(entry.post.key.guild_id):
                    continue  # another process's server
                if entry.made:
                    due.append(entry.post)
                else:
                    await self._leave_out_repeat(entry.post, entry.repeats, now, report)
            # In order of due time; posts due together (one prompt in many servers) go out concurrently.
            for _due_at, batch in _by_due_time(due):
                await self._make_all(batch, now, report)
            # The window moves on whatever happened: a post to try again (a passing failure, a claim
            # whose claimant died) is found again through the ledger, at its own time.
            await self._state.set_checked_until(until, self._shards)
        again = await self._try_again(now, report)
        if due or again:
            log.info("scheduled posts due by %s: %d posted, %d skipped, %d failed, %d to retry, %d held by an "
                     "earlier claim", now.isoformat(timespec="seconds"), len(report.posted), len(report.skipped),
                     len(report.failed), len(report.retrying), len(report.in_progress))
        if report.in_progress:
            looked_at = await self.next_retry()
            log.info("%d scheduled posts are held by an earlier claim (a restart, or another process): tried "
                     "again once the %d s claim lease has run out, at %s", len(report.in_progress),
                     CLAIM_LEASE.total_seconds(),
                     looked_at.isoformat(timespec="seconds") if looked_at else "the next tick")
        return report

    async def _try_again(self, now: datetime, report: TickReport) -> int:
        """Posts the ledger says to try again now: a passing failure whose retry time has come, a claim
        whose claimant died. Each is found again through its source, so it is made with what is true
        now; one past the grace window, or no longer scheduled, is recorded as skipped with why."""
        entries = await self._ledger.due_again(list(self._sources), now, stale_before=now - CLAIM_LEASE,
                                               shards=self._shards)
        posts: list[DuePost] = []
        found: dict[tuple[str, datetime], list[DuePost]] = {}
        for entry in entries:
            key = entry.key
            assert key.due_at is not None  # due_again reads scheduled posts only
            if now - key.due_at > self.grace:
                hours = self.grace.total_seconds() / 3600
                reason = (f"not posted within the {hours:g} h grace window: {entry.last_error}" if entry.last_error
                          else f"the bot stopped while posting it and the {hours:g} h grace window ended")
                if await self._ledger.give_up(key, reason):
                    log.warning("gave up %s %s in server %s: %s", key.kind, key.ref, key.guild_id, reason)
                    await self._stopped(key, reason)
                continue
            group = (key.kind, key.due_at)
            if group not in found:
                source = self._sources[key.kind]
                found[group] = await source.due_between(key.due_at - timedelta(microseconds=1), key.due_at)
            post = next((p for p in found[group] if p.key == key), None)
            if post is None:
                if await self._ledger.give_up(key, "no longer scheduled when it was tried again"):
                    log.info("%s %s in server %s is no longer scheduled: not tried again", key.kind, key.ref,
                             key.guild_id)
                continue
            posts.append(post)
        for post in posts:
            report.retried.append(post)
        await self._make_all(posts, now, report)
        return len(entries)

    async def _stopped(self, key: PostKey, reason: str) -> None:
        """A post will not be made: each listener is told (the admin's notice), a failure logged."""
        for listener in list(self._stop_listeners):
            try:
                await listener(key, reason)
            except Exception:
                log.exception("telling about the stopped post %s %s in server %s failed", key.kind, key.ref,
                              key.guild_id)

    def on_stopped(self, listener: StopListener) -> None:
        """`listener(key, reason)` is awaited for every scheduled post that will not be made: stopped
        for a reason that cannot pass, or given up when the grace window ended."""
        self._stop_listeners.append(listener)

    def remove_on_stopped(self, listener: StopListener) -> None:
        if listener in self._stop_listeners:
            self._stop_listeners.remove(listener)

    async def _leave_out_repeat(self, post: DuePost, repeats: DuePost | None, now: datetime,
                                report: TickReport) -> None:
        """A post the calendar leaves out (it says what another said within the hour): recorded as
        skipped with the post it would repeat, so `/nexus status` tells the admin why."""
        assert repeats is not None
        reason = f"it would repeat the {repeats.label} due {repeats.due_at.isoformat(timespec='minutes')}"
        if await self._ledger.skip(post.key, post.channel_id, reason, now):
            log.info("left out %s in server %s: %s", post.label, post.key.guild_id, reason)
        report.left_out.append(post)

    async def _make_all(self, posts: list[DuePost], now: datetime, report: TickReport) -> None:
        """Make `posts` concurrently, at most MAKING_AT_ONCE at a time, in order. The pacer sets the
        pace anyway; unbounded, 5,000 servers' ledger claims would all queue for the database at once,
        in front of the pacer's own turns (on PostgreSQL, a query each), and the first post would wait
        for the last claim."""
        pending = iter(posts)

        async def worker() -> None:
            for post in pending:  # one iterator shared by the workers: each post is taken once
                await self._make(post, now, report)

        await asyncio.gather(*(worker() for _ in range(min(MAKING_AT_ONCE, len(posts)))))

    async def _make(self, post: DuePost, now: datetime, report: TickReport) -> None:
        overdue = now - post.due_at
        if overdue > self.grace:
            hours = self.grace.total_seconds() / 3600
            if await self._ledger.skip(post.key, post.channel_id,
                                       f"the bot was offline when it was due (more than {hours:g} h ago)", now):
                log.warning("skipped %s in server %s: due %s, found %s later", post.label, post.key.guild_id,
                            post.due_at.isoformat(), overdue)
            report.skipped.append(post)
            return

        async def send(nonce: str) -> int:
            handler = self._handlers.get(post.key.kind)
            if handler is None:  # its cog is not loaded yet: not the post's fault, so it stays due
                raise RetryLater(f"nothing delivers {post.key.kind} posts yet")
            async with self._pacer.turn(post.requests):
                return await handler(Delivery(post, nonce, late=overdue > LATE_AFTER))

        try:
            result = await self._poster.post(post.key, post.channel_id, send)
        except RetryLater as exc:  # recorded with its retry time by the poster
            log.info("will retry %s in server %s: %s", post.label, post.key.guild_id, exc)
            report.retrying.append(post)
            return
        except Exception as exc:  # recorded in the ledger by the poster; one server never stops the rest
            log.warning("could not post %s in server %s: %s", post.label, post.key.guild_id, exc)
            report.failed.append(post)
            await self._stopped(post.key, str(exc) if isinstance(exc, PostFailed) else "an unexpected error")
            return
        if result.outcome is PostOutcome.IN_PROGRESS:
            report.in_progress.append(post)
        elif result.outcome is PostOutcome.POSTED:
            report.posted.append(post)

    # --- alarms --------------------------------------------------------------------------------

    async def reschedule(self) -> None:
        """Set each source's alarm at its next due time (after a tick, or when an admin changed a
        schedule), and one alarm at the ledger's next retry. APScheduler runs on real time; the clock
        may be moved, so each due time is turned into the real moment it will be reached."""
        if self._alarms is None:
            return
        now = self._clock.now()
        checked = await self._state.checked_until(self._shards) or now
        real_now = datetime.now(UTC)
        drift = now - real_now
        for kind, source in self._sources.items():
            due = await source.next_due_after(checked)
            job_id = f"nexus:due:{kind}"
            if due is None:
                if self._alarms.get_job(job_id) is not None:
                    self._alarms.remove_job(job_id)
                continue
            self._alarms.add_job(self._alarm, DateTrigger(run_date=due - drift - PREPARE_AHEAD), args=[due],
                                 id=job_id, replace_existing=True,
                                 misfire_grace_time=None, coalesce=True)
        again = await self.next_retry()
        if again is None:
            if self._alarms.get_job(RETRY_JOB) is not None:
                self._alarms.remove_job(RETRY_JOB)
            return
        # Never sooner than a second from now: whatever a retry finds, it cannot make the alarms spin.
        run_at = max(again - drift, real_now + RETRY_FLOOR)
        self._alarms.add_job(self._alarm, DateTrigger(run_date=run_at), id=RETRY_JOB, replace_existing=True,
                             misfire_grace_time=None, coalesce=True)

    async def next_retry(self) -> datetime | None:
        """When the ledger next has a post to try again: a retry time, or a claim's lease running out."""
        retry_at, claimed_at = await self._ledger.next_again(list(self._sources), self._shards)
        # Stored times have whole seconds: a second more makes sure the lease has run out by then.
        lease_out = claimed_at + CLAIM_LEASE + timedelta(seconds=1) if claimed_at else None
        return min((t for t in (retry_at, lease_out) if t is not None), default=None)

    def busy(self) -> bool:
        """True while a tick runs, or missed posts are being made or wait to start: a test (or the
        console) waits for it to turn False before it checks that nothing more is posted."""
        if self._running or self._tick_lock.locked():
            return True
        return self._alarms is not None and any(job.id.startswith(MISSED_JOB) for job in self._alarms.get_jobs())

    def alarms(self) -> dict[str, datetime]:
        """The alarms set (job id → real fire time), for tests and status."""
        if self._alarms is None:
            return {}
        return {job.id: job.next_run_time for job in self._alarms.get_jobs() if job.next_run_time is not None}

    # --- for admins ----------------------------------------------------------------------------

    async def upcoming(self, guild_id: int, limit: int = 3) -> list[DuePost]:
        return await self.calendar.next_posts(guild_id, self._clock.now(), limit)

    async def problems(self, guild_id: int, days: int = 7) -> list[LedgerEntry]:
        """Failed and skipped posts of this server in the last `days` days."""
        return await self._ledger.problems(guild_id, self._clock.now() - timedelta(days=days))


def _by_due_time(posts: Iterable[DuePost]) -> list[tuple[datetime, list[DuePost]]]:
    """Batches in order of due time, then stage; a batch's posts go out concurrently."""
    batches: dict[tuple[datetime, int], list[DuePost]] = {}
    for post in posts:
        batches.setdefault((post.due_at, post.stage), []).append(post)
    return [(due_at, batch) for (due_at, _stage), batch in sorted(batches.items(), key=lambda item: item[0])]
