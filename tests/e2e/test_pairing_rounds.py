"""Pairing rounds through the real bot and the local Discord stand-in: `/pair round dry_run:true`
shows the round privately and changes nothing; a real round opens one private thread per pair,
announces itself once pinging nobody and tells every learner left over why, once; a round cut short
(stopped right after it was stored, or a thread Discord refused) is finished by a restart with
nothing made twice; the automatic round runs on day 8 and then weekly while someone waits, moved or
paused by `/pair schedule`; a round racing an accept; the queue joined and left through projects."""

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from _server import CHANNEL, set_up

from bot.clock import Clock
from bot.config import load_settings
from bot.errors import UserError
from cogs.pair._deliver import finish_round
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday
BACKEND = ("ada", "chioma", "esi")
FRONTEND = ("ben", "diego")
JOB_BOARD_API = {"title": "Job board API", "stack": "Django REST Framework, PostgreSQL, JWT",
                 "description": "Job postings and applications behind a REST API with JWT login."}
JOB_BOARD_UI = {"title": "Job board UI", "stack": "React, JWT",
                "description": "The pages of a job board, calling a Django REST Framework API with PostgreSQL."}
MENTION = re.compile(r"<@!?(\d+)>")
NO_PARTNER = "This pairing round found no partner for you"


# --- driving the bot -----------------------------------------------------------------------------

@pytest.fixture
async def server(nexus):
    nexus.bot.clock.set(NOW)
    await set_up(nexus.standin)
    return nexus


async def start_bot_at(standin, db_path, moment):
    clock = Clock()
    clock.set(moment)
    settings = sandbox_settings(load_settings({}, env_file=None), standin, db_path)
    return await start_bot_against(standin, settings, clock=clock)


def member_id(standin, name):
    return standin.guild.member(name).id


def name_of(standin, user_id):
    return next(m.name for m in standin.guild.members if m.id == user_id)


async def join_queue(standin, *names):
    for name in names:
        reply = await standin.invoke(name, "pair queue join")
        assert reply.ephemeral and "You're in the queue" in reply.message.text, reply.message.text


async def announce(standin, member, values, **options):
    opened = await standin.invoke(member, "project announce", options)
    assert opened.modal is not None, opened.message and opened.message.text
    return await (await standin.submit_modal(member, opened.modal, values)).wait_done()


async def run_round(standin, member="mentor", **options):
    reply = await (await standin.invoke(member, "pair round", options)).wait_done()
    assert reply.ephemeral
    return "\n".join(m.text for m in [reply.message, *reply.followups] if m is not None)


async def queued(standin, name):
    """What the member's `/pair status` says about the queue."""
    status = await standin.invoke(name, "pair status")
    [queue] = [f["value"] for f in status.message.embeds[0]["fields"] if f["name"] == "Queue"]
    return queue.startswith("in the queue")


def button(message, prefix):
    return next(b["custom_id"] for b in message.buttons if b["custom_id"].startswith(prefix))


# --- what members see ----------------------------------------------------------------------------

def pair_threads(standin):
    """{frozenset of the two learners: [threads]} of the private pair threads."""
    found: dict[frozenset[int], list] = {}
    for thread in standin.threads:
        if thread.private and thread.name.startswith("Pair ·"):
            found.setdefault(frozenset(thread.member_ids) - {standin.bot_user_id}, []).append(thread)
    return found


def announcements(standin):
    return [m for m in standin.messages(CHANNEL) if "Pairing round:" in m.text]


def notices(standin, name):
    return [m for m in standin.dm_messages(name) if NO_PARTNER in m.text]


def pinged(message):
    """Who Discord pings for this message: mentioned in the content and allowed (never roles or everyone)."""
    allowed = message.allowed_mentions or {}
    assert not allowed.get("parse"), allowed
    return {int(u) for u in MENTION.findall(message.content)} & {int(u) for u in allowed.get("users") or []}


def db_rows(db_path, sql, params=()):
    with sqlite3.connect(db_path) as db:
        return [tuple(row) for row in db.execute(sql, params)]


def active_pairs(db_path):
    return {frozenset(row) for row in db_rows(db_path, "SELECT backend_id, frontend_id FROM pairs "
                                                       "WHERE ended_at IS NULL")}


def queue_of(db_path):
    return {row[0] for row in db_rows(db_path, "SELECT user_id FROM pair_queue")}


