"""Scheduled prompts reach the channel exactly once: the real bot against the local Discord stand-in,
a real SQLite file, and a clock that is moved, never slept for. Restarts are a second bot on the
same database and stand-in; a crash is the process stopping between Discord's answer and the
ledger's record."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.config import load_settings
from bot.guild_setup.model import SetupRequest
from bot.posting import CLAIM_LEASE
from bot.scheduling.ledger import PostKey
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from sandbox.standin.demo import SEND_MESSAGES

pytestmark = pytest.mark.asyncio

CHANNEL = "prodevprojectnexus"
SUNDAY = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)  # the day before the cohort starts
COHORT_START = "2027-01-04"  # Monday; Lagos is UTC+1 all year
MONDAY_GOALS_AT = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # 09:00 in Lagos
WEDNESDAY_CHECK_AT = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)  # 13:00 in Lagos
FRIDAY_SHOW_AT = datetime(2027, 1, 8, 15, 0, tzinfo=UTC)  # 16:00 in Lagos
MESSAGES = "/channels/{channel_id}/messages"


class ProcessDied(BaseException):
    """The process stopping at this line: nothing after it runs, nothing catches it."""


async def start_bot_at(standin, db_path, moment):
    """The real bot on a clock that reads `moment` (the sandbox's own start-up)."""
    clock = Clock()
    clock.set(moment)
    settings = sandbox_settings(load_settings({}, env_file=None), standin, db_path)
    return await start_bot_against(standin, settings, clock=clock)


async def set_up(standin, member="mentor", **options):
    reply = await standin.invoke(member, "nexus setup", {"channel": CHANNEL, "cohort_start": COHORT_START,
                                                         "timezone": "Africa/Lagos", **options})
    assert "Nexus is set up" in reply.message.text, reply.message.text


def prompt_posts(standin, channel=CHANNEL, guild=None):
    """(title, message) of every prompt posted in the channel, oldest first."""
    return [(m.embeds[0]["title"], m) for m in standin.messages(channel, guild=guild)
            if m.embeds and (m.embeds[0].get("footer") or {}).get("text", "").startswith("Weekly prompt")]


def titles(standin, channel=CHANNEL, guild=None):
    return [title for title, _ in prompt_posts(standin, channel, guild)]


async def until(condition, seconds=10.0):
    for _ in range(int(seconds / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never came true")


async def test_a_prompt_fires_and_appears_with_the_right_text(nexus):
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(SUNDAY)
    await set_up(standin)
    await bot.services.scheduler.advance_to(datetime(2027, 1, 4, 9, 30, tzinfo=UTC))

    assert titles(standin) == ["Monday goals"]  # week one's kickoff calls for the announcements, no prompt repeats it
    [(_, goals)] = prompt_posts(standin)
    assert "New week, new goals." in goals.text and "Projects announced so far: 0 · pairs formed: 0." in goals.text
    assert "Weekly prompt · program week 1 · replies in the thread" in goals.text
    [thread] = [t for t in standin.threads if t.message_id == goals.id]
    assert thread.name == "Monday goals · Monday 4 January 2027" and not thread.private
    assert "Posted late" not in goals.text
    assert goals.allowed_mentions.get("parse") == []
    # Due in the same minute, the kickoff goes first: "week one starts today" before the week's goals.
    [kickoff] = [m for m in standin.messages(CHANNEL) if "Week one starts today" in m.text]
    assert kickoff.id < goals.id

    await bot.services.scheduler.advance_to(datetime(2027, 1, 11, 9, 30, tzinfo=UTC))
    assert titles(standin) == ["Monday goals", "Wednesday check", "Friday show and tell", "Monday goals"]
    assert "program week 2" in prompt_posts(standin)[-1][1].text


async def test_a_bot_restarted_mid_week_loses_nothing_and_repeats_nothing(tmp_path):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        bot, task = await start_bot_at(standin, db_path, SUNDAY)
        try:
            await set_up(standin)
            await bot.services.scheduler.advance_to(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
        finally:
            await stop_bot(bot, task)
        assert titles(standin) == ["Monday goals"]

        # Down from Monday noon to Wednesday 15:00: the 13:00 check is 2 hours late, within the grace.
        late = asyncio.create_task(standin.wait_for_message(CHANNEL, lambda m: "Mid-week check-in" in m.text,
                                                            timeout=20))
        bot, task = await start_bot_at(standin, db_path, WEDNESDAY_CHECK_AT + timedelta(hours=3))
        try:
            check = await late
            assert f"Posted late: it was due <t:{int(WEDNESDAY_CHECK_AT.timestamp())}:F>." in check.text
            await bot.services.scheduler.advance_to(FRIDAY_SHOW_AT + timedelta(minutes=30))
        finally:
            await stop_bot(bot, task)
        assert titles(standin) == ["Monday goals", "Wednesday check", "Friday show and tell"]
        assert "Posted late" not in prompt_posts(standin)[-1][1].text

        # Down from Friday to the next Wednesday 15:00: Monday's posts are too old to make (skipped and
        # told to admins), Wednesday's is made late.
        late = asyncio.create_task(standin.wait_for_message(CHANNEL, lambda m: "Mid-week check-in" in m.text,
                                                            timeout=20))
        bot, task = await start_bot_at(standin, db_path, WEDNESDAY_CHECK_AT + timedelta(days=7, hours=3))
        try:
            await late
            problems = await bot.services.scheduler.problems(standin.guild.id)
            skipped = sorted((p.key.ref, p.status) for p in problems if p.key.kind == "prompt")
            assert skipped == [("monday-goals", "skipped")]
            assert all("offline" in p.last_error for p in problems)
        finally:
            await stop_bot(bot, task)
        assert titles(standin) == ["Monday goals", "Wednesday check", "Friday show and tell", "Wednesday check"]


async def test_a_bot_killed_after_sending_and_before_recording_makes_one_message(tmp_path, monkeypatch):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        bot, task = await start_bot_at(standin, db_path, WEDNESDAY_CHECK_AT - timedelta(hours=1))
        try:
            await set_up(standin)
            await bot.services.scheduler.tick()

            async def die(*args, **kwargs):
                raise ProcessDied

            monkeypatch.setattr(bot.services.posting._ledger, "complete", die)
            with pytest.raises(ProcessDied):
                await bot.services.scheduler.advance_to(WEDNESDAY_CHECK_AT + timedelta(minutes=1))
        finally:
            await stop_bot(bot, task)
        assert titles(standin) == ["Wednesday check"]
        [first] = [m for _, m in prompt_posts(standin)]

        # Restarted after the claim's lease: the claim is taken over and sent again with its nonce.
        bot, task = await start_bot_at(standin, db_path, WEDNESDAY_CHECK_AT + CLAIM_LEASE + timedelta(minutes=1))
        try:
            ledger = bot.services.posting._ledger
            key = PostKey(standin.guild.id, "prompt", "wednesday-check", WEDNESDAY_CHECK_AT)

            async def recorded():
                return (await ledger.get(key)).status == "posted"

            await until(recorded)
            entry = await ledger.get(key)
        finally:
            await stop_bot(bot, task)
        assert titles(standin) == ["Wednesday check"]
        assert entry.message_id == first.id and entry.attempts == 2
        sends = [r for r in standin.requests if r.method == "POST" and r.route == MESSAGES
                 and "Mid-week" in str(r.json)]
        assert len(sends) == 2 and sends[0].json["nonce"] == sends[1].json["nonce"] == first.nonce
        assert sends[1].json["enforce_nonce"] is True


async def test_a_429_then_a_500_on_the_post_still_posts_once(nexus):
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(WEDNESDAY_CHECK_AT - timedelta(hours=1))
    await set_up(standin)
    await bot.services.scheduler.tick()
    standin.fail_next("POST", MESSAGES, status=429, retry_after=0.05)
    standin.fail_next("POST", MESSAGES, status=500)
    await bot.services.scheduler.advance_to(WEDNESDAY_CHECK_AT + timedelta(minutes=1))

    assert titles(standin) == ["Wednesday check"]
    sends = [r for r in standin.requests if r.method == "POST" and r.route == MESSAGES and "Mid-week" in str(r.json)]
    assert [r.status for r in sends] == [429, 500, 200]
    assert len({r.json["nonce"] for r in sends}) == 1
    entry = await bot.services.posting._ledger.get(PostKey(standin.guild.id, "prompt", "wednesday-check",
                                                            WEDNESDAY_CHECK_AT))
    assert entry.status == "posted" and entry.attempts == 1


async def test_a_deleted_channel_or_a_lost_permission_is_recorded_and_the_other_servers_get_theirs(tmp_path):
    async with StandIn(extra_guilds=2) as standin:
        bot, task = await start_bot_at(standin, tmp_path / "nexus.db", WEDNESDAY_CHECK_AT - timedelta(hours=1))
        try:
            await set_up(standin)
            deleted, locked = standin.extra_guilds
            deleted_channel = deleted.post_channel
            for guild in standin.extra_guilds:  # set up by their own admins (commands are synced to the demo server)
                await bot.services.guild_setup.configure(SetupRequest(
                    guild.id, guild.admin.id, guild.post_channel.id, cohort_start=COHORT_START,
                    timezone="Africa/Lagos"))
            await standin.delete_channel(deleted.post_channel, guild=deleted)
            await standin.set_permission_overwrite(locked.post_channel, standin.bot_user_id, deny=SEND_MESSAGES,
                                                   guild=locked)
            await bot.services.scheduler.tick()
            await bot.services.scheduler.advance_to(WEDNESDAY_CHECK_AT + timedelta(minutes=1))

            assert titles(standin) == ["Wednesday check"]
            assert titles(standin, deleted_channel.id) == titles(standin, CHANNEL, locked) == []
            [gone] = await bot.services.scheduler.problems(deleted.id)
            assert gone.status == "failed" and gone.key.ref == "wednesday-check"
            assert gone.last_error == (f"the channel <#{deleted_channel.id}> no longer exists: run `/nexus setup` "
                                       "with another channel")
            [refused] = await bot.services.scheduler.problems(locked.id)
            assert refused.last_error == (f"I can't post in <#{locked.post_channel.id}>: give my role "
                                          "**Send Messages** there, or run `/nexus setup` with another channel")
            assert await bot.services.scheduler.problems(standin.guild.id) == []
        finally:
            await stop_bot(bot, task)


async def test_moving_todays_prompt_after_it_was_posted_moves_next_weeks(nexus):
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(SUNDAY)
    await set_up(standin)
    scheduler = bot.services.scheduler
    await scheduler.advance_to(MONDAY_GOALS_AT + timedelta(hours=1))
    assert titles(standin).count("Monday goals") == 1
    opened = await standin.invoke("mentor", "prompts edit", {"key": "monday-goals", "time": "11:30"})
    await standin.submit_modal("mentor", opened.modal, {"text": "Goals, later in the morning."})

    await scheduler.advance_to(MONDAY_GOALS_AT + timedelta(hours=4))  # past 11:30 in Lagos: not again today
    assert titles(standin).count("Monday goals") == 1
    await scheduler.advance_to(MONDAY_GOALS_AT + timedelta(days=7, hours=3))
    goals = [m for title, m in prompt_posts(standin) if title == "Monday goals"]
    assert len(goals) == 2 and "Goals, later in the morning." in goals[-1].text
