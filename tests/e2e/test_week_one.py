"""Week one runs by itself: the real bot against the local Discord stand-in, a real SQLite file and
a clock that is moved, never slept for. Projects are rows of the `projects` table, as `/project
announce` stores them; restarts are a second bot on the same database and stand-in."""

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.config import load_settings
from sandbox.run import sandbox_settings, start_bot_against, stop_bot
from sandbox.standin import StandIn
from sandbox.standin.demo import DemoMember, demo_id

pytestmark = pytest.mark.asyncio

CHANNEL = "prodevprojectnexus"
SUNDAY = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)  # the day before the cohort starts
COHORT_START = "2027-01-04"  # Monday; Lagos is UTC+1 all year
KICKOFF_AT = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # day 1, 09:00 in Lagos
REMINDER_AT = datetime(2027, 1, 7, 8, 0, tzinfo=UTC)  # day 4, 09:00 in Lagos
ROUNDUP_AT = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # day 8, 09:00 in Lagos, after the deadline
DEADLINE = datetime(2027, 1, 10, 23, 0, tzinfo=UTC)  # the end of day 7 in Lagos
EPHEMERAL = 1 << 6
MENTION = re.compile(r"<@!?(\d+)>")


async def start_bot_at(standin, db_path, moment):
    """The real bot on a clock that reads `moment` (the sandbox's own start-up)."""
    clock = Clock()
    clock.set(moment)
    settings = sandbox_settings(load_settings({}, env_file=None), standin, db_path)
    return await start_bot_against(standin, settings, clock=clock)


async def set_up(standin, **options):
    reply = await standin.invoke("mentor", "nexus setup", {
        "channel": CHANNEL, "cohort_start": COHORT_START, "timezone": "Africa/Lagos", "backend_role": "Backend",
        "frontend_role": "Frontend", **options})
    assert "Nexus is set up" in reply.message.text, reply.message.text


def announce(db_path, standin, member, title, track, discipline, looking=False):
    """A project as `/project announce` stores it."""
    with sqlite3.connect(db_path) as db:
        db.execute(
            "INSERT INTO projects (guild_id, owner_id, title, track, description, discipline, looking_for_partner, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 'what it does', ?, ?, ?, ?)",
            (standin.guild.id, standin.guild.member(member).id, title, track, discipline, int(looking),
             "2027-01-04T10:00:00+00:00", "2027-01-04T10:00:00+00:00"))


ONLY_MENTIONS = re.compile(r"^(<@\d+>\s*)+$")


def week_one_posts(standin):
    """(which, message) of every week-one message in the channel, oldest first; a reminder's or a
    roundup's continuation messages belong to the post before them."""
    found = []
    for message in standin.messages(CHANNEL):
        text = message.text
        if "Week one starts today" in text:
            found.append(("kickoff", message))
        elif "Week one, day 4" in text:
            found.append(("reminder", message))
        elif "Week one roundup" in text:
            found.append(("roundup", message))
        elif found and found[-1][0] == "reminder" and ONLY_MENTIONS.match(message.content):
            found.append(("reminder", message))
        elif found and found[-1][0] == "roundup" and not message.content and message.embeds \
                and not message.embeds[0].get("footer"):
            found.append(("roundup", message))
    return found


def pinged(message):
    """The users Discord pings for this message: mentioned in the content and allowed."""
    allowed = message.allowed_mentions or {}
    users = {int(u) for u in allowed.get("users") or []}
    assert "users" not in (allowed.get("parse") or []), allowed
    assert not allowed.get("parse"), allowed  # never everyone, never roles
    return {int(u) for u in MENTION.findall(message.content)} & users


def ids(standin, *names):
    return {standin.guild.member(name).id for name in names}