def assert_round_delivered_once(standin, pairs, unmatched_names):
    """Every pair has exactly one private thread with both in it and why they fit as its first
    message; every learner left over was told once; one announcement, pinging nobody."""
    threads = pair_threads(standin)
    assert set(threads) == pairs, threads
    for two, [thread] in threads.items():
        assert thread.invitable is False
        first = standin.messages(thread.id)[0]
        assert pinged(first) == set(two)
        assert first.embeds[0]["title"] == "Why you fit" and first.embeds[0]["description"]
        # as they fit when paired: both were waiting in the queue then (no longer, once paired)
        assert "Both looking for a partner" in first.embeds[0]["description"]
    for name in unmatched_names:
        assert len(notices(standin, name)) == 1, name
    [announced] = announcements(standin)
    assert pinged(announced) == set()
    assert {frozenset(int(u) for u in pair) for pair in
            re.findall(r"<@(\d+)> \+ <@(\d+)>", announced.embeds[0]["description"])} == pairs


# --- 1. the dry run ------------------------------------------------------------------------------

async def test_a_dry_run_shows_the_round_privately_and_changes_nothing(server):
    standin, db_path = server.standin, server.db_path
    await join_queue(standin, *BACKEND, *FRONTEND)
    channel_before = len(standin.messages(CHANNEL))
    queue_before = queue_of(db_path)

    dry = await standin.invoke("mentor", "pair round", {"dry_run": True})
    assert dry.ephemeral
    [embed] = dry.message.embeds
    assert embed["title"].startswith("Dry run: 2 pairs, total fit ")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    listed = re.findall(r"<@(\d+)> \+ <@(\d+)>: fit \d", embed["description"])
    shown = {frozenset(int(u) for u in pair) for pair in listed}
    assert len(shown) == 2
    [left] = re.findall(r"<@(\d+)> \(backend\): no one was left on the other side", fields["Left unmatched"])
    paired = {member for pair in shown for member in pair}
    assert paired | {int(left)} == {member_id(standin, n) for n in (*BACKEND, *FRONTEND)}

    assert pair_threads(standin) == {} and len(standin.messages(CHANNEL)) == channel_before
    assert not any(standin.dm_messages(name) for name in (*BACKEND, *FRONTEND))
    assert queue_of(db_path) == queue_before and active_pairs(db_path) == set()
    assert db_rows(db_path, "SELECT * FROM pair_rounds") == []

    # The round it showed is the round a real run forms.
    await run_round(standin)
    assert active_pairs(db_path) == shown
    assert len(notices(standin, name_of(standin, int(left)))) == 1


# --- 2. a real round -----------------------------------------------------------------------------

async def test_a_round_opens_a_thread_per_pair_announces_once_and_tells_who_is_left_why(server):
    standin, db_path = server.standin, server.db_path
    ada, ben = member_id(standin, "ada"), member_id(standin, "ben")
    await announce(standin, "ada", JOB_BOARD_API, track="job-board")
    await announce(standin, "ben", JOB_BOARD_UI, track="job-board")
    await join_queue(standin, *BACKEND, *FRONTEND)

    said = await run_round(standin)
    assert "Round done: 2 pairs formed" in said and "1 left unmatched" in said
    pairs = active_pairs(db_path)
    assert frozenset({ada, ben}) in pairs and len(pairs) == 2  # the same track fits best
    [left] = {member_id(standin, n) for n in BACKEND} - {m for pair in pairs for m in pair}
    assert_round_delivered_once(standin, pairs, [name_of(standin, left)])
    [ada_ben] = pair_threads(standin)[frozenset({ada, ben})]
    assert "Both on the Job board platform track" in standin.messages(ada_ben.id)[0].embeds[0]["description"]
    [notice] = notices(standin, name_of(standin, left))
    assert "everyone on the other side was already matched" in notice.text and "You stay in the queue" in notice.text
    for name in (*BACKEND, *FRONTEND):
        if member_id(standin, name) != left:
            assert notices(standin, name) == []
    assert queue_of(db_path) == {left}  # the paired left the queue; who is left waits
    assert await queued(standin, name_of(standin, left)) and not await queued(standin, "ada")

    # Both pairs end; the learner still waiting leaves; the two of a pair come back: never paired again.
    for pair in pairs:
        backend = next(iter(pair & {member_id(standin, n) for n in BACKEND}))
        assert "has ended" in (await standin.invoke(name_of(standin, backend), "pair leave")).message.text
    await standin.invoke(name_of(standin, left), "pair queue leave")
    await join_queue(standin, "ada", "ben")
    said = await run_round(standin)
    assert "0 pairs formed" in said and "2 left unmatched" in said
    assert active_pairs(db_path) == set()
    for name in ("ada", "ben"):
        [notice] = notices(standin, name)
        assert "the only learners left on the other side were your previous partners" in notice.text
    assert len(announcements(standin)) == 1  # a round that paired nobody announces nothing
    assert await queued(standin, "ada") and await queued(standin, "ben")


