"""When prompts fall due, as the scheduler asks the PromptSource (real SQLite file, no clock): wall
clock in the server's time zone across DST, program weeks counted from the cohort start, only
running prompts of servers with a channel."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.guild_setup.model import GuildConfig
from bot.learners.service import LearnerService
from bot.prompts.model import Prompt
from bot.prompts.source import PromptSource
from bot.scheduling import WeeklyTime
from bot.stores import stores_for

MONDAY, WEDNESDAY, FRIDAY, SUNDAY = 0, 2, 4, 6
PROGRAM_WEEKS = 12
SAVED_AT = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
async def db(engine_db):  # each test runs on SQLite and on PostgreSQL (tests/engines.py)
    return engine_db


async def server(db, guild_id=1, *, timezone="Africa/Lagos", cohort_start=None, channel_id=100):
    config = GuildConfig(guild_id, channel_id, None, None, cohort_start, timezone, None, "")
    await stores_for(db).guild_configs.save(config, SAVED_AT)


async def prompt(db, key, weekday, at, *, guild_id=1, weeks=(), paused=False, thread=False):
    added = Prompt(guild_id, key, weekday, at, f"{key} text, week {{week}}", weeks, thread, paused)
    assert await stores_for(db).prompts.add(added, None, SAVED_AT)


def source(db):
    learners = LearnerService(stores_for(db).projects, stores_for(db).pairing, knowledge=None)  # counts only
    return PromptSource(stores_for(db).prompts, learners, PROGRAM_WEEKS)


def local(instant, zone):
    return instant.astimezone(WeeklyTime(0, time(0), zone).zone).strftime("%a %Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        ("Europe/London", datetime(2027, 3, 20, tzinfo=UTC),
         ["Mon 2027-03-22 09:00 GMT", "Mon 2027-03-29 09:00 BST", "Mon 2027-04-05 09:00 BST"]),
        ("America/New_York", datetime(2026, 10, 27, tzinfo=UTC),
         ["Mon 2026-11-02 09:00 EST", "Mon 2026-11-09 09:00 EST", "Mon 2026-11-16 09:00 EST"]),
        ("Asia/Kolkata", datetime(2027, 3, 20, tzinfo=UTC),
         ["Mon 2027-03-22 09:00 IST", "Mon 2027-03-29 09:00 IST", "Mon 2027-04-05 09:00 IST"]),
    ],
)
async def test_a_prompt_without_a_cohort_start_runs_every_week_at_its_local_time(db, zone, after, expected):
    await server(db, timezone=zone)
    await prompt(db, "monday-goals", MONDAY, time(9, 0))
    due = await source(db).due_between(after, after + timedelta(days=21))
    assert [local(p.due_at, zone) for p in due] == expected
    # The same instants the scheduling core's rule gives.
    rule = WeeklyTime(MONDAY, time(9, 0), zone)
    assert [p.due_at for p in due] == rule.fire_times(after, after + timedelta(days=21))
    assert {(p.key.kind, p.key.ref, p.channel_id, p.label) for p in due} == {
        ("prompt", "monday-goals", 100, "weekly prompt monday-goals")}


async def test_a_time_the_clocks_skip_is_posted_once_at_the_first_minute_after(db):
    await server(db, timezone="Europe/London")
    await prompt(db, "night-owl", SUNDAY, time(1, 30))  # 01:00-02:00 does not exist on 28 March 2027
    after = datetime(2027, 3, 20, tzinfo=UTC)
    due = await source(db).due_between(after, after + timedelta(days=16))
    assert [local(p.due_at, "Europe/London") for p in due] == [
        "Sun 2027-03-21 01:30 GMT", "Sun 2027-03-28 02:00 BST", "Sun 2027-04-04 01:30 BST"]


async def test_an_ambiguous_time_is_posted_once(db):
    await server(db, timezone="America/New_York")
    await prompt(db, "night-owl", SUNDAY, time(1, 30))  # 01:30 happens twice on 1 November 2026
    after = datetime(2026, 10, 30, tzinfo=UTC)
    due = await source(db).due_between(after, after + timedelta(days=3))
    assert [local(p.due_at, "America/New_York") for p in due] == ["Sun 2026-11-01 01:30 EDT"]


async def test_program_weeks_count_from_the_cohort_start(db):
    # The cohort starts on a Wednesday: week 1 is Wednesday 2 to Tuesday 8 December 2026.
    await server(db, cohort_start=date(2026, 12, 2))
    await prompt(db, "announce", MONDAY, time(10, 0), weeks=(1,))
    await prompt(db, "partner", MONDAY, time(10, 0), weeks=(2,))
    await prompt(db, "wednesday-check", WEDNESDAY, time(13, 0))
    due = await source(db).due_between(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC))
    assert [(p.key.ref, local(p.due_at, "Africa/Lagos")) for p in sorted(due, key=lambda p: p.due_at)] == [
        ("wednesday-check", "Wed 2026-12-02 13:00 WAT"),  # day 1, not the Wednesday before
        ("announce", "Mon 2026-12-07 10:00 WAT"),  # the Monday of week 1 is its sixth day
        ("wednesday-check", "Wed 2026-12-09 13:00 WAT"),
        ("partner", "Mon 2026-12-14 10:00 WAT"),
        ("wednesday-check", "Wed 2026-12-16 13:00 WAT"),
    ]
    weeks = {p.key.ref: p.payload.week for p in due if p.key.ref != "wednesday-check"}
    assert weeks == {"announce": 1, "partner": 2}
    assert [p.payload.text for p in due if p.key.ref == "partner"] == ["partner text, week 2"]


async def test_every_week_prompts_stop_when_the_program_ends(db):
    await server(db, cohort_start=date(2026, 12, 7))  # a Monday; week 12 ends on Sunday 28 February 2027
    await prompt(db, "friday-show", FRIDAY, time(16, 0))
    due = await source(db).due_between(datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
    assert len(due) == PROGRAM_WEEKS
    assert local(due[-1].due_at, "Africa/Lagos") == "Fri 2027-02-26 16:00 WAT"
    assert [p.payload.week for p in due] == list(range(1, PROGRAM_WEEKS + 1))
    assert await source(db).next_due_after(due[-1].due_at) is None


async def test_a_prompt_tied_to_weeks_waits_for_a_cohort_start(db):
    await server(db, cohort_start=None)
    await prompt(db, "announce", MONDAY, time(10, 0), weeks=(1,))
    assert await source(db).due_between(SAVED_AT, SAVED_AT + timedelta(days=400)) == []
    assert await source(db).next_due_after(SAVED_AT) is None


async def test_paused_prompts_and_servers_without_a_channel_are_not_due(db):
    await server(db, 1)
    await server(db, 2, channel_id=None)
    await prompt(db, "monday-goals", MONDAY, time(9, 0), guild_id=1, paused=True)
    await prompt(db, "monday-goals", MONDAY, time(9, 0), guild_id=2)
    await prompt(db, "friday-show", FRIDAY, time(16, 0), guild_id=1)
    due = await source(db).due_between(SAVED_AT, SAVED_AT + timedelta(days=7))
    assert [(p.key.guild_id, p.key.ref) for p in due] == [(1, "friday-show")]


async def test_next_due_and_upcoming(db):
    await server(db, 1, timezone="UTC")
    await server(db, 2, timezone="Asia/Kolkata")  # 09:00 there is 03:30 UTC
    await prompt(db, "monday-goals", MONDAY, time(9, 0), guild_id=1)
    await prompt(db, "wednesday-check", WEDNESDAY, time(13, 0), guild_id=1)
    await prompt(db, "monday-goals", MONDAY, time(9, 0), guild_id=2, thread=True)
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert await source(db).next_due_after(sunday) == datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
    upcoming = await source(db).upcoming(1, sunday, 3)
    assert [(p.key.ref, p.due_at) for p in upcoming] == [
        ("monday-goals", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("wednesday-check", datetime(2026, 12, 9, 13, 0, tzinfo=UTC)),
        ("monday-goals", datetime(2026, 12, 14, 9, 0, tzinfo=UTC)),
    ]
    [in_kolkata] = await source(db).due_between(sunday, datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
    assert in_kolkata.requests == 2  # the post and the thread opened on it
    assert in_kolkata.payload.thread_name == "Monday goals · Monday 7 December 2026"


async def test_a_sharded_process_reads_and_works_out_only_its_own_servers_schedules(db):
    """Servers on shards 0 and 1 of 2: a process holding shard 1 reads only shard 1's prompts, week-one
    servers and round servers from the database (on either engine), and its sources work out only
    theirs; one server's own (`upcoming`) is read whoever asks."""
    from bot.shards import ShardPlan, shard_of
    from bot.week_one.source import WeekOneSource

    on_shard = {0: 4 << 22, 1: 5 << 22}
    assert {shard: shard_of(guild_id, 2) for shard, guild_id in on_shard.items()} == {0: 0, 1: 1}
    for guild_id in on_shard.values():
        await server(db, guild_id, cohort_start=date(2027, 1, 4))
        await prompt(db, "monday-goals", MONDAY, time(9, 0), guild_id=guild_id)
    stores = stores_for(db)
    shard_1 = ShardPlan(2, (1,))
    assert {item.server.guild_id for item in await stores.prompts.scheduled(shards=shard_1)} == {on_shard[1]}
    assert {item.server.guild_id for item in await stores.prompts.scheduled()} == set(on_shard.values())
    assert [s.guild_id for s in await stores.week_one.servers(shards=shard_1)] == [on_shard[1]]
    assert [s.guild_id for s in await stores.rounds.round_servers(shards=shard_1)] == [on_shard[1]]
    both = ShardPlan(2, (0, 1))
    assert {s.guild_id for s in await stores.rounds.round_servers(shards=both)} == set(on_shard.values())

    learners = LearnerService(stores.projects, stores.pairing, knowledge=None)
    prompts = PromptSource(stores.prompts, learners, PROGRAM_WEEKS, shard_1)
    week = (datetime(2027, 1, 3, tzinfo=UTC), datetime(2027, 1, 12, tzinfo=UTC))
    assert {p.key.guild_id for p in await prompts.due_between(*week)} == {on_shard[1]}
    assert {p.key.guild_id for p in await WeekOneSource(stores.week_one, shard_1).due_between(*week)} == {on_shard[1]}
    assert [p.key.guild_id for p in await prompts.upcoming(on_shard[0], week[0], 1)] == [on_shard[0]]