async def test_week_one_posts_its_three_posts_once_across_a_restart(tmp_path):
    db_path = tmp_path / "nexus.db"
    async with StandIn() as standin:
        channel_id = standin.guild.channel(CHANNEL).id
        bot, task = await start_bot_at(standin, db_path, SUNDAY)
        try:
            await set_up(standin)
            announce(db_path, standin, "ada", "Shop API", "e-commerce-catalog", "backend", looking=True)
            announce(db_path, standin, "ben", "Poll **UI**", "online-poll", "frontend")
            await bot.services.scheduler.advance_to(KICKOFF_AT + timedelta(hours=1))
        finally:
            await stop_bot(bot, task)

        [(which, kickoff)] = week_one_posts(standin)
        assert which == "kickoff"
        # The command exists in this build, so the kickoff names it (it never names one that does not).
        assert f"Announce it here in <#{channel_id}> with `/project announce`" in kickoff.text
        assert f"Deadline: <t:{int(DEADLINE.timestamp())}:F>" in kickoff.text
        assert kickoff.allowed_mentions.get("parse") == []

        # Down from Monday 10:00 to Thursday 10:00 UTC: the reminder is two hours late, inside the grace,
        # and made by the catch-up at start.
        late = asyncio.create_task(standin.wait_for_message(CHANNEL, lambda m: "Week one, day 4" in m.text,
                                                            timeout=20))
        bot, task = await start_bot_at(standin, db_path, REMINDER_AT + timedelta(hours=2))
        try:
            await late
            await bot.services.scheduler.advance_to(REMINDER_AT + timedelta(hours=3))
            reminder = [m for which, m in week_one_posts(standin) if which == "reminder"]
            assert len(reminder) == 1
            text = reminder[0].text
            assert "2 projects announced so far** (1 backend, 1 frontend)" in text
            assert f"Posted late: it was due <t:{int(REMINDER_AT.timestamp())}:F>." in text
            # Learners are the members with the Backend or Frontend role: femi has neither, the mentor is no learner.
            assert pinged(reminder[0]) == ids(standin, "chioma", "diego", "esi")
            assert {int(u) for u in MENTION.findall(text)} == ids(standin, "chioma", "diego", "esi")

            await bot.services.scheduler.advance_to(ROUNDUP_AT + timedelta(days=8))
        finally:
            await stop_bot(bot, task)

        posts = week_one_posts(standin)
        assert [which for which, _ in posts] == ["kickoff", "reminder", "roundup"]  # nothing repeated
        roundup = posts[-1][1]
        assert ("Week one roundup: 2 projects announced by the deadline** (1 backend, 1 frontend); 1 still look"
                in roundup.text)
        assert "Find yours with `/pair find`" in roundup.text and "`/pair queue join`" in roundup.text
        assert "Pairing comes next" not in roundup.text
        tracks = [(e["title"], [(f["name"], f["value"], f.get("inline")) for f in e.get("fields", [])])
                  for e in roundup.embeds]
        ada, ben = standin.guild.member("ada").id, standin.guild.member("ben").id
        assert tracks[0] == ("E-commerce product catalog", [("Backend (1)", f"**Shop API** · <@{ada}> 🤝", True),
                                                            ("Frontend (0)", "—", True)])
        assert tracks[1] == ("Online poll system", [("Backend (0)", "—", True),
                                                    ("Frontend (1)", f"**Poll \\*\\*UI\\*\\*** · <@{ben}>", True)])
        assert roundup.embeds[2]["title"] == "Still looking for a partner"
        assert f"<@{ada}> · backend · E-commerce product catalog" in roundup.embeds[2]["description"]
        assert roundup.allowed_mentions.get("parse") == [] and not roundup.allowed_mentions.get("users")


async def test_a_reminder_names_120_learners_in_messages_within_discords_limit(nexus):
    standin, bot = nexus.standin, nexus.bot
    backend = standin.guild.role("Backend").id
    newcomers = [DemoMember(demo_id(1000 + n), f"learner{n:03d}", [backend]) for n in range(120)]
    standin.guild.members.extend(newcomers)
    bot.clock.set(SUNDAY)
    await set_up(standin)
    await bot.services.scheduler.advance_to(REMINDER_AT + timedelta(minutes=1))

    reminder = [m for which, m in week_one_posts(standin) if which == "reminder"]
    assert len(reminder) > 1
    assert "0 projects announced so far** (0 backend, 0 frontend)" in reminder[0].text
    assert "Not announced yet (125):" in reminder[0].text  # the 120 and the demo server's five learners
    everyone_named = []
    for message in reminder:
        assert len(message.content) <= 2000
        named = [int(u) for u in MENTION.findall(message.content)]
        assert pinged(message) == set(named)  # each message pings exactly whom it names
        everyone_named += named
    expected = {m.id for m in newcomers} | ids(standin, "ada", "ben", "chioma", "diego", "esi")
    assert sorted(everyone_named) == sorted(expected)  # everyone once, nobody cut