# --- 3. a round cut short ------------------------------------------------------------------------

async def test_a_round_stored_but_not_delivered_is_finished_once_by_a_restart(tmp_path):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        bot, task = await start_bot_at(standin, db_path, NOW)
        try:
            await set_up(standin)
            await join_queue(standin, *BACKEND, *FRONTEND)
            # The round is stored, then the bot stops before opening a thread or telling anyone.
            stored = await bot.services.pair_rounds.run(standin.guild.id, "admin:cut-short",
                                                        member_id(standin, "mentor"))
            assert stored.created and len(stored.pairs) == 2 and len(stored.unmatched) == 1
        finally:
            await stop_bot(bot, task)
        assert pair_threads(standin) == {} and announcements(standin) == []

        announced = asyncio.create_task(standin.wait_for_message(CHANNEL, lambda m: "Pairing round:" in m.text,
                                                                 timeout=20))
        bot, task = await start_bot_at(standin, db_path, NOW + timedelta(minutes=5))
        try:
            await announced  # the last step of finishing a round
            pairs = {frozenset((p.backend_id, p.frontend_id)) for p in stored.pairs}
            [left] = [name_of(standin, u.member_id) for u in stored.unmatched]
            assert_round_delivered_once(standin, pairs, [left])

            # The same round key again: the stored round, no second pair, nothing sent twice.
            again = await bot.services.pair_rounds.run(standin.guild.id, "admin:cut-short",
                                                       member_id(standin, "mentor"))
            assert not again.created and again.round.id == stored.round.id
            await finish_round(bot, again)
            assert len(db_rows(db_path, "SELECT * FROM pairs")) == 2
            assert len(db_rows(db_path, "SELECT * FROM pair_rounds")) == 1
            assert_round_delivered_once(standin, pairs, [left])
        finally:
            await stop_bot(bot, task)


@pytest.mark.parametrize("refused", ["POST /channels/{channel_id}/threads",  # no thread could be opened
                                     "POST /channels/{channel_id}/messages"])  # opened, its first message refused
async def test_a_thread_discord_refused_is_opened_by_the_restart_and_never_twice(tmp_path, refused):
    db_path = tmp_path / "nexus.db"
    method, path = refused.split(" ")
    async with StandIn() as standin:
        bot, task = await start_bot_at(standin, db_path, NOW)
        try:
            await set_up(standin)
            await join_queue(standin, *BACKEND, *FRONTEND)
            standin.fail_next(method, path, status=403)  # Missing Permissions, once (an admin fixes it)
            said = await run_round(standin)
            assert "Discord refused some of the private threads" in said  # the admin is told, not "done"
            pairs = active_pairs(db_path)
            assert len(pairs) == 2
        finally:
            await stop_bot(bot, task)
        assert sum(len(t) for t in pair_threads(standin).values()) <= 2

        bot, task = await start_bot_at(standin, db_path, NOW + timedelta(minutes=5))
        try:
            await bot.wait_until_ready()
            for _ in range(200):  # the start finishes the round in the background
                if not db_rows(db_path, "SELECT id FROM pair_rounds WHERE completed_at IS NULL"):
                    break
                await asyncio.sleep(0.05)
            [(left,)] = db_rows(db_path, "SELECT member_id FROM pair_round_unmatched")
            assert_round_delivered_once(standin, pairs, [name_of(standin, left)])
        finally:
            await stop_bot(bot, task)


# --- 4. the automatic round ----------------------------------------------------------------------

SUNDAY = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)  # the day before the cohort starts
COHORT_START = "2027-01-04"  # a Monday; Lagos is UTC+1 all year
DAY_8 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Lagos


def rounds_run(db_path):
    return len(db_rows(db_path, "SELECT id FROM pair_rounds"))


async def test_the_automatic_round_runs_on_day_8_then_weekly_only_while_someone_waits(nexus):
    standin, bot, db_path = nexus.standin, nexus.bot, nexus.db_path
    scheduler = bot.services.scheduler
    bot.clock.set(SUNDAY)
    await set_up(standin, cohort_start=COHORT_START, timezone="Africa/Lagos")
    joined = await standin.invoke("ada", "pair queue join")
    assert f"The next round: <t:{int(DAY_8.timestamp())}:F>" in joined.message.text
    await join_queue(standin, "chioma", "esi", *FRONTEND)

    await scheduler.advance_to(DAY_8 - timedelta(minutes=1))
    assert rounds_run(db_path) == 0 and pair_threads(standin) == {}
    await scheduler.advance_to(DAY_8 + timedelta(hours=1))
    pairs = active_pairs(db_path)
    assert len(pairs) == 2 and rounds_run(db_path) == 1
    [left] = [name for name in BACKEND if member_id(standin, name) in queue_of(db_path)]
    assert_round_delivered_once(standin, pairs, [left])

    # A week on, someone still waits: it runs again (and finds nobody for them again, for the same
    # reason: not told again).
    await scheduler.advance_to(DAY_8 + timedelta(days=7, hours=1))
    assert rounds_run(db_path) == 2 and len(notices(standin, left)) == 1
    # Nobody waits: no round the week after.
    await standin.invoke(left, "pair queue leave")
    await scheduler.advance_to(DAY_8 + timedelta(days=14, hours=1))
    assert rounds_run(db_path) == 2 and len(notices(standin, left)) == 1
    assert len(pair_threads(standin)) == 2 and len(announcements(standin)) == 1


async def test_pair_schedule_moves_and_pauses_the_round_and_only_admins_change_it(nexus):
    standin, bot, db_path = nexus.standin, nexus.bot, nexus.db_path
    scheduler = bot.services.scheduler
    bot.clock.set(DAY_8 + timedelta(days=3))  # Thursday of week two: the first round is behind us
    await set_up(standin, cohort_start=COHORT_START, timezone="Africa/Lagos")

    refused = await standin.invoke("ada", "pair schedule", {"paused": True})
    assert refused.ephemeral and "Manage Server" in refused.message.text
    refused = await standin.invoke("ada", "pair round")
    assert refused.ephemeral and "Manage Server" in refused.message.text
    assert db_rows(db_path, "SELECT * FROM pair_schedule") == [] and rounds_run(db_path) == 0
    for bad in ("25:00", "ten", "9:61"):  # each refused privately, saying how to write it, changing nothing
        said = await standin.invoke("mentor", "pair schedule", {"time": bad})
        assert said.ephemeral and "isn't a time of day: use 24-hour HH:MM" in said.message.text, bad
    assert db_rows(db_path, "SELECT * FROM pair_schedule") == []

    wednesday = datetime(2027, 1, 20, 14, 0, tzinfo=UTC)  # 15:00 in Lagos
    moved = await standin.invoke("mentor", "pair schedule", {"weekday": "wednesday", "time": "15:00"})
    assert moved.ephemeral and "Wednesdays at 15:00 (Africa/Lagos)" in moved.message.text
    assert f"Next: <t:{int(wednesday.timestamp())}:F>" in moved.message.text
    await join_queue(standin, "ada", "ben")
    await scheduler.advance_to(datetime(2027, 1, 18, 10, 0, tzinfo=UTC))  # past Monday 10:00: not any more
    assert rounds_run(db_path) == 0
    await scheduler.advance_to(wednesday - timedelta(minutes=1))
    assert rounds_run(db_path) == 0
    await scheduler.advance_to(wednesday + timedelta(minutes=1))
    assert active_pairs(db_path) == {frozenset(member_id(standin, n) for n in ("ada", "ben"))}
    assert len(announcements(standin)) == 1

    paused = await standin.invoke("mentor", "pair schedule", {"paused": True})
    assert "Automatic pairing round: paused" in paused.message.text and "Next:" not in paused.message.text
    await join_queue(standin, "chioma", "diego")
    await scheduler.advance_to(wednesday + timedelta(days=14, hours=1))
    assert rounds_run(db_path) == 1 and len(active_pairs(db_path)) == 1

    resumed = await standin.invoke("mentor", "pair schedule", {"paused": False})
    next_wednesday = wednesday + timedelta(days=21)
    assert f"Next: <t:{int(next_wednesday.timestamp())}:F>" in resumed.message.text
    await scheduler.advance_to(next_wednesday + timedelta(minutes=1))
    assert rounds_run(db_path) == 2 and len(active_pairs(db_path)) == 2


# --- 5. a round racing an accept -----------------------------------------------------------------