async def test_admins_see_and_preview_the_week_one_posts(nexus):
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(SUNDAY)
    await set_up(standin)

    listing = await standin.invoke("mentor", "prompts list")
    assert listing.ephemeral
    # The calendar of the coming week: week one's posts among the prompts, in order (the roundup,
    # day 8, is more than a week away on the Sunday before).
    calendar = listing.message.text.split("The coming week")[1]
    shown = [calendar.index(f"<t:{int(when.timestamp())}:F> · {label}")
             for label, when in (("week one kickoff", KICKOFF_AT), ("weekly prompt monday-goals", KICKOFF_AT),
                                 ("weekly prompt wednesday-check", REMINDER_AT - timedelta(hours=20)),
                                 ("week one reminder", REMINDER_AT))]
    assert shown == sorted(shown), calendar
    assert "week one roundup" not in calendar

    reply = await standin.invoke("mentor", "prompts preview", {"key": "week-one-reminder"})
    await reply.wait_done()
    assert reply.ephemeral
    [preview] = reply.followups
    assert preview.flags & EPHEMERAL
    assert "Week one, day 4" in preview.text and "nobody was pinged" in preview.text
    assert preview.allowed_mentions.get("parse") == [] and not preview.allowed_mentions.get("users")
    assert not week_one_posts(standin)  # a preview posts nothing

    status = await standin.invoke("mentor", "nexus status")
    assert f"Next: week one kickoff, <t:{int(KICKOFF_AT.timestamp())}:F>" in status.message.text


async def test_a_moved_cohort_start_reschedules_and_a_made_post_stays_made(nexus):
    standin, bot = nexus.standin, nexus.bot
    bot.clock.set(SUNDAY)
    await set_up(standin)
    await bot.services.scheduler.advance_to(KICKOFF_AT + timedelta(hours=2))
    assert [which for which, _ in week_one_posts(standin)] == ["kickoff"]

    await set_up(standin, cohort_start="2027-01-05")  # corrected by a day after the kickoff went out
    await bot.services.scheduler.advance_to(KICKOFF_AT + timedelta(days=4, hours=2))
    posts = week_one_posts(standin)
    assert [which for which, _ in posts] == ["kickoff", "reminder"]  # no second kickoff
    # The reminder came on the new day 4 (Friday), not the old one.
    assert f"<t:{int((DEADLINE + timedelta(days=1)).timestamp())}:F>" in posts[-1][1].text


async def test_a_long_roundup_continues_in_a_thread_on_its_post_and_lists_every_project_once(nexus):
    standin, bot = nexus.standin, nexus.bot
    backend = standin.guild.role("Backend").id
    owners = [DemoMember(demo_id(3000 + n), f"owner{n:03d}", [backend]) for n in range(300)]
    standin.guild.members.extend(owners)
    bot.clock.set(SUNDAY)
    await set_up(standin)
    for n, owner in enumerate(owners):
        announce(nexus.db_path, standin, owner.name, f"Project number {n:03d} " + "x" * 60,
                 ("job-board", "online-poll", "social-media-feed")[n % 3], ("backend", "frontend")[n % 2],
                 looking=n % 4 == 0)
    await bot.services.scheduler.advance_to(ROUNDUP_AT + timedelta(minutes=1))

    [roundup] = [m for which, m in week_one_posts(standin) if which == "roundup"]  # one post in the channel
    assert "The list continues in this post's thread." in roundup.text
    [thread] = [t for t in standin.threads if t.message_id == roundup.id]
    assert thread.name == "Week one roundup · Monday 11 January 2027" and not thread.private
    rest = standin.messages(thread.id)
    assert rest and all(m.allowed_mentions.get("parse") == [] for m in rest)
    listed = re.findall(r"\*\*Project number (\d{3}) x+\*\*", "\n".join(m.text for m in [roundup, *rest]))
    assert sorted(listed) == [f"{n:03d}" for n in range(300)]  # every project once, none cut
    for message in [roundup, *rest]:
        assert len(message.embeds) <= 10
        assert all(len(f["value"]) <= 1024 for e in message.embeds for f in e.get("fields", []))


async def test_a_start_in_the_past_makes_only_what_is_ahead_and_a_post_missed_within_the_grace(nexus, settled):
    standin, bot = nexus.standin, nexus.bot
    await bot.services.scheduler.advance_to(KICKOFF_AT + timedelta(hours=2, minutes=30))  # Monday 10:30 UTC
    # A cohort that started eight days ago: its roundup (day 8) was 26 hours ago, beyond the 6-hour grace.
    await set_up(standin, cohort_start="2026-12-27")
    await settled(bot)
    assert week_one_posts(standin) == []
    assert [p for p in await bot.services.scheduler.problems(standin.guild.id) if p.key.kind == "week-one"] == []

    # Today's start: the kickoff was due 2.5 hours ago, inside the grace: made now, saying it is late.
    kickoff = asyncio.create_task(standin.wait_for_message(CHANNEL, lambda m: "Week one starts today" in m.text,
                                                           timeout=20))
    await set_up(standin)
    assert f"Posted late: it was due <t:{int(KICKOFF_AT.timestamp())}:F>." in (await kickoff).text
    await set_up(standin)  # set up again: nothing is made twice
    await bot.services.scheduler.advance_to(REMINDER_AT + timedelta(minutes=1))
    assert [which for which, _ in week_one_posts(standin)] == ["kickoff", "reminder"]