async def test_a_round_and_an_accept_racing_for_the_same_learner_give_one_pair(server):
    standin, db_path = server.standin, server.db_path
    ada, ben = member_id(standin, "ada"), member_id(standin, "ben")
    await (await standin.invoke("ada", "pair request", {"member": "ben"})).wait_done()
    [request] = [m for m in standin.dm_messages("ben") if m.buttons]
    await join_queue(standin, "ada", "ben")

    answered_round, press = await asyncio.gather(
        run_round(standin), standin.click("ben", request, button(request, "nexus:pair:accept:")))
    await press.wait_done()
    assert active_pairs(db_path) == {frozenset({ada, ben})}
    assert len(db_rows(db_path, "SELECT * FROM pairs")) == 1
    assert set(pair_threads(standin)) == {frozenset({ada, ben})}
    assert len(pair_threads(standin)[frozenset({ada, ben})]) == 1
    pressed = "\n".join(m.text for m in (press.message, press.original) if m is not None)
    # The accept won ("you're paired"), or the round did and the press is told why it can't accept.
    assert "you're paired" in pressed or "one of you is paired now" in pressed, pressed
    assert "error id" not in (answered_round + pressed).lower()
    assert queue_of(db_path) == set()
    # Whichever won, the request is decided: no buttons left, and nobody is told later that it expired.
    assert not request.buttons
    await server.bot.services.scheduler.advance_to(NOW + timedelta(hours=80))
    assert not any("expired" in m.text for name in ("ada", "ben") for m in standin.dm_messages(name))


async def test_a_request_between_two_a_round_paired_is_closed(server):
    standin, db_path = server.standin, server.db_path
    await (await standin.invoke("ada", "pair request", {"member": "ben"})).wait_done()
    await (await standin.invoke("chioma", "pair request", {"member": "ben"})).wait_done()
    to_ben = [m for m in standin.dm_messages("ben") if m.buttons]
    assert len(to_ben) == 2
    request_ids = [int(button(m, "nexus:pair:accept:").rsplit(":", 1)[1]) for m in to_ben]
    await join_queue(standin, "ada", "ben")
    await run_round(standin)
    assert active_pairs(db_path) == {frozenset({member_id(standin, "ada"), member_id(standin, "ben")})}

    status = await standin.invoke("ada", "pair status")
    assert "Your requests" not in str(status.message.embeds[0])
    for message in to_ben:  # neither request can be accepted now: their buttons are gone
        assert not message.buttons and "was closed" in message.text, message.text
    for request_id in request_ids:  # a press that was on its way says why
        with pytest.raises(UserError, match="one of you is paired now"):
            await server.bot.services.pairing.accept(standin.guild.id, request_id, member_id(standin, "ben"))
    [told] = [m for m in standin.dm_messages("chioma") if "was closed" in m.text]
    assert f"<@{member_id(standin, 'ben')}>" in told.text and "paired in a pairing round" in told.text
    assert not [m for m in standin.dm_messages("ada") if "was closed" in m.text]  # she knows: she is paired


# --- 6. the queue through projects ---------------------------------------------------------------

async def withdraw(standin, member):
    asked = await standin.invoke(member, "project withdraw")
    confirm = next(b for b in asked.message.buttons if b["label"] == "Withdraw it")
    await (await standin.click(member, asked.message, confirm["custom_id"])).wait_done()


async def test_a_project_looking_for_a_partner_joins_the_queue_and_withdrawing_it_leaves(server):
    standin = server.standin
    await announce(standin, "ada", JOB_BOARD_API, track="job-board", looking_for_partner=True)
    await announce(standin, "ben", JOB_BOARD_UI, track="job-board")
    assert await queued(standin, "ada") and not await queued(standin, "ben")
    await withdraw(standin, "ada")
    assert not await queued(standin, "ada")

    await announce(standin, "chioma", JOB_BOARD_API, track="job-board", looking_for_partner=True)
    left = await standin.invoke("chioma", "pair queue leave")
    assert left.ephemeral and "You left the queue" in left.message.text
    assert not await queued(standin, "chioma")
    again = await standin.invoke("chioma", "pair queue leave")
    assert "You're not in the queue" in again.message.text

    # Who joined by themselves stays when the project goes: it was their own choice.
    await join_queue(standin, "diego")
    await announce(standin, "diego", JOB_BOARD_UI, track="job-board", looking_for_partner=True)
    await withdraw(standin, "diego")
    assert await queued(standin, "diego")
